"""Model hosting wired to one deployment's settings: the AWS clients at the edge, built once.

The Lambda handlers (``functions/hosting``, ``functions/metering``) call these at first use;
everything else in :mod:`customlabels.hosting` takes its collaborators as arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from customlabels import aws
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
        aws.client("lambda", settings),
        aws.client("application-autoscaling", settings),
        function_name=settings.detect_function_name,
        function_version=settings.detect_function_version,
    )


def _repository(settings: Settings, s3: Any) -> Repository:
    return Repository(MetadataStore(s3, aws.data_bucket(settings, holds="models live")))


def metering_from_settings(settings: Settings, *, capacity: ModelCapacity | None = None) -> Metering:
    """The usage metrics publisher of the deployment."""
    s3 = aws.client("s3", settings)
    return Metering(
        _repository(settings, s3),
        capacity or capacity_from_settings(settings),
        aws.client("cloudwatch", settings),
        settings.metrics_namespace,
    )


def steps_from_settings(settings: Settings) -> HostingSteps:
    """The hosting state machine's steps for the deployment."""
    s3 = aws.client("s3", settings)
    repository = _repository(settings, s3)
    capacity = capacity_from_settings(settings)
    metering = Metering(repository, capacity, aws.client("cloudwatch", settings), settings.metrics_namespace)
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
