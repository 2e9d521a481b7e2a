"""Training checkpoints, as torchvision's reference scripts keep them.

A checkpoint holds the model, optimizer, scheduler and (on GPU) gradient-scaler states, the
epoch just finished, the arguments (resolved plan and job settings), the best validation metric
so far with the weights that reached it, and the RNG states (including the loader's shuffling),
so that ``--resume`` continues the same run: an interrupted and resumed run ends with the weights
of an uninterrupted one. ``last.pt`` is rewritten after every epoch, atomically: a killed job
leaves the previous one.
"""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

import numpy as np
import torch

LAST = "last.pt"


def rng_state() -> dict[str, Any]:
    """Python, NumPy and torch RNG states."""
    return {"python": random.getstate(), "numpy": np.random.get_state(), "torch": torch.get_rng_state()}


def restore_rng(state: dict[str, Any]) -> None:
    """Undo :func:`rng_state`."""
    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    torch.set_rng_state(state["torch"])


def save_checkpoint(path: str | Path, state: dict[str, Any]) -> Path:
    """Write ``state`` to ``path`` through a temporary file."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(target.suffix + ".tmp")
    torch.save(state, temporary)
    os.replace(temporary, target)
    return target


def load_checkpoint(path: str | Path) -> dict[str, Any]:
    """Read a checkpoint written by :func:`save_checkpoint` (it holds NumPy RNG state, so not weights-only).

    Raises:
        FileNotFoundError: no such file.
    """
    return torch.load(Path(path), map_location="cpu", weights_only=False)
