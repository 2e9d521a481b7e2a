"""The training job: entries in, exported and evaluated model out.

:func:`run` is the one entrypoint the pipeline calls (the AWS Batch GPU container through
``python -m customlabels.training.train``, or the local Lambda step directly). It chooses the task
from the labels, plans the training (AutoML), trains with a validation split for early stopping,
exports ONNX (``model.onnx`` + ``model.json``), writes ``resolved_config.json``, then runs the
EXPORTED model on the test set to compute the evaluation files and each label's assumed threshold,
which it writes back into ``model.json``.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.utils.data import DataLoader

from customlabels.evaluation.report import DEFAULT_SUMMARY_FILE, EvaluationReport, evaluate_model
from customlabels.training.automl import TrainingPlan, plan_training, profile_dataset
from customlabels.training.data import (
    ClassificationDataset,
    DetectionDataset,
    ImageCache,
    collate_classification,
    collate_detection,
    split_validation,
)
from customlabels.training.entries import Task, TrainingEntry, choose_task
from customlabels.training.export import export_onnx, verify_export
from customlabels.training.modelcard import CONFIG_FILE, DEFAULT_THRESHOLD, MODEL_FILE, ModelCard
from customlabels.training.models import MODELS, ModelSpec, Weights, get_spec
from customlabels.training.presets import (
    ClassificationPresetEval,
    ClassificationPresetTrain,
    DetectionPresetEval,
    DetectionPresetTrain,
)
from customlabels.training.progress import Progress, ProgressCallback, report
from customlabels.training.provenance import entries_digest, resolved_config, training_record
from customlabels.training.trainer import FitResult, fit

EXPORT_TOLERANCE = 1e-3  # full-size models accumulate float error over ~100 layers


@dataclass(frozen=True)
class TrainingResult:
    """What the job produced."""

    task: Task
    labels: list[str]
    output_dir: Path
    model_path: Path
    card_path: Path
    config_path: Path
    fit: FitResult
    evaluation: EvaluationReport | None
    number_of_training_images: int
    number_of_testing_images: int
    durations: dict[str, float]

    @property
    def f1(self) -> float | None:
        """The test F1 (``EvaluationResult.F1Score``), when the job evaluated."""
        return self.evaluation.f1 if self.evaluation else None


def seed_everything(seed: int, device: torch.device) -> None:
    """Seed Python, NumPy and torch; on the CPU also ask torch for deterministic kernels."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    if device.type == "cpu":
        torch.use_deterministic_algorithms(True, warn_only=True)


def _loaders(
    task: Task,
    labels: list[str],
    plan: TrainingPlan,
    spec: ModelSpec,
    train: list[TrainingEntry],
    val: list[TrainingEntry],
    seed: int,
    device: torch.device,
) -> tuple[DataLoader[Any], DataLoader[Any] | None]:
    caches = [ImageCache(entries, plan.input_size) for entries in (train, val)]
    for cache in caches:
        if cache.keep:
            for index in range(len(cache)):
                cache.image(index)
    generator = torch.Generator().manual_seed(seed)
    if task is Task.DETECTION:
        datasets: list[Any] = [
            DetectionDataset(caches[0], labels, DetectionPresetTrain(spec.mean, spec.std, plan.augmentation)),
            DetectionDataset(caches[1], labels, DetectionPresetEval(spec.mean, spec.std)),
        ]
        collate: Any = collate_detection
    else:
        datasets = [
            ClassificationDataset(
                caches[0], labels, task, ClassificationPresetTrain(spec.mean, spec.std, plan.augmentation)
            ),
            ClassificationDataset(caches[1], labels, task, ClassificationPresetEval(spec.mean, spec.std)),
        ]
        collate = collate_classification
    # On a GPU, augmentation in worker processes keeps the device fed; on the CPU the main process
    # is cheaper (no copies of the cache) and keeps the run deterministic.
    workers = min(8, len(os.sched_getaffinity(0))) if device.type == "cuda" else 0
    loading: dict[str, Any] = {
        "num_workers": workers,
        "pin_memory": device.type == "cuda",
        "collate_fn": collate,
    }
    if workers:
        loading["persistent_workers"] = True
    train_loader = DataLoader(
        datasets[0],
        batch_size=plan.batch_size,
        shuffle=True,
        generator=generator,
        drop_last=len(train) > plan.batch_size,
        **loading,
    )
    val_loader = DataLoader(datasets[1], batch_size=plan.batch_size, **loading) if val else None
    return train_loader, val_loader


