"""Image composition for the sample datasets: crops of photographs, things pasted on them, boxes.

Pure functions of their inputs and a NumPy random generator, so the same seed always gives the
same pixels. Boxes are in pixels from the top-left corner (``left``, ``top``, ``width``,
``height``), as Ground Truth's ``annotations`` carry them (guide L3153-3171).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image


@dataclass(frozen=True)
class Box:
    """A labelled bounding box in pixels."""

    label: str
    left: int
    top: int
    width: int
    height: int

    @property
    def right(self) -> int:
        return self.left + self.width

    @property
    def bottom(self) -> int:
        return self.top + self.height

    def overlaps(self, other: Box, margin: int = 2) -> bool:
        """Whether the two boxes, each grown by ``margin`` pixels, intersect."""
        return (
            self.left < other.right + margin
            and other.left < self.right + margin
            and self.top < other.bottom + margin
            and other.top < self.bottom + margin
        )


def crop_resized(
    photo: np.ndarray,
    rng: np.random.Generator,
    size: int,
    *,
    side: tuple[float, float] = (0.3, 1.0),
    columns: tuple[float, float] = (0.0, 1.0),
) -> Image.Image:
    """A random square crop of ``photo`` resized to ``size`` x ``size`` (RGB).

    Args:
        photo: ``(H, W, 3)`` uint8.
        rng: the random source.
        size: the output side in pixels.
        side: the crop's side as a fraction of the photo's shorter side (low, high).
        columns: the horizontal band (fractions of the width) the crop must stay in; two
            disjoint bands give train and test crops that share no pixel.
    """
    height, width = photo.shape[:2]
    band_left, band_right = int(columns[0] * width), int(columns[1] * width)
    longest = min(height, band_right - band_left)
    low = max(8, int(side[0] * min(height, width)))
    high = max(low, min(longest, int(side[1] * min(height, width))))
    crop = int(rng.integers(low, high + 1))
    top = int(rng.integers(0, height - crop + 1))
    left = band_left + int(rng.integers(0, band_right - band_left - crop + 1))
    region = Image.fromarray(photo[top : top + crop, left : left + crop])
    return region.resize((size, size), Image.Resampling.BILINEAR)


def place(
    rng: np.random.Generator,
    canvas: tuple[int, int],
    width: int,
    height: int,
    taken: list[Box],
    label: str,
    attempts: int = 30,
) -> Box | None:
    """A random position for a ``width`` x ``height`` thing inside ``canvas`` (W, H) that overlaps
    none of ``taken``; None when ``attempts`` tries found none."""
    canvas_width, canvas_height = canvas
    if width > canvas_width or height > canvas_height:
        return None
    for _ in range(attempts):
        left = int(rng.integers(0, canvas_width - width + 1))
        top = int(rng.integers(0, canvas_height - height + 1))
        box = Box(label, left, top, width, height)
        if not any(box.overlaps(other) for other in taken):
            return box
    return None


def paste_logo(canvas: Image.Image, logo: Image.Image, box: Box) -> None:
    """Draw ``logo`` (RGBA) scaled into ``box`` on ``canvas`` (RGB), in place."""
    scaled = logo.resize((box.width, box.height), Image.Resampling.LANCZOS)
    canvas.paste(scaled, (box.left, box.top), scaled)


def digit_ink(digit: np.ndarray, width: int, height: int) -> np.ndarray:
    """A digit's ink opacity (0..1, ``(height, width)``) from scikit-learn's 0..16 8x8 image."""
    small = Image.fromarray((np.asarray(digit) / 16.0 * 255).astype(np.uint8), mode="L")
    resized = small.resize((width, height), Image.Resampling.BILINEAR)
    return np.asarray(resized, dtype=np.float32) / 255.0


def paste_ink(canvas: Image.Image, ink: np.ndarray, left: int, top: int) -> Box:
    """Write ``ink`` on ``canvas`` in place, dark on a light spot and light on a dark one; returns the
    tight box around the ink (label left empty for the caller)."""
    pixels = np.asarray(canvas, dtype=np.float32).copy()
    height, width = ink.shape
    spot = pixels[top : top + height, left : left + width]
    colour = np.array([20.0, 20.0, 30.0]) if spot.mean() > 110 else np.array([240.0, 240.0, 225.0])
    alpha = ink[..., None]
    pixels[top : top + height, left : left + width] = spot * (1 - alpha) + colour * alpha
    canvas.paste(Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)))
    rows, cols = np.nonzero(ink > 0.15)
    if rows.size == 0:
        return Box("", left, top, width, height)
    return Box(
        "",
        left + int(cols.min()),
        top + int(rows.min()),
        int(cols.max() - cols.min()) + 1,
        int(rows.max() - rows.min()) + 1,
    )


def adjust_brightness(image: Image.Image, factor: float) -> Image.Image:
    """``image`` with every channel scaled by ``factor`` (clipped)."""
    pixels = np.asarray(image, dtype=np.float32) * factor
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
