"""Session fixtures shared by the test tiers.

``deployment`` starts LocalStack (or reuses a running one), deploys the stack with
cdklocal and, when it started LocalStack itself, stops it at the end, which discards
everything deployed. Only tests that ask for it pay for it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

from tools import deploy_local
from tools.localstack import launcher

LOCALSTACK_PORT = int(os.environ.get("CUSTOMLABELS_LOCALSTACK_PORT", "4566"))


@pytest.fixture(scope="session")
def deployment() -> Iterator[dict[str, str]]:
    """The deployed stack's outputs (bucket, state machines, functions, endpoint URL)."""
    started = launcher.start(port=LOCALSTACK_PORT)
    try:
        outputs = deploy_local.deploy(started.endpoint_url)
        print(f"\ndeployed the stack on LocalStack in {outputs['DeploySeconds']} s")
        yield outputs
    finally:
        if started.started_here:
            launcher.stop(port=LOCALSTACK_PORT)


@pytest.fixture(scope="session")
def aws(deployment: dict[str, str]) -> Callable[[str], Any]:
    """A factory of boto3 clients that talk to the deployment's LocalStack."""
    session = boto3.Session(
        aws_access_key_id="test", aws_secret_access_key="test", region_name=deployment["Region"]
    )

    def client(service: str) -> Any:
        return session.client(service, endpoint_url=deployment["EndpointUrl"])  # type: ignore[call-overload]

    return client
