"""Parse one Ground Truth JSON Line into a :class:`ManifestEntry`, checking its format.

The parser applies the guide's *format* rules, the ones the guide checks first and that stop
the validation of a line (L5715-5726): ``source-ref`` present and an S3 URI, label attributes
paired with ``-metadata``, the attribute and metadata schemas, one confidence per box, and
every ``class_id`` in the class map. Content rules (image, boxes, label names, warnings) run
afterwards in :mod:`.rules`.

Keys that earlier validation wrote (``errors``, ``warnings``, ``cl-errors``, ``cl-metadata``)
are stripped, so validation manifests can be fed back as input (guide L5713); with
``keep_errors=True`` they are read back instead, for stored dataset entries.
"""

from __future__ import annotations

import json
import re
from typing import Any

from . import codes
from .codes import ErrorCode, ErrorDetail
from .model import (
    IMAGE_CLASSIFICATION,
    METADATA_SUFFIX,
    OBJECT_DETECTION,
    SOURCE_REF,
    Attribute,
    BoundingBox,
    BoundingBoxAttribute,
    ImageLevelLabel,
    ManifestEntry,
    UnparsedAttribute,
)

CL_METADATA = "cl-metadata"
ERROR_KEYS = ("errors", "cl-errors", "warnings")
RESERVED_KEYS = frozenset({SOURCE_REF, CL_METADATA, *ERROR_KEYS})
# guide L2998, L6106: "s3://BUCKET/OBJECT_PATH"; bucket names follow S3's naming rules.
_S3_URI = re.compile(r"s3://[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]/.+", re.DOTALL)
# The guide's examples use several date forms (L3026, L6957, L6790): with or without "T",
# fraction and zone. Anything in that family is accepted.
_CREATION_DATE = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?")
_HUMAN_ANNOTATED = frozenset({"yes", "no"})
_CLASSIFICATION_METADATA_KEYS = frozenset(
    {"confidence", "job-name", "class-name", "human-annotated", "creation-date", "type", *ERROR_KEYS}
)
_DETECTION_KEYS = frozenset({"image_size", "annotations", *ERROR_KEYS})
_DETECTION_METADATA_KEYS = frozenset(
    {"objects", "class-map", "type", "human-annotated", "creation-date", "job-name", *ERROR_KEYS}
)
_BOX_KEYS = frozenset({"class_id", "top", "left", "width", "height", *ERROR_KEYS})
_SUFFIX_LENGTH = len(METADATA_SUFFIX)
_NUMBER = (int, float)  # JSON numbers; bool is excluded by comparing exact types
_MISSING = object()


def is_s3_uri(value: object) -> bool:
    """True for ``s3://bucket/key`` with a valid bucket name and a non-empty key."""
    return isinstance(value, str) and _S3_URI.fullmatch(value) is not None


def parse_line(text: str, *, keep_errors: bool = False) -> ManifestEntry | None:
    """Parse a JSON Line; None when it is not a JSON object (``ERROR_INVALID_JSON_LINE``)."""
    try:
        obj = json.loads(text)
    except ValueError:
        return None
    return parse_entry(obj, keep_errors=keep_errors) if isinstance(obj, dict) else None


def parse_entry(obj: dict[str, Any], *, keep_errors: bool = False) -> ManifestEntry:
    """Build a :class:`ManifestEntry` from a decoded JSON Line, recording format errors.

    Args:
        obj: the decoded line.
        keep_errors: read back ``errors``/``cl-errors``/``warnings`` already in the line (stored
            dataset entries) instead of discarding them (manifests given to validation).
    """
    entry = ManifestEntry(source_ref=None)
    if keep_errors:
        _restore(entry.errors, obj.get("cl-errors"), obj.get("errors"))
        _restore(entry.warnings, obj.get("warnings"))
    source_ref = obj.get(SOURCE_REF, _MISSING)
    if source_ref is _MISSING:
        _add(entry.errors, codes.MISSING_SOURCE_REF)
        entry.extra = _without(obj, RESERVED_KEYS)
        return entry
    if not is_s3_uri(source_ref):
        _add(entry.errors, codes.INVALID_SOURCE_REF_FORMAT)
        if isinstance(source_ref, str):
            entry.source_ref = source_ref
            entry.extra = _without(obj, RESERVED_KEYS)
        else:
            entry.extra = {SOURCE_REF: source_ref, **_without(obj, RESERVED_KEYS)}
        return entry
    entry.source_ref = source_ref

    extra: dict[str, Any] = {}
    for key, value in obj.items():
        if key in RESERVED_KEYS or (key.endswith(METADATA_SUFFIX) and key[:-_SUFFIX_LENGTH] in obj):
            continue  # ours, or the metadata of another key
        metadata = obj.get(key + METADATA_SUFFIX, _MISSING)
        if metadata is _MISSING and type(value) is dict and key + METADATA_SUFFIX in value:
            # guide L11157: the UpdateDatasetEntries example nests BB-metadata inside BB.
            value = dict(value)
            metadata = value.pop(key + METADATA_SUFFIX)
        if metadata is _MISSING:
            extra[key] = value
        else:
            entry.attributes.append(_parse_attribute(key, value, metadata, keep_errors))
    entry.extra = extra
    if not entry.attributes and extra:
        # guide L6125: an attribute without its -metadata, or metadata without its attribute.
        _add(entry.errors, codes.NO_LABEL_ATTRIBUTES)
    return entry


