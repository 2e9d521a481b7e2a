"""The Lambda handler with the canonical API Gateway event, over an API whose metadata is on S3."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from customlabels.api import Api, handle_proxy_event
from functions.api import handler as api_handler

EVENTS = Path(__file__).parents[1] / "events"


@dataclass
class FakeLambdaContext:
    function_name: str = "customlabels-api"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:customlabels-api"
    aws_request_id: str = "lambda-request-id"


def event(**changes: Any) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((EVENTS / "api_describe_projects.json").read_text())
    loaded.update(changes)
    return loaded


@pytest.fixture
def handler_api(api: Api, monkeypatch: pytest.MonkeyPatch) -> Api:
    monkeypatch.setattr(api_handler, "_api", api)
    return api


def test_the_handler_answers_the_canonical_event(handler_api: Api, call: Any) -> None:
    call("CreateProject", ProjectName="from-handler")
    reply = api_handler.handler(event(), FakeLambdaContext())  # type: ignore[arg-type]
    assert reply["statusCode"] == 200
    assert reply["headers"]["Content-Type"] == "application/x-amz-json-1.1"
    assert reply["headers"]["x-amzn-RequestId"] == "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"
    assert reply["isBase64Encoded"] is False
    body = json.loads(reply["body"])
    assert [item["ProjectArn"].split("/")[1] for item in body["ProjectDescriptions"]] == ["from-handler"]


def test_errors_come_back_as_proxy_responses(handler_api: Api) -> None:
    headers = {**event()["headers"], "X-Amz-Target": "RekognitionService.DeleteProject"}
    reply = api_handler.handler(event(headers=headers, body="{}"), FakeLambdaContext())  # type: ignore[arg-type]
    assert reply["statusCode"] == 400
    assert json.loads(reply["body"])["__type"] == "ValidationException"


def test_base64_bodies_and_other_methods(api: Api) -> None:
    encoded = event(body=base64.b64encode(b'{"MaxResults": 1}').decode(), isBase64Encoded=True)
    assert handle_proxy_event(api, encoded, "r1")["statusCode"] == 200
    reply = handle_proxy_event(api, event(httpMethod="GET"), "r2")
    assert reply["statusCode"] == 400
    assert json.loads(reply["body"])["__type"] == "UnknownOperationException"
    assert reply["headers"]["x-amzn-RequestId"] == "r2"


def test_the_handler_uses_the_lambda_request_id_without_api_gateways(handler_api: Api) -> None:
    reply = api_handler.handler(event(requestContext={}), FakeLambdaContext())  # type: ignore[arg-type]
    assert reply["headers"]["x-amzn-RequestId"] == "lambda-request-id"
