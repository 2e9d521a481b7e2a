"""PNG plots of an evaluation: the confusion matrix and a precision-recall curve per label.

The console shows no confusion matrix (guide L7440) and the guide draws it with pandas in a
terminal (L7564-7582); a picture beside the summary file is easier to read. Matplotlib runs on the
Agg backend: no display on a training container or a Lambda.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)

from customlabels.evaluation.confusion import ConfusionMatrix  # noqa: E402
from customlabels.evaluation.metrics import LabelMetrics  # noqa: E402

MAX_ANNOTATED_CELLS = 400  # beyond 20x20 the numbers would not fit in the cells


def plot_confusion(matrix: ConfusionMatrix, path: str | Path, title: str = "Confusion matrix") -> Path:
    """Rows predicted, columns ground truth, column-normalised, as in the guide (L7449)."""
    values = matrix.values
    side = max(4.0, 0.45 * max(len(matrix.rows), len(matrix.columns)) + 2)
    figure, axes = plt.subplots(figsize=(side, side))
    image = axes.imshow(values, cmap="Blues", vmin=0.0, vmax=1.0)
    axes.set_xticks(range(len(matrix.columns)), matrix.columns, rotation=90)
    axes.set_yticks(range(len(matrix.rows)), matrix.rows)
    axes.set_xlabel("Ground truth label")
    axes.set_ylabel("Predicted label")
    axes.set_title(title)
    if values.size <= MAX_ANNOTATED_CELLS:
        for row in range(values.shape[0]):
            for column in range(values.shape[1]):
                if matrix.counts[row, column]:
                    color = "white" if values[row, column] > 0.5 else "black"
                    axes.text(
                        column,
                        row,
                        f"{values[row, column]:.0%}",
                        ha="center",
                        va="center",
                        fontsize=7,
                        color=color,
                    )
    figure.colorbar(image, ax=axes, fraction=0.046, pad=0.04)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return Path(path)


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[:80] or "label"


def plot_precision_recall(metrics: LabelMetrics, path: str | Path) -> Path:
    """One label's precision-recall curve with its assumed-threshold operating point marked."""
    figure, axes = plt.subplots(figsize=(4.5, 4))
    curve = metrics.curve
    if len(curve.scores):
        axes.step([0.0, *curve.recall.tolist()], [1.0, *curve.precision.tolist()], where="post")
    point = metrics.operating
    axes.plot(
        [point.recall],
        [point.precision],
        "o",
        color="tab:red",
        label=f"threshold {point.threshold:.3f} (F1 {point.f1:.3f})",
    )
    axes.set_xlim(0, 1.02)
    axes.set_ylim(0, 1.02)
    axes.set_xlabel("Recall")
    axes.set_ylabel("Precision")
    axes.set_title(f"{metrics.label}: AP {metrics.average_precision:.3f}, {metrics.test_images} test images")
    axes.legend(loc="lower left", fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return Path(path)


def plot_all_precision_recall(metrics: Sequence[LabelMetrics], directory: str | Path) -> list[Path]:
    """``pr-<index>-<label>.png`` for every label with test images, in ``directory``.

    The label's index keeps names that differ only in punctuation from sharing a file.
    """
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    return [
        plot_precision_recall(m, target / f"pr-{index:03d}-{_safe(m.label)}.png")
        for index, m in enumerate(metrics)
        if m.test_images > 0
    ]
