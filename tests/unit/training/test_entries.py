"""Task choice from the labels, and entries from Ground Truth manifest lines."""

from __future__ import annotations

import json

import pytest

from customlabels.training.entries import Box, Task, TaskChoiceError, TrainingEntry, choose_task
from customlabels.training.manifest_entries import entries_from_manifest


def _entry(*labels: str, boxes: tuple[Box, ...] = ()) -> TrainingEntry:
    return TrainingEntry("x.png", labels, boxes)


def test_one_label_per_image_is_single_label_and_labels_are_sorted() -> None:
    choice = choose_task([_entry("dog"), _entry("cat"), _entry()])
    assert choice.task is Task.SINGLE_LABEL
    assert choice.labels == ("cat", "dog")
    assert len(choice.train) == 2  # the unlabelled image is ignored


def test_several_labels_on_an_image_is_multi_label() -> None:
    choice = choose_task([_entry("dog", "cat"), _entry("cat")])
    assert choice.task is Task.MULTI_LABEL


def test_a_single_label_trains_as_multi_label_so_absent_can_be_said() -> None:
    assert choose_task([_entry("logo"), _entry()]).task is Task.MULTI_LABEL


def test_boxes_make_a_detector_and_drop_image_level_lines() -> None:
    boxed = _entry(boxes=(Box("a", 0, 0, 5, 5), Box("b", 5, 5, 5, 5)))
    choice = choose_task([boxed, _entry("a"), _entry()], [_entry("b")])
    assert choice.task is Task.DETECTION
    assert choice.labels == ("a", "b")
    assert choice.train == (boxed, _entry())  # background image kept, image-level line dropped
    assert choice.test == ()


def test_a_detector_needs_two_labels_and_a_model_needs_one() -> None:
    with pytest.raises(TaskChoiceError, match="at least 2 labels"):
        choose_task([_entry(boxes=(Box("a", 0, 0, 5, 5),))])
    with pytest.raises(TaskChoiceError, match="no labels"):
        choose_task([_entry()])


def test_entries_from_the_three_ground_truth_forms() -> None:
    lines = [
        {
            "source-ref": "s3://b/1.png",
            "cat": 0,
            "cat-metadata": {"class-name": "cat", "type": "groundtruth/image-classification"},
            "dog": 1,
            "dog-metadata": {"class-name": "dog", "type": "groundtruth/image-classification"},
        },
        {
            "source-ref": "s3://b/2.png",
            "job": [1],
            "job-metadata": {
                "class-map": {"0": "cat", "1": "dog"},
                "type": "groundtruth/image-classification-multilabel",
            },
        },
        {
            "source-ref": "s3://b/3.png",
            "bounding-box": {
                "image_size": [{"width": 640, "height": 480, "depth": 3}],
                "annotations": [{"class_id": 1, "top": 251, "left": 399, "width": 155, "height": 101}],
            },
            "bounding-box-metadata": {
                "class-map": {"0": "Echo", "1": "Echo Dot"},
                "type": "groundtruth/object-detection",
            },
        },
    ]
    entries = entries_from_manifest(
        [json.dumps(line) for line in lines] + [""], lambda ref: ref.replace("s3://b", "/d")
    )
    assert entries[0] == TrainingEntry("/d/1.png", ("cat", "dog"), (), "s3://b/1.png")
    assert entries[1].labels == ("dog",)
    assert entries[2].boxes == (Box("Echo Dot", 399, 251, 155, 101),)
    assert entries[2].reference == "s3://b/3.png"
