"""Dataset operations and the steps of the dataset pipeline.

How a dataset's entries are kept and changed, one concept per module:

===================  =========================================================================
``revision``         one revision of a dataset's entries: JSON Lines body + compact index
``entry_store``      revisions and change sets as immutable objects under ``_meta/datasets/``
``pipeline_input``   the dataset pipeline's execution input (API -> Step Functions -> steps)
``manifest_source``  reading a CreateDataset manifest (with its S3 version) for the guide's checks
``operations``       the work steps: ImportEntries, ApplyChanges, DistributeEntries
``recording``        RecordEntries (atomic switch to the new revision) and RecordFailure
``failures``         client vs service errors, and the StatusMessage each one gets
``steps``            the steps as Lambda handlers call them, wired to a deployment
``backend``          the API's ``DatasetEntries``: listings, and handing changes to the pipeline
===================  =========================================================================

The semantics (validation, error codes, upserts, the 80/20 split, statistics) come from
:mod:`customlabels.manifests`; this package stores their results so that a failed operation
never touches the entries a dataset already has.
"""
