"""The training pipeline's recording and validation steps on a real S3 (the job itself runs in the
e2e tests): where the validation results go, what the model record shows after each outcome, and
the guide's messages for the caller's errors."""

from __future__ import annotations

import dataclasses
import io
import json
from typing import Any

import pytest
from PIL import Image

from customlabels import settings
from customlabels.resources.records import Dataset, DatasetStats, Project, ProjectVersion
from customlabels.resources.repository import Repository
from customlabels.resources.status import (
    SERVICE_ISSUE,
    DatasetStatus,
    DatasetStatusMessageCode,
    ProjectStatus,
)
from customlabels.resources.status import ProjectVersionStatus as V
from customlabels.versions.failures import TrainingClientError, VersionSuperseded
from customlabels.versions.job_outcome import JobOutcome
from customlabels.versions.steps import TrainingSteps
from customlabels.versions.validate import training_files

from .conftest import ACCOUNT, REGION, Bucket

CREATED = 1_700_000_000_000


def png(color: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (80, 72), color).save(buffer, "PNG")
    return buffer.getvalue()


def line(uri: str, label: str) -> str:
    metadata = {
        "confidence": 1,
        "job-name": "labeling-job/x",
        "class-name": label,
        "human-annotated": "yes",
        "creation-date": "2026-11-26T00:00:00",
        "type": "groundtruth/image-classification",
    }
    return json.dumps({"source-ref": uri, label: 1, f"{label}-metadata": metadata})


@pytest.fixture
def steps(s3: Any, bucket: Bucket) -> TrainingSteps:
    return TrainingSteps.from_settings(dataclasses.replace(settings.load(), data_bucket=bucket.name), s3=s3)


@pytest.fixture
def project(repository: Repository) -> Project:
    created = Project(REGION, ACCOUNT, "shapes", CREATED, status=ProjectStatus.CREATED)
    repository.create_project(created)
    return created


def lines_in(bucket: Bucket, labels: dict[str, int]) -> list[str]:
    colors = {"red": (220, 20, 20), "blue": (20, 20, 220)}
    found = []
    for label, count in labels.items():
        for index in range(count):
            key = f"images/{label}-{index}.png"
            bucket.admin.put_object(Bucket=bucket.name, Key=key, Body=png(colors[label]))
            found.append(line(f"s3://{bucket.name}/{key}", label))
    return found


def model(
    repository: Repository,
    bucket: Bucket,
    lines: list[str],
    *,
    name: str = "v1",
    output: dict[str, Any] | None = None,
) -> ProjectVersion:
    """A model that trains on a manifest of ``lines`` with an automatic test split."""
    bucket.admin.put_object(
        Bucket=bucket.name, Key=f"manifests/{name}.manifest", Body="\n".join(lines).encode()
    )
    training = {
        "Assets": [
            {
                "GroundTruthManifest": {
                    "S3Object": {"Bucket": bucket.name, "Name": f"manifests/{name}.manifest"}
                }
            }
        ]
    }
    version = ProjectVersion(
        REGION,
        ACCOUNT,
        "shapes",
        name,
        CREATED + 1,
        V.TRAINING_IN_PROGRESS,
        "The model is being trained.",
        output_config=output or {"S3Bucket": bucket.name, "S3KeyPrefix": "out"},
        training_data=training,
        testing_data={"AutoCreate": True},
        artifacts_prefix=f"artifacts/shapes/{name}/{CREATED + 1}/",
    )
    repository.create_version(version)
    return version


def stored(repository: Repository, version: ProjectVersion) -> ProjectVersion:
    found = repository.get_version_at(version.project_name, version.name, version.created_ms)
    assert found is not None
    return found


