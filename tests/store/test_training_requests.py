"""What CreateProjectVersion checks and records before the training pipeline runs (metadata on S3)."""

from __future__ import annotations

from typing import Any

import pytest

from customlabels.api.versions import MAX_CONCURRENT_TRAININGS
from customlabels.resources.records import ProjectVersion
from customlabels.resources.repository import Repository
from customlabels.resources.status import ProjectVersionStatus

from .conftest import ACCOUNT, REGION, Call, Recorder

OUTPUT = {"S3Bucket": "bucket", "S3KeyPrefix": "out/"}


def manifest(name: str = "train.manifest", bucket: str = "bucket") -> dict[str, Any]:
    return {"GroundTruthManifest": {"S3Object": {"Bucket": bucket, "Name": name}}}


@pytest.fixture
def call(wired: Call) -> Call:
    """Every request in this module goes through the recording back ends."""
    return wired


@pytest.fixture
def project_arn(call: Call) -> str:
    _, created = call("CreateProject", ProjectName="p")
    return str(created["ProjectArn"])


@pytest.mark.parametrize(
    ("request_data", "message"),
    [
        ({"TrainingData": {"Assets": [manifest()]}}, "TestingData is required with TrainingData"),
        ({"TestingData": {"AutoCreate": True}}, "no training dataset"),
        (
            {
                "TrainingData": {"Assets": [manifest()]},
                "TestingData": {"AutoCreate": True, "Assets": [manifest()]},
            },
            "either Assets or AutoCreate",
        ),
        (
            {
                "TrainingData": {"Assets": [manifest(), manifest("b.manifest")]},
                "TestingData": {"AutoCreate": True},
            },
            "exactly 1 manifest, got 2",
        ),
        ({"TrainingData": {"Assets": [manifest()]}, "TestingData": {"Assets": []}}, "TestingData.Assets"),
        (
            {
                "TrainingData": {"Assets": [{"GroundTruthManifest": {"S3Object": {"Bucket": "bucket"}}}]},
                "TestingData": {"AutoCreate": True},
            },
            "needs Bucket and Name",
        ),
    ],
)
def test_manifests_come_in_pairs_of_one(
    call: Call, recorder: Recorder, project_arn: str, request_data: dict[str, Any], message: str
) -> None:
    status, body = call(
        "CreateProjectVersion", ProjectArn=project_arn, VersionName="v1", OutputConfig=OUTPUT, **request_data
    )
    assert (status, body["__type"]) == (400, "InvalidParameterException")
    assert message in body["message"]
    assert recorder.calls == []


def test_a_training_from_manifests_is_recorded_with_its_input_and_artifacts_prefix(
    call: Call, recorder: Recorder, project_arn: str, repository: Repository
) -> None:
    training, testing = {"Assets": [manifest()]}, {"AutoCreate": True}
    status, body = call(
        "CreateProjectVersion",
        ProjectArn=project_arn,
        VersionName="v1",
        OutputConfig=OUTPUT,
        TrainingData=training,
        TestingData=testing,
        KmsKeyId="alias/models",
        VersionDescription="first",
        Tags={},
    )
    assert status == 200, body
    assert recorder.calls == [("start_training", body["ProjectVersionArn"])]
    version = repository.get_version("p", "v1")
    assert version is not None
    assert version.artifacts_prefix == f"artifacts/p/v1/{version.created_ms}/"
    _, described = call("DescribeProjectVersions", ProjectArn=project_arn)
    (model,) = described["ProjectVersionDescriptions"]
    assert (model["Status"], model["StatusMessage"]) == (
        "TRAINING_IN_PROGRESS",
        "The model is being trained.",
    )
    assert model["TrainingDataResult"] == {"Input": training}
    assert model["TestingDataResult"] == {"Input": testing}
    assert (model["KmsKeyId"], model["VersionDescription"], model["OutputConfig"]) == (
        "alias/models",
        "first",
        OUTPUT,
    )


def test_too_many_trainings_at_once_exceed_the_limit(
    call: Call, project_arn: str, repository: Repository
) -> None:
    for index in range(MAX_CONCURRENT_TRAININGS):
        repository.create_version(
            ProjectVersion(
                REGION,
                ACCOUNT,
                "p",
                f"busy{index}",
                10 + index,
                ProjectVersionStatus.TRAINING_IN_PROGRESS,
                "",
            )
        )
    request = {"TrainingData": {"Assets": [manifest()]}, "TestingData": {"AutoCreate": True}}
    status, body = call(
        "CreateProjectVersion", ProjectArn=project_arn, VersionName="v9", OutputConfig=OUTPUT, **request
    )
    assert (status, body["__type"]) == (400, "LimitExceededException")
    assert f"At most {MAX_CONCURRENT_TRAININGS} models" in body["message"]
