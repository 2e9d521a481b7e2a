"""The ``customlabels`` CLI end to end on the LocalStack deployment, as a user drives it: projects,
their policies and tags; a model trained with ``models train --wait`` from a manifest, evaluated,
started with ``models start --wait``, asked with ``detect --draw`` and through batch labeling,
stopped and deleted; and ``models copy`` (expected to fail until the deployment can copy). Each
command runs ``customlabels.cli.main`` with ``--endpoint-url``."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from PIL import Image

from customlabels.cli import main
from customlabels.resources.repository import Repository
from customlabels.store import MetadataStore
from tests.api.conftest import make_client
from tests.e2e import shapes

pytestmark = pytest.mark.e2e

POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
            "Action": "rekognition:CopyProjectVersion",
            "Resource": "*",
        }
    ],
}
FAST_POLLING = ["--poll-interval", "1", "--wait-timeout", "900"]
BATCH_IMAGES = 3


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        assert self.code == 0, self.err
        return json.loads(self.out)


@dataclass(frozen=True)
class Cli:
    """``customlabels --endpoint-url <the deployment's API> --region <its region> ...``."""

    options: list[str]

    def __call__(self, *argv: str) -> Run:
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = main([*self.options, *argv])
        return Run(code, out.getvalue(), err.getvalue())


