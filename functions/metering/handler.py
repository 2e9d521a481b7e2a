"""Scheduled every minute: each running model's inference units as CloudWatch metrics
(:mod:`customlabels.hosting.metering`)."""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers
from aws_lambda_powertools.utilities.typing import LambdaContext

from customlabels import settings
from customlabels.hosting.deployment import metering_from_settings
from customlabels.hosting.metering import Metering

logger = Logger(service="metering")
copy_config_to_registered_loggers(source_logger=logger, include={"customlabels"})


@cache
def _metering() -> Metering:
    # Built on first use rather than at import, so importing the module needs no AWS access.
    return metering_from_settings(settings.load())


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Publish one sample per running model; returns how many reported."""
    return {"ModelsReported": _metering().report_running()}
