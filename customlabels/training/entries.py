"""The training job's input: dataset entries as plain data, and the model type they call for.

The dataset pipeline validates the Ground Truth manifests (guide L5142-6997) and hands the job
one :class:`TrainingEntry` per usable JSON Line. Boxes are in PIXELS of the stored image, exactly
as Ground Truth's ``annotations`` carry them (guide L7310-7315), so no conversion happens between
the manifest, the job and the evaluation manifest snapshot.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


class Task(enum.StrEnum):
    """The model type, chosen from the labels (DESIGN.md "Training and models")."""

    SINGLE_LABEL = "single_label"
    MULTI_LABEL = "multi_label"
    DETECTION = "detection"


@dataclass(frozen=True)
class Box:
    """A labelled bounding box in pixels: ``left``/``top`` of the top-left corner, ``width``/``height``."""

    label: str
    left: float
    top: float
    width: float
    height: float

    def corners(self) -> tuple[float, float, float, float]:
        """``(x1, y1, x2, y2)`` in pixels."""
        return (self.left, self.top, self.left + self.width, self.top + self.height)


@dataclass(frozen=True)
class TrainingEntry:
    """One image of a training or test dataset.

    Attributes:
        image_path: a local file the job can open with Pillow.
        labels: image-level labels (classification).
        boxes: bounding boxes (object detection), in pixels of the image as stored.
        source_ref: the manifest's ``source-ref`` (written back into the evaluation manifest
            snapshot); defaults to ``image_path``.
    """

    image_path: str
    labels: tuple[str, ...] = ()
    boxes: tuple[Box, ...] = ()
    source_ref: str | None = None

    @property
    def reference(self) -> str:
        """The ``source-ref`` to report for this image."""
        return self.source_ref or self.image_path


@dataclass(frozen=True)
class TaskChoice:
    """The chosen task, its label list (model output order), and the entries it keeps."""

    task: Task
    labels: tuple[str, ...]
    train: tuple[TrainingEntry, ...]
    test: tuple[TrainingEntry, ...] = field(default=())


class TaskChoiceError(ValueError):
    """The entries cannot train any model (no labels, or too few for the chosen type)."""


def choose_task(train: Sequence[TrainingEntry], test: Sequence[TrainingEntry] = ()) -> TaskChoice:
    """Choose the model type from the training entries' labels and keep the entries it can use.

    Rules (guide L6016-6018: the service picks the type from the line types it finds and drops
    valid lines of the other type; image-level models need >= 1 label, object location >= 2):

    - any training entry with boxes → detection; entries with image-level labels but no boxes
      are dropped, entries with neither are kept as background images;
    - else, any training entry with several labels → multi-label (sigmoid);
    - else single-label (softmax); unlabelled entries are dropped (guide: "ignored" lines). A
      single label alone is trained as multi-label, so the model can still say "absent".

    Labels are sorted, so the model's output order does not depend on the manifest's line order.

    Raises:
        TaskChoiceError: no labels, or a detector with fewer than two labels.
    """
    if any(entry.boxes for entry in train):
        labels = sorted({box.label for entry in train for box in entry.boxes})
        if len(labels) < 2:
            raise TaskChoiceError(f"object detection needs at least 2 labels, got {len(labels)}")
        keep = _detection_entries
        return TaskChoice(Task.DETECTION, tuple(labels), keep(train), keep(test))
    labels = sorted({label for entry in train for label in entry.labels})
    if not labels:
        raise TaskChoiceError("the training entries carry no labels")
    multi = len(labels) == 1 or any(len(set(entry.labels)) > 1 for entry in train)
    if multi:
        return TaskChoice(Task.MULTI_LABEL, tuple(labels), tuple(train), tuple(test))
    labelled = tuple(entry for entry in train if entry.labels)
    return TaskChoice(Task.SINGLE_LABEL, tuple(labels), labelled, tuple(e for e in test if e.labels))


def _detection_entries(entries: Iterable[TrainingEntry]) -> tuple[TrainingEntry, ...]:
    return tuple(entry for entry in entries if entry.boxes or not entry.labels)


def label_counts(entries: Iterable[TrainingEntry], task: Task) -> dict[str, int]:
    """How many images carry each label (boxes count once per image for detection)."""
    counts: dict[str, int] = {}
    for entry in entries:
        names = {box.label for box in entry.boxes} if task is Task.DETECTION else set(entry.labels)
        for name in names:
            counts[name] = counts.get(name, 0) + 1
    return counts
