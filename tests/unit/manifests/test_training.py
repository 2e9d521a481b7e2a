"""Training validation: summary, validation manifests and content errors (L5242-6081)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from customlabels.manifests import (
    LocalImageSource,
    ManifestFileError,
    ObjectAccessDeniedError,
    UseCase,
    parse_entry,
    validate_for_training,
)
from customlabels.manifests.training import (
    SUMMARY_FILE,
    TESTING_VALIDATION_FILE,
    TRAINING_VALIDATION_FILE,
    bucket_owner_error,
    choose_use_case,
    images_copy_error,
    write_validation_results,
)

from .builders import box, classification, detection, dumps, image_bytes, write_image


def labeled(name: str, index: int = 0) -> str:
    return dumps(classification(f"s3://bucket/{name}/{index}.png", name))


def boxed(index: int, labels: tuple[str, str] = ("Echo", "Echo Dot")) -> str:
    return dumps(detection(f"s3://bucket/img/{index}.png", class_map={"0": labels[0], "1": labels[1]}))


def codes(errors: list) -> list[str]:
    return [error.code for error in errors]


def test_summary_schema_and_counts() -> None:
    training = [labeled("A", i) for i in range(6)] + [labeled("B", i) for i in range(6)]
    training += ['{"source-ref": "s3://bucket/unlabeled.png"}', "{oops"]
    testing = [labeled("A", 10), labeled("B", 10), dumps(detection("s3://bucket/t.png", [box(left=-1)]))]
    testing += [labeled("A", 11), labeled("B", 11)]
    outcome = validate_for_training(training, testing)
    summary = outcome.summary()
    assert list(summary) == ["statistics", "errors"]
    assert summary["statistics"]["training"] == {
        "use_case": "IMAGE_LEVEL_LABELS",
        "total_json_lines": 14,
        "valid_json_lines": 12,
        "invalid_json_lines": 1,
        "ignored_json_lines": 1,
        "error_json_line_indices": [14],
        "errors": [],
    }
    assert summary["statistics"]["testing"]["error_json_line_indices"] == [3]
    assert summary["errors"] == [] and not outcome.failed and outcome.status_message is None
    assert json.loads(outcome.summary_json()) == summary


def test_validation_manifests_are_copies_with_errors() -> None:
    training = [
        labeled("A"),
        labeled("B"),
        "{oops",
        dumps(detection("s3://bucket/x.png", [box(left=-1), box()])),
    ]
    outcome = validate_for_training(training, [labeled("A", 1), labeled("B", 1)])
    lines = outcome.training_manifest().splitlines()
    assert lines[:2] == training[:2]  # unchanged lines are copied as they were
    assert json.loads(lines[2]) == {
        "errors": [{"code": "ERROR_INVALID_JSON_LINE", "message": "The JSON Line has an invalid format."}]
    }
    assert (
        json.loads(lines[3])["bounding-box"]["annotations"][0]["errors"][0]["code"]
        == "ERROR_INVALID_BOUNDING_BOX"
    )
    assert outcome.training_manifest().endswith("\n")


def test_guide_example_too_many_invalid_rows_leaves_the_use_case_undetermined() -> None:
    # guide L5349-5394: 155 invalid of 301 fail; 2 of 15 do not.
    training = [labeled("A", i) if i % 2 else "{" for i in range(301)]
    testing = [labeled("A", 900 + i) if i not in (12, 14) else "[" for i in range(15)]
    outcome = validate_for_training(training, testing)
    stats = outcome.summary()["statistics"]
    assert stats["training"]["use_case"] == stats["testing"]["use_case"] == "NOT_DETERMINED"
    assert codes(outcome.training_errors) == ["ERROR_TOO_MANY_INVALID_ROWS_IN_MANIFEST"]
    assert stats["testing"]["errors"] == [] and stats["testing"]["error_json_line_indices"] == [13, 15]
    assert outcome.status_message == "The manifest file contains too many invalid rows."


def test_ignored_lines_do_not_count_towards_the_threshold() -> None:
    training = [labeled("A", i) for i in range(4)] + [labeled("B", i) for i in range(4)] + ["{"] * 2
    training += [json.dumps({"source-ref": f"s3://bucket/u{i}.png"}) for i in range(30)]
    outcome = validate_for_training(training, [labeled("A", 9), labeled("B", 9)])
    assert outcome.training.invalid_fraction() == 0.2 and not outcome.failed


def test_use_case_follows_the_majority_of_valid_lines() -> None:
    image_level = [parse_entry(classification(f"s3://bkt/{i}.png", "A")) for i in range(3)]
    boxes = [parse_entry(detection(f"s3://bkt/d{i}.png")) for i in range(3)]
    assert choose_use_case(image_level + boxes[:2]) is UseCase.IMAGE_LEVEL_LABELS
    assert choose_use_case(image_level[:2] + boxes) is UseCase.OBJECT_LOCALIZATION
    assert choose_use_case(image_level + boxes) is UseCase.IMAGE_LEVEL_LABELS  # a tie
    assert choose_use_case([]) is UseCase.NOT_DETERMINED


def test_detection_training_uses_only_box_lines() -> None:
    training = [boxed(i) for i in range(5)] + [labeled("Kitchen")]
    outcome = validate_for_training(training, [boxed(10)])
    assert outcome.use_case is UseCase.OBJECT_LOCALIZATION and not outcome.failed
    assert len(outcome.training_entries()) == 5 and len(outcome.testing_entries()) == 1


def test_one_label_detection_is_allowed_but_not_classification() -> None:
    # guide L16330-16331: minimum 2 labels for classification, 1 for detection.
    one_label_boxes = [boxed(i, ("Logo", "Logo")) for i in range(3)]
    assert not validate_for_training(one_label_boxes, [boxed(9, ("Logo", "Logo"))]).failed
    one_label = validate_for_training([labeled("A", i) for i in range(3)], [labeled("A", 9)])
    assert (
        codes(one_label.training_errors)
        == codes(one_label.testing_errors)
        == ["ERROR_MANIFEST_TOO_FEW_LABELS"]
    )


def test_no_usable_line_at_all() -> None:
    outcome = validate_for_training(['{"source-ref": "s3://bucket/u.png"}'], [labeled("A")])
    assert outcome.use_case is UseCase.NOT_DETERMINED
    assert codes(outcome.training_errors) == ["ERROR_MANIFEST_TOO_FEW_LABELS"]


def test_label_overlap_is_shared_over_training_labels() -> None:
    # guide L3197: overlap = shared labels / training labels; at least 50 %.
    training = [labeled(name, i) for name in "ABCD" for i in range(2)]
    half = validate_for_training(training, [labeled("A", 5), labeled("B", 5)])
    assert half.errors == []
    less = validate_for_training(training, [labeled("A", 5), labeled("E", 5)])
    assert less.summary()["errors"] == [
        {
            "code": "ERROR_INSUFFICIENT_LABEL_OVERLAP",
            "message": "Less than 50% label overlap between the training and testing manifest files.",
        }
    ]


def test_auto_split_moves_a_fifth_of_the_valid_lines() -> None:
    training = [labeled(name, i) for name in "AB" for i in range(10)] + ["{"]
    outcome = validate_for_training(training, auto_split=True)
    assert not outcome.failed
    assert (outcome.training.total_json_lines, outcome.testing.total_json_lines) == (17, 4)
    assert outcome.training.error_json_line_indices == [17]  # renumbered in the 80 % manifest
    test_labels = {name for entry in outcome.testing_entries() for name in entry.label_names()}
    assert test_labels == {"A", "B"}
    again = validate_for_training(list(reversed(training)), auto_split=True)
    assert {e.source_ref for e in again.testing_entries()} == {
        e.source_ref for e in outcome.testing_entries()
    }


def test_auto_split_needs_enough_images_per_label() -> None:
    outcome = validate_for_training([labeled("A"), labeled("B")], auto_split=True)
    assert codes(outcome.training_errors) == ["ERROR_INSUFFICIENT_IMAGES_PER_LABEL_FOR_AUTOSPLIT"]


def test_testing_lines_are_required_without_auto_split() -> None:
    with pytest.raises(ValueError, match="auto_split"):
        validate_for_training([labeled("A")])


def test_rows_over_the_limit_are_not_validated() -> None:
    outcome = validate_for_training([labeled("A"), labeled("B"), "{"], [labeled("A", 1)], max_lines=2)
    assert outcome.training.total_json_lines == 3 and len(outcome.training.results) == 2
    assert "ERROR_MANIFEST_ROWS_EXCEEDS_MAXIMUM" in codes(outcome.training_errors)


def test_image_checks_during_training(tmp_path: Path) -> None:
    for name in "AB":
        for i in range(3):
            write_image(tmp_path, f"s3://bucket/{name}/{i}.png", image_bytes((100, 100)))
    inspector = LocalImageSource(tmp_path).inspector()
    training = [labeled(n, i) for n in "AB" for i in range(3)]
    outcome = validate_for_training(training, [labeled("A", 0), labeled("B", 9)], images=inspector)
    assert outcome.testing.error_json_line_indices == [2]  # B/9.png does not exist
    assert inspector.header_reads == 6


def test_caller_found_errors() -> None:
    outcome = validate_for_training([labeled("A"), labeled("B")], [labeled("A", 1), labeled("B", 1)])
    owner = bucket_owner_error("111", "222")
    assert owner is not None and bucket_owner_error("111", "111") is None
    outcome.add_error(owner, "training")
    copy = images_copy_error(copied=0, total=2)
    assert copy is not None and images_copy_error(1, 2) is None and images_copy_error(0, 0) is None
    outcome.add_error(copy)
    assert (
        outcome.summary()["statistics"]["training"]["errors"][0]["message"]
        == "Invalid owner id for images S3 bucket."
    )
    assert outcome.summary()["errors"][0]["message"] == "Failed to copy images from S3 bucket."


def test_write_validation_results() -> None:
    outcome = validate_for_training([labeled("A"), labeled("B")], [labeled("A", 1), labeled("B", 1)])
    written: dict[str, bytes] = {}
    keys = write_validation_results(outcome, written.__setitem__, "out/v1/")
    assert keys == {
        name: "out/v1/" + name for name in (SUMMARY_FILE, TRAINING_VALIDATION_FILE, TESTING_VALIDATION_FILE)
    }
    assert json.loads(written["out/v1/manifest_summary.json"]) == outcome.summary()
    assert written["out/v1/training_manifest_with_validation.json"].decode().count("\n") == 2


def test_cannot_write_results() -> None:
    def denied(key: str, body: bytes) -> None:
        raise ObjectAccessDeniedError(key)

    outcome = validate_for_training([labeled("A")], [labeled("A", 1)])
    with pytest.raises(ManifestFileError) as info:
        write_validation_results(outcome, denied)
    assert info.value.message == "Unable to write to output S3 bucket."
