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


def test_dataset_pipeline_catches_failures_into_a_fail_state(local_template: Template) -> None:
    machines = local_template.find_resources("AWS::StepFunctions::StateMachine")
    assert len(machines) == 1
    definition = _definition(dict(next(iter(machines.values()))))
    states = definition["States"]
    assert definition["StartAt"] == "ImportManifest"
    assert states["ImportManifest"]["Catch"] == [
        {"ErrorEquals": ["States.ALL"], "ResultPath": "$.Failure", "Next": "DatasetCreationFailed"}
    ]
    assert states["ImportManifest"]["Next"] == "DatasetCreated"
    assert states["DatasetCreationFailed"] == {
        "Type": "Fail",
        "ErrorPath": "$.Failure.Error",
        "CausePath": "$.Failure.Cause",
    }


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
        "functions.datasets.handler.import_manifest",
        "functions.batch.handler.handler",
    }
