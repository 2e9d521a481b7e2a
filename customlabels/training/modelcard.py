"""The serving contract: ``model.json`` beside ``model.onnx``, and the one way to preprocess an image.

Training and evaluation call :func:`preprocess` (the detection Lambda's own preprocessing uses the
same filter and orientation rule) so that the pixels the model was trained and evaluated on are
the pixels it serves on. numpy, Pillow and ONNX Runtime only: no torch, so the evaluation can run
where the serving code runs. The contract (kept stable for the
serving engineer):

- ``model.onnx``: one input ``image``, float32 ``[1, 3, H, W]``, RGB, resized to ``input_size``
  by stretching (Pillow bilinear), scaled to 0..1 then normalised with ``mean``/``std``.
- Classification: one output ``scores`` float32 ``[1, num_labels]``, probabilities (softmax for
  single-label, sigmoid for multi-label) computed inside the graph.
- Detection: ``boxes`` float32 ``[K, 4]`` normalised ``[x1, y1, x2, y2]`` of the input image,
  ``scores`` float32 ``[K]``, ``labels`` int64 ``[K]`` (indices into ``labels``), after NMS,
  inside the graph.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
from PIL import Image, ImageOps

FORMAT_VERSION = 1
MODEL_FILE = "model.onnx"
CARD_FILE = "model.json"
CONFIG_FILE = "resolved_config.json"
INPUT_NAME = "image"
RESIZE = "stretch"
INTERPOLATION = "bilinear"
DEFAULT_THRESHOLD = 0.5


@dataclass
class ModelCard:
    """The content of ``model.json``."""

    task: str
    labels: list[str]
    input_size: list[int]
    mean: list[float]
    std: list[float]
    architecture: str
    thresholds: dict[str, float]
    max_detections: int = 0
    resize: str = RESIZE
    interpolation: str = INTERPOLATION
    format_version: int = FORMAT_VERSION
    training: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The JSON document, keys in the contract's order."""
        document = asdict(self)
        order = [
            "format_version",
            "task",
            "labels",
            "input_size",
            "mean",
            "std",
            "resize",
            "interpolation",
            "architecture",
            "thresholds",
            "max_detections",
            "training",
        ]
        return {key: document[key] for key in order}

    def write(self, directory: str | Path) -> Path:
        """Write ``model.json`` into ``directory``; returns its path."""
        path = Path(directory) / CARD_FILE
        path.write_text(json.dumps(self.to_json(), indent=2, sort_keys=False) + "\n")
        return path

    @classmethod
    def read(cls, directory: str | Path) -> ModelCard:
        """Read ``model.json`` from a model directory.

        Raises:
            ValueError: the file's ``format_version`` is not one this code understands.
        """
        document = json.loads((Path(directory) / CARD_FILE).read_text())
        if document.get("format_version") != FORMAT_VERSION:
            raise ValueError(
                f"model.json format_version must be {FORMAT_VERSION}, got {document.get('format_version')!r}"
            )
        known = {name for name in cls.__dataclass_fields__}
        return cls(**{key: value for key, value in document.items() if key in known})


def open_upright(path: str | Path) -> Image.Image:
    """Decode an image file to RGB, turning JPEGs upright by their EXIF orientation.

    The detection function does the same (as Rekognition does for JPEG, not for PNG), and
    labelling tools draw boxes on the upright picture, so training and evaluation must see it too.
    """
    with Image.open(path) as opened:
        image_format = opened.format
        opened.load()
        image = opened.copy() if image_format != "JPEG" else ImageOps.exif_transpose(opened)
    return image if image.mode == "RGB" else image.convert("RGB")


def load_resized(image: Image.Image | str | Path, input_size: tuple[int, int] | list[int]) -> np.ndarray:
    """RGB ``uint8 [H, W, 3]`` of the (upright) image stretched to ``input_size`` ``(height, width)``."""
    if not isinstance(image, Image.Image):
        image = open_upright(image)
    height, width = int(input_size[0]), int(input_size[1])
    rgb = image.convert("RGB")
    if rgb.size != (width, height):
        rgb = rgb.resize((width, height), Image.Resampling.BILINEAR)
    return np.asarray(rgb, dtype=np.uint8)


def normalize(pixels: np.ndarray, mean: list[float], std: list[float]) -> np.ndarray:
    """``uint8 [H, W, 3]`` → float32 ``[1, 3, H, W]`` normalised as the model expects."""
    scaled = pixels.astype(np.float32) / 255.0
    normalized = (scaled - np.asarray(mean, dtype=np.float32)) / np.asarray(std, dtype=np.float32)
    return np.ascontiguousarray(normalized.transpose(2, 0, 1)[None], dtype=np.float32)


def preprocess(image: Image.Image | str | Path, card: ModelCard) -> np.ndarray:
    """The model's ``image`` input for one picture (a Pillow image or a file path)."""
    return normalize(load_resized(image, card.input_size), card.mean, card.std)


def onnx_session(path: str | Path, threads: int = 0) -> ort.InferenceSession:
    """An ONNX Runtime CPU session (``threads`` 0: ONNX Runtime's default)."""
    options = ort.SessionOptions()
    if threads:
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
