"""The CLI's pure parts: endpoint resolution, tables, JSON, errors, waiting."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from customlabels import settings
from customlabels.cli import main
from customlabels.cli.datasets import entries_table
from customlabels.cli.importers import manifest_key, parse_s3_uri
from customlabels.cli.output import CliError, Output, record, table
from customlabels.cli.progress import Watched, check_outcome, wait_for_datasets
from customlabels.cli.session import Endpoint, resolve_endpoint
from tests.unit.manifests.builders import box, classification, detection


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    settings.load.cache_clear()
    yield
    settings.load.cache_clear()


def test_the_endpoint_comes_from_the_flag_then_the_environment_then_the_local_deployment(
    tmp_path: Path,
) -> None:
    outputs = tmp_path / "outputs.json"
    assert resolve_endpoint("https://flag/", "https://env/", outputs) == Endpoint("https://flag/")
    assert resolve_endpoint(None, "https://env/", outputs) == Endpoint("https://env/")
    with pytest.raises(CliError, match="no API endpoint") as caught:
        resolve_endpoint(None, None, outputs)
    assert caught.value.name == "NoEndpoint"
    outputs.write_text(
        json.dumps(
            {
                "ApiEndpoint": "http://127.0.0.1:4566/restapis/x/v1/_user_request_/",
                "Region": "us-east-1",
                "EndpointUrl": "http://127.0.0.1:4566",
            }
        )
    )
    assert resolve_endpoint(None, None, outputs) == Endpoint(
        "http://127.0.0.1:4566/restapis/x/v1/_user_request_/",
        "us-east-1",
        "http://127.0.0.1:4566",
        local=True,
    )


def test_without_an_endpoint_a_dataset_command_says_how_to_get_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AWS_ENDPOINT_URL_REKOGNITION", raising=False)
    assert main(["datasets", "describe", "--dataset-arn", "arn:x"]) == 1
    assert capsys.readouterr().err.startswith("NoEndpoint: no API endpoint: pass --endpoint-url")


def test_tables_align_columns_and_records_align_names() -> None:
    assert table([("cat", 12, None), ("elephant", 3, ["a", "b"])], ("LABEL", "IMAGES", "X")).splitlines() == [
        "LABEL     IMAGES  X",
        "cat       12      -",
        "elephant  3       a, b",
    ]
    assert record(
        {"Status": "CREATE_COMPLETE", "TotalEntries": 7, "Created": datetime(2026, 1, 2, tzinfo=UTC)}
    ) == ("Status        CREATE_COMPLETE\nTotalEntries  7\nCreated       2026-01-02T00:00:00+00:00")


def test_json_mode_prints_data_only_and_errors_go_to_stderr() -> None:
    out, err = io.StringIO(), io.StringIO()
    output = Output(as_json=True, out=out, err=err)
    output.note("uploaded 3/3 images")
    output.result({"When": datetime(2026, 1, 2, tzinfo=UTC)}, "human text")
    assert json.loads(out.getvalue()) == {"When": "2026-01-02T00:00:00+00:00"} and err.getvalue() == ""
    assert output.error("ResourceNotFoundException", "The dataset x does not exist") == 1
    assert err.getvalue() == "ResourceNotFoundException: The dataset x does not exist\n"


def test_entries_show_labels_and_error_codes() -> None:
    lines = [
        json.dumps(
            {**classification("s3://bucket/a.png", "cat", "dog"), "cl-metadata": {"is_labeled": True}}
        ),
        json.dumps(
            {
                **detection("s3://bucket/b.png", [box(0, 600, 400, 100, 100)], class_map={"0": "cat"}),
                "cl-errors": [
                    {"code": "ERROR_NO_VALID_ANNOTATIONS", "message": "No valid annotations found."}
                ],
            }
        ),
    ]
    assert entries_table(lines).splitlines() == [
        "SOURCE-REF         LABELS    ERRORS",
        "s3://bucket/a.png  cat, dog  -",
        "s3://bucket/b.png  cat       ERROR_NO_VALID_ANNOTATIONS",
    ]


def test_s3_uris_and_manifest_keys() -> None:
    assert parse_s3_uri("s3://bucket/a/b.manifest") == ("bucket", "a/b.manifest")
    assert parse_s3_uri("s3://bucket/images", folder=True) == ("bucket", "images/")
    assert parse_s3_uri("s3://bucket", folder=True) == ("bucket", "")
    for bad in ("bucket/key", "s3://", "s3:///key"):
        with pytest.raises(CliError, match="expected s3://bucket/"):
            parse_s3_uri(bad)
    with pytest.raises(CliError, match="with a key"):
        parse_s3_uri("s3://bucket/")
    assert manifest_key("shapes", "train", datetime(2026, 11, 26, 9, 5, 7)) == (
        "customlabels-manifests/shapes/train-20261126T090507.manifest"
    )


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def scripted(statuses: dict[str, list[str]]) -> Any:
    def describe(arn: str) -> dict[str, Any]:
        queue = statuses[arn]
        status = queue.pop(0) if len(queue) > 1 else queue[0]
        return {"Status": status, "StatusMessage": f"{arn} is {status}", "StatusMessageCode": "SUCCESS"}

    return describe


def test_waiting_prints_a_line_per_change_outside_a_terminal() -> None:
    clock, stream = FakeClock(), io.StringIO()
    describe = scripted(
        {
            "a": ["UPDATE_IN_PROGRESS"] * 3 + ["UPDATE_COMPLETE"],
            "b": ["UPDATE_IN_PROGRESS", "UPDATE_COMPLETE"],
        }
    )
    latest = wait_for_datasets(
        describe,
        [Watched("train", "a"), Watched("test", "b")],
        stream,
        interval=2,
        clock=clock,
        sleep=clock.sleep,
    )
    assert {arn: item["Status"] for arn, item in latest.items()} == {
        "a": "UPDATE_COMPLETE",
        "b": "UPDATE_COMPLETE",
    }
    assert stream.getvalue().splitlines() == [
        "train UPDATE_IN_PROGRESS  test UPDATE_IN_PROGRESS  (0.0s)",
        "train UPDATE_IN_PROGRESS  test UPDATE_COMPLETE  (2.0s)",
        "train UPDATE_COMPLETE  test UPDATE_COMPLETE  (6.0s)",
    ]


def test_waiting_on_a_terminal_redraws_one_line_with_a_spinner() -> None:
    clock, stream = FakeClock(), Terminal()
    wait_for_datasets(
        scripted({"a": ["CREATE_IN_PROGRESS", "CREATE_IN_PROGRESS", "CREATE_COMPLETE"]}),
        [Watched("train", "a")],
        stream,
        interval=1,
        clock=clock,
        sleep=clock.sleep,
    )
    frames = stream.getvalue().split("\r")[1:]
    assert [frame[0] for frame in frames] == ["|", "/", "-"]
    assert frames[-1].startswith("- train CREATE_COMPLETE  2s") and frames[-1].endswith("\n")


def test_waiting_gives_up_and_failures_are_errors() -> None:
    clock = FakeClock()
    with pytest.raises(CliError, match="still train CREATE_IN_PROGRESS after 5 s") as caught:
        wait_for_datasets(
            scripted({"a": ["CREATE_IN_PROGRESS"]}),
            [Watched("train", "a")],
            io.StringIO(),
            interval=2,
            timeout=5,
            clock=clock,
            sleep=clock.sleep,
        )
    assert caught.value.name == "WaitTimeout"
    failed = {
        "a": {
            "Status": "CREATE_FAILED",
            "StatusMessage": "The manifest file has too many labels.",
            "StatusMessageCode": "CLIENT_ERROR",
        }
    }
    with pytest.raises(CliError) as caught:
        check_outcome(failed)
    assert (caught.value.name, caught.value.message) == (
        "CREATE_FAILED",
        "The manifest file has too many labels. (CLIENT_ERROR) a",
    )
    check_outcome({"a": {"Status": "DELETED"}})


def test_a_local_folder_needs_a_bucket(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "datasets",
        "create",
        "--project-arn",
        "arn:p",
        "--type",
        "train",
        "--from-local-folder",
        str(tmp_path),
    ]
    assert main(argv) == 1
    assert capsys.readouterr().err == "MissingArgument: --from-local-folder needs --bucket\n"
    with pytest.raises(SystemExit):
        main([*argv[:6], "--manifest", "s3://b/m.manifest", "--from-s3-folders", "s3://b/p/"])
