"""The long work of the dataset pipeline: build the new revision(s) of a dataset's entries.

One function per branch of the state machine (``ImportEntries``, ``ApplyChanges``,
``DistributeEntries``). Each reads what it needs, applies the guide's semantics from
:mod:`customlabels.manifests`, writes the new revision under the operation's id and returns a
:class:`StagedRevision` per dataset; nothing the API reads changes until ``RecordEntries``
switches the dataset record to it (:mod:`customlabels.datasets.recording`).

The caller's errors (the guide's terminal manifest errors, an impossible distribution) leave as
:class:`~customlabels.datasets.failures.DatasetClientError`; everything else is a service error.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from customlabels.datasets.entry_store import EntryStore, RevisionMissing
from customlabels.datasets.failures import DatasetClientError, DatasetSuperseded, client_errors
from customlabels.datasets.manifest_source import manifest_uri
from customlabels.datasets.pipeline_input import PipelineInput
from customlabels.datasets.revision import build_revision
from customlabels.manifests import (
    DatasetStats,
    ManifestEntry,
    apply_changes,
    decode_changes,
    distribute_entries,
    import_lines,
    load_entries,
)
from customlabels.resources import arns
from customlabels.resources.records import Dataset, Project
from customlabels.resources.repository import Repository
from customlabels.resources.status import DatasetStatus

logger = logging.getLogger(__name__)
_IN_PROGRESS = frozenset({DatasetStatus.CREATE_IN_PROGRESS, DatasetStatus.UPDATE_IN_PROGRESS})
_COPY_ATTEMPTS = 3


class ManifestReader(Protocol):
    def read(self, location: dict[str, str]) -> list[str]: ...


@dataclass(frozen=True)
class StagedRevision:
    """A revision written for one dataset, waiting to be recorded (``entries_key`` None: empty)."""

    dataset_arn: str
    entries_key: str | None
    stats: DatasetStats

    def to_event(self) -> dict[str, Any]:
        return {"DatasetArn": self.dataset_arn, "EntriesKey": self.entries_key, "Stats": self.stats.to_api()}

    @classmethod
    def from_event(cls, event: dict[str, Any]) -> StagedRevision:
        stats = event["Stats"]
        return cls(
            event["DatasetArn"],
            event.get("EntriesKey"),
            DatasetStats(
                labeled_entries=stats["LabeledEntries"],
                total_entries=stats["TotalEntries"],
                total_labels=stats["TotalLabels"],
                error_entries=stats["ErrorEntries"],
            ),
        )


def locate(repository: Repository, dataset_arn: str) -> tuple[Project, Dataset]:
    """The dataset an ARN names, with its project.

    Raises:
        DatasetSuperseded: it does not exist (any more).
    """
    ref = arns.parse_dataset_arn(dataset_arn)
    found = repository.get_dataset_at(ref.project, ref.dataset_type, ref.created_ms) if ref else None
    if found is None:
        raise DatasetSuperseded(f"The dataset {dataset_arn} does not exist")
    return found


def running(repository: Repository, dataset_arn: str, request: PipelineInput) -> Dataset:
    """The dataset, provided it still runs ``request``'s operation (else DatasetSuperseded)."""
    _, dataset = locate(repository, dataset_arn)
    if dataset.status not in _IN_PROGRESS or dataset.operation_id != request.operation_id:
        raise DatasetSuperseded(
            f"The dataset {dataset_arn} is {dataset.status} with operation {dataset.operation_id}, "
            f"not {request.operation_id}"
        )
    return dataset


class DatasetWork:
    """The pipeline's work steps over the metadata repository and the entry store."""

    def __init__(self, repository: Repository, entries: EntryStore, manifests: ManifestReader) -> None:
        self.repository = repository
        self.entries = entries
        self.manifests = manifests

    def import_entries(self, request: PipelineInput) -> list[StagedRevision]:
        """CreateDataset: entries from a Ground Truth manifest, a copy of a dataset, or none."""
        dataset = running(self.repository, request.dataset_arn, request)
        key = self.entries.revision_key(dataset, request.revision_id)
        if request.manifest is not None:
            with client_errors():
                lines = self.manifests.read(request.manifest)
                imported = import_lines(lines)
            logger.info(
                "manifest %s: %d lines, %d entries, %d dropped",
                manifest_uri(request.manifest),
                imported.total_lines,
                len(imported.entries),
                len(imported.dropped),
            )
            for dropped in imported.dropped:  # guide L4592: dropped silently; we keep a trace in the log
                logger.info("line %d dropped (%s): %s", dropped.line_number, dropped.code, dropped.reason)
            return [self._write(dataset, key, imported.entries)]
        if request.copied_dataset_arn is not None:
            return [self._copy(dataset, key, request.copied_dataset_arn)]
        return [StagedRevision(dataset.arn, None, DatasetStats(0, 0, 0, 0))]

    def apply_changes(self, request: PipelineInput) -> list[StagedRevision]:
        """UpdateDatasetEntries: upsert the staged change lines by ``source-ref`` (L11189)."""
        dataset = running(self.repository, request.dataset_arn, request)
        if request.changes_key is None:
            raise ValueError("an UpdateDatasetEntries execution needs ChangesKey")
        current = load_entries(self.entries.lines(dataset.entries_key))
        with client_errors():
            result = apply_changes(current, decode_changes(self.entries.read_changes(request.changes_key)))
        logger.info(
            "update of %s: %d added, %d replaced, %d dropped",
            dataset.arn,
            result.added,
            result.replaced,
            len(result.dropped),
        )
        return [self._write(dataset, self.entries.revision_key(dataset, request.revision_id), result.entries)]

    def distribute_entries(self, request: PipelineInput) -> list[StagedRevision]:
        """DistributeDatasetEntries: move 20 % of the training entries to the empty test dataset."""
        training = running(self.repository, request.dataset_arn, request)
        if request.test_dataset_arn is None:
            raise ValueError("a DistributeDatasetEntries execution needs TestDatasetArn")
        testing = running(self.repository, request.test_dataset_arn, request)
        with client_errors():
            keep, move = distribute_entries(
                load_entries(self.entries.lines(training.entries_key)),
                load_entries(self.entries.lines(testing.entries_key)),
            )
        logger.info("distribution: %d entries stay in training, %d move to test", len(keep), len(move))
        return [
            self._write(training, self.entries.revision_key(training, request.revision_id), keep),
            self._write(testing, self.entries.revision_key(testing, request.revision_id), move),
        ]

    def _write(self, dataset: Dataset, key: str, entries: Sequence[ManifestEntry]) -> StagedRevision:
        revision = build_revision(entries)
        self.entries.write_revision(key, revision)
        return StagedRevision(dataset.arn, key, revision.index.stats())

    def _copy(self, dataset: Dataset, key: str, source_arn: str) -> StagedRevision:
        """Copy the source dataset's current revision; re-read the source if it was replaced meanwhile."""
        for _ in range(_COPY_ATTEMPTS):
            try:
                _, source = locate(self.repository, source_arn)
            except DatasetSuperseded:
                raise DatasetClientError(f"The dataset to copy, {source_arn}, does not exist.") from None
            if source.entries_key is None:
                return StagedRevision(dataset.arn, None, DatasetStats(0, 0, 0, 0))
            try:
                self.entries.copy_revision(source.entries_key, key)
            except RevisionMissing:
                continue
            return StagedRevision(dataset.arn, key, self.entries.index(key).stats())
        raise RuntimeError(f"the entries of {source_arn} kept changing while they were copied")
