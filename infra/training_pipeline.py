"""The training pipeline behind CreateProjectVersion: a Step Functions state machine::

    ValidateManifests ─► TrainModel ─► FinalizeVersion ─► TrainingCompleted
    any failure ─► RecordFailure ─► TrainingFailed

``ValidateManifests`` writes the guide's validation results and stages the job's input;
``TrainModel`` trains, exports and evaluates (a Lambda step or a Batch GPU job, see
``infra/training_compute.py``); ``FinalizeVersion`` records ``TRAINING_COMPLETED`` with the
evaluation. There is no separate evaluation state: the job evaluates the exported ONNX model
itself, because each label's assumed threshold, which that evaluation picks, belongs in the
``model.json`` the job publishes, and a second state would copy the whole test set again.

Every failure is caught by ``RecordFailure``, which marks the model ``TRAINING_FAILED`` with the
guide's message; each step has a timeout below the state machine's, so a model never stays
``TRAINING_IN_PROGRESS`` after its execution ends. The recording steps retry ``WriteConflict``
(a conditional write of the model's document that kept losing races).
"""

from __future__ import annotations

from typing import Protocol

from aws_cdk import Duration
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.lambda_steps import lambda_step, record_failure_step


class TrainingCompute(Protocol):
    """Builds the task that runs the training job and finishes when it does."""

    @property
    def timeout(self) -> Duration: ...

    def task(self, scope: Construct, state_name: str) -> sfn.TaskStateBase: ...


class TrainingPipeline(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        validate_function: lambda_.IFunction,
        training_compute: TrainingCompute,
        finalize_function: lambda_.IFunction,
        record_failure_function: lambda_.IFunction,
        steps_timeout: Duration,
    ) -> None:
        super().__init__(scope, construct_id)
        failed = sfn.Fail(self, "TrainingFailed", error_path="$.Failure.Error", cause_path="$.Failure.Cause")
        record_failure = record_failure_step(self, "RecordFailure", record_failure_function, failed)

        version_only = {"ProjectVersionArn.$": "$.ProjectVersionArn"}
        validate = lambda_step(
            self, "ValidateManifests", validate_function, payload=version_only, result_path="$.Validation"
        )
        train = training_compute.task(self, "TrainModel")
        finalize = lambda_step(
            self, "FinalizeVersion", finalize_function, payload=version_only, result_path="$.Result"
        )
        for step in (validate, train, finalize):
            step.add_catch(record_failure, errors=["States.ALL"], result_path="$.Failure")
        definition = validate.next(train).next(finalize).next(sfn.Succeed(self, "TrainingCompleted"))
        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            definition_body=sfn.DefinitionBody.from_chainable(definition),
            # The steps end first (each one's own timeout), leaving RecordFailure time to run.
            timeout=Duration.minutes(
                training_compute.timeout.to_minutes() + 3 * steps_timeout.to_minutes() + 30
            ),
            tracing_enabled=False,
        )
