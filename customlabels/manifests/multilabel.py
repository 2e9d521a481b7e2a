"""Ground Truth *Image Classification (Multi-label)* output → Custom Labels multi-label manifest.

Ground Truth writes a multi-label job's labels as one attribute holding a list of class ids,
with ``class-map`` and ``confidence-map`` in its metadata; Custom Labels wants one image-level
attribute per label (guide L3734). This module does what the guide's ``create_manifest_file``
does (L3780-3846): the job name is the last key that contains neither ``source-ref`` nor
``-metadata``; label ``i`` becomes attribute ``<job><i>`` (value ``i``) with metadata keys
class-name, confidence, type, job-name, human-annotated, creation-date in that order.

Blank lines are skipped (the script would fail on them); a line without a label attribute or
naming a class missing from the maps raises ValueError with its line number.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from typing import Any

from .model import IMAGE_CLASSIFICATION


def output_file_name(ground_truth_manifest_file: str) -> str:
    """The script's output name, ``custom_labels_<basename>`` (L3793)."""
    return f"custom_labels_{os.path.basename(ground_truth_manifest_file)}"


def convert_multilabel_line(line: str) -> str:
    """Convert one Ground Truth multi-label JSON Line."""
    old_json: dict[str, Any] = json.loads(line)
    job_name = ""
    for key in old_json:
        if "source-ref" not in key and "-metadata" not in key:
            job_name = key
    if not job_name:
        raise ValueError("no label attribute: every key is source-ref or a -metadata key")
    metadata = old_json[f"{job_name}-metadata"]
    new_json: dict[str, Any] = {"source-ref": old_json["source-ref"]}
    for index, label in enumerate(old_json[job_name]):
        new_json[f"{job_name}{index}"] = index
        new_json[f"{job_name}{index}-metadata"] = {
            "class-name": metadata["class-map"][str(label)],
            "confidence": metadata["confidence-map"][str(label)],
            "type": IMAGE_CLASSIFICATION,
            "job-name": metadata["job-name"],
            "human-annotated": metadata["human-annotated"],
            "creation-date": metadata["creation-date"],
        }
    return json.dumps(new_json)


def convert_multilabel_manifest(lines: Iterable[str]) -> list[str]:
    """Convert every line of a Ground Truth multi-label ``output.manifest``."""
    converted = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            converted.append(convert_multilabel_line(line))
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(
                f"line {number}: cannot convert a multi-label Ground Truth line: {error}"
            ) from error
    return converted
