"""The copy pipeline's steps on a real S3: what a copy holds (the model files and training results,
not the training data), where its results go, what its record shows, and its failures."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from customlabels import settings
from customlabels.resources.records import ProjectVersion
from customlabels.resources.repository import Repository
from customlabels.resources.status import SERVICE_ISSUE
from customlabels.resources.status import ProjectVersionStatus as V
from customlabels.versions.copying import OUTPUT_NOT_WRITABLE, CopyClientError, ModelCopier
from customlabels.versions.failures import VersionSuperseded
from tests.platform.support import ClientFactory

from .conftest import ACCOUNT, REGION, Bucket

TRAINED_AT = 1_700_000_000_000
SOURCE_FILES = {
    "model.onnx": b"onnx bytes",
    "model.json": b'{"format_version": 1}',
    "evaluation/confusion_matrix.png": b"png",
    "job/outcome.json": b"{}",
    "input/training.manifest": b'{"source-ref": "s3://b/a.png"}',
}


@pytest.fixture
def copier(s3: Any, bucket: Bucket) -> ModelCopier:
    return ModelCopier.from_settings(dataclasses.replace(settings.load(), data_bucket=bucket.name), s3=s3)


def put(bucket: Bucket, key: str, body: bytes) -> dict[str, str]:
    bucket.admin.put_object(Bucket=bucket.name, Key=key, Body=body)
    return {"Bucket": bucket.name, "Name": key}


def manifest(location: dict[str, str]) -> dict[str, Any]:
    return {"Assets": [{"GroundTruthManifest": {"S3Object": location}}]}


def trained_source(repository: Repository, bucket: Bucket) -> ProjectVersion:
    """A trained model with its files and the training results a training writes."""
    prefix = f"artifacts/shapes/v1/{TRAINED_AT}/"
    for name, body in SOURCE_FILES.items():
        put(bucket, prefix + name, body)
    summary = {"Version": 1, "EvaluationDetails": {"ProjectVersionArn": "source-arn", "Labels": ["a", "b"]}}
    folder = "out/shapes/v1/"
    source = ProjectVersion(
        REGION,
        ACCOUNT,
        "shapes",
        "v1",
        TRAINED_AT,
        V.STOPPED,
        "The model has stopped running.",
        output_config={"S3Bucket": bucket.name, "S3KeyPrefix": "out"},
        training_data_result={
            "Input": manifest({"Bucket": "images", "Name": "train.manifest"}),
            "Output": manifest(put(bucket, f"{folder}training_manifest_snapshot.manifest", b"train")),
            "Validation": manifest(put(bucket, f"{folder}training_manifest_with_validation.json", b"tv")),
        },
        testing_data_result={
            "Input": {"AutoCreate": True},
            "Output": {
                **manifest(put(bucket, f"{folder}testing_manifest_snapshot.manifest", b"test")),
                "AutoCreate": True,
            },
            "Validation": manifest(put(bucket, f"{folder}testing_manifest_with_validation.json", b"sv")),
        },
        manifest_summary={"S3Object": put(bucket, f"{folder}manifest_summary.json", b"{}")},
        evaluation_result={
            "F1Score": 0.93,
            "Summary": {
                "S3Object": put(
                    bucket, "out/EvaluationResultSummary-shapes-v1.json", json.dumps(summary).encode()
                )
            },
        },
        training_end_ms=TRAINED_AT + 60_000,
        billable_training_time_in_seconds=60,
        artifacts_prefix=prefix,
    )
    repository.create_version(source)
    return source


def copy_of(
    repository: Repository,
    source: ProjectVersion,
    output: dict[str, str] | None,
    name: str = "v1-copy",
    kms_key_id: str | None = None,
) -> ProjectVersion:
    """The record CopyProjectVersion writes before it starts the pipeline."""
    created = TRAINED_AT + 120_000
    copy = ProjectVersion(
        REGION,
        ACCOUNT,
        "production",
        name,
        created,
        V.COPYING_IN_PROGRESS,
        "The model is being copied.",
        output_config=output,
        kms_key_id=kms_key_id,
        source_project_version_arn=source.arn,
        artifacts_prefix=f"artifacts/production/{name}/{created}/",
    )
    repository.create_version(copy)
    return copy


def stored(repository: Repository, version: ProjectVersion) -> ProjectVersion:
    found = repository.get_version_at(version.project_name, version.name, version.created_ms)
    assert found is not None
    return found


def test_a_copy_holds_the_model_files_and_the_training_results_but_not_the_training_data(
    copier: ModelCopier, repository: Repository, bucket: Bucket
) -> None:
    source = trained_source(repository, bucket)
    copy = copy_of(repository, source, {"S3Bucket": bucket.name, "S3KeyPrefix": "copied"})
    assert copier.copy_model({"ProjectVersionArn": copy.arn}) == {"Status": V.COPYING_COMPLETED, "Copied": 4}

    copied_files = {
        key.removeprefix(str(copy.artifacts_prefix)): bucket.admin.get_object(Bucket=bucket.name, Key=key)[
            "Body"
        ].read()
        for key in bucket.object_keys(str(copy.artifacts_prefix))
    }
    assert copied_files == {
        name: body for name, body in SOURCE_FILES.items() if not name.startswith("input/")
    }

    recorded = stored(repository, copy)
    assert (recorded.status, recorded.status_message) == (V.COPYING_COMPLETED, "The model is ready to run.")
    assert (recorded.training_end_ms, recorded.billable_training_time_in_seconds) == (
        source.training_end_ms,
        0,
    )
    folder = "copied/production/v1-copy/"
    summary_key = "copied/EvaluationResultSummary-production-v1-copy.json"
    assert recorded.evaluation_result == {
        "F1Score": 0.93,
        "Summary": {"S3Object": {"Bucket": bucket.name, "Name": summary_key}},
    }
    summary = json.loads(bucket.admin.get_object(Bucket=bucket.name, Key=summary_key)["Body"].read())
    assert summary["EvaluationDetails"] == {"ProjectVersionArn": copy.arn, "Labels": ["a", "b"]}
    assert recorded.manifest_summary == {
        "S3Object": {"Bucket": bucket.name, "Name": f"{folder}manifest_summary.json"}
    }
    assert recorded.training_data_result == {
        "Input": manifest({"Bucket": "images", "Name": "train.manifest"}),
        "Output": manifest({"Bucket": bucket.name, "Name": f"{folder}training_manifest_snapshot.manifest"}),
        "Validation": manifest(
            {"Bucket": bucket.name, "Name": f"{folder}training_manifest_with_validation.json"}
        ),
    }
    assert recorded.testing_data_result == {
        "Input": {"AutoCreate": True},
        "Output": {
            **manifest({"Bucket": bucket.name, "Name": f"{folder}testing_manifest_snapshot.manifest"}),
            "AutoCreate": True,
        },
        "Validation": manifest(
            {"Bucket": bucket.name, "Name": f"{folder}testing_manifest_with_validation.json"}
        ),
    }
    body = bucket.admin.get_object(Bucket=bucket.name, Key=f"{folder}training_manifest_snapshot.manifest")
    assert body["Body"].read() == b"train"
    # a retried step finds the copy done
    assert copier.copy_model({"ProjectVersionArn": copy.arn}) == {"Status": V.COPYING_COMPLETED, "Copied": 0}


def test_a_copy_with_a_kms_key_encrypts_what_it_writes_with_it(
    copier: ModelCopier, repository: Repository, bucket: Bucket, localstack_client: ClientFactory
) -> None:
    key_id = localstack_client("kms").create_key(Description="model copies")["KeyMetadata"]["KeyId"]
    source = trained_source(repository, bucket)
    output = {"S3Bucket": bucket.name, "S3KeyPrefix": "copied"}
    copy = copy_of(repository, source, output, kms_key_id=key_id)
    copier.copy_model({"ProjectVersionArn": copy.arn})
    written = bucket.object_keys(str(copy.artifacts_prefix)) + bucket.object_keys("copied/")
    assert len(written) == 4 + 6
    for key in written:
        head = bucket.admin.head_object(Bucket=bucket.name, Key=key)
        assert head["ServerSideEncryption"] == "aws:kms" and key_id in head["SSEKMSKeyId"], key


def test_a_copy_of_a_deleted_model_fails_with_the_reason(
    copier: ModelCopier, repository: Repository, bucket: Bucket
) -> None:
    source = trained_source(repository, bucket)
    copy = copy_of(repository, source, {"S3Bucket": bucket.name, "S3KeyPrefix": "copied"})
    repository.delete_version(source)
    with pytest.raises(CopyClientError, match="no longer exists") as raised:
        copier.copy_model({"ProjectVersionArn": copy.arn})
    cause = json.dumps({"errorMessage": str(raised.value), "errorType": "CopyClientError"})
    reply = copier.record_failure(
        {"ProjectVersionArn": copy.arn, "Failure": {"Error": "CopyClientError", "Cause": cause}}
    )
    assert reply == {"Recorded": True, "StatusMessage": f"The source model {source.arn} no longer exists."}
    failed = stored(repository, copy)
    assert (failed.status, failed.status_message) == (V.COPYING_FAILED, reply["StatusMessage"])
    assert failed.evaluation_result is None and failed.training_end_ms is not None


@pytest.mark.parametrize(
    "output", [{"S3Bucket": "no-such-bucket-for-customlabels"}, {"S3KeyPrefix": "out"}, "metadata"]
)
def test_an_output_location_that_cannot_be_written_fails_the_copy(
    copier: ModelCopier, repository: Repository, bucket: Bucket, output: Any
) -> None:
    if output == "metadata":
        output = {"S3Bucket": bucket.name, "S3KeyPrefix": "_meta/projects/"}  # never into our metadata
    copy = copy_of(repository, trained_source(repository, bucket), output)
    with pytest.raises(CopyClientError, match=rf"^{OUTPUT_NOT_WRITABLE}$"):
        copier.copy_model({"ProjectVersionArn": copy.arn})
    assert stored(repository, copy).status == V.COPYING_IN_PROGRESS  # RecordCopyFailure's to record


def test_anything_else_is_a_service_issue_and_a_finished_copy_is_not_failed_afterwards(
    copier: ModelCopier, repository: Repository, bucket: Bucket
) -> None:
    source = trained_source(repository, bucket)
    copy = copy_of(repository, source, {"S3Bucket": bucket.name, "S3KeyPrefix": "copied"})
    failure = {"Error": "Lambda.Unknown", "Cause": "The function timed out"}
    assert copier.record_failure({"ProjectVersionArn": copy.arn, "Failure": failure}) == {
        "Recorded": True,
        "StatusMessage": SERVICE_ISSUE,
    }
    assert stored(repository, copy).status == V.COPYING_FAILED
    with pytest.raises(VersionSuperseded):
        copier.copy_model({"ProjectVersionArn": copy.arn})

    done = copy_of(repository, source, {"S3Bucket": bucket.name, "S3KeyPrefix": "copied"}, "v2-copy")
    copier.copy_model({"ProjectVersionArn": done.arn})
    assert copier.record_failure({"ProjectVersionArn": done.arn, "Failure": failure})["Recorded"] is False
    assert stored(repository, done).status == V.COPYING_COMPLETED
