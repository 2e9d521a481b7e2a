"""Run a model artifact with ONNX Runtime on the CPU and return typed predictions.

One :class:`Predictor` holds one ONNX Runtime session for the life of the process (the detection
Lambda's container), so only the first request after a cold start pays for loading the model.
Scores stay on the model's 0..1 scale here; the API's percentages and filters live in
:mod:`customlabels.inference.detect`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnxruntime as ort
from numpy.typing import NDArray
from PIL import Image

from customlabels.inference.artifact import INPUT_NAME, MODEL_FILE, ModelSpec
from customlabels.inference.errors import ModelArtifactError
from customlabels.inference.preprocess import Preprocessor

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Prediction:
    """One label the model sees: an image-level label (``box`` is None) or a detected object.

    ``score`` is 0..1. ``box`` is ``(x1, y1, x2, y2)`` as ratios of the image's width and height,
    exactly as the model emitted it (it may spill outside 0..1; the API clips it).
    """

    label: str
    score: float
    box: Box | None = None


def available_cores() -> int:
    """CPU cores this process may use (Lambda grants them by memory size; affinity tells the truth)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def session_options(threads: int | None = None) -> ort.SessionOptions:
    """Session options for a one-request-at-a-time function: all cores on one request, no inter-op pool."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads or available_cores()
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # Input shapes never change, so the planned memory layout from the first run is reused.
    options.enable_mem_pattern = True
    options.enable_cpu_mem_arena = True
    options.log_severity_level = 3  # errors only: warnings about unused initializers are noise here
    return options


class Predictor:
    """A loaded model directory: ``model.json`` checked, ``model.onnx`` in an ONNX Runtime session."""

    def __init__(self, model_dir: Path, *, threads: int | None = None) -> None:
        """Load ``model_dir``; raises ModelArtifactError if it breaks the artifact contract.

        Args:
            model_dir: a directory with ``model.json`` and ``model.onnx``.
            threads: intra-op threads; defaults to every core the process may use.
        """
        self.model_dir = model_dir
        self.spec = ModelSpec.load(model_dir)
        self.preprocess = Preprocessor(self.spec)
        try:
            self._session = ort.InferenceSession(
                str(model_dir / MODEL_FILE),
                sess_options=session_options(threads),
                providers=["CPUExecutionProvider"],
            )
        except Exception as error:  # onnxruntime raises its own Fail/InvalidGraph/NoSuchFile types
            raise ModelArtifactError(f"cannot load {model_dir / MODEL_FILE}: {error}") from error
        self._output_names = list(self.spec.task.output_names)
        self._check_signature()

    def predict(self, image: Image.Image) -> list[Prediction]:
        """Predict labels for a decoded image, highest score first."""
        return self.predict_tensor(self.preprocess(image))

    def predict_tensor(self, tensor: NDArray[np.float32]) -> list[Prediction]:
        """Predict from an already preprocessed ``[1, 3, H, W]`` tensor, highest score first."""
        outputs = self._session.run(self._output_names, {INPUT_NAME: tensor})
        if self.spec.is_detection:
            return self._detections(*outputs)
        return self._classifications(outputs[0])

    def _classifications(self, scores: NDArray[np.float32]) -> list[Prediction]:
        row = np.asarray(scores, dtype=np.float32).reshape(-1)
        if row.shape[0] != len(self.spec.labels):
            raise ModelArtifactError(
                f"scores has {row.shape[0]} values but model.json lists {len(self.spec.labels)} labels"
            )
        order = np.argsort(-row, kind="stable")
        return [
            Prediction(self.spec.labels[i], score)
            for i, score in zip(order.tolist(), row[order].tolist(), strict=True)
        ]

    def _detections(
        self, boxes: NDArray[np.float32], scores: NDArray[np.float32], labels: NDArray[np.int64]
    ) -> list[Prediction]:
        boxes = np.asarray(boxes, dtype=np.float32).reshape(-1, 4)
        scores = np.asarray(scores, dtype=np.float32).reshape(-1)
        labels = np.asarray(labels).reshape(-1)
        if not len(boxes) == len(scores) == len(labels):
            raise ModelArtifactError(
                f"detection outputs disagree: {len(boxes)} boxes, {len(scores)} scores, {len(labels)} labels"
            )
        if labels.size and (labels.min() < 0 or labels.max() >= len(self.spec.labels)):
            raise ModelArtifactError(
                f"detection labels must index the {len(self.spec.labels)} labels of model.json, "
                f"got {labels.min()}..{labels.max()}"
            )
        order = np.argsort(-scores, kind="stable")[: self.spec.max_detections]
        names = self.spec.labels
        return [
            Prediction(names[label], score, (box[0], box[1], box[2], box[3]))
            for label, score, box in zip(
                labels[order].tolist(), scores[order].tolist(), boxes[order].tolist(), strict=True
            )
        ]

    def _check_signature(self) -> None:
        inputs = {i.name: i for i in self._session.get_inputs()}
        if INPUT_NAME not in inputs or len(inputs) != 1:
            raise ModelArtifactError(
                f"model.onnx must take one input named {INPUT_NAME!r}, got {list(inputs)}"
            )
        shape = inputs[INPUT_NAME].shape
        expected = [1, 3, *self.spec.input_size]
        if len(shape) != 4 or any(
            isinstance(s, int) and s != e for s, e in zip(shape, expected, strict=True)
        ):
            raise ModelArtifactError(
                f"model.onnx input {INPUT_NAME!r} has shape {shape}, expected {expected}"
            )
        outputs = {o.name: o for o in self._session.get_outputs()}
        missing = [name for name in self._output_names if name not in outputs]
        if missing:
            raise ModelArtifactError(
                f"model.onnx for task {self.spec.task.value!r} lacks outputs {missing}; "
                f"it has {sorted(outputs)}"
            )
        if not self.spec.is_detection:
            width = outputs["scores"].shape[-1]
            if isinstance(width, int) and width != len(self.spec.labels):
                raise ModelArtifactError(
                    f"model.onnx scores has {width} values "
                    f"but model.json lists {len(self.spec.labels)} labels"
                )
