"""Typed records for one manifest JSON Line (one image) as Custom Labels reads it.

A SageMaker Ground Truth line (guide L2910-3187) holds ``source-ref`` and any number of label
attributes, each paired with ``<attribute>-metadata``; the metadata ``type`` says whether it is
an image-level label (``groundtruth/image-classification``) or bounding boxes
(``groundtruth/object-detection``). Errors are attached where the guide attaches them: to the
line (image errors), to a label attribute, to its metadata, or to one annotation (L5425-5549).

Attributes whose format the validator rejected are kept verbatim as
:class:`UnparsedAttribute`, so that dataset entries and validation manifests can show the user
the line they wrote, with the error next to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .codes import ErrorDetail

IMAGE_CLASSIFICATION = "groundtruth/image-classification"  # guide L3030
OBJECT_DETECTION = "groundtruth/object-detection"  # guide L3175
SOURCE_REF = "source-ref"
METADATA_SUFFIX = "-metadata"

Number = int | float


@dataclass(slots=True)
class ImageLevelLabel:
    """An image-level label: a classification attribute and its metadata (guide L2996-3030).

    ``value`` is the attribute's integer, which the service ignores (L3002); ``errors`` belong
    to ``<attribute>-metadata`` (L5427).
    """

    attribute: str
    class_name: str
    confidence: Number = 1
    human_annotated: str = "yes"
    creation_date: str = ""
    job_name: str | None = None
    value: int = 1
    metadata_extra: dict[str, Any] = field(default_factory=dict)
    errors: list[ErrorDetail] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        return not self.errors


@dataclass(slots=True)
class BoundingBox:
    """One annotation in pixels from the top-left corner, with its label (guide L3153-3171).

    ``confidence`` comes from the index-aligned ``objects`` entry of the metadata (L3167).
    """

    class_id: int
    left: Number
    top: Number
    width: Number
    height: Number
    label: str
    confidence: Number = 1
    extra: dict[str, Any] = field(default_factory=dict)
    object_extra: dict[str, Any] = field(default_factory=dict)
    errors: list[ErrorDetail] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        return not self.errors


@dataclass(slots=True)
class BoundingBoxAttribute:
    """An object-detection attribute: image size, boxes and the class map (guide L3134-3187)."""

    attribute: str
    image_width: int
    image_height: int
    image_depth: int
    boxes: list[BoundingBox] = field(default_factory=list)
    class_map: dict[str, str] = field(default_factory=dict)
    human_annotated: str = "yes"
    creation_date: str = ""
    job_name: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    metadata_extra: dict[str, Any] = field(default_factory=dict)
    errors: list[ErrorDetail] = field(default_factory=list)
    metadata_errors: list[ErrorDetail] = field(default_factory=list)
    warnings: list[ErrorDetail] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        return not self.errors and not self.metadata_errors

    @property
    def usable_boxes(self) -> list[BoundingBox]:
        return [box for box in self.boxes if not box.errors] if self.usable else []


@dataclass(slots=True)
class UnparsedAttribute:
    """A label attribute kept as written because it failed validation.

    ``metadata`` is None when the attribute has no ``-metadata`` partner.
    """

    attribute: str
    value: Any
    metadata: Any
    errors: list[ErrorDetail] = field(default_factory=list)
    metadata_errors: list[ErrorDetail] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        return False


Attribute = ImageLevelLabel | BoundingBoxAttribute | UnparsedAttribute


@dataclass(slots=True)
class ManifestEntry:
    """One JSON Line: one image, its label attributes and the errors found on it.

    ``source_ref`` is None only for a line that lacks it (``ERROR_MISSING_SOURCE_REF``).
    ``extra`` keeps top-level keys that are not label attributes, so that lines round-trip.
    """

    source_ref: str | None
    attributes: list[Attribute] = field(default_factory=list)
    errors: list[ErrorDetail] = field(default_factory=list)
    warnings: list[ErrorDetail] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def image_labels(self) -> list[ImageLevelLabel]:
        return [a for a in self.attributes if isinstance(a, ImageLevelLabel)]

    @property
    def box_attributes(self) -> list[BoundingBoxAttribute]:
        return [a for a in self.attributes if isinstance(a, BoundingBoxAttribute)]

    @property
    def boxes(self) -> list[BoundingBox]:
        return [box for attribute in self.box_attributes for box in attribute.boxes]

    @property
    def is_labeled(self) -> bool:
        """True when the line carries any label attribute (``cl-metadata.is_labeled``).

        The guide's dataset entry at L6873-6963 is ``is_labeled: true`` although its only
        attribute is invalid, so validity does not matter here.
        """
        return bool(self.attributes)

    def label_names(self) -> set[str]:
        """Labels the dataset has for this image: image-level names and box labels.

        Attributes with errors of their own contribute nothing (their names may be invalid);
        a box with an error still names its label, since the label is assigned in the dataset.
        """
        names: set[str] = set()
        for attribute in self.attributes:
            if isinstance(attribute, ImageLevelLabel):
                if attribute.usable:
                    names.add(attribute.class_name)
            elif isinstance(attribute, BoundingBoxAttribute) and attribute.usable:
                names.update(box.label for box in attribute.boxes)
        return names

    def box_label_names(self) -> set[str]:
        """Labels assigned to at least one bounding box of this image."""
        return {box.label for a in self.box_attributes if a.usable for box in a.boxes}

    @property
    def has_errors(self) -> bool:
        """True when any level of the line carries an error (``DatasetStats.ErrorEntries``)."""
        if self.errors:
            return True
        for attribute in self.attributes:
            if attribute.errors:
                return True
            if isinstance(attribute, ImageLevelLabel):
                continue
            if attribute.metadata_errors:
                return True
            if isinstance(attribute, BoundingBoxAttribute) and any(box.errors for box in attribute.boxes):
                return True
        return False

    def all_errors(self) -> list[ErrorDetail]:
        """Every error on the line, line-level first, then per attribute in line order."""
        found = list(self.errors)
        for attribute in self.attributes:
            found.extend(attribute.errors)
            if not isinstance(attribute, ImageLevelLabel):
                found.extend(attribute.metadata_errors)
            if isinstance(attribute, BoundingBoxAttribute):
                for box in attribute.boxes:
                    found.extend(box.errors)
        return found

    @property
    def bucket(self) -> str | None:
        """The S3 bucket of ``source-ref`` (``s3://BUCKET/key``), or None if unparseable."""
        if self.source_ref is None or not self.source_ref.startswith("s3://"):
            return None
        bucket, _, _ = self.source_ref[5:].partition("/")
        return bucket or None
