"""AutoML: architecture, input size, epochs, learning rate and augmentation from the dataset.

Custom Labels users pick nothing (DESIGN.md "Training and models"); the job reads the task, the
number of images, their sizes and, for detection, how small the boxes are, and writes every choice
into ``resolved_config.json`` so a run can be reproduced or overridden field by field.

The epoch counts come from an image budget (images seen in training) per device, sized so that a
CPU run (the local Lambda step, the dev machine) stays within minutes and a GPU run within the
guide's typical training times; early stopping on the validation split usually ends sooner.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from PIL import Image

from customlabels.training.entries import Task, TaskChoice
from customlabels.training.models import MODELS

# Images seen in training, per device and task family.
IMAGE_BUDGET = {
    ("cpu", "classification"): 15_000,
    ("cuda", "classification"): 80_000,
    ("cpu", "detection"): 7_000,
    ("cuda", "detection"): 80_000,
}
MAX_INPUT = {"cpu": 160, "cuda": 224}
MAX_DETECTION_INPUT = {"cpu": 320, "cuda": 512}
MIN_BOX_PIXELS = 16  # smallest box side, after resizing, the stride-8 detector should see


@dataclass(frozen=True)
class DatasetProfile:
    """What the AutoML looks at."""

    task: Task
    num_train: int
    num_labels: int
    median_width: int
    median_height: int
    small_box_fraction: float | None  # 10th percentile of box side / image side (detection)


@dataclass(frozen=True)
class TrainingPlan:
    """Every hyperparameter of one training run (written to ``resolved_config.json``)."""

    architecture: str
    input_size: tuple[int, int]
    epochs: int
    batch_size: int
    learning_rate: float
    weight_decay: float
    warmup_epochs: float
    augmentation: str
    validation_fraction: float
    patience: int
    freeze_blocks: int
    max_detections: int
    mixed_precision: bool
    time_budget_s: float | None

    def to_json(self) -> dict[str, Any]:
        document = asdict(self)
        document["input_size"] = list(self.input_size)
        return document


def profile_dataset(choice: TaskChoice, sample: int = 200) -> DatasetProfile:
    """Measure the training entries (image sizes from the headers of up to ``sample`` images)."""
    entries = choice.train
    step = max(1, len(entries) // sample)
    widths, heights, fractions = [], [], []
    for entry in entries[::step]:
        with Image.open(entry.image_path) as image:
            width, height = image.size
        widths.append(width)
        heights.append(height)
        for box in entry.boxes:
            fractions.append(min(box.width / max(width, 1), box.height / max(height, 1)))
    small = sorted(fractions)[len(fractions) // 10] if fractions else None
    return DatasetProfile(
        task=choice.task,
        num_train=len(entries),
        num_labels=len(choice.labels),
        median_width=int(statistics.median(widths)) if widths else 224,
        median_height=int(statistics.median(heights)) if heights else 224,
        small_box_fraction=small,
    )


def _round_up(value: float, multiple: int = 32) -> int:
    return int(math.ceil(value / multiple) * multiple)


def plan_training(
    profile: DatasetProfile,
    *,
    device_type: str = "cpu",
    pretrained: bool = True,
    overrides: Mapping[str, Any] | None = None,
) -> TrainingPlan:
    """Choose the hyperparameters for ``profile`` on ``device_type`` ("cpu" or "cuda").

    Args:
        profile: the measured dataset.
        device_type: where training runs; sets the budgets and mixed precision.
        pretrained: whether ImageNet weights for Lite0 are available (else ResNet-18 from scratch
            for classification).
        overrides: fields of :class:`TrainingPlan` to force (``input_size`` as ``[H, W]``).

    Raises:
        ValueError: an override names no field of the plan.
    """
    device_type = "cuda" if device_type == "cuda" else "cpu"
    n = max(profile.num_train, 1)
    detection = profile.task is Task.DETECTION
    family = "detection" if detection else "classification"
    if detection:
        architecture = "fcos_lite0"
        side = _round_up(max(profile.median_width, profile.median_height))
        if profile.small_box_fraction:
            side = max(side, _round_up(MIN_BOX_PIXELS / profile.small_box_fraction))
        side = min(max(side, 128), MAX_DETECTION_INPUT[device_type])
    else:
        architecture = "efficientnet_lite0" if pretrained else "resnet18"
        side = min(
            max(_round_up(min(profile.median_width, profile.median_height)), 64), MAX_INPUT[device_type]
        )
    low, high = (10, 60 if device_type == "cpu" else 120) if detection else (8, 60)
    epochs = min(max(math.ceil(IMAGE_BUDGET[(device_type, family)] / n), low), high)
    # Small detection batches on a CPU: twice the optimizer steps for the same compute, which the
    # detector needs within its budget (batch 8 vs 16 on the digits benchmark: mAP 0.93 vs 0.90).
    batch = {"cpu": 8, "cuda": 32}[device_type] if detection else {"cpu": 32, "cuda": 64}[device_type]
    augmentation = "strong" if n < 200 else "medium" if n < 2000 else "light"
    plan = TrainingPlan(
        architecture=architecture,
        input_size=(side, side),
        epochs=epochs,
        batch_size=max(2, min(batch, n)),
        learning_rate=2e-3 if detection or not pretrained else 1e-3,
        weight_decay=1e-4 if pretrained else 5e-4,
        warmup_epochs=1.0,
        augmentation=augmentation,
        validation_fraction=0.2 if n < 100 else 0.1,
        patience=max(4, epochs // 3),
        freeze_blocks=3 if pretrained else 0,
        max_detections=100 if detection else 0,
        mixed_precision=device_type == "cuda",
        time_budget_s=None,
    )
    return apply_overrides(plan, overrides or {})


def apply_overrides(plan: TrainingPlan, overrides: Mapping[str, Any]) -> TrainingPlan:
    """``plan`` with some fields replaced (the CLI's and the job's explicit choices).

    Raises:
        ValueError: unknown field, or an unknown architecture.
    """
    known = {f.name for f in fields(TrainingPlan)}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise ValueError(f"unknown training settings {unknown}; allowed: {sorted(known)}")
    values = {key: value for key, value in overrides.items() if value is not None}
    if "input_size" in values:
        size = values["input_size"]
        values["input_size"] = (
            (int(size), int(size)) if isinstance(size, int) else (int(size[0]), int(size[1]))
        )
    if "input_size" in values and any(side < 32 or side % 32 for side in values["input_size"]):
        # Lite0 downsamples by 32; the detector's stride-8 grid must cover the input exactly.
        raise ValueError(f"input_size sides must be multiples of 32, got {list(values['input_size'])}")
    if "architecture" in values and values["architecture"] not in MODELS:
        raise ValueError(f"architecture must be one of {sorted(MODELS)}, got {values['architecture']!r}")
    return replace(plan, **values)
