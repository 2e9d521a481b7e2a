"""Tiny generated datasets for the training tests: coloured shapes on noisy backgrounds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from customlabels.training.entries import Box, TrainingEntry

COLOURS = {"red": (220, 30, 30), "blue": (30, 30, 220)}


@pytest.fixture(autouse=True)
def _one_thread() -> None:
    """Two cores are shared by the whole test run; one thread per test keeps timings stable."""
    torch.set_num_threads(1)


def _canvas(rng: np.random.Generator, size: int) -> np.ndarray:
    return rng.integers(90, 160, (size, size, 3)).astype(np.uint8)


def make_classification(folder: Path, count: int = 20, size: int = 64) -> list[TrainingEntry]:
    """``count`` images alternating a red and a blue square, labelled by colour."""
    rng = np.random.default_rng(0)
    entries = []
    for index in range(count):
        label = "red" if index % 2 == 0 else "blue"
        pixels = _canvas(rng, size)
        side = int(rng.integers(size // 3, size // 2))
        top, left = rng.integers(0, size - side, 2)
        pixels[top : top + side, left : left + side] = COLOURS[label]
        path = folder / f"cls-{index:03d}.png"
        Image.fromarray(pixels).save(path)
        entries.append(TrainingEntry(str(path), (label,)))
    return entries


def make_detection(folder: Path, count: int = 20, size: int = 96) -> list[TrainingEntry]:
    """``count`` images with one red and/or one blue square, boxed in pixels."""
    rng = np.random.default_rng(1)
    entries = []
    for index in range(count):
        pixels = _canvas(rng, size)
        boxes = []
        names = ["red", "blue"] if index % 3 == 0 else [["red"], ["blue"]][index % 3 - 1]
        for slot, name in enumerate(names):
            side = int(rng.integers(16, 28))
            left = int(rng.integers(0, size // 2 - side)) + slot * size // 2
            top = int(rng.integers(0, size - side))
            pixels[top : top + side, left : left + side] = COLOURS[name]
            boxes.append(Box(name, left, top, side, side))
        path = folder / f"det-{index:03d}.png"
        Image.fromarray(pixels).save(path)
        entries.append(TrainingEntry(str(path), (), tuple(boxes)))
    return entries


@pytest.fixture(scope="session")
def classification_entries(tmp_path_factory: pytest.TempPathFactory) -> list[TrainingEntry]:
    return make_classification(tmp_path_factory.mktemp("classification"))


@pytest.fixture(scope="session")
def detection_entries(tmp_path_factory: pytest.TempPathFactory) -> list[TrainingEntry]:
    return make_detection(tmp_path_factory.mktemp("detection"))
