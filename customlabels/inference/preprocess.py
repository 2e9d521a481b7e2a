"""Turn a decoded RGB image into the ``image`` tensor that ``model.onnx`` expects.

numpy and Pillow only: torch is too large for the detection function's image and cold start.
The 0..1 scaling and the mean/std normalization fold into one multiply-add per value,
``x * scale + bias`` with ``scale = 1 / (255 * std)`` and ``bias = -mean / std``, computed once
per model.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from customlabels.inference.artifact import ModelSpec

# Bilinear with Pillow's antialiasing, as torchvision's Resize does on PIL images; training's
# transforms must use the same filter or the served scores drift from the evaluated ones.
RESAMPLE = Image.Resampling.BILINEAR


class Preprocessor:
    """Resize (stretch) and normalize images for one model."""

    def __init__(self, spec: ModelSpec) -> None:
        height, width = spec.input_size
        self.size = (width, height)  # Pillow's order
        self._height, self._width = height, width
        std = np.asarray(spec.std, dtype=np.float32)
        # Shaped [3, 1, 1] to broadcast over a channels-first view of the pixels.
        self._scale = (1.0 / (255.0 * std)).astype(np.float32).reshape(3, 1, 1)
        self._bias = (-np.asarray(spec.mean, dtype=np.float32) / std).astype(np.float32).reshape(3, 1, 1)

    def __call__(self, image: Image.Image) -> NDArray[np.float32]:
        """Return a contiguous float32 ``[1, 3, H, W]`` array for an RGB image of any size."""
        if image.mode != "RGB":
            image = image.convert("RGB")
        if image.size != self.size:
            image = image.resize(self.size, RESAMPLE)
        # One pass from uint8 HWC to float32 CHW, written straight into the output: about 5x
        # faster than converting to float, normalizing and transposing as separate steps.
        channels_first = np.asarray(image).transpose(2, 0, 1)
        tensor = np.empty((1, 3, self._height, self._width), dtype=np.float32)
        np.multiply(channels_first, self._scale, out=tensor[0])
        tensor[0] += self._bias
        return tensor
