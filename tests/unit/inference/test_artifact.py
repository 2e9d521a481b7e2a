"""model.json is checked when a model loads, so that a broken artifact never reaches a request."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from customlabels.inference.artifact import ModelSpec, Task
from customlabels.inference.errors import ModelArtifactError

from .builders import LABELS, model_json


def test_valid_model_json_is_parsed(tmp_path: Path) -> None:
    (tmp_path / "model.json").write_text(json.dumps(model_json("detection")))
    spec = ModelSpec.load(tmp_path)
    assert spec.task is Task.DETECTION and spec.is_detection
    assert spec.labels == tuple(LABELS)
    assert spec.input_size == (48, 40)
    assert spec.thresholds == {"cat": 0.5, "dog": 0.25, "bird": 0.75}
    assert spec.max_detections == 6


def test_classification_ignores_max_detections() -> None:
    data = model_json("single_label")
    del data["max_detections"]
    assert ModelSpec.from_dict(data).max_detections is None
    assert ModelSpec.from_dict(model_json("multi_label", max_detections=0)).max_detections is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"format_version": 2}, "format_version must be 1"),
        ({"task": "segmentation"}, "task must be one of"),
        ({"resize": "letterbox"}, "resize must be 'stretch'"),
        ({"interpolation": "bicubic"}, "interpolation must be 'bilinear'"),
        ({"labels": []}, "labels must be a non-empty list"),
        ({"labels": ["cat", "cat", "dog"]}, "labels must be unique"),
        ({"input_size": [224]}, r"input_size must be \[height, width\]"),
        ({"std": [0.2, 0.0, 0.2]}, "std must be positive"),
        ({"mean": [0.5, 0.5]}, "mean must be three numbers"),
        ({"thresholds": {"cat": 0.5, "dog": 0.5}}, r"no assumed threshold for \['bird'\]"),
        (
            {"thresholds": {"cat": 0.5, "dog": 1.5, "bird": 0.5}},
            "threshold for 'dog' must be a number in 0..1",
        ),
        ({"max_detections": 0}, "max_detections must be a positive integer"),
        ({"max_detections": None}, "max_detections must be a positive integer"),
    ],
)
def test_contract_violations_name_the_field(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ModelArtifactError, match=message):
        ModelSpec.from_dict(model_json("detection", **overrides))


def test_unreadable_model_json(tmp_path: Path) -> None:
    (tmp_path / "model.json").write_text("{not json")
    with pytest.raises(ModelArtifactError, match="cannot read"):
        ModelSpec.load(tmp_path)
