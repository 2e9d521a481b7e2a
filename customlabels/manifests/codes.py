"""The guide's error and warning codes for manifests, with their exact English messages.

Custom Labels reports manifest problems at three levels (guide L4455-4466, L5142-5240):

* terminal **file** errors fail the dataset or the model version; the message becomes the
  resource's ``StatusMessage`` (:class:`~customlabels.manifests.exceptions.ManifestFileError`);
* terminal **content** errors: at dataset time a bad line is dropped (L4590); at training time
  manifest-wide problems are listed in ``manifest_summary.json`` and fail training (L5188);
* **non-terminal** JSON Line errors and warnings, attached to the line, the label attribute, its
  metadata or one annotation (``errors``/``warnings`` in validation manifests, ``cl-errors`` in
  dataset entries).

Messages are the English guide's texts verbatim, typos included ("One of more class ids"),
because clients and tests compare them. ``{}`` placeholders are the guide's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, StrEnum


class ErrorCode(StrEnum):
    """Every code the guide names, plus two identifiers for the code-less training file errors."""

    # Terminal dataset file errors (guide L4477-4483).
    ERROR_MANIFEST_INACCESSIBLE_OR_UNSUPPORTED_FORMAT = "ERROR_MANIFEST_INACCESSIBLE_OR_UNSUPPORTED_FORMAT"
    ERROR_MANIFEST_SIZE_TOO_LARGE = "ERROR_MANIFEST_SIZE_TOO_LARGE"
    ERROR_MANIFEST_ROWS_EXCEEDS_MAXIMUM = "ERROR_MANIFEST_ROWS_EXCEEDS_MAXIMUM"
    ERROR_INVALID_PERMISSIONS_MANIFEST_S3_BUCKET = "ERROR_INVALID_PERMISSIONS_MANIFEST_S3_BUCKET"
    ERROR_TOO_MANY_RECORDS_IN_ERROR = "ERROR_TOO_MANY_RECORDS_IN_ERROR"
    ERROR_MANIFEST_TOO_MANY_LABELS = "ERROR_MANIFEST_TOO_MANY_LABELS"
    ERROR_INSUFFICIENT_IMAGES_PER_LABEL_FOR_DISTRIBUTE = "ERROR_INSUFFICIENT_IMAGES_PER_LABEL_FOR_DISTRIBUTE"
    # Training file errors: the guide gives them no code (L5730); these identifiers are the
    # English guide's anchor names, used internally only.
    ERROR_EMPTY_MANIFEST = "ERROR_EMPTY_MANIFEST"
    ERROR_CANNOT_WRITE_OUTPUT_S3_BUCKET = "ERROR_CANNOT_WRITE_OUTPUT_S3_BUCKET"
    # Terminal manifest content errors, reported in the manifest summary (L5200-5209, L5782).
    ERROR_TOO_MANY_INVALID_ROWS_IN_MANIFEST = "ERROR_TOO_MANY_INVALID_ROWS_IN_MANIFEST"
    ERROR_IMAGES_IN_MULTIPLE_S3_BUCKETS = "ERROR_IMAGES_IN_MULTIPLE_S3_BUCKETS"
    ERROR_INVALID_PERMISSIONS_IMAGES_S3_BUCKET = "ERROR_INVALID_PERMISSIONS_IMAGES_S3_BUCKET"
    ERROR_INVALID_IMAGES_S3_BUCKET_OWNER = "ERROR_INVALID_IMAGES_S3_BUCKET_OWNER"
    ERROR_INSUFFICIENT_IMAGES_PER_LABEL_FOR_AUTOSPLIT = "ERROR_INSUFFICIENT_IMAGES_PER_LABEL_FOR_AUTOSPLIT"
    ERROR_MANIFEST_TOO_FEW_LABELS = "ERROR_MANIFEST_TOO_FEW_LABELS"
    ERROR_INSUFFICIENT_LABEL_OVERLAP = "ERROR_INSUFFICIENT_LABEL_OVERLAP"
    ERROR_MANIFEST_TOO_FEW_USABLE_LABELS = "ERROR_MANIFEST_TOO_FEW_USABLE_LABELS"
    ERROR_INSUFFICIENT_USABLE_LABEL_OVERLAP = "ERROR_INSUFFICIENT_USABLE_LABEL_OVERLAP"
    ERROR_FAILED_IMAGES_S3_COPY = "ERROR_FAILED_IMAGES_S3_COPY"
    # Non-terminal JSON Line errors (L5227-5240, L6089-6982).
    ERROR_MISSING_SOURCE_REF = "ERROR_MISSING_SOURCE_REF"
    ERROR_INVALID_SOURCE_REF_FORMAT = "ERROR_INVALID_SOURCE_REF_FORMAT"
    ERROR_NO_LABEL_ATTRIBUTES = "ERROR_NO_LABEL_ATTRIBUTES"
    ERROR_INVALID_LABEL_ATTRIBUTE_FORMAT = "ERROR_INVALID_LABEL_ATTRIBUTE_FORMAT"
    ERROR_INVALID_LABEL_ATTRIBUTE_METADATA_FORMAT = "ERROR_INVALID_LABEL_ATTRIBUTE_METADATA_FORMAT"
    ERROR_NO_VALID_LABEL_ATTRIBUTES = "ERROR_NO_VALID_LABEL_ATTRIBUTES"
    ERROR_MISSING_BOUNDING_BOX_CONFIDENCE = "ERROR_MISSING_BOUNDING_BOX_CONFIDENCE"
    ERROR_MISSING_CLASS_MAP_ID = "ERROR_MISSING_CLASS_MAP_ID"
    ERROR_INVALID_JSON_LINE = "ERROR_INVALID_JSON_LINE"
    ERROR_INVALID_IMAGE = "ERROR_INVALID_IMAGE"
    ERROR_INVALID_IMAGE_DIMENSION = "ERROR_INVALID_IMAGE_DIMENSION"
    ERROR_INVALID_BOUNDING_BOX = "ERROR_INVALID_BOUNDING_BOX"
    ERROR_NO_VALID_ANNOTATIONS = "ERROR_NO_VALID_ANNOTATIONS"
    ERROR_BOUNDING_BOX_TOO_SMALL = "ERROR_BOUNDING_BOX_TOO_SMALL"
    ERROR_TOO_MANY_BOUNDING_BOXES = "ERROR_TOO_MANY_BOUNDING_BOXES"
    ERROR_UNSUPPORTED_USE_CASE_TYPE = "ERROR_UNSUPPORTED_USE_CASE_TYPE"
    ERROR_INVALID_LABEL_NAME_LENGTH = "ERROR_INVALID_LABEL_NAME_LENGTH"
    # Warnings: the line is valid but not used, and not counted as invalid (L5411, L6720-6862).
    WARNING_UNANNOTATED_RECORD = "WARNING_UNANNOTATED_RECORD"
    WARNING_NO_ANNOTATIONS = "WARNING_NO_ANNOTATIONS"
    WARNING_NO_ATTRIBUTE_ANNOTATIONS = "WARNING_NO_ATTRIBUTE_ANNOTATIONS"


class Category(Enum):
    """When and how the guide reports a code."""

    DATASET_FILE = "dataset file error"  # fails CreateDataset/UpdateDatasetEntries
    TRAINING_FILE = "training file error"  # fails training before validation, no summary
    CONTENT = "manifest content error"  # fails training, listed in the manifest summary
    JSON_LINE = "JSON Line error"  # non-terminal, attached to the line
    WARNING = "warning"  # the line is ignored


@dataclass(frozen=True, slots=True)
class CodeInfo:
    message: str
    categories: frozenset[Category]
    guide_line: int


def _info(message: str, guide_line: int, *categories: Category) -> CodeInfo:
    return CodeInfo(message, frozenset(categories), guide_line)


_FILE, _TFILE, _CONTENT = Category.DATASET_FILE, Category.TRAINING_FILE, Category.CONTENT
_LINE, _WARN = Category.JSON_LINE, Category.WARNING
C = ErrorCode

CATALOG: dict[ErrorCode, CodeInfo] = {
    C.ERROR_MANIFEST_INACCESSIBLE_OR_UNSUPPORTED_FORMAT: _info(
        "The manifest file extension or contents are invalid.", 4485, _FILE, _TFILE
    ),
    C.ERROR_MANIFEST_SIZE_TOO_LARGE: _info(
        "The manifest file size exceeds the maximum supported size.", 4499, _FILE, _TFILE
    ),
    C.ERROR_MANIFEST_ROWS_EXCEEDS_MAXIMUM: _info(
        "The manifest file has too many rows.", 4514, _FILE, _CONTENT
    ),
    C.ERROR_INVALID_PERMISSIONS_MANIFEST_S3_BUCKET: _info(
        "The S3 bucket permissions are incorrect.", 4532, _FILE, _TFILE
    ),
    C.ERROR_TOO_MANY_RECORDS_IN_ERROR: _info(
        "The manifest file has too many terminal errors.", 4546, _FILE, _CONTENT
    ),
    C.ERROR_MANIFEST_TOO_MANY_LABELS: _info("The manifest file has too many labels.", 4558, _FILE, _CONTENT),
    C.ERROR_INSUFFICIENT_IMAGES_PER_LABEL_FOR_DISTRIBUTE: _info(
        "The manifest file doesn't have enough labeled images to distribute the dataset.", 4578, _FILE
    ),
    C.ERROR_EMPTY_MANIFEST: _info("The manifest file is empty.", 5742, _TFILE),
    C.ERROR_CANNOT_WRITE_OUTPUT_S3_BUCKET: _info("Unable to write to output S3 bucket.", 5772, _TFILE),
    C.ERROR_TOO_MANY_INVALID_ROWS_IN_MANIFEST: _info(
        "The manifest file contains too many invalid rows.", 5786, _CONTENT
    ),
    C.ERROR_IMAGES_IN_MULTIPLE_S3_BUCKETS: _info(
        "The manifest file contains images from multiple S3 buckets.", 5803, _CONTENT
    ),
    C.ERROR_INVALID_PERMISSIONS_IMAGES_S3_BUCKET: _info(
        "The permissions for the images S3 bucket are invalid.", 5823, _CONTENT
    ),
    C.ERROR_INVALID_IMAGES_S3_BUCKET_OWNER: _info("Invalid owner id for images S3 bucket.", 5839, _CONTENT),
    C.ERROR_INSUFFICIENT_IMAGES_PER_LABEL_FOR_AUTOSPLIT: _info(
        "The manifest file contains insufficient labeled images per label to perform auto-split.",
        5863,
        _CONTENT,
    ),
    C.ERROR_MANIFEST_TOO_FEW_LABELS: _info("The manifest file has too few labels.", 5879, _CONTENT),
    C.ERROR_INSUFFICIENT_LABEL_OVERLAP: _info(
        "Less than {}% label overlap between the training and testing manifest files.", 5984, _CONTENT
    ),
    C.ERROR_MANIFEST_TOO_FEW_USABLE_LABELS: _info(
        "The manifest file has too few usable labels.", 6008, _CONTENT
    ),
    C.ERROR_INSUFFICIENT_USABLE_LABEL_OVERLAP: _info(
        "Less than {}% usable label overlap between the training and testing manifest files.", 6030, _CONTENT
    ),
    C.ERROR_FAILED_IMAGES_S3_COPY: _info("Failed to copy images from S3 bucket.", 6056, _CONTENT),
    C.ERROR_MISSING_SOURCE_REF: _info("The source-ref key is missing.", 6089, _LINE),
    C.ERROR_INVALID_SOURCE_REF_FORMAT: _info("The format of the source-ref value is invalid.", 6106, _LINE),
    C.ERROR_NO_LABEL_ATTRIBUTES: _info("No label attributes found.", 6125, _LINE),
    C.ERROR_INVALID_LABEL_ATTRIBUTE_FORMAT: _info(
        "The format of the label attribute {} is invalid.", 6188, _LINE
    ),
    C.ERROR_INVALID_LABEL_ATTRIBUTE_METADATA_FORMAT: _info(
        "The format of the label attribute metadata is invalid.", 6233, _LINE
    ),
    C.ERROR_NO_VALID_LABEL_ATTRIBUTES: _info("No valid label attributes found.", 6272, _LINE),
    C.ERROR_MISSING_BOUNDING_BOX_CONFIDENCE: _info(
        "One or more bounding boxes has a missing confidence value.", 6291, _LINE
    ),
    C.ERROR_MISSING_CLASS_MAP_ID: _info("One of more class ids is missing from the class map.", 6317, _LINE),
    C.ERROR_INVALID_JSON_LINE: _info("The JSON Line has an invalid format.", 6376, _LINE),
    C.ERROR_INVALID_IMAGE: _info("The image is invalid. Check S3 path and/or image properties.", 6394, _LINE),
    C.ERROR_INVALID_IMAGE_DIMENSION: _info(
        "The image dimension(s) do not conform to allowed dimensions.", 6420, _LINE
    ),
    C.ERROR_INVALID_BOUNDING_BOX: _info("The bounding box has off frame values.", 6491, _LINE),
    C.ERROR_NO_VALID_ANNOTATIONS: _info("No valid annotations found.", 6528, _LINE),
    C.ERROR_BOUNDING_BOX_TOO_SMALL: _info(
        "The height and width of the bounding box is too small.", 6595, _LINE
    ),
    C.ERROR_TOO_MANY_BOUNDING_BOXES: _info(
        "There are more bounding boxes than the allowed maximum.", 6633, _LINE
    ),
    C.ERROR_UNSUPPORTED_USE_CASE_TYPE: _info(
        "The use case type of the {} label attribute metadata is unsupported. Check the type field.",
        6864,
        _LINE,
    ),
    # The guide gives no message text for this code (L6972-6982); this one says what it found.
    C.ERROR_INVALID_LABEL_NAME_LENGTH: _info(
        "The length of the label name is too long. The maximum length is 256 characters.", 6972, _LINE
    ),
    C.WARNING_UNANNOTATED_RECORD: _info("Record is unannotated.", 6720, _WARN),
    C.WARNING_NO_ANNOTATIONS: _info("No annotations were found.", 6746, _WARN),
    C.WARNING_NO_ATTRIBUTE_ANNOTATIONS: _info("No attribute annotations were found.", 6804, _WARN),
}


@dataclass(frozen=True, slots=True)
class ErrorDetail:
    """One ``{"code": ..., "message": ...}`` object as the guide prints it (L5440-5447)."""

    code: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}

    @classmethod
    def from_json(cls, value: object) -> ErrorDetail | None:
        """Read back a stored error object; None when it is not one."""
        if isinstance(value, dict):
            code, message = value.get("code"), value.get("message")
            if isinstance(code, str) and isinstance(message, str):
                return cls(code, message)
        return None


def message_for(code: ErrorCode, *args: object) -> str:
    """The guide's message for ``code`` with its ``{}`` placeholders filled from ``args``."""
    text = CATALOG[code].message
    return text.format(*args) if args else text


