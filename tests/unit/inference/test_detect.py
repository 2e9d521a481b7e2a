"""DetectCustomLabels semantics: thresholds, MinConfidence, MaxResults, ordering, Geometry, S3 input."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import botocore.session
import numpy as np
import pytest
from PIL import Image

from customlabels.inference.artifact import ModelSpec
from customlabels.inference.detect import (
    S3ObjectRef,
    custom_label,
    detect_custom_labels,
    detect_custom_labels_s3,
    geometry,
    select_labels,
)
from customlabels.inference.errors import (
    ImageTooLargeException,
    InvalidImageFormatException,
    InvalidParameterException,
    InvalidS3ObjectException,
)
from customlabels.inference.images import MAX_INLINE_IMAGE_BYTES, MAX_S3_IMAGE_BYTES
from customlabels.inference.predictor import Prediction, Predictor

from .builders import TinyModel, encode, model_json, photo

# Assumed thresholds of the fake models: cat 0.5, dog 0.25, bird 0.75 (see builders.model_json).
CLASSIFICATION = [Prediction("cat", 0.6), Prediction("dog", 0.3), Prediction("bird", 0.7)]
DETECTIONS = [
    Prediction("cat", 0.9, (0.1, 0.2, 0.5, 0.6)),
    Prediction("dog", 0.2, (0.3, 0.3, 0.4, 0.4)),
    Prediction("bird", 0.8, (-0.1, 0.5, 1.3, 1.2)),
    Prediction("cat", 0.4, (0.0, 0.0, 1.0, 1.0)),
]


class FakePredictor:
    """Returns fixed predictions, so these tests pin the API rules, not a model."""

    def __init__(self, task: str, predictions: Sequence[Prediction]) -> None:
        self.spec = ModelSpec.from_dict(model_json(task))
        self.predictions = list(predictions)
        self.images: list[Image.Image] = []

    def predict(self, image: Image.Image) -> list[Prediction]:
        self.images.append(image)
        return self.predictions


@pytest.fixture
def classifier() -> FakePredictor:
    return FakePredictor("single_label", CLASSIFICATION)


@pytest.fixture
def detector() -> FakePredictor:
    return FakePredictor("detection", DETECTIONS)


def names(response: dict[str, Any]) -> list[str]:
    return [label["Name"] for label in response["CustomLabels"]]


# MinConfidence and the assumed thresholds


def test_without_min_confidence_each_label_uses_its_assumed_threshold(
    classifier: FakePredictor, png_bytes: Callable[..., bytes]
) -> None:
    response = detect_custom_labels(classifier, png_bytes())
    assert names(response) == ["cat", "dog"]  # bird 0.7 is under its threshold 0.75


def test_min_confidence_replaces_the_assumed_thresholds(
    classifier: FakePredictor, png_bytes: Callable[..., bytes]
) -> None:
    response = detect_custom_labels(classifier, png_bytes(), min_confidence=50)
    assert names(response) == ["bird", "cat"]  # bird is back, dog 30 is under 50


def test_min_confidence_zero_returns_every_label(
    classifier: FakePredictor, png_bytes: Callable[..., bytes]
) -> None:
    assert names(detect_custom_labels(classifier, png_bytes(), min_confidence=0)) == ["bird", "cat", "dog"]


def test_a_label_at_exactly_the_limit_is_kept() -> None:
    thresholds = {"cat": 0.5, "dog": 0.25, "bird": 0.75}
    at_threshold = [Prediction("cat", 0.5), Prediction("dog", 0.2)]
    assert [p.label for p in select_labels(at_threshold, thresholds, None, None)] == ["cat"]
    exact = Prediction("cat", float(np.float32(0.625)))  # 62.5 exactly in float32
    assert select_labels([exact], thresholds, 62.5, None) == [exact]
    assert select_labels([exact], thresholds, 62.51, None) == []


def test_detected_objects_are_filtered_by_their_own_label_threshold(
    detector: FakePredictor, png_bytes: Callable[..., bytes]
) -> None:
    response = detect_custom_labels(detector, png_bytes())
    # cat 0.9 >= 0.5, bird 0.8 >= 0.75, cat 0.4 < 0.5, dog 0.2 < 0.25
    assert [(label["Name"], round(label["Confidence"], 3)) for label in response["CustomLabels"]] == [
        ("cat", 90.0),
        ("bird", 80.0),
    ]


# Ordering and MaxResults


def test_labels_are_sorted_by_confidence_descending(
    detector: FakePredictor, png_bytes: Callable[..., bytes]
) -> None:
    confidences = [
        label["Confidence"] for label in detect_custom_labels(detector, png_bytes(), 0)["CustomLabels"]
    ]
    assert confidences == sorted(confidences, reverse=True) and len(confidences) == 4


@pytest.mark.parametrize(("max_results", "expected"), [(None, 4), (10, 4), (2, 2), (1, 1), (0, 0)])
def test_max_results_keeps_the_most_confident(
    detector: FakePredictor, png_bytes: Callable[..., bytes], max_results: int | None, expected: int
) -> None:
    response = detect_custom_labels(detector, png_bytes(), 0, max_results)
    assert names(response) == ["cat", "bird", "cat", "dog"][:expected]


def test_max_results_applies_after_the_confidence_filter(
    classifier: FakePredictor, png_bytes: Callable[..., bytes]
) -> None:
    assert names(detect_custom_labels(classifier, png_bytes(), 65, 2)) == ["bird"]


# The response shape


def test_classification_labels_have_no_geometry(
    classifier: FakePredictor, png_bytes: Callable[..., bytes]
) -> None:
    for label in detect_custom_labels(classifier, png_bytes(), 0)["CustomLabels"]:
        assert list(label) == ["Name", "Confidence"]


def test_confidence_is_a_float32_percentage_as_in_the_guide() -> None:
    # guide L9954-9969: "Confidence": 77.7729721069336, a float32 written as a double
    assert custom_label(Prediction("MyLogo", 0.777729721069336)) == {
        "Name": "MyLogo",
        "Confidence": 77.7729721069336,
    }


def test_bounding_box_matches_the_guide_example() -> None:
    left, top, width, height = 0.07924537360668182, 0.4037395715713501, 0.198987677693367, 0.31296101212501526
    label = custom_label(Prediction("MyLogo", 0.777729721069336, (left, top, left + width, top + height)))
    box = label["Geometry"]["BoundingBox"]
    assert list(box) == ["Width", "Height", "Left", "Top"]  # the guide's key order
    assert box == pytest.approx({"Width": width, "Height": height, "Left": left, "Top": top}, rel=1e-6)
    assert "Polygon" not in label["Geometry"]


def test_boxes_are_clipped_to_the_image() -> None:
    box = geometry((-0.1, 0.5, 1.3, 1.2))["BoundingBox"]
    assert box == pytest.approx({"Width": 1.0, "Height": 0.5, "Left": 0.0, "Top": 0.5})


def test_an_inverted_box_has_no_area() -> None:
    box = geometry((0.6, 0.7, 0.4, 0.2))["BoundingBox"]
    assert box == pytest.approx({"Width": 0.0, "Height": 0.0, "Left": 0.6, "Top": 0.7})


def test_polygon_is_the_four_corners_clockwise_when_asked_for(
    detector: FakePredictor, png_bytes: Callable[..., bytes]
) -> None:
    response = detect_custom_labels(detector, png_bytes(), 0, 1, include_polygon=True)
    polygon = response["CustomLabels"][0]["Geometry"]["Polygon"]
    expected = [(0.1, 0.2), (0.5, 0.2), (0.5, 0.6), (0.1, 0.6)]
    assert [(p["X"], p["Y"]) for p in polygon] == [pytest.approx(point) for point in expected]


def test_response_fits_botocore_output_shape(
    detector: FakePredictor, png_bytes: Callable[..., bytes]
) -> None:
    model = botocore.session.get_session().get_service_model("rekognition")
    output_shape = model.operation_model("DetectCustomLabels").output_shape
    _assert_fits(detect_custom_labels(detector, png_bytes(), 0, include_polygon=True), output_shape)


def _assert_fits(value: Any, shape: Any) -> None:
    if shape.type_name == "structure":
        assert isinstance(value, dict) and set(value) <= set(shape.members), (value, list(shape.members))
        for key, member in value.items():
            _assert_fits(member, shape.members[key])
    elif shape.type_name == "list":
        assert isinstance(value, list)
        for item in value:
            _assert_fits(item, shape.member)
    elif shape.type_name == "float":
        assert type(value) is float
        assert shape.metadata.get("min", -np.inf) <= value <= shape.metadata.get("max", np.inf)
    else:
        assert shape.type_name == "string" and isinstance(value, str)


# Parameters and images


@pytest.mark.parametrize("min_confidence", [-1, 100.5, "50", True, float("nan")])
def test_min_confidence_outside_0_to_100_is_invalid(
    classifier: FakePredictor, png_bytes: Callable[..., bytes], min_confidence: Any
) -> None:
    with pytest.raises(InvalidParameterException, match="MinConfidence must be a number in 0-100"):
        detect_custom_labels(classifier, png_bytes(), min_confidence)


@pytest.mark.parametrize("max_results", [-1, 1.5, "3", False])
def test_negative_or_non_integer_max_results_is_invalid(
    classifier: FakePredictor, png_bytes: Callable[..., bytes], max_results: Any
) -> None:
    with pytest.raises(InvalidParameterException, match="MaxResults must be an integer >= 0"):
        detect_custom_labels(classifier, png_bytes(), 50, max_results)


def test_image_errors_reach_the_caller(classifier: FakePredictor) -> None:
    with pytest.raises(InvalidImageFormatException):
        detect_custom_labels(classifier, encode(photo(80, 80), "GIF"))
    with pytest.raises(InvalidParameterException, match="at least 64 pixels"):
        detect_custom_labels(classifier, encode(photo(32, 80), "PNG"))
    with pytest.raises(ImageTooLargeException, match="4194304"):
        detect_custom_labels(classifier, encode(photo(80, 80), "PNG") + b"\x00" * MAX_INLINE_IMAGE_BYTES)
    assert classifier.images == []


def test_fast_jpeg_decode_scales_to_cover_the_model_input_and_is_off_by_default(
    classifier: FakePredictor, jpeg_bytes: Callable[..., bytes]
) -> None:
    detect_custom_labels(classifier, jpeg_bytes(1600, 1200), fast_jpeg_decode=True)  # model input 40 x 48
    detect_custom_labels(classifier, jpeg_bytes(1600, 1200))
    assert [image.size for image in classifier.images] == [(200, 150), (1600, 1200)]


# Image.S3Object


def test_s3_object_is_read_and_may_exceed_the_bytes_limit(
    classifier: FakePredictor, png_bytes: Callable[..., bytes]
) -> None:
    big = png_bytes() + b"\x00" * (MAX_INLINE_IMAGE_BYTES + 1)  # Pillow ignores bytes after IEND
    requested: list[S3ObjectRef] = []

    def get_object(ref: S3ObjectRef) -> bytes:
        requested.append(ref)
        return big

    ref = S3ObjectRef("bucket", "images/cat.png", "v1")
    assert names(detect_custom_labels_s3(classifier, get_object, ref, 0)) == ["bird", "cat", "dog"]
    assert requested == [ref]


def test_unreadable_s3_object_is_invalid(classifier: FakePredictor) -> None:
    def get_object(ref: S3ObjectRef) -> bytes:
        raise KeyError("NoSuchKey: internal detail")

    with pytest.raises(InvalidS3ObjectException, match=r"s3://bucket/missing.png \(version v2\)") as raised:
        detect_custom_labels_s3(classifier, get_object, S3ObjectRef("bucket", "missing.png", "v2"))
    assert "internal detail" not in raised.value.message


def test_s3_object_over_15_mb_is_too_large(classifier: FakePredictor) -> None:
    with pytest.raises(ImageTooLargeException, match="Image.S3Object allows at most 15728640 bytes"):
        detect_custom_labels_s3(
            classifier, lambda ref: b"\xff\xd8\xff" + b"\x00" * MAX_S3_IMAGE_BYTES, S3ObjectRef("b", "k.jpg")
        )


def test_bad_parameters_fail_before_s3_is_read(classifier: FakePredictor) -> None:
    def get_object(ref: S3ObjectRef) -> bytes:
        raise AssertionError("S3 must not be read")

    with pytest.raises(InvalidParameterException):
        detect_custom_labels_s3(classifier, get_object, S3ObjectRef("b", "k.png"), min_confidence=101)


# With real (tiny) ONNX models


def test_end_to_end_classification(single_label_model: TinyModel, jpeg_bytes: Callable[..., bytes]) -> None:
    response = detect_custom_labels(Predictor(single_label_model.model_dir, threads=1), jpeg_bytes(), 0)
    assert sorted(names(response)) == ["bird", "cat", "dog"]
    assert sum(label["Confidence"] for label in response["CustomLabels"]) == pytest.approx(100.0, abs=1e-3)


def test_end_to_end_detection(detection_model: TinyModel, png_bytes: Callable[..., bytes]) -> None:
    response = detect_custom_labels(Predictor(detection_model.model_dir, threads=1), png_bytes(), 0)
    assert len(response["CustomLabels"]) == 6
    for label in response["CustomLabels"]:
        box = label["Geometry"]["BoundingBox"]
        assert 0.0 <= box["Left"] <= box["Left"] + box["Width"] <= 1.0 + 1e-6
        assert 0.0 <= box["Top"] <= box["Top"] + box["Height"] <= 1.0 + 1e-6
