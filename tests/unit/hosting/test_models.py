"""Finding a running model: RUNNING trusted for a while, anything else read again every time."""

from __future__ import annotations

import dataclasses

import pytest

from customlabels.hosting.models import ModelLookup, split_s3_uri
from customlabels.inference.errors import ResourceNotFoundException, ResourceNotReadyException
from customlabels.resources.status import ProjectVersionStatus

from .conftest import ACCOUNT, REGION, Records, model


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_running_status_is_trusted_for_the_ttl(records: Records) -> None:
    clock = Clock()
    lookup = ModelLookup(records, region=REGION, account=ACCOUNT, ttl_s=2.0, clock=clock)  # type: ignore[arg-type]
    running = records.add(model())
    assert lookup.running(running.arn) == running
    reads = records.reads
    clock.now = 1.9
    assert lookup.running(running.arn) == running and records.reads == reads  # from memory
    records.add(dataclasses.replace(running, status=ProjectVersionStatus.STOPPING))
    clock.now = 2.1  # expired: the stop is seen
    with pytest.raises(ResourceNotReadyException, match="is STOPPING"):
        lookup.running(running.arn)


def test_a_model_that_is_not_running_is_read_again_every_time(records: Records) -> None:
    clock = Clock()
    lookup = ModelLookup(records, region=REGION, account=ACCOUNT, ttl_s=60, clock=clock)  # type: ignore[arg-type]
    starting = records.add(model(status=ProjectVersionStatus.STARTING))
    with pytest.raises(ResourceNotReadyException):
        lookup.running(starting.arn)
    records.add(dataclasses.replace(starting, status=ProjectVersionStatus.RUNNING))
    assert lookup.running(starting.arn).status == ProjectVersionStatus.RUNNING  # at once, not after 60 s


def test_models_by_name_and_unknown_models(records: Records, lookup: ModelLookup) -> None:
    running = records.add(model("v7"))
    assert lookup.running_by_name("p", "v7") == running
    with pytest.raises(ResourceNotFoundException):
        lookup.running_by_name("p", "v8")
    with pytest.raises(ResourceNotFoundException):
        lookup.running("not an arn")
    with pytest.raises(ResourceNotFoundException):  # an ARN of another account names nothing here
        lookup.running(running.arn.replace(ACCOUNT, "999999999999"))


def test_s3_uris() -> None:
    assert split_s3_uri("s3://bucket/a/b/model.onnx") == ("bucket", "a/b/model.onnx")
    with pytest.raises(ValueError):
        split_s3_uri("https://bucket/key")


def test_a_running_model_named_by_the_batch_prefix_is_remembered_too(records: Records) -> None:
    lookup = ModelLookup(records, region=REGION, account=ACCOUNT, ttl_s=60)  # type: ignore[arg-type]
    records.add(model("v5"))
    lookup.running_by_name("p", "v5")
    reads = records.reads
    lookup.running_by_name("p", "v5")
    assert records.reads == reads
