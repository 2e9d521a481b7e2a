"""The copy pipeline's steps: CopyProjectVersion's model files and training results, and its outcome.

A copy is a new model in the destination project that serves exactly what the source serves
(the guide's reason to copy rather than retrain, L14204-14207). ``CopyModel`` copies, within S3:

- the source's artifacts (``model.onnx``, ``model.json``, the evaluation files, the job's report)
  into the copy's own artifacts prefix, except the staged training data under ``input/``: a copy
  holds the source's training results, not its datasets (L14653);
- the training results the caller reads into the copy's OutputConfig location (L14651), laid out
  as a training of the copy would lay them out (:mod:`customlabels.versions.layout`): the
  evaluation summary (its ``ProjectVersionArn`` names the copy), the manifest summary, the
  validation results and the manifest snapshots,

then records ``COPYING_COMPLETED`` with the copied results. Objects are written with the copy's
``KmsKeyId`` when it has one. ``RecordCopyFailure`` records ``COPYING_FAILED`` with the reason
(L14781-14785). Both act only while the copy is ``COPYING_IN_PROGRESS``; a retried step redoes
the same copies and finds the record already written.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from customlabels import aws
from customlabels.manifests import ObjectAccessDeniedError, ObjectNotFoundError
from customlabels.resources import arns
from customlabels.resources.failures import ClientError, client_error_message
from customlabels.resources.records import ProjectVersion
from customlabels.resources.repository import Repository
from customlabels.resources.status import (
    SERVICE_ISSUE,
    TRAINED_MODEL,
    ProjectVersionStatus,
    change_version_status,
)
from customlabels.settings import Settings
from customlabels.store import DocumentNotFound, MetadataStore
from customlabels.versions.failures import VersionSuperseded
from customlabels.versions.layout import asset, s3_object
from customlabels.versions.outputs import TrainingObjects
from customlabels.versions.recording import epoch_ms
from customlabels.versions.validate import training_files

logger = logging.getLogger(__name__)
V = ProjectVersionStatus
STAGED_INPUT = "input/"  # the source's training data (customlabels.versions.layout): not copied
# What the guide says when a write to OutputConfig is refused (L5772); copying writes there too.
OUTPUT_NOT_WRITABLE = "Unable to write to output S3 bucket."


class CopyClientError(ClientError):
    """The copy failed because of the caller's request: its message becomes ``StatusMessage``."""


@dataclass(frozen=True)
class CopiedResults:
    """Where the copy's training results are, in DescribeProjectVersions' shapes."""

    evaluation_result: dict[str, Any] | None
    manifest_summary: dict[str, Any] | None
    training_data_result: dict[str, Any] | None
    testing_data_result: dict[str, Any] | None


