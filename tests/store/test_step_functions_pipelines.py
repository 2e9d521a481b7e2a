"""The Step Functions pipelines start one execution per request on LocalStack's Step Functions,
named after the resource it works on, so that a retried start cannot run twice."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from customlabels.api.backends import StepFunctionsPipelines, execution_name
from customlabels.api.errors import NotAvailableError
from customlabels.resources.records import Dataset
from customlabels.resources.status import DatasetStatus
from tests.platform.support import ClientFactory

from .conftest import ACCOUNT, REGION

MODEL = f"arn:aws:rekognition:{REGION}:{ACCOUNT}:project/p/version/v/1700000000001"


def test_each_start_is_one_execution_named_after_its_resource(
    localstack_client: ClientFactory, pass_state_machine: Callable[[], str]
) -> None:
    stepfunctions = localstack_client("stepfunctions")
    datasets, copies = pass_state_machine(), pass_state_machine()
    pipelines = StepFunctionsPipelines(
        stepfunctions, dataset_pipeline_arn=datasets, training_pipeline_arn=None, copy_pipeline_arn=copies
    )
    source = {"GroundTruthManifest": {"S3Object": {"Bucket": "my-bucket", "Name": "train.manifest"}}}
    dataset = Dataset(
        REGION,
        ACCOUNT,
        "my.project",
        "TRAIN",
        1700000000000,
        DatasetStatus.CREATE_IN_PROGRESS,
        "",
        None,
        1700000000000,
        source=source,
    )
    pipelines.start_dataset_creation(dataset)
    pipelines.start_copy(MODEL)

    (created,) = stepfunctions.list_executions(stateMachineArn=datasets)["executions"]
    assert created["name"] == "project-my-project-dataset-train-1700000000000"
    assert json.loads(stepfunctions.describe_execution(executionArn=created["executionArn"])["input"]) == {
        "Operation": "CreateDataset",
        "DatasetArn": dataset.arn,
        "DatasetSource": source,
        "ManifestS3": {"Bucket": "my-bucket", "Name": "train.manifest"},
    }
    (copy,) = stepfunctions.list_executions(stateMachineArn=copies)["executions"]
    assert copy["name"] == execution_name(MODEL)
    assert json.loads(stepfunctions.describe_execution(executionArn=copy["executionArn"])["input"]) == {
        "Operation": "CopyProjectVersion",
        "ProjectVersionArn": MODEL,
    }
    with pytest.raises(stepfunctions.exceptions.ExecutionAlreadyExists):  # a retried start
        pipelines.start_copy(MODEL)
    with pytest.raises(NotAvailableError):
        pipelines.start_training(MODEL)


def test_execution_names_fit_step_functions_limit() -> None:
    assert len(execution_name("arn:a:b:c:d:" + "x" * 300)) == 80
