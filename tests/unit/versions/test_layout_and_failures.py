"""Where training files go, the S3 shapes that point at them, and how failures are classified."""

from __future__ import annotations

import json

import pytest

from customlabels.manifests import ManifestFileError
from customlabels.manifests.codes import ErrorCode
from customlabels.resources.status import SERVICE_ISSUE
from customlabels.versions.failures import Failure, TrainingClientError, classify, client_errors
from customlabels.versions.job_outcome import JobOutcome
from customlabels.versions.layout import TrainingFiles, asset, normalized_prefix


def files(prefix: str | None = "test-output", bucket: str = "echo-dot-scans") -> TrainingFiles:
    return TrainingFiles.of(
        data_bucket="data",
        artifacts="artifacts/my-echo-dots-project/v2/1574317227432/",
        output_config={"S3Bucket": bucket, "S3KeyPrefix": prefix}
        if prefix is not None
        else {"S3Bucket": bucket},
        project="my-echo-dots-project",
        version="v2",
    )


@pytest.mark.parametrize(
    ("prefix", "folder"), [("test-output", "test-output/"), ("a/b/", "a/b/"), ("", ""), (None, "")]
)
def test_the_output_prefix_is_a_folder(prefix: str | None, folder: str) -> None:
    assert normalized_prefix(prefix) == folder


def test_the_summary_file_sits_under_the_prefix_as_in_the_guides_example() -> None:
    # guide L7421: "test-output/EvaluationResultSummary-my-echo-dots-project-v2.json"
    assert (
        files().evaluation_summary_key == "test-output/EvaluationResultSummary-my-echo-dots-project-v2.json"
    )


def test_each_model_has_its_own_folder_for_validation_results_and_snapshots() -> None:
    layout = files()
    assert layout.validation_keys == {
        "manifest_summary.json": "test-output/my-echo-dots-project/v2/manifest_summary.json",
        "training_manifest_with_validation.json": (
            "test-output/my-echo-dots-project/v2/training_manifest_with_validation.json"
        ),
        "testing_manifest_with_validation.json": (
            "test-output/my-echo-dots-project/v2/testing_manifest_with_validation.json"
        ),
    }
    assert layout.manifest_summary_key == layout.validation_keys["manifest_summary.json"]
    assert layout.training_snapshot_key.endswith("/v2/training_manifest_snapshot.manifest")
    assert layout.testing_snapshot_key.endswith("/v2/testing_manifest_snapshot.manifest")
    assert (
        layout.staged_training_key
        == "artifacts/my-echo-dots-project/v2/1574317227432/input/training.manifest"
    )
    assert layout.outcome_key == "artifacts/my-echo-dots-project/v2/1574317227432/job/outcome.json"
    assert layout.artifact_key("model.onnx") == "artifacts/my-echo-dots-project/v2/1574317227432/model.onnx"


def test_output_inside_the_metadata_is_refused_and_a_missing_bucket_is_kept_empty() -> None:
    assert TrainingFiles.of(
        data_bucket="data",
        artifacts="a/",
        output_config={"S3Bucket": "data", "S3KeyPrefix": "_meta/x"},
        project="p",
        version="v",
    ).output_is_protected
    assert not files(prefix="_meta/x").output_is_protected  # another bucket
    assert (
        TrainingFiles.of(
            data_bucket="d", artifacts="a/", output_config=None, project="p", version="v"
        ).output_bucket
        == ""
    )


def test_assets_have_botocores_shape() -> None:
    assert asset("b", "k.manifest") == {
        "GroundTruthManifest": {"S3Object": {"Bucket": "b", "Name": "k.manifest"}}
    }


def test_the_callers_errors_keep_the_guides_message() -> None:
    cause = json.dumps(
        {
            "errorMessage": "ERROR_TOO_MANY_INVALID_ROWS_IN_MANIFEST: "
            "The manifest file contains too many invalid rows.",
            "errorType": "TrainingClientError",
        }
    )
    assert classify("TrainingClientError", cause) == Failure(
        "The manifest file contains too many invalid rows.", client_error=True
    )
    # file errors have no code (guide L5730)
    assert classify(
        "TrainingClientError", json.dumps({"errorMessage": "The manifest file is empty."})
    ).message == ("The manifest file is empty.")


@pytest.mark.parametrize(
    ("error", "cause"),
    [
        ("States.TaskFailed", '{"Status": "FAILED"}'),
        ("Sandbox.Timedout", None),
        ("TrainingClientError", ""),
        (None, None),
    ],
)
def test_everything_else_is_a_service_issue(error: str | None, cause: str | None) -> None:
    assert classify(error, cause) == Failure(SERVICE_ISSUE, client_error=False)


def test_manifest_errors_become_training_client_errors() -> None:
    with pytest.raises(TrainingClientError) as caught, client_errors():
        raise ManifestFileError(ErrorCode.ERROR_EMPTY_MANIFEST, context="no lines")
    assert (caught.value.message, caught.value.code) == (
        "The manifest file is empty.",
        "ERROR_EMPTY_MANIFEST",
    )
    assert str(caught.value) == "ERROR_EMPTY_MANIFEST: The manifest file is empty."


def test_a_job_outcome_round_trips() -> None:
    outcome = JobOutcome(
        "arn:aws:rekognition:us-east-1:123456789012:project/p/version/v/1",
        True,
        f1=0.9,
        evaluation_summary={"Bucket": "b", "Name": "k"},
        billable_seconds=42,
        details={"task": "single_label"},
    )
    assert JobOutcome.from_json(outcome.to_json()) == outcome
    assert outcome.to_event() == {
        "Succeeded": True,
        "F1Score": 0.9,
        "BillableTrainingTimeInSeconds": 42,
        "StatusMessage": None,
    }
