"""The S3 edge of the samples: local files into the data bucket, keys kept as the manifests name them.

The S3 client is passed in; nothing else here talks to AWS.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from customlabels.samples.sample import WrittenSample

UPLOAD_THREADS = 8


def split_s3_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/key`` -> ``(bucket, key)``.

    Raises:
        ValueError: not an ``s3://bucket/...`` URI.
    """
    if not uri.startswith("s3://") or not uri[5:].partition("/")[0]:
        raise ValueError(f"expected s3://bucket/key, got {uri!r}")
    bucket, _, key = uri[5:].partition("/")
    return bucket, key


def upload_files(
    s3: Any,
    files: Sequence[tuple[Path, str]],
    *,
    on_progress: Callable[[int, int], None] | None = None,
) -> list[str]:
    """Upload each ``(path, s3_uri)`` (PNG as ``image/png``); returns the URIs in order.

    ``on_progress(done, total)`` is called after each file.
    """
    done = 0

    def upload(item: tuple[Path, str]) -> str:
        path, uri = item
        bucket, key = split_s3_uri(uri)
        extra = {"ContentType": "image/png"} if path.suffix.lower() == ".png" else {}
        s3.upload_file(str(path), bucket, key, ExtraArgs=extra)
        return uri

    uploaded = []
    with ThreadPoolExecutor(max_workers=UPLOAD_THREADS) as pool:
        for uri in pool.map(upload, files):
            uploaded.append(uri)
            done += 1
            if on_progress is not None:
                on_progress(done, len(files))
    return uploaded


def upload_sample(
    s3: Any, written: WrittenSample, *, on_progress: Callable[[int, int], None] | None = None
) -> list[str]:
    """Upload every file of a written sample under its ``base_uri`` (images and manifests)."""
    return upload_files(s3, [(path, written.uri(path)) for path in written.files()], on_progress=on_progress)
