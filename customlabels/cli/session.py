"""Which endpoint the CLI talks to, and the clients it uses there.

The endpoint is, in this order: ``--endpoint-url``; ``AWS_ENDPOINT_URL_REKOGNITION`` (the
variable boto3 itself reads for the ``rekognition`` client, so scripts and the CLI agree); the
``ApiEndpoint`` of ``.local/outputs.json`` (what ``make up`` deployed on LocalStack). In the last
case the S3 calls (uploads, listings) go to that LocalStack too, with its region, and with the
placeholder credentials LocalStack accepts when none are configured.

The rest of a deployment's outputs (its data bucket, the batch-labeling prefixes) are read from
``.local/outputs.json`` only when that file describes the endpoint in use
(:func:`deployment_outputs`); for any other deployment, commands take them as flags.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

import customlabels
from customlabels.cli.output import CliError

LOCAL_OUTPUTS = Path(".local") / "outputs.json"


@dataclass(frozen=True)
class Endpoint:
    """Where the API answers, and how to reach S3 alongside it."""

    url: str | None
    region: str | None = None
    s3_url: str | None = None
    local: bool = False  # a LocalStack deployment found through .local/outputs.json


def resolve_endpoint(
    explicit: str | None, from_environment: str | None, outputs_file: Path = LOCAL_OUTPUTS
) -> Endpoint:
    """The endpoint the CLI uses (see the module docstring).

    Raises:
        CliError: no endpoint is configured anywhere.
    """
    if explicit:
        return Endpoint(explicit)
    if from_environment:
        return Endpoint(from_environment)
    if outputs_file.is_file():
        outputs = json.loads(outputs_file.read_text())
        if outputs.get("ApiEndpoint"):
            return Endpoint(
                outputs["ApiEndpoint"], outputs.get("Region"), outputs.get("EndpointUrl"), local=True
            )
    raise CliError(
        "NoEndpoint",
        "no API endpoint: pass --endpoint-url, set AWS_ENDPOINT_URL_REKOGNITION, "
        f"or deploy locally with `make up` (writes {outputs_file})",
    )


def deployment_outputs(endpoint: Endpoint, outputs_file: Path = LOCAL_OUTPUTS) -> dict[str, str]:
    """The outputs of the deployment behind ``endpoint``: ``outputs_file``'s when its
    ``ApiEndpoint`` is the endpoint's URL, else ``{}``."""
    if not endpoint.url or not outputs_file.is_file():
        return {}
    outputs: dict[str, str] = json.loads(outputs_file.read_text())
    return outputs if outputs.get("ApiEndpoint") == endpoint.url else {}


class Session:
    """The clients of one CLI run, created on first use."""

    def __init__(self, endpoint: Endpoint, region: str | None) -> None:
        self.endpoint = endpoint
        self.region = region or endpoint.region

    @cached_property
    def _boto(self) -> boto3.Session:
        session = boto3.Session(region_name=self.region)
        if self.endpoint.local and session.get_credentials() is None:
            return boto3.Session(
                aws_access_key_id="test", aws_secret_access_key="test", region_name=self.region
            )
        return session

    @cached_property
    def rekognition(self) -> Any:
        """boto3's ``rekognition`` client for the endpoint, signing for API Gateway."""
        config = Config(retries={"mode": "standard"})
        return customlabels.client(
            self.endpoint.url or "", region_name=self.region, session=self._boto, config=config
        )

    @cached_property
    def s3(self) -> Any:
        return self._boto.client("s3", endpoint_url=self.endpoint.s3_url)
