"""The detection function's contract: the API's request JSON in, its response or error body out."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from customlabels.hosting.detection import Detection, error_document, image_source
from customlabels.hosting.models import ModelLookup
from customlabels.inference.detect import S3ObjectRef
from customlabels.inference.errors import InvalidParameterException
from customlabels.resources.status import ProjectVersionStatus
from tests.unit.inference.builders import TinyModel, encode, photo

from .conftest import Records, model, serving


@pytest.fixture
def detection(tmp_path: Path, records: Records, lookup: ModelLookup, classifier: TinyModel) -> Detection:
    running = records.add(model("v1"))
    objects = {("images", "cat.png"): encode(photo(96, 80), "PNG")}

    def get_object(ref: S3ObjectRef) -> bytes:
        return objects[(ref.bucket, ref.name)]

    return Detection(
        lookup, serving(tmp_path, {running.artifacts_prefix or "": classifier.model_dir}), get_object
    )


def request(**members: Any) -> dict[str, Any]:
    png = encode(photo(96, 80), "PNG")
    return {
        "ProjectVersionArn": model("v1").arn,
        "Image": {"Bytes": base64.b64encode(png).decode()},
        **members,
    }


def test_bytes_and_s3_objects_are_answered_like_the_api(detection: Detection) -> None:
    every = detection.answer(request(MinConfidence=0))["CustomLabels"]
    assert len(every) == 3  # MinConfidence=0: every label (guide L8816)
    confidences = [label["Confidence"] for label in every]
    assert confidences == sorted(confidences, reverse=True)  # highest first (L8841)
    assert detection.answer(request(MinConfidence=0, MaxResults=1))["CustomLabels"] == every[:1]
    from_s3 = request(Image={"S3Object": {"Bucket": "images", "Name": "cat.png"}}, MinConfidence=0)
    assert detection.answer(from_s3)["CustomLabels"] == every  # the same image, from S3


def _without(payload: dict[str, Any], member: str) -> dict[str, Any]:
    return {key: value for key, value in payload.items() if key != member}


OTHER_REGION = "arn:aws:rekognition:eu-west-1:123456789012:project/p/version/v1/1700000000000"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda payload: [], "SerializationException"),
        (lambda payload: _without(payload, "ProjectVersionArn"), "ValidationException"),
        (lambda payload: {**payload, "MaxLabels": 10}, "ValidationException"),  # the guide's typo, L9945
        (lambda payload: {**payload, "MinConfidence": 101}, "ValidationException"),
        (lambda payload: {**payload, "Image": {"Bytes": "not base64!"}}, "ValidationException"),
        (lambda payload: {**payload, "Image": {}}, "InvalidParameterException"),
        (
            lambda payload: {**payload, "Image": {"S3Object": {"Bucket": "images"}}},
            "InvalidParameterException",
        ),
        (lambda payload: {**payload, "ProjectVersionArn": model("gone").arn}, "ResourceNotFoundException"),
        (lambda payload: {**payload, "ProjectVersionArn": OTHER_REGION}, "ResourceNotFoundException"),
    ],
)
def test_errors_are_the_apis_error_bodies(
    detection: Detection, change: Callable[[dict[str, Any]], Any], code: str
) -> None:
    answer = detection.answer(change(request()))
    assert answer["__type"] == code and answer["message"], answer
    assert set(answer) == {"__type", "message"}


def test_a_model_that_is_not_running_is_not_ready(detection: Detection, records: Records) -> None:
    stopped = records.add(model("v2", ProjectVersionStatus.STOPPED))
    answer = detection.answer({**request(), "ProjectVersionArn": stopped.arn})
    assert answer["__type"] == "ResourceNotReadyException"
    assert stopped.arn in answer["message"] and "STOPPED" in answer["message"]


def test_image_errors_come_from_the_inference_checks(detection: Detection) -> None:
    gif = io.BytesIO()
    Image.new("RGB", (96, 96)).save(gif, "GIF")
    cases: dict[str, bytes] = {
        "InvalidImageFormatException": gif.getvalue(),
        "ImageTooLargeException": b"\x89PNG\r\n\x1a\n" + bytes(4 * 1024 * 1024),
        "InvalidParameterException": encode(photo(32, 32), "PNG"),
    }
    for code, data in cases.items():
        answer = detection.answer(request(Image={"Bytes": base64.b64encode(data).decode()}))
        assert answer["__type"] == code, answer
    unreadable = request(Image={"S3Object": {"Bucket": "images", "Name": "missing.png"}})
    assert detection.answer(unreadable)["__type"] == "InvalidS3ObjectException"


def test_our_own_faults_do_not_leak(tmp_path: Path, records: Records, lookup: ModelLookup) -> None:
    broken_dir = tmp_path / "broken"
    broken_dir.mkdir()
    (broken_dir / "model.json").write_text("{}")
    (broken_dir / "model.onnx").write_bytes(b"not onnx")
    version = records.add(model("broken"))
    broken = Detection(lookup, serving(tmp_path, {version.artifacts_prefix or "": broken_dir}), _no_s3)
    answer = broken.answer({**request(), "ProjectVersionArn": version.arn})
    assert answer == error_document(
        "InternalServerError", "Amazon Rekognition experienced a service issue. Try your call again."
    )


def _no_s3(ref: S3ObjectRef) -> bytes:
    raise AssertionError("no S3 here")


def test_image_source_needs_exactly_one_form() -> None:
    assert image_source({"Bytes": b"x"}) == b"x"
    assert image_source({"S3Object": {"Bucket": "b", "Name": "n", "Version": "3"}}) == S3ObjectRef(
        "b", "n", "3"
    )
    for image in ({}, {"Bytes": b"x", "S3Object": {"Bucket": "b", "Name": "n"}}, {"S3Object": {"Name": "n"}}):
        with pytest.raises(InvalidParameterException):
            image_source(image)
