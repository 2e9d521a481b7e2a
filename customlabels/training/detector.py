"""An anchor-free, single-scale object detector (FCOS-style) on the EfficientNet-Lite0 backbone.

Why this design, measured on the shared 2-core dev machine (batch 8, 2 threads, random init):

- torchvision's ``fasterrcnn_mobilenet_v3_large_320_fpn`` trained at 0.7 images/s: too slow for
  a CPU run. ``ssdlite320_mobilenet_v3_large`` ran at 8.8 images/s, like this detector (5-14 at
  192-256 px under varying load), but its ImageNet backbone is a hub download (none offline), it
  has anchors to tune, and its post-processing exports to ONNX only with extra work.
- A CenterNet head (one positive cell per object) on this same backbone and neck reached only
  0.16 mAP@0.5 on the digits benchmark in the 12-epoch CPU budget (0.31 for a sliding-window SVC):
  one positive sample per object learns too slowly. FCOS's dense assignment (every cell near a
  box centre is a positive for its class and regresses the distances to the four sides, GIoU
  loss, centre-ness) gives each object ~9 positives and reached 0.90 in the same budget and batch
  (16), 0.93 with batch 8.
- Decoding (scores, top-k, box arithmetic, class-wise NMS) is a handful of tensor ops that
  export inside the ONNX graph: the served model returns final boxes, no host-side code.

Layout: Lite0 pyramid (strides 8/16/32) → a top-down neck merged at stride 8 → per cell a class
map (sigmoid focal loss), four side distances in cells (exp, GIoU loss) and a centre-ness logit.
Input sides should be multiples of 32 so that the stride-8 grid covers the image exactly.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn
from torchvision.ops import batched_nms, generalized_box_iou_loss, sigmoid_focal_loss

from customlabels.training.efficientnet_lite import EfficientNetLite0

STRIDE = 8
NECK_CHANNELS = 64
CENTER_RADIUS = 1.5  # cells: FCOS "centre sampling"
PRE_NMS_TOP_K = 1000
# Boxes under this score never leave the graph: they cannot matter for any threshold the
# evaluation picks, and the floor keeps the output small.
SCORE_FLOOR = 0.01
NMS_IOU = 0.6
MAX_LOG_DISTANCE = 6.0

Outputs = tuple[torch.Tensor, torch.Tensor, torch.Tensor]


def _separable(channels: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(channels, channels, 3, padding=1, groups=channels, bias=False),
        nn.Conv2d(channels, channels, 1, bias=False),
        nn.BatchNorm2d(channels),
        nn.ReLU(inplace=True),
    )


def _predictor(channels: int, outputs: int, bias: float = 0.0) -> nn.Conv2d:
    conv = nn.Conv2d(channels, outputs, 3, padding=1)
    nn.init.normal_(conv.weight, std=0.01)
    nn.init.constant_(conv.bias, bias)  # type: ignore[arg-type]
    return conv


class DetectorLite0(nn.Module):
    """Detector returning raw maps in training and, after :meth:`export_mode`, final detections.

    Training forward: ``(class_logits [N,C,h,w], distances [N,4,h,w], centerness_logits [N,1,h,w])``
    with distances (left, top, right, bottom) in cells. Export forward (batch 1): ``(boxes [K,4]
    normalised x1y1x2y2, scores [K], labels [K] int64)``.
    """

    def __init__(
        self, num_classes: int, max_detections: int = 100, backbone: EfficientNetLite0 | None = None
    ):
        super().__init__()
        self.num_classes = num_classes
        self.max_detections = max_detections
        self.backbone = backbone or EfficientNetLite0()
        self.lateral = nn.ModuleList(
            nn.Conv2d(channels, NECK_CHANNELS, 1) for channels in EfficientNetLite0.PYRAMID_CHANNELS
        )
        self.smooth = nn.ModuleList(
            _separable(NECK_CHANNELS) for _ in EfficientNetLite0.PYRAMID_CHANNELS[:-1]
        )
        self.class_tower = nn.Sequential(_separable(NECK_CHANNELS), _separable(NECK_CHANNELS))
        self.box_tower = nn.Sequential(_separable(NECK_CHANNELS), _separable(NECK_CHANNELS))
        # Focal-loss prior: every cell starts at p=0.01 so the first steps are not swamped by negatives.
        self.classes = _predictor(NECK_CHANNELS, num_classes, bias=-math.log((1 - 0.01) / 0.01))
        self.distances = _predictor(NECK_CHANNELS, 4, bias=math.log(2.0))
        self.centerness = _predictor(NECK_CHANNELS, 1)
        self.exporting = False

    def export_mode(self, enabled: bool = True) -> DetectorLite0:
        """Make ``forward`` decode detections (for ONNX export and evaluation in PyTorch)."""
        self.exporting = enabled
        return self

    def maps(self, images: torch.Tensor) -> Outputs:
        """Class logits, side distances (cells) and centre-ness logits at stride 8."""
        p8, p16, p32 = (lat(x) for lat, x in zip(self.lateral, self.backbone.pyramid(images), strict=True))
        p16 = self.smooth[1](p16 + F.interpolate(p32, size=p16.shape[-2:], mode="nearest"))
        p8 = self.smooth[0](p8 + F.interpolate(p16, size=p8.shape[-2:], mode="nearest"))
        boxes = self.box_tower(p8)
        distances = torch.exp(self.distances(boxes).clamp(max=MAX_LOG_DISTANCE))
        return self.classes(self.class_tower(p8)), distances, self.centerness(boxes)

    def forward(self, images: torch.Tensor) -> Outputs:
        outputs = self.maps(images)
        return decode(*outputs, self.max_detections) if self.exporting else outputs


def decode(
    class_logits: torch.Tensor, distances: torch.Tensor, centerness_logits: torch.Tensor, max_detections: int
) -> Outputs:
    """Turn the maps of ONE image into final detections (boxes normalised to 0..1, after NMS).

    A box's score is ``sqrt(p_class * p_centre)`` as in FCOS. Export-friendly ops only (top-k,
    gather, NonMaxSuppression).
    """
    classes, height, width = class_logits.shape[1], class_logits.shape[2], class_logits.shape[3]
    scores_map = torch.sqrt(torch.sigmoid(class_logits[0]) * torch.sigmoid(centerness_logits[0]))
    k = min(PRE_NMS_TOP_K, classes * height * width)
    scores, index = torch.topk(scores_map.reshape(-1), k)
    cells = height * width
    labels = torch.div(index, cells, rounding_mode="floor")
    position = index - labels * cells
    row = torch.div(position, width, rounding_mode="floor")
    col = position - row * width
    left, top, right, bottom = distances[0].reshape(4, -1)[:, position]
    cx = col.to(scores.dtype) + 0.5
    cy = row.to(scores.dtype) + 0.5
    boxes = torch.stack(
        [(cx - left) / width, (cy - top) / height, (cx + right) / width, (cy + bottom) / height], 1
    )
    boxes = boxes.clamp(0.0, 1.0)
    keep = scores >= SCORE_FLOOR
    boxes, scores, labels = boxes[keep], scores[keep], labels[keep]
    keep = batched_nms(boxes, scores, labels, NMS_IOU)[:max_detections]
    return boxes[keep], scores[keep], labels[keep]


def encode_targets(
    boxes: torch.Tensor, labels: torch.Tensor, num_classes: int, input_size: tuple[int, int]
) -> dict[str, torch.Tensor]:
    """Training targets for ONE image.

    Args:
        boxes: ``[M, 4]`` pixel ``x1, y1, x2, y2`` in the (resized) input image.
        labels: ``[M]`` class indices.
        num_classes: number of labels.
        input_size: ``(height, width)`` of the network input.

    A cell is a positive of a box when its centre lies inside the box and within
    :data:`CENTER_RADIUS` cells of the box centre (the smallest box wins a shared cell); the cell
    holding a box's centre is always one of its positives, so even boxes smaller than a cell train.
    Returns one-hot ``classes [C,h,w]``, side distances ``distances [4,h,w]`` in cells,
    ``centerness [h,w]`` and the positive ``mask [h,w]``.
    """
    height, width = math.ceil(input_size[0] / STRIDE), math.ceil(input_size[1] / STRIDE)
    classes = torch.zeros(num_classes, height, width)
    distances = torch.ones(4, height, width)
    centerness = torch.zeros(height, width)
    mask = torch.zeros(height, width)
    if len(boxes) == 0:
        return {"classes": classes, "distances": distances, "centerness": centerness, "mask": mask}
    cells = boxes.float() / STRIDE
    ys, xs = torch.meshgrid(torch.arange(height) + 0.5, torch.arange(width) + 0.5, indexing="ij")
    px, py = xs.reshape(-1, 1), ys.reshape(-1, 1)  # [H*W, 1]
    x1, y1, x2, y2 = (cells[:, i].reshape(1, -1) for i in range(4))  # [1, M]
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    inside = (px > x1) & (px < x2) & (py > y1) & (py < y2)
    near = ((px - cx).abs() < CENTER_RADIUS) & ((py - cy).abs() < CENTER_RADIUS)
    own = (px.floor() == cx.floor().clamp(max=width - 1)) & (py.floor() == cy.floor().clamp(max=height - 1))
    candidate = (inside & near) | own
    area = ((x2 - x1) * (y2 - y1)).expand(candidate.shape)
    area = torch.where(candidate, area, torch.full_like(area, math.inf))
    smallest, chosen = area.min(dim=1)
    positive = torch.isfinite(smallest)
    picked = chosen[positive]
    sides = torch.stack(
        [px[positive, 0] - x1[0, picked], py[positive, 0] - y1[0, picked],
         x2[0, picked] - px[positive, 0], y2[0, picked] - py[positive, 0]],
        dim=0,
    ).clamp(min=0.05)  # fmt: skip
    flat_index = torch.nonzero(positive).reshape(-1)
    distances.reshape(4, -1)[:, flat_index] = sides
    ratio = (torch.minimum(sides[0], sides[2]) / torch.maximum(sides[0], sides[2])) * (
        torch.minimum(sides[1], sides[3]) / torch.maximum(sides[1], sides[3])
    )
    centerness.reshape(-1)[flat_index] = ratio.sqrt()
    classes.reshape(num_classes, -1)[labels[picked], flat_index] = 1.0
    mask.reshape(-1)[flat_index] = 1.0
    return {"classes": classes, "distances": distances, "centerness": centerness, "mask": mask}


def detection_loss(outputs: Outputs, targets: dict[str, torch.Tensor]) -> torch.Tensor:
    """FCOS loss: sigmoid focal loss on classes, GIoU on boxes (centre-ness weighted), BCE on centre-ness.

    ``targets`` holds the batched (stacked) tensors of :func:`encode_targets`.
    """
    class_logits, distances, centerness_logits = (o.float() for o in outputs)
    positive = targets["mask"] > 0
    count = positive.sum().clamp(min=1.0)
    focal = (
        sigmoid_focal_loss(class_logits, targets["classes"], alpha=0.25, gamma=2.0, reduction="sum") / count
    )
    if not positive.any():
        return focal
    predicted = distances.permute(0, 2, 3, 1)[positive]
    wanted = targets["distances"].permute(0, 2, 3, 1)[positive]
    weight = targets["centerness"][positive]

    def as_box(sides: torch.Tensor) -> torch.Tensor:  # distances around the cell centre → x1y1x2y2
        return torch.stack([-sides[:, 0], -sides[:, 1], sides[:, 2], sides[:, 3]], dim=1)

    giou = generalized_box_iou_loss(as_box(predicted), as_box(wanted), reduction="none")
    box_loss = (giou * weight).sum() / weight.sum().clamp(min=1e-6)
    center_loss = (
        F.binary_cross_entropy_with_logits(centerness_logits[:, 0][positive], weight, reduction="sum") / count
    )
    return focal + box_loss + center_loss
