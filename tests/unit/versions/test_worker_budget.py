"""The training job's time budget: training stops early enough to export, evaluate and upload."""

from __future__ import annotations

import pytest

from customlabels.training.worker import time_budget


@pytest.mark.parametrize(
    ("available_s", "budget_s"),
    [
        (900.0, 765.0),  # a 15-minute Lambda: 15 % kept for export, evaluation and upload
        (300.0, 240.0),  # at least a minute is kept
        (100.0, 50.0),  # never less than half of what is left
        (86_400.0, 73_440.0),
    ],
)
def test_the_budget_keeps_a_reserve(available_s: float, budget_s: float) -> None:
    assert time_budget(available_s) == pytest.approx(budget_s)
