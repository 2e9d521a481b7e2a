"""The Rekognition Custom Labels control plane: an AWS JSON 1.1 endpoint for the 23 operations.

Entry points: :func:`create_api` builds the :class:`Api` for a deployment's settings;
``Api.handle(target, body)`` answers one request; :func:`handle_proxy_event` adapts an API
Gateway proxy event (the Lambda handler, ``functions/api/handler.py``, and the development server,
:mod:`customlabels.api.devserver`, both use it).

The entry points are imported on first use (PEP 562): the detection function imports only
``customlabels.api.validation`` and ``customlabels.api.errors`` to check its requests exactly as
the API does, and loading the whole control plane with them would add about a third to its cold
start.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from customlabels.api.protocol import ApiResponse
    from customlabels.api.proxy import handle_proxy_event
    from customlabels.api.service import Api, create_api

__all__ = ["Api", "ApiResponse", "create_api", "handle_proxy_event"]

_HOMES = {
    "Api": "customlabels.api.service",
    "create_api": "customlabels.api.service",
    "ApiResponse": "customlabels.api.protocol",
    "handle_proxy_event": "customlabels.api.proxy",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
