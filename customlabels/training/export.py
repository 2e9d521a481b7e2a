"""ONNX export: the trained network plus everything serving needs, inside one graph.

Classification graphs end in softmax (single-label) or sigmoid (multi-label) and output
``scores [1, L]``. Detection graphs end in the detector's decode (peak picking, top-k, box decode,
class-wise NMS) and output ``boxes [K, 4]``, ``scores [K]``, ``labels [K]``; there is no host-side
post-processing to re-implement. See :mod:`customlabels.training.modelcard` for the contract.

The TorchScript-based exporter (``dynamo=False``) is used: it exports torchvision's NMS and needs
no ``onnxscript``.
"""

from __future__ import annotations

import logging
import tempfile
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

log = logging.getLogger(__name__)


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


def _export(module: nn.Module, path: Path, input_size: list[int], outputs: list[str]) -> Path:
    with warnings.catch_warnings():
        # The TorchScript exporter warns about its deprecation and about traced Python ints
        # (the fixed input size): both expected here.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            module,
            (torch.zeros(1, 3, *input_size),),
            str(path),
            input_names=[INPUT_NAME],
            output_names=outputs,
            opset_version=OPSET,
            dynamo=False,
            do_constant_folding=True,
        )
    return path


def export_onnx(model: nn.Module, card: ModelCard, directory: str | Path) -> Path:
    """Write ``model.onnx`` for ``card.task`` into ``directory``; returns its path.

    The model is left in eval mode on the CPU (detectors in export mode).
    """
    task = Task(card.task)
    outputs = DETECTION_OUTPUTS if task is Task.DETECTION else CLASSIFICATION_OUTPUTS
    return _export(exportable(model, task), Path(directory) / MODEL_FILE, card.input_size, outputs)


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


def _outputs(module: nn.Module, path: Path, image: torch.Tensor) -> tuple[list[np.ndarray], list[np.ndarray]]:
    with torch.no_grad():
        expected = module(image)
    tensors = expected if isinstance(expected, tuple) else (expected,)
    return [t.numpy() for t in tensors], list(onnx_session(path).run(None, {INPUT_NAME: image.numpy()}))


def _largest_difference(expected: list[np.ndarray], actual: list[np.ndarray]) -> float:
    worst = 0.0
    for want, got in zip(expected, actual, strict=True):
        if want.shape != got.shape:
            raise ExportError(f"ONNX output shape {got.shape} differs from PyTorch {want.shape}")
        if want.size:
            worst = max(worst, float(np.max(np.abs(want.astype(np.float64) - got.astype(np.float64)))))
    return worst


def verify_export(model: nn.Module, card: ModelCard, path: str | Path, *, tolerance: float = 1e-4) -> float:
    """Run PyTorch and ONNX Runtime on one random input and return the largest difference.

    A detector is compared on its raw maps, through a second, maps-only export of the same
    network: its decoded boxes are not a fair test, since near-equal scores (an undertrained
    model has many) may be ordered, cut by top-k or suppressed by NMS differently on a 1e-7
    difference. The decoded outputs are still compared above their tail, and a difference is
    logged, not raised (the decode itself is covered by the unit tests).

    Raises:
        ExportError: outputs differ in shape or by more than ``tolerance``.
    """
    task = Task(card.task)
    image = torch.randn(1, 3, *card.input_size, generator=torch.Generator().manual_seed(0))
    if task is not Task.DETECTION:
        worst = _largest_difference(*_outputs(exportable(model, task), Path(path), image))
    else:
        network = exportable(model, task)
        assert isinstance(network, DetectorLite0)
        network.export_mode(False)
        with tempfile.TemporaryDirectory() as scratch:
            maps = _export(
                network, Path(scratch) / "maps.onnx", card.input_size, ["classes", "distances", "centers"]
            )
            worst = _largest_difference(*_outputs(network, maps, image))
        expected, actual = _outputs(network.export_mode(True), Path(path), image)
        try:
            decoded = _largest_difference(*_comparable(expected, actual, task))
            if decoded > tolerance:
                log.warning("decoded detections differ by %.3g (near-equal scores)", decoded)
        except ExportError as error:
            log.warning("decoded detections differ (near-equal scores): %s", error)
    if worst > tolerance:
        raise ExportError(f"ONNX and PyTorch outputs differ by {worst:.3g} (> {tolerance})")
    return worst
