"""What training uses of validated lines: only the usable labels and boxes of the chosen use case."""

from __future__ import annotations

import json

from customlabels.manifests import validate_for_training
from customlabels.manifests.training import UseCase
from customlabels.training.manifest_entries import entries_from_manifest
from customlabels.versions.image_copy import CopiedImages, summary_with_error
from customlabels.versions.used_entries import used_manifest
from tests.unit.manifests.builders import box, classification, detection, dumps


def test_stored_dataset_entries_are_written_back_as_plain_ground_truth_lines() -> None:
    stored = classification("s3://bucket/a.png", "cat", "dog", **{"cl-metadata": {"is_labeled": True}})
    lines = [dumps(stored), *(dumps(classification(f"s3://bucket/{n}.png", "cat", "dog")) for n in range(4))]
    outcome = validate_for_training(lines, lines[1:])
    used = used_manifest(outcome.training_entries(), outcome.use_case).splitlines()
    assert len(used) == 5 and not any("cl-" in line or "errors" in line for line in used)
    (entry,) = entries_from_manifest(used[:1], lambda ref: ref)
    assert (entry.source_ref, entry.labels) == ("s3://bucket/a.png", ("cat", "dog"))


def test_a_line_with_an_invalid_label_is_not_used() -> None:
    broken = classification("s3://bucket/a.png", "cat", "dog")
    broken["sport1-metadata"]["confidence"] = 3  # ERROR_INVALID_LABEL_ATTRIBUTE_METADATA_FORMAT (L6233)
    lines = [dumps(broken), *(dumps(classification(f"s3://bucket/{n}.png", "cat", "dog")) for n in range(4))]
    outcome = validate_for_training(lines, lines[1:])
    used = used_manifest(outcome.training_entries(), outcome.use_case)
    assert "s3://bucket/a.png" not in used and used.count("\n") == 4


def test_a_box_with_an_error_is_dropped_and_the_others_stay_aligned_with_their_confidences() -> None:
    boxes = [
        box(0, -5, 10, 50, 50),
        box(1, 300, 200, 100, 100),
        box(0, 20, 30, 40, 40),
    ]  # the first is off frame
    lines = [dumps(detection("s3://bucket/a.png", boxes))] + [
        dumps(detection(f"s3://bucket/{n}.png")) for n in range(4)
    ]
    outcome = validate_for_training(lines, lines[1:])
    assert outcome.use_case is UseCase.OBJECT_LOCALIZATION
    first = json.loads(used_manifest(outcome.training_entries(), outcome.use_case).splitlines()[0])
    assert [(note["class_id"], note["left"]) for note in first["bounding-box"]["annotations"]] == [
        (1, 300),
        (0, 20),
    ]
    assert len(first["bounding-box-metadata"]["objects"]) == 2
    (entry,) = entries_from_manifest([json.dumps(first)], lambda ref: ref)
    assert [(b.label, b.left) for b in entry.boxes] == [("Echo Dot", 300.0), ("Echo", 20.0)]


def test_a_detection_model_leaves_out_image_level_labels() -> None:
    mixed = detection("s3://bucket/a.png")
    mixed.update(
        {
            key: value
            for key, value in classification("s3://bucket/a.png", "Sunrise").items()
            if key != "source-ref"
        }
    )
    lines = [dumps(mixed)] + [dumps(detection(f"s3://bucket/{n}.png")) for n in range(4)]
    outcome = validate_for_training(lines, lines[1:])
    first = json.loads(used_manifest(outcome.training_entries(), outcome.use_case).splitlines()[0])
    assert "sport0" not in first and "bounding-box" in first


def test_no_copied_image_is_the_guides_copy_error_and_the_summary_lists_it() -> None:
    assert CopiedImages([], ["s3://b/a.png"]).error() is not None
    assert CopiedImages([], []).error() is None  # nothing to copy is not a copy failure
    error = CopiedImages([], ["s3://b/a.png"]).error()
    assert error is not None and error.code == "ERROR_FAILED_IMAGES_S3_COPY"
    summary = {"statistics": {"training": {"errors": []}, "testing": {"errors": []}}, "errors": []}
    changed = summary_with_error(summary, error, "testing")
    assert changed["statistics"]["testing"]["errors"] == [
        {"code": "ERROR_FAILED_IMAGES_S3_COPY", "message": "Failed to copy images from S3 bucket."}
    ]
    assert summary_with_error(changed, error, "testing")["statistics"]["testing"]["errors"] == [
        error.to_json()
    ]
