"""Importers: COCO (L3576-3722), CSV (L3888-4180), Ground Truth multi-label (L3730-3886), folders."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from customlabels.manifests import LineStatus, validate_line
from customlabels.manifests.coco import coco_to_manifest, images_s3_path
from customlabels.manifests.csv_manifest import (
    CsvDuplicateImagesError,
    check_duplicates,
    csv_to_manifest,
    output_file_names,
)
from customlabels.manifests.folders import local_folder_manifest, s3_folder_manifest
from customlabels.manifests.multilabel import convert_multilabel_manifest, output_file_name

from .builders import DATA, image_bytes

DATE = datetime(2022, 1, 21, 14, 21, 5)


def test_coco_conversion_matches_the_guide_script_byte_for_byte() -> None:
    coco = json.loads((DATA / "coco_guide_example.json").read_text())
    lines = coco_to_manifest(coco, s3_path=images_s3_path("bucket", "images/"), job_name="my job")
    assert lines[1] == (
        '{"source-ref": "s3://bucket/images/nnnnnnnnnn.jpg", "bounding-box": {"annotations": '
        '[{"left": 399, "top": 251, "width": 155, "height": 101, "class_id": 0}, '
        '{"left": 86, "top": 65, "width": 220, "height": 334, "class_id": 1}], '
        '"image_size": [{"width": 640, "depth": 3, "height": 480}]}, "bounding-box-metadata": '
        '{"job-name": "my job", "class-map": {"0": "echo", "1": "echo dot"}, "human-annotated": "yes", '
        '"objects": [{"confidence": 1}, {"confidence": 1}], "creation-date": "2013-11-18T02:53:27", '
        '"type": "groundtruth/object-detection"}}'
    )
    first = json.loads(lines[0])
    assert first["bounding-box"]["annotations"] == [
        {"left": 19.23, "top": 383.18, "width": 314.5, "height": 244.46, "class_id": 0}  # floats stay floats
    ]
    assert first["bounding-box-metadata"]["class-map"] == {"0": "echo"}  # only this image's categories
    assert all(validate_line(line).status is LineStatus.VALID for line in lines)


def test_coco_images_without_annotations_are_written() -> None:
    coco = json.loads((DATA / "coco_guide_example.json").read_text())
    coco["annotations"] = coco["annotations"][1:]
    lines = coco_to_manifest(coco, s3_path="s3://bucket/images/", job_name="job", label_attribute="boxes")
    first = json.loads(lines[0])
    assert first["boxes"]["annotations"] == [] and first["boxes-metadata"]["objects"] == []
    assert validate_line(lines[0]).status is LineStatus.IGNORED  # WARNING_NO_ANNOTATIONS


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c.pop("categories"), "no 'categories' section"),
        (lambda c: c["annotations"][0].update(image_id=1), "names image_id 1"),
        (lambda c: c["images"][0].update(date_captured="2013/11/15"), "must look like 2013-11-18 02:53:27"),
    ],
)
def test_coco_errors_say_what_is_wrong(change: object, message: str) -> None:
    coco = json.loads((DATA / "coco_guide_example.json").read_text())
    change(coco)  # type: ignore[operator]
    with pytest.raises(ValueError, match=message):
        coco_to_manifest(coco, s3_path="s3://bucket/images/", job_name="job")


def test_csv_conversion_matches_the_guide() -> None:
    csv_text = (DATA / "flowers_guide_example.csv").read_text()
    manifest = csv_to_manifest(csv_text, creation_date=DATE, s3_path="s3://bucket/flowers/train/")
    assert (manifest.image_count, manifest.label_count) == (15, 33)
    # guide L3926, with the script's %f fraction in creation-date.
    guide_line = json.loads((DATA / "guide_examples.manifest").read_text().splitlines()[4])
    for key in ("camellia-metadata", "with_leaves-metadata"):
        guide_line[key]["creation-date"] = "2022-01-21T14:21:05.000000"
    assert json.loads(manifest.lines[0]) == guide_line
    assert manifest.lines[0] == json.dumps(guide_line)  # json.dumps formatting, as the script writes
    assert all(validate_line(line).status is LineStatus.VALID for line in manifest.lines)
    helleborus = json.loads(manifest.lines[3])
    assert [helleborus[f"{name}-metadata"]["class-name"] for name in ("helleborus", "without_leaves")] == [
        "helleborus",
        "without_leaves",
    ]


def test_csv_rows_with_s3_paths_and_empty_columns() -> None:
    manifest = csv_to_manifest("s3://b1/x/a.jpg,cat,,\n\ns3://b1/x/b.jpg,dog\n", creation_date=DATE)
    assert [json.loads(line)["source-ref"] for line in manifest.lines] == [
        "s3://b1/x/a.jpg",
        "s3://b1/x/b.jpg",
    ]
    assert manifest.label_count == 2


def test_csv_duplicates_stop_the_conversion() -> None:
    csv_text = "a.jpg,cat\nb.jpg,dog\na.jpg,dog\n"
    duplicates = check_duplicates(csv_text)
    assert duplicates.duplicates_csv() == "a.jpg,dog\r\n"
    assert duplicates.deduplicated_csv() == "a.jpg,cat\r\nb.jpg,dog\r\n"
    with pytest.raises(CsvDuplicateImagesError, match="first: 'a.jpg'") as info:
        csv_to_manifest(csv_text, creation_date=DATE, s3_path="s3://bucket/")
    assert info.value.duplicates == duplicates
    assert output_file_names("data/flowers.csv") == (
        "data/flowers.manifest",
        "data/flowers-duplicates.csv",
        "data/flowers-deduplicated.csv",
    )


@pytest.mark.parametrize(
    ("csv_text", "s3_path"),
    [("a.jpg,cat\n", ""), ("s3://bucket/a.jpg,cat\n", "s3://bucket/")],
)
def test_csv_paths_must_not_be_mixed(csv_text: str, s3_path: str) -> None:
    with pytest.raises(ValueError, match="row 1"):
        csv_to_manifest(csv_text, creation_date=DATE, s3_path=s3_path)


def test_ground_truth_multilabel_conversion() -> None:
    lines = convert_multilabel_manifest(
        (DATA / "groundtruth_multilabel_output.manifest").read_text().splitlines()
    )
    assert lines[0] == (
        '{"source-ref": "s3://bucket/sports/img1.jpg", "sport0": 0, "sport0-metadata": '
        '{"class-name": "football", '
        '"confidence": 0.8, "type": "groundtruth/image-classification", "job-name": "labeling-job/sport", '
        '"human-annotated": "yes", "creation-date": "2018-10-18T22:18:13.527256"}, "sport1": 1, '
        '"sport1-metadata": {"class-name": "ball", "confidence": 0.75, '
        '"type": "groundtruth/image-classification", "job-name": '
        '"labeling-job/sport", "human-annotated": "yes", "creation-date": "2018-10-18T22:18:13.527256"}}'
    )
    assert [validate_line(line).entry.label_names() for line in lines] == [{"football", "ball"}, {"ball"}]  # type: ignore[union-attr]
    assert output_file_name("/tmp/out/output.manifest") == "custom_labels_output.manifest"


def test_multilabel_conversion_errors_name_the_line() -> None:
    with pytest.raises(ValueError, match="line 2"):
        convert_multilabel_manifest(["", '{"source-ref": "s3://b/a.jpg", "x-metadata": {}}'])


# guide L2252-2270: the example tree.
KEYS = [
    "alexa-devices/echo/echo-image-1.png",
    "alexa-devices/echo/echo-image-2.png",
    "alexa-devices/echo-dot/white-echo-dot/white-echo-dot-image-1.png",
    "alexa-devices/echo-dot/white-echo-dot/white-echo-dot-image-2.png",
    "alexa-devices/echo-dot/echo-dot-image-1.png",
    "alexa-devices/echo-dot/echo-dot-image-2.png",
    "alexa-devices/readme.txt",
    "alexa-devices/cover.PNG",
    "alexa-devices/echo/",
    "other/x.png",
]


def folder_labels(lines: list[str]) -> dict[str, set[str]]:
    labels = {}
    for line in lines:
        result = validate_line(line)
        assert result.entry is not None and result.entry.source_ref is not None
        labels[result.entry.source_ref.rsplit("/", 1)[1]] = result.entry.label_names()
    return labels


def test_s3_folder_names_become_labels() -> None:
    lines = s3_folder_manifest("S3-bucket".lower(), "alexa-devices", KEYS, creation_date=DATE)
    assert folder_labels(lines) == {
        "cover.PNG": set(),  # directly under the prefix: no label (L2248)
        "echo-dot-image-1.png": {"echo-dot"},
        "echo-dot-image-2.png": {"echo-dot"},
        "white-echo-dot-image-1.png": {"echo-dot"},  # the first folder wins, however deep
        "white-echo-dot-image-2.png": {"echo-dot"},
        "echo-image-1.png": {"echo"},
        "echo-image-2.png": {"echo"},
    }


def test_a_deeper_prefix_labels_deeper_folders() -> None:
    lines = s3_folder_manifest("bucket", "alexa-devices/echo-dot/", KEYS, creation_date=DATE)
    assert folder_labels(lines) == {
        "echo-dot-image-1.png": set(),
        "echo-dot-image-2.png": set(),
        "white-echo-dot-image-1.png": {"white-echo-dot"},
        "white-echo-dot-image-2.png": {"white-echo-dot"},
    }


def test_local_folder_manifest_and_uploads(tmp_path: Path) -> None:
    for relative in ("cats/1.png", "cats/kittens/2.jpg", "dogs/3.JPEG", "4.png", "dogs/notes.txt"):
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(image_bytes())
    manifest = local_folder_manifest(tmp_path, "s3://bucket/upload", creation_date=DATE)
    assert [(path.relative_to(tmp_path).as_posix(), uri) for path, uri in manifest.uploads] == [
        ("4.png", "s3://bucket/upload/4.png"),
        ("cats/1.png", "s3://bucket/upload/cats/1.png"),
        ("cats/kittens/2.jpg", "s3://bucket/upload/cats/kittens/2.jpg"),
        ("dogs/3.JPEG", "s3://bucket/upload/dogs/3.JPEG"),
    ]
    assert folder_labels(manifest.lines) == {
        "4.png": set(),
        "1.png": {"cats"},
        "2.jpg": {"cats"},
        "3.JPEG": {"dogs"},
    }
    with pytest.raises(ValueError, match="s3://"):
        local_folder_manifest(tmp_path, "bucket/upload", creation_date=DATE)
