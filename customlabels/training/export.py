"""ONNX export: the trained network plus everything serving needs, inside one graph.

Classification graphs end in softmax (single-label) or sigmoid (multi-label) and output
``scores [1, L]``. Detection graphs end in the detector's decode (peak picking, top-k, box decode,
class-wise NMS) and output ``boxes [K, 4]``, ``scores [K]``, ``labels [K]``; there is no host-side
post-processing to re-implement. See :mod:`customlabels.training.modelcard` for the contract.

The TorchScript-based exporter (``dynamo=False``) is used: it exports torchvision's NMS and needs
no ``onnxscript``.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn

from customlabels.training.detector import SCORE_FLOOR, DetectorLite0
from customlabels.training.entries import Task
from customlabels.training.modelcard import INPUT_NAME, MODEL_FILE, ModelCard, onnx_session

OPSET = 17
CLASSIFICATION_OUTPUTS = ["scores"]
DETECTION_OUTPUTS = ["boxes", "scores", "labels"]
TAIL_MARGIN = 1e-3


class ExportError(RuntimeError):
    """The exported graph does not reproduce the PyTorch model."""


class ProbabilityHead(nn.Module):
    """A classifier followed by softmax (single-label) or sigmoid (multi-label)."""

    def __init__(self, model: nn.Module, task: Task):
        super().__init__()
        self.model = model
        self.multi_label = task is Task.MULTI_LABEL

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        logits = self.model(image)
        return torch.sigmoid(logits) if self.multi_label else torch.softmax(logits, dim=1)


def exportable(model: nn.Module, task: Task) -> nn.Module:
    """The module whose forward is exactly the served graph (in eval mode, on the CPU)."""
    model = model.to("cpu").eval()
    if task is Task.DETECTION:
        if not isinstance(model, DetectorLite0):
            raise TypeError(f"detection export needs DetectorLite0, got {type(model).__name__}")
        return model.export_mode(True)
    return ProbabilityHead(model, task).eval()


def export_onnx(model: nn.Module, card: ModelCard, directory: str | Path) -> Path:
    """Write ``model.onnx`` for ``card.task`` into ``directory``; returns its path.

    The model is left in eval mode on the CPU (detectors in export mode).
    """
    task = Task(card.task)
    graph = exportable(model, task)
    path = Path(directory) / MODEL_FILE
    example = torch.zeros(1, 3, *card.input_size)
    outputs = DETECTION_OUTPUTS if task is Task.DETECTION else CLASSIFICATION_OUTPUTS
    with warnings.catch_warnings():
        # The TorchScript exporter warns about its deprecation and about traced Python ints
        # (the fixed input size): both expected here.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            graph,
            (example,),
            str(path),
            input_names=[INPUT_NAME],
            output_names=outputs,
            opset_version=OPSET,
            dynamo=False,
            do_constant_folding=True,
        )
    return path


def _comparable(
    expected: list[np.ndarray], actual: list[np.ndarray], task: Task
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Drop detections near the lowest score either side kept.

    Which box takes the last top-k slot, or survives the score floor, can flip on a 1e-7
    difference between two almost equal scores; everything clearly above that tail must agree.
    """
    if task is not Task.DETECTION:
        return expected, actual
    lowest = [float(side[1].min()) for side in (expected, actual) if side[1].size]
    cut = max([SCORE_FLOOR, *lowest]) + TAIL_MARGIN
    trimmed = [[boxes[s >= cut], s[s >= cut], labels[s >= cut]] for boxes, s, labels in (expected, actual)]
    return trimmed[0], trimmed[1]


def verify_export(model: nn.Module, card: ModelCard, path: str | Path, *, tolerance: float = 1e-4) -> float:
    """Run PyTorch and ONNX Runtime on one random input and return the largest difference.

    Raises:
        ExportError: outputs differ in shape or by more than ``tolerance``.
    """
    task = Task(card.task)
    graph = exportable(model, task)
    generator = torch.Generator().manual_seed(0)
    image = torch.randn(1, 3, *card.input_size, generator=generator)
    with torch.no_grad():
        expected = graph(image)
    expected_list = [t.numpy() for t in (expected if isinstance(expected, tuple) else (expected,))]
    actual = onnx_session(path).run(None, {INPUT_NAME: image.numpy()})
    worst = 0.0
    wanted, got_list = _comparable(expected_list, list(actual), task)
    for want, got in zip(wanted, got_list, strict=True):
        if want.shape != got.shape:
            raise ExportError(f"ONNX output shape {got.shape} differs from PyTorch {want.shape}")
        if want.size:
            worst = max(worst, float(np.max(np.abs(want.astype(np.float64) - got.astype(np.float64)))))
    if worst > tolerance:
        raise ExportError(f"ONNX and PyTorch outputs differ by {worst:.3g} (> {tolerance})")
    return worst
