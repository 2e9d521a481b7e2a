"""``ValidateManifests``: the guide's training-time validation, its result files, and the job's input.

For one model this step

1. reads the training and test lines (:mod:`customlabels.versions.inputs`): a missing, unreadable,
   too large or empty manifest is a terminal file error, which fails the training before any
   result file is written (L5174-5186, L5629);
2. validates them with :func:`~customlabels.manifests.validate_for_training` (every JSON Line,
   every image's header, the use case, the 80/20 split when asked, the terminal content rules,
   L5782-6081);
3. writes ``manifest_summary.json`` and the two ``*_manifest_with_validation.json`` files under the
   OutputConfig location (L5616-5692; "Unable to write to output S3 bucket." when it cannot, L5772)
   and records their locations on the model;
4. on a terminal content error, fails the training with the guide's message (L5166, L5192);
   non-terminal errors only mark their lines, and training goes on with the valid ones (L5213);
5. stages what training uses (:mod:`customlabels.versions.used_entries`) next to the model for the
   job, and as the training manifest snapshot under OutputConfig (``TrainingDataResult.Output``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from botocore.exceptions import ClientError

from customlabels.manifests import (
    SHARED_HEADER_CACHE,
    ImageInspector,
    ManifestFileError,
    ObjectAccessDeniedError,
    ObjectNotFoundError,
    S3ImageSource,
    TrainingValidation,
    bucket_owner_error,
    validate_for_training,
    write_validation_results,
)
from customlabels.manifests.codes import ErrorCode, ErrorDetail
from customlabels.manifests.training import (
    SUMMARY_FILE,
    TESTING_VALIDATION_FILE,
    TRAINING_VALIDATION_FILE,
)
from customlabels.resources.artifacts import default_artifacts_prefix
from customlabels.resources.records import ProjectVersion
from customlabels.versions.failures import TrainingClientError, client_errors
from customlabels.versions.inputs import InputReader, TrainingInputs, manifest_location
from customlabels.versions.layout import TrainingFiles, asset, s3_object
from customlabels.versions.outputs import TrainingObjects
from customlabels.versions.recording import VersionRecorder
from customlabels.versions.used_entries import used_manifest

logger = logging.getLogger(__name__)
HEADER_READERS = 16  # parallel image-header reads: S3 latency, not CPU, bounds validation


def training_files(version: ProjectVersion, data_bucket: str) -> TrainingFiles:
    """Where ``version``'s training files go."""
    return TrainingFiles.of(
        data_bucket=data_bucket,
        artifacts=version.artifacts_prefix
        or default_artifacts_prefix(version.project_name, version.name, version.created_ms),
        output_config=version.output_config,
        project=version.project_name,
        version=version.name,
    )


