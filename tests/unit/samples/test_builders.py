"""The four sample builders: deterministic, complete, with boxes inside their images."""

from __future__ import annotations

import io

import numpy as np
import pytest

from customlabels.samples import BUILDERS, FULL, QUICK, SampleImage, SampleProject, SampleSize, build_all
from customlabels.samples.sample import label_counts

SPLITS = ("train", "test", "analyze", "batch")


def png(sample: SampleImage) -> bytes:
    buffer = io.BytesIO()
    sample.image.save(buffer, "PNG")
    return buffer.getvalue()


def every_image(project: SampleProject) -> list[SampleImage]:
    return [sample for split in SPLITS for sample in getattr(project, split)]


def test_one_sample_per_model_type_in_the_guides_order(quick_samples: list[SampleProject]) -> None:
    assert [p.key for p in quick_samples] == ["classification", "multi_label", "brands", "localization"]
    assert [p.guide_sample for p in quick_samples] == ["Rooms", "Flowers", "Logos", "Circuit boards"]
    assert [p.detection for p in quick_samples] == [False, False, True, True]
    assert len({p.name for p in quick_samples}) == 4


def test_the_same_seed_gives_the_same_pixels_labels_and_boxes(quick_samples: list[SampleProject]) -> None:
    again = build_all(QUICK)
    for first, second in zip(quick_samples, again, strict=True):
        assert first == second  # names, labels, boxes (pixels are compared below)
        for one, other in zip(every_image(first), every_image(second), strict=True):
            assert png(one) == png(other)


def test_another_seed_gives_other_pictures() -> None:
    small = SampleSize(train=2, test=1, analyze=0, batch=0)
    for build in BUILDERS.values():
        assert png(build(small, 0).train[0]) != png(build(small, 1).train[0])


@pytest.mark.parametrize("size", [QUICK, FULL], ids=["quick", "full"])
def test_datasets_have_the_sizes_asked_for(size: SampleSize) -> None:
    project = BUILDERS["classification"](size, 0)
    assert (len(project.train), len(project.test), len(project.analyze), len(project.batch)) == (
        size.train,
        size.test,
        size.analyze,
        size.batch,
    )


def test_every_label_is_trained_and_tested(quick_samples: list[SampleProject]) -> None:
    for project in quick_samples:
        assert set(label_counts(project.train)) == set(project.labels), project.name
        assert set(label_counts(project.test)) == set(project.labels), project.name
        assert project.labels == tuple(sorted(project.labels))


def test_images_meet_the_guides_limits(quick_samples: list[SampleProject]) -> None:
    for project in quick_samples:
        for sample in every_image(project):
            width, height = sample.image.size
            assert 64 <= width <= 4096 and 64 <= height <= 4096  # guide L2254
            assert sample.image.mode == "RGB"
            assert len(png(sample)) < 4 * 1024 * 1024


def test_image_names_are_unique_within_a_split(quick_samples: list[SampleProject]) -> None:
    for project in quick_samples:
        for split in SPLITS:
            names = [sample.name for sample in getattr(project, split)]
            assert len(names) == len(set(names)), (project.name, split)


def test_classification_images_carry_labels_and_no_boxes(quick_samples: list[SampleProject]) -> None:
    textures, photos = quick_samples[0], quick_samples[1]
    for sample in every_image(textures):
        assert len(sample.labels) == 1 and not sample.boxes
    for sample in every_image(photos):
        subject, style = sample.labels
        assert style in ("color", "grayscale") and subject in photos.labels
        pixels = np.asarray(sample.image).astype(int)
        grey = bool((pixels[..., 0] == pixels[..., 1]).all() and (pixels[..., 1] == pixels[..., 2]).all())
        assert grey == (style == "grayscale")


def test_detection_boxes_lie_inside_their_images_and_do_not_overlap(
    quick_samples: list[SampleProject],
) -> None:
    for project in quick_samples[2:]:
        for sample in every_image(project):
            assert sample.boxes and not sample.labels, sample.name
            width, height = sample.image.size
            for box in sample.boxes:
                assert box.label in project.labels
                assert box.width >= 8 and box.height >= 8
                assert box.left >= 0 and box.right <= width
                assert box.top >= 0 and box.bottom <= height
            for index, box in enumerate(sample.boxes):
                assert not any(box.overlaps(other, margin=0) for other in sample.boxes[index + 1 :])


def test_a_logo_box_frames_the_pasted_logo() -> None:
    project = BUILDERS["brands"](SampleSize(train=3, test=1, analyze=0, batch=0), 0)
    sample = project.train[0]
    (box,) = sample.boxes
    pixels = np.asarray(sample.image).astype(int)
    assert box.label == "scikit_image"
    inside = pixels[box.top : box.bottom, box.left : box.right]
    # the scikit-image logo is orange and green: its box holds strongly coloured pixels
    spread = inside.max(axis=-1) - inside.min(axis=-1)
    assert (spread > 100).mean() > 0.3


def test_training_and_test_textures_share_no_crop(quick_samples: list[SampleProject]) -> None:
    textures = quick_samples[0]
    train = {png(sample) for sample in textures.train}
    assert not train & {png(sample) for sample in (*textures.test, *textures.analyze, *textures.batch)}
