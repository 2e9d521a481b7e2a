"""CreateDataset, DescribeDataset, DeleteDataset, UpdateDatasetEntries, DistributeDatasetEntries,
ListDatasetEntries, ListDatasetLabels (guide L10688-12880).

A project has at most one TRAIN and one TEST dataset; replacing one means deleting it first
(L10704). Dataset records live in the project's document; their entries (JSON Lines) belong to
the dataset pipeline behind :class:`~customlabels.api.backends.DatasetEntries`. This module
checks requests, resolves datasets, enforces the status rules (nothing changes a dataset while it
is being created or updated) and moves statuses; the back ends do the work.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from customlabels.api.context import ApiContext, seconds
from customlabels.api.errors import (
    InvalidParameterException,
    ResourceAlreadyExistsException,
    ResourceInUseException,
    ResourceNotFoundException,
    ResourceNotReadyException,
)
from customlabels.api.tags import check_tag_count
from customlabels.resources.records import CUSTOM_LABELS, Dataset, Project
from customlabels.resources.status import (
    DATASET_MESSAGES,
    DatasetStatus,
    DatasetStatusMessageCode,
    ProjectStatus,
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
    if dataset.status == D.DELETE_IN_PROGRESS:
        return {}
    if not can_change_dataset(dataset.status, D.DELETE_IN_PROGRESS):
        raise ResourceInUseException(f"The dataset {dataset.arn} is {dataset.status}; wait until it finishes")
    entries = ctx.backends.require_entries("DeleteDataset")
    dataset = _change_status(ctx, project, dataset, D.DELETE_IN_PROGRESS)
    entries.delete(dataset)
    ctx.repository.update_project(project, _remover(dataset))
    return {}


def update_dataset_entries(ctx: ApiContext, request: dict[str, Any]) -> dict[str, Any]:
    """Add or replace entries, matched by ``source-ref`` (L11189)."""
    project, dataset = ctx.dataset(request["DatasetArn"])
    _check_can_update(dataset)
    entries = ctx.backends.require_entries("UpdateDatasetEntries")
    dataset = _change_status(ctx, project, dataset, D.UPDATE_IN_PROGRESS)
    _hand_over(ctx, project, [dataset], lambda: entries.update(dataset, request["Changes"]["GroundTruth"]))
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
    entries = ctx.backends.require_entries("DistributeDatasetEntries")
    training = _change_status(ctx, project, training, D.UPDATE_IN_PROGRESS)
    testing = _change_status(ctx, project, testing, D.UPDATE_IN_PROGRESS)
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


def _change_status(ctx: ApiContext, project: Project, dataset: Dataset, target: DatasetStatus) -> Dataset:
    """Move one dataset of ``project`` to ``target`` with a conditional write; returns it."""
    changed: list[Dataset] = []

    def change(current: Project) -> None:
        found = current.datasets.get(dataset.dataset_type)
        if found is None or found.created_ms != dataset.created_ms:
            raise ResourceNotFoundException(f"The dataset {dataset.arn} does not exist")
        change_dataset_status(found, target, ctx.clock())
        changed[:] = [found]

    ctx.repository.update_project(project, change)
    return changed[0]


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
