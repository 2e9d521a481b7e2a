"""Deterministic offline benchmark datasets: digits to classify, digits on photographs to detect.

Nothing is downloaded: scikit-learn ships the 1,797 handwritten digits (8x8) and scikit-image
about twenty photographs (DESIGN.md "Offline data and weights"). Both builders write PNG files
and return :class:`TrainingEntry` lists, the training job's input, for a fixed 80/20 split
(``train_test_split(test_size=0.2, stratify=y, random_state=0)``) of the digits.

- ``digits_classification``: each digit scaled up to 64x64 (the guide's minimum side) as dark
  ink on white, RGB.
- ``digits_detection``: random crops of the photographs at 192x192 with 1-3 digits pasted at
  random, non-overlapping places, 22-48 px tall, in a dark or light ink chosen to contrast with
  the spot; boxes are tight around the ink. Train images use only training digits, test images
  only test digits.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from customlabels.training.entries import Box, TrainingEntry

SEED = 0
PHOTOS = (
    "astronaut",
    "coffee",
    "chelsea",
    "rocket",
    "coins",
    "brick",
    "grass",
    "gravel",
    "hubble_deep_field",
    "retina",
    "camera",
    "moon",
    "clock",
    "immunohistochemistry",
    "colorwheel",
    "cat",
)


@dataclass(frozen=True)
class Split:
    """Digit images (8x8, 0..16) and labels of one side of the split."""

    images: np.ndarray
    labels: np.ndarray


def digits_split() -> tuple[Split, Split]:
    """scikit-learn's digits with the fixed stratified 80/20 split."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    x_train, x_test, y_train, y_test = train_test_split(
        digits.images,
        digits.target,
        test_size=0.2,
        stratify=digits.target,
        random_state=SEED,
    )
    return Split(x_train, y_train), Split(x_test, y_test)


def _digit_ink(digit: np.ndarray, height: int, width: int) -> np.ndarray:
    """A digit's ink opacity (0..1) resized to ``height`` x ``width`` (bilinear)."""
    small = Image.fromarray((digit / 16.0 * 255).astype(np.uint8), mode="L")
    return np.asarray(small.resize((width, height), Image.Resampling.BILINEAR), dtype=np.float32) / 255.0


def digits_classification(
    root: str | Path, size: int = 64
) -> tuple[list[TrainingEntry], list[TrainingEntry]]:
    """Write the digits as ``size`` px RGB PNGs under ``root`` and return (train, test) entries."""
    folder = Path(root) / f"digits-{size}"
    folder.mkdir(parents=True, exist_ok=True)
    result: list[list[TrainingEntry]] = []
    for name, split in zip(("train", "test"), digits_split(), strict=True):
        entries = []
        for index, (digit, label) in enumerate(zip(split.images, split.labels, strict=True)):
            path = folder / f"{name}-{index:04d}.png"
            if not path.exists():
                paper = (255 * (1 - _digit_ink(digit, size, size))).astype(np.uint8)
                Image.fromarray(np.stack([paper] * 3, axis=-1)).save(path)
            entries.append(TrainingEntry(str(path), (str(int(label)),)))
        result.append(entries)
    return result[0], result[1]


def _photos() -> list[np.ndarray]:
    import skimage.data

    photos = []
    for name in PHOTOS:
        image = np.asarray(getattr(skimage.data, name)())
        if image.dtype == bool:
            image = image.astype(np.uint8) * 255
        if image.ndim == 2:
            image = np.stack([image] * 3, axis=-1)
        photos.append(image[..., :3].astype(np.uint8))
    return photos


def _background(rng: np.random.Generator, photos: list[np.ndarray], size: int) -> np.ndarray:
    photo = photos[int(rng.integers(len(photos)))]
    height, width = photo.shape[:2]
    side = int(rng.integers(min(height, width) // 3, min(height, width) + 1))
    top, left = int(rng.integers(0, height - side + 1)), int(rng.integers(0, width - side + 1))
    crop = Image.fromarray(photo[top : top + side, left : left + side])
    return np.asarray(crop.resize((size, size), Image.Resampling.BILINEAR), dtype=np.float32)


def _paste(canvas: np.ndarray, ink: np.ndarray, top: int, left: int, rng: np.random.Generator) -> None:
    height, width = ink.shape
    spot = canvas[top : top + height, left : left + width]
    dark = spot.mean() > 110
    color = rng.uniform(0, 60, 3) if dark else rng.uniform(195, 255, 3)
    alpha = ink[..., None]
    canvas[top : top + height, left : left + width] = spot * (1 - alpha) + color * alpha


def _overlaps(
    box: tuple[int, int, int, int], others: list[tuple[int, int, int, int]], margin: int = 2
) -> bool:
    x1, y1, x2, y2 = box
    return any(
        x1 < b[2] + margin and b[0] < x2 + margin and y1 < b[3] + margin and b[1] < y2 + margin
        for b in others
    )


def _detection_images(
    folder: Path,
    name: str,
    split: Split,
    count: int,
    size: int,
    rng: np.random.Generator,
    photos: list[np.ndarray],
) -> list[TrainingEntry]:
    entries = []
    order = rng.permutation(len(split.labels))
    cursor = 0
    for index in range(count):
        canvas = _background(rng, photos, size)
        boxes: list[Box] = []
        placed: list[tuple[int, int, int, int]] = []
        for _ in range(int(rng.integers(1, 4))):
            digit_index = int(order[cursor % len(order)])
            cursor += 1
            height = int(rng.integers(22, 49))
            width = int(round(height * rng.uniform(0.8, 1.0)))
            for _attempt in range(20):
                top, left = int(rng.integers(0, size - height)), int(rng.integers(0, size - width))
                if not _overlaps((left, top, left + width, top + height), placed):
                    break
            else:
                continue
            ink = _digit_ink(split.images[digit_index], height, width)
            _paste(canvas, ink, top, left, rng)
            rows, cols = np.nonzero(ink > 0.15)
            box = (
                left + int(cols.min()),
                top + int(rows.min()),
                left + int(cols.max()) + 1,
                top + int(rows.max()) + 1,
            )
            placed.append((left, top, left + width, top + height))
            boxes.append(
                Box(str(int(split.labels[digit_index])), box[0], box[1], box[2] - box[0], box[3] - box[1])
            )
        path = folder / f"{name}-{index:04d}.png"
        Image.fromarray(np.clip(canvas, 0, 255).astype(np.uint8)).save(path)
        entries.append(TrainingEntry(str(path), (), tuple(boxes)))
    return entries


def digits_detection(
    root: str | Path,
    train_images: int = 600,
    test_images: int = 150,
    size: int = 192,
) -> tuple[list[TrainingEntry], list[TrainingEntry]]:
    """Write the detection images under ``root`` and return (train, test) entries (deterministic)."""
    folder = Path(root) / f"digits-on-photos-{size}-{train_images}-{test_images}"
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    photos = _photos()
    train_split, test_split = digits_split()
    train = _detection_images(folder, "train", train_split, train_images, size, rng, photos)
    test = _detection_images(folder, "test", test_split, test_images, size, rng, photos)
    return train, test
