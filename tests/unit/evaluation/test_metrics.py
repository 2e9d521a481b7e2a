"""Metrics, assumed thresholds and averages on hand-computed examples and the guide's numbers."""

from __future__ import annotations

import numpy as np
import pytest

from customlabels.evaluation.matching import iou_matrix, match_boxes
from customlabels.evaluation.metrics import (
    FALLBACK_THRESHOLD,
    aggregate,
    at_threshold,
    average_precision,
    best_f1,
    build_curve,
    classification_metrics,
    detection_metrics,
)
from customlabels.evaluation.samples import GroundTruth, Prediction


def test_iou_of_hand_drawn_boxes() -> None:
    boxes = np.array([[0, 0, 2, 2], [1, 1, 3, 3], [5, 5, 6, 6]], dtype=float)
    overlaps = iou_matrix(boxes, boxes)
    assert overlaps[0, 1] == pytest.approx(1 / 7)  # intersection 1, union 4 + 4 - 1
    assert overlaps[0, 2] == 0.0
    assert np.allclose(np.diag(overlaps), 1.0)


def test_matching_is_greedy_by_score_within_a_label() -> None:
    truth = np.array([[0, 0, 10, 10], [20, 0, 30, 10]], dtype=float)
    predicted = np.array([[0, 0, 10, 10], [1, 0, 11, 10], [20, 0, 30, 10]], dtype=float)
    scores = np.array([0.6, 0.9, 0.8])
    matched = match_boxes(predicted, scores, np.array([0, 0, 1]), truth, np.array([0, 0]))
    # The 0.9 box takes the first truth; the exact but weaker 0.6 box is then a duplicate (FP);
    # the third box has the wrong label.
    assert matched.tolist() == [-1, 0, -1]


def test_best_f1_tries_every_distinct_score_and_reports_it() -> None:
    # 3 positives. Cuts: 0.9 → tp1 fp0 (F1 .5); 0.8 → tp1 fp1 (.4); 0.7 → tp2 fp1 (.667); 0.2 → tp3 fp2 (.75)
    curve = build_curve([0.9, 0.8, 0.7, 0.2, 0.2], [True, False, True, True, False], positives=3)
    point = best_f1(curve)
    assert point.threshold == pytest.approx(0.2)
    assert (point.true_positives, point.false_positives, point.false_negatives) == (3, 2, 0)
    assert point.precision == pytest.approx(0.6)
    assert point.recall == 1.0
    assert point.f1 == pytest.approx(0.75)


def test_equal_scores_are_never_split_by_the_threshold() -> None:
    curve = build_curve([0.5, 0.5], [True, False], positives=1)
    point = best_f1(curve)
    assert (point.true_positives, point.false_positives) == (1, 1)


def test_ties_in_f1_go_to_the_lower_threshold() -> None:
    # cut 0.9: tp1 fp0 fn1 → F1 2/3; cut 0.4: tp2 fp2 → F1 4/6 = 2/3 as well
    curve = build_curve([0.9, 0.5, 0.5, 0.4], [True, False, False, True], positives=2)
    assert best_f1(curve).threshold == pytest.approx(0.4)


def test_a_label_never_found_gets_the_fallback_threshold() -> None:
    point = best_f1(build_curve([0.7, 0.3], [False, False], positives=2))
    assert point.threshold == FALLBACK_THRESHOLD
    assert (point.precision, point.recall, point.f1) == (0.0, 0.0, 0.0)
    assert point.false_negatives == 2


def test_f1_examples_of_the_guide() -> None:
    # L7064-7066: P .9 R 1 → .947; P .3 R 1 → .46; P .95 R .2 → .33
    for precision, recall, expected in ((0.9, 1.0, 0.947), (0.30, 1.0, 0.46), (0.95, 0.20, 0.33)):
        assert 2 * precision * recall / (precision + recall) == pytest.approx(expected, abs=0.005)


def test_precision_example_of_the_guide() -> None:
    # L7044: 9 ball predictions, 8 right, among 8 balls → precision 0.89, recall 1.0
    point = at_threshold(build_curve([0.9] * 9, [True] * 8 + [False], positives=8), 0.5)
    assert round(point.precision, 2) == 0.89
    assert point.recall == 1.0


