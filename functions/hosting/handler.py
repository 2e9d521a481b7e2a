"""The hosting state machine's steps (Step Functions tasks): a thin adapter to
:meth:`customlabels.hosting.steps.HostingSteps.run`.

One function runs every step, so a Start or Stop pays for one cold start at most. The task's
payload is ``{"Step": <state name>, "State": <the execution's state>}``. Steps raise what Step
Functions should see: ``HostingError`` for a failure the model's StatusMessage shows,
``HostingSuperseded`` when a newer Start/Stop owns the model, ``WriteConflict`` for a lost race the
state machine retries, anything else as a service issue.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers
from aws_lambda_powertools.utilities.typing import LambdaContext

from customlabels import settings
from customlabels.hosting.deployment import steps_from_settings
from customlabels.hosting.steps import HostingSteps

logger = Logger(service="model-hosting")
copy_config_to_registered_loggers(source_logger=logger, include={"customlabels"})


@cache
def _steps() -> HostingSteps:
    # Built on first use rather than at import, so importing the module needs no AWS access.
    return steps_from_settings(settings.load())


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Run one step of the hosting state machine."""
    logger.append_keys(step=event.get("Step"), model=(event.get("State") or {}).get("ProjectVersionArn"))
    return _steps().run(event["Step"], event["State"])
