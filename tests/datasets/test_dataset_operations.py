"""Dataset operations end to end, in process: the API, the entry store and the pipeline's steps
over LocalStack's S3."""

from __future__ import annotations

import json
from typing import Any

import pytest

from customlabels.resources.records import ProjectVersion
from customlabels.resources.status import ProjectVersionStatus
from tests.unit.manifests.builders import box, classification, detection, dumps

from .conftest import ACCOUNT, REGION, S3Call, World, ground_truth

MANIFEST_KEY = "manifests/train.manifest"


def image(name: str) -> str:
    # never read: the dataset pipeline checks the manifest, not the images it names
    return f"s3://shapes-images/images/{name}"


def mixed_manifest() -> list[str]:
    """8 good lines, 2 with non-terminal errors, 1 dropped (not JSON): 1/11 dropped is under 20 %."""
    good = [dumps(classification(image(f"cat{i}.png"), "cat")) for i in range(4)]
    good += [dumps(classification(image(f"dog{i}.png"), "dog")) for i in range(3)]
    good.append(dumps({"source-ref": image("unlabeled.png")}))
    broken_box = dumps(detection(image("box.png"), [box(0, 600, 400, 100, 100)], class_map={"0": "cat"}))
    bad_confidence = classification(image("bad-confidence.png"), "dog")
    bad_confidence["sport0-metadata"]["confidence"] = 7
    return [*good, broken_box, dumps(bad_confidence), "{not json"]


def create(world: World, project_arn: str, kind: str = "TRAIN", **source: Any) -> str:
    arn: str = world.ok("CreateDataset", ProjectArn=project_arn, DatasetType=kind, **source)["DatasetArn"]
    return arn


@pytest.fixture
def project_arn(world: World) -> str:
    arn: str = world.ok("CreateProject", ProjectName="shapes")["ProjectArn"]
    return arn


@pytest.fixture
def train_arn(world: World, project_arn: str) -> str:
    world.put(MANIFEST_KEY, "\n".join(mixed_manifest()))
    arn = create(world, project_arn, **world.manifest_source(MANIFEST_KEY))
    world.pipeline.run()
    return arn


def test_create_returns_at_once_and_the_pipeline_completes_it(world: World, project_arn: str) -> None:
    world.put(MANIFEST_KEY, "\n".join(mixed_manifest()))
    arn = create(world, project_arn, **world.manifest_source(MANIFEST_KEY))
    assert world.describe(arn)["Status"] == "CREATE_IN_PROGRESS"
    assert world.error("ListDatasetEntries", DatasetArn=arn)[0] == "ResourceNotReadyException"
    (execution,) = world.pipeline.run()
    assert execution.status == "SUCCEEDED", execution.state
    described = world.describe(arn)
    assert (described["Status"], described["StatusMessageCode"]) == ("CREATE_COMPLETE", "SUCCESS")
    assert described["StatusMessage"] == "The dataset was successfully created."
    assert described["DatasetStats"] == {
        "LabeledEntries": 9,
        "TotalEntries": 10,
        "TotalLabels": 2,
        "ErrorEntries": 2,
    }
    (summary,) = world.ok("DescribeProjects", ProjectNames=["shapes"])["ProjectDescriptions"]
    assert summary["Datasets"][0]["Status"] == "CREATE_COMPLETE"


def test_broken_lines_carry_their_codes_and_the_filters_find_them(world: World, train_arn: str) -> None:
    entries = world.entries_of(train_arn)
    assert len(entries) == 10 and all("cl-metadata" in entry for entry in entries)
    with_errors = world.entries_of(train_arn, HasErrors=True)
    assert [entry["source-ref"] for entry in with_errors] == [image("box.png"), image("bad-confidence.png")]
    box_entry, confidence_entry = with_errors
    assert box_entry["bounding-box"]["annotations"][0]["cl-errors"][0]["code"] == "ERROR_INVALID_BOUNDING_BOX"
    assert box_entry["cl-errors"][0]["code"] == "ERROR_NO_VALID_ANNOTATIONS"
    assert confidence_entry["sport0-metadata"]["cl-errors"][0]["code"] == (
        "ERROR_INVALID_LABEL_ATTRIBUTE_METADATA_FORMAT"
    )
    assert len(world.entries_of(train_arn, HasErrors=False)) == 10  # False does not filter (L12256)
    assert [e["source-ref"] for e in world.entries_of(train_arn, Labeled=False)] == [image("unlabeled.png")]
    assert len(world.entries_of(train_arn, ContainsLabels=["dog"])) == 3
    assert len(world.entries_of(train_arn, ContainsLabels=["dog", "cat"], Labeled=True)) == 8  # box label too
    assert [e["source-ref"] for e in world.entries_of(train_arn, SourceRefContains="dog1")] == [
        image("dog1.png")
    ]


