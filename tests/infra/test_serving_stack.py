"""Template assertions on model hosting: the state machine's shape, the functions' images and rights,
and inference units as provisioned concurrency with auto scaling on AWS only."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest
from aws_cdk.assertions import Template

from tests.infra.test_stack import synthesize

CAPACITY_ACTIONS = {
    "lambda:PutProvisionedConcurrencyConfig",
    "lambda:DeleteProvisionedConcurrencyConfig",
    "lambda:CreateAlias",
    "application-autoscaling:RegisterScalableTarget",
    "application-autoscaling:PutScalingPolicy",
}


@pytest.fixture(scope="module")
def aws() -> Template:
    return synthesize("aws")


@pytest.fixture(scope="module")
def local() -> Template:
    return synthesize("local")


def _definition(template: Template) -> dict[str, Any]:
    machines = template.find_resources("AWS::StepFunctions::StateMachine")
    (machine,) = [m for m in machines.values() if "StartOrStop" in json.dumps(m)]
    parts = machine["Properties"]["DefinitionString"]["Fn::Join"][1]
    definition: dict[str, Any] = json.loads("".join(p if isinstance(p, str) else "TOKEN" for p in parts))
    return definition


def _function(template: Template, construct_id: str) -> dict[str, Any]:
    (found,) = [
        dict(resource)
        for name, resource in template.find_resources("AWS::Lambda::Function").items()
        if name.startswith(construct_id)
    ]
    return found


def _actions(template: Template, construct_id: str) -> set[str]:
    """Every action the role of the function ``construct_id`` is granted."""
    role = _function(template, construct_id)["Properties"]["Role"]["Fn::GetAtt"][0]
    actions: set[str] = set()
    for policy in template.find_resources("AWS::IAM::Policy").values():
        if {"Ref": role} in policy["Properties"]["Roles"]:
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
                action = statement["Action"]
                actions.update([action] if isinstance(action, str) else action)
    return actions


def test_the_hosting_state_machine_reads_like_the_process(local: Template) -> None:
    definition = _definition(local)
    states = definition["States"]
    assert definition["StartAt"] == "StartOrStop"
    choices = {c["StringEquals"]: c["Next"] for c in states["StartOrStop"]["Choices"]}
    assert choices == {"StartProjectVersion": "LoadModel", "StopProjectVersion": "ReleaseCapacity"}
    assert states[states["StartOrStop"]["Default"]]["Type"] == "Fail"
    assert states["LoadModel"]["Next"] == "ProvisionCapacity"
    assert states["ProvisionCapacity"]["Next"] == states["CheckCapacity"]["Next"] == "CapacityReady"
    ready = states["CapacityReady"]
    assert ready["Choices"] == [
        {"Variable": "$.Capacity.Ready", "BooleanEquals": True, "Next": "MarkRunning"}
    ]
    assert ready["Default"] == "WaitForCapacity" and states["WaitForCapacity"]["Next"] == "CheckCapacity"
    assert states["MarkRunning"]["Next"] == "ModelRunning"
    assert states["ReleaseCapacity"]["Next"] == "MarkStopped"
    assert states["MarkStopped"]["Next"] == "ModelStopped"


def test_every_hosting_step_retries_and_records_failures(local: Template) -> None:
    states = _definition(local)["States"]
    tasks = {name: state for name, state in states.items() if state["Type"] == "Task"}
    assert set(tasks) == {
        "LoadModel",
        "ProvisionCapacity",
        "CheckCapacity",
        "MarkRunning",
        "ReleaseCapacity",
        "MarkStopped",
        "RecordFailure",
    }
    for name, state in tasks.items():
        assert state["Parameters"] == {"Step": name, "State.$": "$"}, name
        assert state["ResultPath"].startswith("$."), name
        retried = {error for rule in state["Retry"] for error in rule["ErrorEquals"]}
        assert {"Lambda.ServiceException", "WriteConflict"} <= retried, name
        if name != "RecordFailure":
            assert state["Catch"] == [
                {"ErrorEquals": ["HostingSuperseded"], "ResultPath": "$.Superseded", "Next": "Superseded"},
                {"ErrorEquals": ["States.ALL"], "ResultPath": "$.Failure", "Next": "RecordFailure"},
            ], name
    assert tasks["RecordFailure"]["Next"] == "HostingFailed"
    assert states["HostingFailed"] == {
        "Type": "Fail",
        "ErrorPath": "$.Failure.Error",
        "CausePath": "$.Failure.Cause",
    }
    assert states["Superseded"]["Type"] == "Succeed"


def test_metering_runs_every_minute(template: Template) -> None:
    template.has_resource_properties(
        "AWS::Events::Rule", {"ScheduleExpression": "rate(1 minute)", "State": "ENABLED"}
    )


@pytest.fixture(scope="module", params=["local", "aws"])
def template(request: pytest.FixtureRequest, aws: Template, local: Template) -> Template:
    return aws if request.param == "aws" else local


def test_the_api_reaches_hosting_and_detection(template: Template) -> None:
    variables = _function(template, "ApiFunction")["Properties"]["Environment"]["Variables"]
    assert {"CUSTOMLABELS_HOSTING_PIPELINE_ARN", "CUSTOMLABELS_DETECT_FUNCTION_NAME"} <= set(variables)
    actions = _actions(template, "ApiFunction")
    assert {"lambda:InvokeFunction", "states:StartExecution"} <= actions


def test_aws_provisions_inference_units_as_auto_scaled_concurrency(aws: Template) -> None:
    aws.resource_count_is("AWS::Lambda::Version", 1)  # the detection function's, which aliases point to
    variables = _function(aws, "HostingFunction")["Properties"]["Environment"]["Variables"]
    assert variables["CUSTOMLABELS_INFERENCE_CAPACITY"] == "provisioned-concurrency"
    assert "CUSTOMLABELS_DETECT_FUNCTION_VERSION" in variables
    assert _actions(aws, "HostingFunction") >= CAPACITY_ACTIONS
    assert "iam:CreateServiceLinkedRole" in _actions(aws, "HostingFunction")
    assert "lambda:GetProvisionedConcurrencyConfig" in _actions(aws, "MeteringFunction")
    assert "cloudwatch:PutMetricData" in _actions(aws, "MeteringFunction")


def test_local_only_records_inference_units(local: Template) -> None:
    local.resource_count_is("AWS::Lambda::Version", 0)
    variables = _function(local, "HostingFunction")["Properties"]["Environment"]["Variables"]
    assert variables["CUSTOMLABELS_INFERENCE_CAPACITY"] == "recorded"
    assert "CUSTOMLABELS_DETECT_FUNCTION_VERSION" not in variables
    for function in ("HostingFunction", "MeteringFunction", "ApiFunction", "DetectFunction"):
        granted = _actions(local, function)
        assert not granted & CAPACITY_ACTIONS, function
        assert not any(action.startswith("application-autoscaling:") for action in granted), function


def _image(function: Mapping[str, Any]) -> str:
    return json.dumps(function["Properties"]["Code"]["ImageUri"])


def test_serving_functions_share_the_small_image_on_aws(aws: Template) -> None:
    serving = ["DetectFunction", "HostingFunction", "MeteringFunction", "BatchLabelingFunction"]
    images = {_image(_function(aws, name)) for name in serving}
    assert len(images) == 1  # containers/detect
    assert _image(_function(aws, "ApiFunction")) not in images  # containers/lambda
    detect = _function(aws, "DetectFunction")["Properties"]
    assert detect["ImageConfig"]["Command"] == ["functions.detect.handler.handler"]
    assert detect["MemorySize"] == 2048
