"""Every change training makes to a model record, in one place.

Each change is one conditional write of the model's document (the store re-applies it when
another writer got there first, so nothing is lost) and happens only while the model is
``TRAINING_IN_PROGRESS``: a step that finds the model in another status raises
:class:`~customlabels.versions.failures.VersionSuperseded` and changes nothing. The guide's
rules for what DescribeProjectVersions shows:

- the validation results' locations (``ManifestSummary``, ``*DataResult.Validation``) as soon as
  validation wrote them (L5647-5692), also when the training then fails on the caller's data,
  but not after a service error (L5630);
- ``EvaluationResult`` (F1 and the summary file, L7410), ``BillableTrainingTimeInSeconds`` and the
  evaluation manifest snapshot (``TestingDataResult.Output``, L7408) only for a successful training;
- ``TRAINING_COMPLETED`` "The model is ready to run." (L5161) or ``TRAINING_FAILED`` with the
  guide's message (L5166); ``TrainingEndTimestamp`` either way.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from customlabels.resources import arns
from customlabels.resources.records import Project, ProjectVersion
from customlabels.resources.repository import Repository
from customlabels.resources.status import ProjectVersionStatus, change_version_status
from customlabels.store import DocumentNotFound
from customlabels.versions.failures import Failure, VersionSuperseded
from customlabels.versions.job_outcome import JobOutcome
from customlabels.versions.layout import asset

logger = logging.getLogger(__name__)
V = ProjectVersionStatus


def epoch_ms() -> int:
    return time.time_ns() // 1_000_000


class VersionRecorder:
    """Reads the model a training works on and writes its results on the record."""

    def __init__(self, repository: Repository, *, clock: Callable[[], int] = epoch_ms) -> None:
        self.repository = repository
        self.clock = clock

    def find(self, project_version_arn: str) -> ProjectVersion | None:
        """The model the ARN names, in whatever status, or None."""
        ref = arns.parse_version_arn(project_version_arn)
        if ref is None:
            raise ValueError(f"not a model ARN: {project_version_arn!r}")
        return self.repository.get_version_at(ref.project, ref.version, ref.created_ms)

    def training(self, project_version_arn: str) -> ProjectVersion:
        """The model the ARN names, while it is training.

        Raises:
            VersionSuperseded: it does not exist, or is no longer ``TRAINING_IN_PROGRESS``.
        """
        version = self.find(project_version_arn)
        if version is None or version.status != V.TRAINING_IN_PROGRESS:
            status = version.status if version else "deleted"
            raise VersionSuperseded(f"the model {project_version_arn} is {status}")
        return version

    def project(self, version: ProjectVersion) -> Project:
        """The model's project (datasets included).

        Raises:
            VersionSuperseded: the project is gone.
        """
        project = self.repository.get_project(version.project_name)
        if project is None:
            raise VersionSuperseded(f"the project of {version.arn} was deleted")
        return project

    def record_validation(
        self,
        version: ProjectVersion,
        *,
        manifest_summary: dict[str, Any],
        training_result: dict[str, Any],
        testing_result: dict[str, Any],
    ) -> ProjectVersion:
        """Record where the validation results are (``ManifestSummary``, ``*DataResult``)."""

        def change(current: ProjectVersion) -> None:
            current.manifest_summary = manifest_summary
            current.training_data_result = training_result
            current.testing_data_result = testing_result

        return self._while_training(version, change)

    def record_completion(self, version: ProjectVersion, outcome: JobOutcome) -> ProjectVersion:
        """``TRAINING_COMPLETED`` with the evaluation's results."""
        if outcome.evaluation_summary is None or outcome.f1 is None:
            raise ValueError(f"the job outcome of {version.arn} has no evaluation")
        summary = outcome.evaluation_summary

        def change(current: ProjectVersion) -> None:
            current.evaluation_result = {"F1Score": outcome.f1, "Summary": {"S3Object": summary}}
            if outcome.testing_snapshot is not None:
                testing = dict(current.testing_data_result or {})
                snapshot = outcome.testing_snapshot
                output: dict[str, Any] = {"Assets": [asset(snapshot["Bucket"], snapshot["Name"])]}
                if "AutoCreate" in (testing.get("Input") or {}):
                    output["AutoCreate"] = testing["Input"]["AutoCreate"]
                testing["Output"] = output
                current.testing_data_result = testing
            current.billable_training_time_in_seconds = outcome.billable_seconds
            current.training_end_ms = self.clock()
            change_version_status(current, V.TRAINING_COMPLETED)

        return self._while_training(version, change)

    def record_failure(self, project_version_arn: str, failure: Failure) -> bool:
        """``TRAINING_FAILED`` with the failure's message; False when the model no longer trains."""
        version = self.find(project_version_arn)
        if version is None:
            return False

        def change(current: ProjectVersion) -> None:
            if not failure.client_error:  # guide L5630
                current.manifest_summary = None
                for result in (current.training_data_result, current.testing_data_result):
                    if result:
                        result.pop("Validation", None)
            current.training_end_ms = self.clock()
            change_version_status(current, V.TRAINING_FAILED, message=failure.message)

        try:
            self._while_training(version, change)
        except VersionSuperseded as superseded:
            logger.info("not recording the failure: %s", superseded)
            return False
        return True

    def _while_training(
        self, version: ProjectVersion, change: Callable[[ProjectVersion], None]
    ) -> ProjectVersion:
        def guarded(current: ProjectVersion) -> None:
            if current.status != V.TRAINING_IN_PROGRESS:
                raise VersionSuperseded(f"the model {current.arn} is {current.status}")
            change(current)

        try:
            return self.repository.update_version(version, guarded)
        except DocumentNotFound:
            raise VersionSuperseded(f"the model {version.arn} was deleted") from None
