"""Session fixtures shared by the LocalStack test tiers (platform, e2e, api).

``localstack_url`` starts LocalStack through the launcher on $CUSTOMLABELS_LOCALSTACK_PORT
(4566 by default), reusing an instance that already runs our Lambda executor, and stops it at
the end only if it started it, which discards everything deployed there. ``deployment``
deploys the stack with cdklocal. Only tests that ask for them pay for them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config

from tests.platform.support import REGION, ClientFactory
from tests.s3_buckets import Bucket
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


@pytest.fixture(scope="session")
def admin_s3(localstack_client: ClientFactory) -> Any:
    """An S3 client whose calls no test counts, for setting up and inspecting buckets."""
    return localstack_client("s3")


@pytest.fixture
def bucket(admin_s3: Any) -> Iterator[Bucket]:
    """A fresh bucket for one test, emptied and deleted afterwards."""
    created = Bucket(f"customlabels-test-{uuid.uuid4().hex[:12]}", admin_s3)
    admin_s3.create_bucket(Bucket=created.name)
    yield created
    keys = created.object_keys()
    for start in range(0, len(keys), 1000):
        objects = [{"Key": key} for key in keys[start : start + 1000]]
        admin_s3.delete_objects(Bucket=created.name, Delete={"Objects": objects, "Quiet": True})
    admin_s3.delete_bucket(Bucket=created.name)
