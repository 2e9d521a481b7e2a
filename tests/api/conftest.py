"""Fixtures for the API tests: boto3's real ``rekognition`` client against the API.

Two modes:

- by default (``make test``): the stack deployed on LocalStack by the ``deployment`` fixture; the
  client talks to its API Gateway stage.
- ``CUSTOMLABELS_API_MODE=in-process`` (quick iterations): an in-process HTTP server
  (:mod:`customlabels.api.devserver`) on 127.0.0.1 answers, through the same proxy-event path
  as the Lambda handler, with its metadata on a real S3 (the LocalStack of ``tests/conftest.py``)
  in a fresh bucket.

Tests create uniquely named resources, so they also run against a shared deployment. Models and
datasets cannot be created through the API yet (training and the dataset pipeline come later), so
``seed`` writes their records straight into the metadata store, as those pipelines will.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config

from customlabels import settings
from customlabels.api import create_api
from customlabels.api.devserver import serve_in_background
from customlabels.resources import arns
from customlabels.resources.records import Dataset, DatasetStats, ProjectVersion
from customlabels.resources.repository import Repository
from customlabels.resources.status import DatasetStatus, DatasetStatusMessageCode, ProjectVersionStatus
from customlabels.store import MetadataStore

REGION = "us-east-1"
ACCOUNT = "123456789012"


@dataclasses.dataclass(frozen=True)
class ApiUnderTest:
    """Where the API answers, and the S3 bucket that holds its metadata."""

    endpoint_url: str
    s3: Any
    bucket: str
    in_process: bool

    @functools.cached_property
    def repository(self) -> Repository:
        """The API's metadata, for seeding and inspecting what the API cannot create yet."""
        return Repository(MetadataStore(self.s3, self.bucket))


@pytest.fixture(scope="session")
def api_under_test(request: pytest.FixtureRequest, localstack_url: str) -> Iterator[ApiUnderTest]:
    s3 = boto3.client(
        "s3",
        endpoint_url=localstack_url,
        region_name=REGION,
        config=Config(max_pool_connections=32),
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    if os.environ.get("CUSTOMLABELS_API_MODE", "deployed") != "in-process":
        deployment: dict[str, str] = request.getfixturevalue("deployment")
        yield ApiUnderTest(deployment["ApiEndpoint"], s3, deployment["DataBucketName"], in_process=False)
        return
    bucket = f"customlabels-api-tests-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    test_settings = dataclasses.replace(
        settings.load(), data_bucket=bucket, region=REGION, account_id=ACCOUNT, caller_from_signature=True
    )
    server = serve_in_background(create_api(test_settings, s3=s3))
    try:
        yield ApiUnderTest(server.url, s3, bucket, in_process=True)
    finally:
        server.shutdown()
        server.server_close()
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for item in page.get("Contents", []):
                s3.delete_object(Bucket=bucket, Key=item["Key"])
        s3.delete_bucket(Bucket=bucket)


def make_client(endpoint_url: str, **config: Any) -> Any:
    # No client retries: every answer is seen exactly as the API sent it (botocore would retry
    # LimitExceededException and ThrottlingException).
    settings_ = {"parameter_validation": False, "retries": {"mode": "standard", "max_attempts": 1}, **config}
    return boto3.client(
        "rekognition",
        endpoint_url=endpoint_url,
        region_name=REGION,
        config=Config(**settings_),
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


@pytest.fixture(scope="session")
def rekognition(api_under_test: ApiUnderTest) -> Any:
    """boto3's rekognition client for the API; client-side validation off, so the server's is tested."""
    return make_client(api_under_test.endpoint_url, max_pool_connections=32)


@pytest.fixture
def unique() -> Callable[[str], str]:
    """``unique("proj")`` -> ``proj-<8 hex>``: names that cannot collide across tests and runs."""
    return lambda prefix: f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def project_arn(
    rekognition: Any, unique: Callable[[str], str], api_under_test: ApiUnderTest
) -> Iterator[str]:
    """A fresh CUSTOM_LABELS project, deleted afterwards with whatever a test left in it."""
    arn: str = rekognition.create_project(ProjectName=unique("proj"))["ProjectArn"]
    yield arn
    repository = api_under_test.repository
    project = repository.get_project(arn.split("/")[1])
    if project is None or project.arn != arn:
        return
    for version in repository.all_versions(project.name):
        repository.delete_version(version)  # seeded models may be in states the API refuses to delete
    if project.datasets:
        repository.update_project(project, lambda current: current.datasets.clear())
    rekognition.delete_project(ProjectArn=arn)


class Seeder:
    """Writes records the way the training and dataset pipelines will."""

    def __init__(self, repository: Repository) -> None:
        self.repository = repository

    def version(
        self,
        project_arn: str,
        name: str,
        status: ProjectVersionStatus,
        *,
        created_ms: int | None = None,
        **fields: Any,
    ) -> ProjectVersion:
        ref = arns.parse_project_arn(project_arn)
        assert ref is not None
        version = ProjectVersion(
            region=ref.region,
            account=ref.account,
            project_name=ref.project,
            name=name,
            created_ms=created_ms or ref.created_ms + 1,
            status=status,
            status_message=fields.pop("status_message", "seeded"),
            **fields,
        )
        self.repository.create_version(version)
        return version

    def dataset(
        self, project_arn: str, dataset_type: str, status: DatasetStatus, *, stats: DatasetStats | None = None
    ) -> Dataset:
        ref = arns.parse_project_arn(project_arn)
        assert ref is not None
        dataset = Dataset(
            region=ref.region,
            account=ref.account,
            project_name=ref.project,
            dataset_type=dataset_type,
            created_ms=ref.created_ms + 2,
            status=status,
            status_message="seeded",
            status_message_code=DatasetStatusMessageCode.SUCCESS,
            last_updated_ms=ref.created_ms + 3,
            stats=stats or DatasetStats(),
        )

        def add(project: Any) -> None:
            project.datasets[dataset_type] = dataset

        project = self.repository.get_project_at(ref.project, ref.created_ms)
        assert project is not None
        self.repository.update_project(project, add)
        return dataset

    def remove_dataset(self, dataset: Dataset) -> None:
        def remove(project: Any) -> None:
            project.datasets.pop(dataset.dataset_type, None)

        project = self.repository.get_project(dataset.project_name)
        assert project is not None
        self.repository.update_project(project, remove)


@pytest.fixture
def seed(api_under_test: ApiUnderTest) -> Seeder:
    return Seeder(api_under_test.repository)
