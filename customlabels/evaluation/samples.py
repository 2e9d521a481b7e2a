"""What the evaluation compares: one model prediction and one ground truth per test image.

Both are in the model's label indices. Detection boxes are normalised ``x1, y1, x2, y2`` (0..1)
on both sides, so matching does not depend on image sizes; the pixel boxes of the evaluation
manifest snapshot are recovered with ``image_size``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from customlabels.training.entries import Task, TrainingEntry


def _no_boxes() -> np.ndarray:
    return np.zeros((0, 4), dtype=np.float32)


def _no_labels() -> np.ndarray:
    return np.zeros((0,), dtype=np.int64)


@dataclass(frozen=True)
class Prediction:
    """Model output for one image.

    Classification: ``scores`` is ``[L]`` (one probability per label). Detection: ``scores`` is
    ``[K]`` with ``boxes`` ``[K, 4]`` and ``labels`` ``[K]``.
    """

    scores: np.ndarray
    boxes: np.ndarray = field(default_factory=_no_boxes)
    labels: np.ndarray = field(default_factory=_no_labels)
    image_size: tuple[int, int] = (0, 0)  # (width, height) of the stored image


@dataclass(frozen=True)
class GroundTruth:
    """Ground truth of one image: image-level label indices, or boxes with label indices."""

    labels: frozenset[int] = frozenset()
    boxes: np.ndarray = field(default_factory=_no_boxes)
    box_labels: np.ndarray = field(default_factory=_no_labels)


def ground_truth(
    entry: TrainingEntry, labels: Sequence[str], task: Task, image_size: tuple[int, int]
) -> GroundTruth:
    """The ground truth of ``entry`` in the model's label indices (unknown labels are left out).

    ``image_size`` is ``(width, height)``, used to normalise detection boxes.
    """
    index = {name: i for i, name in enumerate(labels)}
    if task is not Task.DETECTION:
        return GroundTruth(labels=frozenset(index[name] for name in entry.labels if name in index))
    width, height = max(image_size[0], 1), max(image_size[1], 1)
    kept = [box for box in entry.boxes if box.label in index]
    boxes = np.asarray(
        [
            [b.left / width, b.top / height, (b.left + b.width) / width, (b.top + b.height) / height]
            for b in kept
        ],
        dtype=np.float32,
    ).reshape(-1, 4)
    box_labels = np.asarray([index[b.label] for b in kept], dtype=np.int64)
    return GroundTruth(labels=frozenset(box_labels.tolist()), boxes=boxes, box_labels=box_labels)
