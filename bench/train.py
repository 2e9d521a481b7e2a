"""Training benchmark: the AutoML job against simple peers on deterministic offline data.

    python -m bench.train            # classification and detection, full size (make bench-train)
    python -m bench.train --quick    # a smoke run: small subsets, 2 epochs

Classification: the digits at 64x64 RGB, fixed 80/20 split (``bench/datasets.py``); the job
(EfficientNet-Lite0 from the packaged ImageNet weights) against an SVC on the raw 8x8 pixels.
Detection: digits pasted on scikit-image's photographs; the job (FCOS-style detector on Lite0) against a
sliding-window SVC. Metrics come from the exported ONNX model through the evaluation package:
macro F1 of the arg-max label (classification, also the service-style F1 at the assumed
thresholds) and mAP@0.5 (detection). Wall time covers training, export and evaluation.

Prints a markdown table and writes ``bench/results/train-<task>-<machine>-<versions>.csv``. The machine
is shared, so the load average before and after each run is recorded beside the numbers.
"""

from __future__ import annotations

import argparse
import csv
import logging
import os
import platform
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np

# The machine is shared: busy-waiting OpenMP threads that lose their core made 2-thread training
# steps up to 10x slower under load here (measured). Must be set before torch is imported.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from bench.datasets import digits_classification, digits_detection, digits_split
from bench.train_peers import sliding_window_svc, svc_digits
from customlabels.evaluation.predict import predict_entries
from customlabels.evaluation.report import evaluate_predictions
from customlabels.training import job
from customlabels.training.entries import Task, TrainingEntry
from customlabels.training.modelcard import ModelCard

RESULTS = Path(__file__).resolve().parent / "results"
CSV_COLUMNS = (
    "task",
    "model",
    "metric",
    "value",
    "wall_s",
    "train_images_per_s",
    "load_before",
    "load_after",
    "notes",
)


@dataclass
class Row:
    """One line of the results table."""

    task: str
    model: str
    metric: str
    value: float
    wall_s: float
    images_per_s: float | None
    load_before: float
    load_after: float
    notes: str = ""


def _load() -> float:
    return os.getloadavg()[0]


def macro_f1(predicted: np.ndarray, actual: np.ndarray) -> float:
    """Unweighted mean over the classes present in ``actual`` of the per-class F1."""
    scores = []
    for label in np.unique(actual):
        tp = int(np.sum((predicted == label) & (actual == label)))
        scores.append(2 * tp / (int(np.sum(predicted == label)) + int(np.sum(actual == label))))
    return float(np.mean(scores))


def _run_job(
    train: list[TrainingEntry],
    test: list[TrainingEntry],
    out: Path,
    threads: int,
    overrides: dict[str, object],
) -> tuple[job.TrainingResult, float, float, float]:
    before, started = _load(), time.perf_counter()
    result = job.run(train, test, out, seed=0, threads=threads, overrides=overrides)
    return result, time.perf_counter() - started, before, _load()


def classification(data: Path, out: Path, quick: bool, threads: int) -> list[Row]:
    train, test = digits_classification(data)
    overrides: dict[str, object] = {"epochs": 2} if quick else {}
    if quick:
        train, test = train[::8], test[::4]
    result, wall, before, after = _run_job(train, test, out / "classification", threads, overrides)
    card, predictions = predict_entries(result.output_dir, test)
    chosen = np.asarray([int(card.labels[int(np.argmax(p.scores))]) for p in predictions])
    actual = np.asarray([int(e.labels[0]) for e in test])
    fitted = result.fit
    notes = f"service F1 at assumed thresholds {result.f1:.4f}; {fitted.epochs_run} epochs ({fitted.stopped})"
    model = f"{card.architecture} {card.input_size[0]}px (ONNX)"
    score = macro_f1(chosen, actual)
    rows = [
        Row(
            "classification",
            model,
            "macro F1 (arg-max)",
            score,
            wall,
            fitted.images_per_second,
            before,
            after,
            notes,
        )
    ]
    train_split, test_split = digits_split()  # the peer always gets the full split: it takes 0.1 s
    before = _load()
    predicted, seconds = svc_digits(train_split.images, train_split.labels, test_split.images)
    score = macro_f1(predicted, test_split.labels)
    rows.append(
        Row(
            "classification",
            "SVC, raw 8x8 pixels",
            "macro F1 (arg-max)",
            score,
            seconds,
            None,
            before,
            _load(),
        )
    )
    return rows


