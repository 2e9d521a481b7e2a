"""Storage edges for :class:`~customlabels.manifests.image_header.ImageInspector`.

Each source offers ``stat(uri)`` and ``read_range(uri, start, length)`` for ``s3://`` URIs
and turns its storage's "missing" and "forbidden" answers into
:class:`ObjectNotFoundError` / :class:`ObjectAccessDeniedError`. The S3 source takes the
boto3 client as an argument; nothing else in this package talks to AWS.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from .exceptions import ObjectAccessDeniedError, ObjectNotFoundError
from .image_header import ImageInspector, ObjectStat

_NOT_FOUND_CODES = frozenset({"404", "NoSuchKey", "NotFound", "NoSuchBucket"})
_DENIED_CODES = frozenset({"403", "AccessDenied", "AllAccessDisabled", "InvalidObjectState"})


def split_s3_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/key`` → ``(bucket, key)``; raises ValueError for anything else."""
    if not uri.startswith("s3://"):
        raise ValueError(f"expected an s3://bucket/key URI, got {uri!r}")
    bucket, _, key = uri[5:].partition("/")
    if not bucket or not key:
        raise ValueError(f"expected an s3://bucket/key URI with a bucket and a key, got {uri!r}")
    return bucket, key


class LocalImageSource:
    """Serves ``s3://bucket/key`` from ``root/bucket/key`` on the local disk (tests, CLI, bench)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def path_for(self, uri: str) -> Path:
        bucket, key = split_s3_uri(uri)
        return self.root / bucket / key

    def stat(self, uri: str) -> ObjectStat:
        try:
            result = os.stat(self.path_for(uri))
        except (FileNotFoundError, NotADirectoryError, ValueError) as error:
            raise ObjectNotFoundError(uri) from error
        except PermissionError as error:
            raise ObjectAccessDeniedError(uri) from error
        return ObjectStat(result.st_size, f"{result.st_mtime_ns:x}-{result.st_size:x}")

    def read_range(self, uri: str, start: int, length: int) -> bytes:
        try:
            with open(self.path_for(uri), "rb") as handle:
                handle.seek(start)
                return handle.read(length)
        except FileNotFoundError as error:
            raise ObjectNotFoundError(uri) from error
        except PermissionError as error:
            raise ObjectAccessDeniedError(uri) from error

    def inspector(self, **kwargs: Any) -> ImageInspector:
        return ImageInspector(self.stat, self.read_range, **kwargs)


class S3ImageSource:
    """Reads image headers from S3 with a boto3 ``s3`` client (HEAD, then ranged GET)."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def stat(self, uri: str) -> ObjectStat:
        bucket, key = split_s3_uri(uri)
        try:
            head = self._client.head_object(Bucket=bucket, Key=key)
        except ClientError as error:
            raise _translate(error, uri) from error
        return ObjectStat(int(head["ContentLength"]), head.get("ETag"))

    def read_range(self, uri: str, start: int, length: int) -> bytes:
        bucket, key = split_s3_uri(uri)
        try:
            response = self._client.get_object(
                Bucket=bucket, Key=key, Range=f"bytes={start}-{start + length - 1}"
            )
        except ClientError as error:
            raise _translate(error, uri) from error
        body: bytes = response["Body"].read()
        return body

    def inspector(self, **kwargs: Any) -> ImageInspector:
        return ImageInspector(self.stat, self.read_range, **kwargs)


def _translate(error: ClientError, uri: str) -> Exception:
    code = str(error.response.get("Error", {}).get("Code", ""))
    if code in _NOT_FOUND_CODES:
        return ObjectNotFoundError(uri)
    if code in _DENIED_CODES:
        return ObjectAccessDeniedError(uri)
    return error
