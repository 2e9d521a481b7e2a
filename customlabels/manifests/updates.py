"""UpdateDatasetEntries: decode the change set, check it, and merge it into the dataset.

The API reference and the guide define the semantics (L4336-4349, L11114, L11189):

* ``Changes.GroundTruth`` holds one or more JSON Lines, at most 5 MB (botocore
  ``GroundTruthBlob``: 1-5,242,880 bytes);
* an entry is identified by ``source-ref``: a line whose ``source-ref`` matches an entry
  replaces that entry *entirely* (so removing a label from a line removes it from the image,
  L4298-4302); any other line is added as a new image. ``source-ref`` itself cannot change;
* the change set's lines follow the dataset-time rules of :mod:`.dataset_import`;
* the dataset must stay within the guide's quotas: at most 250,000 entries and 250 labels.

:func:`check_changes_request` is the synchronous part (API errors); :func:`apply_changes` runs
in the dataset pipeline and raises the guide's terminal errors (``UPDATE_FAILED``).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

from . import quotas
from .codes import ErrorCode
from .dataset_import import DroppedLine, import_lines
from .exceptions import InvalidParameterError, LimitExceededError, ManifestFileError
from .image_header import ImageInspector
from .model import ManifestEntry
from .parser import parse_entry
from .validation import split_lines


def decode_changes(ground_truth: bytes) -> list[str]:
    """The JSON Lines of ``Changes.GroundTruth`` (already base64-decoded by the protocol layer).

    Raises:
        InvalidParameterError: empty, larger than 5 MB, not UTF-8, or without any line.
    """
    size = len(ground_truth)
    if not 1 <= size <= quotas.MAX_UPDATE_CHANGES_BYTES:
        raise InvalidParameterError(
            f"Changes.GroundTruth must be 1-{quotas.MAX_UPDATE_CHANGES_BYTES} bytes, got {size}"
        )
    try:
        text = ground_truth.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidParameterError(
            f"Changes.GroundTruth must be UTF-8 JSON Lines; byte {error.start} is not UTF-8"
        ) from error
    lines = split_lines(text)
    if not lines:
        raise InvalidParameterError("Changes.GroundTruth must contain at least one JSON Line, got none")
    return lines


def check_changes_request(
    ground_truth: bytes,
    existing_source_refs: Collection[str],
    *,
    max_entries: int = quotas.MAX_MANIFEST_LINES,
) -> list[str]:
    """Synchronous checks of an UpdateDatasetEntries request; returns the change lines.

    Counts the images the change would add (lines whose ``source-ref`` is new) so that a
    request that cannot fit is refused at once rather than failing later, and refuses an image
    with more labels than the guide allows (50 per image, L16342; the guide names no error
    code for it, so it can only be reported here).

    Raises:
        InvalidParameterError: see :func:`decode_changes`.
        LimitExceededError: the dataset would hold more than ``max_entries`` images, or an
            image would have more than 50 labels.
    """
    lines = decode_changes(ground_truth)
    refs = []
    for number, entry in _entries(lines):
        if entry.source_ref is not None and not entry.errors:
            refs.append(entry.source_ref)
        labels = len(entry.label_names())
        if labels > quotas.MAX_LABELS_PER_IMAGE:
            raise LimitExceededError(
                f"JSON Line {number} ({entry.source_ref}) has {labels} labels; "
                f"at most {quotas.MAX_LABELS_PER_IMAGE} are allowed per image."
            )
    added = {ref for ref in refs if ref not in existing_source_refs}
    total = len(existing_source_refs) + len(added)
    if total > max_entries:
        raise LimitExceededError(
            f"The dataset would have {total} entries after this update; at most {max_entries} are allowed."
        )
    return lines


@dataclass(slots=True)
class UpdateResult:
    """The dataset after an update, and what the update did."""

    entries: list[ManifestEntry]
    added: int = 0
    replaced: int = 0
    dropped: list[DroppedLine] = field(default_factory=list)


def apply_changes(
    entries: Sequence[ManifestEntry],
    change_lines: Sequence[str],
    *,
    images: ImageInspector | None = None,
    max_entries: int = quotas.MAX_MANIFEST_LINES,
    max_labels: int = quotas.MAX_LABELS_PER_MANIFEST,
) -> UpdateResult:
    """Merge validated change lines into ``entries`` (upsert by ``source-ref``).

    Replaced entries keep their position; new ones are appended in change order.

    Raises:
        ManifestFileError: the change set has too many terminal errors
            (``ERROR_TOO_MANY_RECORDS_IN_ERROR``), or the merged dataset has more than
            ``max_entries`` images (``ERROR_MANIFEST_ROWS_EXCEEDS_MAXIMUM``) or more than
            ``max_labels`` labels (``ERROR_MANIFEST_TOO_MANY_LABELS``).
    """
    changes = import_lines(change_lines, images=images, max_entries=max_entries, max_labels=max_labels)
    merged = list(entries)
    position = {entry.source_ref: index for index, entry in enumerate(merged)}
    result = UpdateResult(merged, dropped=changes.dropped)
    for entry in changes.entries:
        index = position.get(entry.source_ref)
        if index is None:
            position[entry.source_ref] = len(merged)
            merged.append(entry)
            result.added += 1
        else:
            merged[index] = entry
            result.replaced += 1
    if len(merged) > max_entries:
        raise ManifestFileError(
            ErrorCode.ERROR_MANIFEST_ROWS_EXCEEDS_MAXIMUM,
            context=f"{len(merged)} entries after the update; at most {max_entries} are allowed",
        )
    labels = {name for entry in merged for name in entry.label_names()}
    if len(labels) > max_labels:
        raise ManifestFileError(
            ErrorCode.ERROR_MANIFEST_TOO_MANY_LABELS,
            context=f"{len(labels)} unique labels after the update; at most {max_labels} are allowed",
        )
    return result


def _entries(lines: Iterable[str]) -> Iterable[tuple[int, ManifestEntry]]:
    """The lines that are JSON objects, parsed (the others will be dropped later)."""
    for number, line in enumerate(lines, start=1):
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj, dict):
            yield number, parse_entry(obj)
