"""CreateDataset, DescribeDataset, DeleteDataset, UpdateDatasetEntries, DistributeDatasetEntries,
ListDatasetEntries, ListDatasetLabels (guide L10688-12880).

A project has at most one TRAIN and one TEST dataset; replacing one means deleting it first
(L10704). Dataset records live in the project's document; their entries (JSON Lines) belong to
the dataset pipeline behind :class:`~customlabels.api.backends.DatasetEntries`. This module
checks requests, resolves datasets, enforces the status rules and moves statuses; the back ends
do the work:

- CreateDataset, UpdateDatasetEntries and DistributeDatasetEntries return at once with the
  dataset(s) ``*_IN_PROGRESS`` under a new operation id, and the dataset pipeline finishes them
  (``*_COMPLETE`` or ``*_FAILED``), as the guide's samples expect (L10806, L11275, L12519);
- nothing changes a dataset while it is being created, updated or deleted, nor while a model of
  its project is training on it (ResourceInUseException): training reads the entries as they
  were when it started;
- DeleteDataset removes the entries within the request (``DELETE_IN_PROGRESS`` meanwhile); a
  deletion that stopped half way is finished by the next DeleteDataset.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from customlabels.api.context import ApiContext, seconds
from customlabels.api.errors import (
    MODELLED_ERRORS,
    InvalidParameterException,
    ResourceAlreadyExistsException,
    ResourceInUseException,
    ResourceNotFoundException,
    ResourceNotReadyException,
)
from customlabels.api.tags import check_tag_count
from customlabels.datasets.entry_store import RevisionMissing
from customlabels.datasets.pipeline_input import new_operation_id
from customlabels.manifests import DatasetRequestError, check_changes_request
from customlabels.resources.records import CUSTOM_LABELS, Dataset, Project
from customlabels.resources.status import (
    DATASET_MESSAGES,
    DatasetStatus,
    DatasetStatusMessageCode,
    ProjectStatus,
    ProjectVersionStatus,
    can_change_dataset,
    change_dataset_status,
)

D = DatasetStatus
DEFAULT_PAGE_SIZE = 100  # model docs of ListDatasetEntries / ListDatasetLabels MaxResults
_READY = frozenset({D.CREATE_COMPLETE, D.UPDATE_COMPLETE})
_ENTRY_FILTERS = ("ContainsLabels", "Labeled", "SourceRefContains", "HasErrors")


def create_dataset(ctx: ApiContext, request: dict[str, Any]) -> dict[str, Any]:
    """Record a new dataset (empty, from a manifest, or a copy) and start the dataset pipeline."""
    project = ctx.project(request["ProjectArn"])
    if project.feature != CUSTOM_LABELS:
        raise InvalidParameterException("Datasets belong to CUSTOM_LABELS projects")
    dataset_type = request["DatasetType"]
    _refuse_second(project, dataset_type)
    source = request.get("DatasetSource")
    if source is not None:
        _check_source(ctx, source)
    tags = request.get("Tags", {})
    check_tag_count(len(tags), InvalidParameterException)
    pipelines = ctx.backends.require_pipelines("CreateDataset")
    now = ctx.clock()
    dataset = Dataset(
        region=ctx.region,
        account=ctx.account,
        project_name=project.name,
        dataset_type=dataset_type,
        created_ms=now,
        status=D.CREATE_IN_PROGRESS,
        status_message=DATASET_MESSAGES[D.CREATE_IN_PROGRESS],
        status_message_code=DatasetStatusMessageCode.SUCCESS,  # the samples read it (L10438)
        last_updated_ms=now,
        source=source,
        tags=dict(tags),
    )

    def add(current: Project) -> None:
        if current.status != ProjectStatus.CREATED:
            raise ResourceNotFoundException(f"The project {project.arn} is being deleted")
        _refuse_second(current, dataset_type)
        current.datasets[dataset_type] = dataset

    ctx.repository.update_project(project, add)
    try:
        pipelines.start_dataset_creation(dataset)
    except BaseException:
        ctx.repository.update_project(project, _remover(dataset))
        raise
    return {"DatasetArn": dataset.arn}


def describe_dataset(ctx: ApiContext, request: dict[str, Any]) -> dict[str, Any]:
    """The dataset's status and entry counts (L11948-12186)."""
    _, dataset = ctx.dataset(request["DatasetArn"])
    stats = dataset.stats
    return {
        "DatasetDescription": {
            "CreationTimestamp": seconds(dataset.created_ms),
            "LastUpdatedTimestamp": seconds(dataset.last_updated_ms),
            "Status": dataset.status,
            "StatusMessage": dataset.status_message,
            "StatusMessageCode": dataset.status_message_code,
            "DatasetStats": {
                "LabeledEntries": stats.labeled_entries,
                "TotalEntries": stats.total_entries,
                "TotalLabels": stats.total_labels,
                "ErrorEntries": stats.error_entries,
            },
        }
    }


