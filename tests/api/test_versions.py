"""DescribeProjectVersions, DeleteProjectVersion, the waiters, and what CreateProjectVersion and
CopyProjectVersion check before any pipeline runs. Models are seeded as training will write them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from botocore.exceptions import WaiterError

from customlabels.resources.status import DatasetStatus, ProjectVersionStatus

from .conftest import ApiUnderTest, Seeder

V = ProjectVersionStatus
FAST = {"Delay": 1, "MaxAttempts": 3}


def trained_fields(bucket: str) -> dict[str, Any]:
    """A trained model's results, in the shapes the guide prints (L7410-7417, L13916-13949)."""
    manifest = {"GroundTruthManifest": {"S3Object": {"Bucket": bucket, "Name": "manifests/train.manifest"}}}
    return {
        "output_config": {"S3Bucket": bucket, "S3KeyPrefix": "output/"},
        "training_data": {"Assets": [manifest]},
        "testing_data": {"AutoCreate": True},
        "training_end_ms": 1_700_000_360_000,
        "billable_training_time_in_seconds": 3600,
        "training_data_result": {
            "Input": {"Assets": [manifest]},
            "Output": {"Assets": [manifest]},
            "Validation": {"Assets": [manifest]},
        },
        "testing_data_result": {
            "Input": {"AutoCreate": True},
            "Output": {"Assets": [manifest]},
            "Validation": {"Assets": [manifest]},
        },
        "evaluation_result": {
            "F1Score": 0.902,
            "Summary": {
                "S3Object": {"Bucket": bucket, "Name": "output/EvaluationResultSummary-rooms-v1.json"}
            },
        },
        "manifest_summary": {"S3Object": {"Bucket": bucket, "Name": "output/manifest_summary.json"}},
        "kms_key_id": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "version_description": "rooms (first try)",
        "min_inference_units": 1,
        "max_inference_units": 2,
    }


def test_a_trained_model_is_described_field_by_field(
    rekognition: Any, project_arn: str, seed: Seeder, api_under_test: ApiUnderTest
) -> None:
    fields = trained_fields(api_under_test.bucket)
    version = seed.version(
        project_arn,
        "rooms.2021-07-13T10.36.30",
        V.TRAINING_COMPLETED,
        status_message="The model is ready to run.",
        **fields,
    )
    reply = rekognition.describe_project_versions(ProjectArn=project_arn)
    assert "NextToken" not in reply
    (described,) = reply["ProjectVersionDescriptions"]
    assert (
        described.pop("CreationTimestamp") == datetime.fromtimestamp(version.created_ms / 1000).astimezone()
    )
    assert described.pop("TrainingEndTimestamp").timestamp() == fields["training_end_ms"] / 1000
    assert described == {
        "ProjectVersionArn": version.arn,
        "MinInferenceUnits": 1,
        "MaxInferenceUnits": 2,
        "Status": "TRAINING_COMPLETED",
        "StatusMessage": "The model is ready to run.",
        "BillableTrainingTimeInSeconds": 3600,
        "OutputConfig": fields["output_config"],
        "TrainingDataResult": fields["training_data_result"],
        "TestingDataResult": fields["testing_data_result"],
        "EvaluationResult": fields["evaluation_result"],
        "ManifestSummary": fields["manifest_summary"],
        "KmsKeyId": fields["kms_key_id"],
        "VersionDescription": "rooms (first try)",
        "Feature": "CUSTOM_LABELS",
    }


def test_a_model_in_training_shows_its_input_and_no_results(
    rekognition: Any, project_arn: str, seed: Seeder
) -> None:
    training = {
        "Assets": [{"GroundTruthManifest": {"S3Object": {"Bucket": "bucket", "Name": "train.manifest"}}}]
    }
    seed.version(
        project_arn,
        "v1",
        V.TRAINING_IN_PROGRESS,
        training_data=training,
        output_config={"S3Bucket": "bucket", "S3KeyPrefix": "out/"},
    )
    (described,) = rekognition.describe_project_versions(ProjectArn=project_arn)["ProjectVersionDescriptions"]
    assert described["TrainingDataResult"] == {"Input": training}
    for absent in (
        "EvaluationResult",
        "BillableTrainingTimeInSeconds",
        "TrainingEndTimestamp",
        "TestingDataResult",
    ):
        assert absent not in described