def detail(code: ErrorCode, *args: object) -> ErrorDetail:
    """An :class:`ErrorDetail` with the guide's message (placeholders filled from ``args``)."""
    return ErrorDetail(code.value, message_for(code, *args))


def codes_in(category: Category) -> list[ErrorCode]:
    """The codes the guide reports in ``category``, in catalog order."""
    return [code for code, info in CATALOG.items() if category in info.categories]


# Frequently used, immutable details: built once, shared by every line that reports them.
INVALID_JSON_LINE = detail(C.ERROR_INVALID_JSON_LINE)
MISSING_SOURCE_REF = detail(C.ERROR_MISSING_SOURCE_REF)
INVALID_SOURCE_REF_FORMAT = detail(C.ERROR_INVALID_SOURCE_REF_FORMAT)
NO_LABEL_ATTRIBUTES = detail(C.ERROR_NO_LABEL_ATTRIBUTES)
INVALID_METADATA_FORMAT = detail(C.ERROR_INVALID_LABEL_ATTRIBUTE_METADATA_FORMAT)
NO_VALID_LABEL_ATTRIBUTES = detail(C.ERROR_NO_VALID_LABEL_ATTRIBUTES)
MISSING_BOX_CONFIDENCE = detail(C.ERROR_MISSING_BOUNDING_BOX_CONFIDENCE)
MISSING_CLASS_MAP_ID = detail(C.ERROR_MISSING_CLASS_MAP_ID)
INVALID_IMAGE = detail(C.ERROR_INVALID_IMAGE)
INVALID_IMAGE_DIMENSION = detail(C.ERROR_INVALID_IMAGE_DIMENSION)
INVALID_BOUNDING_BOX = detail(C.ERROR_INVALID_BOUNDING_BOX)
NO_VALID_ANNOTATIONS = detail(C.ERROR_NO_VALID_ANNOTATIONS)
BOUNDING_BOX_TOO_SMALL = detail(C.ERROR_BOUNDING_BOX_TOO_SMALL)
TOO_MANY_BOUNDING_BOXES = detail(C.ERROR_TOO_MANY_BOUNDING_BOXES)
INVALID_LABEL_NAME_LENGTH = detail(C.ERROR_INVALID_LABEL_NAME_LENGTH)
UNANNOTATED_RECORD = detail(C.WARNING_UNANNOTATED_RECORD)
NO_ANNOTATIONS = detail(C.WARNING_NO_ANNOTATIONS)
NO_ATTRIBUTE_ANNOTATIONS = detail(C.WARNING_NO_ATTRIBUTE_ANNOTATIONS)
