"""The guide's Python samples, run unmodified against the LocalStack deployment.

Each sample in ``tests/guide_samples/`` is the guide's code (``/work/shared/spec``), byte for byte
apart from the repairs its header lists: damage that extracting the guide from its PDF did to the
code (page breaks inside a code block, lines wrapped at the margin, indentation lost). The first
test re-applies those repairs to the guide's lines and diffs, so nobody edits a sample silently.

The others run each sample as a user would: ``python <sample>.py <arguments>`` as its argparse
says, in a fresh process whose only AWS configuration is what the guide's setup step asks for, a
``custom-labels-access`` profile (test credentials, us-east-1), plus the endpoints of this
deployment: ``AWS_ENDPOINT_URL_REKOGNITION`` and, for the samples that read S3,
``AWS_ENDPOINT_URL_S3``. Each test checks what the sample printed and the state it left, read back
with boto3.
"""

from __future__ import annotations

import ast
import difflib
import io
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import numpy as np
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from PIL import Image, ImageFont

from customlabels.manifests.csv_manifest import classification_line
from tests.api.conftest import make_client

GUIDE = Path("/work/shared/spec/000_80d1b37cad120817.txt")
SAMPLES_DIR = Path(__file__).resolve().parents[1] / "guide_samples"
SAMPLES = sorted(path.name for path in SAMPLES_DIR.glob("*.py") if path.name != "__init__.py")

# ---------------------------------------------------------------------------------------------
# The samples are the guide's text, modulo the repairs their headers document
# ---------------------------------------------------------------------------------------------

_MARKER = re.compile(r"# ---- guide L(\d+)-L(\d+) ----")
_REPAIR = re.compile(r"# repair: (?P<op>drop|shift|join-tight|join|replace) (?P<args>.+?) -- \S.*")
_LINES = re.compile(r"L(\d+)(?:-L(\d+))?")


@dataclass
class _LineRepairs:
    drop: bool = False
    shift: int = 0
    join: str | None = None  # the separator that joins the line onto the previous one
    replace: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Sample:
    """A sample file: the guide lines it comes from, its repairs and its body (below the marker)."""

    path: Path
    first: int
    last: int
    repairs: dict[int, _LineRepairs]
    body: list[str]


def _line_range(text: str) -> range:
    found = _LINES.fullmatch(text)
    if found is None:
        raise ValueError(f"expected L<n> or L<n>-L<m>, got {text!r}")
    first = int(found[1])
    return range(first, int(found[2] or first) + 1)


def read_sample(path: Path) -> Sample:
    """Parse a sample's header.

    Repairs, one per ``# repair: <op> <args> -- <why>`` line, in guide line numbers:
    ``drop L<a>-L<b>`` removes lines; ``shift +N|-N L<a>-L<b>`` adds or removes N leading spaces
    on the non-blank lines; ``join L<a>-L<b>`` appends each line to the one before it with one
    space (``join-tight``: with none), dropping the whitespace between; ``replace L<n> 'old' ->
    'new'`` changes text that occurs once in the line (Python string literals).

    Raises:
        ValueError: no marker line, or a repair line that does not parse.
    """
    lines = path.read_text(encoding="utf-8").split("\n")
    marker = next((index for index, line in enumerate(lines) if _MARKER.fullmatch(line)), None)
    if marker is None:
        raise ValueError(f"{path.name}: no '# ---- guide L<a>-L<b> ----' marker line")
    found = _MARKER.fullmatch(lines[marker])
    assert found is not None
    repairs: dict[int, _LineRepairs] = {}
    for line in lines[:marker]:
        if not line.startswith("# repair:"):
            continue
        parsed = _REPAIR.fullmatch(line)
        if parsed is None:
            raise ValueError(f"{path.name}: cannot parse {line!r}")
        op, args = parsed["op"], parsed["args"]
        if op == "replace":
            target, _, change = args.partition(" ")
            old, arrow, new = change.partition(" -> ")
            if not arrow:
                raise ValueError(f"{path.name}: expected 'replace L<n> <old> -> <new>', got {line!r}")
            for number in _line_range(target):
                repairs.setdefault(number, _LineRepairs()).replace.append(
                    (ast.literal_eval(old), ast.literal_eval(new))
                )
            continue
        if op == "shift":
            amount, _, target = args.partition(" ")
            for number in _line_range(target):
                repairs.setdefault(number, _LineRepairs()).shift += int(amount)
            continue
        for number in _line_range(args):
            repair = repairs.setdefault(number, _LineRepairs())
            if op == "drop":
                repair.drop = True
            else:
                repair.join = "" if op == "join-tight" else " "
    body = lines[marker + 1 :]
    if body and body[-1] == "":
        body.pop()  # the file's final newline
    return Sample(path, int(found[1]), int(found[2]), repairs, body)


