"""Fixtures for the tests that need S3: LocalStack's real S3, one fresh bucket per test.

LocalStack itself comes from the session fixtures in ``tests/conftest.py``. ``s3`` is a client
whose calls are recorded in ``s3_calls`` (operation names, e.g. ``"GetObject"``), so tests can
check what a listing costs; ``rival`` is a second store on another client, a concurrent writer
that makes the store's conditional writes really lose races. ``api``/``call`` put the API on top
of the store, with a clock the tests control.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from customlabels.api import Api
from customlabels.api.backends import Backends
from customlabels.api.context import ApiContext
from customlabels.pagination import PageTokens
from customlabels.resources.repository import Repository
from customlabels.store import MetadataStore
from tests.platform.support import ClientFactory
from tests.s3_buckets import Bucket, Clock

REGION = "us-east-1"
ACCOUNT = "123456789012"

Call = Callable[..., tuple[int, dict[str, Any]]]


@pytest.fixture
def s3_calls() -> list[str]:
    """The operations the ``s3`` client has called, in order (clear it to start counting)."""
    return []


@pytest.fixture
def s3(localstack_client: ClientFactory, s3_calls: list[str]) -> Any:
    client = localstack_client("s3")

    def record(model: Any, **_: Any) -> None:
        s3_calls.append(model.name)

    client.meta.events.register("before-call.s3", record)
    return client


@pytest.fixture
def store(s3: Any, bucket: Bucket) -> MetadataStore:
    return MetadataStore(s3, bucket.name, sleep=lambda _: None)


@pytest.fixture
def rival(admin_s3: Any, bucket: Bucket) -> MetadataStore:
    """Another process writing the same bucket, through a client ``s3_calls`` does not see."""
    return MetadataStore(admin_s3, bucket.name, sleep=lambda _: None)


@pytest.fixture
def repository(store: MetadataStore) -> Repository:
    return Repository(store)


@pytest.fixture
def api(repository: Repository) -> Api:
    context = ApiContext(
        repository,
        region=REGION,
        account=ACCOUNT,
        backends=Backends(),
        tokens=PageTokens(b"k" * 32),
        clock=Clock(),
    )
    return Api(context)


@pytest.fixture
def call(api: Api) -> Call:
    """``call("CreateProject", ProjectName="p")`` -> (HTTP status, decoded body)."""

    def invoke(operation: str, **request: Any) -> tuple[int, dict[str, Any]]:
        response = api.handle(f"RekognitionService.{operation}", json.dumps(request))
        return response.status, json.loads(response.body)

    return invoke