def test_average_precision_all_point_interpolation() -> None:
    # ranks: TP, FP, TP with 2 positives → recall .5 at P 1, recall 1 at P 2/3 → AP = .5 + .5 * 2/3
    curve = build_curve([0.9, 0.8, 0.7], [True, False, True], positives=2)
    assert average_precision(curve) == pytest.approx(0.5 + 0.5 * 2 / 3)
    # a missed positive caps recall: AP = 1 * 0.5
    assert average_precision(build_curve([0.9], [True], positives=2)) == pytest.approx(0.5)


def _guide_cap_watch() -> tuple[list[Prediction], list[GroundTruth]]:
    """624 images whose counts reproduce the guide's CAP/WATCH summary (L7165-7237).

    CAP: 390 images, TP 381, FP 7, FN 9. WATCH: 234 images, TP 227, FP 9, FN 7.
    """
    predictions: list[Prediction] = []
    truths: list[GroundTruth] = []

    def add(count: int, label: int, cap: float, watch: float) -> None:
        for _ in range(count):
            predictions.append(Prediction(np.array([cap, watch])))
            truths.append(GroundTruth(labels=frozenset({label})))

    add(381, 0, cap=0.99, watch=0.03)  # CAP found
    add(9, 0, cap=0.02, watch=0.98)  # CAP missed, taken for WATCH
    add(227, 1, cap=0.05, watch=0.98)  # WATCH found
    add(7, 1, cap=0.99, watch=0.01)  # WATCH missed, taken for CAP
    return predictions, truths


def test_the_guide_summary_numbers_are_per_label_means() -> None:
    predictions, truths = _guide_cap_watch()
    metrics = classification_metrics(predictions, truths, ["CAP", "WATCH"])
    cap, watch = metrics
    assert cap.test_images == 390 and watch.test_images == 234
    assert cap.operating.precision == pytest.approx(0.9819587628865979, abs=1e-15)
    assert cap.operating.recall == pytest.approx(0.9769230769230769, abs=1e-15)
    assert cap.operating.f1 == pytest.approx(0.9794344473007711, abs=1e-15)
    assert watch.operating.f1 == pytest.approx(0.9659574468085106, abs=1e-15)
    overall = aggregate(metrics)
    assert overall.precision == pytest.approx(0.9719115848331294, abs=1e-15)
    assert overall.recall == pytest.approx(0.9735042735042735, abs=1e-15)
    assert overall.f1 == pytest.approx(0.9726959470546408, abs=1e-15)


def test_detection_metrics_count_boxes_and_labels_without_tests_are_left_out() -> None:
    truths = [
        GroundTruth(frozenset({0}), np.array([[0.1, 0.1, 0.3, 0.3], [0.5, 0.5, 0.7, 0.7]]), np.array([0, 0])),
        GroundTruth(frozenset({0}), np.array([[0.1, 0.1, 0.3, 0.3]]), np.array([0])),
    ]
    predictions = [
        Prediction(
            np.array([0.9, 0.4]), np.array([[0.1, 0.1, 0.3, 0.3], [0.5, 0.5, 0.7, 0.7]]), np.array([0, 0])
        ),
        Prediction(
            np.array([0.8, 0.6]), np.array([[0.6, 0.6, 0.8, 0.8], [0.1, 0.1, 0.3, 0.3]]), np.array([0, 1])
        ),
    ]
    box, other = detection_metrics(predictions, truths, ["box", "other"])
    assert box.test_images == 2 and other.test_images == 0
    # box scores: .9 TP, .8 FP, .4 TP with 3 positives (the second image's box was called "other");
    # cuts give F1 .5, .4 and 2/3
    assert box.operating.threshold == pytest.approx(0.4)
    assert box.operating.f1 == pytest.approx(2 / 3)
    assert box.average_precision == pytest.approx(1 / 3 + 1 / 3 * 2 / 3)
    assert box.max_recall == pytest.approx(2 / 3)
    assert aggregate([box, other]).f1 == pytest.approx(2 / 3)
