"""The dataset pipeline's steps as its Lambda handlers call them: event in, step result out.

The state machine (``infra/dataset_pipeline.py``) reads like the process::

    ChooseOperation ─ CreateDataset ─────────► ImportEntries ─────┐
                    ├ UpdateDatasetEntries ──► ApplyChanges ──────┼─► RecordEntries ─► DatasetReady
                    └ DistributeDatasetEntries ► DistributeEntries ┘
    any failure ─► RecordFailure ─► DatasetOperationFailed

Each step's input is the execution input (:class:`PipelineInput`) plus what earlier steps added:
``$.Entries`` (the work steps' ``{"Revisions": [...]}``) and, after a failure, ``$.Failure``
(``{"Error", "Cause"}`` as Step Functions catches it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from customlabels import aws
from customlabels.datasets.entry_store import EntryStore
from customlabels.datasets.failures import classify
from customlabels.datasets.manifest_source import S3ManifestReader
from customlabels.datasets.operations import DatasetWork, StagedRevision
from customlabels.datasets.pipeline_input import PipelineInput
from customlabels.datasets.recording import DatasetRecorder
from customlabels.resources.repository import Repository
from customlabels.settings import Settings
from customlabels.store import MetadataStore


@dataclass(frozen=True)
class PipelineSteps:
    """The work and the recording of the dataset pipeline, wired to one deployment."""

    work: DatasetWork
    recorder: DatasetRecorder

    @classmethod
    def from_settings(cls, settings: Settings, *, s3: Any = None) -> PipelineSteps:
        """Steps over ``settings.data_bucket`` (an S3 client is created unless given).

        Raises:
            ValueError: no data bucket is configured.
        """
        bucket = aws.data_bucket(settings, holds="datasets live")
        s3 = s3 or aws.client("s3", settings)
        repository = Repository(MetadataStore(s3, bucket))
        entries = EntryStore(s3, bucket)
        return cls(
            DatasetWork(repository, entries, S3ManifestReader(s3)), DatasetRecorder(repository, entries)
        )

    def import_entries(self, event: dict[str, Any]) -> dict[str, Any]:
        """``ImportEntries`` (CreateDataset): the manifest's, the copied dataset's, or no entries."""
        return _staged(self.work.import_entries(PipelineInput.from_event(event)))

    def apply_changes(self, event: dict[str, Any]) -> dict[str, Any]:
        """``ApplyChanges`` (UpdateDatasetEntries): the entries with the change set merged in."""
        return _staged(self.work.apply_changes(PipelineInput.from_event(event)))

    def distribute_entries(self, event: dict[str, Any]) -> dict[str, Any]:
        """``DistributeEntries`` (DistributeDatasetEntries): the training and test entries, split."""
        return _staged(self.work.distribute_entries(PipelineInput.from_event(event)))

    def record_entries(self, event: dict[str, Any]) -> dict[str, Any]:
        """``RecordEntries``: switch the dataset(s) to the revisions in ``$.Entries``."""
        request = PipelineInput.from_event(event)
        revisions = [StagedRevision.from_event(item) for item in event["Entries"]["Revisions"]]
        self.recorder.record_entries(request, revisions)
        return {"Datasets": [revision.dataset_arn for revision in revisions]}

    def record_failure(self, event: dict[str, Any]) -> dict[str, Any]:
        """``RecordFailure``: put the failure in ``$.Failure`` on the dataset(s)."""
        request = PipelineInput.from_event(event)
        caught = event.get("Failure") or {}
        failure = classify(caught.get("Error"), caught.get("Cause"))
        failed = self.recorder.record_failure(request, failure)
        return {"Datasets": failed, "StatusMessage": failure.message, "StatusMessageCode": str(failure.code)}


def _staged(revisions: list[StagedRevision]) -> dict[str, Any]:
    return {"Revisions": [revision.to_event() for revision in revisions]}
