"""An API over an in-memory S3, with a clock the tests control."""

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

from .fake_s3 import FakeS3

REGION = "us-east-1"
ACCOUNT = "123456789012"

Call = Callable[..., tuple[int, dict[str, Any]]]


class Clock:
    """Epoch milliseconds that advance by one on every reading."""

    def __init__(self, start: int = 1_700_000_000_000) -> None:
        self.now = start

    def __call__(self) -> int:
        self.now += 1
        return self.now


@pytest.fixture
def fake_s3() -> FakeS3:
    return FakeS3()


@pytest.fixture
def store(fake_s3: FakeS3) -> MetadataStore:
    return MetadataStore(fake_s3, "bucket", sleep=lambda _: None)


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
