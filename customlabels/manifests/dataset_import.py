"""Turn manifest lines into dataset entries, as CreateDataset and UpdateDatasetEntries do.

The guide's dataset-time rules (L4455-4624):

* terminal **content** errors remove the line from the dataset, silently (L4590-4600): a line
  over 100,000 characters, a missing or malformed ``source-ref``, content that is not a JSON
  object, and a ``source-ref`` seen before (the first line for an image wins);
* too many removed lines fail the operation with ``ERROR_TOO_MANY_RECORDS_IN_ERROR`` (L4546);
  the guide gives no threshold, so the 20 % rule of L3195 applies;
* **non-terminal** errors stay on the entry as ``cl-errors`` (L4602-4624);
* the file-level limits: lines (``ERROR_MANIFEST_ROWS_EXCEEDS_MAXIMUM``) and unique labels
  (``ERROR_MANIFEST_TOO_MANY_LABELS``).

Images are not read unless an inspector is passed: the dataset-time error list has no
``ERROR_INVALID_IMAGE`` (L4610-4624), and dimension errors come from ``image_size``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from . import quotas
from .codes import ErrorCode
from .exceptions import ManifestFileError
from .image_header import ImageInspector
from .model import ManifestEntry
from .serializer import Style, entry_to_line
from .validation import gc_paused, validate_line

_SOURCE_REF_CODES = frozenset(
    {ErrorCode.ERROR_MISSING_SOURCE_REF.value, ErrorCode.ERROR_INVALID_SOURCE_REF_FORMAT.value}
)


@dataclass(frozen=True, slots=True)
class DroppedLine:
    """A line removed for a terminal content error. The service reports these nowhere
    (L4592); we keep them for logs. ``code`` is the guide's JSON Line code where one exists."""

    line_number: int
    code: str | None
    reason: str


@dataclass(slots=True)
class DatasetImport:
    """The entries a manifest (or an UpdateDatasetEntries change set) yields."""

    entries: list[ManifestEntry] = field(default_factory=list)
    dropped: list[DroppedLine] = field(default_factory=list)
    total_lines: int = 0

    def labels(self) -> set[str]:
        return {name for entry in self.entries for name in entry.label_names()}

    def entry_lines(self) -> list[str]:
        """The entries as stored and listed by ``ListDatasetEntries`` (``cl-*`` keys)."""
        return [entry_to_line(entry, Style.DATASET) for entry in self.entries]


def import_lines(
    lines: Sequence[str],
    *,
    images: ImageInspector | None = None,
    max_entries: int = quotas.MAX_MANIFEST_LINES,
    max_labels: int = quotas.MAX_LABELS_PER_MANIFEST,
) -> DatasetImport:
    """Validate manifest lines for a dataset and keep the ones the guide keeps.

    Args:
        lines: JSON Lines (see :func:`~.manifest_file.manifest_lines`).
        images: optional image header checks (off by default, as in the service).
        max_entries: the dataset's line quota (250,000 by default, L16334).
        max_labels: the unique-label quota (250, L16332).

    Raises:
        ManifestFileError: ``ERROR_MANIFEST_INACCESSIBLE_OR_UNSUPPORTED_FORMAT`` (no lines),
            ``ERROR_MANIFEST_ROWS_EXCEEDS_MAXIMUM``, ``ERROR_TOO_MANY_RECORDS_IN_ERROR``,
            ``ERROR_MANIFEST_TOO_MANY_LABELS``.
    """
    if not lines:
        raise ManifestFileError(
            ErrorCode.ERROR_MANIFEST_INACCESSIBLE_OR_UNSUPPORTED_FORMAT,
            context="the manifest has no JSON Lines",
        )
    if len(lines) > max_entries:
        raise ManifestFileError(
            ErrorCode.ERROR_MANIFEST_ROWS_EXCEEDS_MAXIMUM,
            context=f"{len(lines)} JSON Lines; at most {max_entries} are allowed",
        )
    result = DatasetImport(total_lines=len(lines))
    first_line_of: dict[str, int] = {}
    with gc_paused():
        for number, text in enumerate(lines, start=1):
            dropped = _drop_reason(number, text, images, first_line_of, result.entries)
            if dropped is not None:
                result.dropped.append(dropped)
    _check_dropped(result)
    label_count = len(result.labels())
    if label_count > max_labels:
        raise ManifestFileError(
            ErrorCode.ERROR_MANIFEST_TOO_MANY_LABELS,
            context=f"{label_count} unique labels; at most {max_labels} are allowed",
        )
    return result


def _drop_reason(
    number: int,
    text: str,
    images: ImageInspector | None,
    first_line_of: dict[str, int],
    kept: list[ManifestEntry],
) -> DroppedLine | None:
    """Validate one line; keep it (append to ``kept``) or say why it is dropped."""
    if len(text) > quotas.MAX_JSON_LINE_CHARS:
        return DroppedLine(
            number,
            None,
            f"the JSON Line has {len(text)} characters; at most {quotas.MAX_JSON_LINE_CHARS} are allowed",
        )
    entry = validate_line(text, number, images=images).entry
    if entry is None:
        code = ErrorCode.ERROR_INVALID_JSON_LINE.value
        return DroppedLine(number, code, "the line is not a JSON object")
    source_error = next((e for e in entry.errors if e.code in _SOURCE_REF_CODES), None)
    if source_error is not None:
        return DroppedLine(number, source_error.code, source_error.message)
    assert entry.source_ref is not None
    first = first_line_of.get(entry.source_ref)
    if first is not None:
        return DroppedLine(
            number,
            None,
            f"{entry.source_ref} is already referenced by line {first}; an image may appear once",
        )
    first_line_of[entry.source_ref] = number
    kept.append(entry)
    return None


def _check_dropped(result: DatasetImport) -> None:
    dropped, total = len(result.dropped), result.total_lines
    if dropped > quotas.MAX_DROPPED_LINE_FRACTION * total:
        raise ManifestFileError(
            ErrorCode.ERROR_TOO_MANY_RECORDS_IN_ERROR,
            context=f"{dropped} of {total} JSON Lines have terminal errors; at most 20% may",
        )
