"""One training epoch and one validation pass, as in torchvision's reference ``engine.py``.

``train_one_epoch`` stops the job at the first non-finite loss (``NonFiniteLossError``) rather
than training on garbage; ``evaluate`` returns the validation metric the early stopping watches:
macro F1 of the arg-max label (single-label), macro F1 at each label's best threshold
(multi-label), mAP@0.5 (detection), all computed with :mod:`customlabels.evaluation.metrics`.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from customlabels.evaluation.metrics import aggregate, classification_metrics, detection_metrics
from customlabels.evaluation.samples import GroundTruth, Prediction
from customlabels.training.detector import decode, detection_loss
from customlabels.training.entries import Task


class NonFiniteLossError(RuntimeError):
    """The loss became NaN or infinite; the learning rate is likely too high for this data."""


@dataclass(frozen=True)
class EpochStats:
    """What one epoch did."""

    loss: float
    images: int
    seconds: float

    @property
    def images_per_second(self) -> float:
        return self.images / self.seconds if self.seconds > 0 else 0.0


def compute_loss(task: Task, outputs: Any, batch: dict[str, Any]) -> torch.Tensor:
    """The training loss of one batch for ``task``."""
    if task is Task.DETECTION:
        return detection_loss(outputs, batch["targets"])
    if task is Task.MULTI_LABEL:
        return F.binary_cross_entropy_with_logits(outputs.float(), batch["targets"])
    return F.cross_entropy(outputs.float(), batch["targets"])


def _to_device(batch: dict[str, Any], device: torch.device) -> dict[str, Any]:
    moved: dict[str, Any] = {}
    for key, value in batch.items():
        if isinstance(value, torch.Tensor):
            moved[key] = value.to(device, non_blocking=True)
        elif isinstance(value, dict):
            moved[key] = {k: v.to(device, non_blocking=True) for k, v in value.items()}
        else:
            moved[key] = value
    return moved


def _autocast(device: torch.device, enabled: bool) -> contextlib.AbstractContextManager[Any]:
    if enabled and device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.float16)
    return contextlib.nullcontext()


def train_one_epoch(
    model: nn.Module,
    task: Task,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    loader: Iterable[dict[str, Any]],
    device: torch.device,
    *,
    scaler: torch.amp.GradScaler | None = None,
    on_step: Callable[[int, float], None] | None = None,
) -> EpochStats:
    """Train for one pass over ``loader`` (the scheduler steps every batch).

    Raises:
        NonFiniteLossError: a batch produced a NaN or infinite loss.
    """
    model.train()
    total_loss, images, started = 0.0, 0, time.perf_counter()
    for step, raw in enumerate(loader):
        batch = _to_device(raw, device)
        with _autocast(device, scaler is not None):
            loss = compute_loss(task, model(batch["images"]), batch)
        value = float(loss.detach())
        if not math.isfinite(value):
            raise NonFiniteLossError(f"loss is {value} at step {step}; stopping training")
        optimizer.zero_grad(set_to_none=True)
        if scaler is not None:
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
        else:
            loss.backward()
            optimizer.step()
        scheduler.step()
        count = int(batch["images"].shape[0])
        total_loss += value * count
        images += count
        if on_step is not None:
            on_step(step, value)
    return EpochStats(total_loss / max(images, 1), images, time.perf_counter() - started)


@torch.no_grad()
def predict_batches(
    model: nn.Module,
    task: Task,
    loader: Iterable[dict[str, Any]],
    device: torch.device,
    max_detections: int = 100,
) -> tuple[list[Prediction], list[GroundTruth]]:
    """PyTorch predictions and ground truths over a loader, in the evaluation's types."""
    model.eval()
    predictions: list[Prediction] = []
    truths: list[GroundTruth] = []
    for raw in loader:
        batch = _to_device(raw, device)
        images = batch["images"]
        if task is Task.DETECTION:
            maps = model(images)
            height, width = images.shape[-2:]
            scale = torch.tensor([width, height, width, height], dtype=torch.float32)
            for i in range(images.shape[0]):
                one = [m[i : i + 1].float() for m in maps]
                boxes, scores, labels = decode(one[0], one[1], one[2], max_detections)
                predictions.append(
                    Prediction(scores.cpu().numpy(), boxes.cpu().numpy(), labels.cpu().numpy())
                )
                true_boxes = (raw["boxes"][i] / scale).numpy()
                true_labels = raw["labels"][i].numpy()
                truths.append(GroundTruth(frozenset(true_labels.tolist()), true_boxes, true_labels))
            continue
        logits = model(images).float()
        scores = torch.sigmoid(logits) if task is Task.MULTI_LABEL else torch.softmax(logits, dim=1)
        targets = raw["targets"]
        for i in range(images.shape[0]):
            predictions.append(Prediction(scores[i].cpu().numpy()))
            if task is Task.MULTI_LABEL:
                present = frozenset(np.flatnonzero(targets[i].numpy() > 0.5).tolist())
            else:
                present = frozenset([int(targets[i])]) if int(targets[i]) >= 0 else frozenset()
            truths.append(GroundTruth(labels=present))
    return predictions, truths


def evaluate(
    model: nn.Module,
    task: Task,
    loader: Iterable[dict[str, Any]],
    device: torch.device,
    labels: list[str],
) -> float:
    """The validation metric early stopping maximises (see the module docstring)."""
    predictions, truths = predict_batches(model, task, loader, device)
    if task is Task.DETECTION:
        return aggregate(detection_metrics(predictions, truths, labels)).average_precision
    if task is Task.MULTI_LABEL:
        return aggregate(classification_metrics(predictions, truths, labels)).f1
    return _argmax_macro_f1(predictions, truths, len(labels))


def _argmax_macro_f1(predictions: list[Prediction], truths: list[GroundTruth], num_labels: int) -> float:
    chosen = np.asarray([int(np.argmax(p.scores)) for p in predictions])
    actual = np.asarray([next(iter(t.labels)) if t.labels else -1 for t in truths])
    scores = []
    for label in range(num_labels):
        tp = int(np.sum((chosen == label) & (actual == label)))
        predicted, present = int(np.sum(chosen == label)), int(np.sum(actual == label))
        if present:
            scores.append(2 * tp / (predicted + present))
    return float(np.mean(scores)) if scores else 0.0
