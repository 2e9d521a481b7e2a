"""Parsing Ground Truth lines into entries and writing them back (guide L2910-3187)."""

from __future__ import annotations

import json

import pytest

from customlabels.manifests import (
    BoundingBoxAttribute,
    ImageLevelLabel,
    Style,
    UnparsedAttribute,
    entry_to_dict,
    entry_to_line,
    parse_entry,
    parse_line,
    validate_line,
)

from .builders import DATA, classification, detection

GUIDE_LINES = (DATA / "guide_examples.manifest").read_text().splitlines()


@pytest.mark.parametrize("line", GUIDE_LINES, ids=["L2965", "L3074", "L2979", "L3032", "L3926"])
def test_guide_examples_parse_without_errors_and_round_trip(line: str) -> None:
    entry = parse_line(line)
    assert entry is not None and not entry.has_errors
    assert entry_to_dict(entry) == json.loads(line)
    assert parse_line(entry_to_line(entry)) == entry


def test_image_level_line_fields() -> None:
    entry = parse_line(GUIDE_LINES[0])
    assert entry is not None
    (label,) = entry.image_labels
    assert label == ImageLevelLabel(
        attribute="TestCLConsoleBucket",
        class_name="Echo Dot",
        confidence=0.95,
        human_annotated="yes",
        creation_date="2020-04-15T20:17:23.433061",
        job_name="labeling-job/testclconsolebucket",
        value=0,
    )
    assert entry.label_names() == {"Echo Dot"}
    assert entry.bucket == "custom-labels-console-us-east-1-nnnnnnnnnn"


def test_multi_label_line_has_one_label_per_attribute() -> None:
    entry = parse_line(GUIDE_LINES[3])
    assert entry is not None
    assert [label.class_name for label in entry.image_labels] == ["football", "ball"]


def test_bounding_box_line_resolves_labels_and_confidences() -> None:
    entry = parse_line(GUIDE_LINES[1])
    assert entry is not None
    (attribute,) = entry.box_attributes
    assert (attribute.image_width, attribute.image_height, attribute.image_depth) == (640, 480, 3)
    assert [(b.label, b.left, b.top, b.width, b.height) for b in attribute.boxes] == [
        ("Echo Dot", 399, 251, 155, 101),
        ("Echo", 86, 65, 220, 334),
    ]
    assert entry.box_label_names() == {"Echo", "Echo Dot"}


def test_mixed_line_holds_both_kinds() -> None:
    line = {
        **detection(),
        **{k: v for k, v in classification("s3://bucket/images/IMG_1186.png", "Kitchen").items()},
    }
    entry = parse_entry(line)
    assert len(entry.image_labels) == 1 and len(entry.box_attributes) == 1
    assert entry.label_names() == {"Kitchen", "Echo", "Echo Dot"}


def test_unknown_keys_are_kept_for_the_round_trip() -> None:
    line = detection()
    line["bounding-box"]["annotations"][0]["note"] = "occluded"
    line["bounding-box-metadata"]["objects"][0]["reviewer"] = "ann"
    line["bounding-box-metadata"]["tool"] = "cvat"
    line["bounding-box"]["origin"] = "top-left"
    line["other"] = {"x": 1}
    assert entry_to_dict(parse_entry(line)) == line


def test_image_size_object_is_accepted_and_written_as_array() -> None:
    # guide L3327 writes image_size as an object; the specification (L3144) wants an array.
    line = detection()
    line["bounding-box"]["image_size"] = {"width": 640, "height": 480, "depth": 3}
    entry = parse_entry(line)
    assert isinstance(entry.attributes[0], BoundingBoxAttribute)
    assert entry_to_dict(entry)["bounding-box"]["image_size"] == [{"width": 640, "height": 480, "depth": 3}]


