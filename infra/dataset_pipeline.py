"""The dataset pipeline behind CreateDataset, UpdateDatasetEntries and DistributeDatasetEntries.

One state machine, a branch per operation (the execution input's ``Operation``)::

    ChooseOperation ─ CreateDataset ──────────► ImportEntries ─────┐
                    ├ UpdateDatasetEntries ───► ApplyChanges ──────┼─► RecordEntries ─► DatasetReady
                    ├ DistributeDatasetEntries ► DistributeEntries ┘
                    └ (anything else) ────────► UnknownOperation
    any failure ─► RecordFailure ─► DatasetOperationFailed

The work steps write a new revision of the entries without touching the dataset; RecordEntries
switches the dataset to it (status, stats and entries at once); RecordFailure marks the dataset
``CREATE_FAILED``/``UPDATE_FAILED`` with the guide's message, so a dataset never stays
``*_IN_PROGRESS`` after its execution ends and a failed update keeps its previous entries.
Every step retries Lambda's own transient errors; the recording steps also retry
``WriteConflict`` (a conditional write of the project document that kept losing races).
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

CREATE = "CreateDataset"
UPDATE = "UpdateDatasetEntries"
DISTRIBUTE = "DistributeDatasetEntries"


class DatasetPipeline(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        import_entries_function: lambda_.IFunction,
        apply_changes_function: lambda_.IFunction,
        distribute_entries_function: lambda_.IFunction,
        record_entries_function: lambda_.IFunction,
        record_failure_function: lambda_.IFunction,
        pipeline_timeout: Duration,
    ) -> None:
        super().__init__(scope, construct_id)
        self.import_entries_function = import_entries_function
        failed = sfn.Fail(
            self, "DatasetOperationFailed", error_path="$.Failure.Error", cause_path="$.Failure.Cause"
        )
        record_failure = self._step("RecordFailure", record_failure_function, "$.FailureRecorded")
        self._retry_lost_races(record_failure)
        # Should recording fail too, the execution still fails with the original error.
        record_failure.add_catch(failed, errors=["States.ALL"], result_path="$.RecordFailureError")
        record_failure.next(failed)

        record_entries = self._step("RecordEntries", record_entries_function, "$.Recorded")
        self._retry_lost_races(record_entries)
        record_entries.add_catch(record_failure, errors=["States.ALL"], result_path="$.Failure")
        record_entries.next(sfn.Succeed(self, "DatasetReady"))

        work = {
            CREATE: self._step("ImportEntries", import_entries_function, "$.Entries"),
            UPDATE: self._step("ApplyChanges", apply_changes_function, "$.Entries"),
            DISTRIBUTE: self._step("DistributeEntries", distribute_entries_function, "$.Entries"),
        }
        choose = sfn.Choice(self, "ChooseOperation")
        for operation, step in work.items():
            step.add_catch(record_failure, errors=["States.ALL"], result_path="$.Failure")
            step.next(record_entries)
            choose.when(sfn.Condition.string_equals("$.Operation", operation), step)
        choose.otherwise(
            sfn.Fail(
                self,
                "UnknownOperation",
                error="UnknownOperation",
                cause=f"Operation must be one of {', '.join(work)}",
            )
        )
        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            definition_body=sfn.DefinitionBody.from_chainable(choose),
            timeout=pipeline_timeout,
            tracing_enabled=False,
        )

    def _step(self, state_name: str, function: lambda_.IFunction, result_path: str) -> tasks.LambdaInvoke:
        """A Lambda step that gets the whole state and adds its result at ``result_path``."""
        return tasks.LambdaInvoke(
            self,
            state_name,
            lambda_function=function,
            payload_response_only=True,
            result_path=result_path,
            retry_on_service_exceptions=True,
        )

    @staticmethod
    def _retry_lost_races(step: tasks.LambdaInvoke) -> None:
        step.add_retry(
            errors=["WriteConflict"], interval=Duration.seconds(1), max_attempts=4, backoff_rate=2.0
        )
