"""Inference units as provisioned concurrency: the Lambda and Application Auto Scaling calls,
checked against botocore's own models with its Stubber (neither service's provisioned
concurrency scaling runs on LocalStack's community edition); and the recorded units of ``local``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from customlabels.hosting.capacity import (
    PROVISIONED_CONCURRENCY,
    RECORDED,
    SCALABLE_DIMENSION,
    CapacityState,
    ProvisionedConcurrency,
    RecordedCapacity,
    alias_name,
    detection_qualifier,
)
from customlabels.resources.records import ProjectVersion
from customlabels.resources.status import ProjectVersionStatus

FUNCTION = "detect-fn"
MODEL_ARN = "arn:aws:rekognition:us-east-1:123456789012:project/p/version/v1/1700000000000"


def version(min_units: int | None = 2, max_units: int | None = None) -> ProjectVersion:
    return ProjectVersion(
        region="us-east-1",
        account="123456789012",
        project_name="p",
        name="v1",
        created_ms=1700000000000,
        status=ProjectVersionStatus.STARTING,
        status_message="",
        min_inference_units=min_units,
        max_inference_units=max_units,
    )


@pytest.fixture
def stubs() -> Iterator[tuple[Stubber, Stubber, ProvisionedConcurrency]]:
    credentials: dict[str, Any] = {
        "region_name": "us-east-1",
        "aws_access_key_id": "x",
        "aws_secret_access_key": "x",
    }
    lambda_client = boto3.client("lambda", **credentials)
    autoscaling = boto3.client("application-autoscaling", **credentials)
    capacity = ProvisionedConcurrency(
        lambda_client, autoscaling, function_name=FUNCTION, function_version="7"
    )
    with Stubber(lambda_client) as lambda_stub, Stubber(autoscaling) as scaling_stub:
        yield lambda_stub, scaling_stub, capacity
        lambda_stub.assert_no_pending_responses()
        scaling_stub.assert_no_pending_responses()


def test_alias_names_are_valid_and_stable() -> None:
    alias = alias_name(MODEL_ARN)
    assert re.fullmatch(r"model-[0-9a-f]{24}", alias) and alias == alias_name(MODEL_ARN)
    assert alias != alias_name(MODEL_ARN.replace("v1", "v2"))
    assert detection_qualifier(PROVISIONED_CONCURRENCY, MODEL_ARN) == alias
    assert detection_qualifier(RECORDED, MODEL_ARN) is None


def test_recorded_units_are_ready_at_once() -> None:
    recorded = RecordedCapacity()
    recorded.provision(version(3), 3, 5)
    assert recorded.state(version(3)) == CapacityState(ready=True, desired=3, in_service=3)
    assert recorded.qualifier(version()) is None
    recorded.release(version(3))


def test_max_units_scale_the_alias_between_min_and_max(stubs: Any) -> None:
    lambda_stub, scaling_stub, capacity = stubs
    alias = alias_name(MODEL_ARN)
    resource = f"function:{FUNCTION}:{alias}"
    lambda_stub.add_response(
        "create_alias",
        {"AliasArn": "arn", "Name": alias, "FunctionVersion": "7"},
        {"FunctionName": FUNCTION, "Name": alias, "FunctionVersion": "7", "Description": ANY},
    )
    lambda_stub.add_response(
        "put_provisioned_concurrency_config",
        {"RequestedProvisionedConcurrentExecutions": 2, "Status": "IN_PROGRESS"},
        {"FunctionName": FUNCTION, "Qualifier": alias, "ProvisionedConcurrentExecutions": 2},
    )
    scaling_stub.add_response(
        "register_scalable_target",
        {},
        {
            "ServiceNamespace": "lambda",
            "ResourceId": resource,
            "ScalableDimension": SCALABLE_DIMENSION,
            "MinCapacity": 2,
            "MaxCapacity": 5,
        },
    )
    scaling_stub.add_response(
        "put_scaling_policy",
        {"PolicyARN": "arn:policy", "Alarms": []},
        {
            "PolicyName": ANY,
            "ServiceNamespace": "lambda",
            "ResourceId": resource,
            "ScalableDimension": SCALABLE_DIMENSION,
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": 0.7,
                "PredefinedMetricSpecification": {
                    "PredefinedMetricType": "LambdaProvisionedConcurrencyUtilization"
                },
            },
        },
    )
    capacity.provision(version(2, 5), 2, 5)


def test_a_restart_without_max_units_updates_the_alias_and_drops_auto_scaling(stubs: Any) -> None:
    lambda_stub, scaling_stub, capacity = stubs
    lambda_stub.add_client_error("create_alias", "ResourceConflictException")
    lambda_stub.add_response("update_alias", {"Name": alias_name(MODEL_ARN), "FunctionVersion": "7"})
    lambda_stub.add_response("put_provisioned_concurrency_config", {"Status": "IN_PROGRESS"})
    scaling_stub.add_client_error("deregister_scalable_target", "ObjectNotFoundException")
    capacity.provision(version(1), 1, None)  # guide L7827: no MaxInferenceUnits, no auto scaling


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (
            {
                "Status": "READY",
                "RequestedProvisionedConcurrentExecutions": 3,
                "AllocatedProvisionedConcurrentExecutions": 3,
            },
            CapacityState(ready=True, desired=3, in_service=3),
        ),
        (
            {
                "Status": "IN_PROGRESS",
                "RequestedProvisionedConcurrentExecutions": 3,
                "AllocatedProvisionedConcurrentExecutions": 1,
            },
            CapacityState(ready=False, desired=3, in_service=1),
        ),
        (
            {
                "Status": "FAILED",
                "StatusReason": "not enough concurrency",
                "RequestedProvisionedConcurrentExecutions": 3,
            },
            CapacityState(ready=False, desired=3, in_service=0, failure="not enough concurrency"),
        ),
    ],
)
def test_the_state_is_lambdas_allocation(stubs: Any, reply: dict[str, Any], expected: CapacityState) -> None:
    lambda_stub, _, capacity = stubs
    lambda_stub.add_response(
        "get_provisioned_concurrency_config",
        reply,
        {"FunctionName": FUNCTION, "Qualifier": alias_name(MODEL_ARN)},
    )
    assert capacity.state(version()) == expected


def test_release_removes_whatever_exists(stubs: Any) -> None:
    lambda_stub, scaling_stub, capacity = stubs
    scaling_stub.add_response("deregister_scalable_target", {})
    lambda_stub.add_client_error("delete_provisioned_concurrency_config", "ResourceNotFoundException")
    lambda_stub.add_response("delete_alias", {}, {"FunctionName": FUNCTION, "Name": alias_name(MODEL_ARN)})
    capacity.release(version())