def test_metadata_nested_inside_attribute_is_accepted() -> None:
    # guide L11157: the UpdateDatasetEntries example puts BB-metadata inside BB.
    entry = parse_entry(json.loads((DATA / "update_nested_metadata.json").read_text()))
    assert not entry.has_errors
    assert entry.label_names() == {"comparator", "pot_resistor", "ir_phototransistor", "ir_led"}
    assert "BB-metadata" in entry_to_dict(entry)


@pytest.mark.parametrize(
    "date",
    ["2018-10-18T22:18:13.527256", "2013-11-18T02:53:27", "2013-11-18 02:53:27", "2021-06-22T09:58:34.811Z"],
)
def test_creation_dates_in_every_form_the_guide_shows(date: str) -> None:
    line = classification()
    line["sport0-metadata"]["creation-date"] = date
    assert not parse_entry(line).has_errors


def test_a_label_named_like_metadata_still_pairs() -> None:
    line = {"source-ref": "s3://bucket/a.png", "x-metadata": 1}
    line["x-metadata-metadata"] = classification()["sport0-metadata"]
    entry = parse_entry(line)
    assert [a.attribute for a in entry.attributes] == ["x-metadata"]


def test_validation_output_keys_are_stripped_when_read_again() -> None:
    validated = validate_line(
        json.dumps(detection(boxes=[{**detection()["bounding-box"]["annotations"][0], "left": -5}]))
    )
    assert validated.entry is not None
    written = validated.to_line(Style.VALIDATION)
    again = parse_line(written)
    assert again is not None and not again.has_errors
    assert "errors" not in json.dumps(entry_to_dict(again))


def test_stored_errors_are_read_back_when_asked() -> None:
    stored = (DATA / "dataset_entry_unsupported_type.json").read_text()
    entry = parse_line(stored, keep_errors=True)
    assert entry is not None and entry.is_labeled
    assert [e.code for e in entry.all_errors()] == [
        "ERROR_NO_VALID_LABEL_ATTRIBUTES",
        "ERROR_UNSUPPORTED_USE_CASE_TYPE",
    ]
    assert isinstance(entry.attributes[0], UnparsedAttribute)
    assert json.loads(entry_to_line(entry, Style.DATASET)) == json.loads(stored)


def test_styles_place_errors_like_the_guide() -> None:
    # guide L6873-6963: dataset entries use cl-errors at the metadata and line level.
    line = json.loads((DATA / "dataset_entry_unsupported_type.json").read_text())
    line["BB-metadata"].pop("cl-errors")
    del line["cl-errors"], line["cl-metadata"]
    result = validate_line(json.dumps(line))
    assert result.entry is not None
    dataset = json.loads(result.to_line(Style.DATASET))
    assert list(dataset)[-2:] == ["cl-metadata", "cl-errors"]
    assert dataset == json.loads((DATA / "dataset_entry_unsupported_type.json").read_text())
    validation = json.loads(result.to_line(Style.VALIDATION))
    assert validation["BB-metadata"]["errors"][0]["code"] == "ERROR_UNSUPPORTED_USE_CASE_TYPE"
    assert validation["errors"][0]["code"] == "ERROR_NO_VALID_LABEL_ATTRIBUTES"
    assert "errors" not in json.loads(result.to_line(Style.PLAIN))


def test_classification_attribute_errors_go_to_the_line() -> None:
    # The attribute's value is a number (L3002), so its error can only sit at the line level.
    result = validate_line(json.dumps(classification(sport0="one")))
    assert result.entry is not None
    written = json.loads(result.to_line(Style.VALIDATION))
    assert written["sport0"] == "one"
    assert written["errors"] == [
        {
            "code": "ERROR_INVALID_LABEL_ATTRIBUTE_FORMAT",
            "message": "The format of the label attribute sport0 is invalid.",
        }
    ]


def test_unlabeled_dataset_entry() -> None:
    entry = parse_entry({"source-ref": "s3://bucket/a.png"})
    assert not entry.is_labeled
    assert (
        entry_to_line(entry, Style.DATASET)
        == '{"source-ref": "s3://bucket/a.png", "cl-metadata": {"is_labeled": false}}'
    )
