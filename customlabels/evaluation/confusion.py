"""Confusion matrices (guide L7436-7678).

Orientation and normalisation follow the guide's rooms example (L7463-7475), which is consistent
only one way: rows are predicted labels, columns ground-truth labels, and each cell is the share
of the column's test images that got the row's prediction, so columns sum to 1 and the diagonal
is each label's arg-max recall.

- Single-label: the prediction is the arg-max label (every image gets one).
- Multi-label (the guide gives no rule): a cell counts the images of the column's label on which
  the row's label scored at or above its assumed threshold; columns need not sum to 1.
- Detection (not in the summary file: the guide has it for classification only, L7440): boxes
  above their label's threshold are matched to ground truth across labels at IoU >= 0.5; an
  unmatched ground-truth box is predicted ``background``, an unmatched prediction has ground truth
  ``background``. Columns are normalised by their box count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from customlabels.evaluation.matching import match_boxes
from customlabels.evaluation.samples import GroundTruth, Prediction
from customlabels.training.entries import Task

BACKGROUND = "background"


@dataclass(frozen=True)
class ConfusionMatrix:
    """Counts with rows = predicted label, columns = ground-truth label."""

    rows: list[str]
    columns: list[str]
    counts: np.ndarray

    @property
    def values(self) -> np.ndarray:
        """Counts divided by their column's total (0 where a column is empty)."""
        totals = self.counts.sum(axis=0, keepdims=True).astype(np.float64)
        return np.divide(self.counts, totals, out=np.zeros(self.counts.shape), where=totals > 0)

    def cells(self) -> list[dict[str, Any]]:
        """The summary file's ``ConfusionMatrix`` list, every (ground truth, predicted) pair."""
        values = self.values
        return [
            {"GroundTruthLabel": column, "PredictedLabel": row, "Value": float(values[r, c])}
            for c, column in enumerate(self.columns)
            for r, row in enumerate(self.rows)
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "PredictedLabels": self.rows,
            "GroundTruthLabels": self.columns,
            "Counts": self.counts.astype(int).tolist(),
            "Values": self.values.tolist(),
        }


def classification_confusion(
    predictions: Sequence[Prediction],
    truths: Sequence[GroundTruth],
    labels: Sequence[str],
    task: Task,
    thresholds: Mapping[str, float],
) -> ConfusionMatrix:
    """The classification matrix over the labels that have test images (columns)."""
    counts = np.zeros((len(labels), len(labels)), dtype=np.int64)
    minimum = np.asarray([thresholds.get(label, 0.5) for label in labels])
    for prediction, truth in zip(predictions, truths, strict=True):
        if task is Task.SINGLE_LABEL:
            predicted = [int(np.argmax(prediction.scores))]
        else:
            predicted = np.flatnonzero(prediction.scores >= minimum).tolist()
        for column in truth.labels:
            for row in predicted:
                counts[row, column] += 1
    present = [i for i in range(len(labels)) if any(i in t.labels for t in truths)]
    return ConfusionMatrix(list(labels), [labels[i] for i in present], counts[:, present])


def detection_confusion(
    predictions: Sequence[Prediction],
    truths: Sequence[GroundTruth],
    labels: Sequence[str],
    thresholds: Mapping[str, float],
) -> ConfusionMatrix:
    """The detection matrix with a ``background`` row and column."""
    size = len(labels) + 1
    background = len(labels)
    counts = np.zeros((size, size), dtype=np.int64)
    minimum = np.asarray([thresholds.get(label, 0.5) for label in labels])
    for prediction, truth in zip(predictions, truths, strict=True):
        keep = (
            prediction.scores >= minimum[prediction.labels] if len(prediction.labels) else np.zeros(0, bool)
        )
        boxes, scores, kinds = prediction.boxes[keep], prediction.scores[keep], prediction.labels[keep]
        matched = match_boxes(boxes, scores, kinds, truth.boxes, truth.box_labels, same_label=False)
        for kind, target in zip(kinds, matched, strict=True):
            column = int(truth.box_labels[target]) if target >= 0 else background
            counts[int(kind), column] += 1
        found = set(matched[matched >= 0].tolist())
        for index, kind in enumerate(truth.box_labels):
            if index not in found:
                counts[background, int(kind)] += 1
    names = [*labels, BACKGROUND]
    return ConfusionMatrix(names, names, counts)
