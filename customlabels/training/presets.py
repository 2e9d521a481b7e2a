"""Transform presets, as in torchvision's reference scripts: one class per (task, train/eval).

Images reach the presets already stretched to the model's input size by
:func:`customlabels.training.modelcard.load_resized` (the serving contract's resize), as
``uint8 [3, H, W]`` tensors. Training adds geometric and colour jitter whose strength the AutoML
picks from the dataset size. There is deliberately no horizontal flip: Custom Labels is used for
logos, text and digits, whose mirror image is another thing (or nothing).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torchvision import tv_tensors
from torchvision.transforms import v2


@dataclass(frozen=True)
class Strength:
    """Augmentation magnitudes."""

    degrees: float
    translate: float
    scale: tuple[float, float]
    jitter: float


STRENGTHS = {
    "none": Strength(0.0, 0.0, (1.0, 1.0), 0.0),
    "light": Strength(5.0, 0.05, (0.95, 1.05), 0.1),
    "medium": Strength(10.0, 0.1, (0.85, 1.15), 0.2),
    "strong": Strength(15.0, 0.15, (0.75, 1.25), 0.3),
}


def _normalize(mean: tuple[float, ...], std: tuple[float, ...]) -> v2.Compose:
    return v2.Compose([v2.ToDtype(torch.float32, scale=True), v2.Normalize(list(mean), list(std))])


def _jitter(amount: float) -> list[v2.Transform]:
    return [v2.ColorJitter(brightness=amount, contrast=amount, saturation=amount)] if amount else []


class ClassificationPresetTrain:
    """Random affine (rotation, shift, zoom) and colour jitter, then normalisation."""

    def __init__(self, mean: tuple[float, ...], std: tuple[float, ...], strength: str = "medium"):
        magnitude = STRENGTHS[strength]
        geometric: list[v2.Transform] = []
        if magnitude.degrees or magnitude.translate or magnitude.scale != (1.0, 1.0):
            geometric.append(
                v2.RandomAffine(
                    degrees=magnitude.degrees,
                    translate=(magnitude.translate, magnitude.translate),
                    scale=magnitude.scale,
                )
            )
        self.transforms = v2.Compose([*geometric, *_jitter(magnitude.jitter), _normalize(mean, std)])

    def __call__(self, image: torch.Tensor) -> torch.Tensor:
        return self.transforms(image)


class ClassificationPresetEval:
    """Normalisation only: the image is already at the input size."""

    def __init__(self, mean: tuple[float, ...], std: tuple[float, ...]):
        self.transforms = _normalize(mean, std)

    def __call__(self, image: torch.Tensor) -> torch.Tensor:
        return self.transforms(image)


class DetectionPresetTrain:
    """Random shift and zoom (boxes follow, clipped, tiny leftovers dropped) and colour jitter."""

    def __init__(self, mean: tuple[float, ...], std: tuple[float, ...], strength: str = "medium"):
        magnitude = STRENGTHS[strength]
        self.transforms = v2.Compose(
            [
                v2.RandomAffine(
                    degrees=0.0, translate=(magnitude.translate, magnitude.translate), scale=magnitude.scale
                ),
                *_jitter(magnitude.jitter),
                v2.ClampBoundingBoxes(),
                v2.SanitizeBoundingBoxes(min_size=2.0),
            ]
        )
        self.normalize = _normalize(mean, std)

    def __call__(
        self,
        image: torch.Tensor,
        boxes: torch.Tensor,
        labels: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """``boxes`` are pixel ``x1, y1, x2, y2`` in the input-size image."""
        canvas = tuple(image.shape[-2:])
        sample = self.transforms(
            {
                "image": tv_tensors.Image(image),
                "boxes": tv_tensors.BoundingBoxes(boxes, format="XYXY", canvas_size=canvas),
                "labels": labels,
            }
        )
        return self.normalize(sample["image"]), sample["boxes"].as_subclass(torch.Tensor), sample["labels"]


class DetectionPresetEval:
    """Normalisation only; boxes pass through."""

    def __init__(self, mean: tuple[float, ...], std: tuple[float, ...]):
        self.normalize = _normalize(mean, std)

    def __call__(
        self,
        image: torch.Tensor,
        boxes: torch.Tensor,
        labels: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        return self.normalize(image), boxes, labels