def test_validation_writes_the_three_results_and_stages_what_training_uses(
    steps: TrainingSteps, repository: Repository, bucket: Bucket, project: Project
) -> None:
    lines = lines_in(bucket, {"red": 6, "blue": 6})
    version = model(repository, bucket, [*lines, "{broken"])
    assert steps.validate_manifests({"ProjectVersionArn": version.arn}) == {
        "UseCase": "IMAGE_LEVEL_LABELS",
        "TrainingImages": 10,
        "TestingImages": 2,
    }
    keys = set(bucket.object_keys())
    folder = "out/shapes/v1/"
    assert {
        f"{folder}manifest_summary.json",
        f"{folder}training_manifest_with_validation.json",
        f"{folder}testing_manifest_with_validation.json",
        f"{folder}training_manifest_snapshot.manifest",
        "artifacts/shapes/v1/1700000000001/input/training.manifest",
        "artifacts/shapes/v1/1700000000001/input/testing.manifest",
    } <= keys
    recorded = stored(repository, version)
    assert recorded.status == V.TRAINING_IN_PROGRESS
    assert recorded.manifest_summary == {
        "S3Object": {"Bucket": bucket.name, "Name": f"{folder}manifest_summary.json"}
    }
    training, testing = recorded.training_data_result or {}, recorded.testing_data_result or {}
    assert set(training) == {"Input", "Validation", "Output"} and set(testing) == {"Input", "Validation"}
    assert testing["Input"] == {"AutoCreate": True}
    summary = json.loads(
        bucket.admin.get_object(Bucket=bucket.name, Key=f"{folder}manifest_summary.json")["Body"].read()
    )
    assert summary["statistics"]["training"]["error_json_line_indices"] == [11]


def test_a_terminal_content_error_fails_with_the_guides_message_and_keeps_the_results(
    steps: TrainingSteps, repository: Repository, bucket: Bucket, project: Project
) -> None:
    version = model(repository, bucket, lines_in(bucket, {"red": 6}))  # one label: too few (L16330)
    with pytest.raises(TrainingClientError, match="The manifest file has too few labels."):
        steps.validate_manifests({"ProjectVersionArn": version.arn})
    assert stored(repository, version).manifest_summary is not None
    cause = json.dumps(
        {"errorMessage": "ERROR_MANIFEST_TOO_FEW_LABELS: The manifest file has too few labels."}
    )
    reply = steps.record_failure(
        {"ProjectVersionArn": version.arn, "Failure": {"Error": "TrainingClientError", "Cause": cause}}
    )
    assert reply == {
        "Recorded": True,
        "StatusMessage": "The manifest file has too few labels.",
        "ClientError": True,
    }
    failed = stored(repository, version)
    assert (failed.status, failed.status_message) == (
        V.TRAINING_FAILED,
        "The manifest file has too few labels.",
    )
    assert failed.manifest_summary is not None and "Validation" in (failed.training_data_result or {})
    assert failed.training_end_ms is not None and failed.billable_training_time_in_seconds is None


@pytest.mark.parametrize(
    "output",
    [{"S3Bucket": "no-such-bucket-for-customlabels"}, {"S3KeyPrefix": "out"}, "metadata"],
)
def test_an_output_location_that_cannot_be_written_is_the_guides_file_error(
    steps: TrainingSteps, repository: Repository, bucket: Bucket, project: Project, output: Any
) -> None:
    if output == "metadata":
        output = {"S3Bucket": bucket.name, "S3KeyPrefix": "_meta/projects/"}  # never into our metadata
    version = model(repository, bucket, lines_in(bucket, {"red": 3, "blue": 3}), output=output)
    with pytest.raises(TrainingClientError, match=r"Unable to write to output S3 bucket\.$"):
        steps.validate_manifests({"ProjectVersionArn": version.arn})
    assert stored(repository, version).manifest_summary is None  # a file error: no results (L5629)


def test_an_empty_training_dataset_is_an_empty_manifest(
    steps: TrainingSteps, repository: Repository, bucket: Bucket, project: Project
) -> None:
    dataset = Dataset(
        REGION,
        ACCOUNT,
        "shapes",
        "TRAIN",
        CREATED + 2,
        DatasetStatus.CREATE_COMPLETE,
        "done",
        DatasetStatusMessageCode.SUCCESS,
        CREATED + 2,
        DatasetStats(),
    )
    repository.update_project(project, lambda current: current.datasets.update(TRAIN=dataset))
    version = ProjectVersion(
        REGION,
        ACCOUNT,
        "shapes",
        "v1",
        CREATED + 3,
        V.TRAINING_IN_PROGRESS,
        "",
        output_config={"S3Bucket": bucket.name},
    )
    repository.create_version(version)
    with pytest.raises(TrainingClientError, match=r"The manifest file is empty\.$"):
        steps.validate_manifests({"ProjectVersionArn": version.arn})


