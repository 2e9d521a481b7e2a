"""Template assertions on CopyProjectVersion's pipeline and the API's view of who calls it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk.assertions import Template

from tests.infra.test_serving_stack import _actions, _function
from tests.infra.test_stack import synthesize


@pytest.fixture(scope="module", params=["local", "aws"])
def template(request: pytest.FixtureRequest) -> Template:
    return synthesize(request.param)


def copy_definition(template: Template) -> dict[str, Any]:
    machines = template.find_resources("AWS::StepFunctions::StateMachine")
    (machine,) = [m for m in machines.values() if "CopyModel" in json.dumps(m)]
    parts = machine["Properties"]["DefinitionString"]["Fn::Join"][1]
    definition: dict[str, Any] = json.loads("".join(p if isinstance(p, str) else "TOKEN" for p in parts))
    return definition


def test_the_copy_pipeline_records_every_outcome(template: Template) -> None:
    definition = copy_definition(template)
    states = definition["States"]
    assert definition["StartAt"] == "CopyModel"
    assert states["CopyModel"]["Next"] == "CopyCompleted"
    assert states["CopyModel"]["Catch"] == [
        {"ErrorEquals": ["States.ALL"], "ResultPath": "$.Failure", "Next": "RecordCopyFailure"}
    ]
    assert "WriteConflict" in json.dumps(states["CopyModel"]["Retry"])
    assert states["RecordCopyFailure"]["Next"] == "CopyFailed"
    assert states["RecordCopyFailure"]["Catch"][0]["Next"] == "CopyFailed"
    assert set(states) == {"CopyModel", "CopyCompleted", "RecordCopyFailure", "CopyFailed"}


def test_the_api_starts_copies(template: Template) -> None:
    variables = _function(template, "ApiFunction")["Properties"]["Environment"]["Variables"]
    assert "CUSTOMLABELS_COPY_PIPELINE_ARN" in variables
    assert "states:StartExecution" in _actions(template, "ApiFunction")


def test_copying_reads_and_writes_models_and_results(template: Template) -> None:
    actions = _actions(template, "CopyModelFunction")
    assert {"s3:GetObject*", "s3:List*", "s3:PutObject"} <= actions
    assert "kms:GenerateDataKey" in actions  # a copy's KmsKeyId, through S3
    assert "s3:PutObject" in _actions(template, "CopyRecordFailureFunction")


def test_only_local_reads_the_caller_from_the_signature() -> None:
    for target, expected in (("local", {"CUSTOMLABELS_CALLER_FROM_SIGNATURE": "true"}), ("aws", {})):
        variables = _function(synthesize(target), "ApiFunction")["Properties"]["Environment"]["Variables"]
        found = {k: v for k, v in variables.items() if k == "CUSTOMLABELS_CALLER_FROM_SIGNATURE"}
        assert found == expected, target
