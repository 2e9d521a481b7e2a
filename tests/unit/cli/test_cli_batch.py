"""``customlabels batch``: which files are submitted where, result tables, waiting for results, and
where the bucket and prefixes come from."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from customlabels.cli.batch import Place, image_path, images_to_submit, results_table
from customlabels.cli.output import CliError
from customlabels.cli.progress import wait_for_count
from customlabels.cli.session import Endpoint, Session, deployment_outputs
from tests.unit.cli.conftest import ENDPOINT, Api
from tests.unit.cli.test_cli_output import FakeClock, Terminal

PROJECT = "arn:aws:rekognition:us-east-1:123456789012:project/shapes/1700000000000"
MODEL = "arn:aws:rekognition:us-east-1:123456789012:project/shapes/version/v1/1700000000500"
PLACE = ["--project", "shapes", "--version", "v1", "--bucket", "data"]
OUTPUT = "batch-output/shapes/v1/"


class FakeS3:
    """Uploads, listings and reads of an in-memory bucket; ``arrivals`` objects appear one per listing."""

    def __init__(
        self, objects: dict[str, bytes] | None = None, arrivals: list[tuple[str, bytes]] | None = None
    ):
        self.objects = dict(objects or {})
        self.arrivals = list(arrivals or [])
        self.listed: list[tuple[str, str]] = []

    def upload_file(self, path: str, bucket: str, key: str) -> None:
        self.objects[f"{bucket}/{key}"] = Path(path).read_bytes()

    def get_paginator(self, _: str) -> FakeS3:
        return self

    def paginate(self, Bucket: str, Prefix: str) -> list[dict[str, Any]]:  # noqa: N803 (boto3's names)
        self.listed.append((Bucket, Prefix))
        if self.arrivals:
            key, data = self.arrivals.pop(0)
            self.objects[f"{Bucket}/{key}"] = data
        keys = sorted(key.split("/", 1)[1] for key in self.objects if key.startswith(f"{Bucket}/{Prefix}"))
        return [{"Contents": [{"Key": key} for key in keys]}]

    def get_object(self, Bucket: str, Key: str) -> dict[str, Any]:  # noqa: N803
        return {"Body": io.BytesIO(self.objects[f"{Bucket}/{Key}"])}


@pytest.fixture
def s3(api: Api, monkeypatch: pytest.MonkeyPatch) -> FakeS3:
    fake = FakeS3()
    monkeypatch.setattr(Session, "s3", property(lambda _: fake))
    return fake


def result(labels: list[tuple[str, float]] | None = None, error: str | None = None) -> bytes:
    document: dict[str, Any] = {"source-ref": "s3://data/x", "Project": "shapes", "Version": "v1"}
    if error:
        document["Error"] = {"Code": error, "Message": "The model is not running."}
    else:
        document["CustomLabels"] = [
            {"Name": name, "Confidence": confidence} for name, confidence in labels or []
        ]
    return json.dumps(document).encode()


def model_is(api: Api, status: str) -> None:
    api.rekognition.add_response(
        "describe_projects",
        {
            "ProjectDescriptions": [
                {"ProjectArn": PROJECT, "CreationTimestamp": datetime(2026, 1, 1, tzinfo=UTC)}
            ]
        },
        {"ProjectNames": ["shapes"], "Features": ["CUSTOM_LABELS", "CONTENT_MODERATION"]},
    )
    description = {"ProjectVersionArn": MODEL, "Status": status}
    api.rekognition.add_response(
        "describe_project_versions",
        {"ProjectVersionDescriptions": [description]},
        {"ProjectArn": PROJECT, "VersionNames": ["v1"]},
    )


def test_folders_are_walked_for_images_and_files_go_by_name(tmp_path: Path) -> None:
    for name in ("a/1.png", "a/b/2.JPG", "a/notes.txt", "a/3.jpeg", "loose.gif"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    found = images_to_submit([str(tmp_path / "a"), str(tmp_path / "loose.gif")])
    assert [relative for _, relative in found] == ["1.png", "3.jpeg", "b/2.JPG", "loose.gif"]
    with pytest.raises(CliError, match=r"would both be uploaded as 1.png") as caught:
        images_to_submit([str(tmp_path / "a"), str(tmp_path / "a" / "1.png")])
    assert caught.value.name == "DuplicateImages"
    (tmp_path / "empty").mkdir()
    with pytest.raises(CliError, match="no PNG or JPEG images in") as caught:
        images_to_submit([str(tmp_path / "empty")])
    with pytest.raises(CliError, match="is neither a file nor a folder"):
        images_to_submit([str(tmp_path / "nothing")])


def test_submit_uploads_under_the_models_input_folder_and_warns_if_it_is_not_running(
    api: Api, s3: FakeS3, tmp_path: Path
) -> None:
    (tmp_path / "shots").mkdir()
    for name in ("1.png", "2.png"):
        (tmp_path / "shots" / name).write_bytes(name.encode())
    model_is(api, "STOPPED")
    ran = api.run("batch", "submit", *PLACE, "--folder", "monday", str(tmp_path / "shots"))
    assert ran.code == 0, ran.err
    assert sorted(s3.objects) == [
        "data/batch-input/shapes/v1/monday/1.png",
        "data/batch-input/shapes/v1/monday/2.png",
    ]
    assert ran.err.splitlines() == [
        "warning: the model v1 is STOPPED; images labeled before it is RUNNING get a "
        "ResourceNotReadyException result (customlabels models start --wait)",
        "uploaded 2/2 images to s3://data/batch-input/shapes/v1/",
    ]
    assert ran.out == (
        "submitted 2 images; their results will appear under s3://data/batch-output/shapes/v1/ "
        "(customlabels batch results --project shapes --version v1 --wait 2)\n"
    )


def test_submit_refuses_an_unknown_model_before_uploading(api: Api, s3: FakeS3, tmp_path: Path) -> None:
    (tmp_path / "1.png").write_bytes(b"x")
    api.rekognition.add_response(
        "describe_projects",
        {"ProjectDescriptions": []},
        {"ProjectNames": ["shapes"], "Features": ["CUSTOM_LABELS", "CONTENT_MODERATION"]},
    )
    ran = api.run("batch", "submit", *PLACE, str(tmp_path / "1.png"))
    assert (ran.code, ran.err, s3.objects) == (
        1,
        "ResourceNotFoundException: there is no project named shapes\n",
        {},
    )
    ran = api.run("batch", "submit", "--project", "a/b", "--version", "v1", "--bucket", "data", str(tmp_path))
    assert ran.err == "InvalidName: --project must be a name without '/', got 'a/b'\n"


def test_results_wait_for_n_documents_and_show_top_labels_or_errors(
    api: Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeS3(
        {
            f"data/{OUTPUT}results.manifest": b"{}\n",
            f"data/{OUTPUT}monday/1.png.json": result([("circle", 91.5), ("square", 8.5)]),
        },
        arrivals=[
            ("unrelated/other.json", b"{}"),
            (f"{OUTPUT}monday/2.png.json", result(error="ResourceNotReadyException")),
            (f"{OUTPUT}monday/3.png.json", result([])),
        ],
    )
    monkeypatch.setattr(Session, "s3", property(lambda _: fake))
    ran = api.run("batch", "results", *PLACE, "--wait", "3", "--poll-interval", "0", "--download", "results")
    assert ran.code == 0, ran.err
    assert [line.split("  (")[0] for line in ran.err.splitlines()] == [
        "1/3 results",
        "2/3 results",
        "3/3 results",
        "saved 3 results to results",
    ]
    assert ran.out.splitlines() == [
        "IMAGE         TOP LABEL  CONFIDENCE  LABELS  ERROR",
        "monday/1.png  circle     91.50       2       -",
        "monday/2.png  -          -           -       ResourceNotReadyException: The model is not running.",
        "monday/3.png  -          -           0       -",
    ]
    saved = json.loads(Path("results/monday/1.png.json").read_text())
    assert saved["CustomLabels"][0] == {"Name": "circle", "Confidence": 91.5}


def test_results_table_and_paths_are_pure() -> None:
    place = Place("data", "batch-input/", "batch-output/", "shapes", "v1")
    assert (place.input_folder, place.output_folder) == ("batch-input/shapes/v1/", OUTPUT)
    assert image_path(place, f"{OUTPUT}a/b.jpg.json") == "a/b.jpg"
    assert results_table([], []) == "IMAGE  TOP LABEL  CONFIDENCE  LABELS  ERROR"


def test_the_bucket_and_prefixes_come_from_the_local_deployment_it_talks_to(
    api: Api, s3: FakeS3, tmp_path: Path
) -> None:
    outputs = {
        "ApiEndpoint": ENDPOINT,
        "DataBucketName": "local-data",
        "BatchInputPrefix": "in/",
        "BatchOutputPrefix": "out/",
    }
    Path(".local").mkdir()
    Path(".local/outputs.json").write_text(json.dumps(outputs))
    ran = api.run("--json", "batch", "results", "--project", "shapes", "--version", "v1")
    assert (ran.code, json.loads(ran.out), s3.listed) == (0, [], [("local-data", "out/shapes/v1/")])
    assert deployment_outputs(Endpoint(ENDPOINT)) == outputs
    assert deployment_outputs(Endpoint("https://elsewhere/")) == {}
    Path(".local/outputs.json").write_text(json.dumps({**outputs, "ApiEndpoint": "https://elsewhere/"}))
    ran = api.run("batch", "results", "--project", "shapes", "--version", "v1")
    assert ran.err == (
        "MissingArgument: pass --bucket: the endpoint is not the local deployment of .local/outputs.json, "
        "which would tell its DataBucketName\n"
    )


def test_waiting_for_a_count_redraws_a_line_on_a_terminal_and_gives_up() -> None:
    clock, stream = FakeClock(), Terminal()
    counts = iter([0, 1, 3])
    assert (
        wait_for_count(lambda: next(counts), 2, "results", stream, interval=1, clock=clock, sleep=clock.sleep)
        == 3
    )
    frames = stream.getvalue().split("\r")[1:]
    assert [frame.split("  ")[0] for frame in frames] == ["| 0/2 results", "/ 1/2 results", "- 3/2 results"]
    with pytest.raises(CliError, match="still 0/2 results after 3 s") as caught:
        wait_for_count(
            lambda: 0, 2, "results", io.StringIO(), interval=2, timeout=3, clock=clock, sleep=clock.sleep
        )
    assert caught.value.name == "WaitTimeout"