def detection(data: Path, out: Path, quick: bool, threads: int) -> list[Row]:
    train, test = digits_detection(data, *((60, 20) if quick else (600, 150)))
    overrides: dict[str, object] = {"epochs": 2} if quick else {}
    result, wall, before, after = _run_job(train, test, out / "detection", threads, overrides)
    assert result.evaluation is not None
    card = ModelCard.read(result.output_dir)
    fitted = result.fit
    notes = f"F1 at assumed thresholds {result.f1:.4f}; {fitted.epochs_run} epochs ({fitted.stopped})"
    model = f"{card.architecture} {card.input_size[0]}px (ONNX)"
    score = result.evaluation.overall.average_precision
    rows = [Row("detection", model, "mAP@0.5", score, wall, fitted.images_per_second, before, after, notes)]
    before = _load()
    peer = sliding_window_svc(train[:150] if quick else train, test)
    labels = [str(i) for i in range(10)]
    peer_report = evaluate_predictions(test, peer.predictions, labels, Task.DETECTION)
    notes = f"F1 at assumed thresholds {peer_report.f1:.4f}"
    score = peer_report.overall.average_precision
    rows.append(Row("detection", peer.name, "mAP@0.5", score, peer.seconds, None, before, _load(), notes))
    return rows


def machine_name() -> str:
    """Machine and versions, for the results file name."""
    cores = len(os.sched_getaffinity(0))
    versions = "-".join(f"{name}{metadata.version(name)}" for name in ("torch", "onnxruntime"))
    return f"{platform.machine()}-{cores}cpu-py{platform.python_version()}-{versions}"


def write(rows: list[Row], quick: bool) -> list[Path]:
    """The markdown table on stdout and one CSV per task under ``bench/results``."""
    print("| task | model | metric | value | wall time (s) | train images/s | load before/after | notes |")
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        speed = f"{row.images_per_s:.1f}" if row.images_per_s else "-"
        load = f"{row.load_before:.1f}/{row.load_after:.1f}"
        cells = (
            row.task,
            row.model,
            row.metric,
            f"{row.value:.4f}",
            f"{row.wall_s:.1f}",
            speed,
            load,
            row.notes,
        )
        print("| " + " | ".join(cells) + " |")
    RESULTS.mkdir(exist_ok=True)
    paths = []
    for task in sorted({row.task for row in rows}):
        path = RESULTS / f"train-{task}-{machine_name()}{'-quick' if quick else ''}.csv"
        _write_csv(path, [row for row in rows if row.task == task])
        paths.append(path)
    return paths


def _write_csv(path: Path, rows: list[Row]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for row in rows:
            speed = f"{row.images_per_s:.1f}" if row.images_per_s else ""
            values = (
                f"{row.value:.4f}",
                f"{row.wall_s:.1f}",
                speed,
                f"{row.load_before:.2f}",
                f"{row.load_after:.2f}",
            )
            writer.writerow([row.task, row.model, row.metric, *values, row.notes])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small subsets and 2 epochs (a smoke run)")
    parser.add_argument("--task", choices=("classification", "detection", "all"), default="all")
    parser.add_argument("--data-dir", default="/tmp/customlabels-bench/data")
    parser.add_argument("--out-dir", default="/tmp/customlabels-bench/runs")
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    data, out = Path(args.data_dir), Path(args.out_dir)
    rows: list[Row] = []
    if args.task in ("classification", "all"):
        rows += classification(data, out, args.quick, args.threads)
    if args.task in ("detection", "all"):
        rows += detection(data, out, args.quick, args.threads)
    for path in write(rows, args.quick):
        print(f"results: {path}")


if __name__ == "__main__":
    main()
