"""The Rekognition Custom Labels control plane: an AWS JSON 1.1 endpoint for the 23 operations.

Entry points: :func:`create_api` builds the :class:`Api` for a deployment's settings;
``Api.handle(target, body)`` answers one request; :func:`handle_proxy_event` adapts an API
Gateway proxy event (the Lambda handler, ``functions/api/handler.py``, and the development server,
:mod:`customlabels.api.devserver`, both use it).
"""

from customlabels.api.protocol import ApiResponse
from customlabels.api.proxy import handle_proxy_event
from customlabels.api.service import Api, create_api

__all__ = ["Api", "ApiResponse", "create_api", "handle_proxy_event"]
