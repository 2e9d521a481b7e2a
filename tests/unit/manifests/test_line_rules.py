"""Content rules on one line: where each error goes and what it does to the line (L5715-6982)."""

from __future__ import annotations

import json

import pytest

from customlabels.manifests import BoundingBoxAttribute, LineStatus, Style, UnparsedAttribute, validate_line

from .builders import box, classification, detection, dumps


def codes(errors: list) -> list[str]:
    return [error.code for error in errors]


def test_valid_lines() -> None:
    assert validate_line(dumps(classification())).status is LineStatus.VALID
    assert validate_line(dumps(detection())).status is LineStatus.VALID


def test_format_errors_stop_validation() -> None:
    # guide L5715: after a priority error no other rule runs (no image or box checks).
    line = detection(boxes=[box(7, left=-1)], size=(10, 10))
    result = validate_line(dumps(line))
    assert result.status is LineStatus.INVALID
    assert result.entry is not None
    attribute = result.entry.attributes[0]
    assert isinstance(attribute, UnparsedAttribute)
    assert codes(attribute.metadata_errors) == ["ERROR_MISSING_CLASS_MAP_ID"]
    assert result.entry.errors == []


@pytest.mark.parametrize(
    ("source_ref", "code"),
    [
        ("https://bucket/a.png", "ERROR_INVALID_SOURCE_REF_FORMAT"),
        ("s3://bucket", "ERROR_INVALID_SOURCE_REF_FORMAT"),
        ("s3://Bad_Bucket/a.png", "ERROR_INVALID_SOURCE_REF_FORMAT"),
        (42, "ERROR_INVALID_SOURCE_REF_FORMAT"),
    ],
)
def test_source_ref_format(source_ref: object, code: str) -> None:
    result = validate_line(json.dumps({**classification(), "source-ref": source_ref}))
    assert result.entry is not None and codes(result.entry.errors) == [code]
    assert json.loads(result.to_line())["source-ref"] == source_ref


def test_orphan_attribute_next_to_a_valid_pair_is_kept_without_error() -> None:
    result = validate_line(dumps(classification(stray={"a": 1})))
    assert result.status is LineStatus.VALID
    assert result.entry is not None and result.entry.extra == {"stray": {"a": 1}}


@pytest.mark.parametrize(
    "change",
    [
        {"confidence": 1.5},  # guide L3010: in [0, 1]
        {"confidence": "high"},
        {"class-name": ""},
        {"creation-date": "yesterday"},
        {"job-name": 3},
        {"human-annotated": True},
    ],
)
def test_classification_metadata_format(change: dict) -> None:
    line = classification()
    line["sport0-metadata"].update(change)
    result = validate_line(dumps(line))
    assert result.status is LineStatus.INVALID
    assert result.entry is not None
    assert codes(result.entry.all_errors()) == ["ERROR_INVALID_LABEL_ATTRIBUTE_METADATA_FORMAT"]


def test_missing_job_name_is_fine() -> None:
    line = classification()
    del line["sport0-metadata"]["job-name"]
    assert validate_line(dumps(line)).status is LineStatus.VALID


@pytest.mark.parametrize(
    "value",
    [
        {"annotations": []},  # no image_size
        {"image_size": [{"width": 640, "height": 480}], "annotations": []},  # depth required (L3149)
        {"image_size": [{"width": 640, "height": 480, "depth": 3}] * 2, "annotations": []},
        {"image_size": [{"width": 640, "height": 480, "depth": 3}], "annotations": [{"class_id": "0"}]},
        {"image_size": [{"width": 640, "height": 480, "depth": 3}], "annotations": {}},
    ],
)
def test_detection_attribute_format(value: dict) -> None:
    line = detection(boxes=[])
    line["bounding-box"] = value
    result = validate_line(dumps(line))
    assert result.entry is not None
    assert codes(result.entry.all_errors()) == ["ERROR_INVALID_LABEL_ATTRIBUTE_FORMAT"]
    written = json.loads(result.to_line())
    assert (
        written["bounding-box"]["errors"][0]["message"]
        == "The format of the label attribute bounding-box is invalid."
    )