def repaired_guide_lines(sample: Sample, guide: list[str]) -> list[str]:
    """The guide's lines ``sample.first``-``sample.last`` with the sample's repairs applied.

    Raises:
        ValueError: a repair outside the sample's lines, one that does not fit its line (a
            ``replace`` whose text is not there exactly once, a ``shift`` that would remove
            something other than spaces), or a ``join`` with nothing before it.
    """
    outside = sorted(number for number in sample.repairs if not sample.first <= number <= sample.last)
    if outside:
        raise ValueError(f"{sample.path.name}: repairs outside L{sample.first}-L{sample.last}: {outside}")
    result: list[str] = []
    for number in range(sample.first, sample.last + 1):
        text = guide[number - 1]
        repair = sample.repairs.get(number, _LineRepairs())
        if repair.drop:
            continue
        for old, new in repair.replace:
            if text.count(old) != 1:
                raise ValueError(f"{sample.path.name}: L{number} holds {old!r} {text.count(old)} times")
            text = text.replace(old, new)
        if repair.shift > 0 and text.strip():
            text = " " * repair.shift + text
        elif repair.shift < 0 and text.strip():
            if text[: -repair.shift].strip(" "):
                raise ValueError(f"{sample.path.name}: L{number} has no {-repair.shift} spaces to remove")
            text = text[-repair.shift :]
        if repair.join is not None:
            if not result:
                raise ValueError(f"{sample.path.name}: L{number} has no line to join onto")
            result[-1] = result[-1].rstrip() + repair.join + text.lstrip()
        else:
            result.append(text)
    return result


@pytest.mark.parametrize("name", SAMPLES)
def test_the_sample_is_the_guides_code_modulo_its_documented_repairs(name: str) -> None:
    sample = read_sample(SAMPLES_DIR / name)
    source = "\n".join(sample.body) + "\n"
    ast.parse(source, filename=name)  # the repairs leave runnable Python
    if not GUIDE.exists():
        pytest.skip(f"the guide ({GUIDE}) is not available here to compare with")
    expected = repaired_guide_lines(sample, GUIDE.read_text(encoding="utf-8").split("\n"))
    if sample.body != expected:
        diff = difflib.unified_diff(expected, sample.body, "guide (repaired)", name, lineterm="")
        pytest.fail(f"{name} differs from the guide beyond its documented repairs:\n" + "\n".join(diff))


def test_every_operation_of_the_acceptance_item_has_its_sample() -> None:
    calls = {
        name: {
            node.func.attr
            for node in ast.walk(ast.parse("\n".join(read_sample(SAMPLES_DIR / name).body)))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        }
        for name in SAMPLES
    }
    called = set().union(*calls.values())
    assert {
        "create_project",
        "create_dataset",
        "describe_project_versions",
        "start_project_version",
        "detect_custom_labels",
        "stop_project_version",
        "copy_project_version",
        "delete_project",
    } <= called


# ---------------------------------------------------------------------------------------------
# Running the samples as a user would
# ---------------------------------------------------------------------------------------------

