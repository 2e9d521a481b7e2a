"""The client helper signs its requests for API Gateway."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.awsrequest import AWSResponse
from botocore.compat import HTTPHeaders

import customlabels


def test_the_client_signs_for_api_gateway() -> None:
    session = boto3.Session(
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret", region_name="eu-west-1"
    )
    client = customlabels.client(
        endpoint_url="https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod/", session=session
    )
    sent: dict[str, Any] = {}

    def capture(request: Any, **_: Any) -> AWSResponse:
        sent.update(url=request.url, headers=dict(request.headers))
        headers = HTTPHeaders()
        headers["Content-Type"] = "application/x-amz-json-1.1"
        return AWSResponse(request.url, 200, headers, _Raw(b'{"ProjectDescriptions": []}'))

    client.meta.events.register("before-send.rekognition", capture)
    assert client.describe_projects()["ProjectDescriptions"] == []
    authorization = sent["headers"]["Authorization"]
    authorization = authorization.decode() if isinstance(authorization, bytes) else authorization
    assert "/eu-west-1/execute-api/aws4_request" in authorization
    assert sent["url"] == "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod/"


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body
