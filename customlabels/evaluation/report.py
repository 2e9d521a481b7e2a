"""Evaluate a trained model on the test set and write every evaluation file.

:func:`evaluate_predictions` is pure (predictions and ground truth in, report out);
:func:`evaluate_model` runs the exported ONNX model over the test entries
(:mod:`customlabels.evaluation.predict`) and writes, into one directory:

- the summary file (:data:`summary.summary_file_name` form, or ``summary_name``),
- the evaluation manifest snapshot (:data:`SNAPSHOT_FILE`),
- ``confusion_matrix.json`` and ``confusion_matrix.png``,
- ``plots/pr-<n>-<label>.png``, one precision-recall curve per label.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from customlabels.evaluation.confusion import ConfusionMatrix, classification_confusion, detection_confusion
from customlabels.evaluation.metrics import (
    Aggregate,
    LabelMetrics,
    aggregate,
    classification_metrics,
    detection_matches,
    detection_metrics,
)
from customlabels.evaluation.plots import plot_all_precision_recall, plot_confusion
from customlabels.evaluation.predict import predict_entries
from customlabels.evaluation.samples import GroundTruth, Prediction, ground_truth
from customlabels.evaluation.snapshot import snapshot_lines, write_snapshot
from customlabels.evaluation.summary import build_summary
from customlabels.training.entries import Task, TrainingEntry

log = logging.getLogger(__name__)

DEFAULT_SUMMARY_FILE = "evaluation_summary.json"
# The guide names no file for the snapshot; this follows its validation manifests' naming.
SNAPSHOT_FILE = "testing_manifest_snapshot.manifest"
CONFUSION_JSON = "confusion_matrix.json"
CONFUSION_PNG = "confusion_matrix.png"
PLOTS_DIR = "plots"


@dataclass
class EvaluationReport:
    """Everything computed from one set of predictions."""

    task: Task
    labels: list[str]
    label_metrics: list[LabelMetrics]
    overall: Aggregate
    thresholds: dict[str, float]
    confusion: ConfusionMatrix
    summary: dict[str, Any]
    snapshot: list[dict[str, Any]]
    files: dict[str, Path] = field(default_factory=dict)
    images_per_second: float = 0.0

    @property
    def f1(self) -> float:
        """The model-level F1 that ``DescribeProjectVersions`` returns in ``EvaluationResult``."""
        return self.overall.f1


def evaluate_predictions(
    entries: Sequence[TrainingEntry],
    predictions: Sequence[Prediction],
    labels: Sequence[str],
    task: Task,
    *,
    project_version_arn: str = "",
    number_of_training_images: int = 0,
) -> EvaluationReport:
    """Metrics, assumed thresholds, confusion matrix, summary and snapshot for predictions.

    Raises:
        ValueError: ``entries`` and ``predictions`` differ in length.
    """
    if len(entries) != len(predictions):
        raise ValueError(f"got {len(predictions)} predictions for {len(entries)} test entries")
    truths: list[GroundTruth] = [
        ground_truth(e, labels, task, p.image_size) for e, p in zip(entries, predictions, strict=True)
    ]
    matches: list[np.ndarray] | None = None
    if task is Task.DETECTION:
        matches = detection_matches(predictions, truths)
        label_metrics = detection_metrics(predictions, truths, labels, matches)
    else:
        label_metrics = classification_metrics(predictions, truths, labels)
    thresholds = {m.label: m.threshold for m in label_metrics}
    if task is Task.DETECTION:
        confusion = detection_confusion(predictions, truths, labels, thresholds)
    else:
        confusion = classification_confusion(predictions, truths, labels, task, thresholds)
    overall = aggregate(label_metrics)
    summary = build_summary(
        task=task,
        labels=labels,
        label_metrics=label_metrics,
        overall=overall,
        confusion=confusion,
        project_version_arn=project_version_arn,
        number_of_training_images=number_of_training_images,
        number_of_testing_images=len(entries),
    )
    snapshot = snapshot_lines(
        entries,
        predictions,
        truths,
        labels,
        task,
        thresholds,
        matches,
        summary["EvaluationDetails"]["EvaluationEndTimestamp"],
    )
    return EvaluationReport(
        task, list(labels), label_metrics, overall, thresholds, confusion, summary, snapshot
    )


def write_report(
    report: EvaluationReport,
    output_dir: str | Path,
    *,
    summary_name: str = DEFAULT_SUMMARY_FILE,
    plots: bool = True,
) -> dict[str, Path]:
    """Write the report's files into ``output_dir``; returns them by kind."""
    target = Path(output_dir)
    target.mkdir(parents=True, exist_ok=True)
    files = {
        "summary": target / summary_name,
        "snapshot": target / SNAPSHOT_FILE,
        "confusion_json": target / CONFUSION_JSON,
    }
    files["summary"].write_text(json.dumps(report.summary, indent=2) + "\n")
    write_snapshot(files["snapshot"], report.snapshot)
    files["confusion_json"].write_text(json.dumps(report.confusion.to_json()) + "\n")
    if plots:
        kind = "detection (boxes)" if report.task is Task.DETECTION else "classification"
        files["confusion_png"] = plot_confusion(
            report.confusion, target / CONFUSION_PNG, title=f"Confusion matrix, {kind}"
        )
        plot_all_precision_recall(report.label_metrics, target / PLOTS_DIR)
        files["plots"] = target / PLOTS_DIR
    report.files = files
    return files


def evaluate_model(
    model_dir: str | Path,
    test_entries: Sequence[TrainingEntry],
    output_dir: str | Path,
    *,
    project_version_arn: str = "",
    number_of_training_images: int = 0,
    summary_name: str = DEFAULT_SUMMARY_FILE,
    plots: bool = True,
    threads: int = 0,
    on_image: Callable[[int, int, float], None] | None = None,
) -> EvaluationReport:
    """Run ``model_dir``'s ONNX model over ``test_entries``, compute and write the evaluation.

    Raises:
        ValueError: there are no test entries, or ``model.json`` is unreadable.
        FileNotFoundError: the model files or a test image are missing.
    """
    if not test_entries:
        raise ValueError("the test dataset has no usable entries to evaluate on")
    started = time.perf_counter()
    card, predictions = predict_entries(model_dir, test_entries, threads=threads, on_image=on_image)
    seconds = time.perf_counter() - started
    report = evaluate_predictions(
        test_entries,
        predictions,
        card.labels,
        Task(card.task),
        project_version_arn=project_version_arn,
        number_of_training_images=number_of_training_images,
    )
    report.images_per_second = len(test_entries) / seconds if seconds > 0 else 0.0
    write_report(report, output_dir, summary_name=summary_name, plots=plots)
    log.info(
        "evaluation images=%d f1=%.4f images_per_s=%.1f",
        len(test_entries),
        report.f1,
        report.images_per_second,
    )
    return report
