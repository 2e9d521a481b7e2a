"""The detection function: DetectCustomLabels for the API and for client apps' ``lambda.invoke``.

Thin adapter: the payload is the DetectCustomLabels request JSON and the reply is its response,
or the API's error body ``{"__type", "message"}`` (:mod:`customlabels.hosting.detection`,
``docs/detect-lambda.md``). ONNX Runtime and NumPy are imported at module load, so that a
provisioned instance pays for them before its first request; the model itself is loaded on the
first request for it and kept in memory and in /tmp.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers
from aws_lambda_powertools.utilities.typing import LambdaContext

from customlabels import settings
from customlabels.hosting.detection import Detection

logger = Logger(service="detect")
copy_config_to_registered_loggers(source_logger=logger, include={"customlabels"})


@cache
def _detection() -> Detection:
    # Built on first use rather than at import, so importing the module needs no settings.
    return Detection.from_settings(settings.load())


@logger.inject_lambda_context
def handler(event: Any, context: LambdaContext) -> dict[str, Any]:
    """Answer one DetectCustomLabels payload."""
    return _detection().answer(event)
