"""Written samples: PNG files and Ground Truth manifests that the service's own validation accepts."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from customlabels.manifests import ImageInspector, LineStatus, LocalImageSource, parse_line, validate_line
from customlabels.samples import SampleProject, WrittenSample, manifest_line, write_sample
from customlabels.samples.sample import BATCH_FOLDER, DETECT_FOLDER, TEST_FOLDER, TRAINING_FOLDER

BUCKET = "data-bucket"


def write(project: SampleProject, root: Path) -> WrittenSample:
    """Written where LocalImageSource serves s3://data-bucket/assets/<name>/ from."""
    return write_sample(
        project, root / BUCKET / "assets" / project.name, f"s3://{BUCKET}/assets/{project.name}/"
    )


def digest(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_the_guides_sample_layout(quick_samples: list[SampleProject], tmp_path: Path) -> None:
    project = quick_samples[0]
    written = write(project, tmp_path)
    for folder, images in (
        (TRAINING_FOLDER, project.train),
        (TEST_FOLDER, project.test),
        (DETECT_FOLDER, project.analyze),
        (BATCH_FOLDER, project.batch),
    ):
        assert sorted(p.name for p in (written.folder / folder).iterdir()) == sorted(i.name for i in images)
    assert written.train_manifest.name == "train.manifest"
    assert len(written.train_manifest.read_text().splitlines()) == len(project.train)
    assert len(written.test_manifest.read_text().splitlines()) == len(project.test)
    assert [p.name for p in written.analyze] == [i.name for i in project.analyze]
    assert (
        written.uri(written.analyze[0])
        == f"s3://{BUCKET}/assets/textures/{DETECT_FOLDER}/{project.analyze[0].name}"
    )
    assert (
        len(written.files())
        == sum(map(len, (project.train, project.test, project.analyze, project.batch))) + 2
    )


def test_writing_twice_gives_the_same_bytes(quick_samples: list[SampleProject], tmp_path: Path) -> None:
    for project in quick_samples:
        first = write(project, tmp_path / "one")
        second = write(project, tmp_path / "two")
        assert digest(first.folder) == digest(second.folder)


def test_every_manifest_line_validates_with_its_image(
    quick_samples: list[SampleProject], tmp_path: Path
) -> None:
    source = LocalImageSource(tmp_path)
    for project in quick_samples:
        written = write(project, tmp_path)
        images = ImageInspector(source.stat, source.read_range)
        for manifest in (written.train_manifest, written.test_manifest):
            for number, line in enumerate(manifest.read_text().splitlines(), start=1):
                result = validate_line(line, number, images=images)
                assert result.status is LineStatus.VALID, (project.name, line)
                assert result.entry is not None and not result.has_errors and not result.entry.warnings, line
                assert source.path_for(result.entry.source_ref or "").is_file()


def test_manifest_lines_carry_the_samples_labels_and_boxes(quick_samples: list[SampleProject]) -> None:
    for project in quick_samples:
        for sample in (*project.train, *project.test):
            entry = parse_line(manifest_line(sample, f"s3://{BUCKET}/{sample.name}", project))
            assert entry is not None
            if project.detection:
                (attribute,) = entry.box_attributes
                assert (attribute.image_width, attribute.image_height) == sample.image.size
                assert [(b.label, b.left, b.top, b.width, b.height) for b in attribute.boxes] == [
                    (b.label, b.left, b.top, b.width, b.height) for b in sample.boxes
                ]
                assert set(attribute.class_map.values()) <= set(project.labels)
            else:
                assert sorted(label.class_name for label in entry.image_labels) == sorted(sample.labels)
                assert all(label.human_annotated == "yes" for label in entry.image_labels)


def test_detection_class_ids_are_the_same_in_every_line(quick_samples: list[SampleProject]) -> None:
    for project in quick_samples[2:]:
        seen: dict[str, str] = {}
        for sample in project.train:
            metadata = json.loads(manifest_line(sample, "s3://b/k.png", project))["bounding-box-metadata"]
            for class_id, label in metadata["class-map"].items():
                assert seen.setdefault(class_id, label) == label


def test_base_uri_must_be_an_s3_folder(quick_samples: list[SampleProject], tmp_path: Path) -> None:
    for bad in ("s3://bucket/prefix", "/local/folder/", "https://bucket/prefix/"):
        with pytest.raises(ValueError, match="s3://bucket/prefix/"):
            write_sample(quick_samples[0], tmp_path, bad)
