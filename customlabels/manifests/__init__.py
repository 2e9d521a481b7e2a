"""Ground Truth manifests as Custom Labels reads, validates, stores and converts them.

Pure logic: storage is reached only through callables or a client passed in
(:mod:`.image_sources`). The modules, one concept each:

=====================  =========================================================================
``quotas``             the guide's limits, with their guide lines
``codes``              every error/warning code with the guide's message; ``ErrorDetail``
``exceptions``         ``ManifestFileError`` (async failures), API request errors, edge errors
``model``              ``ManifestEntry`` and its label attributes, boxes and errors
``parser``             JSON Line → ``ManifestEntry`` with the format rules
``rules``              content rules for one entry (image, boxes, label names, warnings)
``serializer``         ``ManifestEntry`` → JSON Line (plain, dataset entry, validation manifest)
``validation``         ``validate_line``, ``validate_manifest``
``manifest_file``      terminal file errors: name, access, size, encoding, emptiness
``image_header``       header-only image checks with a ``(uri, etag, size)`` cache
``image_sources``      local-disk and S3 edges for the image checks
``dataset_import``     lines → dataset entries (CreateDataset)
``updates``            UpdateDatasetEntries: request checks and upsert by ``source-ref``
``datasets``           DatasetStats, ListDatasetEntries filters, ListDatasetLabels
``distribute``         DistributeDatasetEntries and the training auto-split
``training``           training validation, ``manifest_summary.json``, validation manifests
``folders``, ``coco``,  importers: folder names as labels, COCO, CSV, Ground Truth multi-label
``csv_manifest``,
``multilabel``
=====================  =========================================================================
"""

from .coco import coco_to_manifest, images_s3_path
from .codes import Category, ErrorCode, ErrorDetail
from .csv_manifest import CsvDuplicateImagesError, CsvManifest, check_duplicates, csv_to_manifest
from .dataset_import import DatasetImport, DroppedLine, import_lines
from .datasets import (
    DatasetStats,
    EntryFilter,
    EntryView,
    LabelStats,
    dataset_labels,
    dataset_stats,
    filter_entries,
    list_dataset_labels,
    load_entries,
)
from .distribute import distribute_entries, split_entries
from .exceptions import (
    DatasetRequestError,
    InvalidParameterError,
    LimitExceededError,
    ManifestContentError,
    ManifestError,
    ManifestFileError,
    ObjectAccessDeniedError,
    ObjectNotFoundError,
)
from .folders import LocalFolderManifest, local_folder_manifest, s3_folder_manifest
from .image_header import SHARED_HEADER_CACHE, HeaderCache, ImageInfo, ImageInspector, ObjectStat
from .image_sources import LocalImageSource, S3ImageSource
from .manifest_file import Purpose, manifest_lines, read_manifest
from .model import BoundingBox, BoundingBoxAttribute, ImageLevelLabel, ManifestEntry, UnparsedAttribute
from .multilabel import convert_multilabel_manifest
from .parser import parse_entry, parse_line
from .rules import LineStatus
from .serializer import Style, entry_to_dict, entry_to_line
from .training import (
    TrainingValidation,
    UseCase,
    bucket_owner_error,
    images_copy_error,
    validate_for_training,
    write_validation_results,
)
from .updates import UpdateResult, apply_changes, check_changes_request, decode_changes
from .validation import LineResult, ManifestValidation, validate_line, validate_manifest

__all__ = [
    "SHARED_HEADER_CACHE",
    "BoundingBox",
    "BoundingBoxAttribute",
    "Category",
    "CsvDuplicateImagesError",
    "CsvManifest",
    "DatasetImport",
    "DatasetRequestError",
    "DatasetStats",
    "DroppedLine",
    "EntryFilter",
    "EntryView",
    "ErrorCode",
    "ErrorDetail",
    "HeaderCache",
    "ImageInfo",
    "ImageInspector",
    "ImageLevelLabel",
    "InvalidParameterError",
    "LabelStats",
    "LimitExceededError",
    "LineResult",
    "LineStatus",
    "LocalFolderManifest",
    "LocalImageSource",
    "ManifestContentError",
    "ManifestEntry",
    "ManifestError",
    "ManifestFileError",
    "ManifestValidation",
    "ObjectAccessDeniedError",
    "ObjectNotFoundError",
    "ObjectStat",
    "Purpose",
    "S3ImageSource",
    "Style",
    "TrainingValidation",
    "UnparsedAttribute",
    "UpdateResult",
    "UseCase",
    "apply_changes",
    "bucket_owner_error",
    "check_duplicates",
    "check_changes_request",
    "coco_to_manifest",
    "convert_multilabel_manifest",
    "csv_to_manifest",
    "dataset_labels",
    "dataset_stats",
    "decode_changes",
    "distribute_entries",
    "entry_to_dict",
    "entry_to_line",
    "filter_entries",
    "images_copy_error",
    "images_s3_path",
    "import_lines",
    "list_dataset_labels",
    "local_folder_manifest",
    "load_entries",
    "manifest_lines",
    "parse_entry",
    "parse_line",
    "read_manifest",
    "s3_folder_manifest",
    "split_entries",
    "validate_for_training",
    "validate_line",
    "validate_manifest",
    "write_validation_results",
]
