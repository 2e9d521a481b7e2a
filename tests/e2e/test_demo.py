"""``make demo``'s walkthrough (``tools/demo.py``) in its quick size on the LocalStack deployment.

The first test stops after the guide's step 1 (projects and datasets) and checks them through the
API; the second walks every step (train, evaluate, start, analyze, batch-label, stop) and checks
every artifact the demo announces: it exists, PNGs open, JSON parses, drawn images differ from
the images analyzed, and batch labeling answered for every image.
"""

from __future__ import annotations

import io
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from customlabels.cli.drawing import open_image
from customlabels.samples import QUICK
from tests.guide_schemas import check_evaluation_summary
from tools.demo import ARTIFACTS_FILE, VERSION_NAME, Demo, legible

pytestmark = pytest.mark.e2e

SAMPLE_KEYS = ["classification", "multi_label", "brands", "localization"]


def quick_demo(deployment: dict[str, str], out: Path) -> tuple[Demo, io.StringIO]:
    stream = io.StringIO()
    return Demo(deployment, out, size=QUICK, stream=stream, interval=0.5), stream


def test_the_sample_projects_and_their_datasets_are_created(
    deployment: dict[str, str], tmp_path: Path
) -> None:
    demo, stream = quick_demo(deployment, tmp_path)
    demo.create_projects()
    print(stream.getvalue())

    assert [project.sample.key for project in demo.projects] == SAMPLE_KEYS
    numbers = {project.name.rsplit("_", 1)[1] for project in demo.projects}
    assert len(numbers) == 1  # one run, one sample number: textures_<n>, photos_<n>, ...
    described = demo.rekognition.describe_projects(ProjectNames=[p.name for p in demo.projects])
    by_arn = {item["ProjectArn"]: item for item in described["ProjectDescriptions"]}
    for project in demo.projects:
        datasets = {d["DatasetType"]: d["DatasetArn"] for d in by_arn[project.project_arn]["Datasets"]}
        assert datasets == project.dataset_arns
        for kind, expected in (("TRAIN", project.sample.train), ("TEST", project.sample.test)):
            description = demo.rekognition.describe_dataset(DatasetArn=datasets[kind])["DatasetDescription"]
            assert description["Status"] == "CREATE_COMPLETE", description
            stats = description["DatasetStats"]
            assert (stats["TotalEntries"], stats["LabeledEntries"], stats["ErrorEntries"]) == (
                len(expected),
                len(expected),
                0,
            )
            assert stats["TotalLabels"] == len(project.sample.labels)
        labels = demo.rekognition.list_dataset_labels(DatasetArn=datasets["TRAIN"])[
            "DatasetLabelDescriptions"
        ]
        assert sorted(item["LabelName"] for item in labels) == list(project.sample.labels)
        # the manifests point at the uploaded images
        first = json.loads(project.written.train_manifest.read_text().splitlines()[0])["source-ref"]
        bucket, key = first[5:].split("/", 1)
        assert demo.s3.head_object(Bucket=bucket, Key=key)["ContentLength"] > 0
    assert [a.what for a in demo.artifacts] == ["sample images and manifests"] * 4
    for project in demo.projects:
        assert f"{project.name}/train" in stream.getvalue()


def test_the_demo_walks_through_the_guide(deployment: dict[str, str], tmp_path: Path) -> None:
    demo, stream = quick_demo(deployment, tmp_path)
    started = time.monotonic()
    try:
        artifacts = demo.run()
    finally:
        print(stream.getvalue())
    print(f"quick demo: {time.monotonic() - started:.0f} s")
    text = stream.getvalue()
    for step in ("Step 1", "Step 2", "Step 2b", "Step 3", "Step 4", "Step 4b", "Step 5", "Artifacts"):
        assert f"== {step}" in text
    assert "TRAINING_COMPLETED" in text and "RUNNING" in text and "STOPPED" in text

    document = json.loads((tmp_path / ARTIFACTS_FILE).read_text())
    assert [p["type"] for p in document["projects"]] == SAMPLE_KEYS
    assert len(document["artifacts"]) == len(artifacts)
    kinds: dict[str, set[str]] = {}
    for item in document["artifacts"]:
        kinds.setdefault(item["artifact"], set()).add(item["project"])
        path = Path(item["path"])
        assert path.exists(), item
        assert str(path) in text  # the final table says where it is
        assert item["files"], item
        for name in item["files"]:
            check_file(Path(name))
    projects = {project.name for project in demo.projects}
    for kind in (
        "sample images and manifests",
        "evaluation summary",
        "confusion matrix plot",
        "precision-recall plots",
        "labels drawn",
        "DetectCustomLabels response",
        "batch results",
        "batch results manifest",
    ):
        assert kinds.get(kind) == projects, kind

    drawn_with_labels = 0
    for project in demo.projects:
        model = demo.rekognition.describe_project_versions(
            ProjectArn=project.project_arn, VersionNames=[VERSION_NAME]
        )["ProjectVersionDescriptions"][0]
        assert model["Status"] == "STOPPED"
        assert 0 <= model["EvaluationResult"]["F1Score"] <= 1
        summary_file = next(
            a.path for a in artifacts if a.what == "evaluation summary" and a.project == project.name
        )
        summary = json.loads(summary_file.read_text())
        check_evaluation_summary(summary, detection=project.sample.detection)
        assert summary["EvaluationDetails"]["Labels"] == list(project.sample.labels)
        drawn_with_labels += check_drawn(demo, project.name, project.written.analyze)
        results = [a for a in artifacts if a.what == "batch results" and a.project == project.name][0].files
        assert sorted(path.name for path in results) == sorted(
            f"{path.name}.json" for path in project.written.batch
        )
        for path in results:
            result = json.loads(path.read_text())
            assert "Error" not in result, result  # the model was RUNNING for every image
            assert isinstance(result["CustomLabels"], list)
    assert drawn_with_labels >= 1  # even the quick models find something at their assumed thresholds


def check_file(path: Path) -> None:
    """The file is what its suffix says."""
    assert path.is_file() and path.stat().st_size > 0, path
    if path.suffix == ".png":
        with Image.open(path) as image:
            image.verify()
    elif path.suffix == ".json":
        json.loads(path.read_text())
    elif path.suffix == ".manifest":
        for line in path.read_text().splitlines():
            assert "source-ref" in json.loads(line), line


def check_drawn(demo: Demo, project: str, analyzed: tuple[Path, ...]) -> int:
    """Each drawn image is the analyzed one (scaled up) with its labels drawn: it differs from the
    analyzed image exactly when DetectCustomLabels found something. Returns how many differ."""
    drawn = {a.path.name: a.path for a in demo.artifacts if a.what == "labels drawn" and a.project == project}
    assert sorted(drawn) == sorted(path.name for path in analyzed)
    differing = 0
    for path in analyzed:
        answer: dict[str, Any] = json.loads(drawn[path.name].with_suffix(".json").read_text())
        plain = np.asarray(legible(open_image(path.read_bytes())))
        with Image.open(drawn[path.name]) as result:
            pixels = np.asarray(result.convert("RGB"))
        differs = pixels.shape != plain.shape or not np.array_equal(pixels, plain)
        assert differs == bool(answer["CustomLabels"]), (path, answer)
        differing += differs
    return differing
