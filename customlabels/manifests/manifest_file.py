"""Terminal manifest *file* checks: name, access, size, encoding, emptiness.

These come before any line is read (guide L4477-4545 for datasets, L5174-5186 and L5728-5780
for training) and raise :class:`ManifestFileError`; the resource then fails with the guide's
message as ``StatusMessage``. Training reports an empty manifest with its own message
("The manifest file is empty.", L5742); dataset creation has no such entry in its list, so an
empty manifest there is "contents invalid" (L4485, L3219 "empty manifest: error").
"""

from __future__ import annotations

import posixpath
from enum import Enum

from . import quotas
from .codes import ErrorCode
from .exceptions import ManifestFileError, ObjectAccessDeniedError, ObjectNotFoundError
from .image_header import ReadRangeFn, StatFn
from .validation import split_lines


class Purpose(Enum):
    DATASET = "dataset"  # CreateDataset / UpdateDatasetEntries
    TRAINING = "training"  # CreateProjectVersion with TrainingData / TestingData


def check_manifest_name(name: str) -> None:
    """Raise unless the object name has a file extension (by convention ``.manifest``, L4491)."""
    _, extension = posixpath.splitext(posixpath.basename(name))
    if not extension or extension == ".":
        raise ManifestFileError(
            ErrorCode.ERROR_MANIFEST_INACCESSIBLE_OR_UNSUPPORTED_FORMAT,
            context=f"manifest name {name!r} has no file extension; use e.g. '.manifest'",
        )


def check_manifest_size(size: int, max_bytes: int = quotas.MAX_MANIFEST_BYTES) -> None:
    """Raise when the manifest is larger than the guide's 1 GB (L16329)."""
    if size > max_bytes:
        raise ManifestFileError(
            ErrorCode.ERROR_MANIFEST_SIZE_TOO_LARGE,
            context=f"manifest is {size} bytes; at most {max_bytes} bytes are allowed",
        )


def manifest_lines(data: bytes, *, purpose: Purpose = Purpose.DATASET) -> list[str]:
    """Decode manifest bytes (UTF-8) into JSON Lines; raise the guide's file errors."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ManifestFileError(
            ErrorCode.ERROR_MANIFEST_INACCESSIBLE_OR_UNSUPPORTED_FORMAT,
            context=f"manifest is not UTF-8 text (byte {error.start})",
        ) from error
    lines = split_lines(text)
    if not lines:
        code = (
            ErrorCode.ERROR_EMPTY_MANIFEST
            if purpose is Purpose.TRAINING
            else ErrorCode.ERROR_MANIFEST_INACCESSIBLE_OR_UNSUPPORTED_FORMAT
        )
        raise ManifestFileError(code, context="manifest has no JSON Lines; it needs one line per image")
    return lines


def read_manifest(
    uri: str,
    *,
    stat: StatFn,
    read_range: ReadRangeFn,
    purpose: Purpose = Purpose.DATASET,
    max_bytes: int = quotas.MAX_MANIFEST_BYTES,
) -> list[str]:
    """Read a manifest through a storage edge and return its JSON Lines.

    Args:
        uri: ``s3://bucket/key`` of the manifest.
        stat, read_range: the storage edge (e.g. :class:`~.image_sources.S3ImageSource`).
        purpose: decides how an empty manifest is reported.

    Raises:
        ManifestFileError: name without extension, not found (both
            ``ERROR_MANIFEST_INACCESSIBLE_OR_UNSUPPORTED_FORMAT``), access denied
            (``ERROR_INVALID_PERMISSIONS_MANIFEST_S3_BUCKET``), too large, not UTF-8, empty.
    """
    check_manifest_name(uri)
    try:
        size = stat(uri).size
        check_manifest_size(size, max_bytes)
        data = read_range(uri, 0, size) if size else b""
    except ObjectNotFoundError as error:
        raise ManifestFileError(
            ErrorCode.ERROR_MANIFEST_INACCESSIBLE_OR_UNSUPPORTED_FORMAT, context=f"{uri} was not found"
        ) from error
    except ObjectAccessDeniedError as error:
        raise ManifestFileError(
            ErrorCode.ERROR_INVALID_PERMISSIONS_MANIFEST_S3_BUCKET, context=f"{uri} cannot be read"
        ) from error
    return manifest_lines(data, purpose=purpose)
