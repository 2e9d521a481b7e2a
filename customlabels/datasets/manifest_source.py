"""Reading a manifest file from S3 for the dataset pipeline's first step."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from typing import Any

from botocore.exceptions import ClientError


class ManifestFileError(Exception):
    """A terminal manifest *file* error: the dataset fails with the guide's message."""

    code = "ERROR_MANIFEST_INACCESSIBLE_OR_UNSUPPORTED_FORMAT"
    message = "The manifest file extension or contents are invalid."

    def __init__(self) -> None:
        super().__init__(self.message)


class ManifestInaccessible(ManifestFileError):
    """guide L5732-5740: a missing bucket or key, or an unreadable file."""


class ManifestEmpty(ManifestFileError):
    """guide L5742-5744."""

    code = "ERROR_EMPTY_MANIFEST"
    message = "The manifest file is empty."


@dataclass(frozen=True)
class ManifestInfo:
    bucket: str
    key: str
    size: int
    lines: int
    sha256: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def inspect_manifest(s3: Any, bucket: str, key: str) -> ManifestInfo:
    """Fetch a manifest and describe it (size, JSON line count, hash for reproducibility).

    Raises ManifestFileError with the guide's terminal file errors.
    """
    try:
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    except ClientError as error:
        raise ManifestInaccessible() from error
    lines = sum(1 for line in body.splitlines() if line.strip())
    if lines == 0:
        raise ManifestEmpty()
    return ManifestInfo(bucket, key, len(body), lines, hashlib.sha256(body).hexdigest())
