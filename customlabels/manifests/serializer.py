"""Write :class:`ManifestEntry` records back out as JSON Lines in the guide's format.

Three styles, because the guide shows the same line three ways:

* ``PLAIN``: the manifest line as a user writes it (guide L2965, L3074), without errors;
* ``DATASET``: a stored dataset entry as ``ListDatasetEntries`` returns it, with
  ``cl-metadata.is_labeled`` and ``cl-errors`` arrays (L6873-6963);
* ``VALIDATION``: a line of ``training_manifest_with_validation.json``, with ``errors`` and
  ``warnings`` arrays at the line, attribute, metadata and annotation levels (L5425-5549).

Key order follows the guide's examples; keys the parser did not know are written back after
the known ones, so that parse → write keeps every value. One deliberate change: an
``image_size`` written as a bare object (L3327) comes back as the one-element array the
specification requires (L3144).
"""

from __future__ import annotations

import json
from enum import Enum
from typing import Any

from . import codes
from .codes import ErrorDetail
from .model import (
    IMAGE_CLASSIFICATION,
    METADATA_SUFFIX,
    OBJECT_DETECTION,
    SOURCE_REF,
    BoundingBoxAttribute,
    ImageLevelLabel,
    ManifestEntry,
)


class Style(Enum):
    PLAIN = "plain"
    DATASET = "dataset"
    VALIDATION = "validation"


_ERROR_KEY = {Style.PLAIN: None, Style.DATASET: "cl-errors", Style.VALIDATION: "errors"}


def entry_to_line(entry: ManifestEntry, style: Style = Style.PLAIN) -> str:
    """One JSON Line (no trailing newline) for ``entry`` in ``style``."""
    return json.dumps(entry_to_dict(entry, style), ensure_ascii=False)


def invalid_json_line(style: Style = Style.VALIDATION) -> str:
    """The line that replaces an unparseable one: only the error information (guide L6380)."""
    key = _ERROR_KEY[style] or "errors"
    return json.dumps({key: [codes.INVALID_JSON_LINE.to_json()]})


def entry_to_dict(entry: ManifestEntry, style: Style = Style.PLAIN) -> dict[str, Any]:
    """The JSON object for ``entry`` in ``style`` (see the module docstring)."""
    error_key = _ERROR_KEY[style]
    warn = style is Style.VALIDATION
    out: dict[str, Any] = {}
    line_errors = list(entry.errors)
    if entry.source_ref is not None:
        out[SOURCE_REF] = entry.source_ref
    for attribute in entry.attributes:
        name, metadata_name = attribute.attribute, attribute.attribute + METADATA_SUFFIX
        if isinstance(attribute, ImageLevelLabel):
            out[name] = attribute.value
            out[metadata_name] = _classification_metadata(attribute, error_key)
        elif isinstance(attribute, BoundingBoxAttribute):
            out[name] = _detection_value(attribute, error_key, warn)
            out[metadata_name] = _detection_metadata(attribute, error_key)
        else:
            value, spill = _with_errors(attribute.value, attribute.errors, error_key)
            line_errors.extend(spill)
            out[name] = value
            metadata, spill = _with_errors(attribute.metadata, attribute.metadata_errors, error_key)
            line_errors.extend(spill)
            out[metadata_name] = metadata
    for key, value in entry.extra.items():
        out.setdefault(key, value)
    if style is Style.DATASET:
        out["cl-metadata"] = {"is_labeled": entry.is_labeled}
    if error_key and line_errors:
        out[error_key] = [error.to_json() for error in line_errors]
    if warn and entry.warnings:
        out["warnings"] = [warning.to_json() for warning in entry.warnings]
    return out


def _classification_metadata(label: ImageLevelLabel, error_key: str | None) -> dict[str, Any]:
    # Key order of the guide's example at L2979-2991.
    metadata: dict[str, Any] = {"confidence": label.confidence}
    if label.job_name is not None:
        metadata["job-name"] = label.job_name
    metadata["class-name"] = label.class_name
    metadata["human-annotated"] = label.human_annotated
    metadata["creation-date"] = label.creation_date
    metadata["type"] = IMAGE_CLASSIFICATION
    metadata.update(label.metadata_extra)
    if error_key and label.errors:
        metadata[error_key] = [error.to_json() for error in label.errors]
    return metadata


def _detection_value(attribute: BoundingBoxAttribute, error_key: str | None, warn: bool) -> dict[str, Any]:
    # Key order of the guide's example at L3089-3129.
    annotations = []
    for box in attribute.boxes:
        item: dict[str, Any] = {
            "class_id": box.class_id,
            "top": box.top,
            "left": box.left,
            "width": box.width,
            "height": box.height,
        }
        item.update(box.extra)
        if error_key and box.errors:
            item[error_key] = [error.to_json() for error in box.errors]
        annotations.append(item)
    size = {"width": attribute.image_width, "height": attribute.image_height, "depth": attribute.image_depth}
    value: dict[str, Any] = {"image_size": [size], "annotations": annotations}
    value.update(attribute.extra)
    if error_key and attribute.errors:
        value[error_key] = [error.to_json() for error in attribute.errors]
    if warn and attribute.warnings:
        value["warnings"] = [warning.to_json() for warning in attribute.warnings]
    return value


def _detection_metadata(attribute: BoundingBoxAttribute, error_key: str | None) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "objects": [{"confidence": box.confidence, **box.object_extra} for box in attribute.boxes],
        "class-map": attribute.class_map,
        "type": OBJECT_DETECTION,
        "human-annotated": attribute.human_annotated,
        "creation-date": attribute.creation_date,
    }
    if attribute.job_name is not None:
        metadata["job-name"] = attribute.job_name
    metadata.update(attribute.metadata_extra)
    if error_key and attribute.metadata_errors:
        metadata[error_key] = [error.to_json() for error in attribute.metadata_errors]
    return metadata


def _with_errors(raw: Any, errors: list[ErrorDetail], error_key: str | None) -> tuple[Any, list[ErrorDetail]]:
    """Attach ``errors`` inside ``raw`` when it is an object; otherwise hand them back.

    A classification attribute's value is a number (L3002), so its errors can only be shown
    at the line level.
    """
    if not error_key or not errors:
        return raw, []
    if isinstance(raw, dict):
        return {**raw, error_key: [error.to_json() for error in errors]}, []
    return raw, errors
