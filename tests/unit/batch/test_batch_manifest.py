"""The results manifest's lines: Ground Truth lines the manifest rules accept, merged by image."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from customlabels.batch_labeling import Labeled
from customlabels.batch_manifest import creation_date, ground_truth_line, manifest_key, merge
from customlabels.manifests import parse_line
from customlabels.manifests.rules import LineStatus, apply_content_rules

SOURCE = "s3://data/batch-input/p/v1/shots/a.png"
CREATED = creation_date(datetime(2026, 11, 26, 10, 0, 0, 271000, tzinfo=UTC))


def labels(*names_and_confidences: tuple[str, float]) -> dict[str, list[dict[str, float | str]]]:
    return {"CustomLabels": [{"Name": name, "Confidence": conf} for name, conf in names_and_confidences]}


def checked(line: str) -> LineStatus:
    entry = parse_line(line)
    assert entry is not None
    return apply_content_rules(entry)


def test_a_single_label_model_gives_its_best_label() -> None:
    line = ground_truth_line(
        SOURCE, Labeled(labels(("cat", 97.5), ("dog", 61.0)), "single_label", (96, 80)), CREATED
    )
    assert json.loads(line) == {
        "source-ref": SOURCE,
        "cat": 1,
        "cat-metadata": {
            "confidence": 0.975,
            "job-name": "labeling-job/customlabels-batch",
            "class-name": "cat",
            "human-annotated": "no",
            "creation-date": "2026-11-26T10:00:00.271",
            "type": "groundtruth/image-classification",
        },
    }
    assert checked(line) is LineStatus.VALID


def test_a_multi_label_model_gives_every_label() -> None:
    line = ground_truth_line(
        SOURCE, Labeled(labels(("cat", 97.5), ("sofa", 61.0)), "multi_label", (96, 80)), CREATED
    )
    entry = parse_line(line)
    assert entry is not None and [label.class_name for label in entry.image_labels] == ["cat", "sofa"]
    assert checked(line) is LineStatus.VALID


def test_a_detection_model_gives_pixel_boxes() -> None:
    response = {
        "CustomLabels": [
            {
                "Name": "red",
                "Confidence": 90.0,
                "Geometry": {"BoundingBox": {"Width": 0.25, "Height": 0.5, "Left": 0.5, "Top": 0.25}},
            },
            {
                "Name": "blue",
                "Confidence": 80.0,
                "Geometry": {"BoundingBox": {"Width": 0.5, "Height": 0.25, "Left": 0.0, "Top": 0.0}},
            },
        ]
    }
    line = json.loads(ground_truth_line(SOURCE, Labeled(response, "detection", (200, 100)), CREATED))
    assert line["bounding-box"] == {
        "image_size": [{"width": 200, "height": 100, "depth": 3}],
        "annotations": [
            {"class_id": 1, "top": 25, "left": 100, "width": 50, "height": 50},
            {"class_id": 0, "top": 0, "left": 0, "width": 100, "height": 25},
        ],
    }
    metadata = line["bounding-box-metadata"]
    assert metadata["class-map"] == {"0": "blue", "1": "red"}
    assert metadata["objects"] == [{"confidence": 0.9}, {"confidence": 0.8}]
    assert metadata["type"] == "groundtruth/object-detection" and metadata["human-annotated"] == "no"
    assert checked(json.dumps(line)) is LineStatus.VALID


def test_nothing_found_is_an_unlabeled_image() -> None:
    for task in ("single_label", "detection"):
        line = ground_truth_line(SOURCE, Labeled({"CustomLabels": []}, task, (96, 80)), CREATED)
        assert json.loads(line) == {"source-ref": SOURCE}  # guide L2335: an image without labels


def test_merging_replaces_by_image_removes_failures_and_sorts() -> None:
    a, b, c = ({"source-ref": f"s3://d/{name}.png", "x": "1"} for name in "abc")
    text = merge("", {a["source-ref"]: json.dumps(a), c["source-ref"]: json.dumps(c)})
    assert [json.loads(line)["source-ref"] for line in text.splitlines()] == ["s3://d/a.png", "s3://d/c.png"]
    redelivered = {**a, "x": "2"}
    text = merge(text, {a["source-ref"]: json.dumps(redelivered), b["source-ref"]: json.dumps(b)})
    assert [json.loads(line) for line in text.splitlines()] == [redelivered, b, c]  # no duplicate
    text = merge(text, {c["source-ref"]: None})  # its latest result is an error
    assert [json.loads(line)["source-ref"] for line in text.splitlines()] == ["s3://d/a.png", "s3://d/b.png"]
    assert text.endswith("\n")


def test_where_the_manifest_lives() -> None:
    assert manifest_key("batch-output/", "p", "v1") == "batch-output/p/v1/results.manifest"
