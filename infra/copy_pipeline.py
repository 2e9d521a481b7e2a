"""The copy pipeline behind CopyProjectVersion: a Step Functions state machine::

    CopyModel ─► CopyCompleted
    any failure ─► RecordCopyFailure ─► CopyFailed

``CopyModel`` copies the source model's files and training results and records
``COPYING_COMPLETED`` (:mod:`customlabels.versions.copying`); ``RecordCopyFailure`` records
``COPYING_FAILED`` with the reason. The step's timeout is below the state machine's, so a copy
never stays ``COPYING_IN_PROGRESS`` after its execution ends.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.lambda_steps import lambda_step, record_failure_step


class CopyPipeline(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        copy_function: lambda_.IFunction,
        record_failure_function: lambda_.IFunction,
        steps_timeout: Duration,
    ) -> None:
        super().__init__(scope, construct_id)
        failed = sfn.Fail(self, "CopyFailed", error_path="$.Failure.Error", cause_path="$.Failure.Cause")
        record_failure = record_failure_step(self, "RecordCopyFailure", record_failure_function, failed)

        copy = lambda_step(
            self,
            "CopyModel",
            copy_function,
            payload={"ProjectVersionArn.$": "$.ProjectVersionArn"},
            result_path="$.Result",
        )
        copy.add_catch(record_failure, errors=["States.ALL"], result_path="$.Failure")
        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            definition_body=sfn.DefinitionBody.from_chainable(copy.next(sfn.Succeed(self, "CopyCompleted"))),
            timeout=Duration.minutes(2 * steps_timeout.to_minutes() + 10),
            tracing_enabled=False,
        )
