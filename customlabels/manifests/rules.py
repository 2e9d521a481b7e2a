"""The guide's content rules for one parsed JSON Line, and the line's resulting status.

After :mod:`.parser` has checked the format, these rules run in the guide's order
(L5715-5726: format errors stop a line's validation; the rest are reported together):

1. label names at most 256 characters (``ERROR_INVALID_LABEL_NAME_LENGTH``, L6972);
2. at least one usable label attribute (``ERROR_NO_VALID_LABEL_ATTRIBUTES``, L6272);
3. the image: declared ``image_size`` and, when an inspector is given, the real header
   (``ERROR_INVALID_IMAGE`` L6394, ``ERROR_INVALID_IMAGE_DIMENSION`` L6420);
4. boxes: at most 50 per image (L6633), inside the frame and not negative (L6491), larger than
   1 x 1 px after the training resize to 1280 px (L6595), at least one usable (L6528);
5. warnings for lines without annotations (L6720-6862).

A line is **invalid** when it carries a line-level error (excluded from training), **ignored**
when it is valid but has nothing to train on (warnings only), and **valid** otherwise; a valid
line may still have errors on single boxes or attributes, which training skips (L5407-5409).
"""

from __future__ import annotations

from enum import StrEnum

from . import codes, quotas
from .codes import ErrorCode
from .image_header import ImageInspector, ImageProblem
from .model import BoundingBoxAttribute, ImageLevelLabel, ManifestEntry, UnparsedAttribute


class LineStatus(StrEnum):
    VALID = "valid"
    INVALID = "invalid"
    IGNORED = "ignored"


# guide L5715-5726: when one of these is found, the line's validation stops.
PRIORITY_CODES = frozenset(
    code.value
    for code in (
        ErrorCode.ERROR_MISSING_SOURCE_REF,
        ErrorCode.ERROR_INVALID_SOURCE_REF_FORMAT,
        ErrorCode.ERROR_NO_LABEL_ATTRIBUTES,
        ErrorCode.ERROR_INVALID_LABEL_ATTRIBUTE_FORMAT,
        ErrorCode.ERROR_INVALID_LABEL_ATTRIBUTE_METADATA_FORMAT,
        ErrorCode.ERROR_MISSING_BOUNDING_BOX_CONFIDENCE,
        ErrorCode.ERROR_MISSING_CLASS_MAP_ID,
        ErrorCode.ERROR_INVALID_JSON_LINE,
    )
)


def has_priority_error(entry: ManifestEntry) -> bool:
    """True when the parser found an error that stops the line's validation."""
    return any(error.code in PRIORITY_CODES for error in entry.all_errors())


def apply_content_rules(entry: ManifestEntry, images: ImageInspector | None = None) -> LineStatus:
    """Run the content rules on a freshly parsed entry, attach their errors, return its status.

    Args:
        entry: from :func:`~customlabels.manifests.parser.parse_entry` (without stored errors).
        images: reads image headers; None skips the real-image checks, as dataset creation
            does (its error list has no ``ERROR_INVALID_IMAGE``, guide L4610-4624).
    """
    # Right after parsing, line-level errors and errors on verbatim attributes can only be
    # the parser's format errors, all of which stop validation; an unsupported type does not.
    if entry.errors or any(_stops_validation(a) for a in entry.attributes if type(a) is UnparsedAttribute):
        return LineStatus.INVALID
    if not entry.attributes:
        entry.warnings.append(codes.UNANNOTATED_RECORD)  # guide L6720: only a source-ref
        return LineStatus.IGNORED

    has_image_labels, box_attributes = _usable_attributes(entry)
    if not has_image_labels and not box_attributes:
        entry.errors.append(codes.NO_VALID_LABEL_ATTRIBUTES)
        return LineStatus.INVALID
    _check_image(entry, box_attributes, images)
    has_usable_boxes = _check_boxes(entry, box_attributes)

    if entry.errors:
        return LineStatus.INVALID
    if not has_image_labels and not has_usable_boxes:
        # guide L6746: object-location lines whose attributes hold no box at all.
        entry.warnings.append(codes.NO_ANNOTATIONS)
        return LineStatus.IGNORED
    return LineStatus.VALID


