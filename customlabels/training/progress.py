"""Training progress as events and as log lines a log reader can follow.

Every event is logged as one line of ``key=value`` pairs after the word ``progress``, e.g.::

    progress phase=train epoch=3/12 loss=0.1834 val_metric=0.9712 images_per_s=118.2 elapsed_s=41 eta_s=123

so CloudWatch metric filters or a ``grep`` can follow a run, and passed to the job's ``progress``
callback (the training step uses it to update the version's status).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger("customlabels.training")


@dataclass(frozen=True)
class Progress:
    """One step of a training job."""

    phase: str  # "prepare" | "train" | "export" | "evaluate" | "done"
    epoch: int = 0
    epochs: int = 0
    loss: float | None = None
    val_metric: float | None = None
    images_per_second: float | None = None
    elapsed_s: float = 0.0
    eta_s: float | None = None
    message: str = ""

    def line(self) -> str:
        """The log line for this event."""
        parts = [f"phase={self.phase}"]
        if self.epochs:
            parts.append(f"epoch={self.epoch}/{self.epochs}")
        if self.loss is not None:
            parts.append(f"loss={self.loss:.4f}")
        if self.val_metric is not None:
            parts.append(f"val_metric={self.val_metric:.4f}")
        if self.images_per_second is not None:
            parts.append(f"images_per_s={self.images_per_second:.1f}")
        parts.append(f"elapsed_s={self.elapsed_s:.0f}")
        if self.eta_s is not None:
            parts.append(f"eta_s={self.eta_s:.0f}")
        if self.message:
            parts.append(f"message={self.message!r}")
        return "progress " + " ".join(parts)


ProgressCallback = Callable[[Progress], None]


def report(event: Progress, callback: ProgressCallback | None) -> None:
    """Log ``event`` and pass it to ``callback`` (if any)."""
    log.info(event.line())
    if callback is not None:
        callback(event)
