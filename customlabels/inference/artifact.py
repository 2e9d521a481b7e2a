"""The model artifact contract between training and inference: ``model.onnx`` beside ``model.json``.

Training writes the pair; this module is the one place that reads ``model.json`` and checks it,
so a broken artifact fails when the model loads rather than in the middle of a request.

``model.onnx`` takes one input ``image``: float32 ``[1, 3, H, W]``, RGB scaled to 0..1, resized
(stretched) to ``input_size`` and normalized with ``mean``/``std``. Classification models
output ``scores`` ``[1, num_labels]`` (softmax or sigmoid applied in the graph); detection models
output ``boxes`` ``[K, 4]`` (normalized x1, y1, x2, y2), ``scores`` ``[K]`` and ``labels`` ``[K]``
(int64 indices into ``labels``), after non-maximum suppression.
"""

from __future__ import annotations

import enum
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from customlabels.inference.errors import ModelArtifactError

MODEL_FILE = "model.onnx"
SPEC_FILE = "model.json"
ARTIFACT_FILES = (SPEC_FILE, MODEL_FILE)
FORMAT_VERSION = 1
INPUT_NAME = "image"


class Task(enum.Enum):
    """What the model predicts; only detection returns ``Geometry``."""

    SINGLE_LABEL = "single_label"
    MULTI_LABEL = "multi_label"
    DETECTION = "detection"

    @property
    def output_names(self) -> tuple[str, ...]:
        return ("boxes", "scores", "labels") if self is Task.DETECTION else ("scores",)


@dataclass(frozen=True)
class ModelSpec:
    """The parsed ``model.json``: what the serving code needs to feed the model and read it back."""

    task: Task
    labels: tuple[str, ...]
    input_size: tuple[int, int]  # (height, width), as the contract orders it
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    thresholds: Mapping[str, float]  # guide L7030: each label's assumed threshold, 0..1
    max_detections: int | None = None
    architecture: str = ""
    training: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, model_dir: Path) -> ModelSpec:
        """Read and check ``model_dir/model.json``; raises ModelArtifactError."""
        path = model_dir / SPEC_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise ModelArtifactError(f"cannot read {path}: {error}") from error
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ModelSpec:
        """Check the contract's fields; raises ModelArtifactError naming the first bad one."""
        if data.get("format_version") != FORMAT_VERSION:
            raise ModelArtifactError(
                f"model.json format_version must be {FORMAT_VERSION}, got {data.get('format_version')!r}"
            )
        try:
            task = Task(data.get("task"))
        except ValueError:
            allowed = ", ".join(t.value for t in Task)
            raise ModelArtifactError(
                f"model.json task must be one of {allowed}, got {data.get('task')!r}"
            ) from None
        if data.get("resize", "stretch") != "stretch":
            raise ModelArtifactError(f"model.json resize must be 'stretch', got {data.get('resize')!r}")
        if data.get("interpolation", "bilinear") != "bilinear":
            # Serving resizes with Pillow's bilinear filter only (see preprocess.RESAMPLE).
            raise ModelArtifactError(
                f"model.json interpolation must be 'bilinear', got {data.get('interpolation')!r}"
            )
        labels = _labels(data.get("labels"))
        return cls(
            task=task,
            labels=labels,
            input_size=_input_size(data.get("input_size")),
            mean=_triple("mean", data.get("mean"), positive=False),
            std=_triple("std", data.get("std"), positive=True),
            thresholds=_thresholds(data.get("thresholds"), labels),
            max_detections=_max_detections(data.get("max_detections"), task),
            architecture=str(data.get("architecture", "")),
            training=dict(data.get("training") or {}),
        )

    @property
    def is_detection(self) -> bool:
        return self.task is Task.DETECTION


def _labels(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise ModelArtifactError(f"model.json labels must be a non-empty list of names, got {value!r}")
    if len(set(value)) != len(value):
        raise ModelArtifactError(f"model.json labels must be unique, got {value!r}")
    return tuple(value)


def _input_size(value: Any) -> tuple[int, int]:
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value)
    ):
        raise ModelArtifactError(f"model.json input_size must be [height, width] in pixels, got {value!r}")
    return (value[0], value[1])


def _triple(name: str, value: Any, *, positive: bool) -> tuple[float, float, float]:
    if not isinstance(value, list) or len(value) != 3 or not all(_is_number(v) for v in value):
        raise ModelArtifactError(f"model.json {name} must be three numbers (r, g, b), got {value!r}")
    if positive and not all(v > 0 for v in value):
        raise ModelArtifactError(f"model.json {name} must be positive, got {value!r}")
    return (float(value[0]), float(value[1]), float(value[2]))


def _thresholds(value: Any, labels: tuple[str, ...]) -> dict[str, float]:
    if not isinstance(value, dict):
        raise ModelArtifactError(f"model.json thresholds must map each label to 0..1, got {value!r}")
    missing = [label for label in labels if label not in value]
    if missing:
        # Without a threshold, DetectCustomLabels has no default filter for the label (guide L8824).
        raise ModelArtifactError(f"model.json thresholds has no assumed threshold for {missing}")
    thresholds = {}
    for label in labels:
        threshold = value[label]
        if not _is_number(threshold) or not 0.0 <= threshold <= 1.0:
            raise ModelArtifactError(
                f"model.json threshold for {label!r} must be a number in 0..1, got {threshold!r}"
            )
        thresholds[label] = float(threshold)
    return thresholds


def _max_detections(value: Any, task: Task) -> int | None:
    if task is not Task.DETECTION:
        return None  # meaningless for classification; training writes 0 there
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ModelArtifactError(f"model.json max_detections must be a positive integer, got {value!r}")
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