def delete_dataset(ctx: ApiContext, request: dict[str, Any]) -> dict[str, Any]:
    """Delete a dataset that is not being created or updated (model docs of DeleteDataset)."""
    project, dataset = ctx.dataset(request["DatasetArn"])
    entries = ctx.backends.require_entries("DeleteDataset")
    if dataset.status != D.DELETE_IN_PROGRESS:  # else: finish a deletion that stopped half way
        if not can_change_dataset(dataset.status, D.DELETE_IN_PROGRESS):
            raise ResourceInUseException(
                f"The dataset {dataset.arn} is {dataset.status}; wait until it finishes"
            )
        _refuse_while_training(ctx, project, dataset)
        (dataset,) = _begin(ctx, project, [dataset], D.DELETE_IN_PROGRESS)
    entries.delete(dataset)
    ctx.repository.update_project(project, _remover(dataset))
    return {}


def update_dataset_entries(ctx: ApiContext, request: dict[str, Any]) -> dict[str, Any]:
    """Add or replace entries, matched by ``source-ref`` (L11189); the pipeline applies them.

    What the request alone shows is refused at once (a blob that is not JSON Lines, an image with
    more than 50 labels, more new images than a dataset may hold); the dataset's own limits after
    the merge are the pipeline's terminal errors (``UPDATE_FAILED``, L4522, L4558).
    """
    project, dataset = ctx.dataset(request["DatasetArn"])
    _check_can_update(dataset)
    _refuse_while_training(ctx, project, dataset)
    entries = ctx.backends.require_entries("UpdateDatasetEntries")
    ctx.backends.require_pipelines("UpdateDatasetEntries")
    ground_truth: bytes = request["Changes"]["GroundTruth"]
    with _request_errors():
        check_changes_request(ground_truth, existing_source_refs=())
    operation_id = new_operation_id(ctx.clock())
    (dataset,) = _begin(ctx, project, [dataset], D.UPDATE_IN_PROGRESS, operation_id)
    _hand_over(ctx, project, [dataset], lambda: entries.update(dataset, ground_truth))
    return {}


def distribute_dataset_entries(ctx: ApiContext, request: dict[str, Any]) -> dict[str, Any]:
    """Move 20% of the training entries into the empty test dataset (L12474, L12486)."""
    resolved = [ctx.dataset(item["Arn"]) for item in request["Datasets"]]
    (project, first), (other_project, second) = resolved
    if project.name != other_project.name:
        raise InvalidParameterException("Both datasets must belong to the same project")
    by_type = {first.dataset_type: first, second.dataset_type: second}
    if set(by_type) != {"TRAIN", "TEST"}:
        raise InvalidParameterException("Datasets must be the project's TRAIN and TEST datasets")
    training, testing = by_type["TRAIN"], by_type["TEST"]
    for dataset in (training, testing):
        if dataset.status not in _READY:
            raise ResourceNotReadyException(f"The dataset {dataset.arn} is {dataset.status}")
    if testing.stats.total_entries:
        raise InvalidParameterException(
            f"The test dataset must be empty; it has {testing.stats.total_entries} entries"
        )
    if not training.stats.total_entries:
        raise InvalidParameterException("The training dataset has no entries to distribute")
    _refuse_while_training(ctx, project, training)
    entries = ctx.backends.require_entries("DistributeDatasetEntries")
    ctx.backends.require_pipelines("DistributeDatasetEntries")
    operation_id = new_operation_id(ctx.clock())
    training, testing = _begin(ctx, project, [training, testing], D.UPDATE_IN_PROGRESS, operation_id)
    _hand_over(ctx, project, [training, testing], lambda: entries.distribute(training, testing))
    return {}


def list_dataset_entries(ctx: ApiContext, request: dict[str, Any]) -> dict[str, Any]:
    """The dataset's JSON Lines, filtered and paginated (L12188-12468)."""
    _, dataset = ctx.dataset(request["DatasetArn"])
    _check_readable(dataset)
    entries = ctx.backends.require_entries("ListDatasetEntries")
    filters = {name: request[name] for name in _ENTRY_FILTERS if name in request}
    scope = f"ListDatasetEntries|{dataset.arn}|{sorted(filters.items())}"
    position = ctx.page_position(scope, request.get("NextToken"))
    with _request_errors():
        lines, resume = entries.list_entries(
            dataset, filters, position, request.get("MaxResults", DEFAULT_PAGE_SIZE)
        )
    return {"DatasetEntries": lines, "NextToken": ctx.next_token(scope, resume)}


def list_dataset_labels(ctx: ApiContext, request: dict[str, Any]) -> dict[str, Any]:
    """The labels of a dataset with their entry and bounding-box counts."""
    _, dataset = ctx.dataset(request["DatasetArn"])
    _check_readable(dataset)
    entries = ctx.backends.require_entries("ListDatasetLabels")
    scope = f"ListDatasetLabels|{dataset.arn}"
    position = ctx.page_position(scope, request.get("NextToken"))
    with _request_errors():
        labels, resume = entries.list_labels(dataset, position, request.get("MaxResults", DEFAULT_PAGE_SIZE))
    return {"DatasetLabelDescriptions": labels, "NextToken": ctx.next_token(scope, resume)}


