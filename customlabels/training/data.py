"""Datasets over :class:`TrainingEntry` lists: decoded-once image cache, targets, validation split.

Custom Labels datasets are small (hundreds to a few thousand images is typical), so every image
is decoded and stretched to the input size once and kept as ``uint8`` in memory; epochs then cost
only augmentation and the network. Above :data:`CACHE_LIMIT_BYTES` images are decoded on demand.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch.utils.data import Dataset

from customlabels.training.detector import encode_targets
from customlabels.training.entries import Task, TrainingEntry
from customlabels.training.modelcard import load_resized, open_upright
from customlabels.training.presets import (
    ClassificationPresetEval,
    ClassificationPresetTrain,
    DetectionPresetEval,
    DetectionPresetTrain,
)

CACHE_LIMIT_BYTES = 2 * 1024**3


class ImageCache:
    """Images stretched to ``input_size`` as ``uint8 [3, H, W]``, plus their original sizes."""

    def __init__(self, entries: Sequence[TrainingEntry], input_size: tuple[int, int]):
        self.entries = list(entries)
        self.input_size = input_size
        per_image = 3 * input_size[0] * input_size[1]
        self.keep = per_image * len(self.entries) <= CACHE_LIMIT_BYTES
        self._pixels: dict[int, torch.Tensor] = {}
        self._sizes: dict[int, tuple[int, int]] = {}

    def __len__(self) -> int:
        return len(self.entries)

    def _load(self, index: int) -> tuple[torch.Tensor, tuple[int, int]]:
        image = open_upright(self.entries[index].image_path)
        pixels = torch.from_numpy(load_resized(image, self.input_size).copy()).permute(2, 0, 1).contiguous()
        return pixels, image.size

    def image(self, index: int) -> torch.Tensor:
        """The resized image."""
        if index in self._pixels:
            return self._pixels[index]
        pixels, size = self._load(index)
        self._sizes[index] = size
        if self.keep:
            self._pixels[index] = pixels
        return pixels

    def original_size(self, index: int) -> tuple[int, int]:
        """``(width, height)`` of the stored image."""
        if index not in self._sizes:
            self.image(index)
        return self._sizes[index]


class ClassificationDataset(Dataset[tuple[torch.Tensor, torch.Tensor]]):
    """(image, target): a class index for single-label, a multi-hot float vector for multi-label."""

    def __init__(
        self,
        cache: ImageCache,
        labels: Sequence[str],
        task: Task,
        preset: ClassificationPresetTrain | ClassificationPresetEval,
    ):
        self.cache = cache
        self.index = {name: i for i, name in enumerate(labels)}
        self.task = task
        self.preset = preset

    def __len__(self) -> int:
        return len(self.cache)

    def target(self, position: int) -> torch.Tensor:
        """The target of one entry (labels the model does not know are ignored)."""
        known = [self.index[name] for name in self.cache.entries[position].labels if name in self.index]
        if self.task is Task.SINGLE_LABEL:
            return torch.tensor(known[0] if known else -100, dtype=torch.int64)
        hot = torch.zeros(len(self.index))
        hot[known] = 1.0
        return hot

    def __getitem__(self, position: int) -> tuple[torch.Tensor, torch.Tensor]:
        return self.preset(self.cache.image(position)), self.target(position)


@dataclass
class DetectionSample:
    """One training/validation image for the detector."""

    image: torch.Tensor
    targets: dict[str, torch.Tensor]
    boxes: torch.Tensor
    labels: torch.Tensor


class DetectionDataset(Dataset[DetectionSample]):
    """Images with boxes rescaled to the input size and encoded as the detector's targets."""

    def __init__(
        self,
        cache: ImageCache,
        labels: Sequence[str],
        preset: DetectionPresetTrain | DetectionPresetEval,
    ):
        self.cache = cache
        self.index = {name: i for i, name in enumerate(labels)}
        self.preset = preset

    def __len__(self) -> int:
        return len(self.cache)

    def boxes(self, position: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Pixel ``x1, y1, x2, y2`` boxes in the input-size image, and their label indices."""
        width, height = self.cache.original_size(position)
        scale_x = self.cache.input_size[1] / width
        scale_y = self.cache.input_size[0] / height
        kept = [box for box in self.cache.entries[position].boxes if box.label in self.index]
        boxes = torch.tensor(
            [
                [
                    b.left * scale_x,
                    b.top * scale_y,
                    (b.left + b.width) * scale_x,
                    (b.top + b.height) * scale_y,
                ]
                for b in kept
            ],
            dtype=torch.float32,
        ).reshape(-1, 4)
        labels = torch.tensor([self.index[b.label] for b in kept], dtype=torch.int64)
        return boxes, labels

    def __getitem__(self, position: int) -> DetectionSample:
        boxes, labels = self.boxes(position)
        image, boxes, labels = self.preset(self.cache.image(position), boxes, labels)
        targets = encode_targets(boxes, labels, len(self.index), self.cache.input_size)
        return DetectionSample(image, targets, boxes, labels)


def collate_classification(samples: list[tuple[torch.Tensor, torch.Tensor]]) -> dict[str, Any]:
    """Stack images and targets into the batch dictionary the engine reads."""
    return {"images": torch.stack([s[0] for s in samples]), "targets": torch.stack([s[1] for s in samples])}


def collate_detection(samples: list[DetectionSample]) -> dict[str, Any]:
    """Stack images and target maps; keep per-image boxes as lists (for the validation metric)."""
    return {
        "images": torch.stack([s.image for s in samples]),
        "targets": {key: torch.stack([s.targets[key] for s in samples]) for key in samples[0].targets},
        "boxes": [s.boxes for s in samples],
        "labels": [s.labels for s in samples],
    }


def split_validation(
    entries: Sequence[TrainingEntry],
    task: Task,
    fraction: float,
    seed: int,
) -> tuple[list[TrainingEntry], list[TrainingEntry]]:
    """Hold out ``fraction`` of the training entries for early stopping, stratified by first label.

    Deterministic for a seed. Datasets under 10 images get no validation split (every image is
    needed to learn; the job then keeps the last epoch).
    """
    if fraction <= 0 or len(entries) < 10:
        return list(entries), []
    rng = random.Random(seed)
    groups: dict[str, list[TrainingEntry]] = {}
    for entry in entries:
        key = (
            (entry.boxes[0].label if entry.boxes else "")
            if task is Task.DETECTION
            else (entry.labels[0] if entry.labels else "")
        )
        groups.setdefault(key, []).append(entry)
    train: list[TrainingEntry] = []
    val: list[TrainingEntry] = []
    for key in sorted(groups):
        group = groups[key][:]
        rng.shuffle(group)
        count = int(round(len(group) * fraction)) if len(group) >= 3 else 0
        val.extend(group[:count])
        train.extend(group[count:])
    return train, val