def _parse_attribute(name: str, value: Any, metadata: Any, keep_errors: bool) -> Attribute:
    kind = metadata.get("type") if isinstance(metadata, dict) else None
    if kind == IMAGE_CLASSIFICATION:
        return _parse_classification(name, value, metadata, keep_errors)
    if kind == OBJECT_DETECTION:
        return _parse_detection(name, value, metadata, keep_errors)
    unparsed = UnparsedAttribute(name, value, metadata)
    if isinstance(kind, str) and kind:
        # guide L6864: an unknown type; the message names the metadata key (L6945).
        unparsed.metadata_errors.append(
            codes.detail(ErrorCode.ERROR_UNSUPPORTED_USE_CASE_TYPE, name + METADATA_SUFFIX)
        )
    else:
        unparsed.metadata_errors.append(codes.INVALID_METADATA_FORMAT)
    return _keep_stored(unparsed, keep_errors)


def _parse_classification(name: str, value: Any, metadata: dict[str, Any], keep_errors: bool) -> Attribute:
    # guide L3002: the attribute's value is an integer that the service ignores.
    value_ok = type(value) is int
    confidence = metadata.get("confidence")
    class_name = metadata.get("class-name")
    job_name = metadata.get("job-name")
    metadata_ok = (
        _is_confidence(confidence)  # guide L3010: unused, but in [0, 1]
        and isinstance(class_name, str)
        and class_name != ""  # guide L3018: the label
        and metadata.get("human-annotated") in _HUMAN_ANNOTATED  # guide L3022
        and _is_date(metadata.get("creation-date"))  # guide L3026
        and (job_name is None or isinstance(job_name, str))  # guide L3014: optional
    )
    if not (value_ok and metadata_ok):
        unparsed = UnparsedAttribute(name, value, metadata)
        if not value_ok:
            unparsed.errors.append(codes.detail(ErrorCode.ERROR_INVALID_LABEL_ATTRIBUTE_FORMAT, name))
        if not metadata_ok:
            unparsed.metadata_errors.append(codes.INVALID_METADATA_FORMAT)
        return _keep_stored(unparsed, keep_errors)
    label = ImageLevelLabel(
        attribute=name,
        class_name=metadata["class-name"],
        confidence=metadata["confidence"],
        human_annotated=metadata["human-annotated"],
        creation_date=metadata["creation-date"],
        job_name=job_name,
        value=value,
        metadata_extra=_extra(metadata, _CLASSIFICATION_METADATA_KEYS),
    )
    if keep_errors:
        _restore(label.errors, metadata.get("cl-errors"), metadata.get("errors"))
    return label


def _parse_detection(name: str, value: Any, metadata: dict[str, Any], keep_errors: bool) -> Attribute:
    size = annotations = None
    if type(value) is dict:
        size = _image_size(value.get("image_size"))  # guide L3144-3149: [{width, height, depth}]
        annotations = value.get("annotations", [])  # guide L3153; absent means none (L6804)
    value_ok = size is not None and type(annotations) is list and _are_annotations(annotations)
    objects = metadata.get("objects")  # guide L3167
    class_map = metadata.get("class-map")  # guide L3171
    job_name = metadata.get("job-name")
    metadata_ok = (
        type(objects) is list
        and type(class_map) is dict
        and all(type(label) is str for label in class_map.values())
        and metadata.get("human-annotated") in _HUMAN_ANNOTATED  # guide L3183
        and _is_date(metadata.get("creation-date"))  # guide L3179
        and (job_name is None or type(job_name) is str)  # guide L3187: optional
    )
    unparsed = UnparsedAttribute(name, value, metadata)
    if not value_ok:
        unparsed.errors.append(codes.detail(ErrorCode.ERROR_INVALID_LABEL_ATTRIBUTE_FORMAT, name))
    if not metadata_ok:
        unparsed.metadata_errors.append(codes.INVALID_METADATA_FORMAT)
        return _keep_stored(unparsed, keep_errors)
    if not value_ok:
        return _keep_stored(unparsed, keep_errors)
    assert size is not None and type(value) is dict and type(annotations) is list
    assert type(objects) is list and type(class_map) is dict

    boxes = _boxes(annotations, objects, class_map, unparsed.metadata_errors, keep_errors)
    if unparsed.metadata_errors:
        return _keep_stored(unparsed, keep_errors)
    attribute = BoundingBoxAttribute(
        attribute=name,
        image_width=size[0],
        image_height=size[1],
        image_depth=size[2],
        boxes=boxes,
        class_map=class_map,
        human_annotated=metadata["human-annotated"],
        creation_date=metadata["creation-date"],
        job_name=job_name,
        extra=_extra(value, _DETECTION_KEYS),
        metadata_extra=_extra(metadata, _DETECTION_METADATA_KEYS),
    )
    if keep_errors:
        _restore(attribute.errors, value.get("cl-errors"), value.get("errors"))
        _restore(attribute.warnings, value.get("warnings"))
        _restore(attribute.metadata_errors, metadata.get("cl-errors"), metadata.get("errors"))
    return attribute


