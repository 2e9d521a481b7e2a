"""Confusion matrices: the guide's orientation (rows predicted, columns ground truth, L7449)."""

from __future__ import annotations

import numpy as np
import pytest

from customlabels.evaluation.confusion import BACKGROUND, classification_confusion, detection_confusion
from customlabels.evaluation.samples import GroundTruth, Prediction
from customlabels.training.entries import Task

LABELS = ["backyard", "front_yard", "patio"]


def _one_hot(index: int) -> np.ndarray:
    scores = np.full(len(LABELS), 0.1)
    scores[index] = 0.8
    return scores


def test_single_label_columns_are_ground_truth_shares_like_the_rooms_example() -> None:
    # Guide L7463-7475: backyard 4 test images → 75% backyard, 25% front_yard.
    predictions = [Prediction(_one_hot(i)) for i in (0, 0, 0, 1, 1, 1, 0)]
    truths = [GroundTruth(frozenset({g})) for g in (0, 0, 0, 0, 1, 1, 1)]
    matrix = classification_confusion(predictions, truths, LABELS, Task.SINGLE_LABEL, {})
    assert matrix.rows == LABELS
    assert matrix.columns == ["backyard", "front_yard"]  # patio has no test image
    cells = {(c["PredictedLabel"], c["GroundTruthLabel"]): c["Value"] for c in matrix.cells()}
    assert cells[("backyard", "backyard")] == pytest.approx(0.75)
    assert cells[("front_yard", "backyard")] == pytest.approx(0.25)
    assert cells[("front_yard", "front_yard")] == pytest.approx(2 / 3)
    assert cells[("backyard", "front_yard")] == pytest.approx(1 / 3)
    assert cells[("patio", "backyard")] == 0.0
    assert np.allclose(matrix.values.sum(axis=0), 1.0)
    assert len(matrix.cells()) == 3 * 2


def test_multi_label_counts_every_label_above_its_threshold() -> None:
    predictions = [Prediction(np.array([0.9, 0.7, 0.1])), Prediction(np.array([0.2, 0.9, 0.1]))]
    truths = [GroundTruth(frozenset({0})), GroundTruth(frozenset({0, 1}))]
    thresholds = {"backyard": 0.5, "front_yard": 0.6, "patio": 0.5}
    matrix = classification_confusion(predictions, truths, LABELS, Task.MULTI_LABEL, thresholds)
    counts = dict(zip(matrix.columns, matrix.counts.T.tolist(), strict=True))
    assert counts["backyard"] == [1, 2, 0]  # found once; front_yard fired on both backyard images
    assert counts["front_yard"] == [0, 1, 0]


def test_detection_matrix_has_background_for_misses_and_false_alarms() -> None:
    truth = GroundTruth(
        frozenset({0, 1}),
        np.array([[0, 0, 0.2, 0.2], [0.5, 0.5, 0.7, 0.7], [0.8, 0.8, 0.9, 0.9]]),
        np.array([0, 1, 1]),
    )
    prediction = Prediction(
        np.array([0.9, 0.8, 0.7, 0.2]),
        np.array([[0, 0, 0.2, 0.2], [0.5, 0.5, 0.7, 0.7], [0.3, 0.0, 0.4, 0.1], [0.8, 0.8, 0.9, 0.9]]),
        np.array([0, 0, 2, 1]),
    )
    thresholds = {"backyard": 0.5, "front_yard": 0.5, "patio": 0.5}
    matrix = detection_confusion([prediction], [truth], LABELS, thresholds)
    assert matrix.rows == [*LABELS, BACKGROUND] and matrix.columns == matrix.rows
    count = {
        (matrix.rows[r], matrix.columns[c]): int(matrix.counts[r, c]) for r in range(4) for c in range(4)
    }
    assert count[("backyard", "backyard")] == 1
    assert count[("backyard", "front_yard")] == 1  # a front_yard box called backyard
    assert count[("patio", BACKGROUND)] == 1  # a box where there is nothing
    assert count[(BACKGROUND, "front_yard")] == 1  # the 0.2 box is under its threshold: a miss
    assert int(matrix.counts.sum()) == 4