class ManifestValidator:
    """Runs ``ValidateManifests`` for one deployment."""

    def __init__(self, recorder: VersionRecorder, inputs: InputReader, s3: Any, data_bucket: str) -> None:
        self.recorder = recorder
        self.inputs = inputs
        self.s3 = s3
        self.data_bucket = data_bucket

    def validate(self, project_version_arn: str) -> dict[str, Any]:
        """Validate the model's data, write the results, stage the job's input.

        Raises:
            TrainingClientError: a terminal file or content error (the guide's message).
            VersionSuperseded: the model is no longer training.
        """
        version = self.recorder.training(project_version_arn)
        project = self.recorder.project(version)
        files = training_files(version, self.data_bucket)
        objects = TrainingObjects(self.s3, version.kms_key_id)
        with client_errors():
            if files.output_is_protected:
                raise ManifestFileError(
                    ErrorCode.ERROR_CANNOT_WRITE_OUTPUT_S3_BUCKET, context="OutputConfig points into _meta/"
                )
            inputs = self.inputs.read(project, version)
            outcome = self._validate(inputs, version)
            keys = write_validation_results(
                outcome, output_writer(objects, files.output_bucket), files.output_folder
            )
        logger.info("validation of %s: %s", version.arn, json.dumps(outcome.summary()["statistics"]))
        bucket = files.output_bucket
        summary = {"S3Object": s3_object(bucket, keys[SUMMARY_FILE])}
        training_result: dict[str, Any] = {
            "Input": inputs.training_input,
            "Validation": {"Assets": [asset(bucket, keys[TRAINING_VALIDATION_FILE])]},
        }
        testing_result = {
            "Input": inputs.testing_input,
            "Validation": {"Assets": [asset(bucket, keys[TESTING_VALIDATION_FILE])]},
        }
        if outcome.failed:
            self.recorder.record_validation(
                version,
                manifest_summary=summary,
                training_result=training_result,
                testing_result=testing_result,
            )
            first = (*outcome.training_errors, *outcome.testing_errors, *outcome.errors)[0]
            raise TrainingClientError(first.message, first.code)

        used = {"training": outcome.training_entries(), "testing": outcome.testing_entries()}
        training = used_manifest(used["training"], outcome.use_case).encode("utf-8")
        testing = used_manifest(used["testing"], outcome.use_case).encode("utf-8")
        objects.put(self.data_bucket, files.staged_training_key, training, "application/jsonl")
        objects.put(self.data_bucket, files.staged_testing_key, testing, "application/jsonl")
        with client_errors():
            output_writer(objects, bucket)(files.training_snapshot_key, training)
        training_result["Output"] = {"Assets": [asset(bucket, files.training_snapshot_key)]}
        self.recorder.record_validation(
            version, manifest_summary=summary, training_result=training_result, testing_result=testing_result
        )
        return {
            "UseCase": outcome.use_case.value,
            "TrainingImages": len(used["training"]),
            "TestingImages": len(used["testing"]),
        }

    def _validate(self, inputs: TrainingInputs, version: ProjectVersion) -> TrainingValidation:
        images = S3ImageSource(self.s3).inspector(cache=SHARED_HEADER_CACHE)
        prefetch_headers(images, [*inputs.training_lines, *(inputs.testing_lines or [])])
        outcome = validate_for_training(
            inputs.training_lines, inputs.testing_lines, images=images, auto_split=inputs.auto_split
        )
        manifest_buckets = {self.data_bucket}
        if version.training_data is not None:
            manifest_buckets = {
                location["Bucket"]
                for location in (
                    manifest_location(version.training_data),
                    manifest_location(version.testing_data),
                )
                if location
            }
        for dataset, validation in (("training", outcome.training), ("testing", outcome.testing)):
            for error in self._owner_errors(manifest_buckets, validation.buckets()):
                outcome.add_error(error, dataset)
        return outcome

    def _owner_errors(self, manifest_buckets: set[str], image_buckets: set[str]) -> list[ErrorDetail]:
        """``ERROR_INVALID_IMAGES_S3_BUCKET_OWNER`` when the images' bucket has another owner than
        the manifest's (guide L5839-5853); owners S3 does not tell us are not compared."""
        owners = {bucket: self._owner(bucket) for bucket in manifest_buckets | image_buckets}
        errors: list[ErrorDetail] = []
        for manifest_bucket in manifest_buckets:
            for image_bucket in image_buckets:
                mine, theirs = owners[manifest_bucket], owners[image_bucket]
                if mine and theirs and (error := bucket_owner_error(mine, theirs)) is not None:
                    errors.append(error)
        return errors

    def _owner(self, bucket: str) -> str | None:
        try:
            owner: str | None = self.s3.get_bucket_acl(Bucket=bucket)["Owner"]["ID"]
        except (ClientError, KeyError):
            return None
        return owner


def output_writer(objects: TrainingObjects, bucket: str) -> Callable[[str, bytes], None]:
    """``write(key, body)`` into the OutputConfig bucket; a refused write is the guide's "Unable to
    write to output S3 bucket." (L5772)."""

    def write(key: str, body: bytes) -> None:
        try:
            objects.put(bucket, key, body, "application/json")
        except (ObjectAccessDeniedError, ObjectNotFoundError) as error:
            raise ManifestFileError(
                ErrorCode.ERROR_CANNOT_WRITE_OUTPUT_S3_BUCKET, context=f"cannot write s3://{bucket}/{key}"
            ) from error

    return write


def prefetch_headers(images: ImageInspector, lines: Iterable[str], workers: int = HEADER_READERS) -> None:
    """Read the headers of every image the lines name, in parallel, into the inspector's memo.

    Validation then finds each image checked; lines that do not parse are left to it.
    """
    references = []
    for text in lines:
        try:
            document = json.loads(text)
        except ValueError:
            continue
        reference = document.get("source-ref") if isinstance(document, dict) else None
        if isinstance(reference, str) and reference.startswith("s3://"):
            references.append(reference)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="headers") as pool:
        list(pool.map(images.inspect, dict.fromkeys(references)))
