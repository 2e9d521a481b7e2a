"""prepare_for_serving keeps a model's numbers and lets ONNX Runtime fuse "SAME" pads into convolutions."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from customlabels.inference.predictor import Predictor

from .builders import INPUT_SIZE, model_json, photo

onnx = pytest.importorskip("onnx")
torch = pytest.importorskip("torch")


def _export_same_padded(model_dir: Path) -> Path:
    """A classifier whose stride-2 convolution is padded TensorFlow-style, as EfficientNet-Lite's is."""
    from torch import nn
    from torch.nn import functional

    class SamePadded(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv = nn.Conv2d(3, 4, 3, stride=2)
            self.head = nn.Linear(4, 3)

        def forward(self, image: Any) -> Any:
            features = self.conv(functional.pad(image, [0, 1, 0, 1]))
            return torch.softmax(self.head(features.mean(dim=(2, 3))), -1)

    torch.manual_seed(0)
    model_dir.mkdir()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            SamePadded().eval(),
            (torch.zeros(1, 3, *INPUT_SIZE),),
            str(model_dir / "model.onnx"),
            input_names=["image"],
            output_names=["scores"],
            opset_version=17,
            dynamo=False,
        )
    (model_dir / "model.json").write_text(json.dumps(model_json("single_label")))
    return model_dir / "model.onnx"


def test_prepared_model_has_no_pad_and_the_same_scores(tmp_path: Path) -> None:
    from customlabels.inference.optimize import prepare_for_serving

    exported = _export_same_padded(tmp_path / "exported")
    assert any(n.op_type == "Pad" and "" in n.input for n in onnx.load(str(exported)).graph.node)
    before = Predictor(exported.parent, threads=1).predict(photo(96, 80))

    prepare_for_serving(exported)

    prepared = onnx.load(str(exported))
    assert [n.op_type for n in prepared.graph.node if n.op_type == "Pad"] == []
    assert {n.domain for n in prepared.graph.node} <= {"", "ai.onnx"}  # standard ops only: portable
    after = Predictor(exported.parent, threads=1).predict(photo(96, 80))
    assert [p.label for p in after] == [p.label for p in before]
    np.testing.assert_allclose([p.score for p in after], [p.score for p in before], atol=1e-6)
    assert not list(tmp_path.joinpath("exported").glob(".prepare-*"))
