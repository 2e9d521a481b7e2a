"""API Gateway REST proxy events in, proxy responses out.

The Lambda handler and the development HTTP server both go through :func:`handle_proxy_event`,
so what is tested in process is what runs behind API Gateway. Only ``POST`` carries operations
(botocore always posts to ``/``); other methods get UnknownOperationException.
"""

from __future__ import annotations

import base64
from typing import Any

from customlabels.api import protocol
from customlabels.api.caller import caller_of
from customlabels.api.errors import UnknownOperationException
from customlabels.api.service import Api

REQUEST_ID_HEADER = "x-amzn-RequestId"


def handle_proxy_event(api: Api, event: dict[str, Any], request_id: str) -> dict[str, Any]:
    """Answer an API Gateway (REST, proxy integration) event; ``request_id`` is echoed back."""
    headers = {name.lower(): value for name, value in (event.get("headers") or {}).items()}
    method = (event.get("httpMethod") or "POST").upper()
    if method != "POST":
        response = protocol.failure(
            UnknownOperationException(f"{method} is not supported; send operations as POST with X-Amz-Target")
        )
    else:
        caller = caller_of(event, trust_signature=api.caller_from_signature)
        response = api.handle(headers.get("x-amz-target"), _body(event), caller)
    return {
        "statusCode": response.status,
        "headers": {**response.headers, REQUEST_ID_HEADER: request_id},
        "body": response.body.decode("utf-8"),
        "isBase64Encoded": False,
    }


def proxy_event(
    method: str, path: str, headers: dict[str, str], body: bytes, request_id: str
) -> dict[str, Any]:
    """The proxy event API Gateway would send for an HTTP request (used by the dev server)."""
    try:
        text, encoded = body.decode("utf-8"), False
    except UnicodeDecodeError:
        text, encoded = base64.b64encode(body).decode("ascii"), True
    return {
        "resource": "/",
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "body": text or None,
        "isBase64Encoded": encoded,
        "requestContext": {"requestId": request_id, "httpMethod": method, "path": path},
    }


def _body(event: dict[str, Any]) -> bytes:
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        return base64.b64decode(body)
    return body.encode("utf-8")
