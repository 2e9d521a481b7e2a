"""Helpers for the e2e tests on the LocalStack deployment: projects made and removed, images and
manifests put in the data bucket, datasets created and waited for, models described and waited
for. The fixtures that hand out the clients (``rekognition``, ``s3``, ``bucket``) and fresh
projects (``new_project``) are in ``tests/e2e/conftest.py``.

Every helper takes the clients it calls; none of them keeps state.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import WaiterError

from customlabels.resources.repository import Repository
from tests.e2e import shapes

DATASET_WAIT_S = 60  # one dataset operation; warm steps take about a second
# ProjectVersionTrainingCompleted polls every 120 s (botocore); the tests poll faster.
TRAINING_WAIT = {"Delay": 3, "MaxAttempts": 300}


def deployment_client(deployment: dict[str, str], service: str, **config: Any) -> Any:
    """A boto3 client for ``service`` on the deployment's LocalStack (test credentials).

    Args:
        deployment: the ``deployment`` fixture's outputs (``EndpointUrl``, ``Region``).
        service: the boto3 service name, e.g. ``"s3"``, ``"lambda"``, ``"kms"``.
        config: botocore ``Config`` settings, e.g. ``max_pool_connections=16``.
    """
    return boto3.client(
        service,
        endpoint_url=deployment["EndpointUrl"],
        region_name=deployment["Region"],
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(**config),
    )


# ---------------------------------------------------------------------------------------------
# Projects
# ---------------------------------------------------------------------------------------------


def create_project(rekognition: Any, name_prefix: str = "e2e") -> str:
    """CreateProject with a fresh name, ``<name_prefix>-<8 hex digits>``; returns its ARN."""
    arn: str = rekognition.create_project(ProjectName=f"{name_prefix}-{uuid.uuid4().hex[:8]}")["ProjectArn"]
    return arn


def remove_project(rekognition: Any, repository: Repository, project_arn: str) -> None:
    """Delete a project whatever a test left in it: its models, its datasets, then the project.

    The models and datasets go from the metadata directly (``repository`` on the deployment's
    data bucket), so that models still training, copying or running do not hold the clean-up
    up; the project goes through DeleteProject. A project that is already gone is fine.
    """
    project = repository.get_project(project_arn.split("/")[1])
    if project is None:
        return
    for version in repository.all_versions(project.name):
        repository.delete_version(version)
    repository.update_project(project, lambda current: current.datasets.clear())
    rekognition.delete_project(ProjectArn=project_arn)


# ---------------------------------------------------------------------------------------------
# The data bucket
# ---------------------------------------------------------------------------------------------


def upload_pictures(s3: Any, bucket: str, prefix: str, pictures: list[shapes.Picture]) -> dict[str, str]:
    """Put each picture at ``<prefix>images/<name>``; returns ``{name: s3 URI}``."""
    uris = {}
    for picture in pictures:
        key = f"{prefix}images/{picture.name}"
        s3.put_object(Bucket=bucket, Key=key, Body=picture.png, ContentType="image/png")
        uris[picture.name] = f"s3://{bucket}/{key}"
    return uris


def put_manifest(s3: Any, bucket: str, lines: list[str], *, key: str | None = None) -> dict[str, Any]:
    """Write ``lines`` as a manifest; returns the asset that points at it.

    Args:
        key: where to write it; a fresh ``e2e-manifests/<hex>.manifest`` if not given.

    Returns:
        ``{"GroundTruthManifest": {"S3Object": {"Bucket": ..., "Name": ...}}}``, which is both a
        ``DatasetSource`` and one of a ``TrainingData``/``TestingData`` ``Assets``.
    """
    key = key or f"e2e-manifests/{uuid.uuid4().hex[:8]}.manifest"
    s3.put_object(Bucket=bucket, Key=key, Body="\n".join(lines).encode())
    return {"GroundTruthManifest": {"S3Object": {"Bucket": bucket, "Name": key}}}


# ---------------------------------------------------------------------------------------------
# Datasets
# ---------------------------------------------------------------------------------------------


def wait_for_datasets(
    rekognition: Any, *dataset_arns: str, timeout_s: float = DATASET_WAIT_S
) -> list[dict[str, Any]]:
    """Poll DescribeDataset until none of the datasets is ``*_IN_PROGRESS``.

    Returns:
        Their ``DatasetDescription``s, in the order of ``dataset_arns``.

    Raises:
        AssertionError: one is still in progress after ``timeout_s``.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        described = [
            rekognition.describe_dataset(DatasetArn=arn)["DatasetDescription"] for arn in dataset_arns
        ]
        if not any(item["Status"].endswith("_IN_PROGRESS") for item in described):
            return described
        if time.monotonic() > deadline:
            raise AssertionError(f"still in progress after {timeout_s} s: {described}")
        time.sleep(0.25)


