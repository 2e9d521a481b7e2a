"""The end of every dataset operation: record its result on the dataset, atomically.

``RecordEntries`` switches each dataset to its new revision: ``entries_key``, ``DatasetStats``
and the status (``CREATE_COMPLETE``/``UPDATE_COMPLETE``) change together in one conditional
write of the project document (the store re-applies the change if another writer got there
first, so no concurrent update is lost). It switches only a dataset that still runs this
operation; a retried step that finds its own revision already recorded does nothing. The
replaced revision and the change set are deleted afterwards.

``RecordFailure`` moves the datasets that still run the operation to ``CREATE_FAILED`` or
``UPDATE_FAILED`` with the failure's message and code, and deletes the operation's own objects.
The current revision is never touched, so a failed update leaves the previous entries intact.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from customlabels.datasets.entry_store import EntryStore
from customlabels.datasets.failures import DatasetSuperseded, Failure
from customlabels.datasets.operations import StagedRevision, locate
from customlabels.datasets.pipeline_input import PipelineInput
from customlabels.resources import arns
from customlabels.resources.records import Dataset, DatasetStats, Project
from customlabels.resources.repository import Repository
from customlabels.resources.status import DatasetStatus, change_dataset_status
from customlabels.store import DocumentNotFound

logger = logging.getLogger(__name__)
D = DatasetStatus
_COMPLETED = {D.CREATE_IN_PROGRESS: D.CREATE_COMPLETE, D.UPDATE_IN_PROGRESS: D.UPDATE_COMPLETE}
_FAILED = {D.CREATE_IN_PROGRESS: D.CREATE_FAILED, D.UPDATE_IN_PROGRESS: D.UPDATE_FAILED}
_DONE = frozenset(_COMPLETED.values())


def epoch_ms() -> int:
    return time.time_ns() // 1_000_000


class DatasetRecorder:
    """Writes the outcome of dataset operations on the dataset records."""

    def __init__(
        self, repository: Repository, entries: EntryStore, *, clock: Callable[[], int] = epoch_ms
    ) -> None:
        self.repository = repository
        self.entries = entries
        self.clock = clock

    def record_entries(self, request: PipelineInput, revisions: Sequence[StagedRevision]) -> None:
        """Switch the datasets to their staged revisions and complete the operation.

        Raises:
            DatasetSuperseded: a dataset was deleted or runs another operation; the staged
                revisions are discarded.
        """
        project, _ = locate(self.repository, request.dataset_arn)
        replaced: list[str] = []

        def switch(current: Project) -> None:
            replaced.clear()
            for revision in revisions:
                dataset = _find(current, revision.dataset_arn)
                if dataset is None:
                    raise DatasetSuperseded(f"The dataset {revision.dataset_arn} was deleted")
                mine = dataset.operation_id == request.operation_id
                if mine and dataset.status in _DONE and dataset.entries_key == revision.entries_key:
                    continue  # recorded by an earlier attempt of this step
                if not mine or dataset.status not in _COMPLETED:
                    raise DatasetSuperseded(
                        f"The dataset {dataset.arn} is {dataset.status} with operation {dataset.operation_id}"
                    )
                if dataset.entries_key and dataset.entries_key != revision.entries_key:
                    replaced.append(dataset.entries_key)
                dataset.entries_key = revision.entries_key
                dataset.stats = DatasetStats(
                    labeled_entries=revision.stats.labeled_entries,
                    total_entries=revision.stats.total_entries,
                    total_labels=revision.stats.total_labels,
                    error_entries=revision.stats.error_entries,
                )
                change_dataset_status(dataset, _COMPLETED[dataset.status], self.clock())

        try:
            self.repository.update_project(project, switch)
        except (DatasetSuperseded, DocumentNotFound) as error:
            for revision in revisions:
                if revision.entries_key:
                    self.entries.delete_revision(revision.entries_key)
            raise DatasetSuperseded(str(error)) from error
        for key in replaced:
            self.entries.delete_revision(key)
        if request.changes_key:
            self.entries.delete_object(request.changes_key)
        logger.info("%s %s recorded", request.operation, request.operation_id)

    def record_failure(self, request: PipelineInput, failure: Failure) -> list[str]:
        """Fail the datasets that still run ``request``'s operation; returns their ARNs."""
        failed: list[str] = []
        located: list[Dataset] = []

        def fail(current: Project) -> None:
            failed.clear()
            located.clear()
            for arn in request.dataset_arns:
                dataset = _find(current, arn)
                if dataset is None or dataset.operation_id != request.operation_id:
                    continue
                located.append(dataset)
                if dataset.status in _FAILED:
                    change_dataset_status(
                        dataset,
                        _FAILED[dataset.status],
                        self.clock(),
                        message=failure.message,
                        code=failure.code,
                    )
                    failed.append(arn)

        try:
            project, _ = locate(self.repository, request.dataset_arn)
            self.repository.update_project(project, fail)
        except (DatasetSuperseded, DocumentNotFound):
            return []
        for dataset in located:
            own = self.entries.revision_key(dataset, request.revision_id)
            if dataset.entries_key != own:
                self.entries.delete_revision(own)
        if request.changes_key:
            self.entries.delete_object(request.changes_key)
        logger.info(
            "%s %s failed: %s (%s)", request.operation, request.operation_id, failure.message, failure.code
        )
        return failed


def _find(project: Project, dataset_arn: str) -> Dataset | None:
    ref = arns.parse_dataset_arn(dataset_arn)
    dataset = project.datasets.get(ref.dataset_type) if ref is not None else None
    if ref is None or dataset is None or dataset.created_ms != ref.created_ms:
        return None
    return dataset