def test_entries_and_labels_paginate_with_signed_tokens(world: World, train_arn: str) -> None:
    first = world.ok("ListDatasetEntries", DatasetArn=train_arn, Labeled=True, MaxResults=3)
    assert len(first["DatasetEntries"]) == 3
    second = world.ok(
        "ListDatasetEntries", DatasetArn=train_arn, Labeled=True, MaxResults=3, NextToken=first["NextToken"]
    )
    assert json.loads(second["DatasetEntries"][0])["source-ref"] == image("cat3.png")
    # a token is bound to its filters
    assert world.error("ListDatasetEntries", DatasetArn=train_arn, NextToken=first["NextToken"])[0] == (
        "InvalidPaginationTokenException"
    )
    assert world.error("ListDatasetEntries", DatasetArn=train_arn, SourceRefContains=" ")[0] == (
        "ValidationException"  # the model's QueryString pattern
    )
    labels = []
    token = None
    while True:
        page = world.ok(
            "ListDatasetLabels", DatasetArn=train_arn, MaxResults=1, **({"NextToken": token} if token else {})
        )
        labels += page["DatasetLabelDescriptions"]
        token = page.get("NextToken")
        if not token:
            break
    assert labels == [
        {"LabelName": "cat", "LabelStats": {"EntryCount": 5, "BoundingBoxCount": 1}},
        {"LabelName": "dog", "LabelStats": {"EntryCount": 3, "BoundingBoxCount": 0}},
    ]


def test_a_page_of_entries_is_one_ranged_read_once_the_index_is_cached(world: World, train_arn: str) -> None:
    project = world.repository.get_project("shapes")
    assert project is not None
    revision = project.datasets["TRAIN"].entries_key
    assert revision is not None
    world.ok("ListDatasetEntries", DatasetArn=train_arn, MaxResults=1)  # a cold API process loads the index
    world.s3_calls.clear()
    page = world.ok("ListDatasetEntries", DatasetArn=train_arn, Labeled=True, MaxResults=3)
    assert [json.loads(line)["source-ref"] for line in page["DatasetEntries"]] == [
        image(f"cat{i}.png") for i in range(3)
    ]
    end = sum(len(line.encode()) + 1 for line in page["DatasetEntries"]) - 1  # the 3 first lines, "\n" each
    entry_reads = [call for call in world.s3_calls if (call.key or "").startswith("_meta/datasets/")]
    assert entry_reads == [S3Call("GetObject", revision, f"bytes=0-{end}")]


@pytest.mark.parametrize(
    ("prepare", "message"),
    [
        (lambda world: None, "The manifest file extension or contents are invalid."),
        (
            lambda world: world.put(MANIFEST_KEY, "{not json\n" * 5),
            "The manifest file has too many terminal errors.",
        ),
        # LocalStack enforces neither bucket policies nor IAM; an archived object is S3's own 403
        # (InvalidObjectState on GET, while HEAD answers), refused like AccessDenied
        (
            lambda world: world.put(MANIFEST_KEY, "\n".join(mixed_manifest()), StorageClass="GLACIER"),
            "The S3 bucket permissions are incorrect.",
        ),
    ],
)
def test_a_bad_manifest_fails_the_creation_with_the_guides_message(
    world: World, project_arn: str, prepare: Any, message: str
) -> None:
    prepare(world)
    arn = create(world, project_arn, **world.manifest_source(MANIFEST_KEY))
    (execution,) = world.pipeline.run()
    assert execution.status == "FAILED"
    described = world.describe(arn)
    assert (described["Status"], described["StatusMessage"], described["StatusMessageCode"]) == (
        "CREATE_FAILED",
        message,
        "CLIENT_ERROR",
    )
    assert world.error("ListDatasetEntries", DatasetArn=arn)[0] == "ResourceNotReadyException"
    assert world.keys("_meta/datasets/") == []  # nothing left behind
    world.ok("DeleteDataset", DatasetArn=arn)  # a failed dataset can be deleted and made again


