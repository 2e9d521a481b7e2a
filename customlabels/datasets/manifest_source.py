"""Reading a CreateDataset manifest from S3, including the object version the request may name.

``GroundTruthManifest.S3Object`` has ``Bucket``, ``Name`` and an optional ``Version`` (botocore
``S3Object``); the manifest package's :func:`~customlabels.manifests.read_manifest` does the
guide's file checks through ``stat``/``read_range`` callables, which this edge provides for one
object version. S3's "missing" and "forbidden" answers become the package's
``ObjectNotFoundError``/``ObjectAccessDeniedError``, i.e. the guide's
``ERROR_MANIFEST_INACCESSIBLE_OR_UNSUPPORTED_FORMAT`` and
``ERROR_INVALID_PERMISSIONS_MANIFEST_S3_BUCKET``.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from customlabels.manifests import (
    ObjectAccessDeniedError,
    ObjectNotFoundError,
    ObjectStat,
    Purpose,
    read_manifest,
)

# A version id that does not parse is answered 400 InvalidArgument; it names no object either.
_NOT_FOUND = frozenset({"404", "NoSuchKey", "NotFound", "NoSuchBucket", "NoSuchVersion", "InvalidArgument"})
_DENIED = frozenset({"403", "AccessDenied", "AllAccessDisabled", "InvalidObjectState"})


def manifest_uri(location: dict[str, str]) -> str:
    """``s3://Bucket/Name`` of an ``S3Object``."""
    return f"s3://{location['Bucket']}/{location['Name']}"


class S3ManifestReader:
    """Reads manifests with a boto3 ``s3`` client."""

    def __init__(self, s3: Any) -> None:
        self._s3 = s3

    def read(self, location: dict[str, str], *, purpose: Purpose = Purpose.DATASET) -> list[str]:
        """The JSON Lines of the manifest at ``location`` (an ``S3Object``); ``purpose`` decides how
        an empty manifest is reported (training has its own message, guide L5742).

        Raises:
            ManifestFileError: the guide's terminal file errors (see ``read_manifest``).
        """
        version = {"VersionId": location["Version"]} if location.get("Version") else {}
        bucket, key = location["Bucket"], location["Name"]

        def stat(uri: str) -> ObjectStat:
            head = self._call(uri, self._s3.head_object, Bucket=bucket, Key=key, **version)
            return ObjectStat(int(head["ContentLength"]), head.get("ETag"))

        def read_range(uri: str, start: int, length: int) -> bytes:
            reply = self._call(
                uri,
                self._s3.get_object,
                Bucket=bucket,
                Key=key,
                Range=f"bytes={start}-{start + length - 1}",
                **version,
            )
            data: bytes = reply["Body"].read()
            return data

        return read_manifest(manifest_uri(location), stat=stat, read_range=read_range, purpose=purpose)

    @staticmethod
    def _call(uri: str, method: Any, **request: Any) -> Any:
        try:
            return method(**request)
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", ""))
            if code in _NOT_FOUND:
                raise ObjectNotFoundError(uri) from error
            if code in _DENIED:
                raise ObjectAccessDeniedError(uri) from error
            raise
