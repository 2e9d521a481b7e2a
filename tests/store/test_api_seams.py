"""The seams to the pipelines, the dataset entry store and model hosting, with recording fakes;
the metadata is on S3."""

from __future__ import annotations

from typing import Any

from customlabels.api.errors import NotAvailableError
from customlabels.resources.records import ProjectVersion
from customlabels.resources.repository import Repository
from customlabels.resources.status import DatasetStatus, ProjectVersionStatus

from .conftest import ACCOUNT, REGION, Call, Recorder


def status_of(call: Call, project_arn: str, version: str) -> str:
    _, body = call("DescribeProjectVersions", ProjectArn=project_arn, VersionNames=[version])
    return str(body["ProjectVersionDescriptions"][0]["Status"])


def with_ready_datasets(call: Call, repository: Repository, project_arn: str) -> dict[str, str]:
    arns = {}
    for kind in ("TRAIN", "TEST"):
        status, body = call("CreateDataset", ProjectArn=project_arn, DatasetType=kind)
        assert status == 200, body
        arns[kind] = body["DatasetArn"]
    project = repository.get_project(project_arn.split("/")[1])
    assert project is not None

    def complete(current: Any) -> None:
        for dataset in current.datasets.values():
            dataset.status = DatasetStatus.CREATE_COMPLETE

    repository.update_project(project, complete)
    return arns


def test_without_back_ends_the_operations_say_so_and_leave_nothing(
    call: Call, repository: Repository
) -> None:
    _, created = call("CreateProject", ProjectName="p")
    status, body = call(
        "CreateProjectVersion",
        ProjectArn=created["ProjectArn"],
        VersionName="v",
        OutputConfig={"S3Bucket": "bucket"},
        TrainingData={
            "Assets": [{"GroundTruthManifest": {"S3Object": {"Bucket": "bucket", "Name": "t.manifest"}}}]
        },
        TestingData={"AutoCreate": True},
    )
    assert (status, body["__type"]) == (501, "NotImplemented")
    assert "CreateProjectVersion needs the dataset and training pipelines" in body["message"]
    assert repository.all_versions("p") == []


def test_create_project_version_records_then_starts_training(
    wired: Call, recorder: Recorder, repository: Repository
) -> None:
    _, created = wired("CreateProject", ProjectName="p")
    with_ready_datasets(wired, repository, created["ProjectArn"])
    status, body = wired(
        "CreateProjectVersion",
        ProjectArn=created["ProjectArn"],
        VersionName="v1",
        OutputConfig={"S3Bucket": "bucket", "S3KeyPrefix": "out/"},
        Tags={"team": "a"},
    )
    assert status == 200, body
    assert recorder.calls[-1] == ("start_training", body["ProjectVersionArn"])
    assert status_of(wired, created["ProjectArn"], "v1") == "TRAINING_IN_PROGRESS"
    status, again = wired(
        "CreateProjectVersion", ProjectArn=created["ProjectArn"], VersionName="v1", OutputConfig={}
    )
    assert again["__type"] == "ResourceInUseException"


def test_a_pipeline_that_fails_to_start_leaves_no_model(
    wired: Call, recorder: Recorder, repository: Repository
) -> None:
    _, created = wired("CreateProject", ProjectName="p")
    with_ready_datasets(wired, repository, created["ProjectArn"])
    recorder.fail = NotAvailableError(
        "CreateProjectVersion needs a state machine this deployment does not have"
    )
    status, body = wired(
        "CreateProjectVersion", ProjectArn=created["ProjectArn"], VersionName="v1", OutputConfig={}
    )
    assert (status, body["__type"]) == (501, "NotImplemented")
    assert repository.all_versions("p") == []
    recorder.fail = RuntimeError("boom")
    status, body = wired(
        "CreateProjectVersion", ProjectArn=created["ProjectArn"], VersionName="v1", OutputConfig={}
    )
    assert (status, body) == (
        500,
        {
            "__type": "InternalServerError",
            "message": "Amazon Rekognition experienced a service issue. Try your call again.",
        },
    )


def test_training_input_rules(wired: Call, repository: Repository) -> None:
    _, created = wired("CreateProject", ProjectName="p")
    arn = created["ProjectArn"]
    _, body = wired("CreateProjectVersion", ProjectArn=arn, VersionName="v", OutputConfig={})
    assert body["__type"] == "InvalidParameterException" and "no training dataset" in body["message"]
    wired("CreateDataset", ProjectArn=arn, DatasetType="TRAIN")
    _, body = wired("CreateProjectVersion", ProjectArn=arn, VersionName="v", OutputConfig={})
    assert body["__type"] == "ResourceInUseException" and "CREATE_IN_PROGRESS" in body["message"]