def test_update_adds_and_replaces_by_source_ref(world: World, train_arn: str) -> None:
    before = world.keys("_meta/datasets/")
    changes = [
        dumps(classification(image("cat0.png"), "dog")),  # replace: cat0 becomes a dog
        dumps(classification(image("new.png"), "bird")),  # add
    ]
    world.ok("UpdateDatasetEntries", DatasetArn=train_arn, Changes={"GroundTruth": ground_truth(changes)})
    assert world.describe(train_arn)["Status"] == "UPDATE_IN_PROGRESS"
    assert (
        world.error(
            "UpdateDatasetEntries", DatasetArn=train_arn, Changes={"GroundTruth": ground_truth(changes)}
        )[0]
        == "ResourceInUseException"
    )
    assert world.error("ListDatasetEntries", DatasetArn=train_arn)[0] == "ResourceInUseException"
    (execution,) = world.pipeline.run()
    assert execution.status == "SUCCEEDED", execution.state
    described = world.describe(train_arn)
    assert (described["Status"], described["StatusMessageCode"]) == ("UPDATE_COMPLETE", "SUCCESS")
    assert described["DatasetStats"]["TotalEntries"] == 11
    assert described["DatasetStats"]["TotalLabels"] == 3
    entries = world.entries_of(train_arn)
    assert (
        entries[0]["source-ref"] == image("cat0.png") and entries[0]["sport0-metadata"]["class-name"] == "dog"
    )
    assert entries[-1]["source-ref"] == image("new.png")
    after = world.keys("_meta/datasets/")
    assert len(after) == len(before) == 2  # the new revision and index replaced the old ones
    assert set(after).isdisjoint(before)


def test_a_failed_update_keeps_the_previous_entries(world: World, train_arn: str) -> None:
    before = world.entries_of(train_arn)
    broken = ["{not json"] * 3 + [dumps(classification(image("cat0.png"), "dog"))]  # 75 % dropped
    world.ok("UpdateDatasetEntries", DatasetArn=train_arn, Changes={"GroundTruth": ground_truth(broken)})
    (execution,) = world.pipeline.run()
    assert execution.status == "FAILED"
    assert execution.state["Failure"]["Error"] == "DatasetClientError"
    described = world.describe(train_arn)
    assert (described["Status"], described["StatusMessage"], described["StatusMessageCode"]) == (
        "UPDATE_FAILED",
        "The manifest file has too many terminal errors.",
        "CLIENT_ERROR",
    )
    assert described["DatasetStats"]["TotalEntries"] == 10
    assert world.entries_of(train_arn) == before
    assert len(world.keys("_meta/datasets/")) == 2  # the staged change set and revision are gone
    # the dataset can be updated again
    world.ok("UpdateDatasetEntries", DatasetArn=train_arn, Changes={"GroundTruth": ground_truth(broken[-1:])})
    world.pipeline.run()
    assert world.describe(train_arn)["Status"] == "UPDATE_COMPLETE"


def test_update_requests_that_cannot_work_are_refused_at_once(world: World, train_arn: str) -> None:
    too_many = dumps(classification(image("many.png"), *[f"label{i}" for i in range(51)]))
    assert (
        world.error(
            "UpdateDatasetEntries", DatasetArn=train_arn, Changes={"GroundTruth": ground_truth([too_many])}
        )[0]
        == "LimitExceededException"
    )
    not_utf8 = "/w=="  # base64 of b"\xff"
    assert world.error("UpdateDatasetEntries", DatasetArn=train_arn, Changes={"GroundTruth": not_utf8})[
        0
    ] == ("InvalidParameterException")
    assert world.describe(train_arn)["Status"] == "CREATE_COMPLETE"  # nothing changed
    assert world.pipeline.pending == []


