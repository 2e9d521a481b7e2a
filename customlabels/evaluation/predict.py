"""Run the exported ONNX model over dataset entries, exactly as the detection Lambda will.

The evaluation deliberately does not use the PyTorch model: it opens ``model.onnx`` with ONNX
Runtime and feeds it :func:`customlabels.training.modelcard.preprocess` output, so the reported
metrics describe the served artifact (DESIGN.md "Training and models").
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from customlabels.evaluation.samples import Prediction
from customlabels.training.entries import Task, TrainingEntry
from customlabels.training.modelcard import (
    INPUT_NAME,
    MODEL_FILE,
    ModelCard,
    onnx_session,
    open_upright,
    preprocess,
)


def predict_entries(
    model_dir: str | Path,
    entries: Sequence[TrainingEntry],
    *,
    threads: int = 0,
    on_image: Callable[[int, int, float], None] | None = None,
) -> tuple[ModelCard, list[Prediction]]:
    """The model card and one :class:`Prediction` per entry, in order.

    Args:
        model_dir: a directory holding ``model.onnx`` and ``model.json``.
        entries: the images to run.
        threads: ONNX Runtime intra-op threads (0: its default).
        on_image: called after each image with (done, total, elapsed seconds).

    Raises:
        FileNotFoundError: the model files or an image are missing.
        ValueError: ``model.json`` has an unknown format version.
    """
    card = ModelCard.read(model_dir)
    session = onnx_session(Path(model_dir) / MODEL_FILE, threads)
    task = Task(card.task)
    predictions: list[Prediction] = []
    started = time.perf_counter()
    for done, entry in enumerate(entries, start=1):
        image = open_upright(entry.image_path)
        size = (int(image.width), int(image.height))
        outputs = session.run(None, {INPUT_NAME: preprocess(image, card)})
        if task is Task.DETECTION:
            boxes, scores, labels = outputs
            predictions.append(
                Prediction(
                    scores=np.asarray(scores, dtype=np.float32),
                    boxes=np.asarray(boxes, dtype=np.float32),
                    labels=np.asarray(labels, dtype=np.int64),
                    image_size=size,
                )
            )
        else:
            predictions.append(
                Prediction(scores=np.asarray(outputs[0][0], dtype=np.float32), image_size=size)
            )
        if on_image is not None:
            on_image(done, len(entries), time.perf_counter() - started)
    return card, predictions
