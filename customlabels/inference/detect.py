"""DetectCustomLabels: from an image and a loaded model to the service's response.

The rules, from the guide and botocore's model:

- ``MinConfidence`` (0-100) given: labels whose ``Confidence`` is below it are dropped and the
  assumed thresholds play no part (guide L8826; ``MinConfidence=0`` returns every label, L8816).
  A label *equal* to it is kept: L8826 and botocore exclude only "lower" values (L8834's
  "greater than" is read as the same rule).
- ``MinConfidence`` omitted: each label is kept when its score reaches that label's assumed
  threshold from training (guide L8824). The comparison is on the 0..1 scale the threshold was
  chosen on, so a score equal to its threshold stays in, exactly as in evaluation.
- ``Confidence`` is a percentage, 0-100 (guide L8830); results are sorted by it, highest first,
  then cut to ``MaxResults`` (guide L8841).
- Image-level labels have no ``Geometry``; detected objects have ``Geometry.BoundingBox`` with
  Width, Height, Left and Top as ratios of the image (guide L8813, example L9954-9969).
  ``Polygon`` is in botocore's ``Geometry`` shape but the guide's example response has none and
  the API reference says DetectCustomLabels does not return it, so it is off unless asked for.

Numbers are rounded to float32 before they become JSON floats, as the service's are
(the guide's ``77.7729721069336`` is a float32).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from PIL import Image

from customlabels.inference.artifact import ModelSpec
from customlabels.inference.errors import InferenceError, InvalidParameterException, InvalidS3ObjectException
from customlabels.inference.images import ImageSource, check_byte_size, decode_image
from customlabels.inference.predictor import Prediction

MIN_CONFIDENCE_RANGE = (0.0, 100.0)  # botocore shape Percent; guide L8830


class LabelPredictor(Protocol):
    """What detection needs from a model: its spec (thresholds, input size) and predictions."""

    @property
    def spec(self) -> ModelSpec: ...

    def predict(self, image: Image.Image) -> Sequence[Prediction]: ...


@dataclass(frozen=True)
class S3ObjectRef:
    """``Image.S3Object`` of the request."""

    bucket: str
    name: str
    version: str | None = None


GetObject = Callable[[S3ObjectRef], bytes]
"""Reads an S3 object's bytes; any exception it raises means the object cannot be read."""


def detect_custom_labels(
    predictor: LabelPredictor,
    image_bytes: bytes,
    min_confidence: float | None = None,
    max_results: int | None = None,
    *,
    source: ImageSource = ImageSource.BYTES,
    include_polygon: bool = False,
    fast_jpeg_decode: bool = False,
) -> dict[str, Any]:
    """Answer DetectCustomLabels for an image given as bytes.

    Args:
        predictor: the loaded model version (already known to be RUNNING).
        image_bytes: the decoded ``Image.Bytes`` (boto3 base64-encodes them on the wire).
        min_confidence: ``MinConfidence``, 0-100, or None for each label's assumed threshold.
        max_results: ``MaxResults``, >= 0, or None for no limit.
        source: where the bytes came from; S3 objects may be 15 MB instead of 4 MB.
        include_polygon: add ``Geometry.Polygon`` (the box's four corners) to detected objects.
        fast_jpeg_decode: decode JPEGs at the smallest 1/2, 1/4 or 1/8 scale that still covers
            the model's input size (see :func:`customlabels.inference.images.decode_image`):
            2-3x cheaper for photos over 1000 px, but the pixels differ from a full decode by
            about one grey level on average, so scores drift slightly from what evaluation saw.
            Off unless training's evaluation decodes the same way.

    Returns:
        ``{"CustomLabels": [{"Name", "Confidence", ["Geometry"]}, ...]}``.

    Raises:
        InvalidParameterException, InvalidImageFormatException, ImageTooLargeException.
    """
    check_parameters(min_confidence, max_results)
    height, width = predictor.spec.input_size
    image = decode_image(image_bytes, source, draft_size=(width, height) if fast_jpeg_decode else None)
    predictions = predictor.predict(image)
    selected = select_labels(predictions, predictor.spec.thresholds, min_confidence, max_results)
    return {"CustomLabels": [custom_label(p, include_polygon=include_polygon) for p in selected]}


