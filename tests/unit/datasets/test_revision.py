"""A revision's body and index: what ListDatasetEntries and ListDatasetLabels read."""

from __future__ import annotations

import json

import pytest

from customlabels.datasets.revision import RevisionIndex, body_lines, build_revision
from customlabels.manifests import (
    EntryFilter,
    ManifestEntry,
    filter_entries,
    import_lines,
    list_dataset_labels,
    load_entries,
)
from customlabels.manifests import dataset_stats as manifest_stats
from tests.unit.manifests.builders import box, classification, detection, dumps

LINES = [
    dumps(classification("s3://bucket/a.png", "cat")),
    dumps(classification("s3://bucket/b.png", "dog", "cat")),
    dumps({"source-ref": "s3://bucket/unlabeled/c.png"}),
    dumps(
        detection("s3://bucket/d.png", [box(0, 10, 10, 20, 20), box(1, 600, 400, 100, 100)])
    ),  # 2nd off frame
    dumps(classification("s3://bucket/é-ü.png", "naïve")),
]


@pytest.fixture
def entries() -> list[ManifestEntry]:
    return import_lines(LINES).entries


def test_the_body_holds_the_dataset_lines_and_the_offsets_find_each_one(entries: list[ManifestEntry]) -> None:
    revision = build_revision(entries)
    lines = body_lines(revision.body)
    assert len(lines) == len(entries)
    assert all(json.loads(line)["cl-metadata"] for line in lines)
    index = revision.index
    for number, line in enumerate(lines):
        start, end = index.byte_range([number])
        assert revision.body[start:end].decode().rstrip("\n") == line
    start, end = index.byte_range([1, 2, 4])
    assert index.slice_lines(revision.body[start:end], start, [1, 2, 4]) == [lines[1], lines[2], lines[4]]


def test_the_index_survives_storage_and_agrees_with_the_manifest_semantics(
    entries: list[ManifestEntry],
) -> None:
    index = RevisionIndex.from_bytes(build_revision(entries).index.to_bytes())
    parsed = load_entries(body_lines(build_revision(entries).body))
    assert index.stats() == manifest_stats(parsed)
    assert index.label_stats == list_dataset_labels(parsed)
    assert index.source_refs() == {entry.source_ref for entry in parsed}
    for entry_filter in (
        EntryFilter(has_errors=True),
        EntryFilter(labeled=False),
        EntryFilter(labeled=True),
        EntryFilter(contains_labels=("cat",)),
        EntryFilter(contains_labels=("Echo Dot", "naïve")),
        EntryFilter(source_ref_contains="unlabeled/"),
    ):
        expected = [parsed.index(entry) for entry in filter_entries(parsed, entry_filter)]
        assert index.find(entry_filter, 0, 100) == (expected, None), entry_filter


def test_find_pages_through_matches(entries: list[ManifestEntry]) -> None:
    index = build_revision(entries).index
    labeled = EntryFilter(labeled=True)
    assert index.find(labeled, 0, 2) == ([0, 1], 3)
    assert index.find(labeled, 3, 2) == ([3, 4], None)
    assert index.find(EntryFilter(), 5, 2) == ([], None)


def test_stats_and_labels_of_the_example(entries: list[ManifestEntry]) -> None:
    index = build_revision(entries).index
    assert index.stats().to_api() == {
        "LabeledEntries": 4,
        "TotalEntries": 5,
        "TotalLabels": 5,
        "ErrorEntries": 1,
    }
    assert [label.to_api() for label in index.label_stats][:2] == [
        {"LabelName": "Echo", "LabelStats": {"EntryCount": 1, "BoundingBoxCount": 1}},
        {"LabelName": "Echo Dot", "LabelStats": {"EntryCount": 1, "BoundingBoxCount": 1}},
    ]


def test_an_empty_revision() -> None:
    revision = build_revision([])
    assert revision.body == b""
    assert RevisionIndex.from_bytes(revision.index.to_bytes()).stats().to_api()["TotalEntries"] == 0
    assert RevisionIndex.empty().find(EntryFilter(), 0, 10) == ([], None)


def test_an_index_of_another_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown dataset index format"):
        RevisionIndex.from_bytes(b'{"format": 99}')
    with pytest.raises(ValueError, match="0 rows needs 1 offsets"):
        RevisionIndex([], [0, 1, 2])
