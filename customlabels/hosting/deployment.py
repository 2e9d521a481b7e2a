"""Model hosting wired to one deployment's settings: the AWS clients at the edge, built once.

The Lambda handlers (``functions/hosting``, ``functions/metering``) call these at first use;
everything else in :mod:`customlabels.hosting` takes its collaborators as arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from customlabels.hosting.capacity import (
    CAPACITY_KINDS,
    PROVISIONED_CONCURRENCY,
    ModelCapacity,
    ProvisionedConcurrency,
    RecordedCapacity,
)
from customlabels.hosting.metering import Metering
from customlabels.hosting.steps import HostingSteps
from customlabels.resources.records import ProjectVersion
from customlabels.resources.repository import Repository
from customlabels.settings import Settings
from customlabels.store import MetadataStore

_CONFIG = Config(retries={"mode": "standard"})


def _client(service: str, settings: Settings) -> Any:
    # boto3 reads AWS_ENDPOINT_URL itself, which is how the functions reach LocalStack.
    return boto3.client(service, region_name=settings.region, config=_CONFIG)


def capacity_from_settings(settings: Settings) -> ModelCapacity:
    """The deployment's way of realizing inference units (``Settings.inference_capacity``).

    Raises:
        ValueError: an unknown kind, or provisioned concurrency without the detection function.
    """
    if settings.inference_capacity not in CAPACITY_KINDS:
        raise ValueError(
            f"CUSTOMLABELS_INFERENCE_CAPACITY must be one of {', '.join(CAPACITY_KINDS)}, "
            f"got {settings.inference_capacity!r}"
        )
    if settings.inference_capacity != PROVISIONED_CONCURRENCY:
        return RecordedCapacity()
    if not (settings.detect_function_name and settings.detect_function_version):
        raise ValueError(
            "provisioned concurrency needs CUSTOMLABELS_DETECT_FUNCTION_NAME and "
            "CUSTOMLABELS_DETECT_FUNCTION_VERSION"
        )
    return ProvisionedConcurrency(
        _client("lambda", settings),
        _client("application-autoscaling", settings),
        function_name=settings.detect_function_name,
        function_version=settings.detect_function_version,
    )


def _repository(settings: Settings, s3: Any) -> Repository:
    if not settings.data_bucket:
        raise ValueError("CUSTOMLABELS_DATA_BUCKET is not set: models live in the data bucket")
    return Repository(MetadataStore(s3, settings.data_bucket))


def metering_from_settings(settings: Settings, *, capacity: ModelCapacity | None = None) -> Metering:
    """The usage metrics publisher of the deployment."""
    s3 = _client("s3", settings)
    return Metering(
        _repository(settings, s3),
        capacity or capacity_from_settings(settings),
        _client("cloudwatch", settings),
        settings.metrics_namespace,
    )


def steps_from_settings(settings: Settings) -> HostingSteps:
    """The hosting state machine's steps for the deployment."""
    s3 = _client("s3", settings)
    repository = _repository(settings, s3)
    capacity = capacity_from_settings(settings)
    metering = Metering(repository, capacity, _client("cloudwatch", settings), settings.metrics_namespace)
    return HostingSteps(
        repository=repository, capacity=capacity, verify=_verifier(settings, s3), metering=metering
    )


def _verifier(settings: Settings, s3: Any) -> Callable[[ProjectVersion], str]:
    """LoadModel's check, built on first use: only that step needs onnxruntime loaded."""

    @cache
    def verifier() -> Callable[[ProjectVersion], str]:
        from customlabels.hosting.models import ModelVerifier, s3_fetch
        from customlabels.inference.cache import ModelCache

        cache_ = ModelCache(s3_fetch(s3), Path(settings.model_cache_dir))
        return ModelVerifier(s3, cache_, settings.data_bucket).verify

    return lambda version: verifier()(version)