def test_versions_newest_first_filtered_and_paginated(
    rekognition: Any, project_arn: str, seed: Seeder
) -> None:
    base = int(project_arn.rsplit("/", 1)[1])
    names = [f"v{index}" for index in range(5)]
    for offset, name in enumerate(names):
        seed.version(project_arn, name, V.TRAINING_COMPLETED, created_ms=base + 10 + offset)
    listed = [
        [item["ProjectVersionArn"].split("/")[-2] for item in page["ProjectVersionDescriptions"]]
        for page in rekognition.get_paginator("describe_project_versions").paginate(
            ProjectArn=project_arn, PaginationConfig={"PageSize": 2}
        )
    ]
    assert listed == [["v4", "v3"], ["v2", "v1"], ["v0"]]  # latest to earliest (model docs)
    chosen = rekognition.describe_project_versions(ProjectArn=project_arn, VersionNames=["v1", "nope", "v3"])
    assert [item["ProjectVersionArn"].split("/")[-2] for item in chosen["ProjectVersionDescriptions"]] == [
        "v3",
        "v1",
    ]
    first = rekognition.describe_project_versions(ProjectArn=project_arn, MaxResults=1)
    with pytest.raises(rekognition.exceptions.InvalidPaginationTokenException):
        rekognition.describe_project_versions(
            ProjectArn=project_arn, VersionNames=["v1"], NextToken=first["NextToken"]
        )


def test_describing_versions_of_an_unknown_project(rekognition: Any, project_arn: str) -> None:
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
        rekognition.describe_project_versions(ProjectArn=project_arn.rsplit("/", 1)[0] + "/42")


@pytest.mark.parametrize(
    ("status", "advice"),
    [
        (V.RUNNING, "stop it with StopProjectVersion first"),  # guide L13199
        (V.STARTING, "stop it with StopProjectVersion first"),
        (V.STOPPING, "wait until it has stopped"),
        (V.TRAINING_IN_PROGRESS, "wait until training finishes"),  # guide L13199
        (V.COPYING_IN_PROGRESS, "wait until copying finishes"),
    ],
)
def test_busy_models_cannot_be_deleted(
    rekognition: Any, project_arn: str, seed: Seeder, status: ProjectVersionStatus, advice: str
) -> None:
    version = seed.version(project_arn, "busy", status)
    with pytest.raises(rekognition.exceptions.ResourceInUseException, match=advice):
        rekognition.delete_project_version(ProjectVersionArn=version.arn)


@pytest.mark.parametrize(
    "status", [V.TRAINING_COMPLETED, V.TRAINING_FAILED, V.STOPPED, V.FAILED, V.COPYING_FAILED]
)
def test_idle_models_are_deleted_with_their_artifacts(
    rekognition: Any,
    project_arn: str,
    seed: Seeder,
    api_under_test: ApiUnderTest,
    status: ProjectVersionStatus,
) -> None:
    prefix = f"models/{project_arn.split('/')[1]}/v1/"
    api_under_test.s3.put_object(Bucket=api_under_test.bucket, Key=prefix + "model.onnx", Body=b"onnx")
    version = seed.version(project_arn, "v1", status, artifacts_prefix=prefix)
    assert rekognition.delete_project_version(ProjectVersionArn=version.arn)["Status"] == "DELETING"
    # the samples poll until the version is gone (L13320-13330)
    assert (
        rekognition.describe_project_versions(ProjectArn=project_arn, VersionNames=["v1"])[
            "ProjectVersionDescriptions"
        ]
        == []
    )
    assert "Contents" not in api_under_test.s3.list_objects_v2(Bucket=api_under_test.bucket, Prefix=prefix)
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
        rekognition.delete_project_version(ProjectVersionArn=version.arn)