def create_dataset(
    rekognition: Any,
    project_arn: str,
    dataset_type: str,
    source: dict[str, Any] | None = None,
    *,
    timeout_s: float = DATASET_WAIT_S,
) -> str:
    """CreateDataset and wait for ``CREATE_COMPLETE``; returns the dataset's ARN.

    Args:
        dataset_type: ``"TRAIN"`` or ``"TEST"``.
        source: the ``DatasetSource`` (e.g. :func:`put_manifest`'s asset); an empty dataset
            when ``None``.

    Raises:
        AssertionError: the creation failed, or did not end within ``timeout_s``.
    """
    request: dict[str, Any] = {"ProjectArn": project_arn, "DatasetType": dataset_type}
    if source is not None:
        request["DatasetSource"] = source
    arn: str = rekognition.create_dataset(**request)["DatasetArn"]
    (described,) = wait_for_datasets(rekognition, arn, timeout_s=timeout_s)
    assert described["Status"] == "CREATE_COMPLETE", described
    return arn


# ---------------------------------------------------------------------------------------------
# Models (project versions)
# ---------------------------------------------------------------------------------------------


def describe_version(rekognition: Any, project_arn: str, version_name: str) -> dict[str, Any]:
    """The ``ProjectVersionDescription`` of the model ``version_name`` of the project."""
    (found,) = rekognition.describe_project_versions(ProjectArn=project_arn, VersionNames=[version_name])[
        "ProjectVersionDescriptions"
    ]
    return dict(found)


def wait_for_version(
    rekognition: Any,
    project_arn: str,
    version_name: str,
    *,
    leaving: str,
    timeout_s: float = 900,
    interval_s: float = 1,
) -> dict[str, Any]:
    """Poll DescribeProjectVersions until the model's status is no longer ``leaving``.

    Args:
        leaving: the in-progress status to wait out, e.g. ``"COPYING_IN_PROGRESS"``.

    Returns:
        The model's description in the status it reached.

    Raises:
        AssertionError: it is still ``leaving`` after ``timeout_s``.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        described = describe_version(rekognition, project_arn, version_name)
        if described["Status"] != leaving:
            return described
        if time.monotonic() > deadline:
            raise AssertionError(f"still {leaving} after {timeout_s} s: {json.dumps(described, default=str)}")
        time.sleep(interval_s)


def wait_trained(rekognition: Any, project_arn: str, version_name: str) -> tuple[dict[str, Any], float]:
    """Wait with the stock ``project_version_training_completed`` waiter (polling faster).

    Returns:
        The model's description once it is ``TRAINING_COMPLETED``, and the seconds waited.

    Fails the test, with the model's description, when the training fails or does not end in
    ``TRAINING_WAIT``.
    """
    started = time.monotonic()
    waiter = rekognition.get_waiter("project_version_training_completed")
    try:
        waiter.wait(ProjectArn=project_arn, VersionNames=[version_name], WaiterConfig=TRAINING_WAIT)
    except WaiterError:
        described = describe_version(rekognition, project_arn, version_name)
        pytest.fail(f"training did not complete: {json.dumps(described, default=str)}")
    return describe_version(rekognition, project_arn, version_name), time.monotonic() - started
