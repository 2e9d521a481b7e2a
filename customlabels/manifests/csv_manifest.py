"""CSV → image-level (classification) manifest, as the guide's script does (L3888-4180).

CSV format (L3937-3942): no header; one row per image; column 1 is the image file name or its
full S3 path, columns 2..n are image-level labels (several for multi-label). The script first
checks for duplicate images (``check_duplicates``) and stops if it finds any; otherwise it
writes one JSON Line per row where each label is its own attribute (the label name is the key,
the value is 1, ``job-name`` is ``labeling-job/<label>``, L3926).

Differences from the script, all of them to avoid a crash or a silently wrong manifest:
the creation date is a parameter (the script calls ``datetime.now`` per label), blank rows are
skipped in both passes (the script's second pass would fail on them), and rows with and
without S3 paths may not be mixed (the guide forbids it, L3939; the script does not check).
"""

from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass
from datetime import datetime

from .model import IMAGE_CLASSIFICATION

CSV_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S.%f"  # guide L4073


@dataclass(frozen=True, slots=True)
class CsvDuplicates:
    """The script's two helper files: the first row of each image, and the repeated rows."""

    deduplicated: list[list[str]]
    duplicates: list[list[str]]

    @property
    def found(self) -> bool:
        return bool(self.duplicates)

    def deduplicated_csv(self) -> str:
        return _write_rows(self.deduplicated)

    def duplicates_csv(self) -> str:
        return _write_rows(self.duplicates)


class CsvDuplicateImagesError(ValueError):
    """The CSV names an image more than once; the guide's script stops here (L4139-4146)."""

    def __init__(self, duplicates: CsvDuplicates) -> None:
        self.duplicates = duplicates
        first = duplicates.duplicates[0][0]
        super().__init__(
            f"{len(duplicates.duplicates)} rows repeat an image already listed (first: {first!r}); "
            "each image may appear once. Review the duplicates file, fix the deduplicated file, "
            "and rerun with it."
        )


@dataclass(frozen=True, slots=True)
class CsvManifest:
    lines: list[str]
    image_count: int
    label_count: int


def output_file_names(csv_file: str) -> tuple[str, str, str]:
    """The script's names (L4133-4136): manifest, ``-duplicates.csv``, ``-deduplicated.csv``."""
    stem = os.path.splitext(csv_file)[0]
    return f"{stem}.manifest", f"{stem}-duplicates.csv", f"{stem}-deduplicated.csv"


def check_duplicates(csv_text: str) -> CsvDuplicates:
    """Split rows into first occurrences and repeats of column 1 (``check_duplicates``, L3979)."""
    seen: set[str] = set()
    first: list[list[str]] = []
    repeated: list[list[str]] = []
    for row in csv.reader(io.StringIO(csv_text), delimiter=","):
        if not "".join(row).strip():
            continue
        (repeated if row[0] in seen else first).append(row)
        seen.add(row[0])
    return CsvDuplicates(first, repeated)


def classification_line(source_ref: str, labels: list[str], creation_date: str) -> str:
    """One JSON Line with one image-level attribute per label, in the script's format (L4056)."""
    json_line: dict[str, object] = {"source-ref": source_ref}
    for label in labels:
        json_line[label] = 1
        json_line[f"{label}-metadata"] = {
            "confidence": 1,
            "job-name": "labeling-job/" + label,
            "class-name": label,
            "human-annotated": "yes",
            "creation-date": creation_date,
            "type": IMAGE_CLASSIFICATION,
        }
    return json.dumps(json_line)


def csv_to_manifest(csv_text: str, *, creation_date: datetime, s3_path: str = "") -> CsvManifest:
    """Convert CSV text into manifest lines (``create_manifest_file``, L4033-4094).

    Args:
        csv_text: the CSV file's text.
        creation_date: written as ``creation-date`` for every label.
        s3_path: prepended to column 1 by plain concatenation, so it must end in ``/``
            (``--s3_path``); empty when column 1 already holds ``s3://`` paths.

    Raises:
        CsvDuplicateImagesError: an image appears in more than one row.
        ValueError: column 1 mixes S3 paths and file names, or disagrees with ``s3_path``.
    """
    duplicates = check_duplicates(csv_text)
    if duplicates.found:
        raise CsvDuplicateImagesError(duplicates)
    date = creation_date.strftime(CSV_DATE_FORMAT)
    lines: list[str] = []
    label_count = 0
    for number, row in enumerate(csv.reader(io.StringIO(csv_text), delimiter=",", quotechar="|"), start=1):
        if not "".join(row).strip():
            continue
        _check_image_column(number, row[0], s3_path)
        labels = [label for label in row[1:] if label != ""]
        label_count += len(labels)
        lines.append(classification_line(str(s3_path) + row[0], labels, date))
    return CsvManifest(lines, image_count=len(lines), label_count=label_count)


def _check_image_column(number: int, image: str, s3_path: str) -> None:
    has_path = image.startswith("s3://")
    if s3_path and has_path:
        raise ValueError(
            f"row {number}: column 1 is an S3 path ({image!r}) but an S3 path prefix was given too"
        )
    if not s3_path and not has_path:
        raise ValueError(
            f"row {number}: column 1 must be an s3:// path when no S3 path prefix is given, got {image!r}"
        )


def _write_rows(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()
