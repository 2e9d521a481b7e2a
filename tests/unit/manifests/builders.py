"""Small builders for manifest lines and images used by the manifest tests."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from PIL import Image

DATA = Path(__file__).parent / "data"
DATE = "2018-10-18T22:18:13.527256"


def classification(
    source_ref: str = "s3://bucket/images/a.png", *labels: str, **extra: Any
) -> dict[str, Any]:
    """An image-level line with one attribute per label (guide L3032-3058)."""
    line: dict[str, Any] = {"source-ref": source_ref}
    for index, label in enumerate(labels or ("Sunrise",)):
        line[f"sport{index}"] = index
        line[f"sport{index}-metadata"] = {
            "class-name": label,
            "confidence": 0.8,
            "type": "groundtruth/image-classification",
            "job-name": "identify-sport",
            "human-annotated": "yes",
            "creation-date": DATE,
        }
    line.update(extra)
    return line


def box(
    class_id: int = 0, left: float = 86, top: float = 65, width: float = 220, height: float = 334
) -> dict[str, Any]:
    return {"class_id": class_id, "top": top, "left": left, "width": width, "height": height}


def detection(
    source_ref: str = "s3://bucket/images/IMG_1186.png",
    boxes: list[dict[str, Any]] | None = None,
    *,
    size: tuple[int, int] = (640, 480),
    class_map: dict[str, str] | None = None,
    attribute: str = "bounding-box",
) -> dict[str, Any]:
    """An object-localization line (guide L3089-3129); default: the guide's two boxes."""
    boxes = [box(1, 399, 251, 155, 101), box(0, 86, 65, 220, 334)] if boxes is None else boxes
    return {
        "source-ref": source_ref,
        attribute: {
            "image_size": [{"width": size[0], "height": size[1], "depth": 3}],
            "annotations": boxes,
        },
        f"{attribute}-metadata": {
            "objects": [{"confidence": 1} for _ in boxes],
            "class-map": class_map if class_map is not None else {"0": "Echo", "1": "Echo Dot"},
            "type": "groundtruth/object-detection",
            "human-annotated": "yes",
            "creation-date": DATE,
            "job-name": "my job",
        },
    }


def dumps(line: dict[str, Any]) -> str:
    return json.dumps(line)


def image_bytes(size: tuple[int, int] = (100, 80), fmt: str = "PNG", **save: Any) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (120, 30, 200)).save(buffer, fmt, **save)
    return buffer.getvalue()


def write_image(root: Path, uri: str, data: bytes) -> None:
    """Store ``data`` where :class:`LocalImageSource` serves ``uri`` from ``root``."""
    path = root / uri.removeprefix("s3://")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
