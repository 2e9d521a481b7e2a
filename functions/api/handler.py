"""The Rekognition JSON API behind API Gateway (REST, proxy integration).

Thin adapter: the event goes to :func:`customlabels.api.handle_proxy_event`, which dispatches
the operation named by ``X-Amz-Target`` and shapes the proxy response (JSON 1.1 body, content
type, status and ``x-amzn-RequestId``, the API Gateway request id).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers
from aws_lambda_powertools.utilities.typing import LambdaContext

from customlabels import settings
from customlabels.api import Api, create_api, handle_proxy_event

logger = Logger(service="customlabels-api")
copy_config_to_registered_loggers(source_logger=logger, include={"customlabels"})
_api: Api | None = None


def _get_api() -> Api:
    # Built on first use rather than at import, so importing the module needs no AWS access.
    global _api
    if _api is None:
        _api = create_api(settings.load())
    return _api


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Answer one API Gateway proxy event."""
    request_id = (event.get("requestContext") or {}).get("requestId") or context.aws_request_id
    logger.append_keys(target=(event.get("headers") or {}).get("X-Amz-Target"), api_request_id=request_id)
    return handle_proxy_event(_get_api(), event, request_id)
