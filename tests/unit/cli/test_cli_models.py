"""``customlabels models``: requests built from the options, tables and records from canned
DescribeProjectVersions answers, ``--wait`` outcomes, and the evaluation's tables."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from botocore.response import StreamingBody

from customlabels.cli import build_parser, evaluation
from customlabels.cli.models import model_fields, models_table, training_request
from customlabels.cli.output import CliError
from customlabels.evaluation.confusion import ConfusionMatrix
from tests.unit.cli.conftest import Api

PROJECT = "arn:aws:rekognition:us-east-1:123456789012:project/shapes/1700000000000"
MODEL = "arn:aws:rekognition:us-east-1:123456789012:project/shapes/version/v1/1700000000500"
CREATED = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
SUMMARY_KEY = "output/EvaluationResultSummary-shapes-v1.json"
WAIT = ["--wait", "--poll-interval", "0"]


def version(status: str, **fields: Any) -> dict[str, Any]:
    """A ``ProjectVersionDescription`` as DescribeProjectVersions answers it."""
    return {
        "ProjectVersionArn": MODEL,
        "CreationTimestamp": CREATED,
        "Status": status,
        "StatusMessage": f"The model is {status}.",
        "OutputConfig": {"S3Bucket": "bucket", "S3KeyPrefix": "output/"},
        **fields,
    }


TRAINED = version(
    "TRAINING_COMPLETED",
    StatusMessage="The model is ready to run.",
    BillableTrainingTimeInSeconds=73,
    TrainingEndTimestamp=datetime(2026, 11, 26, 9, 32, tzinfo=UTC),
    EvaluationResult={"F1Score": 0.9166, "Summary": {"S3Object": {"Bucket": "bucket", "Name": SUMMARY_KEY}}},
    VersionDescription="three shapes",
)

SUMMARY = {
    "Version": 1,
    "AggregatedEvaluationResults": {
        "ConfusionMatrix": [
            {"GroundTruthLabel": "circle", "PredictedLabel": "circle", "Value": 0.75},
            {"GroundTruthLabel": "circle", "PredictedLabel": "square", "Value": 0.25},
            {"GroundTruthLabel": "square", "PredictedLabel": "circle", "Value": 0.0},
            {"GroundTruthLabel": "square", "PredictedLabel": "square", "Value": 1.0},
        ],
        "F1Score": 0.9166,
        "Precision": 0.9,
        "Recall": 0.875,
    },
    "EvaluationDetails": {
        "EvaluationEndTimestamp": "2026-11-26T09:32:00.000000",
        "Labels": ["circle", "square", "stripe"],
        "NumberOfTestingImages": 8,
        "NumberOfTrainingImages": 32,
        "ProjectVersionArn": MODEL,
    },
    "LabelEvaluationResults": [
        {
            "Label": "square",
            "Metrics": {"F1Score": 1.0, "Precision": 1.0, "Recall": 1.0, "Threshold": 0.512},
            "NumberOfTestingImages": 4,
        },
        {
            "Label": "circle",
            "Metrics": {"F1Score": 0.8571, "Precision": 1.0, "Recall": 0.75, "Threshold": 0.4},
            "NumberOfTestingImages": 4,
        },
    ],
}


def parse(*argv: str) -> Any:
    return build_parser().parse_args(
        ["models", "train", "--project-arn", PROJECT, "--version-name", "v1", *argv]
    )


def body(document: Any) -> StreamingBody:
    data = json.dumps(document).encode()
    return StreamingBody(io.BytesIO(data), len(data))


def test_train_requests_manifests_an_automatic_split_or_the_projects_datasets() -> None:
    manifests = training_request(
        parse(
            "--training-manifest",
            "s3://bucket/train.manifest",
            "--testing-manifest",
            "s3://bucket/test.manifest",
            "--output-prefix",
            "output/",
            "--tag",
            "team=vision",
            "--kms-key-id",
            "alias/models",
            "--description",
            "three shapes",
        ),
        "bucket",
    )
    assert manifests == {
        "ProjectArn": PROJECT,
        "VersionName": "v1",
        "OutputConfig": {"S3Bucket": "bucket", "S3KeyPrefix": "output/"},
        "Tags": {"team": "vision"},
        "TrainingData": {
            "Assets": [{"GroundTruthManifest": {"S3Object": {"Bucket": "bucket", "Name": "train.manifest"}}}]
        },
        "TestingData": {
            "Assets": [{"GroundTruthManifest": {"S3Object": {"Bucket": "bucket", "Name": "test.manifest"}}}]
        },
        "KmsKeyId": "alias/models",
        "VersionDescription": "three shapes",
    }
    split = training_request(parse("--training-manifest", "s3://bucket/train.manifest", "--auto-split"), "b")
    assert split["TestingData"] == {"AutoCreate": True}
    assert training_request(parse(), "b") == {
        "ProjectArn": PROJECT,
        "VersionName": "v1",
        "OutputConfig": {"S3Bucket": "b"},
    }


@pytest.mark.parametrize(
    ("argv", "name", "message"),
    [
        (
            ["--training-manifest", "s3://b/t.manifest"],
            "MissingArgument",
            "needs --testing-manifest or --auto-split",
        ),
        (["--auto-split"], "MissingArgument", "go with --training-manifest"),
        (["--training-manifest", "b/t.manifest", "--auto-split"], "InvalidS3Uri", "expected s3://bucket/key"),
        (["--tag", "team"], "InvalidTag", "tags are KEY=VALUE"),
    ],
)
def test_train_refuses_incomplete_options(argv: list[str], name: str, message: str) -> None:
    with pytest.raises(CliError, match=message) as caught:
        training_request(parse(*argv), "bucket")
    assert caught.value.name == name
    with pytest.raises(SystemExit):  # argparse: --testing-manifest and --auto-split exclude each other
        parse("--testing-manifest", "s3://b/t", "--auto-split")


def test_train_needs_an_output_bucket_away_from_the_local_deployment(api: Api) -> None:
    ran = api.run("models", "train", "--project-arn", PROJECT, "--version-name", "v1")
    assert ran.code == 1
    assert ran.err.startswith(
        "MissingArgument: pass --output-bucket: the endpoint is not the local deployment"
    )


def test_train_waits_showing_status_changes_and_fails_with_the_status_message(api: Api) -> None:
    api.rekognition.add_response(
        "create_project_version",
        {"ProjectVersionArn": MODEL},
        {"ProjectArn": PROJECT, "VersionName": "v1", "OutputConfig": {"S3Bucket": "bucket"}},
    )
    describe = {"ProjectArn": PROJECT, "VersionNames": ["v1"]}
    for status in ("TRAINING_IN_PROGRESS", "TRAINING_IN_PROGRESS"):
        api.rekognition.add_response(
            "describe_project_versions", {"ProjectVersionDescriptions": [version(status)]}, describe
        )
    failed = version("TRAINING_FAILED", StatusMessage="The manifest file contains too many invalid rows.")
    api.rekognition.add_response(
        "describe_project_versions", {"ProjectVersionDescriptions": [failed]}, describe
    )
    ran = api.run(
        "models",
        "train",
        "--project-arn",
        PROJECT,
        "--version-name",
        "v1",
        "--output-bucket",
        "bucket",
        *WAIT,
    )
    assert ran.code == 1 and ran.out == ""
    lines = ran.err.splitlines()
    assert [line.split("  (")[0] for line in lines[:2]] == ["v1 TRAINING_IN_PROGRESS", "v1 TRAINING_FAILED"]
    assert lines[2] == f"TRAINING_FAILED: The manifest file contains too many invalid rows. ({MODEL})"


def test_a_finished_training_prints_the_model(api: Api) -> None:
    api.rekognition.add_response("create_project_version", {"ProjectVersionArn": MODEL})
    api.rekognition.add_response("describe_project_versions", {"ProjectVersionDescriptions": [TRAINED]})
    ran = api.run(
        "models",
        "train",
        "--project-arn",
        PROJECT,
        "--version-name",
        "v1",
        "--output-bucket",
        "bucket",
        *WAIT,
    )
    assert ran.code == 0, ran.err
    assert ran.out.splitlines() == [
        "Version            v1",
        f"ProjectVersionArn  {MODEL}",
        "Status             TRAINING_COMPLETED",
        "StatusMessage      The model is ready to run.",
        "Description        three shapes",
        "Created            2026-11-26T09:30:00+00:00",
        "TrainingEnded      2026-11-26T09:32:00+00:00",
        "BillableSeconds    73",
        "F1                 0.917",
        f"EvaluationSummary  s3://bucket/{SUMMARY_KEY}",
        "ManifestSummary    -",
        "Output             s3://bucket/output/",
        "InferenceUnits     -",
        "KmsKeyId           -",
        "CopiedFrom         -",
    ]


def test_models_list_reads_every_page_into_a_table(api: Api) -> None:
    other = version("TRAINING_IN_PROGRESS", ProjectVersionArn=MODEL.replace("/v1/", "/v2/"))
    api.rekognition.add_response(
        "describe_project_versions",
        {"ProjectVersionDescriptions": [other], "NextToken": "page-2"},
        {"ProjectArn": PROJECT},
    )
    api.rekognition.add_response(
        "describe_project_versions",
        {"ProjectVersionDescriptions": [TRAINED]},
        {"ProjectArn": PROJECT, "NextToken": "page-2"},
    )
    ran = api.run("models", "list", "--project-arn", PROJECT)
    assert ran.out.splitlines() == [
        "VERSION  STATUS                F1     CREATED                    BILLABLE S",
        "v2       TRAINING_IN_PROGRESS  -      2026-11-26T09:30:00+00:00  -",
        "v1       TRAINING_COMPLETED    0.917  2026-11-26T09:30:00+00:00  73",
    ]
    assert models_table([]) == "VERSION  STATUS  F1  CREATED  BILLABLE S"


def test_start_by_arn_finds_the_project_and_waits_until_running(api: Api) -> None:
    api.rekognition.add_response(
        "describe_projects",
        {"ProjectDescriptions": [{"ProjectArn": PROJECT, "CreationTimestamp": CREATED, "Status": "CREATED"}]},
        {"ProjectNames": ["shapes"], "Features": ["CUSTOM_LABELS", "CONTENT_MODERATION"]},
    )
    api.rekognition.add_response(
        "describe_project_versions",
        {"ProjectVersionDescriptions": [TRAINED]},
        {"ProjectArn": PROJECT, "VersionNames": ["v1"]},
    )
    api.rekognition.add_response(
        "start_project_version",
        {"Status": "STARTING"},
        {"ProjectVersionArn": MODEL, "MinInferenceUnits": 1, "MaxInferenceUnits": 2},
    )
    for status in ("STARTING", "RUNNING"):
        units = {"MinInferenceUnits": 1, "MaxInferenceUnits": 2}
        api.rekognition.add_response(
            "describe_project_versions", {"ProjectVersionDescriptions": [version(status, **units)]}
        )
    ran = api.run("models", "start", "--version-arn", MODEL, "--max-inference-units", "2", *WAIT)
    assert ran.code == 0, ran.err
    assert ["Status", "RUNNING"] in [line.split() for line in ran.out.splitlines()]
    assert ["InferenceUnits", "1-2"] in [line.split() for line in ran.out.splitlines()]
    assert [line.split("  (")[0] for line in ran.err.splitlines()] == ["v1 STARTING", "v1 RUNNING"]


def test_a_model_that_fails_to_start_is_an_error(api: Api) -> None:
    api.rekognition.add_response("describe_project_versions", {"ProjectVersionDescriptions": [TRAINED]})
    api.rekognition.add_response("start_project_version", {"Status": "STARTING"})
    failed = version("FAILED", StatusMessage="The model files are missing.")
    api.rekognition.add_response("describe_project_versions", {"ProjectVersionDescriptions": [failed]})
    ran = api.run("models", "start", "--project-arn", PROJECT, "--version-name", "v1", *WAIT)
    assert (ran.code, ran.err.splitlines()[-1]) == (1, f"FAILED: The model files are missing. ({MODEL})")


def test_stop_and_delete_print_the_status_or_wait_for_it(api: Api) -> None:
    api.rekognition.add_response("stop_project_version", {"Status": "STOPPING"}, {"ProjectVersionArn": MODEL})
    assert api.run("models", "stop", "--version-arn", MODEL).out == "STOPPING\n"
    api.rekognition.add_response("describe_project_versions", {"ProjectVersionDescriptions": [TRAINED]})
    api.rekognition.add_response(
        "delete_project_version", {"Status": "DELETING"}, {"ProjectVersionArn": MODEL}
    )
    api.rekognition.add_response("describe_project_versions", {"ProjectVersionDescriptions": []})
    ran = api.run("--json", "models", "delete", "--project-arn", PROJECT, "--version-name", "v1", *WAIT)
    assert json.loads(ran.out) == {"ProjectVersionArn": MODEL, "Status": "DELETED"}


def test_copy_waits_for_the_copy_in_the_destination_project(api: Api) -> None:
    destination = PROJECT.replace("shapes", "shapes-prod")
    copied = MODEL.replace("project/shapes/version/v1", "project/shapes-prod/version/v1-copy")
    api.rekognition.add_response(
        "copy_project_version",
        {"ProjectVersionArn": copied},
        {
            "SourceProjectArn": PROJECT,
            "SourceProjectVersionArn": MODEL,
            "DestinationProjectArn": destination,
            "VersionName": "v1-copy",
            "OutputConfig": {"S3Bucket": "bucket", "S3KeyPrefix": "copies/"},
        },
    )
    done = version("COPYING_COMPLETED", ProjectVersionArn=copied, SourceProjectVersionArn=MODEL)
    api.rekognition.add_response(
        "describe_project_versions",
        {"ProjectVersionDescriptions": [done]},
        {"ProjectArn": destination, "VersionNames": ["v1-copy"]},
    )
    argv = [
        "--source-project-arn",
        PROJECT,
        "--source-version-arn",
        MODEL,
        "--destination-project-arn",
        destination,
    ]
    ran = api.run(
        "models",
        "copy",
        *argv,
        "--version-name",
        "v1-copy",
        "--output-bucket",
        "bucket",
        "--output-prefix",
        "copies/",
        *WAIT,
    )
    assert ran.code == 0, ran.err
    assert ["CopiedFrom", MODEL] in [line.split() for line in ran.out.splitlines()]


def test_a_model_is_named_by_its_arn_or_by_project_and_name(api: Api) -> None:
    ran = api.run("models", "describe", "--project-arn", PROJECT)
    assert (
        ran.err == "MissingArgument: name the model with --version-arn, or --project-arn and --version-name\n"
    )
    ran = api.run("models", "stop", "--version-arn", PROJECT)
    assert ran.code == 1 and ran.err.startswith("InvalidArn: expected a model ARN")
    api.rekognition.add_response("describe_project_versions", {"ProjectVersionDescriptions": []})
    ran = api.run("models", "describe", "--project-arn", PROJECT, "--version-name", "v9")
    assert ran.err == f"ResourceNotFoundException: the project {PROJECT} has no model named v9\n"
    api.rekognition.add_client_error(
        "describe_projects", "AccessDeniedException", "not allowed", http_status_code=403
    )
    ran = api.run("models", "stop", "--version-arn", MODEL, "--wait")
    assert (ran.code, ran.err) == (1, "AccessDeniedException: not allowed\n")


def test_evaluate_prints_overall_and_per_label_metrics_and_the_confusion_matrix(api: Api) -> None:
    api.rekognition.add_response("describe_project_versions", {"ProjectVersionDescriptions": [TRAINED]})
    api.s3.add_response("get_object", {"Body": body(SUMMARY)}, {"Bucket": "bucket", "Key": SUMMARY_KEY})
    ran = api.run("models", "evaluate", "--project-arn", PROJECT, "--version-name", "v1", "--confusion")
    assert ran.code == 0, ran.err
    overall, labels, confusion = ran.out.rstrip("\n").split("\n\n")
    assert overall.splitlines() == [
        f"Model           {MODEL}",
        f"Summary         s3://bucket/{SUMMARY_KEY}",
        "F1              0.917",
        "Precision       0.900",
        "Recall          0.875",
        "TrainingImages  32",
        "TestingImages   8",
        "Evaluated       2026-11-26T09:32:00.000000",
    ]
    assert labels.splitlines() == [
        "LABEL   PRECISION  RECALL  F1     ASSUMED THRESHOLD  TEST IMAGES",
        "square  1.000      1.000   1.000  0.512              4",
        "circle  1.000      0.750   0.857  0.400              4",
        "stripe  -          -       -      -                  0",
    ]
    assert confusion.splitlines() == [
        "PREDICTED \\ TRUE  circle  square",
        "circle            75%     0%",
        "square            25%     100%",
    ]


def test_evaluate_explains_what_is_missing(api: Api) -> None:
    api.rekognition.add_response(
        "describe_project_versions", {"ProjectVersionDescriptions": [version("TRAINING_IN_PROGRESS")]}
    )
    ran = api.run("models", "evaluate", "--project-arn", PROJECT, "--version-name", "v1")
    assert ran.err.startswith(
        f"NoEvaluation: the model {MODEL} is TRAINING_IN_PROGRESS and has no evaluation"
    )
    detection = {**SUMMARY, "AggregatedEvaluationResults": {"F1Score": 0.5, "AveragePrecision": 0.4}}
    api.rekognition.add_response("describe_project_versions", {"ProjectVersionDescriptions": [TRAINED]})
    api.s3.add_response("get_object", {"Body": body(detection)})
    api.s3.add_client_error(
        "get_object", "NoSuchKey", "The specified key does not exist.", http_status_code=404
    )
    ran = api.run("models", "evaluate", "--version-arn", MODEL, "--project-arn", PROJECT, "--confusion")
    assert ran.err == f"NoConfusionMatrix: {evaluation.NO_CONFUSION}\n"


def test_a_detection_models_confusion_matrix_comes_from_the_training_files() -> None:
    matrix = ConfusionMatrix(
        ["red", "blue", "background"],
        ["red", "blue", "background"],
        np.array([[3, 0, 1], [0, 2, 0], [1, 0, 0]]),
    )
    assert evaluation.confusion_table(evaluation.file_confusion(matrix.to_json())).splitlines() == [
        "PREDICTED \\ TRUE  red  blue  background",
        "red               75%  0%    100%",
        "blue              0%   100%  0%",
        "background        25%  0%    0%",
    ]
    detection = {
        "AggregatedEvaluationResults": {
            "F1Score": 0.5,
            "Precision": 0.6,
            "Recall": 0.4,
            "AveragePrecision": 0.45,
            "AverageRecall": 0.55,
        }
    }
    assert list(evaluation.overall_fields(detection).items())[3:5] == [
        ("AveragePrecision", "0.450"),
        ("AverageRecall", "0.550"),
    ]
    wrapped = {"AggregatedEvaluationResults": {"Metrics": {"F1Score": 0.25}}}  # the reference schema's form
    assert evaluation.overall_fields(wrapped)["F1"] == "0.250"


class FakeS3:
    """Listing and downloads of an in-memory bucket."""

    def __init__(self, objects: dict[str, bytes]) -> None:
        self.objects = objects

    def get_paginator(self, _: str) -> FakeS3:
        return self

    def paginate(self, Bucket: str, Prefix: str) -> list[dict[str, Any]]:  # noqa: N803 (boto3's names)
        return [{"Contents": [{"Key": key} for key in sorted(self.objects) if key.startswith(Prefix)]}]

    def download_file(self, bucket: str, key: str, path: str) -> None:
        Path(path).write_bytes(self.objects[key])


def test_plots_come_from_the_models_artifacts_or_its_source_models(tmp_path: Path) -> None:
    copied = MODEL.replace("/v1/1700000000500", "/v1-copy/1700000009999")
    prefixes = evaluation.artifact_prefixes({"ProjectVersionArn": copied, "SourceProjectVersionArn": MODEL})
    assert prefixes == [
        "artifacts/shapes/v1-copy/1700000009999/evaluation/",
        "artifacts/shapes/v1/1700000000500/evaluation/",
    ]
    source = prefixes[1]
    s3 = FakeS3(
        {
            source + "confusion_matrix.png": b"png",
            source + "confusion_matrix.json": b"{}",
            source + "plots/pr-000-circle.png": b"png",
            source + "testing_manifest_snapshot.manifest": b"",
        }
    )
    files = evaluation.download_plots(s3, "bucket", prefixes, tmp_path / "plots")
    assert [path.relative_to(tmp_path / "plots").as_posix() for path in files] == [
        "confusion_matrix.json",
        "confusion_matrix.png",
        "plots/pr-000-circle.png",
    ]
    with pytest.raises(
        CliError, match="no plots or confusion matrix under s3://bucket/artifacts/shapes/v1-copy/"
    ) as caught:
        evaluation.download_plots(FakeS3({}), "bucket", prefixes, tmp_path)
    assert caught.value.name == "NoEvaluationFiles"


def test_the_evaluation_file_names_are_the_training_jobs() -> None:
    report = pytest.importorskip("customlabels.evaluation.report")  # needs the training extras
    assert (evaluation.CONFUSION_JSON, evaluation.CONFUSION_PNG) == (
        report.CONFUSION_JSON,
        report.CONFUSION_PNG,
    )
    assert evaluation.PLOTS_DIR == report.PLOTS_DIR + "/"


def test_model_fields_show_inference_units_and_where_files_are() -> None:
    running = version(
        "RUNNING",
        MinInferenceUnits=1,
        ManifestSummary={"S3Object": {"Bucket": "bucket", "Name": "output/shapes/v1/manifest_summary.json"}},
    )
    fields = model_fields(running)
    assert (fields["InferenceUnits"], fields["ManifestSummary"]) == (
        "1",
        "s3://bucket/output/shapes/v1/manifest_summary.json",
    )


def test_an_arn_of_a_model_since_created_again_is_not_found(api: Api) -> None:
    newer = version("TRAINING_COMPLETED", ProjectVersionArn=MODEL.replace("1700000000500", "1700000009999"))
    api.rekognition.add_response("describe_project_versions", {"ProjectVersionDescriptions": [newer]})
    ran = api.run("models", "describe", "--version-arn", MODEL, "--project-arn", PROJECT)
    assert ran.err == (
        f"ResourceNotFoundException: the model {MODEL} no longer exists; "
        f"v1 is now {newer['ProjectVersionArn']}\n"
    )
