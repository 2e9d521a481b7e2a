"""``customlabels convert``: the guide's conversion scripts as commands, on local files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from customlabels.cli import main
from customlabels.manifests import import_lines

DATA = Path(__file__).parents[1] / "manifests" / "data"


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_csv_to_an_image_level_manifest(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(DATA / "flowers_guide_example.csv", "flowers.csv")
    assert main(["convert", "csv", "flowers.csv", "--s3-path", "s3://bucket/flowers/train/"]) == 0
    assert capsys.readouterr().out == "wrote 15 JSON Lines to flowers.manifest\n"  # the script's name (L4133)
    lines = Path("flowers.manifest").read_text().splitlines()
    first = json.loads(lines[0])
    assert first["source-ref"] == "s3://bucket/flowers/train/camellia1.jpg"
    assert first["camellia-metadata"]["class-name"] == "camellia"
    assert len(import_lines(lines).entries) == 15


def test_csv_with_repeated_images_writes_the_scripts_helper_files(capsys: pytest.CaptureFixture[str]) -> None:
    Path("dupes.csv").write_text("a.jpg,cat\nb.jpg,dog\na.jpg,bird\n")
    assert main(["--json", "convert", "csv", "dupes.csv", "--s3-path", "s3://bucket/"]) == 1
    error = capsys.readouterr().err
    assert error.startswith("DuplicateImages: 1 rows repeat an image already listed (first: 'a.jpg')")
    assert Path("dupes-duplicates.csv").read_text().strip() == "a.jpg,bird"
    assert Path("dupes-deduplicated.csv").read_text().splitlines() == ["a.jpg,cat", "b.jpg,dog"]
    assert not Path("dupes.manifest").exists()


def test_coco_to_a_bounding_box_manifest(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "--json",
        "convert",
        "coco",
        str(DATA / "coco_guide_example.json"),
        "--bucket",
        "custom-labels-bucket",
    ]
    assert main([*argv, "--images-prefix", "images/", "-o", "coco.manifest"]) == 0
    assert json.loads(capsys.readouterr().out) == {"Manifest": "coco.manifest", "Lines": 2}
    second = json.loads(Path("coco.manifest").read_text().splitlines()[1])
    assert second["source-ref"].startswith("s3://custom-labels-bucket/images/")
    assert second["bounding-box-metadata"]["type"] == "groundtruth/object-detection"


def test_ground_truth_multilabel_to_a_manifest(capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(DATA / "groundtruth_multilabel_output.manifest", "output.manifest")
    assert main(["convert", "multilabel", "output.manifest"]) == 0
    lines = Path("custom_labels_output.manifest").read_text().splitlines()  # the script's name (L3781)
    first = json.loads(lines[0])
    assert [first[f"sport{i}-metadata"]["class-name"] for i in range(2)] == ["football", "ball"]


def test_unreadable_input_is_an_error_not_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["convert", "multilabel", "missing.manifest"]) == 1
    assert capsys.readouterr().err.startswith("FileNotFoundError: ")
    Path("broken.manifest").write_text('{"source-ref": "s3://b/x.jpg"}\n')
    assert main(["convert", "multilabel", "broken.manifest"]) == 1
    assert capsys.readouterr().err.startswith("InvalidInput: line 1: cannot convert")
