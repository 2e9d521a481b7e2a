"""The API's model hosting: Start/Stop as executions of the hosting state machine, DetectCustomLabels
forwarded to the detection function and its answers turned back into API errors (the AWS calls
checked against botocore's models with its Stubber; the whole path runs in tests/e2e/test_serving.py)."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import ANY, Stubber

from customlabels.api.errors import (
    ApiError,
    ImageTooLargeException,
    InternalServerError,
    InvalidImageFormatException,
    ProvisionedThroughputExceededException,
    ResourceNotReadyException,
    ValidationException,
)
from customlabels.api.hosting import LambdaModelHosting
from customlabels.hosting.capacity import PROVISIONED_CONCURRENCY, RECORDED, alias_name
from customlabels.resources.records import ProjectVersion
from customlabels.resources.status import ProjectVersionStatus

PIPELINE = "arn:aws:states:us-east-1:123456789012:stateMachine:hosting"
FUNCTION = "detect-fn"
VERSION = ProjectVersion(
    region="us-east-1",
    account="123456789012",
    project_name="p",
    name="v1",
    created_ms=1700000000000,
    status=ProjectVersionStatus.RUNNING,
    status_message="",
    hosting_operation_id="1700000000001-abcd1234",
)


def client(service: str) -> Any:
    return boto3.client(service, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")


@pytest.fixture
def stubbed(request: pytest.FixtureRequest) -> Iterator[tuple[Stubber, Stubber, LambdaModelHosting]]:
    capacity = getattr(request, "param", RECORDED)
    stepfunctions, lambda_client = client("stepfunctions"), client("lambda")
    hosting = LambdaModelHosting(
        stepfunctions,
        lambda_client,
        hosting_pipeline_arn=PIPELINE,
        detect_function_name=FUNCTION,
        capacity_kind=capacity,
    )
    with Stubber(stepfunctions) as sfn_stub, Stubber(lambda_client) as lambda_stub:
        yield sfn_stub, lambda_stub, hosting
        sfn_stub.assert_no_pending_responses()
        lambda_stub.assert_no_pending_responses()


def payload(body: Any, **reply: Any) -> dict[str, Any]:
    data = json.dumps(body).encode()
    return {"StatusCode": 200, "Payload": StreamingBody(io.BytesIO(data), len(data)), **reply}


def test_start_and_stop_start_one_execution_each(stubbed: Any) -> None:
    sfn_stub, _, hosting = stubbed
    for operation in ("StartProjectVersion", "StopProjectVersion"):
        expected_input = {
            "Operation": operation,
            "ProjectVersionArn": VERSION.arn,
            "OperationId": VERSION.hosting_operation_id,
        }
        sfn_stub.add_response(
            "start_execution",
            {"executionArn": "arn:execution", "startDate": 0},
            {"stateMachineArn": PIPELINE, "name": ANY, "input": json.dumps(expected_input)},
        )
    hosting.start(VERSION, 1, 2)
    hosting.stop(VERSION)


@pytest.mark.parametrize("stubbed", [PROVISIONED_CONCURRENCY], indirect=True)
def test_detect_forwards_the_request_to_the_models_alias(stubbed: Any) -> None:
    _, lambda_stub, hosting = stubbed
    labels = [{"Name": "cat", "Confidence": 99.0}]
    forwarded = {
        "ProjectVersionArn": VERSION.arn,
        "Image": {"Bytes": base64.b64encode(b"png").decode()},
        "MinConfidence": 50,
        "MaxResults": 3,
    }
    lambda_stub.add_response(
        "invoke",
        payload({"CustomLabels": labels}),
        {
            "FunctionName": FUNCTION,
            "Qualifier": alias_name(VERSION.arn),
            "Payload": json.dumps(forwarded).encode(),
        },
    )
    assert hosting.detect(VERSION, {"Bytes": b"png"}, 50, 3) == labels


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (payload({"__type": "InvalidImageFormatException", "message": "m"}), InvalidImageFormatException),
        (payload({"__type": "ValidationException", "message": "m"}), ValidationException),
        (payload({"__type": "SomethingNew", "message": "m"}), InternalServerError),
        (
            payload({"errorType": "KeyError", "errorMessage": "x"}, FunctionError="Unhandled"),
            InternalServerError,
        ),
    ],
)
def test_the_functions_answers_become_api_errors(
    stubbed: Any, answer: dict[str, Any], error: type[ApiError]
) -> None:
    _, lambda_stub, hosting = stubbed
    lambda_stub.add_response("invoke", answer)
    with pytest.raises(error) as raised:
        hosting.detect(VERSION, {"S3Object": {"Bucket": "b", "Name": "n"}}, None, None)
    if error is InternalServerError:
        assert raised.value.message == "Amazon Rekognition experienced a service issue. Try your call again."


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("TooManyRequestsException", ProvisionedThroughputExceededException),
        ("ResourceNotFoundException", ResourceNotReadyException),
    ],
)
def test_lambdas_refusals_become_the_services_errors(stubbed: Any, code: str, error: type[ApiError]) -> None:
    _, lambda_stub, hosting = stubbed
    lambda_stub.add_client_error("invoke", code)
    with pytest.raises(error):
        hosting.detect(VERSION, {"S3Object": {"Bucket": "b", "Name": "n"}}, None, None)


def test_bytes_over_4_mb_are_refused_before_the_invoke(stubbed: Any) -> None:
    _, _, hosting = stubbed  # no invoke stubbed: none may happen (6 MB invoke payload limit)
    with pytest.raises(ImageTooLargeException, match="at most 4194304 bytes"):
        hosting.detect(VERSION, {"Bytes": bytes(4 * 1024 * 1024 + 1)}, None, None)
