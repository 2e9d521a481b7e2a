"""The Step Functions pipelines name their executions after the resource they work on."""

from __future__ import annotations

import json
from typing import Any

import pytest

from customlabels.api.backends import StepFunctionsPipelines, execution_name
from customlabels.api.errors import NotAvailableError
from customlabels.resources.records import Dataset
from customlabels.resources.status import DatasetStatus

REGION = "us-east-1"
ACCOUNT = "123456789012"


def test_step_functions_pipelines_start_named_executions() -> None:
    class FakeSfn:
        def __init__(self) -> None:
            self.started: list[dict[str, Any]] = []

        def start_execution(self, **kwargs: Any) -> dict[str, Any]:
            self.started.append(kwargs)
            return {}

    sfn = FakeSfn()
    pipelines = StepFunctionsPipelines(sfn, dataset_pipeline_arn="arn:ds", training_pipeline_arn=None)
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
    assert sfn.started == [
        {
            "stateMachineArn": "arn:ds",
            "name": "project-my-project-dataset-train-1700000000000",
            "input": json.dumps(
                {
                    "Operation": "CreateDataset",
                    "DatasetArn": dataset.arn,
                    "DatasetSource": source,
                    "ManifestS3": {"Bucket": "my-bucket", "Name": "train.manifest"},
                }
            ),
        }
    ]
    with pytest.raises(NotAvailableError):
        pipelines.start_training("arn:aws:rekognition:us-east-1:123456789012:project/p/version/v/1")
    assert len(execution_name("arn:a:b:c:d:" + "x" * 300)) == 80
