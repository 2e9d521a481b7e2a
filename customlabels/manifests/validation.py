"""Validate JSON Lines and whole manifests: per-line results and their counts.

:func:`validate_line` is the single path every line takes (parse → format rules → content
rules). :func:`validate_manifest` runs it over a manifest and keeps what the manifest summary
and the validation manifests need (guide L5277-5339, L5397-5549). Dataset creation
(:mod:`.dataset_import`) and training (:mod:`.training`) build on these two.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from . import quotas
from .image_header import ImageInspector
from .model import ManifestEntry
from .parser import parse_entry
from .rules import LineStatus, apply_content_rules
from .serializer import Style, entry_to_line, invalid_json_line

_decode = json.JSONDecoder().decode


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a manifest is validated.

    Validation allocates a few million small dicts, lists and records that all live until the
    end; every 700 allocations CPython runs a collection that rescans the growing heap, which
    cost about 40 % of the time on a 100,000-line manifest. These objects hold no reference
    cycles (reference counting frees them), so the collector has nothing to find here.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# Keys an earlier validation may have left in a line; such a line is always rewritten.
_RESULT_KEYS = ('"errors"', '"warnings"', '"cl-')


@dataclass(slots=True)
class LineResult:
    """One validated line. ``entry`` is None when the line is not a JSON object.

    ``text`` is the line as read, so that a line without findings is copied into the
    validation manifest unchanged (guide L5399: a copy with errors added) instead of being
    serialized again.
    """

    line_number: int
    entry: ManifestEntry | None
    status: LineStatus
    text: str = ""

    @property
    def has_errors(self) -> bool:
        return self.entry is None or self.entry.has_errors

    def to_line(self, style: Style = Style.VALIDATION) -> str:
        """The line as written to a validation manifest or dataset (see :class:`Style`)."""
        entry = self.entry
        if entry is None:
            return invalid_json_line(style)  # guide L6380: replaced by the error only
        if style is Style.VALIDATION and self.text and not entry.warnings and not entry.has_errors:
            text = self.text
            if not any(key in text for key in _RESULT_KEYS):
                return text
        return entry_to_line(entry, style)


def validate_line(text: str, line_number: int = 1, *, images: ImageInspector | None = None) -> LineResult:
    """Validate one JSON Line and return the entry with its errors and its status.

    Args:
        text: the line, without its newline.
        line_number: 1-based position in the manifest (guide L5384: indices are 1-based).
        images: image header checks; None skips them (dataset creation does not read images).
    """
    try:
        obj = _decode(text)
    except ValueError:
        return LineResult(line_number, None, LineStatus.INVALID, text)
    if not isinstance(obj, dict):
        return LineResult(line_number, None, LineStatus.INVALID, text)
    entry = parse_entry(obj)
    return LineResult(line_number, entry, apply_content_rules(entry, images), text)


def split_lines(text: str) -> list[str]:
    """Split manifest text into JSON Lines.

    Empty lines inside the file are kept, because they count as (invalid) dataset objects
    (guide L3196); blank lines at the very end are an editor's artefact and are not.
    """
    lines = text.split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


@dataclass(slots=True)
class ManifestValidation:
    """The validated lines of one manifest (training or testing) and their statistics.

    ``total_json_lines`` counts every line of the file; when the file has more lines than the
    limit, only the first ``max_lines`` are validated (guide L4524) and ``rows_exceeded`` is set.
    """

    results: list[LineResult] = field(default_factory=list)
    total_json_lines: int = 0
    rows_exceeded: bool = False

    def count(self, status: LineStatus) -> int:
        return sum(1 for result in self.results if result.status is status)

    @property
    def valid_json_lines(self) -> int:
        return self.count(LineStatus.VALID)

    @property
    def invalid_json_lines(self) -> int:
        return self.count(LineStatus.INVALID)

    @property
    def ignored_json_lines(self) -> int:
        return self.count(LineStatus.IGNORED)

    @property
    def error_json_line_indices(self) -> list[int]:
        """1-based numbers of the lines that carry any error (guide L5271, L5345)."""
        return [result.line_number for result in self.results if result.has_errors]

    def invalid_fraction(self) -> float:
        """Invalid lines over validated lines, ignored lines left out (guide L5411)."""
        valid, invalid = self.valid_json_lines, self.invalid_json_lines
        return invalid / (valid + invalid) if valid + invalid else 0.0

    def valid_entries(self) -> list[ManifestEntry]:
        return [r.entry for r in self.results if r.status is LineStatus.VALID and r.entry is not None]

    def buckets(self) -> set[str]:
        """Buckets named by the lines' ``source-ref`` values."""
        found = set()
        for result in self.results:
            bucket = result.entry.bucket if result.entry is not None else None
            if bucket:
                found.add(bucket)
        return found

    def lines(self, style: Style = Style.VALIDATION) -> Iterator[str]:
        """The validation manifest: each line with its errors (guide L5399)."""
        for result in self.results:
            yield result.to_line(style)


def validate_manifest(
    lines: Sequence[str],
    *,
    images: ImageInspector | None = None,
    max_lines: int = quotas.MAX_MANIFEST_LINES,
) -> ManifestValidation:
    """Validate every line of a manifest (up to ``max_lines``) and collect the results."""
    validation = ManifestValidation(total_json_lines=len(lines), rows_exceeded=len(lines) > max_lines)
    results = validation.results
    with gc_paused():
        for number, text in enumerate(lines[:max_lines], start=1):
            results.append(validate_line(text, number, images=images))
    return validation


def renumbered(results: Sequence[LineResult]) -> ManifestValidation:
    """A new :class:`ManifestValidation` holding ``results`` numbered 1..n (after a split)."""
    fresh = [
        LineResult(number, result.entry, result.status, result.text)
        for number, result in enumerate(results, start=1)
    ]
    return ManifestValidation(fresh, total_json_lines=len(fresh))
