"""DetectCustomLabels results drawn on their image, for ``detect --draw`` and the demo.

Each detected object (a label with ``Geometry.BoundingBox``) gets its box and a tag with its name
and confidence; image-level labels (no geometry) are listed in a caption band added under the
image. A label keeps its colour from image to image. Boxes are ratios of the upright image: a
JPEG's EXIF orientation is applied first, as DetectCustomLabels does before it locates objects
(PNG orientation is not, like the service's).

Pure: Pillow only, no AWS.
"""

from __future__ import annotations

import io
import math
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont, ImageOps

Colour = tuple[int, int, int]
# Tableau 10: tells ten labels apart, and each stays readable under white text.
PALETTE: tuple[Colour, ...] = (
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
    (188, 189, 34),
    (23, 190, 207),
)
TEXT: Colour = (255, 255, 255)
CAPTION_BACKGROUND: Colour = (24, 24, 24)


def open_image(data: bytes) -> Image.Image:
    """The image as DetectCustomLabels sees it: decoded, upright (JPEG EXIF), RGB."""
    image = Image.open(io.BytesIO(data))
    upright = ImageOps.exif_transpose(image) if image.format == "JPEG" else image
    return upright.convert("RGB")


def colour_of(label: str) -> Colour:
    """A label's colour, the same in every image."""
    return PALETTE[zlib.crc32(label.encode("utf-8")) % len(PALETTE)]


def box_pixels(box: Mapping[str, float], size: tuple[int, int]) -> tuple[int, int, int, int]:
    """A ``BoundingBox`` (ratios of the image, possibly reaching past its edges) as the
    ``(left, top, right, bottom)`` pixels of its part inside the image."""
    width, height = size
    left, top = box.get("Left", 0.0) * width, box.get("Top", 0.0) * height
    right = left + max(box.get("Width", 0.0), 0.0) * width
    bottom = top + max(box.get("Height", 0.0), 0.0) * height
    x0, y0 = min(max(round(left), 0), width - 1), min(max(round(top), 0), height - 1)
    x1, y1 = min(max(round(right) - 1, x0), width - 1), min(max(round(bottom) - 1, y0), height - 1)
    return x0, y0, x1, y1


def tag_text(label: Mapping[str, Any]) -> str:
    """``name 97.3%``."""
    return f"{label['Name']} {float(label.get('Confidence', 0.0)):.1f}%"


def draw_labels(image: Image.Image, custom_labels: Sequence[Mapping[str, Any]]) -> Image.Image:
    """A copy of ``image`` with the labels drawn: boxes with tags, image-level labels as a caption.

    Args:
        image: the upright image (see :func:`open_image`).
        custom_labels: ``CustomLabels`` of a DetectCustomLabels response.
    """
    canvas = image.convert("RGB")  # a copy, even of an RGB image
    width, height = canvas.size
    font = _font(max(10, min(28, round(min(width, height) / 20))))
    line = max(2, round(min(width, height) / 200))
    draw = ImageDraw.Draw(canvas)
    objects = [label for label in custom_labels if (label.get("Geometry") or {}).get("BoundingBox")]
    for label in objects:
        colour = colour_of(label["Name"])
        left, top, right, bottom = box_pixels(label["Geometry"]["BoundingBox"], canvas.size)
        draw.rectangle((left, top, right, bottom), outline=colour, width=line)
        text = tag_text(label)
        text_left, text_top, text_right, text_bottom = draw.textbbox((0, 0), text, font=font)
        tag_width, tag_height = text_right - text_left + 2 * line, text_bottom - text_top + 2 * line
        # above the box when it fits, else just inside its top edge
        tag_top = top - tag_height if top - tag_height >= 0 else top
        tag_left = min(left, max(width - tag_width, 0))
        draw.rectangle((tag_left, tag_top, tag_left + tag_width, tag_top + tag_height), fill=colour)
        draw.text((tag_left + line - text_left, tag_top + line - text_top), text, fill=TEXT, font=font)
    image_level = [label for label in custom_labels if label not in objects]
    if not image_level:
        return canvas
    return _with_caption(canvas, [tag_text(label) for label in image_level], font, line)


def render(data: bytes, custom_labels: Sequence[Mapping[str, Any]], path: str | Path) -> Path:
    """Decode ``data``, draw ``custom_labels`` on it and save it to ``path`` (format from its suffix)."""
    target = Path(path)
    draw_labels(open_image(data), custom_labels).save(target)
    return target


def _with_caption(canvas: Image.Image, texts: list[str], font: Any, margin: int) -> Image.Image:
    """``canvas`` with a band under it listing ``texts``, wrapped to the image's width."""
    measure = ImageDraw.Draw(canvas)
    separator = "   "
    lines: list[str] = []
    for text in texts:
        candidate = f"{lines[-1]}{separator}{text}" if lines else text
        if lines and measure.textlength(candidate, font=font) + 2 * margin <= canvas.width:
            lines[-1] = candidate
        else:
            lines.append(text)
    _, text_top, _, text_bottom = measure.textbbox((0, 0), "Ag", font=font)
    line_height = math.ceil(text_bottom - text_top) + 2 * margin
    band = len(lines) * line_height + 2 * margin
    captioned = Image.new("RGB", (canvas.width, canvas.height + band), CAPTION_BACKGROUND)
    captioned.paste(canvas, (0, 0))
    draw = ImageDraw.Draw(captioned)
    for index, text in enumerate(lines):
        draw.text((2 * margin, canvas.height + margin + index * line_height), text, fill=TEXT, font=font)
    return captioned


def _font(size: int) -> Any:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1 has one bitmap size
        return ImageFont.load_default()
