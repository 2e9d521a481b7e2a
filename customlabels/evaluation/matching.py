"""Matching predicted boxes to ground-truth boxes at IoU >= 0.5 (guide L7024-7026).

The guide only says a predicted box is correct when its IoU with a ground-truth box is at least
0.5. We match as PASCAL VOC and COCO do: within one image and one label, predictions in order of
falling score each take the still-unmatched ground-truth box with the highest IoU, if that IoU is
>= 0.5. Because the order is by score, the matches among the predictions above any threshold are
the same as if only those predictions existed, so one matching serves every threshold.
"""

from __future__ import annotations

import numpy as np

IOU_THRESHOLD = 0.5


def iou_matrix(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """IoU of every box in ``first`` ``[N, 4]`` with every box in ``second`` ``[M, 4]`` (x1, y1, x2, y2)."""
    first = np.asarray(first, dtype=np.float64).reshape(-1, 4)
    second = np.asarray(second, dtype=np.float64).reshape(-1, 4)
    left = np.maximum(first[:, None, 0], second[None, :, 0])
    top = np.maximum(first[:, None, 1], second[None, :, 1])
    right = np.minimum(first[:, None, 2], second[None, :, 2])
    bottom = np.minimum(first[:, None, 3], second[None, :, 3])
    intersection = np.clip(right - left, 0, None) * np.clip(bottom - top, 0, None)
    area_first = (first[:, 2] - first[:, 0]) * (first[:, 3] - first[:, 1])
    area_second = (second[:, 2] - second[:, 0]) * (second[:, 3] - second[:, 1])
    union = area_first[:, None] + area_second[None, :] - intersection
    return np.where(union > 0, intersection / np.where(union > 0, union, 1.0), 0.0)


def match_boxes(
    pred_boxes: np.ndarray,
    pred_scores: np.ndarray,
    pred_labels: np.ndarray,
    true_boxes: np.ndarray,
    true_labels: np.ndarray,
    *,
    iou_threshold: float = IOU_THRESHOLD,
    same_label: bool = True,
) -> np.ndarray:
    """For each prediction, the index of the ground-truth box it matches, or -1.

    Args:
        pred_boxes, pred_scores, pred_labels: ``[K, 4]``, ``[K]``, ``[K]`` predictions of one image.
        true_boxes, true_labels: ``[M, 4]``, ``[M]`` ground truth of the same image (same units).
        iou_threshold: the minimum IoU of a match.
        same_label: match only boxes of the same label (metrics); False matches across labels
            (the detection confusion matrix, which asks what a box was mistaken for).
    """
    matched = np.full(len(pred_scores), -1, dtype=np.int64)
    if len(pred_scores) == 0 or len(true_labels) == 0:
        return matched
    overlaps = iou_matrix(pred_boxes, true_boxes)
    taken = np.zeros(len(true_labels), dtype=bool)
    for index in np.argsort(-np.asarray(pred_scores), kind="stable"):
        candidates = overlaps[index].copy()
        candidates[taken] = -1.0
        if same_label:
            candidates[np.asarray(true_labels) != pred_labels[index]] = -1.0
        best = int(np.argmax(candidates))
        if candidates[best] >= iou_threshold:
            matched[index] = best
            taken[best] = True
    return matched
