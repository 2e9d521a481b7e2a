"""Every constraint of every Custom Labels operation's input, broken one at a time.

The table comes from the botocore model (:mod:`tests.api.model_cases`). Cases that botocore's
serializer can carry go through boto3's real client (with ``parameter_validation=False``, so
only the server checks them); wrong JSON types and undecodable base64, which boto3 cannot send,
go over plain HTTP with the headers botocore sends.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest
from botocore import xform_name
from botocore.exceptions import ClientError

from customlabels.api import model

from .conftest import ApiUnderTest
from .model_cases import Case, cases, example

CASES = [case for operation in model.CUSTOM_LABELS_OPERATIONS for case in cases(operation)]
_RAW_ONLY = {"type", "not-base64", "too-big", "unknown-member"}


def post(endpoint_url: str, operation: str, body: bytes) -> tuple[int, dict[str, Any]]:
    """POST one JSON 1.1 request as botocore would, without botocore."""
    request = urllib.request.Request(
        endpoint_url,
        data=body,
        method="POST",
        headers={
            "X-Amz-Target": f"RekognitionService.{operation}",
            "Content-Type": "application/x-amz-json-1.1",
        },
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=60) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_every_operation_has_constrained_members() -> None:
    covered = {case.operation for case in CASES if case.broken != "unknown-member"}
    assert covered == set(model.CUSTOM_LABELS_OPERATIONS)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_a_broken_constraint_is_a_validation_error(
    case: Case, rekognition: Any, api_under_test: ApiUnderTest
) -> None:
    if case.big and not api_under_test.in_process:
        pytest.skip("a multi-megabyte body exceeds what API Gateway passes to Lambda (6 MB)")
    if case.broken in _RAW_ONLY:
        status, body = post(api_under_test.endpoint_url, case.operation, json.dumps(case.request).encode())
        assert (status, body["__type"]) == (400, "ValidationException"), body
        assert case.path.split("[")[0].split(".")[0] in body["message"]
        return
    with pytest.raises(ClientError) as caught:
        getattr(rekognition, xform_name(case.operation))(**case.request)
    error = caught.value.response
    assert error["Error"]["Code"] == "ValidationException", error["Error"]
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert case.path.split("[")[0].split(".")[0] in error["Error"]["Message"]


@pytest.mark.parametrize(
    "operation", [name for name in model.CUSTOM_LABELS_OPERATIONS if name != "CreateProject"]
)
def test_the_baseline_of_each_table_row_is_valid(operation: str, rekognition: Any) -> None:
    """The unbroken request passes validation (it then fails for want of the resource, or succeeds)."""
    shape = model.operation(operation).input_shape
    assert shape is not None
    request = example(shape)
    try:
        getattr(rekognition, xform_name(operation))(**request)
    except ClientError as error:
        assert error.response["Error"]["Code"] != "ValidationException", error.response["Error"]
