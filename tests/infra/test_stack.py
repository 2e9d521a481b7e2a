"""Template assertions on the synthesized stack, for both targets (no AWS needed)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Match, Template

from infra.stack import CustomLabelsStack
from infra.target import Deployment

REPO_ROOT = Path(__file__).resolve().parents[2]


def synthesize(target: str) -> Template:
    app = cdk.App(context={"target": target})
    stack = CustomLabelsStack(
        app, "CustomLabels", deployment=Deployment.for_target(target), repo_root=REPO_ROOT
    )
    return Template.from_stack(stack)


@pytest.fixture(scope="module", params=["local", "aws"])
def template(request: pytest.FixtureRequest) -> Template:
    return synthesize(request.param)


@pytest.fixture(scope="module")
def local_template() -> Template:
    return synthesize("local")


def test_unknown_target_is_refused() -> None:
    with pytest.raises(ValueError, match="must be one of aws, local"):
        Deployment.for_target("azure")


def test_bucket_is_versioned_encrypted_and_private(template: Template) -> None:
    template.has_resource_properties(
        "AWS::S3::Bucket",
        {
            "VersioningConfiguration": {"Status": "Enabled"},
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
                ]
            },
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
        },
    )


def test_bucket_policy_denies_requests_without_tls(template: Template) -> None:
    template.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Action": "s3:*",
                                "Principal": {"AWS": "*"},
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        )
                    ]
                )
            }
        },
    )


def _statements(template: Template) -> list[dict[str, Any]]:
    statements: list[dict[str, Any]] = []
    for resource_type in ("AWS::IAM::Policy", "AWS::IAM::Role"):
        for resource in template.find_resources(resource_type).values():
            properties = resource["Properties"]
            documents = [properties.get("PolicyDocument")] + [
                policy["PolicyDocument"] for policy in properties.get("Policies", [])
            ]
            for document in filter(None, documents):
                statements += document["Statement"]
    return statements


def test_no_iam_statement_grants_every_action_on_every_resource(template: Template) -> None:
    statements = _statements(template)
    assert statements, "expected the functions to have IAM policies"
    for statement in statements:
        actions = statement.get("Action", [])
        resources = statement.get("Resource", [])
        actions = [actions] if isinstance(actions, str) else actions
        resources = [resources] if isinstance(resources, (str, dict)) else resources
        assert not ("*" in actions and "*" in resources), statement


def test_batch_uploads_go_through_a_queue_with_a_dead_letter_queue(template: Template) -> None:
    template.resource_count_is("AWS::SQS::Queue", 2)
    template.has_resource_properties(
        "AWS::SQS::Queue", {"RedrivePolicy": {"deadLetterTargetArn": Match.any_value(), "maxReceiveCount": 3}}
    )
    template.has_resource_properties(
        "AWS::Lambda::EventSourceMapping",
        {"FunctionResponseTypes": ["ReportBatchItemFailures"], "BatchSize": 10},
    )


def test_aws_configures_notifications_with_cdks_custom_resource() -> None:
    synthesize("aws").has_resource_properties(
        "Custom::S3BucketNotifications",
        {
            "NotificationConfiguration": {
                "QueueConfigurations": [
                    Match.object_like(
                        {
                            "Events": ["s3:ObjectCreated:*"],
                            "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "batch-input/"}]}},
                        }
                    )
                ]
            }
        },
    )


def test_local_configures_notifications_on_the_bucket(local_template: Template) -> None:
    local_template.resource_count_is("Custom::S3BucketNotifications", 0)
    local_template.has_resource_properties(
        "AWS::S3::Bucket",
        {
            "NotificationConfiguration": {
                "QueueConfigurations": [
                    {
                        "Event": "s3:ObjectCreated:*",
                        "Queue": {"Fn::GetAtt": [Match.string_like_regexp("BatchLabelingUploads"), "Arn"]},
                        "Filter": {"S3Key": {"Rules": [{"Name": "prefix", "Value": "batch-input/"}]}},
                    }
                ]
            }
        },
    )


def _dataset_pipeline(template: Template) -> dict[str, Any]:
    machines = template.find_resources("AWS::StepFunctions::StateMachine")
    (machine,) = [m for m in machines.values() if "ChooseOperation" in json.dumps(m)]
    return _definition(dict(machine))


def test_dataset_pipeline_branches_on_the_operation(local_template: Template) -> None:
    definition = _dataset_pipeline(local_template)
    states = definition["States"]
    assert definition["StartAt"] == "ChooseOperation"
    choices = {c["StringEquals"]: c["Next"] for c in states["ChooseOperation"]["Choices"]}
    assert choices == {
        "CreateDataset": "ImportEntries",
        "UpdateDatasetEntries": "ApplyChanges",
        "DistributeDatasetEntries": "DistributeEntries",
    }
    assert all(c["Variable"] == "$.Operation" for c in states["ChooseOperation"]["Choices"])
    assert states[states["ChooseOperation"]["Default"]]["Type"] == "Fail"
    for work in ("ImportEntries", "ApplyChanges", "DistributeEntries"):
        assert states[work]["Next"] == "RecordEntries"
        assert states[work]["ResultPath"] == "$.Entries"
    assert states["RecordEntries"]["Next"] == "DatasetReady"
    assert states["DatasetReady"] == {"Type": "Succeed"}


def test_every_dataset_step_has_a_result_path_retries_and_records_failures(local_template: Template) -> None:
    states = _dataset_pipeline(local_template)["States"]
    tasks = {name: state for name, state in states.items() if state["Type"] == "Task"}
    assert set(tasks) == {
        "ImportEntries",
        "ApplyChanges",
        "DistributeEntries",
        "RecordEntries",
        "RecordFailure",
    }
    for name, state in tasks.items():
        assert state["ResultPath"].startswith("$."), name
        retried = {error for rule in state["Retry"] for error in rule["ErrorEquals"]}
        assert "Lambda.ServiceException" in retried, name
    for name in ("RecordEntries", "RecordFailure"):
        assert any(rule["ErrorEquals"] == ["WriteConflict"] for rule in tasks[name]["Retry"]), name
    for name in ("ImportEntries", "ApplyChanges", "DistributeEntries", "RecordEntries"):
        assert tasks[name]["Catch"] == [
            {"ErrorEquals": ["States.ALL"], "ResultPath": "$.Failure", "Next": "RecordFailure"}
        ]
    assert tasks["RecordFailure"]["Next"] == "DatasetOperationFailed"
    assert tasks["RecordFailure"]["Catch"][0]["Next"] == "DatasetOperationFailed"
    assert tasks["RecordFailure"]["Catch"][0]["ResultPath"] != "$.Failure"  # the original error is kept
    assert states["DatasetOperationFailed"] == {
        "Type": "Fail",
        "ErrorPath": "$.Failure.Error",
        "CausePath": "$.Failure.Cause",
    }


def _actions_on(template: Template, function_id: str) -> dict[str, set[str]]:
    """Every S3 action the role of the function ``function_id`` is granted, by resource (joined)."""
    roles = [
        name
        for name, function in template.find_resources("AWS::Lambda::Function").items()
        if name.startswith(function_id)
    ]
    (function,) = roles
    role_ref = template.find_resources("AWS::Lambda::Function")[function]["Properties"]["Role"]["Fn::GetAtt"][
        0
    ]
    granted: dict[str, set[str]] = {}
    for policy in template.find_resources("AWS::IAM::Policy").values():
        if {"Ref": role_ref} not in policy["Properties"]["Roles"]:
            continue
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            resources = (
                statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            )
            for resource in resources:
                key = json.dumps(resource) if not isinstance(resource, str) else resource
                granted.setdefault(_resource_suffix(key), set()).update(
                    a for a in actions if a.startswith("s3:")
                )
    return granted


def _resource_suffix(resource: str) -> str:
    """``"...Arn"]}, "/_meta/datasets/*"]]}`` -> ``/_meta/datasets/*``; the bucket itself -> ``bucket``."""
    for suffix in ("/_meta/datasets/*", "/_meta/catalog/*", "/_meta/*", "/*"):
        if suffix in resource:
            return suffix
    return "bucket"


def test_dataset_steps_have_least_privilege(local_template: Template) -> None:
    import_grants = _actions_on(local_template, "DatasetImportFunction")
    assert "s3:GetObject*" in import_grants["/*"]  # manifests anywhere in the data bucket
    assert "s3:List*" in import_grants["bucket"]  # a missing manifest is "not found", not "denied"
    assert "s3:PutObject" in import_grants["/_meta/datasets/*"]
    for work in ("DatasetImportFunction", "DatasetUpdateFunction", "DatasetDistributeFunction"):
        grants = _actions_on(local_template, work)
        assert "/_meta/catalog/*" not in grants, work  # the work steps never write dataset records
        assert not any("Delete" in action for actions in grants.values() for action in actions), work
    for recorder in ("DatasetRecordFunction", "DatasetRecordFailureFunction"):
        grants = _actions_on(local_template, recorder)
        assert "s3:PutObject" in grants["/_meta/catalog/*"], recorder
        assert "s3:DeleteObject*" in grants["/_meta/datasets/*"], recorder
        assert "/*" not in grants, recorder  # nothing outside the metadata


def _definition(state_machine: Mapping[str, Any]) -> dict[str, Any]:
    """Join the Fn::Join'ed definition string, replacing tokens with a placeholder."""
    parts = state_machine["Properties"]["DefinitionString"]["Fn::Join"][1]
    return json.loads("".join(part if isinstance(part, str) else "TOKEN" for part in parts))


def test_targets_package_functions_differently() -> None:
    images = synthesize("aws").find_resources(
        "AWS::Lambda::Function", {"Properties": {"PackageType": "Image"}}
    )
    assert len(images) >= 2
    local_functions = synthesize("local").find_resources(
        "AWS::Lambda::Function", {"Properties": {"Handler": Match.string_like_regexp(r"^functions\.")}}
    )
    assert {f["Properties"]["Handler"] for f in local_functions.values()} >= {
        "functions.datasets.handler.import_entries",
        "functions.datasets.handler.apply_changes",
        "functions.datasets.handler.distribute_entries",
        "functions.datasets.handler.record_entries",
        "functions.datasets.handler.record_failure",
        "functions.batch.handler.handler",
    }
