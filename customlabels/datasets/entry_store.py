"""Where dataset entries live: immutable revision objects in the data bucket.

Layout (bucket keys; the metadata store's ``_meta/`` prefix keeps them out of the user's way)::

    _meta/datasets/<project>/<train|test>/<created_ms>/revisions/<operation>.jsonl       entries
    _meta/datasets/<project>/<train|test>/<created_ms>/revisions/<operation>.index.json  their index
    _meta/datasets/<project>/<train|test>/<created_ms>/changes/<operation>.jsonl         an update's lines

A revision is written once, under the id of the operation that made it, and never changed; the
dataset record's ``entries_key`` says which one is current (see
:class:`~customlabels.resources.records.Dataset`). Hence:

* a failed or abandoned operation leaves the current revision untouched (its own objects are
  deleted, or at worst orphaned under the dataset's prefix until the dataset is deleted);
* a retried step rewrites the same key with the same content, so steps are idempotent;
* a revision's index can be cached by key in each process: a key never names other bytes.

boto3 stays at this edge; the client is passed in.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from botocore.exceptions import ClientError

from customlabels.datasets.revision import Revision, RevisionIndex, body_lines
from customlabels.resources.records import Dataset

DATASETS_PREFIX = "_meta/datasets/"
_ENTRIES_SUFFIX = ".jsonl"
_INDEX_SUFFIX = ".index.json"
_MISSING = frozenset({"NoSuchKey", "404", "NotFound"})


class RevisionMissing(Exception):
    """The revision object is gone (deleted after a newer revision replaced it)."""


class EntryStore:
    """Revisions and change sets of datasets as objects in ``bucket``."""

    def __init__(self, s3: Any, bucket: str, *, cached_indexes: int = 32) -> None:
        self._s3 = s3
        self.bucket = bucket
        self._indexes: OrderedDict[str, RevisionIndex] = OrderedDict()
        self._cache_size = cached_indexes
        self._lock = threading.Lock()

    # Keys
    @staticmethod
    def dataset_prefix(dataset: Dataset) -> str:
        return f"{DATASETS_PREFIX}{dataset.project_name}/{dataset.dataset_type.lower()}/{dataset.created_ms}/"

    def revision_key(self, dataset: Dataset, operation_id: str) -> str:
        return f"{self.dataset_prefix(dataset)}revisions/{operation_id}{_ENTRIES_SUFFIX}"

    def changes_key(self, dataset: Dataset, operation_id: str) -> str:
        return f"{self.dataset_prefix(dataset)}changes/{operation_id}{_ENTRIES_SUFFIX}"

    @staticmethod
    def index_key(revision_key: str) -> str:
        return revision_key.removesuffix(_ENTRIES_SUFFIX) + _INDEX_SUFFIX

    # Revisions
    def write_revision(self, key: str, revision: Revision) -> None:
        """Store a revision's body and index (body first: an index never names missing lines)."""
        self._put(key, revision.body, "application/jsonl")
        self._put(self.index_key(key), revision.index.to_bytes(), "application/json")
        self._remember(key, revision.index)

    def copy_revision(self, source_key: str, key: str) -> None:
        """Copy a revision (CreateDataset from an existing dataset) without reading it here.

        Raises:
            RevisionMissing: the source revision was replaced and deleted meanwhile.
        """
        for suffix_of in (lambda k: k, self.index_key):
            try:
                self._s3.copy_object(
                    Bucket=self.bucket,
                    Key=suffix_of(key),
                    CopySource={"Bucket": self.bucket, "Key": suffix_of(source_key)},
                )
            except ClientError as error:
                if _code(error) in _MISSING:
                    raise RevisionMissing(source_key) from None
                raise

    def index(self, key: str | None) -> RevisionIndex:
        """The index of revision ``key`` (``None``: a dataset without entries), cached by key.

        Raises:
            RevisionMissing: no such revision.
        """
        if key is None:
            return RevisionIndex.empty()
        with self._lock:
            cached = self._indexes.get(key)
            if cached is not None:
                self._indexes.move_to_end(key)
                return cached
        index = RevisionIndex.from_bytes(self._get(self.index_key(key)))
        self._remember(key, index)
        return index

    def lines(self, key: str | None) -> list[str]:
        """Every JSON Line of revision ``key`` (``None``: none)."""
        return body_lines(self._get(key)) if key is not None else []

    def page_lines(self, key: str, index: RevisionIndex, numbers: list[int]) -> list[str]:
        """The lines ``numbers`` (ascending) of revision ``key``, with one ranged GET."""
        if not numbers:
            return []
        start, end = index.byte_range(numbers)
        data = self._get(key, byte_range=f"bytes={start}-{end - 1}")
        return index.slice_lines(data, start, numbers)

    def delete_revision(self, key: str) -> None:
        self._s3.delete_objects(
            Bucket=self.bucket,
            Delete={"Objects": [{"Key": key}, {"Key": self.index_key(key)}], "Quiet": True},
        )
        with self._lock:
            self._indexes.pop(key, None)

    # Change sets (UpdateDatasetEntries)
    def write_changes(self, key: str, ground_truth: bytes) -> None:
        """Store ``Changes.GroundTruth`` as received (the pipeline decodes and checks it)."""
        self._put(key, ground_truth, "application/jsonl")

    def read_changes(self, key: str) -> bytes:
        return self._get(key)

    def delete_object(self, key: str) -> None:
        self._s3.delete_object(Bucket=self.bucket, Key=key)

    # Datasets
    def delete_dataset(self, dataset: Dataset) -> int:
        """Delete every object of ``dataset`` (revisions, indexes, change sets); returns how many."""
        deleted = 0
        paginator = self._s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.dataset_prefix(dataset)):
            objects = [{"Key": item["Key"]} for item in page.get("Contents", [])]
            if objects:
                self._s3.delete_objects(Bucket=self.bucket, Delete={"Objects": objects, "Quiet": True})
                deleted += len(objects)
        return deleted

    # S3
    def _put(self, key: str, data: bytes, content_type: str) -> None:
        self._s3.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)

    def _get(self, key: str, *, byte_range: str | None = None) -> bytes:
        try:
            if byte_range is None:
                reply = self._s3.get_object(Bucket=self.bucket, Key=key)
            else:
                reply = self._s3.get_object(Bucket=self.bucket, Key=key, Range=byte_range)
        except ClientError as error:
            if _code(error) in _MISSING:
                raise RevisionMissing(key) from None
            raise
        data: bytes = reply["Body"].read()
        return data

    def _remember(self, key: str, index: RevisionIndex) -> None:
        with self._lock:
            self._indexes[key] = index
            self._indexes.move_to_end(key)
            while len(self._indexes) > self._cache_size:
                self._indexes.popitem(last=False)


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
