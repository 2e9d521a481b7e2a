"""An in-memory stand-in for the few S3 calls the metadata store makes, with S3's conditional
write semantics (412 PreconditionFailed, 404 NoSuchKey), so unit tests need no AWS."""

from __future__ import annotations

import hashlib
import io
import threading
from collections.abc import Iterator
from typing import Any

from botocore.exceptions import ClientError


def _error(code: str, status: int, operation: str) -> ClientError:
    response: Any = {"Error": {"Code": code, "Message": code}, "ResponseMetadata": {"HTTPStatusCode": status}}
    return ClientError(response, operation)


class FakeS3:
    """One bucket's objects in a dict; ``refuse_next_puts`` makes conditional puts lose races."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.refuse_next_puts = 0
        self.calls: list[str] = []
        self._lock = threading.Lock()

    @staticmethod
    def etag(body: bytes) -> str:
        return '"' + hashlib.md5(body).hexdigest() + '"'

    def put_object(
        self,
        *,
        Bucket: str,
        Key: str,
        Body: bytes,
        IfNoneMatch: str | None = None,
        IfMatch: str | None = None,
        **_: Any,
    ) -> dict[str, Any]:
        with self._lock:
            self.calls.append("PutObject")
            current = self.objects.get(Key)
            if IfMatch is not None and self.refuse_next_puts:
                self.refuse_next_puts -= 1
                raise _error("PreconditionFailed", 412, "PutObject")
            if IfNoneMatch == "*" and current is not None:
                raise _error("PreconditionFailed", 412, "PutObject")
            if IfMatch is not None:
                if current is None:
                    raise _error("NoSuchKey", 404, "PutObject")
                if self.etag(current) != IfMatch:
                    raise _error("PreconditionFailed", 412, "PutObject")
            self.objects[Key] = Body
            return {"ETag": self.etag(Body)}

    def get_object(self, *, Bucket: str, Key: str) -> dict[str, Any]:
        with self._lock:
            self.calls.append("GetObject")
            if Key not in self.objects:
                raise _error("NoSuchKey", 404, "GetObject")
            body = self.objects[Key]
            return {"Body": io.BytesIO(body), "ETag": self.etag(body)}

    def delete_object(self, *, Bucket: str, Key: str) -> dict[str, Any]:
        with self._lock:
            self.calls.append("DeleteObject")
            self.objects.pop(Key, None)
            return {}

    def delete_objects(self, *, Bucket: str, Delete: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            for item in Delete["Objects"]:
                self.objects.pop(item["Key"], None)
            return {}

    def list_objects_v2(
        self, *, Bucket: str, Prefix: str = "", MaxKeys: int = 1000, StartAfter: str = "", **_: Any
    ) -> dict[str, Any]:
        with self._lock:
            self.calls.append("ListObjectsV2")
            keys = sorted(key for key in self.objects if key.startswith(Prefix) and key > StartAfter)
            page = keys[:MaxKeys]
            contents = [{"Key": key, "ETag": self.etag(self.objects[key])} for key in page]
            return {"Contents": contents, "IsTruncated": len(keys) > MaxKeys}

    def get_paginator(self, name: str) -> _Paginator:
        assert name == "list_objects_v2"
        return _Paginator(self)


class _Paginator:
    def __init__(self, s3: FakeS3) -> None:
        self._s3 = s3

    def paginate(self, *, Bucket: str, Prefix: str) -> Iterator[dict[str, Any]]:
        yield self._s3.list_objects_v2(Bucket=Bucket, Prefix=Prefix, MaxKeys=10**9)