def test_start_stop_and_detect_go_through_hosting(
    wired: Call, recorder: Recorder, repository: Repository
) -> None:
    _, created = wired("CreateProject", ProjectName="p")
    version = ProjectVersion(REGION, ACCOUNT, "p", "v", 5, ProjectVersionStatus.TRAINING_COMPLETED, "")
    repository.create_version(version)
    _, body = wired("DetectCustomLabels", ProjectVersionArn=version.arn, Image={"Bytes": "aGk="})
    assert body["__type"] == "ResourceNotReadyException"
    _, body = wired(
        "StartProjectVersion", ProjectVersionArn=version.arn, MinInferenceUnits=2, MaxInferenceUnits=1
    )
    assert body["__type"] == "InvalidParameterException"
    assert wired(
        "StartProjectVersion", ProjectVersionArn=version.arn, MinInferenceUnits=1, MaxInferenceUnits=3
    ) == (200, {"Status": "STARTING"})
    assert recorder.calls[-1] == ("start", (1, 3))
    _, body = wired("StartProjectVersion", ProjectVersionArn=version.arn, MinInferenceUnits=1)
    assert body["__type"] == "ResourceInUseException"
    repository.update_version(
        version, lambda current: setattr(current, "status", ProjectVersionStatus.RUNNING)
    )
    assert wired(
        "DetectCustomLabels", ProjectVersionArn=version.arn, Image={"Bytes": "aGk="}, MinConfidence=50
    ) == (200, {"CustomLabels": [{"Name": "cat", "Confidence": 99.5}]})
    assert recorder.calls[-1] == ("detect", ({"Bytes": b"hi"}, 50, None))
    assert wired("StopProjectVersion", ProjectVersionArn=version.arn) == (200, {"Status": "STOPPING"})
    _, body = wired("DeleteProjectVersion", ProjectVersionArn=version.arn)
    assert body["__type"] == "ResourceInUseException" and "wait until it has stopped" in body["message"]


def test_a_failing_start_marks_the_model_failed(
    wired: Call, recorder: Recorder, repository: Repository
) -> None:
    _, created = wired("CreateProject", ProjectName="p")
    repository.create_version(ProjectVersion(REGION, ACCOUNT, "p", "v", 5, ProjectVersionStatus.STOPPED, ""))
    recorder.fail = RuntimeError("no capacity")
    arn = ProjectVersion(REGION, ACCOUNT, "p", "v", 5, ProjectVersionStatus.STOPPED, "").arn
    status, _ = wired("StartProjectVersion", ProjectVersionArn=arn, MinInferenceUnits=1)
    assert status == 500
    assert status_of(wired, created["ProjectArn"], "v") == "FAILED"


def test_dataset_operations_move_statuses_and_paginate(
    wired: Call, recorder: Recorder, repository: Repository
) -> None:
    _, created = wired("CreateProject", ProjectName="p")
    arns = with_ready_datasets(wired, repository, created["ProjectArn"])
    assert wired("UpdateDatasetEntries", DatasetArn=arns["TRAIN"], Changes={"GroundTruth": "e30="}) == (
        200,
        {},
    )
    assert recorder.calls[-1] == ("update", b"{}")
    _, body = wired("DescribeDataset", DatasetArn=arns["TRAIN"])
    assert body["DatasetDescription"]["Status"] == "UPDATE_IN_PROGRESS"
    _, body = wired("UpdateDatasetEntries", DatasetArn=arns["TRAIN"], Changes={"GroundTruth": "e30="})
    assert body["__type"] == "ResourceInUseException"
    _, body = wired("ListDatasetEntries", DatasetArn=arns["TEST"], HasErrors=False, MaxResults=1)
    assert body["DatasetEntries"] == ['{"source-ref": "s3://b/a.png"}'] and "NextToken" in body
    _, body = wired(
        "ListDatasetEntries", DatasetArn=arns["TEST"], HasErrors=False, NextToken=body["NextToken"]
    )
    assert recorder.calls[-1] == ("list_entries", ({"HasErrors": False}, {"line": 1}, 100))
    _, body = wired("ListDatasetEntries", DatasetArn=arns["TEST"], HasErrors=True, NextToken="v1.e30.AAAA")
    assert body["__type"] == "InvalidPaginationTokenException"
    _, body = wired("DistributeDatasetEntries", Datasets=[{"Arn": arns["TRAIN"]}, {"Arn": arns["TEST"]}])
    assert body["__type"] == "ResourceNotReadyException"
    assert wired("DeleteDataset", DatasetArn=arns["TEST"]) == (200, {})
    _, body = wired("DescribeDataset", DatasetArn=arns["TEST"])
    assert body["__type"] == "ResourceNotFoundException"


def test_an_interrupted_deletion_is_finished_by_the_next_call(call: Call, repository: Repository) -> None:
    _, created = call("CreateProject", ProjectName="p")
    version = ProjectVersion(REGION, ACCOUNT, "p", "v", 5, ProjectVersionStatus.DELETING, "")
    repository.create_version(version)  # as left by a deletion that stopped half way
    assert call("DeleteProjectVersion", ProjectVersionArn=version.arn) == (200, {"Status": "DELETING"})
    assert repository.get_version("p", "v") is None
    assert call("DeleteProject", ProjectArn=created["ProjectArn"]) == (200, {"Status": "DELETING"})
    assert repository.get_project("p") is None
