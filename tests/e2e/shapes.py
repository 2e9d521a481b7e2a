"""Small, deterministic image sets for the training e2e tests (no downloads).

- classification: ``circle``, ``square`` and ``stripe`` images: a few shapes of that kind in random
  colours on a random background, 96x96 PNG;
- detection: a red and a blue square on a random background, 128x128 PNG, with their boxes in
  pixels as Ground Truth's ``annotations`` carry them (guide L3153-3171).
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

SHAPES = ("circle", "square", "stripe")
DETECTION_LABELS = ("red", "blue")
_FILLS = {"red": (220, 20, 20), "blue": (20, 20, 220)}


@dataclass(frozen=True)
class Picture:
    name: str
    png: bytes
    labels: tuple[str, ...] = ()
    boxes: tuple[tuple[str, int, int, int, int], ...] = ()  # (label, left, top, width, height)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _colour(rng: np.random.Generator, low: int = 0, high: int = 255) -> tuple[int, int, int]:
    red, green, blue = (int(value) for value in rng.integers(low, high, 3))
    return red, green, blue


def shape_pictures(per_shape: int, seed: int = 0) -> list[Picture]:
    """``per_shape`` images of each shape, interleaved (circle, square, stripe, circle, ...)."""
    rng = np.random.default_rng(seed)
    pictures = []
    for index in range(per_shape):
        for shape in SHAPES:
            image = Image.new("RGB", (96, 96), _colour(rng))
            draw = ImageDraw.Draw(image)
            for _ in range(6):
                x, y = (int(value) for value in rng.integers(0, 80, 2))
                side = int(rng.integers(10, 30))
                fill = _colour(rng)
                if shape == "circle":
                    draw.ellipse([x, y, x + side, y + side], fill=fill)
                elif shape == "square":
                    draw.rectangle([x, y, x + side, y + side], fill=fill)
                else:
                    draw.line([x, y, x + side, y + side], fill=fill, width=4)
            pictures.append(Picture(f"{shape}-{index:02d}.png", _png(image), labels=(shape,)))
    return pictures


def box_pictures(count: int, seed: int = 0) -> list[Picture]:
    """``count`` images, each with one red and one blue square (boxes in pixels)."""
    rng = np.random.default_rng(seed)
    pictures = []
    for index in range(count):
        image = Image.new("RGB", (128, 128), _colour(rng, 60, 200))
        draw = ImageDraw.Draw(image)
        boxes = []
        for label in DETECTION_LABELS:
            side = int(rng.integers(24, 44))
            left, top = (int(value) for value in rng.integers(0, 128 - side, 2))
            draw.rectangle([left, top, left + side - 1, top + side - 1], fill=_FILLS[label])
            boxes.append((label, left, top, side, side))
        pictures.append(Picture(f"boxes-{index:02d}.png", _png(image), boxes=tuple(boxes)))
    return pictures


def classification_line(uri: str, label: str) -> str:
    """An image-level label line (guide L5899-5910)."""
    return json.dumps(
        {
            "source-ref": uri,
            label: 1,
            f"{label}-metadata": {
                "confidence": 1,
                "job-name": f"labeling-job/{label}",
                "class-name": label,
                "human-annotated": "yes",
                "creation-date": "2026-11-26T00:00:00.000",
                "type": "groundtruth/image-classification",
            },
        }
    )


def detection_line(uri: str, picture: Picture) -> str:
    """An object-location line (guide L6136-6176)."""
    class_ids = {label: index for index, label in enumerate(DETECTION_LABELS)}
    document: dict[str, Any] = {
        "source-ref": uri,
        "bounding-box": {
            "image_size": [{"width": 128, "height": 128, "depth": 3}],
            "annotations": [
                {"class_id": class_ids[label], "top": top, "left": left, "width": width, "height": height}
                for label, left, top, width, height in picture.boxes
            ],
        },
        "bounding-box-metadata": {
            "objects": [{"confidence": 1} for _ in picture.boxes],
            "class-map": {str(index): label for label, index in class_ids.items()},
            "type": "groundtruth/object-detection",
            "human-annotated": "yes",
            "creation-date": "2026-11-26T00:00:00.000",
            "job-name": "labeling-job/boxes",
        },
    }
    return json.dumps(document)
