"""The JSON 1.1 protocol and the error mapping, checked with botocore's own response parser."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import botocore.session
import pytest
from botocore.parsers import create_parser

from customlabels.api import errors, model, protocol
from customlabels.api.errors import (
    ApiError,
    InternalServerError,
    ResourceNotFoundException,
    SerializationException,
    ThrottlingException,
    UnknownOperationException,
)


def botocore_parse(operation: str, response: protocol.ApiResponse) -> dict[str, Any]:
    """What boto3 would make of ``response``."""
    http = {"status_code": response.status, "headers": response.headers, "body": response.body}
    shape = model.operation(operation).output_shape
    assert shape is not None
    parsed: dict[str, Any] = create_parser("json").parse(http, shape)
    return parsed


# Errors
def test_every_modelled_error_has_a_class_named_like_its_shape() -> None:
    assert set(errors.MODELLED_ERRORS) == set(model.error_shapes())
    for name, cls in errors.MODELLED_ERRORS.items():
        assert cls.code == name


@pytest.mark.parametrize("name", sorted(model.error_shapes()))
def test_status_follows_the_models_fault_flag(name: str) -> None:
    fault = model.error_traits(name).get("fault", False)
    assert errors.MODELLED_ERRORS[name].status == (500 if fault else 400)


def test_internal_errors_and_throttling_are_server_faults_others_client_faults() -> None:
    assert InternalServerError.status == 500
    assert ThrottlingException.status == 500
    assert ResourceNotFoundException.status == 400
    assert errors.NotAvailableError.code == "NotImplemented"
    assert errors.NotAvailableError.status == 501


def test_a_class_for_an_error_the_model_does_not_have_is_refused() -> None:
    with pytest.raises(TypeError, match="not an error of the rekognition model"):
        type("NoSuchErrorException", (errors.ModelledError,), {})


@pytest.mark.parametrize("cls", [ResourceNotFoundException, InternalServerError, UnknownOperationException])
def test_botocore_reads_our_error_responses(cls: type[ApiError]) -> None:
    parsed = botocore_parse("DescribeProjects", protocol.failure(cls("what went wrong")))
    assert parsed["Error"] == {"Code": cls.code, "Message": "what went wrong"}
    assert parsed["ResponseMetadata"]["HTTPStatusCode"] == cls.status


def test_modelled_errors_become_the_clients_exception_classes() -> None:
    client = botocore.session.get_session().create_client(
        "rekognition", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
    )
    for name in model.error_shapes():
        assert getattr(client.exceptions, name).__name__ == name


# Requests
def test_the_operation_comes_from_the_target_header() -> None:
    served = model.CUSTOM_LABELS_OPERATIONS
    assert protocol.operation_name("RekognitionService.DescribeProjects", served) == "DescribeProjects"


@pytest.mark.parametrize(
    ("target", "fragment"),
    [
        (None, "Missing X-Amz-Target"),
        ("", "Missing X-Amz-Target"),
        ("DynamoDB_20120810.ListTables", "expected RekognitionService.<Operation>"),
        ("RekognitionService.", "expected RekognitionService.<Operation>"),
        ("RekognitionService.DetectLabels", "Operation DetectLabels is not supported"),
        ("RekognitionService.NoSuchThing", "Operation NoSuchThing is not supported"),
    ],
)
def test_targets_outside_custom_labels_are_unknown_operations(target: str | None, fragment: str) -> None:
    with pytest.raises(UnknownOperationException, match=fragment):
        protocol.operation_name(target, model.CUSTOM_LABELS_OPERATIONS)


def test_every_served_operation_exists_in_the_model() -> None:
    assert len(model.CUSTOM_LABELS_OPERATIONS) == 23
    for name in model.CUSTOM_LABELS_OPERATIONS:
        assert model.operation(name).name == name


@pytest.mark.parametrize(("body", "expected"), [(b"", {}), (None, {}), (b"{}", {}), ('{"A": 1}', {"A": 1})])
def test_bodies_are_json_objects(body: bytes | str | None, expected: dict[str, Any]) -> None:
    assert protocol.decode_body(body) == expected


@pytest.mark.parametrize("body", [b"{", b"[1]", b'"x"', b"\xff\xfe", b"null"])
def test_other_bodies_are_serialization_errors(body: bytes) -> None:
    with pytest.raises(SerializationException):
        protocol.decode_body(body)


# Responses
def test_results_are_serialized_against_the_output_shape() -> None:
    created = datetime(2024, 5, 1, 12, 0, 0, 500000, tzinfo=UTC)
    arn = "arn:aws:rekognition:us-east-1:123456789012:project/p/1"
    result: dict[str, Any] = {
        "ProjectDescriptions": [
            {
                "ProjectArn": arn,
                "CreationTimestamp": created,
                "Status": "CREATED",
                "Datasets": [],
                "Feature": "CUSTOM_LABELS",
                "AutoUpdate": None,
            }
        ],
        "NextToken": None,
    }
    response = protocol.success(model.operation("DescribeProjects").output_shape, result)
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/x-amz-json-1.1"
    wire = json.loads(response.body)
    assert wire == {
        "ProjectDescriptions": [
            {
                "ProjectArn": arn,
                "CreationTimestamp": created.timestamp(),
                "Status": "CREATED",
                "Datasets": [],
                "Feature": "CUSTOM_LABELS",
            }
        ]
    }
    parsed = botocore_parse("DescribeProjects", response)
    assert parsed["ProjectDescriptions"][0]["CreationTimestamp"] == created


def test_a_member_the_output_shape_lacks_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="no member"):
        protocol.serialize(model.operation("CreateProject").output_shape, {"ProjectArn": "a", "Secret": 1})


def test_operations_without_output_members_answer_an_empty_object() -> None:
    response = protocol.success(model.operation("TagResource").output_shape, {})
    assert json.loads(response.body) == {}


def test_error_bodies_carry_type_and_message() -> None:
    response = protocol.failure(ResourceNotFoundException("gone"))
    assert response.status == 400
    assert json.loads(response.body) == {"__type": "ResourceNotFoundException", "message": "gone"}
    assert response.headers["x-amzn-ErrorType"] == "ResourceNotFoundException"
