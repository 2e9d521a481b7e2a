"""DescribeDataset stats, ListDatasetEntries/Labels, UpdateDatasetEntries, DistributeDatasetEntries."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from customlabels.manifests import (
    EntryFilter,
    InvalidParameterError,
    LimitExceededError,
    ManifestEntry,
    ManifestFileError,
    Style,
    apply_changes,
    check_changes_request,
    dataset_stats,
    decode_changes,
    distribute_entries,
    entry_to_line,
    filter_entries,
    import_lines,
    list_dataset_labels,
    load_entries,
)
from customlabels.manifests.distribute import split_for_test

from .builders import DATA, box, classification, detection, dumps


def dataset() -> list[ManifestEntry]:
    lines = [
        dumps(classification("s3://bucket/a.png", "cat")),
        dumps(classification("s3://bucket/b.png", "cat", "dog")),
        dumps(detection("s3://bucket/c.png", class_map={"0": "cat", "1": "ball"})),
        dumps(detection("s3://bucket/d.png", [box(left=-1), box(1)])),  # one bad box
        '{"source-ref": "s3://bucket/folder/e.png"}',
        (DATA / "dataset_entry_unsupported_type.json").read_text().replace("\n", " "),
    ]
    stored = import_lines(lines).entry_lines()
    return load_entries(stored)


def sources(entries: list[ManifestEntry]) -> list[str]:
    return [entry.source_ref or "" for entry in entries]


def test_stored_entries_reload_with_their_errors() -> None:
    entries = dataset()
    assert [entry.has_errors for entry in entries] == [False, False, False, True, False, True]
    assert (
        entry_to_line(entries[3], Style.DATASET) == import_lines([entry_to_line(entries[3])]).entry_lines()[0]
    )


def test_dataset_stats() -> None:
    stats = dataset_stats(dataset(), declared_labels=["unused"])
    assert stats.to_api() == {"LabeledEntries": 5, "TotalEntries": 6, "TotalLabels": 6, "ErrorEntries": 2}


def test_list_dataset_labels_counts_images() -> None:
    described = [label.to_api() for label in list_dataset_labels(dataset(), declared_labels=["unused"])]
    assert described == [
        {"LabelName": "Echo", "LabelStats": {"EntryCount": 1, "BoundingBoxCount": 1}},
        {"LabelName": "Echo Dot", "LabelStats": {"EntryCount": 1, "BoundingBoxCount": 1}},
        {"LabelName": "ball", "LabelStats": {"EntryCount": 1, "BoundingBoxCount": 1}},
        {"LabelName": "cat", "LabelStats": {"EntryCount": 3, "BoundingBoxCount": 1}},
        {"LabelName": "dog", "LabelStats": {"EntryCount": 1, "BoundingBoxCount": 0}},
        {"LabelName": "unused", "LabelStats": {"EntryCount": 0, "BoundingBoxCount": 0}},
    ]


@pytest.mark.parametrize(
    ("entry_filter", "expected"),
    [
        (EntryFilter(), "abcdeT"),
        (EntryFilter(contains_labels=("dog", "ball")), "bc"),
        (EntryFilter(labeled=True), "abcdT"),
        (EntryFilter(labeled=False), "e"),
        (EntryFilter(source_ref_contains="folder/"), "e"),
        (EntryFilter(has_errors=True), "dT"),
        (EntryFilter(has_errors=False), "abcdeT"),  # the guide's sample passes False to list all
        (EntryFilter(contains_labels=("cat",), has_errors=True, labeled=True), ""),
    ],
)
def test_list_dataset_entries_filters(entry_filter: EntryFilter, expected: str) -> None:
    names = [ref.rsplit("/", 1)[1][0] for ref in sources(filter_entries(dataset(), entry_filter))]
    assert "".join(names).replace("t", "T") == expected


def test_filter_parameters_are_checked() -> None:
    with pytest.raises(InvalidParameterError, match="1-10 labels, got 11"):
        EntryFilter(contains_labels=tuple("abcdefghijk"))
    with pytest.raises(InvalidParameterError):
        EntryFilter(contains_labels=())
    with pytest.raises(InvalidParameterError, match="non-blank"):
        EntryFilter(source_ref_contains="  ")


def test_update_replaces_by_source_ref_and_appends_new_images() -> None:
    entries = dataset()
    changes = [
        dumps(classification("s3://bucket/b.png", "dog")),  # cat removed from b: labels follow the line
        dumps(classification("s3://bucket/new.png", "bird")),
    ]
    result = apply_changes(entries, changes)
    assert (result.added, result.replaced) == (1, 1)
    assert sources(result.entries)[-1] == "s3://bucket/new.png"
    assert result.entries[1].label_names() == {"dog"}
    assert len(result.entries) == len(entries) + 1


def test_update_with_a_guide_example() -> None:
    change = json.loads((DATA / "update_nested_metadata.json").read_text())
    result = apply_changes([], [json.dumps(change)])
    assert result.added == 1 and result.entries[0].label_names() == {
        "comparator",
        "pot_resistor",
        "ir_phototransistor",
        "ir_led",
    }


def test_update_quotas() -> None:
    entries = dataset()
    with pytest.raises(ManifestFileError) as rows:
        apply_changes(entries, [dumps(classification("s3://bucket/z.png", "cat"))], max_entries=6)
    assert rows.value.code == "ERROR_MANIFEST_ROWS_EXCEEDS_MAXIMUM"
    with pytest.raises(ManifestFileError) as labels:
        apply_changes(entries, [dumps(classification("s3://bucket/z.png", "new"))], max_labels=5)
    assert labels.value.code == "ERROR_MANIFEST_TOO_MANY_LABELS"
    with pytest.raises(ManifestFileError) as errors:
        apply_changes(entries, ["{broken"])
    assert errors.value.code == "ERROR_TOO_MANY_RECORDS_IN_ERROR"


def test_update_request_checks() -> None:
    existing = {"s3://bucket/a.png"}
    blob = "\n".join(dumps(classification(f"s3://bucket/{n}.png", "cat")) for n in "ab").encode()
    assert len(check_changes_request(blob, existing, max_entries=2)) == 2
    with pytest.raises(LimitExceededError) as limit:
        check_changes_request(
            blob + b"\n" + dumps(classification("s3://bucket/c.png")).encode(), existing, max_entries=2
        )
    assert limit.value.api_error == "LimitExceededException"
    crowded = dumps(classification("s3://bucket/a.png", *(f"L{i}" for i in range(51)))).encode()
    with pytest.raises(LimitExceededError, match="has 51 labels; at most 50"):
        check_changes_request(crowded, existing)
    with pytest.raises(InvalidParameterError, match="1-5242880 bytes, got 0") as empty:
        decode_changes(b"")
    assert empty.value.api_error == "InvalidParameterException"
    with pytest.raises(InvalidParameterError, match="got 5242881"):
        decode_changes(b"x" * 5_242_881)
    with pytest.raises(InvalidParameterError, match="UTF-8"):
        decode_changes(b"\xff")
    with pytest.raises(InvalidParameterError, match="at least one JSON Line"):
        decode_changes(b"\n  \n")


def labeled_entries(labels: dict[str, int]) -> list[ManifestEntry]:
    lines = [
        dumps(classification(f"s3://bucket/{label}/{i}.png", label))
        for label, n in labels.items()
        for i in range(n)
    ]
    return import_lines(lines).entries


def test_distribute_moves_a_fifth_balanced_by_label() -> None:
    training = labeled_entries({"A": 50, "B": 30, "C": 15, "D": 5})
    kept, moved = distribute_entries(training, [])
    assert (len(kept), len(moved)) == (80, 20)
    assert Counter(label for e in moved for label in e.label_names()) == {"A": 10, "B": 6, "C": 3, "D": 1}
    assert {e.source_ref for e in kept}.isdisjoint(e.source_ref for e in moved)


def test_distribute_is_deterministic_and_order_independent() -> None:
    training = labeled_entries({"A": 12, "B": 9})
    _, first = distribute_entries(training, [])
    _, second = distribute_entries(list(reversed(training)), [])
    assert sorted(sources(first)) == sorted(sources(second))


def test_distribute_keeps_a_training_image_for_every_label() -> None:
    lines = [dumps(classification(f"s3://bucket/a{i}.png", "A")) for i in range(9)]
    lines.append(dumps(classification("s3://bucket/rare.png", "A", "Rare")))
    kept, moved = distribute_entries(import_lines(lines).entries, [])
    assert "s3://bucket/rare.png" in sources(kept) and len(moved) == 2


def test_distribute_needs_an_empty_test_dataset_and_enough_images() -> None:
    training = labeled_entries({"A": 10})
    with pytest.raises(InvalidParameterError, match="must be empty"):
        distribute_entries(training, training[:1])
    with pytest.raises(InvalidParameterError, match="no entries"):
        distribute_entries([], [])
    with pytest.raises(ManifestFileError) as info:
        distribute_entries(labeled_entries({"A": 1, "B": 1, "C": 1}), [])
    assert (
        info.value.message
        == "The manifest file doesn't have enough labeled images to distribute the dataset."
    )


def test_unlabeled_entries_are_distributed_too() -> None:
    split = split_for_test(list(range(10)), key=str, labels=lambda item: set())
    assert len(split.move) == 2 and len(split.keep) == 8
