"""Build :class:`TrainingEntry` objects from (already validated) Ground Truth manifest lines.

Validation, error codes and the dropping of bad lines belong to the dataset pipeline
(``customlabels.manifests``); this adapter only reads the three label attribute types of a line
that passed it (image-level attributes, one per label, guide L3030; object detection, guide
L3074-3175; SageMaker's multi-label form, guide L3730) and maps each ``source-ref`` to a local
file with a caller-given function.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from customlabels.training.entries import Box, TrainingEntry

CLASSIFICATION = "groundtruth/image-classification"
MULTI_LABEL = "groundtruth/image-classification-multilabel"
DETECTION = "groundtruth/object-detection"


def entry_from_manifest_line(line: Mapping[str, Any], resolve: Callable[[str], str]) -> TrainingEntry:
    """One entry from one parsed JSON Line; ``resolve`` maps ``source-ref`` to a local path.

    Attributes whose metadata flag them as failed (``cl-errors``/``errors``) are still read: the
    pipeline is expected to have removed what must not be trained on.

    Raises:
        KeyError: the line has no ``source-ref``.
    """
    source_ref = str(line["source-ref"])
    labels: list[str] = []
    boxes: list[Box] = []
    for key, metadata in line.items():
        if not key.endswith("-metadata") or not isinstance(metadata, Mapping):
            continue
        value = line.get(key[: -len("-metadata")])
        kind = metadata.get("type")
        if kind == CLASSIFICATION and "class-name" in metadata:
            labels.append(str(metadata["class-name"]))
        elif kind == MULTI_LABEL and isinstance(value, list):
            class_map = metadata.get("class-map", {})
            labels.extend(str(class_map[str(index)]) for index in value if str(index) in class_map)
        elif kind == DETECTION and isinstance(value, Mapping):
            class_map = metadata.get("class-map", {})
            for note in value.get("annotations", []):
                name = class_map.get(str(note.get("class_id")))
                if name is None:
                    continue
                boxes.append(
                    Box(
                        str(name),
                        float(note["left"]),
                        float(note["top"]),
                        float(note["width"]),
                        float(note["height"]),
                    )
                )
    unique_labels = tuple(dict.fromkeys(labels))
    return TrainingEntry(resolve(source_ref), unique_labels, tuple(boxes), source_ref)


def entries_from_manifest(lines: Iterable[str], resolve: Callable[[str], str]) -> list[TrainingEntry]:
    """Entries from the text lines of a manifest (blank lines skipped)."""
    return [entry_from_manifest_line(json.loads(text), resolve) for text in lines if text.strip()]
