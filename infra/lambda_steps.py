"""The Lambda task every state machine here is built from.

Each step runs a Python handler of ``functions/`` and puts its result at ``result_path``; Lambda's
transient errors are retried (``retry_on_service_exceptions``) and so is ``WriteConflict``, which a
handler raises when a conditional write of a record kept losing races (:mod:`customlabels.store`).
"""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct


def lambda_step(
    scope: Construct,
    state_name: str,
    function: lambda_.IFunction,
    *,
    result_path: str,
    payload: dict[str, Any] | None = None,
) -> tasks.LambdaInvoke:
    """A step invoking ``function`` with ``payload`` (the whole state when None)."""
    step = tasks.LambdaInvoke(
        scope,
        state_name,
        lambda_function=function,
        payload=sfn.TaskInput.from_object(payload) if payload is not None else None,
        payload_response_only=True,
        result_path=result_path,
        retry_on_service_exceptions=True,
    )
    step.add_retry(errors=["WriteConflict"], interval=Duration.seconds(1), max_attempts=4, backoff_rate=2.0)
    return step


def record_failure_step(
    scope: Construct, state_name: str, function: lambda_.IFunction, failed: sfn.Fail
) -> tasks.LambdaInvoke:
    """The step every failure of a model's pipeline goes to: ``function`` records it on the model
    (``{"ProjectVersionArn", "Failure": {"Error", "Cause"}}``), then the execution fails. Should
    recording fail too, the execution still fails, with the original error."""
    step = lambda_step(
        scope,
        state_name,
        function,
        payload={"ProjectVersionArn.$": "$.ProjectVersionArn", "Failure.$": "$.Failure"},
        result_path="$.Recorded",
    )
    step.add_retry(errors=["States.ALL"], interval=Duration.seconds(2), max_attempts=3)
    step.add_catch(failed, errors=["States.ALL"], result_path="$.RecordFailureError")
    step.next(failed)
    return step
