"""The training pipeline behind CreateProjectVersion: a Step Functions state machine.

ValidateManifests → TrainModel → EvaluateModel → FinalizeVersion → TrainingCompleted. Any failure
is caught by RecordFailure, which marks the version TRAINING_FAILED with the reason, and ends in
TrainingFailed, so a version never stays TRAINING_IN_PROGRESS after its execution ends.
"""

from __future__ import annotations

from typing import Protocol

from aws_cdk import Duration
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct


class TrainingCompute(Protocol):
    """Builds the task that runs the training job and finishes when it does."""

    def task(self, scope: Construct, state_name: str) -> sfn.TaskStateBase: ...


class TrainingPipeline(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        validate_function: lambda_.IFunction,
        training_compute: TrainingCompute,
        evaluate_function: lambda_.IFunction,
        finalize_function: lambda_.IFunction,
        record_failure_function: lambda_.IFunction,
        pipeline_timeout: Duration,
    ) -> None:
        super().__init__(scope, construct_id)
        version_only = sfn.TaskInput.from_object({"ProjectVersionArn.$": "$.ProjectVersionArn"})
        validate = self._step("ValidateManifests", validate_function, version_only, "$.Validation")
        train = training_compute.task(self, "TrainModel")
        evaluate = self._step("EvaluateModel", evaluate_function, version_only, "$.Evaluation")
        finalize = self._step(
            "FinalizeVersion",
            finalize_function,
            sfn.TaskInput.from_object(
                {"ProjectVersionArn.$": "$.ProjectVersionArn", "Training.$": "$.Training"}
            ),
            "$.Result",
        )
        record_failure = self._step(
            "RecordFailure",
            record_failure_function,
            sfn.TaskInput.from_object(
                {"ProjectVersionArn.$": "$.ProjectVersionArn", "Failure.$": "$.Failure"}
            ),
            "$.Recorded",
        )
        record_failure.add_retry(errors=["States.ALL"], max_attempts=3, interval=Duration.seconds(2))
        record_failure.next(
            sfn.Fail(self, "TrainingFailed", error_path="$.Failure.Error", cause_path="$.Failure.Cause")
        )
        for step in (validate, train, evaluate, finalize):
            step.add_catch(record_failure, errors=["States.ALL"], result_path="$.Failure")
        definition = (
            validate.next(train).next(evaluate).next(finalize).next(sfn.Succeed(self, "TrainingCompleted"))
        )
        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            definition_body=sfn.DefinitionBody.from_chainable(definition),
            timeout=pipeline_timeout,
        )

    def _step(
        self, state_name: str, function: lambda_.IFunction, payload: sfn.TaskInput, result_path: str
    ) -> tasks.LambdaInvoke:
        return tasks.LambdaInvoke(
            self,
            state_name,
            lambda_function=function,
            payload=payload,
            payload_response_only=True,
            result_path=result_path,
            retry_on_service_exceptions=True,
        )
