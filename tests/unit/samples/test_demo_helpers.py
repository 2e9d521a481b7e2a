"""The pure parts of ``tools/demo.py``: project numbering, answers as text, the outputs file."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from customlabels.cli.output import CliError
from tools.demo import Demo, _found, legible, load_outputs

OUTPUTS = {
    "ApiEndpoint": "http://127.0.0.1:4566/restapis/abc/v1/_user_request_/",
    "EndpointUrl": "http://127.0.0.1:4566",
    "Region": "us-east-1",
    "DataBucketName": "data",
    "BatchInputPrefix": "batch-input/",
    "BatchOutputPrefix": "batch-output/",
}


class Projects:
    """A ``describe_projects`` paginator over fixed project names."""

    def __init__(self, *names: str) -> None:
        self.names = names

    def get_paginator(self, operation: str) -> Any:
        assert operation == "describe_projects"
        arns = [f"arn:aws:rekognition:us-east-1:0:project/{name}/1" for name in self.names]
        pages = [{"ProjectDescriptions": [{"ProjectArn": arn} for arn in arns]}]
        return type("Paginator", (), {"paginate": lambda self: pages})()


def demo_over(*names: str) -> Demo:
    demo = Demo(OUTPUTS, stream=io.StringIO())
    demo.rekognition = Projects(*names)
    return demo


def test_projects_get_the_next_free_sample_number() -> None:
    stems = ["textures", "photos", "logos", "digits"]
    assert demo_over()._next_number(stems) == 1
    assert demo_over("textures_1", "photos_1", "logos_3", "mine_9")._next_number(stems) == 4
    assert demo_over("textures", "textures_x", "oldtextures_7")._next_number(stems) == 1


def test_answers_read_as_labels_confidences_and_boxes() -> None:
    box = {"BoundingBox": {"Left": 0.079, "Top": 0.404, "Width": 0.199, "Height": 0.313}}
    labels = [
        {"Name": "textract", "Confidence": 87.77, "Geometry": box},
        {"Name": "living_space", "Confidence": 83.41},
    ]
    assert _found(labels) == "textract 87.8% at (0.08, 0.40, 0.20x0.31); living_space 83.4%"
    assert _found([]) == "-"


def test_the_outputs_file_is_required(tmp_path: Path) -> None:
    with pytest.raises(CliError, match="make up"):
        load_outputs(tmp_path / "outputs.json")
    (tmp_path / "outputs.json").write_text(json.dumps(OUTPUTS))
    assert load_outputs(tmp_path / "outputs.json") == OUTPUTS


def test_small_images_are_scaled_up_by_a_whole_factor_to_be_legible() -> None:
    assert legible(Image.new("RGB", (96, 64)), 384).size == (96 * 6, 64 * 6)
    big = Image.new("RGB", (400, 500))
    assert legible(big, 384) is big