def detect_custom_labels_s3(
    predictor: LabelPredictor,
    get_object: GetObject,
    s3_object: S3ObjectRef,
    min_confidence: float | None = None,
    max_results: int | None = None,
    *,
    include_polygon: bool = False,
    fast_jpeg_decode: bool = False,
) -> dict[str, Any]:
    """Answer DetectCustomLabels for ``Image.S3Object``: read it with ``get_object``, then as bytes.

    Raises InvalidS3ObjectException when the object cannot be read, ImageTooLargeException over
    15 MB, and everything :func:`detect_custom_labels` raises.
    """
    check_parameters(min_confidence, max_results)
    image_bytes = read_s3_image(get_object, s3_object)
    return detect_custom_labels(
        predictor,
        image_bytes,
        min_confidence,
        max_results,
        source=ImageSource.S3_OBJECT,
        include_polygon=include_polygon,
        fast_jpeg_decode=fast_jpeg_decode,
    )


def read_s3_image(get_object: GetObject, s3_object: S3ObjectRef) -> bytes:
    """Read the object's bytes; raise InvalidS3ObjectException if it cannot be read.

    The caller learns which object failed, never why internally (a missing key and a denied read
    look the same to it, as with the service).
    """
    try:
        data = get_object(s3_object)
    except InferenceError:
        raise
    except Exception as error:  # whatever the S3 client raised: missing, denied, unreachable
        version = f" (version {s3_object.version})" if s3_object.version else ""
        raise InvalidS3ObjectException(
            f"Unable to get object s3://{s3_object.bucket}/{s3_object.name}{version} from S3. "
            "Check object key, region and/or access permissions."
        ) from error
    check_byte_size(len(data), ImageSource.S3_OBJECT)  # guide L16382: 15 MB
    return data


def check_parameters(min_confidence: float | None, max_results: int | None) -> None:
    """Raise InvalidParameterException for MinConfidence outside 0-100 or a negative MaxResults."""
    low, high = MIN_CONFIDENCE_RANGE
    if min_confidence is not None and (
        isinstance(min_confidence, bool)
        or not isinstance(min_confidence, int | float)
        or not low <= min_confidence <= high
    ):
        raise InvalidParameterException(f"MinConfidence must be a number in 0-100, got {min_confidence!r}")
    if max_results is not None and (
        isinstance(max_results, bool) or not isinstance(max_results, int) or max_results < 0
    ):
        raise InvalidParameterException(f"MaxResults must be an integer >= 0, got {max_results!r}")


def select_labels(
    predictions: Iterable[Prediction],
    thresholds: Mapping[str, float],
    min_confidence: float | None,
    max_results: int | None,
) -> list[Prediction]:
    """Filter by MinConfidence or the assumed thresholds, sort by confidence, keep MaxResults."""
    if min_confidence is None:
        kept = [p for p in predictions if p.score >= thresholds[p.label]]
    else:
        kept = [p for p in predictions if confidence_percent(p.score) >= min_confidence]
    kept.sort(key=lambda p: p.score, reverse=True)
    return kept if max_results is None else kept[:max_results]


def confidence_percent(score: float) -> float:
    """A 0..1 score as the API's 0-100 ``Confidence``."""
    return float(np.float32(score) * np.float32(100.0))


def custom_label(prediction: Prediction, *, include_polygon: bool = False) -> dict[str, Any]:
    """One ``CustomLabel``: Name and Confidence, plus Geometry when the prediction has a box."""
    label: dict[str, Any] = {"Name": prediction.label, "Confidence": confidence_percent(prediction.score)}
    if prediction.box is not None:
        label["Geometry"] = geometry(prediction.box, include_polygon=include_polygon)
    return label


def geometry(box: tuple[float, float, float, float], *, include_polygon: bool = False) -> dict[str, Any]:
    """``Geometry`` for a normalized ``(x1, y1, x2, y2)`` box, clipped to the image.

    The model may place a box partly outside the image; the guide defines the box as ratios of
    the image (L8813), so it is clipped to 0..1; an inverted box (x2 < x1) gets no width.
    """
    clipped = np.clip(np.asarray(box, dtype=np.float32), np.float32(0.0), np.float32(1.0))
    left, top = float(clipped[0]), float(clipped[1])
    right, bottom = max(float(clipped[2]), left), max(float(clipped[3]), top)
    width = float(np.float32(right) - np.float32(left))
    height = float(np.float32(bottom) - np.float32(top))
    result: dict[str, Any] = {"BoundingBox": {"Width": width, "Height": height, "Left": left, "Top": top}}
    if include_polygon:
        result["Polygon"] = [
            {"X": left, "Y": top},
            {"X": right, "Y": top},
            {"X": right, "Y": bottom},
            {"X": left, "Y": bottom},
        ]
    return result
