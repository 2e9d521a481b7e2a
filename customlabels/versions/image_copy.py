"""The images a training copies for its job, and the guide's error when none can be copied.

Training copies the source training and test images (guide L4653); the job downloads them next
to itself. Validation has already read every image's header, so a copy fails only when an image
changed or became unreadable since: that image is left out. A dataset none of whose images can be
copied stops the training with ``ERROR_FAILED_IMAGES_S3_COPY`` "Failed to copy images from S3
bucket." (L6062-6071), a terminal content error that the manifest summary lists for that dataset.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from customlabels.manifests import ObjectAccessDeniedError, ObjectNotFoundError, images_copy_error
from customlabels.manifests.codes import ErrorDetail
from customlabels.manifests.image_sources import split_s3_uri
from customlabels.training.entries import TrainingEntry
from customlabels.versions.outputs import TrainingObjects

logger = logging.getLogger(__name__)
COPY_WORKERS = 16


@dataclass(frozen=True)
class CopiedImages:
    """The entries whose image is on local disk now, and the ``source-ref`` of those left out."""

    entries: list[TrainingEntry]
    failed: list[str]

    def error(self) -> ErrorDetail | None:
        """``ERROR_FAILED_IMAGES_S3_COPY`` when not one image of the dataset was copied."""
        return images_copy_error(len(self.entries), len(self.entries) + len(self.failed))


def local_path(root: Path, source_ref: str) -> str:
    """Where the image ``s3://bucket/key`` is kept under ``root`` (``root/bucket/key``)."""
    bucket, key = split_s3_uri(source_ref)
    return str(root / bucket / key)


def copy_images(
    objects: TrainingObjects, entries: Sequence[TrainingEntry], *, workers: int = COPY_WORKERS
) -> CopiedImages:
    """Download each entry's image (``reference``) to its ``image_path``, in parallel.

    An image shared by several entries is downloaded once. Errors other than "missing" or
    "forbidden" (e.g. throttling that outlasted the client's retries) are service errors and raise.
    """
    targets = {entry.reference: Path(entry.image_path) for entry in entries}

    def fetch(item: tuple[str, Path]) -> str | None:
        reference, path = item
        if path.exists():
            return None
        bucket, key = split_s3_uri(reference)
        try:
            objects.download(bucket, key, path)
        except (ObjectNotFoundError, ObjectAccessDeniedError):
            return reference
        return None

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="copy") as pool:
        failed = {reference for reference in pool.map(fetch, targets.items()) if reference}
    if failed:
        logger.warning("%d images could not be copied and are left out: %s", len(failed), sorted(failed)[:10])
    kept = [entry for entry in entries if entry.reference not in failed]
    return CopiedImages(kept, sorted(failed))


def summary_with_error(summary: dict[str, Any], error: ErrorDetail, dataset: str) -> dict[str, Any]:
    """The manifest summary with one more terminal content error for ``dataset``
    (``"training"``/``"testing"``), as the guide lists them (L5264-5269)."""
    statistics = summary.setdefault("statistics", {}).setdefault(dataset, {})
    errors = statistics.setdefault("errors", [])
    if error.to_json() not in errors:
        errors.append(error.to_json())
    return summary