def _boxes(
    annotations: list[dict[str, Any]],
    objects: list[Any],
    class_map: dict[str, str],
    errors: list[ErrorDetail],
    keep_errors: bool,
) -> list[BoundingBox]:
    """Pair annotations with their ``objects`` confidences and class-map labels.

    Appends the guide's metadata errors to ``errors``: a confidence missing (L6291: one
    ``{confidence}`` per annotation, by index), a malformed one, or a ``class_id`` that is not
    a key of the class map (L6317).
    """
    missing_confidence = len(objects) != len(annotations)
    missing_class = bad_metadata = False
    boxes = []
    for item, obj in zip(annotations, objects, strict=False):  # lengths compared above
        if type(obj) is not dict:
            bad_metadata = True
            continue
        confidence = obj.get("confidence", _MISSING)
        if confidence is _MISSING:
            missing_confidence = True
            continue
        if not _is_confidence(confidence):
            bad_metadata = True
            continue
        class_id = item["class_id"]
        label = class_map.get(str(class_id))
        if label is None:
            missing_class = True
            continue
        left, top, width, height = item["left"], item["top"], item["width"], item["height"]
        box = BoundingBox(class_id, left, top, width, height, label, confidence)
        if len(item) > 5:
            box.extra = _extra(item, _BOX_KEYS)
        if len(obj) > 1:
            box.object_extra = {k: v for k, v in obj.items() if k != "confidence"}
        if keep_errors:
            _restore(box.errors, item.get("cl-errors"), item.get("errors"))
        boxes.append(box)
    if bad_metadata:
        errors.append(codes.INVALID_METADATA_FORMAT)
    if missing_confidence:
        errors.append(codes.MISSING_BOX_CONFIDENCE)
    if any(str(item["class_id"]) not in class_map for item in annotations[len(objects) :]) or missing_class:
        errors.append(codes.MISSING_CLASS_MAP_ID)
    return boxes


def _image_size(value: Any) -> tuple[int, int, int] | None:
    # guide L3144: a one-element array; the COCO mapping example (L3327) writes a bare object.
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if not isinstance(value, dict):
        return None
    width, height, depth = value.get("width"), value.get("height"), value.get("depth")
    if type(width) is int and type(height) is int and type(depth) is int and width > 0 and height > 0:
        return width, height, depth
    return None


def _are_annotations(items: list[Any]) -> bool:
    """guide L3155-3159: each annotation has an integer class_id and numeric top/left/width/height."""
    number = _NUMBER
    for item in items:
        if type(item) is not dict:
            return False
        get = item.get
        if (
            type(get("class_id")) is not int
            or type(get("top")) not in number
            or type(get("left")) not in number
            or type(get("width")) not in number
            or type(get("height")) not in number
        ):
            return False
    return True


def _is_confidence(value: Any) -> bool:
    return type(value) in _NUMBER and 0 <= value <= 1


def _is_date(value: Any) -> bool:
    return isinstance(value, str) and _CREATION_DATE.fullmatch(value) is not None


def _extra(obj: dict[str, Any], known: frozenset[str]) -> dict[str, Any]:
    if obj.keys() <= known:
        return {}
    return {key: value for key, value in obj.items() if key not in known}


def _without(obj: dict[str, Any], keys: frozenset[str]) -> dict[str, Any]:
    return {key: value for key, value in obj.items() if key not in keys}


def _keep_stored(unparsed: UnparsedAttribute, keep_errors: bool) -> UnparsedAttribute:
    """Strip error keys from a verbatim attribute, reading them back when asked to."""
    for is_metadata, raw in ((False, unparsed.value), (True, unparsed.metadata)):
        if isinstance(raw, dict) and any(key in raw for key in ERROR_KEYS):
            if keep_errors:
                target = unparsed.metadata_errors if is_metadata else unparsed.errors
                _restore(target, raw.get("cl-errors"), raw.get("errors"))
            cleaned = _without(raw, frozenset(ERROR_KEYS))
            if is_metadata:
                unparsed.metadata = cleaned
            else:
                unparsed.value = cleaned
    return unparsed


def _restore(target: list[ErrorDetail], *stored: Any) -> None:
    for values in stored:
        if isinstance(values, list):
            for value in values:
                error = ErrorDetail.from_json(value)
                if error is not None:
                    _add(target, error)


def _add(target: list[ErrorDetail], error: ErrorDetail) -> None:
    if all(existing.code != error.code for existing in target):
        target.append(error)