@pytest.fixture(scope="module")
def cli(deployment: dict[str, str]) -> Iterator[Cli]:
    """The CLI for the deployment (its S3 calls go to LocalStack too)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ENDPOINT_URL_S3", deployment["EndpointUrl"])
        patch.setenv("AWS_ACCESS_KEY_ID", "test")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "test")
        yield Cli(["--endpoint-url", deployment["ApiEndpoint"], "--region", deployment["Region"]])


@pytest.fixture(scope="module")
def s3(deployment: dict[str, str]) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=deployment["EndpointUrl"],
        region_name=deployment["Region"],
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


@pytest.fixture(scope="module")
def bucket(deployment: dict[str, str]) -> str:
    return deployment["DataBucketName"]


def test_projects_are_created_listed_tagged_and_deleted(cli: Cli, tmp_path: Path) -> None:
    name = f"cli-{uuid.uuid4().hex[:8]}"
    created = cli("--json", "projects", "create", "--name", name, "--tag", "team=vision").json()
    arn = created["ProjectArn"]
    assert arn.split("/")[1] == name

    listed = cli("projects", "list")
    assert listed.code == 0 and listed.out.splitlines()[0].split() == [
        "NAME",
        "FEATURE",
        "STATUS",
        "CREATED",
        "DATASETS",
        "ARN",
    ]
    assert any(line.split()[0] == name and line.endswith(arn) for line in listed.out.splitlines())
    (only,) = cli("--json", "projects", "list", "--name", name).json()
    assert (only["ProjectArn"], only["Status"]) == (arn, "CREATED")
    described = cli("projects", "describe", "--project-arn", arn)
    assert described.code == 0 and ["Name", name] in fields(described.out)

    # tags
    assert cli("--json", "tags", "list", "--resource-arn", arn).json() == {"team": "vision"}
    assert cli("tags", "tag", "--resource-arn", arn, "--tag", "env=test", "--tag", "team=ml").code == 0
    assert cli("--json", "tags", "list", "--resource-arn", arn).json() == {"team": "ml", "env": "test"}
    assert cli("tags", "untag", "--resource-arn", arn, "--key", "team").code == 0
    assert cli("tags", "list", "--resource-arn", arn).out.splitlines() == ["KEY  VALUE", "env  test"]

    # policies, replaced by naming their revision
    policy_file = tmp_path / "policy.json"
    policy_file.write_text(json.dumps(POLICY))
    put = ["projects", "policies", "put", "--project-arn", arn, "--policy-name", "share"]
    first = cli("--json", *put, "--policy-file", str(policy_file)).json()["PolicyRevisionId"]
    stale = cli(*put, "--policy-file", str(policy_file))
    assert stale.code == 1 and stale.err.startswith("ResourceAlreadyExistsException: ")
    second = cli(*put, "--policy-file", str(policy_file), "--revision-id", first).out.strip()
    (policy,) = cli("--json", "projects", "policies", "list", "--project-arn", arn).json()
    assert (policy["PolicyName"], policy["PolicyRevisionId"]) == ("share", second)
    delete_policy = ["projects", "policies", "delete", "--project-arn", arn, "--policy-name", "share"]
    assert cli(*delete_policy).code == 0

    assert cli("projects", "delete", "--project-arn", arn).out.strip() == "DELETING"
    assert cli("--json", "projects", "list", "--name", name).json() == []
    gone = cli("projects", "delete", "--project-arn", arn)
    assert gone.code == 1 and gone.err.startswith("ResourceNotFoundException: ")


@dataclass(frozen=True)
class Trained:
    project_arn: str
    project: str
    version_arn: str
    training: Run
    pictures: list[shapes.Picture]


@pytest.fixture(scope="module")
def trained(cli: Cli, s3: Any, bucket: str, deployment: dict[str, str]) -> Iterator[Trained]:
    """A shapes classifier trained with ``models train --wait`` on a manifest with an automatic test
    split; afterwards its project is removed with whatever is left in it."""
    name = f"cli-models-{uuid.uuid4().hex[:8]}"
    prefix = f"e2e-cli-{uuid.uuid4().hex[:8]}/"
    pictures = shapes.shape_pictures(per_shape=14)
    lines = []
    for picture in pictures:
        key = f"{prefix}images/{picture.name}"
        s3.put_object(Bucket=bucket, Key=key, Body=picture.png, ContentType="image/png")
        lines.append(shapes.classification_line(f"s3://{bucket}/{key}", picture.labels[0]))
    s3.put_object(Bucket=bucket, Key=f"{prefix}train.manifest", Body="\n".join(lines).encode())
    project_arn = cli("--json", "projects", "create", "--name", name).json()["ProjectArn"]
    try:
        training = cli(
            "--json",
            "models",
            "train",
            "--project-arn",
            project_arn,
            "--version-name",
            "v1",
            "--output-bucket",
            bucket,
            "--output-prefix",
            f"{prefix}output/",
            "--training-manifest",
            f"s3://{bucket}/{prefix}train.manifest",
            "--auto-split",
            "--tag",
            "team=vision",
            "--description",
            "three shapes",
            "--wait",
            *FAST_POLLING,
        )
        version_arn = json.loads(training.out)["ProjectVersionArn"] if training.code == 0 else ""
        yield Trained(project_arn, name, version_arn, training, pictures)
    finally:
        _remove_project(deployment, s3, bucket, project_arn)


def test_models_train_waits_with_progress_and_lists_the_model(cli: Cli, trained: Trained) -> None:
    assert trained.training.code == 0, trained.training.err
    model = json.loads(trained.training.out)
    assert (model["Status"], model["VersionDescription"]) == ("TRAINING_COMPLETED", "three shapes")
    assert model["EvaluationResult"]["F1Score"] >= 0
    # progress on stderr, a line per status change with the elapsed time (stdout keeps clean JSON)
    progress = [line.split() for line in trained.training.err.splitlines()]
    assert [line[:2] for line in progress] == [["v1", "TRAINING_IN_PROGRESS"], ["v1", "TRAINING_COMPLETED"]]
    assert all(line[2].startswith("(") and line[2].endswith("s)") for line in progress)

    listed = cli("models", "list", "--project-arn", trained.project_arn)
    header, row = listed.out.splitlines()
    assert header.split() == ["VERSION", "STATUS", "F1", "CREATED", "BILLABLE", "S"]
    assert row.split()[:3] == ["v1", "TRAINING_COMPLETED", f"{model['EvaluationResult']['F1Score']:.3f}"]
    assert int(row.split()[4]) == model["BillableTrainingTimeInSeconds"]
    described = cli("models", "describe", "--project-arn", trained.project_arn, "--version-name", "v1")
    assert ["ProjectVersionArn", trained.version_arn] in fields(described.out)
    assert cli("--json", "tags", "list", "--resource-arn", trained.version_arn).json() == {"team": "vision"}


def test_models_evaluate_prints_labels_confusion_and_downloads_plots(
    cli: Cli, trained: Trained, bucket: str, tmp_path: Path
) -> None:
    assert trained.version_arn, trained.training.err
    plots = tmp_path / "plots"
    evaluated = cli(
        "models",
        "evaluate",
        "--version-arn",
        trained.version_arn,
        "--confusion",
        "--plots",
        str(plots),
        "--data-bucket",
        bucket,
    )
    assert evaluated.code == 0, evaluated.err
    overall, labels, confusion, files = evaluated.out.rstrip("\n").split("\n\n")
    counts = dict(line for line in fields(overall) if len(line) == 2)
    assert int(counts["TrainingImages"]) + int(counts["TestingImages"]) == len(trained.pictures)
    assert labels.splitlines()[0].split() == [
        "LABEL",
        "PRECISION",
        "RECALL",
        "F1",
        "ASSUMED",
        "THRESHOLD",
        "TEST",
        "IMAGES",
    ]
    assert sorted(line.split()[0] for line in labels.splitlines()[1:]) == sorted(shapes.SHAPES)
    assert confusion.splitlines()[0].split()[:3] == ["PREDICTED", "\\", "TRUE"]
    assert len(confusion.splitlines()) == 1 + len(shapes.SHAPES)
    written = {path.relative_to(plots).as_posix() for path in plots.rglob("*") if path.is_file()}
    assert {
        "confusion_matrix.png",
        "confusion_matrix.json",
        f"EvaluationResultSummary-{trained.project}-v1.json",
    } <= written
    assert sum(name.startswith("plots/pr-") and name.endswith(".png") for name in written) == len(
        shapes.SHAPES
    )
    assert files.splitlines()[0] == f"wrote {len(written)} files to {plots}:"
    with Image.open(plots / "confusion_matrix.png") as image:
        assert image.format == "PNG"


def test_models_copy_waits_for_the_copy(
    cli: Cli, trained: Trained, s3: Any, bucket: str, deployment: dict[str, str]
) -> None:
    assert trained.version_arn, trained.training.err
    destination = cli("--json", "projects", "create", "--name", f"{trained.project}-copies").json()[
        "ProjectArn"
    ]
    try:
        copied = cli(
            "--json",
            "models",
            "copy",
            "--source-project-arn",
            trained.project_arn,
            "--source-version-arn",
            trained.version_arn,
            "--destination-project-arn",
            destination,
            "--version-name",
            "v1-copy",
            "--output-bucket",
            bucket,
            "--output-prefix",
            "e2e-cli-copies/",
            "--wait",
            *FAST_POLLING,
        )
        assert copied.code == 0, copied.err
        model = json.loads(copied.out)
        assert (model["Status"], model["SourceProjectVersionArn"]) == (
            "COPYING_COMPLETED",
            trained.version_arn,
        )
    finally:
        _remove_project(deployment, s3, bucket, destination)


def test_a_model_starts_detects_labels_in_batch_and_stops(
    cli: Cli, trained: Trained, deployment: dict[str, str], bucket: str, tmp_path: Path
) -> None:
    assert trained.version_arn, trained.training.err
    model = ["--version-arn", trained.version_arn]
    started = cli("--json", "models", "start", *model, "--max-inference-units", "2", "--wait", *FAST_POLLING)
    running = started.json()
    assert (running["Status"], running["MinInferenceUnits"], running["MaxInferenceUnits"]) == (
        "RUNNING",
        1,
        2,
    )

    picture = trained.pictures[0]
    image = tmp_path / picture.name
    image.write_bytes(picture.png)
    drawn = tmp_path / "drawn.png"
    detected = cli("detect", *model, str(image), "--min-confidence", "0", "--draw", str(drawn))
    assert detected.code == 0, detected.err
    table, note = detected.out.rstrip("\n").split("\n\n")
    assert table.splitlines()[0].split()[:2] == ["LABEL", "CONFIDENCE"]
    assert sorted(line.split()[0] for line in table.splitlines()[1:]) == sorted(shapes.SHAPES)
    assert note == f"drew 3 labels on {drawn}"
    with Image.open(drawn) as result:
        assert result.width == 96 and result.height > 96  # image-level labels: a caption band below

    folder = tmp_path / "batch"
    folder.mkdir()
    for picture in trained.pictures[1 : 1 + BATCH_IMAGES]:
        (folder / picture.name).write_bytes(picture.png)
    place = ["--project", trained.project, "--version", "v1", "--bucket", bucket]
    inputs = ["--input-prefix", deployment["BatchInputPrefix"]]
    submitted = cli("--json", "batch", "submit", *place, *inputs, str(folder)).json()
    assert len(submitted["Submitted"]) == BATCH_IMAGES
    outputs = ["--output-prefix", deployment["BatchOutputPrefix"]]
    results = cli("batch", "results", *place, *outputs, "--wait", str(BATCH_IMAGES), *FAST_POLLING)
    assert results.code == 0, results.err
    rows = results.out.splitlines()[1:]
    assert sorted(row.split()[0] for row in rows) == sorted(
        p.name for p in trained.pictures[1 : 1 + BATCH_IMAGES]
    )
    # the model's labels above their assumed thresholds (maybe none), never an error
    assert all(row.split()[1] in (*shapes.SHAPES, "-") and row.split()[-1] == "-" for row in rows), (
        results.out
    )

    stopped = cli("models", "stop", *model, "--wait", *FAST_POLLING)
    assert stopped.code == 0, stopped.err
    assert ["Status", "STOPPED"] in fields(stopped.out)
    refused = cli("detect", *model, str(image))
    assert refused.code == 1 and refused.err.startswith("ResourceNotReadyException: ")

    deleted = cli("models", "delete", *model, "--wait", *FAST_POLLING)
    assert (deleted.code, deleted.out.strip()) == (0, "DELETED"), deleted.err


def fields(text: str) -> list[list[str]]:
    """The ``Name  value`` lines of a record, split."""
    return [line.split() for line in text.splitlines()]


def _remove_project(deployment: dict[str, str], s3: Any, bucket: str, project_arn: str) -> None:
    """Stop and delete what a failed test left, then the project."""
    rekognition = make_client(deployment["ApiEndpoint"])
    repository = Repository(MetadataStore(s3, bucket))
    project = repository.get_project(project_arn.split("/")[1])
    if project is None:
        return
    for version in repository.all_versions(project.name):
        if version.status in ("STARTING", "RUNNING"):
            rekognition.stop_project_version(ProjectVersionArn=version.arn)
        repository.delete_version(version)
    rekognition.delete_project(ProjectArn=project_arn)