def test_extra_confidences_are_also_a_mismatch() -> None:
    line = detection()
    line["bounding-box-metadata"]["objects"].append({"confidence": 1})
    result = validate_line(dumps(line))
    assert result.entry is not None and codes(result.entry.all_errors()) == [
        "ERROR_MISSING_BOUNDING_BOX_CONFIDENCE"
    ]


def test_object_without_confidence_key() -> None:
    line = detection()
    line["bounding-box-metadata"]["objects"][1] = {}
    result = validate_line(dumps(line))
    assert result.entry is not None and codes(result.entry.all_errors()) == [
        "ERROR_MISSING_BOUNDING_BOX_CONFIDENCE"
    ]


def test_box_errors_drop_only_that_box() -> None:
    # guide L5409: one bad box of several; the line is still used with the others.
    result = validate_line(dumps(detection(boxes=[box(0, left=-3), box(1)])))
    assert result.status is LineStatus.VALID
    assert result.entry is not None
    attribute = result.entry.attributes[0]
    assert isinstance(attribute, BoundingBoxAttribute)
    assert [codes(b.errors) for b in attribute.boxes] == [["ERROR_INVALID_BOUNDING_BOX"], []]
    assert [b.label for b in attribute.usable_boxes] == ["Echo Dot"]
    written = json.loads(result.to_line())
    assert written["bounding-box"]["annotations"][0]["errors"][0]["code"] == "ERROR_INVALID_BOUNDING_BOX"
    assert "errors" not in written["bounding-box"]["annotations"][1]


@pytest.mark.parametrize(
    ("annotation", "code"),
    [
        (box(left=500, width=141), "ERROR_INVALID_BOUNDING_BOX"),  # 500 + 141 > 640
        (box(top=-0.5), "ERROR_INVALID_BOUNDING_BOX"),
        (box(width=-2), "ERROR_INVALID_BOUNDING_BOX"),
        (box(left=500, width=140), None),  # touching the edge is inside the frame
        (box(width=1), "ERROR_BOUNDING_BOX_TOO_SMALL"),
        (box(height=0), "ERROR_BOUNDING_BOX_TOO_SMALL"),
        (box(width=1.5, height=1.5), None),
    ],
)
def test_box_frame_and_size(annotation: dict, code: str | None) -> None:
    result = validate_line(dumps(detection(boxes=[annotation, box()])))
    assert result.entry is not None
    assert codes(result.entry.boxes[0].errors) == ([code] if code else [])


def test_box_size_is_checked_after_the_training_resize() -> None:
    # guide L6605: a 3000 px image shrinks to 1280 px, so a 2 px box becomes 0.85 px.
    resized = validate_line(dumps(detection(boxes=[box(0, 0, 0, 2, 2), box()], size=(3000, 3000))))
    assert resized.entry is not None and codes(resized.entry.boxes[0].errors) == [
        "ERROR_BOUNDING_BOX_TOO_SMALL"
    ]
    small_image = validate_line(dumps(detection(boxes=[box(0, 0, 0, 2, 2), box()], size=(1280, 1280))))
    assert small_image.entry is not None and small_image.entry.boxes[0].errors == []


def test_too_many_boxes_is_a_line_error() -> None:
    fifty = validate_line(dumps(detection(boxes=[box()] * 50)))
    assert fifty.status is LineStatus.VALID
    fifty_one = validate_line(dumps(detection(boxes=[box()] * 51)))
    assert fifty_one.status is LineStatus.INVALID
    assert fifty_one.entry is not None and codes(fifty_one.entry.errors) == ["ERROR_TOO_MANY_BOUNDING_BOXES"]


def test_no_valid_annotations_makes_the_line_invalid() -> None:
    result = validate_line(dumps(detection(boxes=[box(left=-1), box(width=1)])))
    assert result.status is LineStatus.INVALID
    assert result.entry is not None and codes(result.entry.errors) == ["ERROR_NO_VALID_ANNOTATIONS"]


def test_declared_image_size_outside_limits() -> None:
    for size in ((63, 400), (640, 4097)):
        result = validate_line(dumps(detection(boxes=[box(0, 1, 1, 20, 20)], size=size)))
        assert result.entry is not None and codes(result.entry.errors) == ["ERROR_INVALID_IMAGE_DIMENSION"]
    assert (
        validate_line(dumps(detection(boxes=[box(0, 1, 1, 20, 20)], size=(64, 4096)))).status
        is LineStatus.VALID
    )


