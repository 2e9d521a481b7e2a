"""The training pipeline's Lambda steps as their handlers call them: event in, step result out.

Every step gets ``{"ProjectVersionArn": ...}`` (``RecordFailure`` also ``"Failure": {"Error",
"Cause"}`` as Step Functions caught it). ``TrainModel`` is :mod:`customlabels.training.worker`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from customlabels import aws
from customlabels.datasets.entry_store import EntryStore
from customlabels.datasets.manifest_source import S3ManifestReader
from customlabels.resources.repository import Repository
from customlabels.resources.status import ProjectVersionStatus
from customlabels.settings import Settings
from customlabels.store import MetadataStore
from customlabels.versions.failures import Failure, classify
from customlabels.versions.inputs import InputReader
from customlabels.versions.job_outcome import JobOutcome
from customlabels.versions.outputs import TrainingObjects
from customlabels.versions.recording import VersionRecorder
from customlabels.versions.validate import ManifestValidator, training_files

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainingSteps:
    """``ValidateManifests``, ``FinalizeVersion`` and ``RecordFailure`` for one deployment."""

    recorder: VersionRecorder
    validator: ManifestValidator
    s3: Any
    data_bucket: str

    @classmethod
    def from_settings(cls, settings: Settings, *, s3: Any = None) -> TrainingSteps:
        """Steps over ``settings.data_bucket`` (an S3 client is created unless given).

        Raises:
            ValueError: no data bucket is configured.
        """
        bucket = aws.data_bucket(settings, holds="models live")
        s3 = s3 or aws.client("s3", settings, max_pool_connections=32)
        recorder = VersionRecorder(Repository(MetadataStore(s3, bucket)))
        inputs = InputReader(EntryStore(s3, bucket), S3ManifestReader(s3))
        return cls(recorder, ManifestValidator(recorder, inputs, s3, bucket), s3, bucket)

    def validate_manifests(self, event: dict[str, Any]) -> dict[str, Any]:
        """``ValidateManifests``: see :mod:`customlabels.versions.validate`."""
        return self.validator.validate(event["ProjectVersionArn"])

    def finalize_version(self, event: dict[str, Any]) -> dict[str, Any]:
        """``FinalizeVersion``: ``TRAINING_COMPLETED`` with the job's evaluation (a retry after the
        write finds it done and succeeds too)."""
        arn = event["ProjectVersionArn"]
        version = self.recorder.find(arn)
        if version is not None and version.status == ProjectVersionStatus.TRAINING_COMPLETED:
            return {"Status": version.status, "F1Score": (version.evaluation_result or {}).get("F1Score")}
        version = self.recorder.training(arn)
        outcome = self._outcome(version.kms_key_id, training_files(version, self.data_bucket).outcome_key)
        if outcome is None or not outcome.succeeded:
            raise RuntimeError(f"{arn}: the training job reported no success")
        recorded = self.recorder.record_completion(version, outcome)
        logger.info("%s is %s, F1 %s", arn, recorded.status, outcome.f1)
        return {"Status": recorded.status, "F1Score": outcome.f1}

    def record_failure(self, event: dict[str, Any]) -> dict[str, Any]:
        """``RecordFailure``: ``TRAINING_FAILED`` with the guide's message, or the service-issue one."""
        arn = event["ProjectVersionArn"]
        caught = event.get("Failure") or {}
        failure = classify(caught.get("Error"), caught.get("Cause"))
        if not failure.client_error:
            failure = self._failure_reported_by_job(arn) or failure
        recorded = self.recorder.record_failure(arn, failure)
        logger.info("%s failed (%s): %s", arn, caught.get("Error"), failure.message)
        return {"Recorded": recorded, "StatusMessage": failure.message, "ClientError": failure.client_error}

    def _failure_reported_by_job(self, arn: str) -> Failure | None:
        """The caller's error a Batch job reported in its outcome (its exit code says only "failed")."""
        version = self.recorder.find(arn)
        if version is None:
            return None
        outcome = self._outcome(version.kms_key_id, training_files(version, self.data_bucket).outcome_key)
        if outcome is None or outcome.succeeded or not outcome.message:
            return None
        return Failure(outcome.message, client_error=True)

    def _outcome(self, kms_key_id: str | None, key: str) -> JobOutcome | None:
        data = TrainingObjects(self.s3, kms_key_id).read(self.data_bucket, key)
        return JobOutcome.from_json(data) if data is not None else None
