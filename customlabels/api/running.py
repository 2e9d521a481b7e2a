"""StartProjectVersion and StopProjectVersion (guide L7790-8720).

The API checks the request and the model's status, moves the model to ``STARTING`` or
``STOPPING`` under a new hosting operation id (so that a Stop takes over from a Start still in
flight, see :mod:`customlabels.hosting.request`) and hands it to model hosting, which reports
``RUNNING`` / ``STOPPED`` (or ``FAILED``) when done, the states the ``ProjectVersionRunning``
waiter and the guide's polling samples look for. Without model hosting in the deployment the
calls answer NotImplemented after the checks, and the model's status is left as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from customlabels.api.context import ApiContext
from customlabels.api.errors import InvalidParameterException, ResourceInUseException
from customlabels.hosting.request import new_operation_id
from customlabels.resources.records import ProjectVersion
from customlabels.resources.status import ProjectVersionStatus, can_change_version, change_version_status

V = ProjectVersionStatus


def start_project_version(ctx: ApiContext, request: dict[str, Any]) -> dict[str, Any]:
    """Start a trained model with MinInferenceUnits (and MaxInferenceUnits for auto scaling)."""
    version = ctx.version(request["ProjectVersionArn"])
    min_units: int = request["MinInferenceUnits"]
    max_units: int | None = request.get("MaxInferenceUnits")
    if max_units is not None and max_units < min_units:
        raise InvalidParameterException(
            f"MaxInferenceUnits must be at least MinInferenceUnits ({min_units}), got {max_units}"
        )
    if not can_change_version(version.status, V.STARTING):
        raise ResourceInUseException(
            f"The model {version.arn} is {version.status}; only a model that is TRAINING_COMPLETED, "
            "COPYING_COMPLETED, STOPPED or FAILED can be started"
        )
    hosting = ctx.backends.require_hosting("StartProjectVersion")

    operation_id = new_operation_id(ctx.clock())

    def mark_starting(current: ProjectVersion) -> None:
        change_version_status(current, V.STARTING)
        current.min_inference_units, current.max_inference_units = min_units, max_units
        current.hosting_operation_id = operation_id

    version = ctx.repository.update_version(version, mark_starting)
    _hand_over(ctx, version, lambda: hosting.start(version, min_units, max_units))
    return {"Status": V.STARTING}


def stop_project_version(ctx: ApiContext, request: dict[str, Any]) -> dict[str, Any]:
    """Stop a starting or running model (L8359)."""
    version = ctx.version(request["ProjectVersionArn"])
    if version.status == V.STOPPING:
        return {"Status": V.STOPPING}
    if not can_change_version(version.status, V.STOPPING):
        raise ResourceInUseException(
            f"The model {version.arn} is {version.status}; "
            "only a STARTING, RUNNING or FAILED model can be stopped"
        )
    hosting = ctx.backends.require_hosting("StopProjectVersion")

    operation_id = new_operation_id(ctx.clock())

    def mark_stopping(current: ProjectVersion) -> None:
        change_version_status(current, V.STOPPING)
        current.hosting_operation_id = operation_id  # a Start still in flight stands down

    version = ctx.repository.update_version(version, mark_stopping)
    _hand_over(ctx, version, lambda: hosting.stop(version))
    return {"Status": V.STOPPING}


def _hand_over(ctx: ApiContext, version: ProjectVersion, call: Callable[[], None]) -> None:
    """Run the hosting call; if it fails, the model is FAILED (with the service-issue message)."""
    try:
        call()
    except BaseException:

        def mark_failed(current: ProjectVersion) -> None:
            change_version_status(current, V.FAILED)

        ctx.repository.update_version(version, mark_failed)
        raise


OPERATIONS = {
    "StartProjectVersion": start_project_version,
    "StopProjectVersion": stop_project_version,
}
