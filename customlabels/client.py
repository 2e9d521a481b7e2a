"""A boto3 ``rekognition`` client for a customlabels endpoint.

The deployment's API Gateway checks SigV4 signatures made for the service ``execute-api``, while
boto3's ``rekognition`` client signs for ``rekognition``. This helper registers a ``before-sign``
handler that switches the signing name, so the client works unchanged against the endpoint::

    import customlabels
    rekognition = customlabels.client(endpoint_url="https://abc123.execute-api.eu-west-1.amazonaws.com/prod/")
    rekognition.describe_projects()

On LocalStack no signature is checked, so a plain ``boto3.client("rekognition", endpoint_url=...)``
also works there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import boto3

if TYPE_CHECKING:
    from mypy_boto3_rekognition import RekognitionClient

SIGNING_NAME = "execute-api"


def client(
    endpoint_url: str,
    region_name: str | None = None,
    session: boto3.Session | None = None,
    **client_kwargs: Any,
) -> RekognitionClient:
    """A ``rekognition`` client that talks to ``endpoint_url`` and signs for API Gateway.

    Args:
        endpoint_url: the API stage URL (e.g. ``https://<id>.execute-api.<region>.amazonaws.com/<stage>/``).
        region_name: the region to sign for; defaults to the session's.
        session: the boto3 session whose credentials sign the requests; a new default one if omitted.
        client_kwargs: passed on to ``session.client`` (``config=...``, ``verify=...``).
    """
    session = session or boto3.Session()
    rekognition = session.client(
        "rekognition", endpoint_url=endpoint_url, region_name=region_name, **client_kwargs
    )
    rekognition.meta.events.register("before-sign.rekognition", sign_for_api_gateway)
    return rekognition


def sign_for_api_gateway(request: Any, **_: Any) -> None:
    """``before-sign`` handler: sign the request for ``execute-api`` instead of ``rekognition``."""
    request.context.setdefault("signing", {})["signing_name"] = SIGNING_NAME