PROFILE = "custom-labels-access"  # the guide's setup step (L519-528): every sample uses it
REGION = "us-east-1"
SAMPLE_TIMEOUT_S = 900  # the samples poll slowly: 5 s (datasets), 10 s (stop), 30 s (waiter), 60 s (copy)
DATASET_WAIT_S = 120
# ProjectVersionTrainingCompleted polls every 120 s (botocore); the fixture polls faster.
TRAINING_WAIT = {"Delay": 3, "MaxAttempts": 300}
COLOURS = {"red": (220, 30, 30), "blue": (30, 30, 220)}
LIMEGREEN = (50, 205, 50)  # what the DetectCustomLabels sample draws its labels in (L9081)


@dataclass(frozen=True)
class User:
    """The machine a user runs the samples on: AWS configured only as the guide says, plus our endpoints."""

    environment: dict[str, str]
    workdir: Path
    screen: Path  # what the sample showed: our stand-in for ``xdg-open`` copies each image here
    s3_endpoint: str

    def run(self, sample: str, *args: str, s3: bool = False) -> subprocess.CompletedProcess[str]:
        """``python <sample> <args>``; ``s3`` adds the S3 endpoint, for the samples that read S3."""
        environment = dict(self.environment)
        if s3:
            environment["AWS_ENDPOINT_URL_S3"] = self.s3_endpoint
        return subprocess.run(
            [sys.executable, str(SAMPLES_DIR / sample), *args],
            cwd=self.workdir,
            env=environment,
            capture_output=True,
            text=True,
            timeout=SAMPLE_TIMEOUT_S,
        )


def printed(run: subprocess.CompletedProcess[str]) -> list[str]:
    """The sample's standard output, line by line; fails the test if the sample itself failed."""
    assert run.returncode == 0, f"exit code {run.returncode}\n{run.stdout}\n{run.stderr}"
    return [line.rstrip() for line in run.stdout.splitlines()]


def value_after(lines: list[str], prefix: str, run: subprocess.CompletedProcess[str]) -> str:
    """The rest of the one printed line that starts with ``prefix``."""
    found = [line[len(prefix) :] for line in lines if line.startswith(prefix)]
    assert len(found) == 1, f"expected one line starting {prefix!r}:\n{run.stdout}\n{run.stderr}"
    return found[0]


