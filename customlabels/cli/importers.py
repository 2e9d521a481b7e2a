"""Building a dataset's manifest from images: S3 folders, or a local folder uploaded to S3.

The SDK cannot create a dataset straight from images (L2244, L2339): the console does that, and so
does this CLI, the way the guide tells SDK users to: write a manifest, put it in S3, then call
CreateDataset. Folder names become labels (:mod:`customlabels.manifests.folders`, L2240-2326).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from customlabels.cli.output import CliError
from customlabels.manifests import local_folder_manifest, s3_folder_manifest

MANIFESTS_PREFIX = "customlabels-manifests/"
UPLOAD_THREADS = 8


def parse_s3_uri(uri: str, *, folder: bool = False) -> tuple[str, str]:
    """``s3://bucket/key`` -> ``(bucket, key)``; a folder's key ends in ``/`` (or is empty).

    Raises:
        CliError: ``InvalidS3Uri``.
    """
    if not uri.startswith("s3://") or not uri[5:].partition("/")[0]:
        raise CliError("InvalidS3Uri", f"expected s3://bucket/{'prefix/' if folder else 'key'}, got {uri!r}")
    bucket, _, key = uri[5:].partition("/")
    if folder:
        return bucket, key if not key or key.endswith("/") else key + "/"
    if not key:
        raise CliError("InvalidS3Uri", f"expected s3://bucket/key with a key, got {uri!r}")
    return bucket, key


def manifest_key(project_name: str, dataset_type: str, now: datetime) -> str:
    """Where the CLI puts a manifest it builds (outside the image folders)."""
    return f"{MANIFESTS_PREFIX}{project_name}/{dataset_type.lower()}-{now:%Y%m%dT%H%M%S}.manifest"


def s3_folder_lines(s3: Any, folder_uri: str, now: datetime) -> list[str]:
    """Manifest lines for the images under an S3 folder, labeled by their first subfolder.

    Raises:
        CliError: ``NoImages`` when the folder holds no PNG or JPEG image.
    """
    bucket, prefix = parse_s3_uri(folder_uri, folder=True)
    keys = [
        item["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        for item in page.get("Contents", [])
    ]
    lines = s3_folder_manifest(bucket, prefix, keys, creation_date=now)
    if not lines:
        raise CliError("NoImages", f"no PNG or JPEG images under {folder_uri}")
    return lines


def upload_local_folder(
    s3: Any, root: str, bucket: str, prefix: str, now: datetime, note: Callable[[str], None]
) -> list[str]:
    """Upload the images of ``root`` to ``s3://bucket/prefix`` (keeping their paths) and return
    their manifest lines, labeled by their first subfolder.

    Raises:
        CliError: ``NotADirectory`` or ``NoImages``.
    """
    if not os.path.isdir(root):
        raise CliError("NotADirectory", f"{root} is not a folder")
    base = prefix if not prefix or prefix.endswith("/") else prefix + "/"
    built = local_folder_manifest(root, f"s3://{bucket}/{base}", creation_date=now)
    if not built.lines:
        raise CliError("NoImages", f"no PNG or JPEG images under {root}")

    def upload(item: tuple[Any, str]) -> None:
        path, uri = item
        target_bucket, key = parse_s3_uri(uri)
        s3.upload_file(str(path), target_bucket, key)

    with ThreadPoolExecutor(max_workers=UPLOAD_THREADS) as pool:
        for done, _ in enumerate(pool.map(upload, built.uploads), start=1):
            if done == len(built.uploads) or done % 25 == 0:
                note(f"uploaded {done}/{len(built.uploads)} images to s3://{bucket}/{base}")
    return built.lines


def upload_manifest(s3: Any, bucket: str, key: str, lines: list[str]) -> None:
    s3.put_object(Bucket=bucket, Key=key, Body=("\n".join(lines) + "\n").encode("utf-8"))
