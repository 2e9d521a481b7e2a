"""Validation against the botocore model, table-driven: what is refused and why."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from customlabels.api import model
from customlabels.api.errors import ValidationException
from customlabels.api.validation import validate

PROJECT_ARN = "arn:aws:rekognition:us-east-1:123456789012:project/p/1700000000000"
VERSION_ARN = "arn:aws:rekognition:us-east-1:123456789012:project/p/version/v1/1700000000001"
DATASET_ARN = "arn:aws:rekognition:us-east-1:123456789012:project/p/dataset/train/1700000000002"


def check(operation: str, request: dict[str, Any]) -> dict[str, Any]:
    return validate(model.operation(operation).input_shape, request)


VALID = [
    ("CreateProject", {"ProjectName": "my_project.v-1"}),
    ("CreateProject", {"ProjectName": "p", "Feature": "CONTENT_MODERATION", "AutoUpdate": "ENABLED"}),
    ("CreateProject", {"ProjectName": "p", "Tags": {"Cost center": "42", "ünïcødé:key/=+-@": ""}}),
    ("DescribeProjects", {}),
    ("DescribeProjects", {"MaxResults": 1, "ProjectNames": ["a"] * 10, "Features": ["CUSTOM_LABELS"]}),
    ("DescribeProjects", {"MaxResults": 100, "NextToken": "x" * 1024}),
    ("DescribeProjectVersions", {"ProjectArn": PROJECT_ARN, "VersionNames": ["v1"]}),
    ("ListProjectPolicies", {"ProjectArn": PROJECT_ARN, "MaxResults": 5}),
    ("PutProjectPolicy", {"ProjectArn": PROJECT_ARN, "PolicyName": "p", "PolicyDocument": "{}\n\t"}),
    (
        "PutProjectPolicy",
        {"ProjectArn": PROJECT_ARN, "PolicyName": "p", "PolicyDocument": "{}", "PolicyRevisionId": "aB09"},
    ),
    (
        "DistributeDatasetEntries",
        {"Datasets": [{"Arn": DATASET_ARN}, {"Arn": DATASET_ARN.replace("train", "test")}]},
    ),
    (
        "DetectCustomLabels",
        {"ProjectVersionArn": VERSION_ARN, "Image": {"S3Object": {"Bucket": "b-1.x", "Name": "k"}}},
    ),
    (
        "DetectCustomLabels",
        {"ProjectVersionArn": VERSION_ARN, "Image": {"Bytes": "aGk="}, "MinConfidence": 0, "MaxResults": 0},
    ),
    (
        "StartProjectVersion",
        {"ProjectVersionArn": VERSION_ARN, "MinInferenceUnits": 1, "MaxInferenceUnits": 10**6},
    ),
    ("UntagResource", {"ResourceArn": PROJECT_ARN, "TagKeys": []}),
    (
        "ListDatasetEntries",
        {"DatasetArn": DATASET_ARN, "Labeled": False, "HasErrors": True, "SourceRefContains": " a "},
    ),
    (
        "CreateProjectVersion",
        {
            "ProjectArn": PROJECT_ARN,
            "VersionName": "v",
            "OutputConfig": {},
            "VersionDescription": "My model (v2): good; ok?",
        },
    ),
]


@pytest.mark.parametrize(("operation", "request_"), VALID)
def test_valid_requests_pass(operation: str, request_: dict[str, Any]) -> None:
    check(operation, request_)


INVALID = [
    # (operation, request, a fragment of the message)
    (
        "CreateProject",
        {},
        "Value null at 'ProjectName' failed to satisfy constraint: Member must not be null",
    ),
    ("CreateProject", {"ProjectName": ""}, "Member must have length between 1 and 255 characters, got 0"),
    ("CreateProject", {"ProjectName": "a" * 256}, "between 1 and 255 characters, got 256"),
    ("CreateProject", {"ProjectName": "my project"}, "regular expression pattern: [a-zA-Z0-9_.\\-]+"),
    ("CreateProject", {"ProjectName": 5}, "Member must be a string"),
    (
        "CreateProject",
        {"ProjectName": "p", "Feature": "FACES"},
        "enum value set: [CONTENT_MODERATION, CUSTOM_LABELS]",
    ),
    ("CreateProject", {"ProjectName": "p", "AutoUpdate": "on"}, "enum value set: [ENABLED, DISABLED]"),
    ("CreateProject", {"ProjectName": "p", "Tags": {"aws:owner": "x"}}, "at 'Tags.key'"),
    ("CreateProject", {"ProjectName": "p", "Tags": {"k": "semi;colon"}}, "at 'Tags['k']'"),
    ("CreateProject", {"ProjectName": "p", "Tags": {"k" * 129: "v"}}, "between 1 and 128 characters"),
    ("CreateProject", {"ProjectName": "p", "Tags": {"k": "v" * 257}}, "between 0 and 256 characters"),
    (
        "CreateProject",
        {"ProjectName": "p", "Tags": {f"k{i}": "v" for i in range(201)}},
        "between 0 and 200 entries",
    ),
    ("CreateProject", {"ProjectName": "p", "Tags": ["k"]}, "Member must be a JSON object (map)"),
    (
        "CreateProject",
        {"ProjectName": "p", "Bogus": 1},
        "Member 'Bogus' is not a parameter of CreateProjectRequest",
    ),
    (
        "DescribeProjects",
        {"MaxResults": 0},
        "Value '0' at 'MaxResults' failed to satisfy constraint: Member must have value between 1 and 100",
    ),
    ("DescribeProjects", {"MaxResults": 101}, "between 1 and 100"),
    ("DescribeProjects", {"MaxResults": "10"}, "Member must be an integer"),
    ("DescribeProjects", {"MaxResults": 1.5}, "Member must be an integer"),
    ("DescribeProjects", {"MaxResults": True}, "Member must be an integer"),
    ("DescribeProjects", {"ProjectNames": []}, "between 1 and 10 items, got 0"),
    ("DescribeProjects", {"ProjectNames": ["a"] * 11}, "between 1 and 10 items, got 11"),
    ("DescribeProjects", {"ProjectNames": ["ok", "not ok"]}, "at 'ProjectNames[1]'"),
    ("DescribeProjects", {"Features": ["CUSTOM_LABELS"] * 3}, "between 1 and 2 items"),
    ("DescribeProjects", {"NextToken": "x" * 1025}, "less than or equal to 1024 characters"),
    ("DescribeProjectVersions", {"ProjectArn": "arn:aws:rekognition:us-east-1:1:project/p/1"}, "pattern"),
    ("DescribeProjectVersions", {"ProjectArn": VERSION_ARN}, "at 'ProjectArn'"),
    ("ListProjectPolicies", {"ProjectArn": PROJECT_ARN, "MaxResults": 6}, "between 1 and 5"),
    (
        "PutProjectPolicy",
        {"ProjectArn": PROJECT_ARN, "PolicyName": "p", "PolicyDocument": "{\u0100}"},
        "PolicyDocument",
    ),
    (
        "PutProjectPolicy",
        {"ProjectArn": PROJECT_ARN, "PolicyName": "p", "PolicyDocument": "x" * 2001},
        "between 1 and 2000",
    ),
    (
        "PutProjectPolicy",
        {"ProjectArn": PROJECT_ARN, "PolicyName": "p", "PolicyDocument": "{}", "PolicyRevisionId": "xyz"},
        "[0-9A-Fa-f]+",
    ),
    ("DistributeDatasetEntries", {"Datasets": [{"Arn": DATASET_ARN}]}, "between 2 and 2 items, got 1"),
    ("DistributeDatasetEntries", {"Datasets": [{"Arn": DATASET_ARN}, {}]}, "Value null at 'Datasets[1].Arn'"),
    (
        "DetectCustomLabels",
        {"ProjectVersionArn": VERSION_ARN, "Image": {"Bytes": "not base64!"}},
        "base64-encoded",
    ),
    ("DetectCustomLabels", {"ProjectVersionArn": VERSION_ARN, "Image": {"Bytes": ""}}, "Image.Bytes"),
    (
        "DetectCustomLabels",
        {"ProjectVersionArn": VERSION_ARN, "Image": {"S3Object": {"Bucket": "ab"}}},
        "at 'Image.S3Object.Bucket'",
    ),
    (
        "DetectCustomLabels",
        {"ProjectVersionArn": VERSION_ARN, "Image": {}, "MinConfidence": 100.5},
        "between 0 and 100",
    ),
    (
        "DetectCustomLabels",
        {"ProjectVersionArn": VERSION_ARN, "Image": {}, "MaxResults": -1},
        "greater than or equal to 0",
    ),
    (
        "DetectCustomLabels",
        {"ProjectVersionArn": VERSION_ARN, "Image": "s3://b/k"},
        "Member must be a JSON object",
    ),
    (
        "StartProjectVersion",
        {"ProjectVersionArn": VERSION_ARN, "MinInferenceUnits": 0},
        "greater than or equal to 1",
    ),
    ("ListDatasetEntries", {"DatasetArn": DATASET_ARN, "HasErrors": "true"}, "Member must be a boolean"),
    ("ListDatasetEntries", {"DatasetArn": DATASET_ARN, "SourceRefContains": "   "}, ".*\\S.*"),
    (
        "ListDatasetEntries",
        {"DatasetArn": DATASET_ARN, "ContainsLabels": ["a"] * 11},
        "between 1 and 10 items",
    ),
    ("CreateProjectVersion", {"ProjectArn": PROJECT_ARN, "VersionName": "v"}, "Value null at 'OutputConfig'"),
    (
        "CreateProjectVersion",
        {"ProjectArn": PROJECT_ARN, "VersionName": "v", "OutputConfig": {"S3KeyPrefix": "k" * 1025}},
        "OutputConfig.S3KeyPrefix",
    ),
    (
        "CreateProjectVersion",
        {"ProjectArn": PROJECT_ARN, "VersionName": "v", "OutputConfig": {}, "KmsKeyId": "-bad"},
        "KmsKeyId",
    ),
    (
        "CreateProjectVersion",
        {
            "ProjectArn": PROJECT_ARN,
            "VersionName": "v",
            "OutputConfig": {},
            "FeatureConfig": {"ContentModeration": {"ConfidenceThreshold": -1}},
        },
        "FeatureConfig.ContentModeration.ConfidenceThreshold",
    ),
    (
        "CreateProjectVersion",
        {
            "ProjectArn": PROJECT_ARN,
            "VersionName": "v",
            "OutputConfig": {},
            "TestingData": {"AutoCreate": "yes"},
        },
        "TestingData.AutoCreate",
    ),
    (
        "UpdateDatasetEntries",
        {"DatasetArn": DATASET_ARN, "Changes": {}},
        "Value null at 'Changes.GroundTruth'",
    ),
]


@pytest.mark.parametrize(("operation", "request_", "fragment"), INVALID)
def test_invalid_requests_are_refused_with_what_is_allowed(
    operation: str, request_: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(ValidationException) as caught:
        check(operation, request_)
    assert fragment in caught.value.message
    assert caught.value.status == 400
    assert caught.value.code == "ValidationException"


def test_every_violation_is_reported_at_once() -> None:
    with pytest.raises(ValidationException) as caught:
        check("CreateProject", {"ProjectName": "bad name", "Feature": "X", "Extra": 1})
    assert caught.value.message.startswith("3 validation errors detected: ")


def test_blobs_come_back_decoded() -> None:
    data = b"\x89PNG\r\n"
    checked = check(
        "DetectCustomLabels",
        {"ProjectVersionArn": VERSION_ARN, "Image": {"Bytes": base64.b64encode(data).decode()}},
    )
    assert checked["Image"]["Bytes"] == data


def test_blob_size_is_checked_on_the_decoded_bytes() -> None:
    limit = model.service_model().shape_for("GroundTruthBlob").metadata["max"]
    too_big = base64.b64encode(b"x" * (limit + 1)).decode()
    with pytest.raises(ValidationException, match=f"got {limit + 1}"):
        check("UpdateDatasetEntries", {"DatasetArn": DATASET_ARN, "Changes": {"GroundTruth": too_big}})


def test_unicode_classes_follow_unicode_categories() -> None:
    # \p{L}, \p{Z}, \p{N}: letters, separators and numbers of any script are allowed in tag values.
    check("TagResource", {"ResourceArn": PROJECT_ARN, "Tags": {"名前": "値 ٣\u00a0Ω"}})
    with pytest.raises(ValidationException):
        check("TagResource", {"ResourceArn": PROJECT_ARN, "Tags": {"k": "emoji \U0001f600"}})