def test_unsupported_type_next_to_a_valid_attribute_keeps_the_line() -> None:
    line = {**classification(), "BB": {"x": 1}, "BB-metadata": {"type": "groundtruth/wrongtype"}}
    result = validate_line(dumps(line))
    assert result.status is LineStatus.VALID
    assert result.entry is not None and result.entry.has_errors
    written = json.loads(result.to_line())
    assert written["BB-metadata"]["errors"] == [
        {
            "code": "ERROR_UNSUPPORTED_USE_CASE_TYPE",
            "message": "The use case type of the BB-metadata label attribute metadata is unsupported. "
            "Check the type field.",
        }
    ]


def test_long_label_name_invalidates_only_its_attribute() -> None:
    line = classification("s3://bucket/a.png", "x" * 257, "ok")
    result = validate_line(dumps(line))
    assert result.status is LineStatus.VALID
    assert result.entry is not None and result.entry.label_names() == {"ok"}
    assert (
        json.loads(result.to_line())["sport0-metadata"]["errors"][0]["code"]
        == "ERROR_INVALID_LABEL_NAME_LENGTH"
    )
    assert validate_line(dumps(classification("s3://bucket/a.png", "x" * 256))).status is LineStatus.VALID


def test_long_class_map_name() -> None:
    result = validate_line(dumps(detection(class_map={"0": "y" * 257, "1": "Echo Dot"})))
    assert result.entry is not None
    assert codes(result.entry.all_errors()) == [
        "ERROR_NO_VALID_LABEL_ATTRIBUTES",
        "ERROR_INVALID_LABEL_NAME_LENGTH",
    ]


def test_warnings_make_the_line_ignored_and_are_placed_like_the_guide() -> None:
    # guide L6757-6795: both warnings, one in the attribute and one at the top.
    result = validate_line(dumps(detection(boxes=[], class_map={})))
    assert result.status is LineStatus.IGNORED
    written = json.loads(result.to_line(Style.VALIDATION))
    assert written["bounding-box"]["warnings"] == [
        {"code": "WARNING_NO_ATTRIBUTE_ANNOTATIONS", "message": "No attribute annotations were found."}
    ]
    assert written["warnings"] == [
        {"code": "WARNING_NO_ANNOTATIONS", "message": "No annotations were found."}
    ]
    assert "warnings" not in json.loads(result.to_line(Style.DATASET))


def test_absent_annotations_array_is_a_warning_not_an_error() -> None:
    line = detection(boxes=[], class_map={})
    del line["bounding-box"]["annotations"]
    assert validate_line(dumps(line)).status is LineStatus.IGNORED


def test_empty_box_attribute_next_to_image_labels_is_fine() -> None:
    line = {**detection(boxes=[], class_map={}), **classification("s3://bucket/images/IMG_1186.png")}
    result = validate_line(dumps(line))
    assert result.status is LineStatus.VALID
    assert result.entry is not None and result.entry.warnings == []


def test_unannotated_record() -> None:
    result = validate_line('{"source-ref": "s3://bucket/images/IMG_1186.png"}')
    assert result.status is LineStatus.IGNORED
    assert json.loads(result.to_line()) == {
        "source-ref": "s3://bucket/images/IMG_1186.png",
        "warnings": [{"code": "WARNING_UNANNOTATED_RECORD", "message": "Record is unannotated."}],
    }


@pytest.mark.parametrize("text", ["", "   ", "[]", "null", '"s3://bucket/a.png"', "{"])
def test_invalid_json_lines(text: str) -> None:
    result = validate_line(text)
    assert result.status is LineStatus.INVALID and result.entry is None and result.has_errors


def test_a_clean_line_is_copied_verbatim_into_the_validation_manifest() -> None:
    text = (
        '{"source-ref":"s3://bucket/a.png","x":1,"x-metadata":'
        + json.dumps(classification()["sport0-metadata"])
        + "}"
    )
    assert validate_line(text).to_line(Style.VALIDATION) == text
