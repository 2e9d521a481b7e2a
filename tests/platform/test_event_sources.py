"""Services that invoke Lambda functions (SQS event source mappings, Step Functions tasks) work with
handlers run by the host-process executor."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from tests.platform.support import ACCOUNT_ID, ClientFactory, FunctionDeployer, wait_for

pytestmark = pytest.mark.platform

STATES_ROLE = f"arn:aws:iam::{ACCOUNT_ID}:role/platform-probe-states"


def run_state_machine(
    sfn: Any, definition: dict[str, Any], execution_input: dict[str, Any]
) -> dict[str, Any]:
    machine = sfn.create_state_machine(
        name=f"probe-{uuid.uuid4().hex[:8]}", definition=json.dumps(definition), roleArn=STATES_ROLE
    )
    try:
        execution = sfn.start_execution(
            stateMachineArn=machine["stateMachineArn"], input=json.dumps(execution_input)
        )

        def finished() -> dict[str, Any] | None:
            described: dict[str, Any] = sfn.describe_execution(executionArn=execution["executionArn"])
            return None if described["status"] == "RUNNING" else described

        return wait_for(finished, timeout=30)
    finally:
        sfn.delete_state_machine(stateMachineArn=machine["stateMachineArn"])


def lambda_task(function_arn: str, **fields: Any) -> dict[str, Any]:
    return {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": function_arn, "Payload.$": "$"},
        "OutputPath": "$.Payload",
        **fields,
    }


def test_an_sqs_event_source_mapping_invokes_the_function(
    deploy_function: FunctionDeployer, lambda_client: Any, localstack_client: ClientFactory
) -> None:
    sqs = localstack_client("sqs")
    suffix = uuid.uuid4().hex[:8]
    source_url = sqs.create_queue(QueueName=f"probe-source-{suffix}")["QueueUrl"]
    result_url = sqs.create_queue(QueueName=f"probe-result-{suffix}")["QueueUrl"]
    source_arn = sqs.get_queue_attributes(QueueUrl=source_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    function = deploy_function("forward_sqs_records", environment={"RESULT_QUEUE_URL": result_url})
    mapping = lambda_client.create_event_source_mapping(
        EventSourceArn=source_arn, FunctionName=function["FunctionName"], BatchSize=1
    )
    try:
        wait_for(
            lambda: lambda_client.get_event_source_mapping(UUID=mapping["UUID"])["State"] == "Enabled",
            timeout=30,
        )
        sqs.send_message(QueueUrl=source_url, MessageBody="image-0001.png")

        def forwarded() -> list[dict[str, Any]]:
            messages: list[dict[str, Any]] = sqs.receive_message(QueueUrl=result_url, WaitTimeSeconds=1).get(
                "Messages", []
            )
            return messages

        message = wait_for(forwarded, timeout=30)[0]
        assert json.loads(message["Body"]) == {"body": "image-0001.png", "eventSource": "aws:sqs"}
    finally:
        lambda_client.delete_event_source_mapping(UUID=mapping["UUID"])
        sqs.delete_queue(QueueUrl=source_url)
        sqs.delete_queue(QueueUrl=result_url)


def test_a_state_machine_task_gets_the_lambda_result(
    deploy_function: FunctionDeployer, localstack_client: ClientFactory
) -> None:
    function = deploy_function("add")
    definition = {
        "StartAt": "AddNumbers",
        "States": {"AddNumbers": lambda_task(function["FunctionArn"], End=True)},
    }

    execution = run_state_machine(localstack_client("stepfunctions"), definition, {"a": 2, "b": 40})

    assert execution["status"] == "SUCCEEDED"
    assert json.loads(execution["output"]) == {"sum": 42}


def test_a_state_machine_catches_the_lambda_error_type_and_message(
    deploy_function: FunctionDeployer, localstack_client: ClientFactory
) -> None:
    function = deploy_function("fail")
    definition = {
        "StartAt": "ImportManifest",
        "States": {
            "ImportManifest": lambda_task(
                function["FunctionArn"],
                Catch=[{"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure", "Next": "RecordFailure"}],
                End=True,
            ),
            "RecordFailure": {"Type": "Fail", "ErrorPath": "$.failure.Error", "CausePath": "$.failure.Cause"},
        },
    }

    execution = run_state_machine(
        localstack_client("stepfunctions"), definition, {"message": "manifest is empty"}
    )

    assert execution["status"] == "FAILED"
    assert execution["error"] == "ValueError"
    cause = json.loads(execution["cause"])
    assert (cause["errorType"], cause["errorMessage"]) == ("ValueError", "manifest is empty")