def run(
    train_entries: Sequence[TrainingEntry],
    test_entries: Sequence[TrainingEntry],
    output_dir: str | Path,
    *,
    seed: int = 0,
    weights_dir: str | None = None,
    progress: ProgressCallback | None = None,
    overrides: Mapping[str, Any] | None = None,
    device: str | None = None,
    threads: int | None = None,
    manifest_hashes: Mapping[str, str] | None = None,
    evaluate: bool = True,
    evaluation_dir: str | Path | None = None,
    project_version_arn: str = "",
    summary_name: str = DEFAULT_SUMMARY_FILE,
    resume: str | Path | None = None,
) -> TrainingResult:
    """Train, export and evaluate a model.

    Args:
        train_entries: the training dataset.
        test_entries: the test dataset (used for evaluation and assumed thresholds only).
        output_dir: receives ``model.onnx``, ``model.json``, ``resolved_config.json``,
            ``checkpoints/`` and (unless ``evaluation_dir`` is given) ``evaluation/``.
        seed: the run's seed; on the CPU, equal seeds give equal weights.
        weights_dir: a directory of pretrained weight files (``CUSTOMLABELS_WEIGHTS_DIR``).
        progress: called with every :class:`Progress` event (also logged).
        overrides: :class:`TrainingPlan` fields to force (e.g. ``{"epochs": 3}``).
        device: "cpu", "cuda" or None (CUDA when available).
        threads: torch CPU threads (None: the CPUs this process may use).
        manifest_hashes: hashes of the source manifests, recorded beside the model.
        evaluate: run the exported model on ``test_entries`` and write the evaluation.
        evaluation_dir: where the evaluation files go.
        project_version_arn: written into the summary file.
        summary_name: the summary file's name.
        resume: a ``checkpoints/last.pt`` to continue from.

    Raises:
        TaskChoiceError: the entries cannot train a model.
        NonFiniteLossError: training diverged.
        ExportError: the ONNX graph does not reproduce the PyTorch model.
    """
    clock = time.perf_counter()
    durations: dict[str, float] = {}
    target = Path(output_dir)
    target.mkdir(parents=True, exist_ok=True)
    torch_device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
    torch.set_num_threads(threads or len(os.sched_getaffinity(0)))
    seed_everything(seed, torch_device)

    choice = choose_task(train_entries, test_entries)
    labels = list(choice.labels)
    lite0_weights = MODELS["efficientnet_lite0"].find_weights(weights_dir)
    profile = profile_dataset(choice)
    plan = plan_training(
        profile, device_type=torch_device.type, pretrained=lite0_weights.pretrained, overrides=overrides
    )
    spec = get_spec(plan.architecture, choice.task)
    weights: Weights = spec.find_weights(weights_dir)
    model = spec.build(len(labels), weights, plan.freeze_blocks).to(torch_device)
    train, val = split_validation(choice.train, choice.task, plan.validation_fraction, seed)
    train_loader, val_loader = _loaders(choice.task, labels, plan, spec, train, val, seed, torch_device)
    durations["prepare_s"] = time.perf_counter() - clock
    report(
        Progress(
            "prepare",
            epochs=plan.epochs,
            elapsed_s=durations["prepare_s"],
            message=f"{choice.task.value} {len(labels)} labels {len(train)} train {len(val)} val "
            f"{len(choice.test)} test, {spec.name} {plan.input_size[0]}x{plan.input_size[1]}, "
            f"weights {weights.source}",
        ),
        progress,
    )

    hashes = dict(manifest_hashes or {})
    hashes.setdefault("train_entries_sha256", entries_digest(choice.train))
    hashes.setdefault("test_entries_sha256", entries_digest(choice.test))
    args = {"seed": seed, "plan": plan.to_json(), "labels": labels, "task": choice.task.value}
    fitted = fit(
        model,
        choice.task,
        plan,
        train_loader,
        val_loader,
        torch_device,
        labels,
        checkpoint_dir=target / "checkpoints",
        args=args,
        resume=resume,
        progress=progress,
        clock_start=clock,
    )
    durations["train_s"] = fitted.seconds - durations["prepare_s"]

    export_started = time.perf_counter()
    card = ModelCard(
        task=choice.task.value,
        labels=labels,
        input_size=list(plan.input_size),
        mean=list(spec.mean),
        std=list(spec.std),
        architecture=spec.name,
        thresholds={label: DEFAULT_THRESHOLD for label in labels},
        max_detections=plan.max_detections,
    )
    model_path = export_onnx(model, card, target)
    card.write(target)  # the evaluation reads it; rewritten below with thresholds and provenance
    export_error = verify_export(model, card, model_path, tolerance=EXPORT_TOLERANCE)
    durations["export_s"] = time.perf_counter() - export_started
    report(
        Progress(
            "export",
            elapsed_s=time.perf_counter() - clock,
            message=f"{MODEL_FILE} max |onnx - torch| = {export_error:.2e}",
        ),
        progress,
    )

    evaluation = None
    if evaluate and choice.test:
        evaluate_started = time.perf_counter()
        evaluation = evaluate_model(
            target,
            choice.test,
            evaluation_dir or target / "evaluation",
            project_version_arn=project_version_arn,
            number_of_training_images=len(choice.train),
            summary_name=summary_name,
            threads=threads or 0,
        )
        card.thresholds = {label: evaluation.thresholds.get(label, DEFAULT_THRESHOLD) for label in labels}
        durations["evaluate_s"] = time.perf_counter() - evaluate_started
        report(
            Progress(
                "evaluate",
                elapsed_s=time.perf_counter() - clock,
                val_metric=evaluation.f1,
                images_per_second=evaluation.images_per_second,
                message=f"test F1 {evaluation.f1:.4f}",
            ),
            progress,
        )
    durations["total_s"] = time.perf_counter() - clock

    card.training = training_record(seed, plan, fitted, hashes, durations, torch_device.type)
    card_path = card.write(target)
    config_path = target / CONFIG_FILE
    config = resolved_config(
        seed=seed,
        choice=choice,
        plan=plan,
        spec=spec,
        weights=weights,
        weights_dir=weights_dir,
        model=model,
        split=(len(train), len(val)),
        profile=profile,
        hashes=hashes,
        fitted=fitted,
        durations=durations,
        device=torch_device.type,
    )
    config_path.write_text(json.dumps(config, indent=2, default=str) + "\n")
    report(
        Progress("done", epochs=plan.epochs, epoch=fitted.epochs_run, elapsed_s=durations["total_s"]),
        progress,
    )
    return TrainingResult(
        task=choice.task,
        labels=labels,
        output_dir=target,
        model_path=model_path,
        card_path=card_path,
        config_path=config_path,
        fit=fitted,
        evaluation=evaluation,
        number_of_training_images=len(choice.train),
        number_of_testing_images=len(choice.test),
        durations=durations,
    )
