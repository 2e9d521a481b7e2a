"""Prepare an exported ``model.onnx`` for serving: once, where the model is built, not at every cold start.

Training calls :func:`prepare_for_serving` after ``torch.onnx.export``. It needs the ``onnx``
package, which the detection function does not ship, so serving imports nothing from here.
The result has the same input, outputs and numbers; it is only faster to load and to run:

1. Empty optional inputs are dropped. The TorchScript exporter writes ``Pad(x, pads, "")`` for
   ``F.pad``'s default fill value, and ONNX Runtime's Pad-into-Conv fusion refuses any Pad with a
   third input it cannot find as an initializer, so every TensorFlow-style "SAME" pad of
   EfficientNet-Lite stays a separate copy of the feature map. Measured on CenterNet-Lite0 at
   320x320, one core: about 8% of the model's time (see ``bench/detect.py``).
2. ONNX Runtime's hardware-independent optimizations (``ORT_ENABLE_BASIC``: constant folding,
   redundant-node elimination, fusions onto standard ops) are applied and saved. The
   hardware-specific ones (``ORT_ENABLE_ALL``: NCHWc layouts) stay at load time, because a
   model saved with them only runs on the machine that saved it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import onnx
import onnxruntime as ort


def drop_empty_optional_inputs(model: onnx.ModelProto) -> int:
    """Remove trailing ``""`` inputs from every node (they mean "not given"); returns how many."""
    dropped = 0
    for node in model.graph.node:
        while node.input and node.input[-1] == "":
            node.input.pop()
            dropped += 1
    return dropped


def prepare_for_serving(model_path: Path, output_path: Path | None = None) -> Path:
    """Rewrite ``model_path`` (or write ``output_path``) as the serving-ready model.

    The file is replaced atomically, so a crash never leaves a half-written model.

    Raises:
        onnx.checker.ValidationError: the rewritten graph is not valid ONNX.
        onnxruntime's errors: the model cannot be loaded.
    """
    output_path = output_path or model_path
    model = onnx.load(str(model_path))
    drop_empty_optional_inputs(model)
    onnx.checker.check_model(model)
    with tempfile.TemporaryDirectory(dir=output_path.parent, prefix=".prepare-") as scratch:
        cleaned = Path(scratch) / "cleaned.onnx"
        optimized = Path(scratch) / "optimized.onnx"
        onnx.save(model, str(cleaned))
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
        options.optimized_model_filepath = str(optimized)
        options.log_severity_level = 3
        ort.InferenceSession(str(cleaned), sess_options=options, providers=["CPUExecutionProvider"])
        os.replace(optimized, output_path)
    return output_path