def _refuse_second(project: Project, dataset_type: str) -> None:
    """One TRAIN and one TEST dataset per project; replacing one means deleting it (L10704)."""
    if dataset_type in project.datasets:
        raise ResourceAlreadyExistsException(
            f"The project already has a {dataset_type} dataset; delete it before creating another"
        )


def _check_source(ctx: ApiContext, source: dict[str, Any]) -> None:
    """Exactly one of GroundTruthManifest and DatasetArn (model docs of DatasetSource)."""
    manifest, copied = source.get("GroundTruthManifest"), source.get("DatasetArn")
    if (manifest is None) == (copied is None):
        raise InvalidParameterException(
            "DatasetSource needs exactly one of GroundTruthManifest or DatasetArn"
        )
    if manifest is not None:
        s3_object = manifest.get("S3Object") or {}
        if not (s3_object.get("Bucket") and s3_object.get("Name")):
            raise InvalidParameterException("GroundTruthManifest.S3Object needs Bucket and Name")
    else:
        _, original = ctx.dataset(str(copied))
        if original.status not in _READY:
            raise InvalidParameterException(f"The dataset to copy, {original.arn}, is {original.status}")


def _check_can_update(dataset: Dataset) -> None:
    if not can_change_dataset(dataset.status, D.UPDATE_IN_PROGRESS):
        raise ResourceInUseException(
            f"The dataset {dataset.arn} is {dataset.status}; entries can change when it is CREATE_COMPLETE, "
            "UPDATE_COMPLETE or UPDATE_FAILED"
        )


def _check_readable(dataset: Dataset) -> None:
    if dataset.status in (D.CREATE_IN_PROGRESS, D.CREATE_FAILED):
        raise ResourceNotReadyException(f"The dataset {dataset.arn} is {dataset.status}")
    if dataset.status in (D.UPDATE_IN_PROGRESS, D.DELETE_IN_PROGRESS):
        raise ResourceInUseException(f"The dataset {dataset.arn} is {dataset.status}")


def _refuse_while_training(ctx: ApiContext, project: Project, dataset: Dataset) -> None:
    """A model of the project that is training reads its datasets: they cannot change meanwhile."""
    if not ctx.repository.has_versions(project.name):
        return
    for version in ctx.repository.all_versions(project.name):
        if version.status == ProjectVersionStatus.TRAINING_IN_PROGRESS:
            raise ResourceInUseException(
                f"The dataset {dataset.arn} is in use by the model {version.arn}, which is "
                "TRAINING_IN_PROGRESS; wait until training finishes"
            )


@contextmanager
def _request_errors() -> Iterator[None]:
    """The dataset core's request errors as the API's modelled errors."""
    try:
        yield
    except DatasetRequestError as error:
        raise MODELLED_ERRORS[error.api_error](error.message) from None
    except RevisionMissing:
        raise ResourceInUseException(
            "The dataset's entries changed while they were read; try again"
        ) from None


def _begin(
    ctx: ApiContext,
    project: Project,
    datasets: list[Dataset],
    target: DatasetStatus,
    operation_id: str | None = None,
) -> list[Dataset]:
    """Move datasets of ``project`` to ``target`` (under ``operation_id``) in one conditional write.

    Raises:
        ResourceNotFoundException: a dataset was deleted meanwhile.
        TransitionError: a dataset changed status meanwhile (answered ResourceInUseException).
    """
    changed: list[Dataset] = []

    def change(current: Project) -> None:
        changed.clear()
        for dataset in datasets:
            found = current.datasets.get(dataset.dataset_type)
            if found is None or found.created_ms != dataset.created_ms:
                raise ResourceNotFoundException(f"The dataset {dataset.arn} does not exist")
            change_dataset_status(found, target, ctx.clock())
            if operation_id is not None:
                found.operation_id = operation_id
            changed.append(found)

    ctx.repository.update_project(project, change)
    return changed


def _hand_over(ctx: ApiContext, project: Project, datasets: list[Dataset], call: Callable[[], None]) -> None:
    """Run the entry store's call; if it fails, the datasets are UPDATE_FAILED (our fault)."""
    try:
        call()
    except BaseException:

        def fail(current: Project) -> None:
            for dataset in datasets:
                found = current.datasets.get(dataset.dataset_type)
                if found is not None and found.created_ms == dataset.created_ms:
                    change_dataset_status(
                        found, D.UPDATE_FAILED, ctx.clock(), code=DatasetStatusMessageCode.SERVICE_ERROR
                    )

        ctx.repository.update_project(project, fail)
        raise


def _remover(dataset: Dataset) -> Callable[[Project], None]:
    def remove(current: Project) -> None:
        found = current.datasets.get(dataset.dataset_type)
        if found is not None and found.created_ms == dataset.created_ms:
            del current.datasets[dataset.dataset_type]

    return remove


OPERATIONS = {
    "CreateDataset": create_dataset,
    "DescribeDataset": describe_dataset,
    "DeleteDataset": delete_dataset,
    "UpdateDatasetEntries": update_dataset_entries,
    "DistributeDatasetEntries": distribute_dataset_entries,
    "ListDatasetEntries": list_dataset_entries,
    "ListDatasetLabels": list_dataset_labels,
}
