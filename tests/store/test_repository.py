"""The repository's index on a real S3: names, listings and what each listing costs in S3 calls."""

from __future__ import annotations

from typing import Any

import pytest

from customlabels.resources.records import Project, ProjectVersion
from customlabels.resources.repository import CLAIM_GRACE_MS, Repository
from customlabels.resources.status import ProjectStatus, ProjectVersionStatus
from customlabels.store import DocumentExists, MetadataStore

from .conftest import Bucket


def project(name: str, created_ms: int, feature: str = "CUSTOM_LABELS") -> Project:
    return Project("us-east-1", "123456789012", name, created_ms, ProjectStatus.CREATED, feature=feature)


def version(name: str, created_ms: int) -> ProjectVersion:
    return ProjectVersion(
        "us-east-1", "123456789012", "p", name, created_ms, ProjectVersionStatus.STOPPED, ""
    )


# Projects
def test_projects_are_listed_newest_first_one_page_at_a_time(
    repository: Repository, s3: Any, bucket: Bucket, s3_calls: list[str]
) -> None:
    for index in range(7):
        repository.create_project(project(f"p{index}", 1000 + index))
    cold = Repository(MetadataStore(s3, bucket.name))  # another process: nothing cached
    s3_calls.clear()
    first = cold.list_projects(features={"CUSTOM_LABELS"}, after=None, limit=3)
    assert [item.name for item in first.items] == ["p6", "p5", "p4"]
    assert (s3_calls.count("ListObjectsV2"), s3_calls.count("GetObject")) == (1, 3)  # the page only
    second = cold.list_projects(features={"CUSTOM_LABELS"}, after=first.resume_after, limit=3)
    third = cold.list_projects(features={"CUSTOM_LABELS"}, after=second.resume_after, limit=3)
    assert [item.name for item in second.items + third.items] == ["p3", "p2", "p1", "p0"]
    assert third.resume_after is None


def test_a_warm_listing_reads_only_changed_documents(
    repository: Repository, s3: Any, bucket: Bucket, s3_calls: list[str]
) -> None:
    for index in range(5):
        repository.create_project(project(f"p{index}", 1000 + index))
    s3_calls.clear()
    assert len(repository.list_projects(features={"CUSTOM_LABELS"}, after=None, limit=10).items) == 5
    assert s3_calls == ["ListObjectsV2"]  # everything this process wrote is cached by ETag
    other = Repository(MetadataStore(s3, bucket.name))
    other.update_project(project("p2", 1002), lambda current: current.tags.update(changed="yes"))
    s3_calls.clear()
    page = repository.list_projects(features={"CUSTOM_LABELS"}, after=None, limit=10)
    assert s3_calls == ["ListObjectsV2", "GetObject"]  # only the document another process changed
    assert [item.tags for item in page.items if item.name == "p2"] == [{"changed": "yes"}]


def test_the_feature_filter_needs_no_reads(
    repository: Repository, s3: Any, bucket: Bucket, s3_calls: list[str]
) -> None:
    repository.create_project(project("a", 1))
    repository.create_project(project("b", 2, "CONTENT_MODERATION"))
    cold = Repository(MetadataStore(s3, bucket.name))
    s3_calls.clear()
    page = cold.list_projects(features={"CONTENT_MODERATION"}, after=None, limit=10)
    assert [item.name for item in page.items] == ["b"]
    assert s3_calls.count("GetObject") == 1


def test_an_arn_resolves_with_one_read(repository: Repository, s3_calls: list[str]) -> None:
    repository.create_project(project("p", 5))
    s3_calls.clear()
    found = repository.get_project_at("p", 5)
    assert found is not None and found.name == "p"
    assert s3_calls == ["GetObject"]
    assert repository.get_project_at("p", 6) is None  # another incarnation of the name


def test_names_are_unique_and_a_duplicate_leaves_nothing(repository: Repository, bucket: Bucket) -> None:
    repository.create_project(project("p", 1))
    with pytest.raises(DocumentExists):
        repository.create_project(project("p", 2))
    assert sum(key.startswith("_meta/catalog/") for key in bucket.object_keys()) == 1
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


# Versions
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
