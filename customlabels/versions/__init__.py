"""Training a model (CreateProjectVersion): the steps of the training pipeline.

The API records the model ``TRAINING_IN_PROGRESS`` and starts the training state machine
(``infra/training_pipeline.py``), which reads like the process::

    ValidateManifests ─► TrainModel ─► FinalizeVersion ─► TrainingCompleted
    any failure ─► RecordFailure ─► TrainingFailed

One concept per module:

=================  =========================================================================
``layout``         where every file of a training goes (OutputConfig, the model's artifacts)
``failures``       the caller's errors vs service errors, and the StatusMessage of each
``inputs``         the training and test lines: the project's datasets or the request's manifests
``used_entries``   what training uses of a validated line (the training manifest snapshot)
``outputs``        writing objects (SSE-KMS with the model's key) and reading them back
``validate``       ``ValidateManifests``: the guide's validation, its three result files, staging
``image_copy``     the images copied for the job (``ERROR_FAILED_IMAGES_S3_COPY``)
``job_outcome``    what the training job reports back (``TrainModel`` → ``FinalizeVersion``)
``recording``      every change training makes to the model record, in one place
``steps``          the Lambda steps wired to a deployment
=================  =========================================================================

The training job itself (``TrainModel``) is :mod:`customlabels.training.worker`: the same code
runs as a Lambda step (``target=local``, CPU) and in the AWS Batch GPU container.
"""
