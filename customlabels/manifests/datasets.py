"""Read-side dataset semantics: DescribeDataset stats, ListDatasetEntries filters, ListDatasetLabels.

All functions take the dataset's entries (parsed with ``keep_errors=True`` from the stored
JSON Lines, see :func:`load_entries`, or any :class:`EntryView`, such as the dataset pipeline's
compact index rows) and, where it matters, the labels declared for the
dataset without being used yet (the console's "Manage labels", guide L4240-4292). Shapes
follow botocore's ``DatasetStats``, ``DatasetLabelDescription`` and ``DatasetLabelStats``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from . import quotas
from .exceptions import InvalidParameterError
from .model import ManifestEntry
from .parser import parse_line
from .validation import gc_paused

E = TypeVar("E", bound="EntryView")


class EntryView(Protocol):
    """What the read-side semantics need of an entry; :class:`ManifestEntry` is one."""

    @property
    def source_ref(self) -> str | None: ...

    @property
    def is_labeled(self) -> bool: ...

    @property
    def has_errors(self) -> bool: ...

    def label_names(self) -> Set[str]: ...

    def box_label_names(self) -> Set[str]: ...


def load_entries(lines: Iterable[str]) -> list[ManifestEntry]:
    """Parse stored dataset entries, keeping their recorded ``cl-errors``; skips non-objects."""
    entries = []
    with gc_paused():
        for line in lines:
            if line.strip():
                entry = parse_line(line, keep_errors=True)
                if entry is not None:
                    entries.append(entry)
    return entries


@dataclass(frozen=True, slots=True)
class DatasetStats:
    """``DatasetDescription.DatasetStats`` (botocore ``DatasetStats``)."""

    labeled_entries: int
    total_entries: int
    total_labels: int
    error_entries: int

    def to_api(self) -> dict[str, int]:
        return {
            "LabeledEntries": self.labeled_entries,
            "TotalEntries": self.total_entries,
            "TotalLabels": self.total_labels,
            "ErrorEntries": self.error_entries,
        }


def dataset_labels(entries: Iterable[EntryView], declared_labels: Iterable[str] = ()) -> list[str]:
    """The dataset's labels, sorted: those used by entries plus those only declared (L4296)."""
    names = set(declared_labels)
    for entry in entries:
        names.update(entry.label_names())
    return sorted(names)


def dataset_stats(entries: Sequence[EntryView], declared_labels: Iterable[str] = ()) -> DatasetStats:
    """``DatasetStats`` for DescribeDataset.

    ``TotalLabels`` is "the total number of labels declared in the dataset" (botocore), so the
    declared-but-unused labels count too; ``ErrorEntries`` counts entries with at least one
    error at any level.
    """
    return DatasetStats(
        labeled_entries=sum(1 for entry in entries if entry.is_labeled),
        total_entries=len(entries),
        total_labels=len(dataset_labels(entries, declared_labels)),
        error_entries=sum(1 for entry in entries if entry.has_errors),
    )


@dataclass(frozen=True, slots=True)
class LabelStats:
    """One ``DatasetLabelDescription``: a label and how many images use it."""

    name: str
    entry_count: int
    bounding_box_count: int

    def to_api(self) -> dict[str, Any]:
        return {
            "LabelName": self.name,
            "LabelStats": {"EntryCount": self.entry_count, "BoundingBoxCount": self.bounding_box_count},
        }


def list_dataset_labels(
    entries: Iterable[EntryView], declared_labels: Iterable[str] = ()
) -> list[LabelStats]:
    """ListDatasetLabels, sorted by name.

    Per botocore: ``EntryCount`` is "the total number of images that use the label" and
    ``BoundingBoxCount`` "the total number of images that have the label assigned to a
    bounding box", so both count images, not boxes.
    """
    images: Counter[str] = Counter()
    box_images: Counter[str] = Counter()
    for entry in entries:
        images.update(entry.label_names())
        box_images.update(entry.box_label_names())
    names = set(images) | set(declared_labels)
    return [LabelStats(name, images[name], box_images[name]) for name in sorted(names)]


@dataclass(frozen=True, slots=True)
class EntryFilter:
    """The ListDatasetEntries filters (botocore ``ListDatasetEntriesRequest``).

    ``has_errors=False`` does not filter: the guide's sample passes ``HasErrors=False`` to list
    every entry (L12256-12265), and the API doc only defines ``True``.
    """

    contains_labels: tuple[str, ...] | None = None
    labeled: bool | None = None
    source_ref_contains: str | None = None
    has_errors: bool | None = None

    def __post_init__(self) -> None:
        labels = self.contains_labels
        if labels is not None and not 1 <= len(labels) <= quotas.MAX_CONTAINS_LABELS:
            raise InvalidParameterError(
                f"ContainsLabels must list 1-{quotas.MAX_CONTAINS_LABELS} labels, got {len(labels)}"
            )
        text = self.source_ref_contains
        if text is not None and not text.strip():
            raise InvalidParameterError(
                "SourceRefContains must contain a non-blank character, got a blank string"
            )

    def matches(self, entry: EntryView) -> bool:
        if self.labeled is not None and entry.is_labeled is not self.labeled:
            return False
        if self.has_errors and not entry.has_errors:
            return False
        if self.source_ref_contains is not None and self.source_ref_contains not in (entry.source_ref or ""):
            return False
        return not self.contains_labels or not entry.label_names().isdisjoint(self.contains_labels)


def filter_entries(entries: Iterable[E], entry_filter: EntryFilter) -> list[E]:
    """The entries ListDatasetEntries returns for ``entry_filter``, in dataset order."""
    return [entry for entry in entries if entry_filter.matches(entry)]
