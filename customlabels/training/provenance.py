"""What sits beside a model so that it can be reproduced: seed, plan, data hashes, versions, timings.

``model.json`` carries a short ``training`` record (the serving side shows it; the guide's console
shows training time and dataset sizes); ``resolved_config.json`` carries everything: the resolved
plan (every AutoML choice, usable as overrides to rerun), the weights used, the data split and
label counts, the hashes of the manifests and of the entries, package versions, the runtime and
the per-epoch history.
"""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from importlib import metadata
from typing import Any

import torch
from torch import nn

from customlabels.training.automl import DatasetProfile, TrainingPlan
from customlabels.training.entries import TaskChoice, TrainingEntry, label_counts
from customlabels.training.models import ModelSpec, Weights, count_parameters
from customlabels.training.trainer import FitResult

VERSIONED_PACKAGES = ("torch", "torchvision", "onnx", "onnxruntime", "numpy", "pillow")


def package_versions() -> dict[str, str]:
    """Versions of Python and the packages that decide the numbers."""
    versions = {"python": platform.python_version()}
    for name in VERSIONED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


def entries_digest(entries: Sequence[TrainingEntry]) -> str:
    """SHA-256 of the entries (paths, labels, boxes): identifies the exact data a model saw."""
    digest = hashlib.sha256()
    for entry in entries:
        digest.update(json.dumps(asdict(entry), sort_keys=True).encode())
    return digest.hexdigest()


def training_record(
    seed: int,
    plan: TrainingPlan,
    fitted: FitResult,
    hashes: Mapping[str, str],
    durations: Mapping[str, float],
    device: str,
) -> dict[str, Any]:
    """The ``training`` object of ``model.json``."""
    return {
        "seed": seed,
        "epochs": fitted.epochs_run,
        "best_epoch": fitted.best_epoch,
        "stopped": fitted.stopped,
        "hyperparameters": plan.to_json(),
        "manifest_hashes": dict(hashes),
        "package_versions": package_versions(),
        "durations": {key: round(value, 3) for key, value in durations.items()},
        "images_per_second": round(fitted.images_per_second, 1),
        "device": device,
    }


def resolved_config(
    *,
    seed: int,
    choice: TaskChoice,
    plan: TrainingPlan,
    spec: ModelSpec,
    weights: Weights,
    weights_dir: str | None,
    model: nn.Module,
    split: tuple[int, int],
    profile: DatasetProfile,
    hashes: Mapping[str, str],
    fitted: FitResult,
    durations: Mapping[str, float],
    device: str,
) -> dict[str, Any]:
    """The content of ``resolved_config.json``; ``split`` is (training, validation) image counts."""
    return {
        "seed": seed,
        "task": choice.task.value,
        "labels": list(choice.labels),
        "plan": plan.to_json(),
        "model": {
            "architecture": spec.name,
            "parameters": count_parameters(model),
            "gmacs_reference": spec.gmacs,
            "weights_source": weights.source,
            "weights_path": weights.path,
            "weights_dir": weights_dir,
        },
        "data": {
            "train": split[0],
            "validation": split[1],
            "test": len(choice.test),
            "label_counts": label_counts(choice.train, choice.task),
            "profile": asdict(profile),
        },
        "manifest_hashes": dict(hashes),
        "package_versions": package_versions(),
        "runtime": {
            "device": device,
            "threads": torch.get_num_threads(),
            "deterministic": device == "cpu",
            "platform": platform.platform(),
        },
        "fit": {
            "best_metric": fitted.best_metric,
            "best_epoch": fitted.best_epoch,
            "epochs_run": fitted.epochs_run,
            "stopped": fitted.stopped,
            "history": fitted.history,
        },
        "durations": dict(durations),
    }
