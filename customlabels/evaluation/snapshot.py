"""The evaluation manifest snapshot: test JSON Lines with the model's predictions (guide L7240-7399).

Each test image becomes a SageMaker Ground Truth output line: the ground truth under
``rekognition-custom-labels-training-<i>`` and the predictions with a
``rekognition-custom-labels-evaluation-details`` object whose flags compare each prediction's
confidence with its label's assumed threshold (L7261): present and above → TP, absent and above →
FP, present and below → FN. ``is-present-in-ground-truth`` ignores the threshold (L7262). The JSON
key is spelled ``ground-truth-labelling-jobs`` as in the guide's examples.

- Classification (L7269-7303): one ``rekognition-custom-labels-evaluation-<j>`` attribute per
  reported label: every label at or above its threshold, and every ground-truth label (a FN when
  below). Labels neither predicted nor present (true negatives) are left out to keep lines short.
- Detection (L7305-7398): one ``rekognition-custom-labels-evaluation`` attribute with pixel boxes
  and an ``objects`` entry per box: each box at or above its label's threshold (TP or FP), then
  each ground-truth box no such box matched (FN, with the confidence of the best same-label box
  below the threshold that overlaps it at IoU >= 0.5, else 0).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from customlabels.evaluation.matching import IOU_THRESHOLD, iou_matrix
from customlabels.evaluation.samples import GroundTruth, Prediction
from customlabels.evaluation.summary import timestamp
from customlabels.training.entries import Task, TrainingEntry

TRAINING_ATTRIBUTE = "rekognition-custom-labels-training"
EVALUATION_ATTRIBUTE = "rekognition-custom-labels-evaluation"
TRAINING_JOB = "rekognition-custom-labels-training-job"
EVALUATION_JOB = "rekognition-custom-labels-evaluation-job"
CLASSIFICATION_TYPE = "groundtruth/image-classification"
DETECTION_TYPE = "groundtruth/object-detection"
DETAILS_KEY = "rekognition-custom-labels-evaluation-details"


def evaluation_details(*, present: bool, above: bool) -> dict[str, Any]:
    """The per-prediction flags: exactly one of TP/TN/FP/FN is true."""
    return {
        "version": 1,
        "ground-truth-labelling-jobs": [TRAINING_JOB],
        "is-true-positive": present and above,
        "is-true-negative": not present and not above,
        "is-false-positive": not present and above,
        "is-false-negative": present and not above,
        "is-present-in-ground-truth": present,
    }


def _classification_line(
    entry: TrainingEntry,
    prediction: Prediction,
    truth: GroundTruth,
    labels: Sequence[str],
    thresholds: Mapping[str, float],
    created: str,
) -> dict[str, Any]:
    line: dict[str, Any] = {"source-ref": entry.reference}
    for i, index in enumerate(sorted(truth.labels)):
        line[f"{TRAINING_ATTRIBUTE}-{i}"] = index
        line[f"{TRAINING_ATTRIBUTE}-{i}-metadata"] = {
            "confidence": 1.0,
            "job-name": TRAINING_JOB,
            "class-name": labels[index],
            "human-annotated": "yes",
            "creation-date": created,
            "type": CLASSIFICATION_TYPE,
        }
    minimum = np.asarray([thresholds.get(label, 0.5) for label in labels])
    above = prediction.scores >= minimum
    reported = [
        i for i in np.argsort(-prediction.scores, kind="stable").tolist() if above[i] or i in truth.labels
    ]
    for j, index in enumerate(reported):
        line[f"{EVALUATION_ATTRIBUTE}-{j}"] = index
        line[f"{EVALUATION_ATTRIBUTE}-{j}-metadata"] = {
            "confidence": float(prediction.scores[index]),
            "job-name": EVALUATION_JOB,
            "class-name": labels[index],
            "human-annotated": "no",
            "creation-date": created,
            "type": CLASSIFICATION_TYPE,
            DETAILS_KEY: evaluation_details(present=index in truth.labels, above=bool(above[index])),
        }
    return line


def _pixels(box: np.ndarray, width: int, height: int) -> dict[str, int]:
    x1, y1, x2, y2 = (float(v) for v in box)
    left, top = round(x1 * width), round(y1 * height)
    return {"width": round(x2 * width) - left, "top": top, "height": round(y2 * height) - top, "left": left}


def _detection_line(
    entry: TrainingEntry,
    prediction: Prediction,
    truth: GroundTruth,
    matched: np.ndarray,
    labels: Sequence[str],
    thresholds: Mapping[str, float],
    created: str,
) -> dict[str, Any]:
    width, height = prediction.image_size
    image_size = [{"width": width, "depth": 3, "height": height}]
    truth_notes = [
        {"class_id": int(k), **_pixels(b, width, height)}
        for b, k in zip(truth.boxes, truth.box_labels, strict=True)
    ]
    minimum = np.asarray([thresholds.get(label, 0.5) for label in labels])
    above = prediction.scores >= minimum[prediction.labels] if len(prediction.labels) else np.zeros(0, bool)
    notes: list[dict[str, Any]] = []
    objects: list[dict[str, Any]] = []
    for index in np.flatnonzero(above):
        notes.append(
            {"class_id": int(prediction.labels[index]), **_pixels(prediction.boxes[index], width, height)}
        )
        objects.append(
            {
                "confidence": float(prediction.scores[index]),
                DETAILS_KEY: evaluation_details(present=bool(matched[index] >= 0), above=True),
            }
        )
    found = set(matched[above & (matched >= 0)].tolist()) if len(matched) else set()
    overlaps = iou_matrix(truth.boxes, prediction.boxes)
    for position, kind in enumerate(truth.box_labels.tolist()):
        if position in found:
            continue
        near = (prediction.labels == kind) & (overlaps[position] >= IOU_THRESHOLD) & ~above
        confidence = float(prediction.scores[near].max()) if near.any() else 0.0
        notes.append(truth_notes[position].copy())
        objects.append({"confidence": confidence, DETAILS_KEY: evaluation_details(present=True, above=False)})
    used = sorted({note["class_id"] for note in truth_notes} | {note["class_id"] for note in notes})
    class_map = {str(i): labels[i] for i in used}
    return {
        "source-ref": entry.reference,
        f"{TRAINING_ATTRIBUTE}-0": {"annotations": truth_notes, "image_size": image_size},
        f"{TRAINING_ATTRIBUTE}-0-metadata": {
            "job-name": TRAINING_JOB,
            "class-map": {str(i): labels[i] for i in sorted(set(truth.box_labels.tolist()))},
            "human-annotated": "yes",
            "objects": [{"confidence": 1.0} for _ in truth_notes],
            "creation-date": created,
            "type": DETECTION_TYPE,
        },
        EVALUATION_ATTRIBUTE: {"annotations": notes, "image_size": image_size},
        f"{EVALUATION_ATTRIBUTE}-metadata": {
            "confidence": max((o["confidence"] for o in objects), default=0.0),
            "job-name": EVALUATION_JOB,
            "class-map": class_map,
            "human-annotated": "no",
            "objects": objects,
            "creation-date": created,
            "type": DETECTION_TYPE,
        },
    }


def snapshot_lines(
    entries: Sequence[TrainingEntry],
    predictions: Sequence[Prediction],
    truths: Sequence[GroundTruth],
    labels: Sequence[str],
    task: Task,
    thresholds: Mapping[str, float],
    matches: Sequence[np.ndarray] | None = None,
    created: str | None = None,
) -> list[dict[str, Any]]:
    """One snapshot line per test entry.

    ``matches`` (detection) are the same-label matches of
    :func:`customlabels.evaluation.metrics.detection_matches`.
    """
    created = created or timestamp()
    if task is Task.DETECTION:
        if matches is None:
            raise ValueError("detection snapshots need the box matches")
        return [
            _detection_line(e, p, t, m, labels, thresholds, created)
            for e, p, t, m in zip(entries, predictions, truths, matches, strict=True)
        ]
    return [
        _classification_line(e, p, t, labels, thresholds, created)
        for e, p, t in zip(entries, predictions, truths, strict=True)
    ]


def write_snapshot(path: str | Path, lines: Sequence[Mapping[str, Any]]) -> Path:
    """Write the lines as JSON Lines."""
    target = Path(path)
    target.write_text("".join(json.dumps(line, separators=(",", ":")) + "\n" for line in lines))
    return target