def test_a_stale_execution_records_nothing(world: World, train_arn: str) -> None:
    change = {"GroundTruth": ground_truth([dumps(classification(image("x.png"), "cat"))])}
    world.ok("UpdateDatasetEntries", DatasetArn=train_arn, Changes=change)
    (stale,) = world.pipeline.pending
    project = world.rival.get_project("shapes")
    assert project is not None

    def take_over(current: Any) -> None:  # another process now runs another operation on the dataset
        current.datasets["TRAIN"].operation_id = "someone-else"

    world.rival.update_project(project, take_over)
    (execution,) = world.pipeline.run()
    assert execution.status == "FAILED" and execution.state["Failure"]["Error"] == "DatasetSuperseded"
    assert execution.state["FailureRecorded"]["Datasets"] == []
    assert world.describe(train_arn)["Status"] == "UPDATE_IN_PROGRESS"  # left to its own operation
    assert stale.operation_id is not None
    assert not [key for key in world.keys("_meta/datasets/") if stale.operation_id in key]


def test_recording_twice_is_harmless(world: World, train_arn: str) -> None:
    change = {"GroundTruth": ground_truth([dumps(classification(image("x.png"), "cat"))])}
    world.ok("UpdateDatasetEntries", DatasetArn=train_arn, Changes=change)
    (execution,) = world.pipeline.run()
    world.pipeline.steps.record_entries(execution.state)  # a retried step after a lost reply
    assert world.describe(train_arn)["Status"] == "UPDATE_COMPLETE"
    assert len(world.entries_of(train_arn)) == 11


def test_distribute_moves_a_balanced_fifth_to_the_empty_test_dataset(world: World, project_arn: str) -> None:
    lines = [
        dumps(classification(image(f"{label}{i}.png"), label)) for label in ("cat", "dog") for i in range(5)
    ]
    world.put("manifests/all.manifest", "\n".join(lines))
    train = create(world, project_arn, **world.manifest_source("manifests/all.manifest"))
    test = create(world, project_arn, "TEST")
    world.pipeline.run()
    assert world.describe(test)["Status"] == "CREATE_COMPLETE"
    world.ok("DistributeDatasetEntries", Datasets=[{"Arn": test}, {"Arn": train}])  # any order
    assert {world.describe(arn)["Status"] for arn in (train, test)} == {"UPDATE_IN_PROGRESS"}
    (execution,) = world.pipeline.run()
    assert execution.status == "SUCCEEDED", execution.state
    assert {world.describe(arn)["Status"] for arn in (train, test)} == {"UPDATE_COMPLETE"}
    moved = world.entries_of(test)
    assert len(moved) == 2 and len(world.entries_of(train)) == 8
    assert sorted(entry["sport0-metadata"]["class-name"] for entry in moved) == ["cat", "dog"]
    assert world.error("DistributeDatasetEntries", Datasets=[{"Arn": train}, {"Arn": test}])[0] == (
        "InvalidParameterException"  # the test dataset is no longer empty
    )


def test_a_distribution_that_cannot_split_fails_both_datasets(world: World, project_arn: str) -> None:
    lines = [dumps(classification(image("cat.png"), "cat")), dumps(classification(image("dog.png"), "dog"))]
    world.put("manifests/two.manifest", "\n".join(lines))
    train = create(world, project_arn, **world.manifest_source("manifests/two.manifest"))
    test = create(world, project_arn, "TEST")
    world.pipeline.run()
    world.ok("DistributeDatasetEntries", Datasets=[{"Arn": train}, {"Arn": test}])
    world.pipeline.run()
    for arn in (train, test):
        described = world.describe(arn)
        assert (described["Status"], described["StatusMessageCode"]) == ("UPDATE_FAILED", "CLIENT_ERROR")
        assert described["StatusMessage"] == (
            "The manifest file doesn't have enough labeled images to distribute the dataset."
        )
    assert len(world.entries_of(train)) == 2 and world.entries_of(test) == []


