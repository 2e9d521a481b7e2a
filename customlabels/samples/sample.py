"""A sample project as data, and its files: PNG images and Ground Truth manifests in a folder.

A :class:`SampleProject` holds the images of its training and test datasets with their labels
(all images labelled, guide L1089), plus unseen images to analyze with DetectCustomLabels and to
drop into batch labeling. :func:`write_sample` writes it to a local folder in the guide's sample
layout (L1386-1399: ``<sample>_training_dataset/`` and ``<sample>_test_dataset/``) with one
manifest per dataset whose ``source-ref`` values point where :func:`~customlabels.samples.upload`
puts the folder (``base_uri`` + the file's path in the folder).

Manifest lines are built as :class:`~customlabels.manifests.ManifestEntry` records and written by
the manifest package's own serializer, so they are exactly the format the service reads:
image-level labels (one attribute per label, guide L2965-3030) or one ``bounding-box`` attribute
(guide L3074-3175).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from customlabels.manifests import (
    BoundingBox,
    BoundingBoxAttribute,
    ImageLevelLabel,
    ManifestEntry,
    entry_to_line,
)
from customlabels.samples.compose import Box

# Fixed, so that the manifests are byte-for-byte reproducible (guide L2990's format).
CREATION_DATE = "2026-01-01T00:00:00.000"
BOX_ATTRIBUTE = "bounding-box"
TRAINING_FOLDER = "training_dataset"
TEST_FOLDER = "test_dataset"
DETECT_FOLDER = "analyze"
BATCH_FOLDER = "batch"
TRAIN_MANIFEST = "train.manifest"
TEST_MANIFEST = "test.manifest"


@dataclass(frozen=True)
class SampleImage:
    """One picture: its file name, pixels, image-level labels and boxes (pixels)."""

    name: str
    image: Image.Image = field(compare=False)
    labels: tuple[str, ...] = ()
    boxes: tuple[Box, ...] = ()

    @property
    def expected(self) -> tuple[str, ...]:
        """What a perfect model would report: the image-level labels or the boxes' labels."""
        return self.labels or tuple(sorted({box.label for box in self.boxes}))


@dataclass(frozen=True)
class SampleProject:
    """One sample project (guide L1047-1098) built from offline pictures.

    Attributes:
        key: the model type it shows (``classification``, ``multi_label``, ``brands``,
            ``localization``).
        name: the project name's stem (``textures``; the demo adds ``_<n>`` like the guide's
            ``rooms_19``).
        guide_sample: the guide's sample it stands for (``Rooms``, ``Flowers``, ...).
        description: one line for people.
        labels: every label of the project, sorted.
        detection: whether the labels are boxes (else image-level labels).
    """

    key: str
    name: str
    guide_sample: str
    description: str
    labels: tuple[str, ...]
    detection: bool
    train: tuple[SampleImage, ...]
    test: tuple[SampleImage, ...]
    analyze: tuple[SampleImage, ...]
    batch: tuple[SampleImage, ...]


@dataclass(frozen=True)
class WrittenSample:
    """Where :func:`write_sample` put a project's files (paths inside ``folder``)."""

    project: SampleProject
    folder: Path
    base_uri: str
    train_manifest: Path
    test_manifest: Path
    analyze: tuple[Path, ...]
    batch: tuple[Path, ...]

    def uri(self, path: Path) -> str:
        """The S3 URI a file of the folder gets once uploaded under ``base_uri``."""
        return self.base_uri + path.relative_to(self.folder).as_posix()

    def files(self) -> list[Path]:
        """Every file of the folder, sorted."""
        return sorted(path for path in self.folder.rglob("*") if path.is_file())


def manifest_entry(sample: SampleImage, source_ref: str, project: SampleProject) -> ManifestEntry:
    """The Ground Truth entry of ``sample`` (``job-name`` names the project's labeling job)."""
    job_name = f"labeling-job/{project.name}"
    if not project.detection:
        return ManifestEntry(
            source_ref,
            [
                ImageLevelLabel(
                    attribute=label,
                    class_name=label,
                    confidence=1,
                    human_annotated="yes",
                    creation_date=CREATION_DATE,
                    job_name=job_name,
                )
                for label in sample.labels
            ],
        )
    class_ids = {label: index for index, label in enumerate(project.labels)}
    width, height = sample.image.size
    boxes = [
        BoundingBox(class_ids[box.label], box.left, box.top, box.width, box.height, box.label)
        for box in sample.boxes
    ]
    used = sorted({box.class_id for box in boxes})
    attribute = BoundingBoxAttribute(
        attribute=BOX_ATTRIBUTE,
        image_width=width,
        image_height=height,
        image_depth=3,
        boxes=boxes,
        class_map={str(index): project.labels[index] for index in used},
        human_annotated="yes",
        creation_date=CREATION_DATE,
        job_name=job_name,
    )
    return ManifestEntry(source_ref, [attribute])


def manifest_line(sample: SampleImage, source_ref: str, project: SampleProject) -> str:
    """One JSON Line for ``sample`` (no newline)."""
    return entry_to_line(manifest_entry(sample, source_ref, project))


def write_sample(project: SampleProject, folder: str | Path, base_uri: str) -> WrittenSample:
    """Write ``project``'s images (PNG) and its two manifests under ``folder``.

    Args:
        project: the sample.
        folder: created if needed; files already there with the same names are replaced.
        base_uri: where the folder will be uploaded (``s3://bucket/prefix/``); ``source-ref`` is
            this plus the image's path in the folder.

    Raises:
        ValueError: ``base_uri`` is not an ``s3://`` folder URI ending in ``/``.
    """
    if not base_uri.startswith("s3://") or not base_uri.endswith("/"):
        raise ValueError(f"base_uri must look like s3://bucket/prefix/, got {base_uri!r}")
    root = Path(folder)
    written: dict[str, list[Path]] = {}
    for subfolder, images in (
        (TRAINING_FOLDER, project.train),
        (TEST_FOLDER, project.test),
        (DETECT_FOLDER, project.analyze),
        (BATCH_FOLDER, project.batch),
    ):
        target = root / subfolder
        target.mkdir(parents=True, exist_ok=True)
        written[subfolder] = [_save(sample, target) for sample in images]
    manifests = {}
    for subfolder, images, manifest in (
        (TRAINING_FOLDER, project.train, TRAIN_MANIFEST),
        (TEST_FOLDER, project.test, TEST_MANIFEST),
    ):
        lines = [
            manifest_line(sample, base_uri + path.relative_to(root).as_posix(), project)
            for sample, path in zip(images, written[subfolder], strict=True)
        ]
        manifests[manifest] = root / manifest
        manifests[manifest].write_text("\n".join(lines) + "\n")
    return WrittenSample(
        project=project,
        folder=root,
        base_uri=base_uri,
        train_manifest=manifests[TRAIN_MANIFEST],
        test_manifest=manifests[TEST_MANIFEST],
        analyze=tuple(written[DETECT_FOLDER]),
        batch=tuple(written[BATCH_FOLDER]),
    )


def _save(sample: SampleImage, folder: Path) -> Path:
    path = folder / sample.name
    sample.image.convert("RGB").save(path, "PNG")
    return path


def label_counts(images: Sequence[SampleImage]) -> dict[str, int]:
    """How many images carry each label (a box label counts once per image)."""
    counts: dict[str, int] = {}
    for sample in images:
        for label in sample.expected:
            counts[label] = counts.get(label, 0) + 1
    return dict(sorted(counts.items()))