def test_a_service_error_hides_the_validation_results(
    steps: TrainingSteps, repository: Repository, bucket: Bucket, project: Project
) -> None:
    version = model(repository, bucket, lines_in(bucket, {"red": 5, "blue": 5}))
    steps.validate_manifests({"ProjectVersionArn": version.arn})
    reply = steps.record_failure(
        {"ProjectVersionArn": version.arn, "Failure": {"Error": "Sandbox.Timedout", "Cause": "timed out"}}
    )
    assert reply["StatusMessage"] == SERVICE_ISSUE and not reply["ClientError"]
    failed = stored(repository, version)
    assert (failed.status, failed.status_message) == (V.TRAINING_FAILED, SERVICE_ISSUE)
    # guide L5630: written, but DescribeProjectVersions does not return their locations
    assert failed.manifest_summary is None
    assert "Validation" not in (failed.training_data_result or {}) and "Output" in (
        failed.training_data_result or {}
    )
    assert "out/shapes/v1/manifest_summary.json" in bucket.object_keys()


def test_a_batch_job_reports_the_callers_error_through_its_outcome(
    steps: TrainingSteps, repository: Repository, bucket: Bucket, project: Project
) -> None:
    version = model(repository, bucket, lines_in(bucket, {"red": 5, "blue": 5}))
    outcome = JobOutcome(
        version.arn, False, "Failed to copy images from S3 bucket.", "ERROR_FAILED_IMAGES_S3_COPY"
    )
    key = training_files(version, bucket.name).outcome_key
    bucket.admin.put_object(Bucket=bucket.name, Key=key, Body=outcome.to_json())
    batch_failure = {
        "Error": "States.TaskFailed",
        "Cause": json.dumps({"Status": "FAILED", "StatusReason": "exit 1"}),
    }
    steps.record_failure({"ProjectVersionArn": version.arn, "Failure": batch_failure})
    assert stored(repository, version).status_message == "Failed to copy images from S3 bucket."


def test_finalize_completes_the_model_once(
    steps: TrainingSteps, repository: Repository, bucket: Bucket, project: Project
) -> None:
    version = model(repository, bucket, lines_in(bucket, {"red": 5, "blue": 5}))
    steps.validate_manifests({"ProjectVersionArn": version.arn})
    with pytest.raises(RuntimeError, match="no success"):
        steps.finalize_version({"ProjectVersionArn": version.arn})  # the job wrote nothing
    files = training_files(version, bucket.name)
    summary = {"Bucket": bucket.name, "Name": files.evaluation_summary_key}
    snapshot = {"Bucket": bucket.name, "Name": files.testing_snapshot_key}
    outcome = JobOutcome(
        version.arn,
        True,
        f1=0.875,
        evaluation_summary=summary,
        testing_snapshot=snapshot,
        billable_seconds=61,
    )
    bucket.admin.put_object(Bucket=bucket.name, Key=files.outcome_key, Body=outcome.to_json())
    assert steps.finalize_version({"ProjectVersionArn": version.arn}) == {
        "Status": "TRAINING_COMPLETED",
        "F1Score": 0.875,
    }
    assert (
        steps.finalize_version({"ProjectVersionArn": version.arn})["Status"] == "TRAINING_COMPLETED"
    )  # a retry
    done = stored(repository, version)
    assert (done.status, done.status_message) == (V.TRAINING_COMPLETED, "The model is ready to run.")
    assert done.evaluation_result == {"F1Score": 0.875, "Summary": {"S3Object": summary}}
    assert done.billable_training_time_in_seconds == 61 and done.training_end_ms is not None
    assert (done.testing_data_result or {})["Output"] == {
        "Assets": [{"GroundTruthManifest": {"S3Object": snapshot}}],
        "AutoCreate": True,
    }
    failure = {"Error": "States.ALL", "Cause": ""}
    assert steps.record_failure({"ProjectVersionArn": version.arn, "Failure": failure})["Recorded"] is False
    assert stored(repository, version).status == V.TRAINING_COMPLETED
    with pytest.raises(VersionSuperseded):
        steps.validate_manifests({"ProjectVersionArn": version.arn})
