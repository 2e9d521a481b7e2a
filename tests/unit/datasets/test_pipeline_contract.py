"""The execution input the API sends and the steps read, and how failures are classified."""

from __future__ import annotations

import json
from typing import Any

import pytest

from customlabels.api.backends import StepFunctionsPipelines
from customlabels.api.errors import NotAvailableError
from customlabels.datasets.failures import DatasetClientError, Failure, classify, client_errors
from customlabels.datasets.pipeline_input import CREATE, DISTRIBUTE, UPDATE, PipelineInput, new_operation_id
from customlabels.manifests import ErrorCode, InvalidParameterError, ManifestFileError
from customlabels.resources.records import Dataset
from customlabels.resources.status import SERVICE_ISSUE, DatasetStatus, DatasetStatusMessageCode

TRAIN = "arn:aws:rekognition:us-east-1:123456789012:project/p/dataset/train/1700000000000"
TEST = TRAIN.replace("train", "test")


def test_inputs_round_trip_and_name_unique_executions() -> None:
    source = {"GroundTruthManifest": {"S3Object": {"Bucket": "b", "Name": "m.manifest", "Version": "v1"}}}
    created = PipelineInput(CREATE, TRAIN, None, dataset_source=source)
    assert created.to_event() == {
        "Operation": CREATE,
        "DatasetArn": TRAIN,
        "DatasetSource": source,
        "ManifestS3": {"Bucket": "b", "Name": "m.manifest", "Version": "v1"},
    }
    operation = new_operation_id(1_700_000_000_123)
    assert operation.startswith("1700000000123-") and operation != new_operation_id(1_700_000_000_123)
    updated = PipelineInput(UPDATE, TRAIN, operation, changes_key="_meta/datasets/x/changes/1.jsonl")
    distributed = PipelineInput(DISTRIBUTE, TRAIN, operation, test_dataset_arn=TEST)
    for request in (created, updated, distributed):
        event = {**json.loads(request.to_json()), "Entries": {"Revisions": []}}
        assert PipelineInput.from_event(event) == request
    assert distributed.dataset_arns == [TRAIN, TEST]
    assert created.revision_id == "created" and updated.revision_id == operation
    names = {request.execution_name() for request in (created, updated, distributed)}
    assert len(names) == 2  # an update and a distribution of the same operation id cannot both exist
    assert all(len(name) <= 80 for name in names)
    with pytest.raises(ValueError, match="Operation must be one of"):
        PipelineInput("TrainModel", TRAIN, None)


def test_the_guides_errors_become_client_errors_with_the_guides_message() -> None:
    with pytest.raises(DatasetClientError) as caught, client_errors():
        raise ManifestFileError(ErrorCode.ERROR_MANIFEST_SIZE_TOO_LARGE, context="2 GB")
    assert str(caught.value) == (
        "ERROR_MANIFEST_SIZE_TOO_LARGE: The manifest file size exceeds the maximum supported size."
    )
    cause = json.dumps({"errorType": "DatasetClientError", "errorMessage": str(caught.value)})
    assert classify("DatasetClientError", cause) == Failure(
        "The manifest file size exceeds the maximum supported size.", DatasetStatusMessageCode.CLIENT_ERROR
    )
    with pytest.raises(DatasetClientError) as caught, client_errors():
        raise InvalidParameterError("The test dataset must be empty")
    failure = classify("DatasetClientError", json.dumps({"errorMessage": str(caught.value)}))
    assert (failure.message, failure.code) == ("The test dataset must be empty", "CLIENT_ERROR")


@pytest.mark.parametrize(
    ("error", "cause"),
    [
        ("KeyError", json.dumps({"errorMessage": "'DatasetArn'"})),
        ("States.Timeout", "the task timed out"),
        ("Lambda.ServiceException", None),
        (None, None),
    ],
)
def test_anything_else_is_a_service_error(error: str | None, cause: str | None) -> None:
    failure = classify(error, cause)
    assert (failure.message, failure.code) == (SERVICE_ISSUE, DatasetStatusMessageCode.SERVICE_ERROR)


def test_step_functions_start_updates_and_distributions_under_their_operation() -> None:
    class FakeSfn:
        def __init__(self) -> None:
            self.started: list[dict[str, Any]] = []

        def start_execution(self, **kwargs: Any) -> dict[str, Any]:
            self.started.append(kwargs)
            return {}

    sfn = FakeSfn()
    pipelines = StepFunctionsPipelines(sfn, dataset_pipeline_arn="arn:ds", training_pipeline_arn=None)
    training = Dataset(
        "us-east-1", "123456789012", "p", "TRAIN", 1, DatasetStatus.UPDATE_IN_PROGRESS, "", None, 2
    )
    testing = Dataset(
        "us-east-1", "123456789012", "p", "TEST", 3, DatasetStatus.UPDATE_IN_PROGRESS, "", None, 4
    )
    with pytest.raises(ValueError, match="has no operation"):
        pipelines.start_dataset_update(training, "changes.jsonl")
    training.operation_id = testing.operation_id = "1700000000005-abcd0123"
    pipelines.start_dataset_update(training, "changes.jsonl")
    pipelines.start_dataset_distribution(training, testing)
    update, distribution = (json.loads(item["input"]) for item in sfn.started)
    assert update == {
        "Operation": UPDATE,
        "DatasetArn": training.arn,
        "OperationId": "1700000000005-abcd0123",
        "ChangesKey": "changes.jsonl",
    }
    assert distribution == {
        "Operation": DISTRIBUTE,
        "DatasetArn": training.arn,
        "OperationId": "1700000000005-abcd0123",
        "TestDatasetArn": testing.arn,
    }
    assert {item["stateMachineArn"] for item in sfn.started} == {"arn:ds"}
    assert sfn.started[0]["name"].endswith("1700000000005-abcd0123")
    without = StepFunctionsPipelines(sfn, dataset_pipeline_arn=None, training_pipeline_arn=None)
    with pytest.raises(NotAvailableError, match="UpdateDatasetEntries needs a state machine"):
        without.start_dataset_update(training, "changes.jsonl")