class ModelCopier:
    """``CopyModel`` and ``RecordCopyFailure`` for one deployment."""

    def __init__(
        self, repository: Repository, s3: Any, data_bucket: str, *, clock: Callable[[], int] = epoch_ms
    ) -> None:
        self.repository = repository
        self.s3 = s3
        self.data_bucket = data_bucket
        self.clock = clock

    @classmethod
    def from_settings(cls, settings: Settings, *, s3: Any = None) -> ModelCopier:
        """A copier over ``settings.data_bucket`` (an S3 client is created unless given).

        Raises:
            ValueError: no data bucket is configured.
        """
        bucket = aws.data_bucket(settings, holds="models live")
        s3 = s3 or aws.client("s3", settings)
        return cls(Repository(MetadataStore(s3, bucket)), s3, bucket)

    def copy_model(self, event: dict[str, Any]) -> dict[str, Any]:
        """``CopyModel``: copy the source's files and results, then record ``COPYING_COMPLETED``.

        Raises:
            CopyClientError: the source model is gone or untrained, or OutputConfig cannot be written.
            VersionSuperseded: the copy was deleted, or is no longer ``COPYING_IN_PROGRESS``.
        """
        copy = self._find(event["ProjectVersionArn"])
        if copy is not None and copy.status == V.COPYING_COMPLETED:
            return {"Status": copy.status, "Copied": 0}
        copy = self._copying(copy, event["ProjectVersionArn"])
        source = self._source(copy)
        objects = TrainingObjects(self.s3, copy.kms_key_id)
        target = copy.artifacts_prefix or training_files(copy, self.data_bucket).artifacts_prefix
        copied = 0
        for key in self._artifact_keys(source):
            objects.copy(
                self.data_bucket, key, self.data_bucket, target + key[len(str(source.artifacts_prefix)) :]
            )
            copied += 1
        try:
            results = self._copy_results(source, copy, objects)
        except (ObjectAccessDeniedError, ObjectNotFoundError) as error:
            logger.info("cannot write the results of %s: %s", copy.arn, error)
            raise CopyClientError(OUTPUT_NOT_WRITABLE) from error

        def complete(current: ProjectVersion) -> None:
            current.artifacts_prefix = target
            current.evaluation_result = results.evaluation_result
            current.manifest_summary = results.manifest_summary
            current.training_data_result = results.training_data_result
            current.testing_data_result = results.testing_data_result
            current.training_end_ms = source.training_end_ms
            current.billable_training_time_in_seconds = 0  # a copy is not trained (L14207)
            change_version_status(current, V.COPYING_COMPLETED)

        recorded = self._while_copying(copy, complete)
        logger.info("copied %s to %s: %d model files", source.arn, copy.arn, copied)
        return {"Status": recorded.status, "Copied": copied}

    def record_failure(self, event: dict[str, Any]) -> dict[str, Any]:
        """``RecordCopyFailure``: ``COPYING_FAILED`` with the caller's error or the service-issue message."""
        arn = event["ProjectVersionArn"]
        caught = event.get("Failure") or {}
        message = (
            client_error_message(caught.get("Error"), caught.get("Cause"), CopyClientError) or SERVICE_ISSUE
        )
        copy = self._find(arn)
        if copy is None or copy.status != V.COPYING_IN_PROGRESS:
            logger.info("not recording the failure of %s: it is %s", arn, copy.status if copy else "deleted")
            return {"Recorded": False, "StatusMessage": message}

        def fail(current: ProjectVersion) -> None:
            current.training_end_ms = self.clock()
            change_version_status(current, V.COPYING_FAILED, message=message)

        try:
            self._while_copying(copy, fail)
        except VersionSuperseded as superseded:
            logger.info("not recording the failure: %s", superseded)
            return {"Recorded": False, "StatusMessage": message}
        logger.info("%s failed (%s): %s", arn, caught.get("Error"), message)
        return {"Recorded": True, "StatusMessage": message}

    # The models
    def _find(self, project_version_arn: str) -> ProjectVersion | None:
        ref = arns.parse_version_arn(project_version_arn)
        if ref is None:
            raise ValueError(f"not a model ARN: {project_version_arn!r}")
        return self.repository.get_version_at(ref.project, ref.version, ref.created_ms)

    @staticmethod
    def _copying(copy: ProjectVersion | None, arn: str) -> ProjectVersion:
        if copy is None or copy.status != V.COPYING_IN_PROGRESS:
            raise VersionSuperseded(f"the model {arn} is {copy.status if copy else 'deleted'}")
        return copy

    def _source(self, copy: ProjectVersion) -> ProjectVersion:
        arn = str(copy.source_project_version_arn)
        source = self._find(arn)
        if source is None or not source.artifacts_prefix:
            raise CopyClientError(f"The source model {arn} no longer exists.")
        if source.status not in TRAINED_MODEL:
            raise CopyClientError(
                f"The source model {arn} is {source.status}; only a trained model can be copied."
            )
        return source

    def _while_copying(
        self, copy: ProjectVersion, change: Callable[[ProjectVersion], None]
    ) -> ProjectVersion:
        def guarded(current: ProjectVersion) -> None:
            if current.status != V.COPYING_IN_PROGRESS:
                raise VersionSuperseded(f"the model {current.arn} is {current.status}")
            change(current)

        try:
            return self.repository.update_version(copy, guarded)
        except DocumentNotFound:
            raise VersionSuperseded(f"the model {copy.arn} was deleted") from None

    # The files
    def _artifact_keys(self, source: ProjectVersion) -> Iterator[str]:
        """The source's model files: everything under its artifacts prefix but its training data."""
        prefix = str(source.artifacts_prefix)
        paginator = self.s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.data_bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                if not item["Key"][len(prefix) :].startswith(STAGED_INPUT):
                    yield item["Key"]

    def _copy_results(
        self, source: ProjectVersion, copy: ProjectVersion, objects: TrainingObjects
    ) -> CopiedResults:
        """Copy the source's training results to the copy's OutputConfig location.

        Raises:
            ObjectNotFoundError, ObjectAccessDeniedError: a result cannot be read or written.
        """
        files = training_files(copy, self.data_bucket)
        if files.output_is_protected or not files.output_bucket:
            raise ObjectAccessDeniedError(f"s3://{files.output_bucket}/{files.output_prefix}")
        bucket = files.output_bucket

        def copied(location: dict[str, Any] | None, key: str) -> dict[str, str] | None:
            if not location:
                return None
            objects.copy(location["Bucket"], location["Name"], bucket, key)
            return s3_object(bucket, key)

        evaluation = None
        if source.evaluation_result:
            summary_location = source.evaluation_result["Summary"]["S3Object"]
            summary = objects.read(summary_location["Bucket"], summary_location["Name"])
            if summary is None:
                raise ObjectNotFoundError(f"s3://{summary_location['Bucket']}/{summary_location['Name']}")
            document = json.loads(summary)
            document.setdefault("EvaluationDetails", {})["ProjectVersionArn"] = copy.arn
            objects.put(bucket, files.evaluation_summary_key, json.dumps(document, indent=2).encode("utf-8"))
            evaluation = {
                "F1Score": source.evaluation_result.get("F1Score"),
                "Summary": {"S3Object": s3_object(bucket, files.evaluation_summary_key)},
            }
        manifest_summary = None
        if source.manifest_summary:
            location = copied(source.manifest_summary.get("S3Object"), files.manifest_summary_key)
            manifest_summary = {"S3Object": location} if location else None
        return CopiedResults(
            evaluation_result=evaluation,
            manifest_summary=manifest_summary,
            training_data_result=_copied_result(
                source.training_data_result, copied, files.training_snapshot_key, files.output_key
            ),
            testing_data_result=_copied_result(
                source.testing_data_result, copied, files.testing_snapshot_key, files.output_key
            ),
        )


def _copied_result(
    result: dict[str, Any] | None,
    copied: Callable[[dict[str, Any] | None, str], dict[str, str] | None],
    snapshot_key: str,
    output_key: Callable[[str], str],
) -> dict[str, Any] | None:
    """A ``TrainingDataResult``/``TestingDataResult`` whose ``Output`` and ``Validation`` files are
    copies in the copy's OutputConfig location; ``Input`` still names what the source trained on."""
    if not result:
        return None
    copy: dict[str, Any] = {
        key: value for key, value in result.items() if key not in ("Output", "Validation")
    }
    output = result.get("Output") or {}
    if output.get("Assets"):
        source = output["Assets"][0]["GroundTruthManifest"]["S3Object"]
        location = copied(source, snapshot_key)
        if location is not None:
            copy["Output"] = {**output, "Assets": [asset(location["Bucket"], location["Name"])]}
    validation = result.get("Validation") or {}
    if validation.get("Assets"):
        source = validation["Assets"][0]["GroundTruthManifest"]["S3Object"]
        location = copied(source, output_key(source["Name"].rsplit("/", 1)[-1]))
        if location is not None:
            copy["Validation"] = {"Assets": [asset(location["Bucket"], location["Name"])]}
    return copy
