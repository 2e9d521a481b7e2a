"""Batch labeling with a running model: the same answer as DetectCustomLabels, errors as results."""

from __future__ import annotations

from pathlib import Path

import pytest

from customlabels.batch_labeling import LabelingError
from customlabels.hosting.labeler import ModelLabeler, upright_size
from customlabels.hosting.models import ModelLookup
from customlabels.resources.status import ProjectVersionStatus
from tests.unit.inference.builders import TinyModel, encode, photo

from .conftest import Records, model, serving


def test_a_detection_model_labels_with_boxes(
    tmp_path: Path, records: Records, lookup: ModelLookup, detector: TinyModel
) -> None:
    running = records.add(model("v1"))
    labeler = ModelLabeler(lookup, serving(tmp_path, {running.artifacts_prefix or "": detector.model_dir}))
    labeled = labeler("p", "v1", encode(photo(120, 90), "PNG"))
    assert labeled.task == "detection" and labeled.image_size == (120, 90)
    for label in labeled.response["CustomLabels"]:
        box = label["Geometry"]["BoundingBox"]
        assert 0 <= box["Left"] <= 1 and 0 <= box["Top"] <= 1


def test_service_errors_become_labeling_errors(
    tmp_path: Path, records: Records, lookup: ModelLookup, classifier: TinyModel
) -> None:
    running = records.add(model("v1"))
    records.add(model("v2", ProjectVersionStatus.STOPPED))
    labeler = ModelLabeler(lookup, serving(tmp_path, {running.artifacts_prefix or "": classifier.model_dir}))
    cases = [
        ("v1", b"text", "InvalidImageFormatException"),
        ("v1", encode(photo(40, 40), "PNG"), "InvalidParameterException"),
        ("v2", encode(photo(96, 96), "PNG"), "ResourceNotReadyException"),
        ("v9", encode(photo(96, 96), "PNG"), "ResourceNotFoundException"),
    ]
    for version, image, code in cases:
        with pytest.raises(LabelingError) as raised:
            labeler("p", version, image)
        assert raised.value.code == code


def test_sizes_are_of_the_upright_image() -> None:
    assert upright_size(encode(photo(120, 90), "PNG")) == (120, 90)
    from PIL import Image

    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90 degrees: served as 90 x 120
    assert upright_size(encode(photo(120, 90), "JPEG", exif=exif)) == (90, 120)
