"""Fixtures for the tests that need S3: LocalStack's real S3, one fresh bucket per test.

LocalStack itself comes from the session fixtures in ``tests/conftest.py``. ``s3`` is a client
whose calls are recorded in ``s3_calls`` (operation names, e.g. ``"GetObject"``), so tests can
check what a listing costs; ``rival`` is a second store on another client, a concurrent writer
that makes the store's conditional writes really lose races. ``api``/``call`` put the API on top
of the store, with a clock the tests control; ``wired`` does the same with a :class:`Recorder`
(``recorder``) as every back end.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from customlabels.api import Api
from customlabels.api.backends import Backends
from customlabels.api.context import ApiContext
from customlabels.pagination import PageTokens
from customlabels.resources.records import Dataset, ProjectVersion
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


def api_on(repository: Repository, backends: Backends) -> Api:
    """The API on ``repository``, with ``backends`` and a clock the tests control."""
    context = ApiContext(
        repository,
        region=REGION,
        account=ACCOUNT,
        backends=backends,
        tokens=PageTokens(b"k" * 32),
        clock=Clock(),
    )
    return Api(context)


def caller(api: Api) -> Call:
    """``caller(api)("CreateProject", ProjectName="p")`` -> (HTTP status, decoded body)."""

    def invoke(operation: str, **request: Any) -> tuple[int, dict[str, Any]]:
        response = api.handle(f"RekognitionService.{operation}", json.dumps(request))
        return response.status, json.loads(response.body)

    return invoke


@pytest.fixture
def api(repository: Repository) -> Api:
    """The API without back ends: operations that need one answer NotImplemented."""
    return api_on(repository, Backends())


@pytest.fixture
def call(api: Api) -> Call:
    """``call("CreateProject", ProjectName="p")`` -> (HTTP status, decoded body)."""
    return caller(api)


class Recorder:
    """Pipelines, DatasetEntries and ModelHosting at once; ``fail`` makes every call raise."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.fail: Exception | None = None

    def _record(self, name: str, argument: Any) -> None:
        self.calls.append((name, argument))
        if self.fail:
            raise self.fail

    def start_dataset_creation(self, dataset: Dataset) -> None:
        self._record("start_dataset_creation", dataset.arn)

    def start_training(self, project_version_arn: str) -> None:
        self._record("start_training", project_version_arn)

    def start_copy(self, project_version_arn: str) -> None:
        self._record("start_copy", project_version_arn)

    def update(self, dataset: Dataset, ground_truth: bytes) -> None:
        self._record("update", ground_truth)

    def distribute(self, training: Dataset, testing: Dataset) -> None:
        self._record("distribute", (training.dataset_type, testing.dataset_type))

    def list_entries(self, dataset: Dataset, filters: dict[str, Any], position: Any, limit: int) -> Any:
        self._record("list_entries", (filters, position, limit))
        return ['{"source-ref": "s3://b/a.png"}'], ({"line": 1} if position is None else None)

    def list_labels(self, dataset: Dataset, position: Any, limit: int) -> Any:
        self._record("list_labels", limit)
        return [{"LabelName": "cat", "LabelStats": {"EntryCount": 1, "BoundingBoxCount": 0}}], None

    def delete(self, dataset: Dataset) -> None:
        self._record("delete", dataset.arn)

    def start(self, version: ProjectVersion, min_units: int, max_units: int | None) -> None:
        self._record("start", (min_units, max_units))

    def stop(self, version: ProjectVersion) -> None:
        self._record("stop", version.arn)

    def detect(
        self, version: ProjectVersion, image: dict[str, Any], min_confidence: Any, max_results: Any
    ) -> Any:
        self._record("detect", (image, min_confidence, max_results))
        return [{"Name": "cat", "Confidence": 99.5}]


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def wired(repository: Repository, recorder: Recorder) -> Call:
    """Like ``call``, with ``recorder`` as the pipelines, the dataset entries and the hosting."""
    return caller(api_on(repository, Backends(pipelines=recorder, entries=recorder, hosting=recorder)))


@pytest.fixture
def pass_state_machine(localstack_client: ClientFactory) -> Iterator[Callable[[], str]]:
    """Makes one-state machines on LocalStack's Step Functions (``pass_state_machine()`` -> ARN),
    for tests of what the API starts rather than what the pipelines do; deleted afterwards."""
    stepfunctions = localstack_client("stepfunctions")
    made: list[str] = []

    def make() -> str:
        made.append(
            stepfunctions.create_state_machine(
                name=f"pipeline-{uuid.uuid4().hex[:8]}",
                definition=json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}),
                roleArn=f"arn:aws:iam::{ACCOUNT}:role/pipeline",
            )["stateMachineArn"]
        )
        return made[-1]

    yield make
    for arn in made:
        stepfunctions.delete_state_machine(stateMachineArn=arn)
