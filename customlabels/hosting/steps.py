"""The hosting state machine's steps: starting a model until it serves, stopping it until it is gone.

The state machine (``infra/model_hosting.py``) reads like the process::

    StartOrStop ─ StartProjectVersion ► LoadModel ► ProvisionCapacity ► CapacityReady? ─► MarkRunning
                │                                   WaitForCapacity ► CheckCapacity ┘
                └ StopProjectVersion ─► ReleaseCapacity ► MarkStopped
    HostingSuperseded ─► Superseded (the model was handed to a newer Start or Stop)
    any other failure ─► RecordFailure ─► HostingFailed

``STARTING`` becomes ``RUNNING`` only after the model's files were downloaded and loaded once
(LoadModel) and its inference units are in service (the capacity's READY); a failure on the way
makes the model ``FAILED`` with a StatusMessage that says why, and releases what was reserved.
``STOPPING`` becomes ``STOPPED`` once the units are released (guide L7861-8720). Each step acts
only while the model carries the operation's id (:mod:`customlabels.hosting.request`), so an
interrupted Start cannot overwrite the Stop that interrupted it.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from customlabels.hosting.capacity import ModelCapacity
from customlabels.hosting.errors import HostingError, HostingSuperseded
from customlabels.hosting.metering import Metering
from customlabels.hosting.request import START, HostingRequest
from customlabels.resources import arns
from customlabels.resources.records import ProjectVersion
from customlabels.resources.repository import Repository
from customlabels.resources.status import SERVICE_ISSUE, ProjectVersionStatus, change_version_status

logger = logging.getLogger(__name__)

V = ProjectVersionStatus
# Lambda allocates provisioned concurrency in a few minutes; past this, starting has failed.
CAPACITY_TIMEOUT_S = 15 * 60


Verify = Callable[[ProjectVersion], str]
"""Downloads and loads a model once; returns the artifact tag to serve, raises HostingError."""


@dataclass
class HostingSteps:
    """The steps, wired to a deployment's models, capacity and metrics.

    Args:
        repository: the models' records.
        capacity: reserves and releases inference units.
        verify: loads the model once (:meth:`customlabels.hosting.models.ModelVerifier.verify`).
        metering: publishes the usage metrics (None: not published).
        clock: epoch seconds.
    """

    repository: Repository
    capacity: ModelCapacity
    verify: Verify
    metering: Metering | None = None
    clock: Callable[[], float] = time.time
    capacity_timeout_s: float = CAPACITY_TIMEOUT_S

    def run(self, step: str, event: dict[str, Any]) -> dict[str, Any]:
        """Run the state machine's step named ``step`` (``LoadModel``, ...) on the state ``event``.

        Raises:
            ValueError: no such step.
        """
        steps = {
            "LoadModel": self.load_model,
            "ProvisionCapacity": self.provision_capacity,
            "CheckCapacity": self.check_capacity,
            "MarkRunning": self.mark_running,
            "ReleaseCapacity": self.release_capacity,
            "MarkStopped": self.mark_stopped,
            "RecordFailure": self.record_failure,
        }
        if step not in steps:
            raise ValueError(f"Step must be one of {', '.join(steps)}, got {step!r}")
        return steps[step](event)

    # Starting
    def load_model(self, event: dict[str, Any]) -> dict[str, Any]:
        """``LoadModel``: download and load the model's files once; remember which files they were."""
        request = HostingRequest.from_event(event)
        version = self._current(request, V.STARTING)
        etag = self.verify(version)

        def remember(current: ProjectVersion) -> None:
            self._check_operation(request, current, V.STARTING)
            current.serving_etag = etag

        self.repository.update_version(version, remember)
        return {"ArtifactEtag": etag}

    def provision_capacity(self, event: dict[str, Any]) -> dict[str, Any]:
        """``ProvisionCapacity``: reserve MinInferenceUnits (scaling up to MaxInferenceUnits)."""
        request = HostingRequest.from_event(event)
        version = self._current(request, V.STARTING)
        min_units = version.min_inference_units or 1
        self.capacity.provision(version, min_units, version.max_inference_units)
        return self._capacity_state(version, since=self.clock())

    def check_capacity(self, event: dict[str, Any]) -> dict[str, Any]:
        """``CheckCapacity``: whether the units are in service yet (failing after the timeout)."""
        request = HostingRequest.from_event(event)
        version = self._current(request, V.STARTING)
        since = float(event["Capacity"]["Since"])
        state = self._capacity_state(version, since=since)
        if not state["Ready"] and self.clock() - since > self.capacity_timeout_s:
            raise HostingError(
                f"The model could not be started: its {version.min_inference_units} inference units were "
                f"not in service after {self.capacity_timeout_s / 60:.0f} minutes."
            )
        return state

    def mark_running(self, event: dict[str, Any]) -> dict[str, Any]:
        """``MarkRunning``: STARTING → RUNNING, then the first usage sample."""
        request = HostingRequest.from_event(event)
        version = self._change(request, V.STARTING, V.RUNNING)
        if self.metering is not None:
            try:
                self.metering.report([version])
            except Exception:  # metrics must not fail a model that runs; the next sample comes in a minute
                logger.exception("cannot publish the first usage sample of %s", version.arn)
        return {"Status": version.status}

    # Stopping
    def release_capacity(self, event: dict[str, Any]) -> dict[str, Any]:
        """``ReleaseCapacity``: give back the model's inference units."""
        request = HostingRequest.from_event(event)
        version = self._current(request, V.STOPPING)
        self.capacity.release(version)
        return {"Released": True}

    def mark_stopped(self, event: dict[str, Any]) -> dict[str, Any]:
        """``MarkStopped``: STOPPING → STOPPED."""
        request = HostingRequest.from_event(event)
        return {"Status": self._change(request, V.STOPPING, V.STOPPED).status}

    # Failing
    def record_failure(self, event: dict[str, Any]) -> dict[str, Any]:
        """``RecordFailure``: the model is FAILED with the reason, and holds no capacity.

        A model that has moved on to another operation is left alone (the failure is only
        logged): its new operation decides its status.
        """
        request = HostingRequest.from_event(event)
        message = failure_message(request, event.get("Failure") or {})
        expected = V.STARTING if request.operation == START else V.STOPPING
        try:
            version = self._current(request, expected)
            try:
                self.capacity.release(version)
            except Exception:  # recorded as FAILED anyway; StopProjectVersion retries the release
                logger.exception("cannot release the inference units of %s", version.arn)
            failed = self._change(request, expected, V.FAILED, message=message)
        except HostingSuperseded as superseded:
            logger.info("not recording the failure (%s): %s", message, superseded)
            return {"Status": None, "StatusMessage": message}
        return {"Status": failed.status, "StatusMessage": failed.status_message}

    # Helpers
    def _capacity_state(self, version: ProjectVersion, *, since: float) -> dict[str, Any]:
        state = self.capacity.state(version)
        if state.failure:
            raise HostingError(
                f"The model could not be started: its {version.min_inference_units} inference units could "
                f"not be provisioned ({state.failure})."
            )
        return {**state.to_event(), "Since": since}

    def _current(self, request: HostingRequest, status: ProjectVersionStatus) -> ProjectVersion:
        ref = arns.parse_version_arn(request.version_arn)
        version = None
        if ref is not None:
            version = self.repository.get_version_at(ref.project, ref.version, ref.created_ms)
        if version is None:
            raise HostingSuperseded(f"the model {request.version_arn} no longer exists")
        self._check_operation(request, version, status)
        return version

    def _change(
        self,
        request: HostingRequest,
        current_status: ProjectVersionStatus,
        target: ProjectVersionStatus,
        *,
        message: str | None = None,
    ) -> ProjectVersion:
        version = self._current(request, current_status)

        def change(current: ProjectVersion) -> None:
            self._check_operation(request, current, current_status)
            change_version_status(current, target, message=message)

        return self.repository.update_version(version, change)

    @staticmethod
    def _check_operation(
        request: HostingRequest, version: ProjectVersion, status: ProjectVersionStatus
    ) -> None:
        if version.hosting_operation_id != request.operation_id or version.status != status:
            raise HostingSuperseded(
                f"the model {version.arn} is {version.status} under operation "
                f"{version.hosting_operation_id}, not {status} under {request.operation_id}"
            )


def failure_message(request: HostingRequest, failure: dict[str, Any]) -> str:
    """The StatusMessage for a caught failure: a HostingError's own message, else the service issue.

    Step Functions catches a Lambda error as ``{"Error": <exception type>, "Cause": <JSON with
    errorMessage>}``.
    """
    if failure.get("Error") == HostingError.__name__:
        try:
            cause = json.loads(failure.get("Cause") or "{}")
        except ValueError:
            cause = {}
        if isinstance(cause, dict) and cause.get("errorMessage"):
            return str(cause["errorMessage"])
    logger.error("%s of %s failed: %s", request.operation, request.version_arn, failure)
    return SERVICE_ISSUE
