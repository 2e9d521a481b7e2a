"""The API's view of dataset entries (:class:`customlabels.api.backends.DatasetEntries`).

Reads serve ListDatasetEntries and ListDatasetLabels from the current revision's index (cached
per process by key, see :mod:`~customlabels.datasets.revision`): a page of entries costs one
ranged GET of the lines it returns once the index is warm. Changes go to the dataset pipeline:
an update's change set is staged in the bucket (it can be 5 MB, beyond a Step Functions input)
and the pipeline started; a distribution just starts it. DeleteDataset removes the dataset's
objects within the request.

Pagination positions are plain dicts that the API signs into NextTokens: ``{"next": n}`` (the
line to resume the scan at) for entries, ``{"after": label}`` for labels.
"""

from __future__ import annotations

import bisect
from typing import Any, Protocol

from customlabels.datasets.entry_store import EntryStore
from customlabels.manifests import EntryFilter
from customlabels.resources.records import Dataset


def entry_filter(filters: dict[str, Any]) -> EntryFilter:
    """The ListDatasetEntries filters of a request.

    Raises:
        InvalidParameterError: a filter breaks the API's rules (e.g. a blank SourceRefContains).
    """
    labels = filters.get("ContainsLabels")
    return EntryFilter(
        contains_labels=tuple(labels) if labels is not None else None,
        labeled=filters.get("Labeled"),
        source_ref_contains=filters.get("SourceRefContains"),
        has_errors=filters.get("HasErrors"),
    )


class PipelineStarter(Protocol):
    """Starts the dataset pipeline (``customlabels.api.backends.StepFunctionsPipelines``)."""

    def start_dataset_update(self, dataset: Dataset, changes_key: str) -> None: ...

    def start_dataset_distribution(self, training: Dataset, testing: Dataset) -> None: ...


class PipelineUnavailable(RuntimeError):
    """A change was handed over to a deployment without the dataset pipeline."""


class StoredEntries:
    """Dataset entries kept by an :class:`EntryStore`, changed through the dataset pipeline."""

    def __init__(self, entries: EntryStore, pipeline: PipelineStarter | None) -> None:
        self.entries = entries
        self.pipeline = pipeline

    def update(self, dataset: Dataset, ground_truth: bytes) -> None:
        """Stage ``Changes.GroundTruth`` under the dataset's operation and start applying it."""
        if dataset.operation_id is None:
            raise ValueError(f"the dataset {dataset.arn} has no update in progress")
        key = self.entries.changes_key(dataset, dataset.operation_id)
        self.entries.write_changes(key, ground_truth)
        self._pipeline().start_dataset_update(dataset, key)

    def distribute(self, training: Dataset, testing: Dataset) -> None:
        """Start moving 20 % of the training entries to the test dataset."""
        self._pipeline().start_dataset_distribution(training, testing)

    def list_entries(
        self, dataset: Dataset, filters: dict[str, Any], position: dict[str, Any] | None, limit: int
    ) -> tuple[list[str], dict[str, Any] | None]:
        """One page of the matching JSON Lines, in dataset order, and the position after it."""
        matching = entry_filter(filters)
        index = self.entries.index(dataset.entries_key)
        numbers, resume = index.find(matching, int((position or {}).get("next", 0)), limit)
        lines = self.entries.page_lines(dataset.entries_key, index, numbers) if dataset.entries_key else []
        return lines, ({"next": resume} if resume is not None else None)

    def list_labels(
        self, dataset: Dataset, position: dict[str, Any] | None, limit: int
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """One page of label descriptions, by label name, and the position after it."""
        labels = self.entries.index(dataset.entries_key).label_stats
        after = (position or {}).get("after")
        start = bisect.bisect_right([label.name for label in labels], after) if after is not None else 0
        page = labels[start : start + limit]
        more = start + limit < len(labels)
        return [label.to_api() for label in page], ({"after": page[-1].name} if more and page else None)

    def delete(self, dataset: Dataset) -> None:
        self.entries.delete_dataset(dataset)

    def _pipeline(self) -> PipelineStarter:
        if self.pipeline is None:
            raise PipelineUnavailable("this deployment has no dataset pipeline")
        return self.pipeline
