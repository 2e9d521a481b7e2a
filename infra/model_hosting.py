"""Model hosting behind StartProjectVersion and StopProjectVersion: a state machine, and metering.

One state machine, a branch per operation (the execution input's ``Operation``)::

    StartOrStop ─ StartProjectVersion ► LoadModel ► ProvisionCapacity ► CapacityReady? ─► MarkRunning
                │                                   WaitForCapacity ► CheckCapacity ┘
                ├ StopProjectVersion ─► ReleaseCapacity ► MarkStopped ► ModelStopped
                └ (anything else) ────► UnknownOperation
    MarkRunning ► ModelRunning
    HostingSuperseded ─► Superseded          any other failure ─► RecordFailure ─► HostingFailed

Every step is the hosting function with ``{"Step": <state name>, "State": <the state>}``
(``functions/hosting``); each retries Lambda's transient errors and ``WriteConflict``. A Start or
Stop that a newer one took over ends in ``Superseded`` without touching the model; any other
failure makes the model FAILED with its reason before the execution fails, so a model never stays
STARTING or STOPPING after its execution ends.

The metering function runs on a schedule and publishes each running model's inference units
(``customlabels.hosting.metering``).
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from infra.lambda_steps import lambda_step

START = "StartProjectVersion"
STOP = "StopProjectVersion"


class ModelHosting(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        hosting_function: lambda_.IFunction,
        metering_function: lambda_.IFunction,
        capacity_poll_interval: Duration,
        hosting_timeout: Duration,
        metering_interval: Duration,
    ) -> None:
        super().__init__(scope, construct_id)
        self._function = hosting_function
        failed = sfn.Fail(self, "HostingFailed", error_path="$.Failure.Error", cause_path="$.Failure.Cause")
        record_failure = self._step("RecordFailure", "$.Recorded")
        record_failure.add_catch(failed, errors=["States.ALL"], result_path="$.RecordFailureError")
        record_failure.next(failed)
        superseded = sfn.Succeed(self, "Superseded", comment="A newer Start or Stop owns the model")

        load_model = self._step("LoadModel", "$.Model")
        provision = self._step("ProvisionCapacity", "$.Capacity")
        check = self._step("CheckCapacity", "$.Capacity")
        mark_running = self._step("MarkRunning", "$.Recorded")
        release = self._step("ReleaseCapacity", "$.Released")
        mark_stopped = self._step("MarkStopped", "$.Recorded")
        for work in (load_model, provision, check, mark_running, release, mark_stopped):
            work.add_catch(superseded, errors=["HostingSuperseded"], result_path="$.Superseded")
            work.add_catch(record_failure, errors=["States.ALL"], result_path="$.Failure")

        wait = sfn.Wait(self, "WaitForCapacity", time=sfn.WaitTime.duration(capacity_poll_interval))
        ready = sfn.Choice(self, "CapacityReady")
        ready.when(sfn.Condition.boolean_equals("$.Capacity.Ready", True), mark_running)
        ready.otherwise(wait)
        wait.next(check)
        check.next(ready)
        load_model.next(provision)
        provision.next(ready)
        mark_running.next(sfn.Succeed(self, "ModelRunning"))
        release.next(mark_stopped)
        mark_stopped.next(sfn.Succeed(self, "ModelStopped"))

        choose = sfn.Choice(self, "StartOrStop")
        choose.when(sfn.Condition.string_equals("$.Operation", START), load_model)
        choose.when(sfn.Condition.string_equals("$.Operation", STOP), release)
        choose.otherwise(
            sfn.Fail(
                self,
                "UnknownOperation",
                error="UnknownOperation",
                cause=f"Operation must be {START} or {STOP}",
            )
        )
        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            definition_body=sfn.DefinitionBody.from_chainable(choose),
            timeout=hosting_timeout,
            tracing_enabled=False,
        )
        self.metering_schedule = events.Rule(
            self,
            "MeteringSchedule",
            description="Publishes the inference units of running models",
            schedule=events.Schedule.rate(metering_interval),
            targets=[targets.LambdaFunction(metering_function, retry_attempts=0)],
        )

    def _step(self, state_name: str, result_path: str) -> tasks.LambdaInvoke:
        """The hosting function running ``state_name`` on the whole state, its result at ``result_path``."""
        return lambda_step(
            self,
            state_name,
            self._function,
            payload={"Step": state_name, "State": sfn.JsonPath.entire_payload},
            result_path=result_path,
        )
