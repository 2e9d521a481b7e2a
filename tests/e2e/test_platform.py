"""The platform on LocalStack: the stack's S3 → SQS → Lambda path and its state machine's failure
path (the dataset operations themselves are tested through the API in ``test_datasets.py``)."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image

from tests.platform.support import wait_for

pytestmark = pytest.mark.e2e


def png_bytes(size: tuple[int, int] = (96, 80)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def run_execution(sfn: Any, state_machine_arn: str, payload: dict[str, Any]) -> dict[str, Any]:
    execution_arn = sfn.start_execution(stateMachineArn=state_machine_arn, input=json.dumps(payload))[
        "executionArn"
    ]

    def finished() -> dict[str, Any] | None:
        described = sfn.describe_execution(executionArn=execution_arn)
        return None if described["status"] == "RUNNING" else described

    result: dict[str, Any] = wait_for(finished, timeout=60)
    return result


def test_an_upload_under_the_batch_prefix_produces_a_result_object(
    deployment: dict[str, str], localstack_client: Callable[[str], Any]
) -> None:
    s3 = localstack_client("s3")
    bucket = deployment["DataBucketName"]
    name = f"upload-{uuid.uuid4().hex[:8]}.png"
    key = f"{deployment['BatchInputPrefix']}shapes/v1/{name}"
    s3.put_object(Bucket=bucket, Key=key, Body=png_bytes(), ContentType="image/png")

    result_key = f"{deployment['BatchOutputPrefix']}shapes/v1/{name}.json"

    def result_written() -> dict[str, Any] | None:
        try:
            body = s3.get_object(Bucket=bucket, Key=result_key)["Body"].read()
        except s3.exceptions.NoSuchKey:
            return None
        document: dict[str, Any] = json.loads(body)
        return document

    result = wait_for(result_written, timeout=90)
    assert result["source-ref"] == f"s3://{bucket}/{key}"
    assert (result["Project"], result["Version"]) == ("shapes", "v1")
    # There is no such model, so the result records the service's error rather than being lost.
    assert result["Error"]["Code"] == "ResourceNotFoundException"
    sqs = localstack_client("sqs")
    dead = sqs.get_queue_attributes(
        QueueUrl=deployment["BatchDeadLetterQueueUrl"], AttributeNames=["ApproximateNumberOfMessages"]
    )
    assert dead["Attributes"]["ApproximateNumberOfMessages"] == "0"


def test_a_failing_step_fails_the_execution_with_the_handlers_error(
    deployment: dict[str, str], localstack_client: Callable[[str], Any]
) -> None:
    # A dataset that does not exist: ImportEntries raises, RecordFailure finds nothing to fail.
    arn = (
        f"arn:aws:rekognition:{deployment['Region']}:000000000000:project/nothing/dataset/train/1700000000000"
    )
    execution = run_execution(
        localstack_client("stepfunctions"),
        deployment["DatasetPipelineArn"],
        {"Operation": "CreateDataset", "DatasetArn": arn, "DatasetSource": {}},
    )

    assert execution["status"] == "FAILED", execution
    assert execution["error"] == "DatasetSuperseded"
    cause = json.loads(execution["cause"])
    assert cause["errorType"] == "DatasetSuperseded"
    assert cause["errorMessage"] == f"The dataset {arn} does not exist"
    assert cause["stackTrace"]


def test_an_unknown_operation_fails_without_running_a_step(
    deployment: dict[str, str], localstack_client: Callable[[str], Any]
) -> None:
    execution = run_execution(
        localstack_client("stepfunctions"), deployment["DatasetPipelineArn"], {"Operation": "TrainModel"}
    )

    assert (execution["status"], execution["error"]) == ("FAILED", "UnknownOperation")
