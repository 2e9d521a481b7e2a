"""The conditional-write store on a real S3: creates, stale replaces, and races really lost."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from customlabels.pagination import KEY_DOCUMENT, load_or_create_key
from customlabels.store import DocumentExists, DocumentNotFound, MetadataStore, StaleDocument, WriteConflict

from .conftest import Bucket


def increment(doc: dict[str, Any]) -> dict[str, Any]:
    return {"n": doc["n"] + 1}


def test_create_refuses_an_existing_document(store: MetadataStore) -> None:
    store.create("a.json", {"n": 1})
    with pytest.raises(DocumentExists):
        store.create("a.json", {"n": 2})
    found = store.get("a.json")
    assert found is not None and found.body == {"n": 1}


def test_replace_refuses_a_stale_etag(store: MetadataStore) -> None:
    etag = store.create("a.json", {"n": 1})
    store.replace("a.json", {"n": 2}, etag)
    with pytest.raises(StaleDocument):
        store.replace("a.json", {"n": 3}, etag)
    with pytest.raises(DocumentNotFound):
        store.replace("missing.json", {}, etag)


def test_update_reapplies_the_change_after_losing_a_race(
    store: MetadataStore, rival: MetadataStore, s3_calls: list[str]
) -> None:
    store.create("a.json", {"n": 1})
    seen: list[int] = []

    def increment_after_a_rival(doc: dict[str, Any]) -> dict[str, Any]:
        seen.append(doc["n"])
        if len(seen) <= 3:
            rival.update("a.json", increment)  # gets in between our read and our write
        return increment(doc)

    s3_calls.clear()
    assert store.update("a.json", increment_after_a_rival) == {"n": 5}
    assert seen == [1, 2, 3, 4]  # every attempt re-read the document the rival had just written
    assert s3_calls.count("PutObject") == 4  # three refused with 412, then ours
    found = rival.get("a.json")
    assert found is not None and found.body == {"n": 5}


def test_update_reports_a_conflict_after_bounded_attempts(
    s3: Any, bucket: Bucket, rival: MetadataStore, s3_calls: list[str]
) -> None:
    store = MetadataStore(s3, bucket.name, max_attempts=3, sleep=lambda _: None)
    store.create("a.json", {"n": 1})

    def lose_every_race(doc: dict[str, Any]) -> dict[str, Any]:
        rival.update("a.json", increment)
        return doc

    s3_calls.clear()
    with pytest.raises(WriteConflict):
        store.update("a.json", lose_every_race)
    assert s3_calls.count("PutObject") == 3
    found = rival.get("a.json")
    assert found is not None and found.body == {"n": 4}  # the rival's three writes, none of ours


def test_update_of_a_missing_document_and_aborted_changes(store: MetadataStore, s3_calls: list[str]) -> None:
    with pytest.raises(DocumentNotFound):
        store.update("missing.json", lambda doc: doc)
    store.create("a.json", {"n": 1})
    puts = s3_calls.count("PutObject")

    def refuse(doc: dict[str, Any]) -> dict[str, Any]:
        raise ValueError("no")

    with pytest.raises(ValueError):
        store.update("a.json", refuse)
    assert s3_calls.count("PutObject") == puts


def test_concurrent_updates_lose_nothing(store: MetadataStore) -> None:
    store.create("counter.json", {"ids": []})

    def add(worker: int) -> None:
        store.update("counter.json", lambda doc: {"ids": [*doc["ids"], worker]})

    threads = [threading.Thread(target=add, args=(index,)) for index in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    found = store.get("counter.json")
    assert found is not None and sorted(found.body["ids"]) == list(range(20))


def test_documents_live_under_the_prefix(store: MetadataStore, bucket: Bucket) -> None:
    store.create("x/y.json", {})
    assert bucket.object_keys() == ["_meta/x/y.json"]
    with pytest.raises(ValueError):
        store.delete_objects_under("_meta/")


# The pagination key: a raw document created once
def test_the_key_is_created_once_and_shared(store: MetadataStore) -> None:
    first = load_or_create_key(store)
    assert len(first) == 32
    assert load_or_create_key(store) == first
    assert store.read_bytes(KEY_DOCUMENT) == first


def test_a_lost_key_race_reads_the_winners_key(store: MetadataStore, rival: MetadataStore) -> None:
    class Racing:
        def read_bytes(self, key: str) -> bytes | None:
            return store.read_bytes(key)

        def create_bytes(self, key: str, data: bytes) -> bool:
            rival.create_bytes(key, b"w" * 32)  # another instance got there first
            return store.create_bytes(key, data)

    assert load_or_create_key(Racing()) == b"w" * 32
