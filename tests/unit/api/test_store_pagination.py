"""The conditional-write store, the repository's index, and pagination tokens."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from customlabels.pagination import KEY_DOCUMENT, InvalidToken, PageTokens, load_or_create_key
from customlabels.resources.records import Project, ProjectVersion
from customlabels.resources.repository import CLAIM_GRACE_MS, Repository
from customlabels.resources.status import ProjectStatus, ProjectVersionStatus
from customlabels.store import DocumentExists, DocumentNotFound, MetadataStore, StaleDocument, WriteConflict

from .fake_s3 import FakeS3


# Store
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


def test_update_reapplies_the_change_after_losing_a_race(store: MetadataStore, fake_s3: FakeS3) -> None:
    store.create("a.json", {"n": 1})
    fake_s3.refuse_next_puts = 3
    seen: list[int] = []

    def increment(doc: dict[str, Any]) -> dict[str, Any]:
        seen.append(doc["n"])
        return {"n": doc["n"] + 1}

    assert store.update("a.json", increment) == {"n": 2}
    assert seen == [1, 1, 1, 1]


def test_update_reports_a_conflict_after_bounded_attempts(fake_s3: FakeS3) -> None:
    store = MetadataStore(fake_s3, "bucket", max_attempts=3, sleep=lambda _: None)
    store.create("a.json", {"n": 1})
    fake_s3.refuse_next_puts = 3
    with pytest.raises(WriteConflict):
        store.update("a.json", lambda doc: doc)


def test_update_of_a_missing_document_and_aborted_changes(store: MetadataStore, fake_s3: FakeS3) -> None:
    with pytest.raises(DocumentNotFound):
        store.update("missing.json", lambda doc: doc)
    store.create("a.json", {"n": 1})
    puts = fake_s3.calls.count("PutObject")

    def refuse(doc: dict[str, Any]) -> dict[str, Any]:
        raise ValueError("no")

    with pytest.raises(ValueError):
        store.update("a.json", refuse)
    assert fake_s3.calls.count("PutObject") == puts


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


def test_documents_live_under_the_prefix(store: MetadataStore, fake_s3: FakeS3) -> None:
    store.create("x/y.json", {})
    assert list(fake_s3.objects) == ["_meta/x/y.json"]
    with pytest.raises(ValueError):
        store.delete_objects_under("_meta/")


# Repository
def project(name: str, created_ms: int, feature: str = "CUSTOM_LABELS") -> Project:
    return Project("us-east-1", "123456789012", name, created_ms, ProjectStatus.CREATED, feature=feature)


def test_projects_are_listed_newest_first_one_page_at_a_time(repository: Repository, fake_s3: FakeS3) -> None:
    for index in range(7):
        repository.create_project(project(f"p{index}", 1000 + index))
    cold = Repository(MetadataStore(fake_s3, "bucket"))  # another process: nothing cached
    fake_s3.calls.clear()
    first = cold.list_projects(features={"CUSTOM_LABELS"}, after=None, limit=3)
    assert [item.name for item in first.items] == ["p6", "p5", "p4"]
    assert (fake_s3.calls.count("ListObjectsV2"), fake_s3.calls.count("GetObject")) == (1, 3)  # the page only
    second = cold.list_projects(features={"CUSTOM_LABELS"}, after=first.resume_after, limit=3)
    third = cold.list_projects(features={"CUSTOM_LABELS"}, after=second.resume_after, limit=3)
    assert [item.name for item in second.items + third.items] == ["p3", "p2", "p1", "p0"]
    assert third.resume_after is None


def test_a_warm_listing_reads_only_changed_documents(repository: Repository, fake_s3: FakeS3) -> None:
    for index in range(5):
        repository.create_project(project(f"p{index}", 1000 + index))
    fake_s3.calls.clear()
    assert len(repository.list_projects(features={"CUSTOM_LABELS"}, after=None, limit=10).items) == 5
    assert fake_s3.calls == ["ListObjectsV2"]  # everything this process wrote is cached by ETag
    other = Repository(MetadataStore(fake_s3, "bucket"))
    other.update_project(project("p2", 1002), lambda current: current.tags.update(changed="yes"))
    fake_s3.calls.clear()
    page = repository.list_projects(features={"CUSTOM_LABELS"}, after=None, limit=10)
    assert fake_s3.calls == ["ListObjectsV2", "GetObject"]  # only the document another process changed
    assert [item.tags for item in page.items if item.name == "p2"] == [{"changed": "yes"}]


def test_the_feature_filter_needs_no_reads(repository: Repository, fake_s3: FakeS3) -> None:
    repository.create_project(project("a", 1))
    repository.create_project(project("b", 2, "CONTENT_MODERATION"))
    cold = Repository(MetadataStore(fake_s3, "bucket"))
    fake_s3.calls.clear()
    page = cold.list_projects(features={"CONTENT_MODERATION"}, after=None, limit=10)
    assert [item.name for item in page.items] == ["b"]
    assert fake_s3.calls.count("GetObject") == 1


def test_an_arn_resolves_with_one_read(repository: Repository, fake_s3: FakeS3) -> None:
    repository.create_project(project("p", 5))
    fake_s3.calls.clear()
    found = repository.get_project_at("p", 5)
    assert found is not None and found.name == "p"
    assert fake_s3.calls == ["GetObject"]
    assert repository.get_project_at("p", 6) is None  # another incarnation of the name


def test_names_are_unique_and_a_duplicate_leaves_nothing(repository: Repository, fake_s3: FakeS3) -> None:
    repository.create_project(project("p", 1))
    with pytest.raises(DocumentExists):
        repository.create_project(project("p", 2))
    assert sum(key.startswith("_meta/catalog/") for key in fake_s3.objects) == 1
    found = repository.get_project("p")
    assert found is not None and found.created_ms == 1


def test_an_abandoned_claim_is_taken_over_after_the_grace_period(repository: Repository) -> None:
    # a creator that claimed the name and crashed before writing the project
    repository.store.create("projects/p/claim.json", {"created_ms": 1, "feature": "CUSTOM_LABELS"})
    with pytest.raises(DocumentExists):
        repository.create_project(project("p", 1 + CLAIM_GRACE_MS))  # it may still be writing
    repository.create_project(project("p", 2 + CLAIM_GRACE_MS))
    found = repository.get_project("p")
    assert found is not None and found.created_ms == 2 + CLAIM_GRACE_MS


def test_deleting_releases_the_name(repository: Repository) -> None:
    old = project("p", 1)
    repository.create_project(old)
    repository.delete_project(old)
    assert repository.get_project("p") is None
    repository.create_project(project("p", 2))
    assert [
        item.created_ms
        for item in repository.list_projects(features={"CUSTOM_LABELS"}, after=None, limit=5).items
    ] == [2]


def version(name: str, created_ms: int) -> ProjectVersion:
    return ProjectVersion(
        "us-east-1", "123456789012", "p", name, created_ms, ProjectVersionStatus.STOPPED, ""
    )


def test_versions_are_listed_newest_first(repository: Repository) -> None:
    for index, name in enumerate(["a", "b", "c"]):
        repository.create_version(version(name, 10 + index))
    assert [item.name for item in repository.all_versions("p")] == ["c", "b", "a"]
    assert [item.name for item in repository.get_versions("p", ["a", "zz", "c"])] == ["c", "a"]
    assert repository.has_versions("p") and not repository.has_versions("q")
    with pytest.raises(DocumentExists):
        repository.create_version(version("a", 20))
    repository.delete_version(version("a", 10))
    assert repository.get_version("p", "a") is None
    repository.create_version(version("a", 30))
    found = repository.get_version_at("p", "a", 30)
    assert found is not None and found.created_ms == 30


# Pagination tokens
def test_tokens_round_trip_within_their_scope() -> None:
    tokens = PageTokens(b"k" * 32)
    token = tokens.issue("DescribeProjects|a", {"after": "index/projects/1/p"})
    assert tokens.read("DescribeProjects|a", token) == {"after": "index/projects/1/p"}
    assert tokens.read("DescribeProjects|a", None) is None
    assert tokens.read("DescribeProjects|a", "") is None  # the samples send NextToken="" first (L12255)


@pytest.mark.parametrize(
    "forge",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: token.replace("v1.", "v2."),
        lambda token: "garbage",
        lambda token: "v1.e30.AAAA",
        lambda token: "v1.!!!.???",
        lambda token: "v1." + "é" * 10 + ".x",
    ],
)
def test_forged_tokens_are_refused(forge: Any) -> None:
    tokens = PageTokens(b"k" * 32)
    token = tokens.issue("scope", {"offset": 100})
    with pytest.raises(InvalidToken):
        tokens.read("scope", forge(token))


def test_tokens_do_not_move_between_listings_or_deployments() -> None:
    token = PageTokens(b"k" * 32).issue("DescribeProjectVersions|arn-1", {"offset": 1})
    with pytest.raises(InvalidToken):
        PageTokens(b"k" * 32).read("DescribeProjectVersions|arn-2", token)
    with pytest.raises(InvalidToken):
        PageTokens(b"j" * 32).read("DescribeProjectVersions|arn-1", token)


def test_the_key_is_created_once_and_shared(store: MetadataStore) -> None:
    first = load_or_create_key(store)
    assert len(first) == 32
    assert load_or_create_key(store) == first
    assert store.read_bytes(KEY_DOCUMENT) == first


def test_a_lost_key_race_reads_the_winners_key(store: MetadataStore) -> None:
    class Racing:
        def read_bytes(self, key: str) -> bytes | None:
            return store.read_bytes(key)

        def create_bytes(self, key: str, data: bytes) -> bool:
            store.create_bytes(key, b"w" * 32)  # another instance got there first
            return store.create_bytes(key, data)

    assert load_or_create_key(Racing()) == b"w" * 32
