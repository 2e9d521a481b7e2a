"""Per-label precision, recall, F1, assumed threshold and average precision (guide L6997-7078).

- A prediction counts when its confidence reaches the label's threshold (L7013); TP/FP/FN as
  L7015-7018, per image and label for classification, per box for detection (L7022).
- The assumed threshold of a label is the one that gave the best F1 on the test set (L7030).
  Every distinct score is tried as a cut-off; the reported threshold is that score (a prediction
  with confidence >= threshold counts). Ties in F1 go to the lower threshold (more recall).
  A label the model never predicts gets :data:`FALLBACK_THRESHOLD` and zero metrics.
- Precision, recall and F1 of a label are taken at its threshold (L7042, L7052, L7064).
- The model-level Precision, Recall and F1Score are the unweighted means over the labels that
  have test images: the guide's summary example equals the per-label means to every digit (L7196).
- Detection (not defined by the guide, L7143-7147): ``AveragePrecision`` is the mean over labels of
  all-point interpolated AP at IoU 0.5 (PASCAL VOC 2010+); ``AverageRecall`` is the mean over labels
  of the recall reached by all the boxes the model returns (up to ``max_detections`` an image).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from customlabels.evaluation.matching import IOU_THRESHOLD, match_boxes
from customlabels.evaluation.samples import GroundTruth, Prediction

FALLBACK_THRESHOLD = 0.5


@dataclass(frozen=True)
class Curve:
    """Scores in falling order with the cumulative TP and FP counts at each cut."""

    scores: np.ndarray
    true_positives: np.ndarray
    false_positives: np.ndarray
    positives: int

    @property
    def precision(self) -> np.ndarray:
        return self.true_positives / np.maximum(self.true_positives + self.false_positives, 1)

    @property
    def recall(self) -> np.ndarray:
        return self.true_positives / max(self.positives, 1)


def build_curve(
    scores: Sequence[float] | np.ndarray, correct: Sequence[bool] | np.ndarray, positives: int
) -> Curve:
    """The precision/recall curve of scored predictions.

    Args:
        scores: confidence of each prediction.
        correct: whether each prediction is a true positive.
        positives: number of ground-truth positives (TP + FN at threshold 0).
    """
    scores = np.asarray(scores, dtype=np.float64)
    order = np.argsort(-scores, kind="stable")
    hits = np.asarray(correct, dtype=bool)[order]
    return Curve(scores[order], np.cumsum(hits), np.cumsum(~hits), int(positives))


@dataclass(frozen=True)
class Operating:
    """Counts and metrics at one threshold."""

    threshold: float
    true_positives: int
    false_positives: int
    false_negatives: int
    precision: float
    recall: float
    f1: float


def _cut_points(curve: Curve) -> np.ndarray:
    """Indices of the last prediction of each run of equal scores (the only valid cuts)."""
    if len(curve.scores) == 0:
        return np.zeros(0, dtype=np.int64)
    last_of_run = np.append(curve.scores[1:] != curve.scores[:-1], True)
    return np.flatnonzero(last_of_run)


def best_f1(curve: Curve) -> Operating:
    """The operating point with the highest F1 (guide L7030: the assumed threshold)."""
    cuts = _cut_points(curve)
    if curve.positives == 0 or len(cuts) == 0 or curve.true_positives[-1] == 0:
        predicted_at_fallback = int(np.sum(curve.scores >= FALLBACK_THRESHOLD))
        return Operating(FALLBACK_THRESHOLD, 0, predicted_at_fallback, curve.positives, 0.0, 0.0, 0.0)
    tp = curve.true_positives[cuts].astype(np.float64)
    fp = curve.false_positives[cuts].astype(np.float64)
    f1 = 2 * tp / (tp + fp + curve.positives)
    best = int(np.flatnonzero(f1 == f1.max())[-1])  # the last of the ties has the lowest threshold
    tp_best, fp_best = int(tp[best]), int(fp[best])
    return Operating(
        threshold=float(curve.scores[cuts[best]]),
        true_positives=tp_best,
        false_positives=fp_best,
        false_negatives=curve.positives - tp_best,
        precision=tp_best / (tp_best + fp_best),
        recall=tp_best / curve.positives,
        f1=float(f1[best]),
    )


def at_threshold(curve: Curve, threshold: float) -> Operating:
    """Counts and metrics when predictions with score >= ``threshold`` count."""
    count = int(np.sum(curve.scores >= threshold))
    tp = int(curve.true_positives[count - 1]) if count else 0
    fp = count - tp
    precision = tp / count if count else 0.0
    recall = tp / curve.positives if curve.positives else 0.0
    f1 = 2 * tp / (count + curve.positives) if count + curve.positives else 0.0
    return Operating(threshold, tp, fp, curve.positives - tp, precision, recall, f1)


def average_precision(curve: Curve) -> float:
    """All-point interpolated average precision (area under the monotone precision envelope)."""
    if curve.positives == 0 or len(curve.scores) == 0:
        return 0.0
    cuts = _cut_points(curve)
    recall = np.concatenate([[0.0], curve.recall[cuts]])
    precision = np.concatenate([[1.0], curve.precision[cuts]])
    envelope = np.maximum.accumulate(precision[::-1])[::-1]
    return float(np.sum((recall[1:] - recall[:-1]) * envelope[1:]))


@dataclass(frozen=True)
class LabelMetrics:
    """Everything the evaluation reports about one label."""

    label: str
    test_images: int
    operating: Operating
    curve: Curve
    average_precision: float
    max_recall: float

    @property
    def threshold(self) -> float:
        return self.operating.threshold


def _label_metrics(label: str, test_images: int, curve: Curve) -> LabelMetrics:
    max_recall = float(curve.recall[-1]) if len(curve.scores) else 0.0
    return LabelMetrics(label, test_images, best_f1(curve), curve, average_precision(curve), max_recall)


def classification_metrics(
    predictions: Sequence[Prediction],
    truths: Sequence[GroundTruth],
    labels: Sequence[str],
) -> list[LabelMetrics]:
    """Per-label metrics of a classifier: every image has a score for every label."""
    scores = np.stack([p.scores for p in predictions]) if predictions else np.zeros((0, len(labels)))
    present = np.asarray(
        [[index in truth.labels for index in range(len(labels))] for truth in truths], dtype=bool
    ).reshape(-1, len(labels))
    result = []
    for index, label in enumerate(labels):
        positives = int(present[:, index].sum())
        result.append(
            _label_metrics(label, positives, build_curve(scores[:, index], present[:, index], positives))
        )
    return result


def detection_matches(predictions: Sequence[Prediction], truths: Sequence[GroundTruth]) -> list[np.ndarray]:
    """Per image, the ground-truth index each predicted box matches (-1: none), same label, IoU >= 0.5."""
    return [
        match_boxes(p.boxes, p.scores, p.labels, t.boxes, t.box_labels, iou_threshold=IOU_THRESHOLD)
        for p, t in zip(predictions, truths, strict=True)
    ]


def detection_metrics(
    predictions: Sequence[Prediction],
    truths: Sequence[GroundTruth],
    labels: Sequence[str],
    matches: Sequence[np.ndarray] | None = None,
) -> list[LabelMetrics]:
    """Per-label metrics of a detector, counted over boxes (guide L7022)."""
    matches = list(matches) if matches is not None else detection_matches(predictions, truths)
    result = []
    for index, label in enumerate(labels):
        scores: list[np.ndarray] = []
        correct: list[np.ndarray] = []
        positives = 0
        images = 0
        for prediction, truth, matched in zip(predictions, truths, matches, strict=True):
            mine = prediction.labels == index
            scores.append(prediction.scores[mine])
            correct.append(matched[mine] >= 0)
            count = int(np.sum(truth.box_labels == index))
            positives += count
            images += count > 0
        curve = build_curve(
            np.concatenate(scores) if scores else [], np.concatenate(correct) if correct else [], positives
        )
        result.append(_label_metrics(label, images, curve))
    return result


@dataclass(frozen=True)
class Aggregate:
    """Model-level metrics: means over the labels that have test images."""

    precision: float
    recall: float
    f1: float
    average_precision: float
    average_recall: float


def aggregate(metrics: Sequence[LabelMetrics]) -> Aggregate:
    """Unweighted means over labels with at least one test image (guide L7196-7198)."""
    tested = [m for m in metrics if m.test_images > 0]
    if not tested:
        return Aggregate(0.0, 0.0, 0.0, 0.0, 0.0)

    def mean(values: list[float]) -> float:
        return float(sum(values) / len(values))

    return Aggregate(
        precision=mean([m.operating.precision for m in tested]),
        recall=mean([m.operating.recall for m in tested]),
        f1=mean([m.operating.f1 for m in tested]),
        average_precision=mean([m.average_precision for m in tested]),
        average_recall=mean([m.max_recall for m in tested]),
    )
