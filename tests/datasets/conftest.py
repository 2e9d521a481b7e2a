"""The API and the dataset pipeline's steps over LocalStack's real S3, one fresh bucket per test,
with the state machine's flow run inline (work step, RecordEntries; any error caught into
RecordFailure), so dataset operations are tested end to end in process. The deployed state
machine itself is covered by ``tests/e2e/test_datasets.py``.

LocalStack comes from the session fixtures in ``tests/conftest.py``. The API and the pipeline
share ``s3``, a client whose calls are recorded in ``s3_calls``; ``World.rival`` is a repository
on another client, a second process writing the same bucket.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from customlabels.api import Api
from customlabels.api.backends import Backends
from customlabels.api.context import ApiContext
from customlabels.datasets.backend import StoredEntries
from customlabels.datasets.entry_store import EntryStore
from customlabels.datasets.manifest_source import S3ManifestReader
from customlabels.datasets.operations import DatasetWork
from customlabels.datasets.pipeline_input import CREATE, DISTRIBUTE, UPDATE, PipelineInput
from customlabels.datasets.recording import DatasetRecorder
from customlabels.datasets.steps import PipelineSteps
from customlabels.pagination import PageTokens
from customlabels.resources.records import Dataset
from customlabels.resources.repository import Repository
from customlabels.store import MetadataStore
from tests.platform.support import ClientFactory
from tests.s3_buckets import Bucket, Clock

REGION = "us-east-1"
ACCOUNT = "123456789012"
Call = Callable[..., tuple[int, dict[str, Any]]]


@dataclass(frozen=True)
class S3Call:
    """One request of the recorded client: the operation, and the key and range it names."""

    operation: str
    key: str | None = None
    range: str | None = None


@dataclass
class Execution:
    status: str
    state: dict[str, Any]


@dataclass
class InlinePipeline:
    """Records started executions; :meth:`run` runs them the way the state machine does."""

    steps: PipelineSteps
    pending: list[PipelineInput] = field(default_factory=list)
    finished: list[Execution] = field(default_factory=list)
    fail_start: Exception | None = None

    def start_dataset_creation(self, dataset: Dataset) -> None:
        self._start(PipelineInput(CREATE, dataset.arn, None, dataset_source=dataset.source or {}))

    def start_dataset_update(self, dataset: Dataset, changes_key: str) -> None:
        self._start(PipelineInput(UPDATE, dataset.arn, dataset.operation_id, changes_key=changes_key))

    def start_dataset_distribution(self, training: Dataset, testing: Dataset) -> None:
        self._start(
            PipelineInput(DISTRIBUTE, training.arn, training.operation_id, test_dataset_arn=testing.arn)
        )

    def start_training(self, project_version_arn: str) -> None:
        raise AssertionError("not used")

    def start_copy(self, project_version_arn: str) -> None:
        raise AssertionError("not used")

    def _start(self, request: PipelineInput) -> None:
        if self.fail_start is not None:
            raise self.fail_start
        self.pending.append(request)

    def run(self) -> list[Execution]:
        done = []
        while self.pending:
            done.append(self.execute(self.pending.pop(0).to_event()))
        self.finished.extend(done)
        return done

    def execute(self, state: dict[str, Any]) -> Execution:
        work = {
            CREATE: self.steps.import_entries,
            UPDATE: self.steps.apply_changes,
            DISTRIBUTE: self.steps.distribute_entries,
        }[state["Operation"]]
        try:
            state["Entries"] = work(state)
            state["Recorded"] = self.steps.record_entries(state)
            return Execution("SUCCEEDED", state)
        except Exception as error:  # the state machine's catch: States.ALL -> RecordFailure
            kind = type(error).__name__
            state["Failure"] = {
                "Error": kind,
                "Cause": json.dumps({"errorType": kind, "errorMessage": str(error)}),
            }
            state["FailureRecorded"] = self.steps.record_failure(state)
            return Execution("FAILED", state)


@dataclass
class World:
    bucket: Bucket
    s3_calls: list[S3Call]
    repository: Repository
    rival: Repository
    entries: EntryStore
    pipeline: InlinePipeline
    call: Call

    def put(self, key: str, text: str, **request: Any) -> str:
        """Store ``text`` at ``key`` (``request``: more PutObject parameters, e.g. StorageClass)."""
        self.bucket.admin.put_object(Bucket=self.bucket.name, Key=key, Body=text.encode(), **request)
        return key

    def keys(self, prefix: str = "") -> list[str]:
        return self.bucket.object_keys(prefix)

    def manifest_source(self, key: str) -> dict[str, Any]:
        """CreateDataset's ``DatasetSource`` for the manifest at ``key`` in the test's bucket."""
        return {
            "DatasetSource": {"GroundTruthManifest": {"S3Object": {"Bucket": self.bucket.name, "Name": key}}}
        }

    def ok(self, operation: str, **request: Any) -> dict[str, Any]:
        status, body = self.call(operation, **request)
        assert status == 200, body
        return body

    def error(self, operation: str, **request: Any) -> tuple[str, str]:
        status, body = self.call(operation, **request)
        assert status >= 400, body
        return body["__type"], body["message"]

    def describe(self, arn: str) -> dict[str, Any]:
        description: dict[str, Any] = self.ok("DescribeDataset", DatasetArn=arn)["DatasetDescription"]
        return description

    def entries_of(self, arn: str, **filters: Any) -> list[dict[str, Any]]:
        lines: list[str] = []
        token = None
        while True:
            page = self.ok(
                "ListDatasetEntries", DatasetArn=arn, **filters, **({"NextToken": token} if token else {})
            )
            lines += page["DatasetEntries"]
            token = page.get("NextToken")
            if not token:
                return [json.loads(line) for line in lines]


def ground_truth(lines: list[str]) -> str:
    """``Changes.GroundTruth`` as it travels in a JSON 1.1 body (base64)."""
    return base64.b64encode("\n".join(lines).encode()).decode()


@pytest.fixture
def s3_calls() -> list[S3Call]:
    """The requests the ``s3`` client has made, in order (clear it to start counting)."""
    return []


@pytest.fixture
def s3(localstack_client: ClientFactory, s3_calls: list[S3Call]) -> Any:
    client = localstack_client("s3")

    def record(params: dict[str, Any], model: Any, **_: Any) -> None:
        s3_calls.append(S3Call(model.name, params.get("Key"), params.get("Range")))

    client.meta.events.register("before-parameter-build.s3", record)
    return client


@pytest.fixture
def world(s3: Any, s3_calls: list[S3Call], bucket: Bucket) -> World:
    repository = Repository(MetadataStore(s3, bucket.name, sleep=lambda _: None))
    rival = Repository(MetadataStore(bucket.admin, bucket.name, sleep=lambda _: None))
    entries = EntryStore(s3, bucket.name)
    steps = PipelineSteps(
        DatasetWork(repository, entries, S3ManifestReader(s3)),
        DatasetRecorder(repository, entries, clock=Clock(1_800_000_000_000)),
    )
    pipeline = InlinePipeline(steps)
    api = Api(
        ApiContext(
            repository,
            region=REGION,
            account=ACCOUNT,
            # the API function's own entry store: its index cache is not the pipeline's
            backends=Backends(
                pipelines=pipeline, entries=StoredEntries(EntryStore(s3, bucket.name), pipeline)
            ),
            tokens=PageTokens(b"k" * 32),
            clock=Clock(),
        )
    )

    def call(operation: str, **request: Any) -> tuple[int, dict[str, Any]]:
        response = api.handle(f"RekognitionService.{operation}", json.dumps(request))
        return response.status, json.loads(response.body)

    return World(bucket, s3_calls, repository, rival, entries, pipeline, call)
