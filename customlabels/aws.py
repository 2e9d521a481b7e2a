"""boto3 clients for the deployment's functions, all configured one way.

boto3 reads ``AWS_ENDPOINT_URL`` itself, which is how the functions reach LocalStack; every
client is in the deployment's region and retries in botocore's standard mode unless the caller
says otherwise (e.g. one attempt for a Lambda invoke that must not run twice).
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

from customlabels.settings import Settings


def client(service: str, settings: Settings, **config: Any) -> Any:
    """A client for ``service``; ``config`` adds to or overrides the botocore ``Config``."""
    return boto3.client(
        service, region_name=settings.region, config=Config(**{"retries": {"mode": "standard"}, **config})
    )


def data_bucket(settings: Settings, holds: str) -> str:
    """The data bucket's name.

    Raises:
        ValueError: it is not configured; ``holds`` says what would live there, for the message.
    """
    if not settings.data_bucket:
        raise ValueError(f"CUSTOMLABELS_DATA_BUCKET is not set: {holds} in the data bucket")
    return settings.data_bucket
