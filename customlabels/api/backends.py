"""The seams where the dataset pipeline, training and model hosting plug into the API.

The control plane records requests and statuses; the work itself happens elsewhere:

- :class:`Pipelines`: long-running workflows started by CreateDataset, CreateProjectVersion and
  CopyProjectVersion. A deployment runs them as Step Functions (:class:`StepFunctionsPipelines`);
  the execution input is ``{"Operation": <API operation>, "DatasetArn" | "ProjectVersionArn": ...}``
  (datasets add the request's ``DatasetSource`` and, for a manifest, ``ManifestS3``); the record
  holds the rest of the request, and the workflow reports back by changing the record's status
  through ``Repository.update_*`` and ``customlabels.resources.status``.
- :class:`DatasetEntries`: the JSON Lines of datasets, owned by the dataset pipeline
  (:class:`~customlabels.datasets.backend.StoredEntries`): it serves the listings and hands
  updates and distributions to the same Step Functions pipeline as CreateDataset (the dataset
  pipeline's whole input contract is :class:`~customlabels.datasets.pipeline_input.PipelineInput`).
- :class:`ModelHosting`: starting, stopping and querying a trained model.

A member that a deployment lacks is ``None`` in :class:`Backends` (or a pipeline without its
state machine ARN): the operation is still routed and validated, resolves its resources
(ResourceNotFoundException and friends work), and then answers ``NotImplemented`` (501) without
leaving anything behind. Nothing is faked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from customlabels.api.errors import NotAvailableError
from customlabels.datasets.pipeline_input import CREATE, DISTRIBUTE, UPDATE, PipelineInput, execution_name
from customlabels.resources.records import Dataset, ProjectVersion

if TYPE_CHECKING:
    from mypy_boto3_stepfunctions import SFNClient

T = TypeVar("T")


class Pipelines(Protocol):
    """Starts the asynchronous workflows; each raises NotAvailableError if not deployed."""

    def start_dataset_creation(self, dataset: Dataset) -> None: ...

    def start_training(self, project_version_arn: str) -> None: ...

    def start_copy(self, project_version_arn: str) -> None: ...


class DatasetEntries(Protocol):
    """Reads and changes the entries (JSON Lines) of datasets.

    ``update`` and ``distribute`` get the dataset(s) already ``UPDATE_IN_PROGRESS`` under their
    ``operation_id`` and start the work; the pipeline reports the outcome on the dataset(s).
    """

    def update(self, dataset: Dataset, ground_truth: bytes) -> None: ...

    def distribute(self, training: Dataset, testing: Dataset) -> None: ...

    def list_entries(
        self, dataset: Dataset, filters: dict[str, Any], position: dict[str, Any] | None, limit: int
    ) -> tuple[list[str], dict[str, Any] | None]: ...

    def list_labels(
        self, dataset: Dataset, position: dict[str, Any] | None, limit: int
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]: ...

    def delete(self, dataset: Dataset) -> None: ...


class ModelHosting(Protocol):
    """Runs trained models."""

    def start(self, version: ProjectVersion, min_units: int, max_units: int | None) -> None: ...

    def stop(self, version: ProjectVersion) -> None: ...

    def detect(
        self,
        version: ProjectVersion,
        image: dict[str, Any],
        min_confidence: float | None,
        max_results: int | None,
    ) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class Backends:
    """What this deployment can do beyond the metadata; ``None``: not available."""

    pipelines: Pipelines | None = None
    entries: DatasetEntries | None = None
    hosting: ModelHosting | None = None

    def require_pipelines(self, operation: str) -> Pipelines:
        return _require(self.pipelines, operation, "the dataset and training pipelines")

    def require_entries(self, operation: str) -> DatasetEntries:
        return _require(self.entries, operation, "the dataset entry store")

    def require_hosting(self, operation: str) -> ModelHosting:
        return _require(self.hosting, operation, "model hosting")


def _require(backend: T | None, operation: str, what: str) -> T:
    if backend is None:
        raise NotAvailableError(f"{operation} needs {what}, which this deployment does not provide")
    return backend


class StepFunctionsPipelines:
    """:class:`Pipelines` on Step Functions: one ``start_execution`` per request.

    Executions are named after the resource and its creation time, so a retried start of the
    same resource cannot run twice (Step Functions refuses a duplicate name).
    """

    def __init__(
        self,
        client: SFNClient,
        *,
        dataset_pipeline_arn: str | None,
        training_pipeline_arn: str | None,
        copy_pipeline_arn: str | None = None,
    ) -> None:
        self._client = client
        self._arns = {
            "CreateDataset": dataset_pipeline_arn,
            "CreateProjectVersion": training_pipeline_arn,
            "CopyProjectVersion": copy_pipeline_arn,
        }

    def start_dataset_creation(self, dataset: Dataset) -> None:
        """Input: the dataset's ARN and the request's DatasetSource, plus ``ManifestS3`` (the
        manifest's ``{Bucket, Name, Version?}``) when it is built from a Ground Truth manifest.
        A dataset is created once, so its ARN names the operation."""
        request = PipelineInput(CREATE, dataset.arn, None, dataset_source=dataset.source or {})
        self._start_dataset_pipeline(request, execution_name(dataset.arn))

    def start_dataset_update(self, dataset: Dataset, changes_key: str) -> None:
        """Input: the dataset's ARN and operation id, and the key of the staged change lines."""
        request = PipelineInput(UPDATE, dataset.arn, _operation(dataset), changes_key=changes_key)
        self._start_dataset_pipeline(request, request.execution_name())

    def start_dataset_distribution(self, training: Dataset, testing: Dataset) -> None:
        """Input: the training dataset's ARN and operation (the test dataset shares it), and the test
        dataset's ARN."""
        request = PipelineInput(DISTRIBUTE, training.arn, _operation(training), test_dataset_arn=testing.arn)
        self._start_dataset_pipeline(request, request.execution_name())

    def start_training(self, project_version_arn: str) -> None:
        self._start("CreateProjectVersion", project_version_arn, {"ProjectVersionArn": project_version_arn})

    def start_copy(self, project_version_arn: str) -> None:
        self._start("CopyProjectVersion", project_version_arn, {"ProjectVersionArn": project_version_arn})

    def _start_dataset_pipeline(self, request: PipelineInput, name: str) -> None:
        state_machine = self._arns[CREATE]
        if not state_machine:
            raise NotAvailableError(
                f"{request.operation} needs a state machine this deployment does not have"
            )
        self._client.start_execution(stateMachineArn=state_machine, name=name, input=request.to_json())

    def _start(self, operation: str, resource_arn: str, payload: dict[str, Any]) -> None:
        state_machine = self._arns[operation]
        if not state_machine:
            raise NotAvailableError(f"{operation} needs a state machine this deployment does not have")
        self._client.start_execution(
            stateMachineArn=state_machine,
            name=execution_name(resource_arn),
            input=json.dumps({"Operation": operation, **payload}),
        )


def _operation(dataset: Dataset) -> str:
    if not dataset.operation_id:
        raise ValueError(f"the dataset {dataset.arn} has no operation to hand over")
    return dataset.operation_id
