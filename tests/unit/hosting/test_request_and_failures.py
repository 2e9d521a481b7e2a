"""The hosting state machine's input, and how a caught failure becomes the model's StatusMessage."""

from __future__ import annotations

import json
import re

import pytest

from customlabels.hosting.request import START, STOP, HostingRequest, new_operation_id
from customlabels.hosting.steps import failure_message
from customlabels.resources.status import SERVICE_ISSUE

ARN = (
    "arn:aws:rekognition:us-east-1:123456789012:project/"
    + "p" * 255
    + "/version/"
    + "v" * 255
    + "/1700000000000"
)


def test_requests_round_trip_and_name_unique_executions() -> None:
    first = HostingRequest(START, ARN, new_operation_id(1700000000000))
    assert HostingRequest.from_event({**first.to_event(), "Model": {}}) == first
    name = first.execution_name()
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,80}", name) and name.startswith("start-")
    second = HostingRequest(STOP, ARN, new_operation_id(1700000000000))
    assert second.execution_name() != name and second.execution_name().startswith("stopp-")
    with pytest.raises(ValueError, match="Operation must be one of"):
        HostingRequest.from_event({"Operation": "DeleteProjectVersion", "ProjectVersionArn": ARN})


def test_a_hosting_error_keeps_its_message_anything_else_is_a_service_issue() -> None:
    request = HostingRequest(START, ARN, "op")
    cause = json.dumps({"errorMessage": "The model could not be started: it has no model files."})
    assert failure_message(request, {"Error": "HostingError", "Cause": cause}) == (
        "The model could not be started: it has no model files."
    )
    assert failure_message(request, {"Error": "KeyError", "Cause": json.dumps({"errorMessage": "x"})}) == (
        SERVICE_ISSUE
    )
    assert failure_message(request, {"Error": "States.Timeout", "Cause": "not json"}) == SERVICE_ISSUE
    assert failure_message(request, {}) == SERVICE_ISSUE
