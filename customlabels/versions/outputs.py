"""Writing and reading a training's objects, encrypted with the model's KMS key when it has one.

CreateProjectVersion's ``KmsKeyId`` encrypts the copied images and manifests, the model, and the
training results written to the OutputConfig location (botocore's CreateProjectVersion docs,
guide L4653-4656); without one, objects get the bucket's default encryption. Every write of a
training goes through :class:`TrainingObjects`, so none is written without the key.

S3's "missing" and "forbidden" answers (and a KMS key that cannot be used, which makes S3 refuse
the write) become the manifest package's :class:`ObjectNotFoundError` and
:class:`ObjectAccessDeniedError`, which the steps turn into the guide's errors, e.g. "Unable to write
to output S3 bucket." (L5772). boto3 stays at this edge; the client is passed in.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from customlabels.manifests import ObjectAccessDeniedError, ObjectNotFoundError

_NOT_FOUND = frozenset({"404", "NoSuchKey", "NotFound", "NoSuchBucket"})
_DENIED = frozenset(
    {"403", "AccessDenied", "AllAccessDisabled", "InvalidObjectState", "KMS.DisabledException"}
)


class TrainingObjects:
    """S3 reads and writes of one training (``kms_key_id``: the model's key, or None)."""

    def __init__(self, s3: Any, kms_key_id: str | None = None) -> None:
        self._s3 = s3
        self._encryption: dict[str, str] = (
            {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": kms_key_id} if kms_key_id else {}
        )

    @property
    def client(self) -> Any:
        return self._s3

    def put(self, bucket: str, key: str, body: bytes, content_type: str = "application/json") -> None:
        """Write an object.

        Raises:
            ObjectNotFoundError: the bucket does not exist (or no bucket was named).
            ObjectAccessDeniedError: S3 or the KMS key refused the write.
        """
        uri = f"s3://{bucket}/{key}"
        if not bucket:
            raise ObjectNotFoundError(uri)
        self._call(
            uri,
            self._s3.put_object,
            Bucket=bucket,
            Key=key,
            Body=body,
            ContentType=content_type,
            **self._encryption,
        )

    def upload(
        self, path: Path, bucket: str, key: str, content_type: str = "application/octet-stream"
    ) -> None:
        """Write a local file, encrypted like :meth:`put` (one request: models are tens of MB)."""
        self.put(bucket, key, path.read_bytes(), content_type)

    def copy(self, source_bucket: str, source_key: str, bucket: str, key: str) -> None:
        """Copy an object within S3 (no download), encrypted like :meth:`put`."""
        self._call(
            f"s3://{bucket}/{key}",
            self._s3.copy_object,
            Bucket=bucket,
            Key=key,
            CopySource={"Bucket": source_bucket, "Key": source_key},
            **self._encryption,
        )

    def read(self, bucket: str, key: str) -> bytes | None:
        """The object's bytes, or None when there is no such object."""
        try:
            data: bytes = self._call(f"s3://{bucket}/{key}", self._s3.get_object, Bucket=bucket, Key=key)[
                "Body"
            ].read()
        except ObjectNotFoundError:
            return None
        return data

    def download(self, bucket: str, key: str, path: Path) -> None:
        """Download an object to ``path`` (parent folders created)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._s3.download_file(bucket, key, str(path))
        except ClientError as error:
            raise _translated(error, f"s3://{bucket}/{key}") from error

    @staticmethod
    def _call(uri: str, method: Any, **request: Any) -> Any:
        try:
            return method(**request)
        except ClientError as error:
            raise _translated(error, uri) from error


def _translated(error: ClientError, uri: str) -> Exception:
    code = str(error.response.get("Error", {}).get("Code", ""))
    if code in _NOT_FOUND:
        return ObjectNotFoundError(uri)
    if code in _DENIED or code.startswith("KMS."):
        return ObjectAccessDeniedError(uri)
    return error