def _stops_validation(attribute: UnparsedAttribute) -> bool:
    return any(error.code in PRIORITY_CODES for error in (*attribute.errors, *attribute.metadata_errors))


def _usable_attributes(entry: ManifestEntry) -> tuple[bool, list[BoundingBoxAttribute]]:
    """Check label names (guide L6972: at most 256 characters); return what remains usable."""
    limit = quotas.MAX_LABEL_NAME_CHARS
    has_image_labels = False
    box_attributes = []
    for attribute in entry.attributes:
        if type(attribute) is ImageLevelLabel:
            if len(attribute.class_name) > limit:
                attribute.errors.append(codes.INVALID_LABEL_NAME_LENGTH)
            else:
                has_image_labels = True
        elif type(attribute) is BoundingBoxAttribute:
            if any(len(name) > limit for name in attribute.class_map.values()):
                attribute.metadata_errors.append(codes.INVALID_LABEL_NAME_LENGTH)
            else:
                box_attributes.append(attribute)
    return has_image_labels, box_attributes


def _check_image(
    entry: ManifestEntry, box_attributes: list[BoundingBoxAttribute], images: ImageInspector | None
) -> None:
    low, high = quotas.MIN_IMAGE_SIDE_PX, quotas.MAX_IMAGE_SIDE_PX
    declared_bad = False
    for attribute in box_attributes:
        if not (low <= attribute.image_width <= high and low <= attribute.image_height <= high):
            declared_bad = True
    problem = None
    if images is not None and entry.source_ref is not None:
        problem = images.inspect(entry.source_ref).problem
    if problem is not None and problem is not ImageProblem.DIMENSIONS:
        entry.errors.append(codes.INVALID_IMAGE)
    elif box_attributes and (declared_bad or problem is ImageProblem.DIMENSIONS):
        # guide L6428: the dimension error is the one reported for images with boxes.
        entry.errors.append(codes.INVALID_IMAGE_DIMENSION)
    elif problem is ImageProblem.DIMENSIONS:
        entry.errors.append(codes.INVALID_IMAGE)


def _check_boxes(entry: ManifestEntry, box_attributes: list[BoundingBoxAttribute]) -> bool:
    """Check every box; returns whether any usable box remains."""
    total = 0
    usable = 0
    for attribute in box_attributes:
        if not attribute.boxes:
            attribute.warnings.append(codes.NO_ATTRIBUTE_ANNOTATIONS)  # guide L6804
            continue
        width, height = attribute.image_width, attribute.image_height
        longest = max(width, height)
        # guide L6605: training shrinks images whose longest side exceeds 1280 px.
        scale = (
            quotas.TRAINING_RESIZE_MAX_SIDE_PX / longest
            if longest > quotas.TRAINING_RESIZE_MAX_SIDE_PX
            else 1.0
        )
        minimum = quotas.MIN_BOX_SIDE_PX
        for box in attribute.boxes:
            total += 1
            left, top, box_width, box_height = box.left, box.top, box.width, box.height
            if (
                left < 0
                or top < 0
                or box_width < 0
                or box_height < 0
                or left + box_width > width
                or top + box_height > height
            ):
                box.errors.append(codes.INVALID_BOUNDING_BOX)
            elif box_width * scale <= minimum or box_height * scale <= minimum:
                box.errors.append(codes.BOUNDING_BOX_TOO_SMALL)
            else:
                usable += 1
    if total > quotas.MAX_BOXES_PER_IMAGE:
        entry.errors.append(codes.TOO_MANY_BOUNDING_BOXES)
    if total and not usable:
        entry.errors.append(codes.NO_VALID_ANNOTATIONS)
    return usable > 0