def test_the_training_waiter(rekognition: Any, project_arn: str, seed: Seeder) -> None:
    seed.version(project_arn, "done", V.TRAINING_COMPLETED)
    waiter = rekognition.get_waiter("project_version_training_completed")
    waiter.wait(ProjectArn=project_arn, VersionNames=["done"], WaiterConfig=FAST)
    seed.version(project_arn, "broken", V.TRAINING_FAILED)
    with pytest.raises(WaiterError, match="terminal failure state"):
        waiter.wait(ProjectArn=project_arn, VersionNames=["broken"], WaiterConfig=FAST)
    seed.version(project_arn, "slow", V.TRAINING_IN_PROGRESS)
    with pytest.raises(WaiterError, match="Max attempts exceeded"):
        waiter.wait(
            ProjectArn=project_arn, VersionNames=["slow"], WaiterConfig={"Delay": 1, "MaxAttempts": 2}
        )


def test_the_running_waiter(rekognition: Any, project_arn: str, seed: Seeder) -> None:
    seed.version(project_arn, "up", V.RUNNING)
    waiter = rekognition.get_waiter("project_version_running")
    waiter.wait(ProjectArn=project_arn, VersionNames=["up"], WaiterConfig=FAST)
    seed.version(project_arn, "down", V.FAILED)
    with pytest.raises(WaiterError, match="terminal failure state"):
        waiter.wait(ProjectArn=project_arn, VersionNames=["down"], WaiterConfig=FAST)


def test_create_project_version_checks_before_training(
    rekognition: Any, project_arn: str, seed: Seeder
) -> None:
    missing = project_arn.rsplit("/", 1)[0] + "/7"
    output = {"S3Bucket": "my-bucket", "S3KeyPrefix": "out/"}
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
        rekognition.create_project_version(ProjectArn=missing, VersionName="v", OutputConfig=output)
    with pytest.raises(rekognition.exceptions.InvalidParameterException, match="no training dataset"):
        rekognition.create_project_version(ProjectArn=project_arn, VersionName="v", OutputConfig=output)
    seed.dataset(project_arn, "TRAIN", DatasetStatus.UPDATE_IN_PROGRESS)
    with pytest.raises(rekognition.exceptions.ResourceInUseException, match="UPDATE_IN_PROGRESS"):
        rekognition.create_project_version(ProjectArn=project_arn, VersionName="v", OutputConfig=output)
    manifest = {
        "Assets": [{"GroundTruthManifest": {"S3Object": {"Bucket": "my-bucket", "Name": "a.manifest"}}}]
    }
    with pytest.raises(rekognition.exceptions.InvalidParameterException, match="omit TrainingData"):
        rekognition.create_project_version(
            ProjectArn=project_arn, VersionName="v", OutputConfig=output, TrainingData=manifest
        )


def test_copy_project_version_checks_its_resources(rekognition: Any, project_arn: str, seed: Seeder) -> None:
    source = seed.version(project_arn, "failed", V.TRAINING_FAILED)
    output = {"S3Bucket": "my-bucket", "S3KeyPrefix": "copies/"}
    request = {
        "SourceProjectArn": project_arn,
        "SourceProjectVersionArn": source.arn,
        "DestinationProjectArn": project_arn,
        "VersionName": "copy",
        "OutputConfig": output,
    }
    with pytest.raises(rekognition.exceptions.InvalidParameterException, match="Only a trained model"):
        rekognition.copy_project_version(**request)
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
        rekognition.copy_project_version(
            **{**request, "DestinationProjectArn": project_arn.rsplit("/", 1)[0] + "/9"}
        )
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
        rekognition.copy_project_version(
            **{**request, "SourceProjectVersionArn": source.arn.replace("failed", "nope")}
        )


def test_model_names_are_unique_in_a_project(rekognition: Any, project_arn: str, seed: Seeder) -> None:
    seed.dataset(project_arn, "TRAIN", DatasetStatus.CREATE_COMPLETE)
    source = seed.version(project_arn, "v1", V.TRAINING_COMPLETED)
    output = {"S3Bucket": "my-bucket", "S3KeyPrefix": "out/"}
    with pytest.raises(rekognition.exceptions.ResourceInUseException, match="already has a model named v1"):
        rekognition.create_project_version(ProjectArn=project_arn, VersionName="v1", OutputConfig=output)
    with pytest.raises(rekognition.exceptions.ResourceInUseException, match="already has a model named v1"):
        rekognition.copy_project_version(
            SourceProjectArn=project_arn,
            SourceProjectVersionArn=source.arn,
            DestinationProjectArn=project_arn,
            VersionName="v1",
            OutputConfig=output,
        )