@pytest.fixture(scope="module")
def user(deployment: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> User:
    home = tmp_path_factory.mktemp("user")
    (home / "config").write_text(f"[profile {PROFILE}]\nregion = {REGION}\n")
    (home / "credentials").write_text(
        f"[{PROFILE}]\naws_access_key_id = test\naws_secret_access_key = test\n"
    )
    # The DetectCustomLabels sample draws with Tahoma (a Windows font) and shows the result with the
    # desktop's image viewer: this machine has neither, so the user gets a font by that name and a
    # viewer that keeps what it is shown.
    workdir, screen, viewers = home / "work", home / "screen", home / "bin"
    for folder in (workdir, screen, viewers):
        folder.mkdir()
    font = ImageFont.load_default(size=40)
    assert isinstance(font, ImageFont.FreeTypeFont)
    (workdir / "Tahoma.ttf").write_bytes(font.font_bytes)
    viewer = viewers / "xdg-open"
    viewer.write_text(f'#!/bin/sh\ncp "$1" "{screen}/"\n')
    viewer.chmod(0o755)
    environment = {name: value for name, value in os.environ.items() if not name.startswith(("AWS_", "BOTO"))}
    environment.update(
        AWS_CONFIG_FILE=str(home / "config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / "credentials"),
        AWS_ENDPOINT_URL_REKOGNITION=deployment["ApiEndpoint"],
        PATH=f"{viewers}{os.pathsep}{os.environ.get('PATH', '')}",
        TMPDIR=str(workdir),  # where Pillow writes the images it shows
    )
    return User(environment, workdir, screen, deployment["EndpointUrl"])


@pytest.fixture(scope="module")
def rekognition(deployment: dict[str, str]) -> Any:
    return make_client(deployment["ApiEndpoint"], read_timeout=120)


@pytest.fixture(scope="module")
def s3(deployment: dict[str, str]) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=deployment["EndpointUrl"],
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(max_pool_connections=16),
    )


@pytest.fixture(scope="module")
def bucket(deployment: dict[str, str]) -> str:
    return deployment["DataBucketName"]


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def coloured_square(colour: str, seed: int, size: int = 64) -> bytes:
    """A noisy PNG canvas with one square of ``colour``: an easy two-label classification."""
    rng = np.random.default_rng(seed)
    pixels = rng.integers(90, 160, (size, size, 3)).astype(np.uint8)
    side = int(rng.integers(size // 3, size // 2))
    top, left = (int(value) for value in rng.integers(0, size - side, 2))
    pixels[top : top + side, left : left + side] = COLOURS[colour]
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG")
    return buffer.getvalue()


def put_classification_manifest(s3: Any, bucket: str, prefix: str, name: str, count: int, seed: int) -> str:
    """Upload ``count`` red and blue squares and their Ground Truth manifest; returns its key."""
    lines = []
    for index in range(count):
        colour = ("red", "blue")[index % 2]
        key = f"{prefix}{name}/{colour}-{index:02d}.png"
        s3.put_object(
            Bucket=bucket, Key=key, Body=coloured_square(colour, seed + index), ContentType="image/png"
        )
        lines.append(classification_line(f"s3://{bucket}/{key}", [colour], "2026-11-26T00:00:00.000"))
    manifest = f"{prefix}{name}.manifest"
    s3.put_object(Bucket=bucket, Key=manifest, Body="\n".join(lines).encode())
    return manifest


def wait_dataset_created(rekognition: Any, dataset_arn: str) -> dict[str, Any]:
    deadline = time.monotonic() + DATASET_WAIT_S
    while True:
        description: dict[str, Any] = rekognition.describe_dataset(DatasetArn=dataset_arn)[
            "DatasetDescription"
        ]
        if description["Status"] != "CREATE_IN_PROGRESS":
            return description
        assert time.monotonic() < deadline, f"{dataset_arn} still CREATE_IN_PROGRESS"
        time.sleep(0.5)


def describe_version(rekognition: Any, project_arn: str, version_name: str) -> dict[str, Any]:
    (found,) = rekognition.describe_project_versions(ProjectArn=project_arn, VersionNames=[version_name])[
        "ProjectVersionDescriptions"
    ]
    return dict(found)


def remove_project(rekognition: Any, project_arn: str) -> None:
    """Stop and delete what the project holds, then the project (best effort: it may be gone)."""
    try:
        versions = rekognition.describe_project_versions(ProjectArn=project_arn)["ProjectVersionDescriptions"]
    except rekognition.exceptions.ResourceNotFoundException:
        return
    for version in versions:
        arn = version["ProjectVersionArn"]
        if version["Status"] in ("STARTING", "RUNNING"):
            rekognition.stop_project_version(ProjectVersionArn=arn)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                rekognition.delete_project_version(ProjectVersionArn=arn)
                break
            except rekognition.exceptions.ResourceInUseException:
                time.sleep(2)
    for dataset in rekognition.describe_projects(ProjectNames=[project_arn.split("/")[1]])[
        "ProjectDescriptions"
    ][0]["Datasets"]:
        rekognition.delete_dataset(DatasetArn=dataset["DatasetArn"])
    deadline = time.monotonic() + 120
    while True:
        try:
            rekognition.delete_project(ProjectArn=project_arn)
            return
        except rekognition.exceptions.ResourceInUseException:
            if time.monotonic() > deadline:
                raise
            time.sleep(2)


@pytest.fixture(scope="module")
def projects(rekognition: Any) -> Iterator[Callable[[str], str]]:
    """``keep(project_arn)``: the project is removed at the end of the module, with all it holds."""
    kept: list[str] = []

    def keep(project_arn: str) -> str:
        kept.append(project_arn)
        return project_arn

    yield keep
    for project_arn in kept:
        remove_project(rekognition, project_arn)


def new_project(rekognition: Any, projects: Callable[[str], str]) -> str:
    arn: str = rekognition.create_project(ProjectName=unique("guide-sample"))["ProjectArn"]
    return projects(arn)


# ---------------------------------------------------------------------------------------------
# Projects and datasets
# ---------------------------------------------------------------------------------------------


@pytest.mark.e2e
def test_create_project_sample(user: User, rekognition: Any, projects: Callable[[str], str]) -> None:
    name = unique("guide-create-project")
    run = user.run("create_project.py", name)
    lines = printed(run)
    arn = projects(value_after(lines, "ARN: ", run))
    assert lines[0] == f"Creating project: {name}"
    assert f"Finished creating project: {name}" in lines
    (project,) = rekognition.describe_projects(ProjectNames=[name])["ProjectDescriptions"]
    assert (project["ProjectArn"], project["Status"]) == (arn, "CREATED")
    assert re.fullmatch(rf"arn:aws:rekognition:{REGION}:\d{{12}}:project/{name}/\d+", arn)

    again = printed(user.run("create_project.py", name))  # the sample prints the service's error
    assert again[-1].startswith(
        "Problem creating project: An error occurred (ResourceInUseException) when calling the "
        "CreateProject operation: "
    ), again


@pytest.mark.e2e
def test_create_dataset_sample(
    user: User, rekognition: Any, s3: Any, bucket: str, projects: Callable[[str], str]
) -> None:
    project_arn = new_project(rekognition, projects)
    manifest = put_classification_manifest(s3, bucket, f"{unique('guide-dataset')}/", "train", 8, seed=0)
    run = user.run("create_dataset.py", project_arn, "train", bucket, manifest)
    lines = printed(run)
    assert lines[0] == f"Creating train dataset for project {project_arn}"
    dataset_arn = value_after(lines, "Finished creating dataset: ", run)
    assert dataset_arn.startswith(f"{project_arn.rsplit('/', 1)[0]}/dataset/train/")
    description = rekognition.describe_dataset(DatasetArn=dataset_arn)["DatasetDescription"]
    assert description["Status"] == "CREATE_COMPLETE"
    assert description["DatasetStats"]["TotalEntries"] == 8
    assert description["DatasetStats"]["TotalLabels"] == 2
    (project,) = rekognition.describe_projects(ProjectNames=[project_arn.split("/")[1]])[
        "ProjectDescriptions"
    ]
    assert [(d["DatasetArn"], d["DatasetType"]) for d in project["Datasets"]] == [(dataset_arn, "TRAIN")]


@pytest.mark.e2e
def test_delete_project_sample(user: User, rekognition: Any, projects: Callable[[str], str]) -> None:
    project_arn = new_project(rekognition, projects)
    run = user.run("delete_project.py", project_arn)
    lines = printed(run)
    assert lines == [f"Deleting project: {project_arn}", f"Finished deleting project: {project_arn}"], (
        run.stderr
    )
    assert (
        rekognition.describe_projects(ProjectNames=[project_arn.split("/")[1]])["ProjectDescriptions"] == []
    )


# ---------------------------------------------------------------------------------------------
# A trained model: describe, copy, start, detect, stop
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainedModel:
    project_arn: str
    model_arn: str
    version_name: str


@pytest.fixture(scope="module")
def trained_model(rekognition: Any, s3: Any, bucket: str, projects: Callable[[str], str]) -> TrainedModel:
    """A red-or-blue classifier, made through the public API: datasets from manifests, then training."""
    project_arn = new_project(rekognition, projects)
    prefix = f"{unique('guide-model')}/"
    for dataset_type, count, seed in (("TRAIN", 24, 0), ("TEST", 8, 100)):
        manifest = put_classification_manifest(s3, bucket, prefix, dataset_type.lower(), count, seed)
        source = {"GroundTruthManifest": {"S3Object": {"Bucket": bucket, "Name": manifest}}}
        arn = rekognition.create_dataset(
            ProjectArn=project_arn, DatasetType=dataset_type, DatasetSource=source
        )["DatasetArn"]
        assert wait_dataset_created(rekognition, arn)["Status"] == "CREATE_COMPLETE"
    model_arn: str = rekognition.create_project_version(
        ProjectArn=project_arn,
        VersionName="colours.v1",
        OutputConfig={"S3Bucket": bucket, "S3KeyPrefix": f"{prefix}output/"},
    )["ProjectVersionArn"]
    waiter = rekognition.get_waiter("project_version_training_completed")
    waiter.wait(ProjectArn=project_arn, VersionNames=["colours.v1"], WaiterConfig=TRAINING_WAIT)
    return TrainedModel(project_arn, model_arn, "colours.v1")


@pytest.mark.e2e
def test_describe_model_sample(user: User, rekognition: Any, s3: Any, trained_model: TrainedModel) -> None:
    model = trained_model
    run = user.run("describe_model.py", model.project_arn, model.version_name)
    lines = printed(run)
    described = describe_version(rekognition, model.project_arn, model.version_name)
    evaluation, manifest_summary = described["EvaluationResult"], described["ManifestSummary"]["S3Object"]
    output = described["OutputConfig"]
    assert lines == [
        f"Describing model: {model.version_name} for project {model.project_arn}.",
        f"Created: {described['CreationTimestamp']}",
        f"ARN: {model.model_arn}",
        f"Billing training time (minutes): {described['BillableTrainingTimeInSeconds'] / 60}",
        "Evaluation results:",
        f"\tF1 score: {evaluation['F1Score']}",
        f"\tSummary location: s3://{evaluation['Summary']['S3Object']['Bucket']}/"
        f"{evaluation['Summary']['S3Object']['Name']}",
        f"Manifest summary location: s3://{manifest_summary['Bucket']}/{manifest_summary['Name']}",
        f"Training output location: s3://{output['S3Bucket']}/{output['S3KeyPrefix']}",
        "Status: TRAINING_COMPLETED",
        "Message: The model is ready to run.",
        f"Finished describing model: {model.version_name} for project {model.project_arn}.",
    ], run.stderr
    for location in (evaluation["Summary"]["S3Object"], manifest_summary):  # the printed files exist
        s3.head_object(Bucket=location["Bucket"], Key=location["Name"])


@pytest.mark.e2e
def test_copy_model_sample(
    user: User, rekognition: Any, bucket: str, projects: Callable[[str], str], trained_model: TrainedModel
) -> None:
    destination = new_project(rekognition, projects)
    folder = f"{unique('guide-copy')}/results"
    run = user.run(
        "copy_model.py",
        trained_model.project_arn,
        trained_model.model_arn,
        destination,
        "colours.copy",
        f"s3://{bucket}/{folder}",
    )
    lines = printed(run)
    assert lines[0] == f"Copying model version {trained_model.model_arn} to project {destination}"
    copy_arn = value_after(lines, "Finished copying model: ", run)
    assert lines[-1] == "Status: COPYING_COMPLETED", run.stderr
    assert copy_arn.startswith(f"{destination.rsplit('/', 1)[0]}/version/colours.copy/")
    copied = describe_version(rekognition, destination, "colours.copy")
    assert (copied["ProjectVersionArn"], copied["Status"]) == (copy_arn, "COPYING_COMPLETED")
    assert copied["OutputConfig"] == {"S3Bucket": bucket, "S3KeyPrefix": folder}


@dataclass(frozen=True)
class StartedModel:
    model: TrainedModel
    run: subprocess.CompletedProcess[str]


@pytest.fixture(scope="module")
def started_model(user: User, trained_model: TrainedModel) -> StartedModel:
    """The trained model, started by the StartProjectVersion sample (which waits until it runs)."""
    model = trained_model
    run = user.run("start_model.py", model.project_arn, model.model_arn, "1", "--max_inference_units", "2")
    return StartedModel(model, run)


@pytest.mark.e2e
def test_start_model_sample(rekognition: Any, started_model: StartedModel) -> None:
    model, run = started_model.model, started_model.run
    assert printed(run) == [f"Finished starting model: {model.model_arn}", "Status: RUNNING"], run.stderr
    described = describe_version(rekognition, model.project_arn, model.version_name)
    assert described["Status"] == "RUNNING"
    assert (described["MinInferenceUnits"], described["MaxInferenceUnits"]) == (1, 2)


def labels_the_service_finds(rekognition: Any, model_arn: str, image: dict[str, Any]) -> list[dict[str, Any]]:
    """DetectCustomLabels as the sample calls it (MinConfidence 50, L9125)."""
    labels: list[dict[str, Any]] = rekognition.detect_custom_labels(
        ProjectVersionArn=model_arn, Image=image, MinConfidence=50
    )["CustomLabels"]
    return labels


def shown_images(user: User, before: set[Path]) -> list[Image.Image]:
    """The images the sample showed (our ``xdg-open`` copies them asynchronously)."""
    deadline = time.monotonic() + 30
    while not (new := set(user.screen.iterdir()) - before) and time.monotonic() < deadline:
        time.sleep(0.2)
    return [Image.open(path).convert("RGB") for path in sorted(new)]


def check_detection_run(
    user: User,
    run: subprocess.CompletedProcess[str],
    before: set[Path],
    labels: list[dict[str, Any]],
    size: int,
) -> None:
    lines = printed(run)
    assert lines == [f"Custom labels detected: {len(labels)}"], run.stderr
    assert [label["Name"] for label in labels] == ["red"]
    # The sample logs each label and shows the image with the label written on it in lime green.
    assert "INFO: Label: red" in run.stderr.splitlines(), run.stderr
    (shown,) = shown_images(user, before)
    assert shown.size == (size, size)
    assert LIMEGREEN in {colour for _, colour in shown.getcolors(maxcolors=size * size) or []}


@pytest.mark.e2e
def test_detect_custom_labels_sample_on_a_local_image(
    user: User, rekognition: Any, started_model: StartedModel
) -> None:
    image = coloured_square("red", 1000, size=160)
    path = user.workdir / "red.png"
    path.write_bytes(image)
    labels = labels_the_service_finds(rekognition, started_model.model.model_arn, {"Bytes": image})
    before = set(user.screen.iterdir())
    run = user.run("analyze_image.py", started_model.model.model_arn, str(path))
    check_detection_run(user, run, before, labels, 160)


@pytest.mark.e2e
def test_detect_custom_labels_sample_on_an_image_in_s3(
    user: User, rekognition: Any, s3: Any, bucket: str, started_model: StartedModel
) -> None:
    key = f"{unique('guide-detect')}/red.png"
    s3.put_object(
        Bucket=bucket, Key=key, Body=coloured_square("red", 1001, size=160), ContentType="image/png"
    )
    labels = labels_the_service_finds(
        rekognition, started_model.model.model_arn, {"S3Object": {"Bucket": bucket, "Name": key}}
    )
    before = set(user.screen.iterdir())
    run = user.run("analyze_image.py", started_model.model.model_arn, key, "--bucket", bucket, s3=True)
    check_detection_run(user, run, before, labels, 160)


@pytest.mark.e2e
def test_stop_model_sample(user: User, rekognition: Any, started_model: StartedModel) -> None:
    model = started_model.model
    run = user.run("stop_model.py", model.project_arn, model.model_arn)
    assert printed(run) == [f"Finished stopping model: {model.model_arn}", "Status: STOPPED"], run.stderr
    assert describe_version(rekognition, model.project_arn, model.version_name)["Status"] == "STOPPED"
    with pytest.raises(ClientError, match="ResourceNotReadyException"):
        labels_the_service_finds(rekognition, model.model_arn, {"Bytes": coloured_square("red", 7)})
