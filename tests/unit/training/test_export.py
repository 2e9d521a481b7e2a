"""ONNX export round trips: ONNX Runtime reproduces PyTorch within 1e-4 on tiny models."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from customlabels.training.detector import DetectorLite0
from customlabels.training.efficientnet_lite import EfficientNetLite0
from customlabels.training.export import export_onnx, verify_export
from customlabels.training.modelcard import INPUT_NAME, ModelCard, onnx_session
from customlabels.training.models import Classifier, SmallCNN


def _card(task: str, size: int, labels: int) -> ModelCard:
    return ModelCard(
        task=task,
        labels=[f"l{i}" for i in range(labels)],
        input_size=[size, size],
        mean=[0.5] * 3,
        std=[0.25] * 3,
        architecture="test",
        thresholds={},
        max_detections=20,
    )


@pytest.mark.parametrize(
    ("task", "backbone", "features"),
    [
        ("single_label", SmallCNN, 128),
        ("multi_label", EfficientNetLite0, 1280),
    ],
)
def test_classification_round_trip(tmp_path: Path, task: str, backbone: type, features: int) -> None:
    torch.manual_seed(0)
    model = Classifier(backbone(), features, 3)
    card = _card(task, 64, 3)
    path = export_onnx(model, card, tmp_path)
    session = onnx_session(path)
    assert [i.name for i in session.get_inputs()] == [INPUT_NAME]
    assert [o.name for o in session.get_outputs()] == ["scores"]
    image = torch.randn(1, 3, 64, 64)
    (scores,) = session.run(None, {INPUT_NAME: image.numpy()})
    with torch.no_grad():
        logits = model.eval()(image)
    expected = torch.sigmoid(logits) if task == "multi_label" else torch.softmax(logits, 1)
    assert scores.shape == (1, 3) and scores.dtype == np.float32
    assert np.abs(scores - expected.numpy()).max() < 1e-4
    if task == "single_label":
        assert scores.sum() == pytest.approx(1.0, abs=1e-5)
    assert verify_export(model, card, path, tolerance=1e-4) < 1e-4


def test_detection_round_trip_with_nms_in_the_graph(tmp_path: Path) -> None:
    torch.manual_seed(0)
    model = DetectorLite0(num_classes=2, max_detections=20)
    with torch.no_grad():  # distinct, confident scores so that top-k has no ties to order differently
        model.classes.weight.normal_(std=0.5)
        model.classes.bias.fill_(0.0)  # type: ignore[union-attr]
    card = _card("detection", 64, 2)
    path = export_onnx(model, card, tmp_path)
    session = onnx_session(path)
    assert [o.name for o in session.get_outputs()] == ["boxes", "scores", "labels"]
    image = torch.randn(1, 3, 64, 64)
    boxes, scores, labels = session.run(None, {INPUT_NAME: image.numpy()})
    with torch.no_grad():
        want_boxes, want_scores, want_labels = model.eval().export_mode()(image)
    assert boxes.shape[1] == 4 and boxes.dtype == np.float32 and labels.dtype == np.int64
    assert len(scores) > 0 and np.all(np.diff(scores) <= 0)
    assert np.all((boxes >= 0) & (boxes <= 1))
    assert np.abs(boxes - want_boxes.numpy()).max() < 1e-4
    assert np.abs(scores - want_scores.numpy()).max() < 1e-4
    assert np.array_equal(labels, want_labels.numpy())
    assert verify_export(model, card, path, tolerance=1e-4) < 1e-4  # the raw maps, via a maps-only export
