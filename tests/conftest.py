"""Session fixtures shared by the LocalStack test tiers (platform, e2e, api).

``localstack_url`` starts LocalStack through the launcher on $CUSTOMLABELS_LOCALSTACK_PORT
(4566 by default), reusing an instance that already runs our Lambda executor, and stops it at
the end only if it started it, which discards everything deployed there. ``deployment``
deploys the stack with cdklocal. Only tests that ask for them pay for them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config

from tests.platform.support import REGION, ClientFactory
from tools import deploy_local
from tools.localstack import launcher


@pytest.fixture(scope="session")
def localstack_url() -> Iterator[str]:
    port = launcher.default_port()
    started = launcher.start(port)
    yield started.endpoint_url
    if started.started_here:
        launcher.stop(port)


@pytest.fixture(scope="session")
def localstack_client(localstack_url: str) -> ClientFactory:
    """A factory of boto3 clients for the session's LocalStack (no retries: failures show at once)."""
    session = boto3.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name=REGION)
    config = Config(retries={"max_attempts": 1, "mode": "standard"}, read_timeout=120)

    def client(service: str) -> Any:
        return session.client(service, endpoint_url=localstack_url, config=config)

    return client


@pytest.fixture(scope="session")
def deployment(localstack_url: str) -> dict[str, str]:
    """The deployed stack's outputs (bucket, state machines, functions, endpoint URL)."""
    outputs = deploy_local.deploy(localstack_url)
    print(f"\ndeployed the stack on LocalStack in {outputs['DeploySeconds']} s")
    return outputs
