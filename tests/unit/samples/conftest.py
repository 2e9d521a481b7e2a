"""The samples, built once per test session in the quick size (about two seconds)."""

from __future__ import annotations

import pytest

from customlabels.samples import QUICK, SampleProject, build_all


@pytest.fixture(scope="session")
def quick_samples() -> list[SampleProject]:
    return build_all(QUICK)
