"""COCO object-detection dataset → Custom Labels manifest, as the guide's script does (L3576-3722).

The script builds one line per COCO image (keyed by ``image.id``), then walks the annotations:
each appends a box ``{left, top, width, height, class_id}`` from ``bbox = [x, y, w, h]`` and the
``category_id``, adds its category to that line's ``class-map`` (so a line's class map holds
only the categories used in that image), and appends ``{"confidence": 1}`` to ``objects``.
Images without annotations are still written. Output is ``json.dump`` of each line in the
script's key order, which this module reproduces byte for byte.

Only ``images``, ``annotations`` and ``categories`` are read (L3448); segmentation is not
supported (L3529). Where the script would crash (an annotation naming an unknown image, a
``date_captured`` not in ``%Y-%m-%d %H:%M:%S``), a ValueError says what was wrong.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from .model import OBJECT_DETECTION

COCO_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"  # guide L3626
MANIFEST_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"  # guide L3627, L3432


def images_s3_path(bucket: str, images_prefix: str) -> str:
    """The script's ``s3_path``: ``'s3://' + s3_bucket + '/' + s3_key_path_images`` (L3593)."""
    return "s3://" + bucket + "/" + images_prefix


def coco_to_manifest(
    coco: dict[str, Any],
    *,
    s3_path: str,
    job_name: str,
    label_attribute: str = "bounding-box",
) -> list[str]:
    """Convert a COCO dataset (the parsed JSON) into Custom Labels JSON Lines.

    Args:
        coco: the COCO document; ``images``, ``annotations`` and ``categories`` are used.
        s3_path: prefix for ``source-ref``; ``source-ref = s3_path + file_name`` (L3620), so it
            ends in ``/`` (see :func:`images_s3_path`).
        job_name: written as ``job-name``.
        label_attribute: the label attribute's name (the script's default ``bounding-box``).

    Raises:
        ValueError: a section is missing, an annotation names an unknown image, or a
            ``date_captured`` is not ``YYYY-MM-DD HH:MM:SS``.
    """
    try:
        images, annotations, categories = coco["images"], coco["annotations"], coco["categories"]
    except KeyError as error:
        raise ValueError(
            f"the COCO document has no {error.args[0]!r} section; it needs images, annotations, categories"
        ) from error
    lines = {image["id"]: _image_line(image, s3_path, job_name, label_attribute) for image in images}
    metadata_key = label_attribute + "-metadata"
    for annotation in annotations:
        line = lines.get(annotation["image_id"])
        if line is None:
            raise ValueError(
                f"annotation {annotation.get('id')!r} names image_id {annotation['image_id']!r}, "
                "which is not in the images section"
            )
        bbox = annotation["bbox"]
        line[label_attribute]["annotations"].append(
            {
                "left": bbox[0],
                "top": bbox[1],
                "width": bbox[2],
                "height": bbox[3],
                "class_id": annotation["category_id"],
            }
        )
        for category in categories:
            if annotation["category_id"] == category["id"]:
                line[metadata_key]["class-map"][category["id"]] = category["name"]
        line[metadata_key]["objects"].append({"confidence": 1})
    return [json.dumps(line) for line in lines.values()]


def _image_line(image: dict[str, Any], s3_path: str, job_name: str, label_attribute: str) -> dict[str, Any]:
    """The script's ``cl_json_line`` for one image, before its annotations (L3609-3641)."""
    try:
        captured = datetime.strptime(image["date_captured"], COCO_DATE_FORMAT)
    except ValueError as error:
        raise ValueError(
            f"image {image.get('id')!r}: date_captured {image['date_captured']!r} "
            "must look like 2013-11-18 02:53:27"
        ) from error
    return {
        "source-ref": s3_path + image["file_name"],
        label_attribute: {
            "annotations": [],
            "image_size": [{"width": image["width"], "depth": 3, "height": image["height"]}],
        },
        label_attribute + "-metadata": {
            "job-name": job_name,
            "class-map": {},
            "human-annotated": "yes",
            "objects": [],
            "creation-date": captured.strftime(MANIFEST_DATE_FORMAT),
            "type": OBJECT_DETECTION,
        },
    }
