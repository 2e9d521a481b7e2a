"""Builders of tiny models and images for the inference tests.

The models are built with torch and exported to the artifact contract (``model.onnx`` +
``model.json``), in a fraction of a second each. Tests that need them are skipped where torch is not installed
(the detection function's own environment).
"""

from __future__ import annotations

import io
import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

INPUT_SIZE = (48, 40)  # (height, width): not square, so a swapped axis shows up
MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]
LABELS = ["cat", "dog", "bird"]
NUM_BOXES = 6


@dataclass(frozen=True)
class TinyModel:
    """An exported tiny model: its directory and the eager torch module it came from."""

    model_dir: Path
    module: Any  # torch.nn.Module, typed loosely so this file imports without torch
    task: str


def model_json(task: str, /, **overrides: Any) -> dict[str, Any]:
    """A valid model.json for the tiny models; ``overrides`` replace fields."""
    spec: dict[str, Any] = {
        "format_version": 1,
        "task": task,
        "labels": LABELS,
        "input_size": list(INPUT_SIZE),
        "mean": MEAN,
        "std": STD,
        "resize": "stretch",
        "architecture": f"tiny-{task}",
        "thresholds": {"cat": 0.5, "dog": 0.25, "bird": 0.75},
        "max_detections": NUM_BOXES,
        "training": {"seed": 0},
    }
    spec.update(overrides)
    return spec


def _classifier(task: str) -> Any:
    import torch
    from torch import nn

    class TinyClassifier(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.features = nn.Sequential(
                nn.Conv2d(3, 8, 3, stride=2, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten()
            )
            self.head = nn.Linear(8, len(LABELS))

        def forward(self, image: torch.Tensor) -> torch.Tensor:
            logits = self.head(self.features(image))
            return torch.softmax(logits, -1) if task == "single_label" else torch.sigmoid(logits)

    return TinyClassifier()


def _detector() -> Any:
    import torch
    from torch import nn

    class TinyDetector(nn.Module):
        """Fixed K boxes from pooled features; x2 may pass 1 so that clipping is exercised."""

        def __init__(self) -> None:
            super().__init__()
            self.features = nn.Sequential(
                nn.Conv2d(3, 8, 3, stride=2, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten()
            )
            self.box_head = nn.Linear(8, NUM_BOXES * 4)
            self.class_head = nn.Linear(8, NUM_BOXES * len(LABELS))

        def forward(self, image: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
            features = self.features(image)
            raw = torch.sigmoid(self.box_head(features).reshape(NUM_BOXES, 4))
            x1, y1 = raw[:, 0] * 0.6, raw[:, 1] * 0.6
            boxes = torch.stack([x1, y1, x1 + raw[:, 2] * 0.7, y1 + raw[:, 3] * 0.7], dim=1)
            probabilities = torch.softmax(self.class_head(features).reshape(NUM_BOXES, len(LABELS)), -1)
            scores, labels = probabilities.max(dim=1)
            return boxes, scores, labels

    return TinyDetector()


def export_model(model_dir: Path, task: str, /, **json_overrides: Any) -> TinyModel:
    """Build a tiny model for ``task`` with fixed random weights and export it to ``model_dir``."""
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    module = (_detector() if task == "detection" else _classifier(task)).eval()
    outputs = ["boxes", "scores", "labels"] if task == "detection" else ["scores"]
    model_dir.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # The TorchScript exporter is deprecated, but the dynamo one needs onnxscript.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            module,
            (torch.zeros(1, 3, *INPUT_SIZE),),
            str(model_dir / "model.onnx"),
            input_names=["image"],
            output_names=outputs,
            opset_version=17,
            dynamo=False,
        )
    (model_dir / "model.json").write_text(json.dumps(model_json(task, **json_overrides)))
    return TinyModel(model_dir, module, task)


def encode(image: Image.Image, image_format: str, **save_options: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **save_options)
    return buffer.getvalue()


def photo(width: int, height: int, mode: str = "RGB", seed: int = 0) -> Image.Image:
    """A noisy image, so that scores differ between images and resizes matter."""
    rng = np.random.default_rng(seed)
    channels = {"RGB": 3, "RGBA": 4, "L": 1}[mode]
    pixels = rng.integers(0, 256, size=(height, width, channels), dtype=np.uint8)
    return Image.fromarray(pixels.squeeze(-1) if channels == 1 else pixels, mode)
