"""Folder names as labels: manifest lines from S3 keys or from a local folder of images.

The guide's rules for "automatically attach labels to images based on the folder" (L2240-2326):
with ``P`` the chosen S3 prefix, only objects under ``P`` are imported (L2250); an object at
``P/<child>/.../<file>`` gets the label ``<child>``, the first folder under ``P``, however deep
the file sits (``echo-dot/white-echo-dot/x.png`` is labeled ``echo-dot``, L2248); objects
directly under ``P`` get no label. Only PNG and JPEG files are images (L2171).

Each labeled image becomes an image-level line in the CSV script's format (the label is the
attribute name, :func:`~.csv_manifest.classification_line`); an unlabeled image becomes a line
with only ``source-ref``, as a console upload does (L2335).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from .csv_manifest import CSV_DATE_FORMAT, classification_line

IMAGE_EXTENSIONS = frozenset({".png", ".jpg", ".jpeg"})


def is_image_name(name: str) -> bool:
    return PurePosixPath(name).suffix.lower() in IMAGE_EXTENSIONS


def folder_label(relative_path: str) -> str | None:
    """The label for a path relative to the chosen prefix: its first folder, or None."""
    parts = relative_path.split("/")
    return parts[0] if len(parts) >= 2 and parts[0] else None


def image_line(source_ref: str, label: str | None, creation_date: str) -> str:
    """One JSON Line for an image with at most one folder label."""
    return classification_line(source_ref, [label] if label else [], creation_date)


def s3_folder_manifest(
    bucket: str, prefix: str, keys: Iterable[str], *, creation_date: datetime
) -> list[str]:
    """Manifest lines for the images under ``s3://bucket/prefix``, labeled by folder.

    Args:
        bucket: the images' bucket.
        prefix: the S3 folder chosen at dataset creation (with or without a trailing ``/``;
            empty for the whole bucket).
        keys: object keys, e.g. from ``ListObjectsV2``; keys outside ``prefix``, folder
            markers and non-image files are skipped.
        creation_date: written as ``creation-date``.
    """
    base = prefix if not prefix or prefix.endswith("/") else prefix + "/"
    date = creation_date.strftime(CSV_DATE_FORMAT)
    lines = []
    for key in sorted(keys):
        if not key.startswith(base) or key.endswith("/") or not is_image_name(key):
            continue
        lines.append(image_line(f"s3://{bucket}/{key}", folder_label(key[len(base) :]), date))
    return lines


@dataclass(frozen=True, slots=True)
class LocalFolderManifest:
    """Manifest lines for a local folder, and the files to upload for them."""

    lines: list[str]
    uploads: list[tuple[Path, str]]  # (local file, s3:// destination)


def local_folder_manifest(
    root: str | os.PathLike[str], s3_prefix: str, *, creation_date: datetime
) -> LocalFolderManifest:
    """Manifest lines for the images in ``root`` (subfolder name = label), to upload to S3.

    Args:
        root: the local folder; its first-level subfolders name the labels.
        s3_prefix: ``s3://bucket/folder/`` where the images will be uploaded, keeping their
            paths relative to ``root``.
        creation_date: written as ``creation-date``.
    """
    if not s3_prefix.startswith("s3://"):
        raise ValueError(f"s3_prefix must be an s3://bucket/folder/ URI, got {s3_prefix!r}")
    base = s3_prefix if s3_prefix.endswith("/") else s3_prefix + "/"
    root_path = Path(root)
    date = creation_date.strftime(CSV_DATE_FORMAT)
    lines: list[str] = []
    uploads: list[tuple[Path, str]] = []
    for path in sorted(p for p in root_path.rglob("*") if p.is_file() and is_image_name(p.name)):
        relative = path.relative_to(root_path).as_posix()
        destination = base + relative
        lines.append(image_line(destination, folder_label(relative), date))
        uploads.append((path, destination))
    return LocalFolderManifest(lines, uploads)
