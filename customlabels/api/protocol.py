"""AWS JSON 1.1 on the wire, exactly as botocore sends and parses it.

A request is ``POST /`` with ``X-Amz-Target: RekognitionService.<Operation>`` and a JSON object
body; a reply is a JSON object with ``Content-Type: application/x-amz-json-1.1``. Timestamps
travel as epoch seconds (numbers) and blobs as base64 strings. An error is
``{"__type": "<Code>", "message": "..."}``; botocore reads the code from ``__type`` (dropping any
``namespace#`` prefix) and raises ``client.exceptions.<Code>`` when the model declares it.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape

from customlabels.api import model
from customlabels.api.errors import ApiError, SerializationException, UnknownOperationException

CONTENT_TYPE = "application/x-amz-json-1.1"


@dataclass(frozen=True)
class ApiResponse:
    """What goes back over HTTP: status, JSON body and headers."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def operation_name(target: str | None, served: tuple[str, ...]) -> str:
    """The operation named by ``X-Amz-Target``.

    Raises:
        UnknownOperationException: no header, another service's prefix, or an operation that
            customlabels does not serve (any Rekognition operation outside Custom Labels).
    """
    prefix = model.target_prefix()
    if not target:
        raise UnknownOperationException(f"Missing X-Amz-Target header; expected {prefix}.<Operation>")
    service, _, name = target.partition(".")
    if service != prefix or not name:
        raise UnknownOperationException(f"Unknown target {target!r}; expected {prefix}.<Operation>")
    if name not in served:
        raise UnknownOperationException(
            f"Operation {name} is not supported; customlabels serves the Custom Labels operations: "
            + ", ".join(served)
        )
    return name


def decode_body(body: bytes | str | None) -> dict[str, Any]:
    """The request's JSON object; an empty body is an empty request.

    Raises:
        SerializationException: the body is not UTF-8 JSON or not an object.
    """
    if not body:
        return {}
    try:
        value = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SerializationException(f"The request body is not valid JSON: {error}") from None
    if not isinstance(value, dict):
        raise SerializationException(f"The request body must be a JSON object, got {type(value).__name__}")
    return value


def serialize(shape: Shape | None, value: Any) -> Any:
    """Convert an operation result to wire JSON following the output ``shape``.

    Members that are ``None`` are left out (the service omits absent fields). A member the model
    does not declare is a programming error and raises ValueError, which the dispatcher turns into
    an InternalServerError: responses can never drift from the model.
    """
    if shape is None or value is None:
        return {} if shape is None else None
    kind = shape.type_name
    if isinstance(shape, StructureShape):
        members = shape.members
        unknown = set(value) - set(members)
        if unknown:
            raise ValueError(f"{shape.name} has no member(s) {sorted(unknown)}")
        return {name: serialize(members[name], item) for name, item in value.items() if item is not None}
    if isinstance(shape, ListShape):
        return [serialize(shape.member, item) for item in value]
    if isinstance(shape, MapShape):
        return {key: serialize(shape.value, item) for key, item in value.items()}
    if kind == "timestamp":
        return value.timestamp() if isinstance(value, datetime) else float(value)
    if kind == "blob":
        return base64.b64encode(value).decode("ascii")
    return value


def success(shape: Shape | None, result: dict[str, Any]) -> ApiResponse:
    """A 200 reply carrying ``result`` serialized against ``shape``."""
    body = json.dumps(serialize(shape, result) or {}, separators=(",", ":")).encode("utf-8")
    return ApiResponse(200, body, {"Content-Type": CONTENT_TYPE})


def failure(error: ApiError) -> ApiResponse:
    """The reply for ``error``: ``{"__type", "message"}`` with its status."""
    payload = {"__type": error.code, "message": error.message}
    body = json.dumps(payload, separators=(",", ":")).encode("utf-8")
    headers = {"Content-Type": CONTENT_TYPE, "x-amzn-ErrorType": error.code}
    return ApiResponse(error.status, body, headers)
