"""The hosting steps against real S3 (LocalStack): a Start until RUNNING, a Stop that takes over a
Start in flight, failures recorded with their reason, and the model files checked before RUNNING."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from customlabels.hosting.capacity import CapacityState, RecordedCapacity
from customlabels.hosting.errors import HostingError, HostingSuperseded
from customlabels.hosting.models import ModelVerifier, s3_fetch
from customlabels.hosting.request import START, STOP, HostingRequest
from customlabels.hosting.steps import HostingSteps
from customlabels.inference.cache import ModelCache
from customlabels.resources.artifacts import default_artifacts_prefix
from customlabels.resources.records import ProjectVersion
from customlabels.resources.repository import Repository
from customlabels.resources.status import ProjectVersionStatus
from tests.store.conftest import Bucket

V = ProjectVersionStatus
CREATED_MS = 1_700_000_000_000


def stored(repository: Repository, status: ProjectVersionStatus, operation: str) -> ProjectVersion:
    version = ProjectVersion(
        region="us-east-1",
        account="123456789012",
        project_name="p",
        name="v1",
        created_ms=CREATED_MS,
        status=status,
        status_message="",
        min_inference_units=1,
        artifacts_prefix=default_artifacts_prefix("p", "v1", CREATED_MS),
        hosting_operation_id=operation,
    )
    repository.create_version(version)
    return version


def current(repository: Repository) -> ProjectVersion:
    found = repository.get_version("p", "v1")
    assert found is not None
    return found


def event(operation: str, version: ProjectVersion, operation_id: str, **state: Any) -> dict[str, Any]:
    return {**HostingRequest(operation, version.arn, operation_id).to_event(), **state}


def steps(repository: Repository, **overrides: Any) -> HostingSteps:
    arguments: dict[str, Any] = {"capacity": RecordedCapacity(), "verify": lambda _: "etag-1", **overrides}
    return HostingSteps(repository=repository, **arguments)


def test_a_start_runs_the_model_once_its_files_load_and_its_units_serve(repository: Repository) -> None:
    version = stored(repository, V.STARTING, "op1")
    hosting = steps(repository)
    state = event(START, version, "op1")
    assert hosting.run("LoadModel", state) == {"ArtifactEtag": "etag-1"}
    assert current(repository).serving_etag == "etag-1"
    capacity = hosting.run("ProvisionCapacity", state)
    assert capacity["Ready"] and capacity["InServiceInferenceUnits"] == 1
    assert hosting.run("MarkRunning", {**state, "Capacity": capacity}) == {"Status": "RUNNING"}
    assert (current(repository).status, current(repository).status_message) == (
        V.RUNNING,
        "The model is running.",
    )


def test_a_stop_takes_over_a_start_in_flight(repository: Repository) -> None:
    version = stored(repository, V.STARTING, "op1")
    hosting = steps(repository)
    start = event(START, version, "op1")
    hosting.run("LoadModel", start)

    def stopping(model: ProjectVersion) -> None:  # what StopProjectVersion does
        model.status, model.hosting_operation_id = V.STOPPING, "op2"

    repository.update_version(version, stopping)
    with pytest.raises(HostingSuperseded):
        hosting.run("MarkRunning", start)
    assert hosting.run("RecordFailure", {**start, "Failure": {"Error": "X"}})["Status"] is None
    stop = event(STOP, version, "op2")
    hosting.run("ReleaseCapacity", stop)
    assert hosting.run("MarkStopped", stop) == {"Status": "STOPPED"}
    assert current(repository).status_message == "The model has stopped running."


def test_a_failure_is_recorded_with_its_reason(repository: Repository) -> None:
    version = stored(repository, V.STARTING, "op1")
    failure = {
        "Error": "HostingError",
        "Cause": json.dumps({"errorMessage": "The model could not be started: x."}),
    }
    recorded = steps(repository).run("RecordFailure", {**event(START, version, "op1"), "Failure": failure})
    assert recorded == {"Status": "FAILED", "StatusMessage": "The model could not be started: x."}
    assert current(repository).status == V.FAILED


class NeverReady(RecordedCapacity):
    def state(self, version: ProjectVersion) -> CapacityState:
        return CapacityState(ready=False, desired=1, in_service=0)


def test_units_that_never_come_fail_the_start(repository: Repository) -> None:
    version = stored(repository, V.STARTING, "op1")
    now = [1000.0]
    hosting = steps(repository, capacity=NeverReady(), clock=lambda: now[0])
    state = event(START, version, "op1")
    capacity = hosting.run("ProvisionCapacity", state)
    assert not capacity["Ready"]
    now[0] += 60
    assert not hosting.run("CheckCapacity", {**state, "Capacity": capacity})["Ready"]
    now[0] += hosting.capacity_timeout_s
    with pytest.raises(HostingError, match="not in service after 15 minutes"):
        hosting.run("CheckCapacity", {**state, "Capacity": capacity})


def test_model_files_are_loaded_before_the_model_runs(
    s3: Any, bucket: Bucket, repository: Repository, tmp_path: Path, model_dir: Path
) -> None:
    version = stored(repository, V.STARTING, "op1")
    verifier = ModelVerifier(s3, ModelCache(s3_fetch(s3), tmp_path / "cache"), bucket.name)
    with pytest.raises(HostingError, match="cannot be read from s3://"):
        verifier.verify(version)  # nothing uploaded yet
    prefix = version.artifacts_prefix or ""
    s3.put_object(Bucket=bucket.name, Key=prefix + "model.json", Body=(model_dir / "model.json").read_bytes())
    s3.put_object(Bucket=bucket.name, Key=prefix + "model.onnx", Body=b"not a model")
    with pytest.raises(HostingError, match="cannot be loaded"):
        verifier.verify(version)
    s3.put_object(Bucket=bucket.name, Key=prefix + "model.onnx", Body=(model_dir / "model.onnx").read_bytes())
    etag = verifier.verify(version)
    assert etag and etag == verifier.verify(version)
    no_files = ProjectVersion(**{**version.__dict__, "artifacts_prefix": None})
    with pytest.raises(HostingError, match="has no model files"):
        verifier.verify(no_files)


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.unit.inference.builders import export_model

    return export_model(tmp_path_factory.mktemp("hosting-model"), "single_label").model_dir
