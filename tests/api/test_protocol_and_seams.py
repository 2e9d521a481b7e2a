"""The wire protocol's edges, and the operations whose work belongs to later pipelines: they are
routed, validated and resolve their resources now."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from customlabels.resources.records import DatasetStats
from customlabels.resources.status import DatasetStatus, ProjectVersionStatus

from .conftest import ApiUnderTest, Seeder
from .test_validation_table import post

PROJECT = "arn:aws:rekognition:us-east-1:123456789012:project/nothing-here/1700000000000"
VERSION = PROJECT.replace("/1700000000000", "/version/v1/1700000000001")
DATASET = PROJECT.replace("/1700000000000", "/dataset/train/1700000000002")
OUTPUT = {"S3Bucket": "my-bucket", "S3KeyPrefix": "out/"}


def test_operations_outside_custom_labels_are_unknown(rekognition: Any) -> None:
    with pytest.raises(ClientError) as caught:
        rekognition.detect_labels(Image={"S3Object": {"Bucket": "my-bucket", "Name": "cat.png"}})
    assert caught.value.response["Error"]["Code"] == "UnknownOperationException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "DetectLabels is not supported" in caught.value.response["Error"]["Message"]


@pytest.mark.parametrize(
    ("operation", "body", "code"),
    [
        ("DescribeProjects", b"{not json", "SerializationException"),
        ("DescribeProjects", b"[]", "SerializationException"),
        ("NoSuchOperation", b"{}", "UnknownOperationException"),
    ],
)
def test_malformed_requests(api_under_test: ApiUnderTest, operation: str, body: bytes, code: str) -> None:
    status, reply = post(api_under_test.endpoint_url, operation, body)
    assert (status, reply["__type"]) == (400, code)


@pytest.mark.parametrize(
    ("operation", "request_"),
    [
        ("DeleteProject", {"ProjectArn": PROJECT}),
        ("DescribeProjectVersions", {"ProjectArn": PROJECT}),
        ("ListProjectPolicies", {"ProjectArn": PROJECT}),
        ("CreateDataset", {"ProjectArn": PROJECT, "DatasetType": "TRAIN"}),
        ("DescribeDataset", {"DatasetArn": DATASET}),
        ("DeleteDataset", {"DatasetArn": DATASET}),
        ("ListDatasetEntries", {"DatasetArn": DATASET}),
        ("ListDatasetLabels", {"DatasetArn": DATASET}),
        ("UpdateDatasetEntries", {"DatasetArn": DATASET, "Changes": {"GroundTruth": b"{}"}}),
        (
            "DistributeDatasetEntries",
            {"Datasets": [{"Arn": DATASET}, {"Arn": DATASET.replace("train", "test")}]},
        ),
        ("CreateProjectVersion", {"ProjectArn": PROJECT, "VersionName": "v", "OutputConfig": OUTPUT}),
        (
            "CopyProjectVersion",
            {
                "SourceProjectArn": PROJECT,
                "SourceProjectVersionArn": VERSION,
                "DestinationProjectArn": PROJECT,
                "VersionName": "v",
                "OutputConfig": OUTPUT,
            },
        ),
        ("DeleteProjectVersion", {"ProjectVersionArn": VERSION}),
        ("StartProjectVersion", {"ProjectVersionArn": VERSION, "MinInferenceUnits": 1}),
        ("StopProjectVersion", {"ProjectVersionArn": VERSION}),
        ("DetectCustomLabels", {"ProjectVersionArn": VERSION, "Image": {"Bytes": b"\x89PNG"}}),
        ("TagResource", {"ResourceArn": VERSION, "Tags": {"a": "b"}}),
    ],
)
def test_unknown_resources_are_not_found(rekognition: Any, operation: str, request_: dict[str, Any]) -> None:
    method = getattr(rekognition, "_".join(part.lower() for part in _words(operation)))
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
        method(**request_)


def _words(name: str) -> list[str]:
    from botocore import xform_name

    return xform_name(name).split("_")


def test_a_dataset_is_described_field_by_field(rekognition: Any, project_arn: str, seed: Seeder) -> None:
    stats = DatasetStats(labeled_entries=54, total_entries=61, total_labels=10, error_entries=2)
    dataset = seed.dataset(project_arn, "TRAIN", DatasetStatus.CREATE_COMPLETE, stats=stats)
    described = rekognition.describe_dataset(DatasetArn=dataset.arn)["DatasetDescription"]
    assert described == {
        "CreationTimestamp": datetime.fromtimestamp(dataset.created_ms / 1000).astimezone(),
        "LastUpdatedTimestamp": datetime.fromtimestamp(dataset.last_updated_ms / 1000).astimezone(),
        "Status": "CREATE_COMPLETE",
        "StatusMessage": "seeded",
        "StatusMessageCode": "SUCCESS",
        "DatasetStats": {"LabeledEntries": 54, "TotalEntries": 61, "TotalLabels": 10, "ErrorEntries": 2},
    }
    (project,) = rekognition.describe_projects(ProjectNames=[project_arn.split("/")[1]])[
        "ProjectDescriptions"
    ]
    assert project["Datasets"] == [
        {
            "CreationTimestamp": described["CreationTimestamp"],
            "DatasetType": "TRAIN",
            "DatasetArn": dataset.arn,
            "Status": "CREATE_COMPLETE",
            "StatusMessage": "seeded",
            "StatusMessageCode": "SUCCESS",
        }
    ]
    with pytest.raises(
        rekognition.exceptions.ResourceAlreadyExistsException, match="already has a TRAIN dataset"
    ):
        rekognition.create_dataset(ProjectArn=project_arn, DatasetType="TRAIN")


def test_dataset_rules_checked_before_the_pipeline(rekognition: Any, project_arn: str, seed: Seeder) -> None:
    training = seed.dataset(project_arn, "TRAIN", DatasetStatus.CREATE_IN_PROGRESS)
    with pytest.raises(rekognition.exceptions.ResourceInUseException, match="CREATE_IN_PROGRESS"):
        rekognition.delete_dataset(DatasetArn=training.arn)
    with pytest.raises(rekognition.exceptions.ResourceNotReadyException):
        rekognition.list_dataset_entries(DatasetArn=training.arn)
    with pytest.raises(rekognition.exceptions.InvalidParameterException, match="exactly one of"):
        rekognition.create_dataset(ProjectArn=project_arn, DatasetType="TEST", DatasetSource={})
    with pytest.raises(rekognition.exceptions.InvalidParameterException, match="dataset to copy"):
        rekognition.create_dataset(
            ProjectArn=project_arn, DatasetType="TEST", DatasetSource={"DatasetArn": training.arn}
        )


def test_models_must_run_to_detect(rekognition: Any, project_arn: str, seed: Seeder) -> None:
    version = seed.version(project_arn, "v1", ProjectVersionStatus.TRAINING_COMPLETED)
    image = {"S3Object": {"Bucket": "my-bucket", "Name": "kitchen.jpg"}}
    with pytest.raises(rekognition.exceptions.ResourceNotReadyException, match="is TRAINING_COMPLETED"):
        rekognition.detect_custom_labels(ProjectVersionArn=version.arn, Image=image)
    with pytest.raises(
        rekognition.exceptions.InvalidParameterException, match="exactly one of Bytes or S3Object"
    ):
        rekognition.detect_custom_labels(ProjectVersionArn=version.arn, Image={**image, "Bytes": b"\x89PNG"})


def test_start_and_stop_check_the_models_status(rekognition: Any, project_arn: str, seed: Seeder) -> None:
    failed = seed.version(project_arn, "failed", ProjectVersionStatus.TRAINING_FAILED)
    with pytest.raises(rekognition.exceptions.ResourceInUseException, match="TRAINING_FAILED"):
        rekognition.start_project_version(ProjectVersionArn=failed.arn, MinInferenceUnits=1)
    stopped = seed.version(project_arn, "stopped", ProjectVersionStatus.STOPPED)
    with pytest.raises(rekognition.exceptions.ResourceInUseException, match="STOPPED"):
        rekognition.stop_project_version(ProjectVersionArn=stopped.arn)
    with pytest.raises(rekognition.exceptions.InvalidParameterException, match="at least MinInferenceUnits"):
        rekognition.start_project_version(
            ProjectVersionArn=stopped.arn, MinInferenceUnits=3, MaxInferenceUnits=2
        )


def test_without_a_back_end_the_answer_is_not_implemented(
    rekognition: Any, project_arn: str, seed: Seeder, api_under_test: ApiUnderTest
) -> None:
    if not api_under_test.in_process:
        pytest.skip("a deployment has its pipelines")
    with pytest.raises(ClientError) as caught:
        rekognition.create_dataset(ProjectArn=project_arn, DatasetType="TRAIN")
    assert caught.value.response["Error"]["Code"] == "NotImplemented"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501
    stopped = seed.version(project_arn, "v1", ProjectVersionStatus.STOPPED)
    with pytest.raises(ClientError) as caught:
        rekognition.start_project_version(ProjectVersionArn=stopped.arn, MinInferenceUnits=1)
    assert "StartProjectVersion needs model hosting" in caught.value.response["Error"]["Message"]
    (described,) = rekognition.describe_project_versions(ProjectArn=project_arn)["ProjectVersionDescriptions"]
    assert described["Status"] == "STOPPED"  # nothing changed
    assert (
        rekognition.describe_projects(ProjectNames=[project_arn.split("/")[1]])["ProjectDescriptions"][0][
            "Datasets"
        ]
        == []
    )


def test_http_methods_other_than_post(api_under_test: ApiUnderTest) -> None:
    if not api_under_test.in_process:
        pytest.skip("API Gateway answers other methods itself")
    import json
    import urllib.request

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        opener.open(urllib.request.Request(api_under_test.endpoint_url, method="GET"), timeout=10)
        raise AssertionError("GET was accepted")
    except urllib.error.HTTPError as error:
        assert error.code == 400
        assert json.loads(error.read())["__type"] == "UnknownOperationException"
