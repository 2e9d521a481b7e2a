"""Metadata as JSON documents in the data bucket, written with S3 conditional requests.

Why S3 and not a database: one store, nothing else to run, identical on AWS and LocalStack.
Why conditional requests: several API Lambdas (and pipeline steps) write the same documents
concurrently. A document is created with ``If-None-Match: *`` (exactly one creator wins) and
replaced with ``If-Match: <etag>`` (a writer that read an older version is refused with 412, or
409 when two conditional writes race inside S3), so :meth:`MetadataStore.update` can run a
read-modify-write loop that never loses an update: on a refusal it re-reads and re-applies the
change, a bounded number of times with jittered backoff, and then reports :class:`WriteConflict`.

Listing is what must stay cheap (DescribeProjects pages through every project). ListObjectsV2
returns each object's ETag, so the store keeps the documents it has read or written in a
per-process cache keyed by ETag: :meth:`MetadataStore.get_listed` reads only the listed documents
whose ETag it has not seen, and a warm listing page costs one LIST. The ETag check makes the cache
exact (S3 listings are strongly consistent); it never answers a plain :meth:`MetadataStore.get`.

The store knows nothing about projects or versions; :mod:`customlabels.resources.repository`
decides the key layout. Keys passed in are relative to the store's prefix (``_meta/``). boto3
stays at the edge: the store is given an S3 client.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

Document = dict[str, Any]

_MISSING = {"NoSuchKey", "404", "NotFound"}
_REFUSED = {"PreconditionFailed", "ConditionalRequestConflict", "412", "409"}


class StoreError(Exception):
    """Base of the store's own errors; ``key`` is the document's key."""

    def __init__(self, key: str, detail: str = "") -> None:
        super().__init__(f"{key}: {detail}" if detail else key)
        self.key = key


class DocumentNotFound(StoreError):
    """The document does not exist."""


class DocumentExists(StoreError):
    """A create found the document already there."""


class StaleDocument(StoreError):
    """A conditional replace was refused: the document changed since it was read."""


class WriteConflict(StoreError):
    """An update kept losing races and gave up; the caller may retry later."""


@dataclass(frozen=True)
class Versioned:
    """A document and the ETag it was read with."""

    body: Document
    etag: str


@dataclass(frozen=True)
class KeyPage:
    """One page of a key listing: relative keys in lexicographic order, with their ETags."""

    keys: list[str]
    truncated: bool
    etags: dict[str, str]


class MetadataStore:
    """JSON documents under ``prefix`` of ``bucket``, created and replaced conditionally."""

    def __init__(
        self,
        s3: S3Client,
        bucket: str,
        prefix: str = "_meta/",
        *,
        max_attempts: int = 20,
        parallelism: int = 16,
        cache_size: int = 20_000,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._s3 = s3
        self.bucket = bucket
        self.prefix = prefix
        self._max_attempts = max_attempts
        self._sleep = sleep
        self._pool = ThreadPoolExecutor(max_workers=parallelism, thread_name_prefix="store")
        self._cache: OrderedDict[str, tuple[str, bytes]] = OrderedDict()
        self._cache_size = cache_size
        self._cache_lock = threading.Lock()

    # Reading
    def get(self, key: str) -> Versioned | None:
        """The document at ``key`` with its ETag, or ``None`` if there is none."""
        try:
            reply = self._s3.get_object(Bucket=self.bucket, Key=self.prefix + key)
        except ClientError as error:
            if _code(error) in _MISSING:
                return None
            raise
        data = reply["Body"].read()
        self._remember(key, reply["ETag"], data)
        return Versioned(json.loads(data), reply["ETag"])

    def get_many(self, keys: Sequence[str]) -> dict[str, Versioned]:
        """The documents that exist among ``keys``, read in parallel (missing ones left out)."""
        found = self._pool.map(self.get, keys)
        return {key: doc for key, doc in zip(keys, found, strict=True) if doc is not None}

    def get_listed(self, listed: Mapping[str, str]) -> dict[str, Versioned]:
        """The documents of a listing, ``{key: listed ETag}``: from the cache where the ETag
        matches, the rest read in parallel (documents deleted since the listing are left out)."""
        found: dict[str, Versioned] = {}
        missing: list[str] = []
        with self._cache_lock:
            for key, etag in listed.items():
                cached = self._cache.get(key)
                if cached is not None and cached[0] == etag:
                    self._cache.move_to_end(key)
                    found[key] = Versioned(json.loads(cached[1]), cached[0])
                else:
                    missing.append(key)
        found.update(self.get_many(missing))
        return found

    def list_keys(self, prefix: str, *, start_after: str | None = None, limit: int = 1000) -> KeyPage:
        """Up to ``limit`` (at most 1000) keys under ``prefix`` that sort after ``start_after``."""
        request: dict[str, Any] = {"Bucket": self.bucket, "Prefix": self.prefix + prefix, "MaxKeys": limit}
        if start_after:
            request["StartAfter"] = self.prefix + start_after
        reply = self._s3.list_objects_v2(**request)
        items = [
            (item["Key"][len(self.prefix) :], item.get("ETag", "")) for item in reply.get("Contents", [])
        ]
        return KeyPage([key for key, _ in items], bool(reply.get("IsTruncated")), dict(items))

    def exists_under(self, prefix: str) -> bool:
        """Whether any document lives under ``prefix``."""
        return bool(self.list_keys(prefix, limit=1).keys)

    # Writing
    def create(self, key: str, body: Document) -> str:
        """Write a new document; returns its ETag.

        Raises:
            DocumentExists: a document is already at ``key``.
        """
        data = _encode(body)
        try:
            reply = self._s3.put_object(
                Bucket=self.bucket,
                Key=self.prefix + key,
                Body=data,
                ContentType="application/json",
                IfNoneMatch="*",
            )
        except ClientError as error:
            if _code(error) in _REFUSED:
                raise DocumentExists(key) from None
            raise
        self._remember(key, reply["ETag"], data)
        return reply["ETag"]

    def replace(self, key: str, body: Document, etag: str) -> str:
        """Overwrite the document if it still has ``etag``; returns the new ETag.

        Raises:
            StaleDocument: the document changed (or a concurrent write is in flight).
            DocumentNotFound: the document was deleted.
        """
        data = _encode(body)
        try:
            reply = self._s3.put_object(
                Bucket=self.bucket,
                Key=self.prefix + key,
                Body=data,
                ContentType="application/json",
                IfMatch=etag,
            )
        except ClientError as error:
            if _code(error) in _REFUSED:
                raise StaleDocument(key) from None
            if _code(error) in _MISSING:
                raise DocumentNotFound(key) from None
            raise
        self._remember(key, reply["ETag"], data)
        return reply["ETag"]

    def update(self, key: str, change: Callable[[Document], Document]) -> Document:
        """Read-modify-write ``key`` with ``change`` until the write is not refused.

        ``change`` gets a fresh copy of the current document on every attempt and returns the
        new one; an exception it raises (e.g. an API error for a forbidden transition) aborts
        the update without writing.

        Raises:
            DocumentNotFound: there is no document at ``key``.
            WriteConflict: every attempt lost a race with another writer.
        """
        for attempt in range(self._max_attempts):
            current = self.get(key)
            if current is None:
                raise DocumentNotFound(key)
            updated = change(current.body)
            try:
                self.replace(key, updated, current.etag)
            except StaleDocument:
                self._sleep(random.uniform(0, min(0.5, 0.01 * 2**attempt)))
                continue
            return updated
        raise WriteConflict(key, f"gave up after {self._max_attempts} conflicting writes")

    def delete(self, key: str) -> None:
        """Remove the document at ``key`` (no error if it is already gone)."""
        self._s3.delete_object(Bucket=self.bucket, Key=self.prefix + key)
        with self._cache_lock:
            self._cache.pop(key, None)

    # Raw objects
    def read_bytes(self, key: str) -> bytes | None:
        """The raw bytes at ``key``, or ``None``."""
        try:
            return self._s3.get_object(Bucket=self.bucket, Key=self.prefix + key)["Body"].read()
        except ClientError as error:
            if _code(error) in _MISSING:
                return None
            raise

    def create_bytes(self, key: str, data: bytes) -> bool:
        """Write ``data`` at ``key`` only if nothing is there; whether this call wrote it."""
        try:
            self._s3.put_object(Bucket=self.bucket, Key=self.prefix + key, Body=data, IfNoneMatch="*")
        except ClientError as error:
            if _code(error) in _REFUSED:
                return False
            raise
        return True

    def delete_objects_under(self, bucket_prefix: str) -> int:
        """Delete every object under ``bucket_prefix`` (a bucket key prefix, not a document key).

        Used for data that belongs to a deleted resource, e.g. a model's artifacts. Returns
        how many objects were deleted.
        """
        if not bucket_prefix or bucket_prefix.startswith(self.prefix):
            raise ValueError(f"refusing to delete under {bucket_prefix!r}")
        deleted = 0
        paginator = self._s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=bucket_prefix):
            objects = [{"Key": item["Key"]} for item in page.get("Contents", [])]
            if objects:
                self._s3.delete_objects(Bucket=self.bucket, Delete={"Objects": objects, "Quiet": True})
                deleted += len(objects)
        return deleted

    def _remember(self, key: str, etag: str, data: bytes) -> None:
        with self._cache_lock:
            self._cache[key] = (etag, data)
            self._cache.move_to_end(key)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)


def _encode(body: Document) -> bytes:
    return json.dumps(body, separators=(",", ":"), sort_keys=True).encode("utf-8")


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
