"""The epoch loop: optimiser, schedule, early stopping on the validation split, checkpoints, budget.

AdamW with linear warm-up then cosine decay (no weight decay on biases and norms), evaluated
after every epoch; the weights of the best validation epoch are the ones exported. Patience
counts epochs without a real improvement, but an equal metric still moves the kept weights to
the later (longer-trained) epoch. A time budget (the local Lambda step has 15 minutes) stops the
loop before an epoch that would overrun it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sized
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from customlabels.training.automl import TrainingPlan
from customlabels.training.checkpoint import LAST, load_checkpoint, restore_rng, rng_state, save_checkpoint
from customlabels.training.engine import evaluate, train_one_epoch
from customlabels.training.entries import Task
from customlabels.training.progress import Progress, ProgressCallback, report

MIN_DELTA = 1e-4
HEARTBEAT_S = 60.0


@dataclass
class FitResult:
    """How the loop ended."""

    best_metric: float | None
    best_epoch: int
    epochs_run: int
    images_per_second: float
    seconds: float
    stopped: str  # "completed" | "early_stopping" | "time_budget"
    history: list[dict[str, Any]] = field(default_factory=list)


def build_optimizer(model: nn.Module, plan: TrainingPlan) -> torch.optim.AdamW:
    """AdamW over the trainable parameters; biases and norm weights get no weight decay."""
    decay: list[nn.Parameter] = []
    no_decay: list[nn.Parameter] = []
    for parameter in model.parameters():
        if parameter.requires_grad:
            (no_decay if parameter.ndim <= 1 else decay).append(parameter)
    return torch.optim.AdamW(
        [{"params": decay, "weight_decay": plan.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=plan.learning_rate,
    )


def build_scheduler(
    optimizer: torch.optim.Optimizer,
    plan: TrainingPlan,
    steps_per_epoch: int,
) -> torch.optim.lr_scheduler.LambdaLR:
    """Per-step linear warm-up for ``warmup_epochs``, then cosine decay to 1% of the rate."""
    total = max(1, plan.epochs * steps_per_epoch)
    warmup = min(total - 1, int(plan.warmup_epochs * steps_per_epoch))

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / (warmup + 1)
        progress = (step - warmup) / max(1, total - warmup)
        return 0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * min(progress, 1.0)))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


class _Heartbeat:
    """Reports progress inside long epochs, at most every :data:`HEARTBEAT_S` seconds."""

    def __init__(
        self, epoch: int, epochs: int, steps: int, started: float, progress: ProgressCallback | None
    ):
        self.epoch, self.epochs, self.steps, self.started, self.progress = (
            epoch,
            epochs,
            steps,
            started,
            progress,
        )
        self.epoch_started = self.last = time.perf_counter()

    def __call__(self, step: int, loss: float) -> None:
        now = time.perf_counter()
        if now - self.last < HEARTBEAT_S:
            return
        self.last = now
        done = (step + 1) / max(self.steps, 1)
        left = (now - self.epoch_started) * (1 / done - 1)
        report(
            Progress(
                "train",
                self.epoch,
                self.epochs,
                loss,
                elapsed_s=now - self.started,
                eta_s=left,
                message=f"step {step + 1}/{self.steps} (eta_s: this epoch)",
            ),
            self.progress,
        )


def _copy_state(model: nn.Module) -> dict[str, torch.Tensor]:
    return {key: value.detach().clone() for key, value in model.state_dict().items()}


def fit(
    model: nn.Module,
    task: Task,
    plan: TrainingPlan,
    train_loader: Iterable[dict[str, Any]],
    val_loader: Iterable[dict[str, Any]] | None,
    device: torch.device,
    labels: list[str],
    *,
    checkpoint_dir: str | Path,
    args: dict[str, Any],
    resume: str | Path | None = None,
    progress: ProgressCallback | None = None,
    clock_start: float | None = None,
) -> FitResult:
    """Train ``model`` in place and leave the best validation epoch's weights in it.

    Raises:
        NonFiniteLossError: from :func:`train_one_epoch`.
    """
    started = clock_start if clock_start is not None else time.perf_counter()
    steps = len(train_loader) if isinstance(train_loader, Sized) else 1
    optimizer = build_optimizer(model, plan)
    scheduler = build_scheduler(optimizer, plan, steps)
    scaler = torch.amp.GradScaler("cuda") if plan.mixed_precision and device.type == "cuda" else None
    first_epoch, best, best_epoch, stale = 0, -math.inf, -1, 0
    best_state = _copy_state(model)
    history: list[dict[str, Any]] = []
    shuffle: torch.Generator | None = getattr(train_loader, "generator", None)
    if resume:
        state = load_checkpoint(resume)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        if scaler is not None and state.get("scaler"):
            scaler.load_state_dict(state["scaler"])
        first_epoch, best, best_epoch = state["epoch"] + 1, state["best_metric"], state["best_epoch"]
        stale, best_state, history = state["stale"], state["best_model"], state["history"]
        restore_rng(state["rng"])
        if shuffle is not None and state.get("loader_rng") is not None:
            shuffle.set_state(state["loader_rng"])
    images, train_seconds, stopped, epoch = 0, 0.0, "completed", first_epoch - 1
    for epoch in range(first_epoch, plan.epochs):
        epoch_started = time.perf_counter()
        heartbeat = _Heartbeat(epoch + 1, plan.epochs, steps, started, progress)
        stats = train_one_epoch(
            model, task, optimizer, scheduler, train_loader, device, scaler=scaler, on_step=heartbeat
        )
        metric = evaluate(model, task, val_loader, device, labels) if val_loader is not None else None
        images += stats.images
        train_seconds += stats.seconds
        score = metric if metric is not None else float(epoch)  # no validation: keep the last epoch
        if score >= best:
            stale = 0 if score > best + MIN_DELTA else stale + 1
            best, best_epoch, best_state = score, epoch, _copy_state(model)
        else:
            stale += 1
        epoch_seconds = time.perf_counter() - epoch_started
        elapsed = time.perf_counter() - started
        history.append(
            {
                "epoch": epoch + 1,
                "loss": stats.loss,
                "val_metric": metric,
                "images_per_s": stats.images_per_second,
                "seconds": epoch_seconds,
            }
        )
        save_checkpoint(
            Path(checkpoint_dir) / LAST,
            {
                "model": model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(),
                "scaler": scaler.state_dict() if scaler is not None else None,
                "epoch": epoch,
                "args": args,
                "best_metric": best,
                "best_epoch": best_epoch,
                "stale": stale,
                "best_model": best_state,
                "history": history,
                "rng": rng_state(),
                "loader_rng": shuffle.get_state() if shuffle is not None else None,
            },
        )
        report(
            Progress(
                "train",
                epoch + 1,
                plan.epochs,
                stats.loss,
                metric,
                stats.images_per_second,
                elapsed,
                eta_s=epoch_seconds * (plan.epochs - epoch - 1),
            ),
            progress,
        )
        if val_loader is not None and stale >= plan.patience:
            stopped = "early_stopping"
            break
        if plan.time_budget_s and elapsed + epoch_seconds > plan.time_budget_s:
            stopped = "time_budget"
            break
    model.load_state_dict(best_state)
    return FitResult(
        best_metric=best if val_loader is not None and best > -math.inf else None,
        best_epoch=best_epoch + 1,
        epochs_run=epoch + 1,
        images_per_second=images / train_seconds if train_seconds else 0.0,
        seconds=time.perf_counter() - started,
        stopped=stopped,
        history=history,
    )
