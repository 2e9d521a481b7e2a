"""One revision of a dataset's entries: the JSON Lines body and its compact index.

Why an index next to the body: ListDatasetEntries, ListDatasetLabels and the synchronous checks
of UpdateDatasetEntries run in the API function on every call, and parsing a dataset's JSON
Lines costs about 0.14 ms per entry (35 s for the guide's 250,000 images). The pipeline parses
the entries once, when it writes the revision, and stores per entry only what the filters and
statistics need (``source-ref``, labels, labels on boxes, labeled, has errors) together with the
byte offset of its line. The API then reads the index (a fraction of the body's size, cached by
key since revisions are immutable) and fetches only the lines of the page it returns, with one
ranged GET.

Index rows implement :class:`~customlabels.manifests.EntryView`, so the manifest package's
semantics (``EntryFilter``, ``dataset_stats``, ``list_dataset_labels``) apply to them unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from customlabels.manifests import (
    DatasetStats,
    EntryFilter,
    LabelStats,
    ManifestEntry,
    Style,
    dataset_stats,
    entry_to_line,
    list_dataset_labels,
)

INDEX_FORMAT = 1
_LABELED, _HAS_ERRORS = 1, 2


@dataclass(frozen=True, slots=True)
class IndexRow:
    """What the read side needs of one entry (an :class:`~customlabels.manifests.EntryView`)."""

    source_ref: str | None
    labels: frozenset[str]
    box_labels: frozenset[str]
    is_labeled: bool
    has_errors: bool

    def label_names(self) -> frozenset[str]:
        return self.labels

    def box_label_names(self) -> frozenset[str]:
        return self.box_labels

    @classmethod
    def of(cls, entry: ManifestEntry) -> IndexRow:
        return cls(
            entry.source_ref,
            frozenset(entry.label_names()),
            frozenset(entry.box_label_names()),
            entry.is_labeled,
            entry.has_errors,
        )


@dataclass(frozen=True)
class RevisionIndex:
    """The rows of a revision in line order, and ``offsets[i]:offsets[i + 1]``, the bytes of line i."""

    rows: list[IndexRow]
    offsets: list[int]

    def __post_init__(self) -> None:
        if len(self.offsets) != len(self.rows) + 1:
            raise ValueError(f"an index of {len(self.rows)} rows needs {len(self.rows) + 1} offsets")

    @classmethod
    def empty(cls) -> RevisionIndex:
        return cls([], [0])

    def stats(self) -> DatasetStats:
        """DescribeDataset's ``DatasetStats`` for this revision."""
        return dataset_stats(self.rows)

    def source_refs(self) -> set[str]:
        return {row.source_ref for row in self.rows if row.source_ref is not None}

    @cached_property
    def label_stats(self) -> list[LabelStats]:
        """ListDatasetLabels' descriptions, sorted by label name (computed once per index: an
        index never changes, and the API keeps it cached while its revision is current)."""
        return list_dataset_labels(self.rows)

    def find(self, entry_filter: EntryFilter, start: int, limit: int) -> tuple[list[int], int | None]:
        """Up to ``limit`` line numbers from ``start`` on that match, and where the next page starts
        (``None``: no further match)."""
        found: list[int] = []
        for number in range(max(start, 0), len(self.rows)):
            if entry_filter.matches(self.rows[number]):
                if len(found) == limit:
                    return found, number
                found.append(number)
        return found, None

    def byte_range(self, numbers: Sequence[int]) -> tuple[int, int]:
        """The half-open byte range of the body that holds the lines ``numbers`` (ascending)."""
        return self.offsets[numbers[0]], self.offsets[numbers[-1] + 1]

    def slice_lines(self, data: bytes, base: int, numbers: Sequence[int]) -> list[str]:
        """The lines ``numbers`` cut out of ``data``, the body's bytes from offset ``base``."""
        return [
            data[self.offsets[n] - base : self.offsets[n + 1] - base].decode("utf-8").rstrip("\n")
            for n in numbers
        ]

    def to_bytes(self) -> bytes:
        names = sorted({name for row in self.rows for name in row.labels | row.box_labels})
        number = {name: i for i, name in enumerate(names)}
        document = {
            "format": INDEX_FORMAT,
            "labels": names,
            "offsets": self.offsets,
            "rows": [
                [
                    row.source_ref,
                    sorted(number[name] for name in row.labels),
                    sorted(number[name] for name in row.box_labels),
                    (_LABELED if row.is_labeled else 0) | (_HAS_ERRORS if row.has_errors else 0),
                ]
                for row in self.rows
            ],
        }
        return json.dumps(document, separators=(",", ":")).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> RevisionIndex:
        """Read an index written by :meth:`to_bytes`.

        Raises:
            ValueError: not an index of a format this code reads.
        """
        document: dict[str, Any] = json.loads(data)
        if document.get("format") != INDEX_FORMAT:
            raise ValueError(f"unknown dataset index format {document.get('format')!r}")
        names: list[str] = document["labels"]
        label_sets: dict[tuple[int, ...], frozenset[str]] = {}  # most entries share a few label sets

        def label_set(numbers: list[int]) -> frozenset[str]:
            key = tuple(numbers)
            found = label_sets.get(key)
            if found is None:
                found = label_sets[key] = frozenset(names[i] for i in numbers)
            return found

        rows = [
            IndexRow(
                source_ref,
                label_set(labels),
                label_set(box_labels),
                bool(flags & _LABELED),
                bool(flags & _HAS_ERRORS),
            )
            for source_ref, labels, box_labels, flags in document["rows"]
        ]
        return cls(rows, list(document["offsets"]))


@dataclass(frozen=True)
class Revision:
    """A revision ready to store: the body (dataset-style JSON Lines, ``cl-*`` keys) and its index."""

    body: bytes
    index: RevisionIndex


def build_revision(entries: Sequence[ManifestEntry]) -> Revision:
    """Serialize ``entries`` as ListDatasetEntries returns them and index them."""
    chunks: list[bytes] = []
    offsets = [0]
    for entry in entries:
        chunk = (entry_to_line(entry, Style.DATASET) + "\n").encode("utf-8")
        chunks.append(chunk)
        offsets.append(offsets[-1] + len(chunk))
    return Revision(b"".join(chunks), RevisionIndex([IndexRow.of(entry) for entry in entries], offsets))


def body_lines(body: bytes) -> list[str]:
    """The JSON Lines of a stored body."""
    return [line for line in body.decode("utf-8").split("\n") if line.strip()]