def test_copy_creates_a_dataset_with_the_same_entries(world: World, project_arn: str, train_arn: str) -> None:
    other: str = world.ok("CreateProject", ProjectName="other")["ProjectArn"]
    copied = create(world, other, "TEST", DatasetSource={"DatasetArn": train_arn})
    world.pipeline.run()
    assert world.describe(copied)["Status"] == "CREATE_COMPLETE"
    assert world.describe(copied)["DatasetStats"] == world.describe(train_arn)["DatasetStats"]
    assert world.entries_of(copied) == world.entries_of(train_arn)
    world.ok("DeleteDataset", DatasetArn=train_arn)  # the copy is independent of its source
    assert len(world.entries_of(copied)) == 10


def test_an_empty_dataset_completes_without_entries(world: World, project_arn: str) -> None:
    arn = create(world, project_arn, "TEST")
    world.pipeline.run()
    assert world.describe(arn)["DatasetStats"] == {
        "LabeledEntries": 0,
        "TotalEntries": 0,
        "TotalLabels": 0,
        "ErrorEntries": 0,
    }
    assert world.ok("ListDatasetEntries", DatasetArn=arn) == {"DatasetEntries": []}
    assert world.ok("ListDatasetLabels", DatasetArn=arn) == {"DatasetLabelDescriptions": []}


def test_datasets_in_use_by_training_cannot_change(world: World, project_arn: str, train_arn: str) -> None:
    test = create(world, project_arn, "TEST")
    world.pipeline.run()
    version = ProjectVersion(
        REGION, ACCOUNT, "shapes", "v1", 1_700_000_000_500, ProjectVersionStatus.TRAINING_IN_PROGRESS, ""
    )
    world.repository.create_version(version)
    change = {"GroundTruth": ground_truth([dumps(classification(image("x.png"), "cat"))])}
    for operation, request in (
        ("UpdateDatasetEntries", {"DatasetArn": train_arn, "Changes": change}),
        ("DeleteDataset", {"DatasetArn": test}),
        ("DistributeDatasetEntries", {"Datasets": [{"Arn": train_arn}, {"Arn": test}]}),
    ):
        code, message = world.error(operation, **request)
        assert code == "ResourceInUseException", (operation, message)
        assert version.arn in message and "TRAINING_IN_PROGRESS" in message
    assert len(world.entries_of(train_arn)) == 10  # reading is fine
    world.repository.update_version(
        version, lambda current: setattr(current, "status", ProjectVersionStatus.TRAINING_FAILED)
    )
    world.ok("DeleteDataset", DatasetArn=test)


def test_delete_removes_the_entries_and_the_dataset(world: World, project_arn: str, train_arn: str) -> None:
    assert world.keys("_meta/datasets/")
    world.ok("DeleteDataset", DatasetArn=train_arn)
    assert world.error("DescribeDataset", DatasetArn=train_arn)[0] == "ResourceNotFoundException"
    assert world.keys("_meta/datasets/") == []
    (summary,) = world.ok("DescribeProjects", ProjectNames=["shapes"])["ProjectDescriptions"]
    assert summary["Datasets"] == []
    world.ok("DeleteProject", ProjectArn=project_arn)


def test_an_interrupted_deletion_is_finished_by_the_next_call(
    world: World, project_arn: str, train_arn: str
) -> None:
    project = world.repository.get_project("shapes")
    assert project is not None

    def half_deleted(current: Any) -> None:
        current.datasets["TRAIN"].status = "DELETE_IN_PROGRESS"

    world.repository.update_project(project, half_deleted)
    assert world.describe(train_arn)["Status"] == "DELETE_IN_PROGRESS"
    world.ok("DeleteDataset", DatasetArn=train_arn)
    assert world.error("DescribeDataset", DatasetArn=train_arn)[0] == "ResourceNotFoundException"
    assert world.keys("_meta/datasets/") == []


def test_a_pipeline_that_cannot_start_fails_the_update_as_a_service_error(
    world: World, train_arn: str
) -> None:
    world.pipeline.fail_start = RuntimeError("no state machine")
    change = {"GroundTruth": ground_truth([dumps(classification(image("x.png"), "cat"))])}
    status, body = world.call("UpdateDatasetEntries", DatasetArn=train_arn, Changes=change)
    assert (status, body["__type"]) == (500, "InternalServerError")
    described = world.describe(train_arn)
    assert (described["Status"], described["StatusMessageCode"]) == ("UPDATE_FAILED", "SERVICE_ERROR")
    assert len(world.entries_of(train_arn)) == 10
