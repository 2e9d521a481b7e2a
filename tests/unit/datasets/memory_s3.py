"""An in-memory S3 bucket with the calls the metadata store and the dataset entry store make:
conditional puts (412), ranged GETs, HEAD, copies, listings and deletes, so the dataset logic is
tested without AWS. Objects live in one dict; the bucket name is not checked."""

from __future__ import annotations

import hashlib
import io
import re
import threading
from collections.abc import Iterator
from typing import Any

from botocore.exceptions import ClientError


def _error(code: str, status: int, operation: str) -> ClientError:
    response: Any = {"Error": {"Code": code, "Message": code}, "ResponseMetadata": {"HTTPStatusCode": status}}
    return ClientError(response, operation)


class MemoryS3:
    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self._etags: dict[str, str] = {}  # computed once per put, as S3 stores them
        self.calls: list[str] = []
        self.denied_keys: set[str] = set()
        self._lock = threading.Lock()

    @staticmethod
    def etag(body: bytes) -> str:
        return '"' + hashlib.md5(body).hexdigest() + '"'

    def _body(self, key: str, operation: str) -> bytes:
        if key in self.denied_keys:
            raise _error("AccessDenied", 403, operation)
        if key not in self.objects:
            raise _error("NoSuchKey" if operation != "HeadObject" else "404", 404, operation)
        return self.objects[key]

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
            if IfNoneMatch == "*" and current is not None:
                raise _error("PreconditionFailed", 412, "PutObject")
            if IfMatch is not None:
                if current is None:
                    raise _error("NoSuchKey", 404, "PutObject")
                if self._etags[Key] != IfMatch:
                    raise _error("PreconditionFailed", 412, "PutObject")
            self._store(Key, bytes(Body))
            return {"ETag": self._etags[Key]}

    def get_object(self, *, Bucket: str, Key: str, Range: str | None = None, **_: Any) -> dict[str, Any]:
        with self._lock:
            self.calls.append("GetObject" if Range is None else "GetObject(range)")
            body = self._body(Key, "GetObject")
            if Range is not None:
                start, end = map(int, re.fullmatch(r"bytes=(\d+)-(\d+)", Range).groups())  # type: ignore[union-attr]
                body = body[start : end + 1]
            return {
                "Body": io.BytesIO(body),
                "ETag": self._etags[Key],
                "ContentLength": len(body),
            }

    def head_object(self, *, Bucket: str, Key: str, **_: Any) -> dict[str, Any]:
        with self._lock:
            self.calls.append("HeadObject")
            body = self._body(Key, "HeadObject")
            return {"ContentLength": len(body), "ETag": self._etags[Key]}

    def copy_object(self, *, Bucket: str, Key: str, CopySource: dict[str, str], **_: Any) -> dict[str, Any]:
        with self._lock:
            self.calls.append("CopyObject")
            self._store(Key, self._body(CopySource["Key"], "CopyObject"))
            return {}

    def delete_object(self, *, Bucket: str, Key: str) -> dict[str, Any]:
        with self._lock:
            self.calls.append("DeleteObject")
            self.objects.pop(Key, None)
            return {}

    def delete_objects(self, *, Bucket: str, Delete: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.calls.append("DeleteObjects")
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
            contents = [{"Key": key, "ETag": self._etags[key]} for key in page]
            return {"Contents": contents, "IsTruncated": len(keys) > MaxKeys}

    def get_paginator(self, name: str) -> _Paginator:
        assert name == "list_objects_v2"
        return _Paginator(self)

    def _store(self, key: str, body: bytes) -> None:
        self.objects[key] = body
        self._etags[key] = self.etag(body)

    def keys(self, prefix: str = "") -> list[str]:
        return sorted(key for key in self.objects if key.startswith(prefix))


class _Paginator:
    def __init__(self, s3: MemoryS3) -> None:
        self._s3 = s3

    def paginate(self, *, Bucket: str, Prefix: str) -> Iterator[dict[str, Any]]:
        yield self._s3.list_objects_v2(Bucket=Bucket, Prefix=Prefix, MaxKeys=10**9)
