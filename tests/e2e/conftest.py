"""Fixtures for the e2e tests on the LocalStack deployment (``deployment`` is in ``tests/conftest.py``).

``rekognition`` and ``s3`` are clients for the deployment's API and its S3; ``bucket`` is the
deployment's data bucket by name (it replaces, for the e2e tests, the fresh ``Bucket`` of
``tests/conftest.py``); ``new_project`` makes projects that are removed after the test. A test
module may define its own fixture of the same name (``test_guide_samples.py`` does), which
then wins. The helpers these build on are in :mod:`tests.e2e.projects`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from customlabels.resources.repository import Repository
from customlabels.store import MetadataStore
from tests.api.conftest import make_client
from tests.e2e.projects import create_project, deployment_client, remove_project


@pytest.fixture(scope="module")
def rekognition(deployment: dict[str, str]) -> Any:
    """boto3's rekognition client on the deployment's API."""
    return make_client(deployment["ApiEndpoint"])


@pytest.fixture(scope="module")
def s3(deployment: dict[str, str]) -> Any:
    return deployment_client(deployment, "s3", max_pool_connections=16)


@pytest.fixture(scope="module")
def bucket(deployment: dict[str, str]) -> str:
    """The deployment's data bucket: images, manifests, artifacts and the metadata."""
    return deployment["DataBucketName"]


@pytest.fixture
def new_project(
    request: pytest.FixtureRequest, rekognition: Any, s3: Any, bucket: str
) -> Iterator[Callable[[], str]]:
    """Makes fresh projects (``new_project()`` -> ARN); removes them after the test with whatever
    it left in them (:func:`tests.e2e.projects.remove_project`)."""
    # the module in the name tells which tests left a project behind, should one survive
    name_prefix = "e2e-" + request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    made: list[str] = []

    def make() -> str:
        made.append(create_project(rekognition, name_prefix))
        return made[-1]

    yield make
    repository = Repository(MetadataStore(s3, bucket))
    for arn in made:
        remove_project(rekognition, repository, arn)
