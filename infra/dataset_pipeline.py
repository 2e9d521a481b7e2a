"""The dataset pipeline: a Step Functions state machine behind CreateDataset."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct


class DatasetPipeline(Construct):
    """ImportManifest → DatasetCreated, with every failure caught and reported by DatasetCreationFailed.

    The caught error keeps the handler's error type and message, so that the execution's
    ``error`` and ``cause`` say what went wrong.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        import_function: lambda_.IFunction,
        pipeline_timeout: Duration,
    ) -> None:
        super().__init__(scope, construct_id)
        import_manifest = tasks.LambdaInvoke(
            self,
            "ImportManifest",
            lambda_function=import_function,
            payload_response_only=True,
            result_path="$.Manifest",
            retry_on_service_exceptions=True,
        )
        failed = sfn.Fail(
            self, "DatasetCreationFailed", error_path="$.Failure.Error", cause_path="$.Failure.Cause"
        )
        import_manifest.add_catch(failed, errors=["States.ALL"], result_path="$.Failure")
        definition = import_manifest.next(sfn.Succeed(self, "DatasetCreated"))
        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            definition_body=sfn.DefinitionBody.from_chainable(definition),
            timeout=pipeline_timeout,
            tracing_enabled=False,
        )
