"""Datasets end to end on the LocalStack deployment: boto3's rekognition client against the API,
the dataset pipeline on Step Functions and Lambda, real PNG/JPEG images in the data bucket, and
the ``customlabels`` CLI for the S3-folder importer."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image

from customlabels.cli import main as cli
from customlabels.resources.repository import Repository
from customlabels.resources.status import ProjectVersionStatus
from customlabels.store import MetadataStore
from tests.api.conftest import Seeder
from tests.e2e.projects import create_dataset, put_manifest, wait_for_datasets

pytestmark = pytest.mark.e2e

COLORS = {"cat": (200, 60, 40), "dog": (40, 60, 200), "bird": (40, 180, 60)}


def image_bytes(label: str, number: int, fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (96 + number, 80), COLORS[label]).save(buffer, fmt)
    return buffer.getvalue()


def metadata(label: str) -> dict[str, Any]:
    return {
        "confidence": 1,
        "job-name": f"labeling-job/{label}",
        "class-name": label,
        "human-annotated": "yes",
        "creation-date": "2026-11-26T00:00:00.000",
        "type": "groundtruth/image-classification",
    }


def labeled(uri: str, label: str) -> str:
    return json.dumps({"source-ref": uri, label: 1, f"{label}-metadata": metadata(label)})


@pytest.fixture(scope="module")
def images(s3: Any, bucket: str) -> dict[str, list[str]]:
    """12 images in label folders (PNG and JPEG) under a fresh prefix, and 1 loose one."""
    prefix = f"e2e-datasets-{uuid.uuid4().hex[:8]}/images/"
    uris: dict[str, list[str]] = {label: [] for label in COLORS}
    for label in ("cat", "dog"):
        for number in range(6):
            fmt, extension = ("PNG", "png") if number % 2 else ("JPEG", "jpg")
            key = f"{prefix}{label}/{number}.{extension}"
            s3.put_object(Bucket=bucket, Key=key, Body=image_bytes(label, number, fmt))
            uris[label].append(f"s3://{bucket}/{key}")
    s3.put_object(Bucket=bucket, Key=f"{prefix}loose.png", Body=image_bytes("bird", 0, "PNG"))
    uris["loose"] = [f"s3://{bucket}/{prefix}loose.png"]
    uris["prefix"] = [f"s3://{bucket}/{prefix}"]
    return uris


@pytest.fixture(scope="module")
def seed(s3: Any, bucket: str) -> Seeder:
    return Seeder(Repository(MetadataStore(s3, bucket)))


def labels_of(entry: dict[str, Any]) -> list[str]:
    """The image-level labels of a JSON Line."""
    return sorted(
        value["class-name"] for value in entry.values() if isinstance(value, dict) and "class-name" in value
    )


def entries(rekognition: Any, arn: str, **filters: Any) -> list[dict[str, Any]]:
    pages = rekognition.get_paginator("list_dataset_entries").paginate(DatasetArn=arn, **filters)
    return [json.loads(line) for page in pages for line in page["DatasetEntries"]]


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, deployment: dict[str, str]) -> list[str]:
    """The CLI's global options for the deployment (its S3 calls go to LocalStack too)."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", deployment["EndpointUrl"])
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    return ["--endpoint-url", deployment["ApiEndpoint"], "--region", deployment["Region"]]


def test_train_from_a_manifest_and_test_from_s3_folders(
    rekognition: Any,
    s3: Any,
    bucket: str,
    images: dict[str, list[str]],
    new_project: Callable[[], str],
    cli_env: list[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    project = new_project()
    good = [labeled(uri, "cat") for uri in images["cat"][:4]] + [
        labeled(uri, "dog") for uri in images["dog"][:4]
    ]
    bad_confidence = json.loads(labeled(images["dog"][4], "dog"))
    bad_confidence["dog-metadata"]["confidence"] = 3  # non-terminal: kept, with its error
    wrong_type = json.loads(labeled(images["cat"][4], "cat"))
    wrong_type["cat-metadata"]["type"] = "groundtruth/wrongtype"
    lines = [*good, json.dumps(bad_confidence), json.dumps(wrong_type), "{this line is not JSON"]
    train = rekognition.create_dataset(
        ProjectArn=project, DatasetType="TRAIN", DatasetSource=put_manifest(s3, bucket, lines)
    )["DatasetArn"]
    assert (
        rekognition.describe_dataset(DatasetArn=train)["DatasetDescription"]["Status"] == "CREATE_IN_PROGRESS"
    )

    # the test dataset from the S3 folders, through the CLI importer
    argv = [*cli_env, "--json", "datasets", "create", "--project-arn", project, "--type", "test", "--wait"]
    assert cli([*argv, "--from-s3-folders", images["prefix"][0], "--poll-interval", "0.25"]) == 0
    created = json.loads(capsys.readouterr().out)
    test = created["DatasetArn"]
    assert created["Datasets"][test]["DatasetStats"] == {
        "LabeledEntries": 12,
        "TotalEntries": 13,  # the loose image has no folder, hence no label
        "TotalLabels": 2,
        "ErrorEntries": 0,
    }

    (described,) = wait_for_datasets(rekognition, train)
    assert (described["Status"], described["StatusMessageCode"]) == ("CREATE_COMPLETE", "SUCCESS")
    assert described["DatasetStats"] == {
        "LabeledEntries": 10,
        "TotalEntries": 10,
        "TotalLabels": 2,
        "ErrorEntries": 2,
    }

    # each broken line is reported with its code; the unparseable one was dropped (L4592)
    broken = entries(rekognition, train, HasErrors=True)
    assert [entry["source-ref"] for entry in broken] == [images["dog"][4], images["cat"][4]]
    assert (
        broken[0]["dog-metadata"]["cl-errors"][0]["code"] == "ERROR_INVALID_LABEL_ATTRIBUTE_METADATA_FORMAT"
    )
    assert broken[1]["cat-metadata"]["cl-errors"][0]["code"] == "ERROR_UNSUPPORTED_USE_CASE_TYPE"
    assert broken[1]["cl-errors"][0]["code"] == "ERROR_NO_VALID_LABEL_ATTRIBUTES"
    assert all(entry["cl-metadata"]["is_labeled"] for entry in entries(rekognition, train))

    # filters and pagination
    assert len(entries(rekognition, train, ContainsLabels=["dog"])) == 4
    assert (
        len(entries(rekognition, train, ContainsLabels=["dog", "cat"], PaginationConfig={"PageSize": 3})) == 8
    )
    assert [e["source-ref"] for e in entries(rekognition, test, Labeled=False)] == images["loose"]
    assert [e["source-ref"] for e in entries(rekognition, test, SourceRefContains="/cat/3.")] == [
        images["cat"][3]
    ]
    first = rekognition.list_dataset_entries(DatasetArn=test, MaxResults=5)
    assert len(first["DatasetEntries"]) == 5 and first["NextToken"]
    with pytest.raises(rekognition.exceptions.InvalidPaginationTokenException):
        rekognition.list_dataset_entries(DatasetArn=train, NextToken=first["NextToken"])
    labels = rekognition.list_dataset_labels(DatasetArn=test)["DatasetLabelDescriptions"]
    assert labels == [
        {"LabelName": "cat", "LabelStats": {"EntryCount": 6, "BoundingBoxCount": 0}},
        {"LabelName": "dog", "LabelStats": {"EntryCount": 6, "BoundingBoxCount": 0}},
    ]
    assert cli([*cli_env, "datasets", "labels", "--dataset-arn", train]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "LABEL  IMAGES  IMAGES WITH BOXES",
        "cat    4       0",
        "dog    4       0",
    ]
    (summary,) = rekognition.describe_projects(ProjectNames=[project.split("/")[1]])["ProjectDescriptions"]
    assert {item["DatasetType"]: item["Status"] for item in summary["Datasets"]} == {
        "TRAIN": "CREATE_COMPLETE",
        "TEST": "CREATE_COMPLETE",
    }


def test_a_bad_manifest_fails_the_creation_with_the_guides_message(
    rekognition: Any, bucket: str, new_project: Callable[[], str]
) -> None:
    project = new_project()
    missing = {
        "GroundTruthManifest": {"S3Object": {"Bucket": bucket, "Name": "e2e-manifests/missing.manifest"}}
    }
    arn = rekognition.create_dataset(ProjectArn=project, DatasetType="TRAIN", DatasetSource=missing)[
        "DatasetArn"
    ]
    (described,) = wait_for_datasets(rekognition, arn)
    assert (described["Status"], described["StatusMessage"], described["StatusMessageCode"]) == (
        "CREATE_FAILED",
        "The manifest file extension or contents are invalid.",
        "CLIENT_ERROR",
    )
    with pytest.raises(rekognition.exceptions.ResourceNotReadyException):
        rekognition.list_dataset_entries(DatasetArn=arn)
    rekognition.delete_dataset(DatasetArn=arn)  # and it can be replaced
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
        rekognition.describe_dataset(DatasetArn=arn)


def test_update_adds_and_replaces_and_a_failed_update_keeps_the_entries(
    rekognition: Any, s3: Any, bucket: str, images: dict[str, list[str]], new_project: Callable[[], str]
) -> None:
    project = new_project()
    lines = [labeled(uri, "cat") for uri in images["cat"][:3]]
    arn = create_dataset(rekognition, project, "TRAIN", put_manifest(s3, bucket, lines))

    changes = [labeled(images["cat"][0], "dog"), labeled(images["loose"][0], "bird")]  # replace + add
    rekognition.update_dataset_entries(DatasetArn=arn, Changes={"GroundTruth": "\n".join(changes).encode()})
    with pytest.raises(rekognition.exceptions.ResourceInUseException):
        rekognition.update_dataset_entries(DatasetArn=arn, Changes={"GroundTruth": changes[0].encode()})
    (described,) = wait_for_datasets(rekognition, arn)
    assert (described["Status"], described["StatusMessageCode"]) == ("UPDATE_COMPLETE", "SUCCESS")
    assert described["DatasetStats"]["TotalEntries"] == 4 and described["DatasetStats"]["TotalLabels"] == 3
    after_update = entries(rekognition, arn)
    assert [(e["source-ref"], labels_of(e)) for e in after_update] == [
        (images["cat"][0], ["dog"]),
        (images["cat"][1], ["cat"]),
        (images["cat"][2], ["cat"]),
        (images["loose"][0], ["bird"]),
    ]

    broken = "\n".join(["{not json"] * 3 + [labeled(images["cat"][1], "dog")])  # 75 % terminal errors
    rekognition.update_dataset_entries(DatasetArn=arn, Changes={"GroundTruth": broken.encode()})
    (described,) = wait_for_datasets(rekognition, arn)
    assert (described["Status"], described["StatusMessage"], described["StatusMessageCode"]) == (
        "UPDATE_FAILED",
        "The manifest file has too many terminal errors.",
        "CLIENT_ERROR",
    )
    assert entries(rekognition, arn) == after_update
    assert described["DatasetStats"]["TotalEntries"] == 4


def test_distribute_copy_and_delete(
    rekognition: Any,
    s3: Any,
    bucket: str,
    images: dict[str, list[str]],
    new_project: Callable[[], str],
    cli_env: list[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    project = new_project()
    lines = [labeled(uri, label) for label in ("cat", "dog") for uri in images[label][:5]]
    train = create_dataset(rekognition, project, "TRAIN", put_manifest(s3, bucket, lines))
    test = create_dataset(rekognition, project, "TEST")

    rekognition.distribute_dataset_entries(Datasets=[{"Arn": train}, {"Arn": test}])
    described = wait_for_datasets(rekognition, train, test)
    assert [item["Status"] for item in described] == ["UPDATE_COMPLETE", "UPDATE_COMPLETE"]
    assert [item["DatasetStats"]["TotalEntries"] for item in described] == [8, 2]
    moved = entries(rekognition, test)
    assert sorted(next(k for k in e if k.endswith("-metadata")) for e in moved) == [
        "cat-metadata",
        "dog-metadata",
    ]

    other = new_project()
    argv = [*cli_env, "--json", "datasets", "copy", "--project-arn", other, "--type", "train", "--wait"]
    assert cli([*argv, "--source-dataset-arn", train, "--poll-interval", "0.25"]) == 0
    copied = json.loads(capsys.readouterr().out)["DatasetArn"]
    assert entries(rekognition, copied) == entries(rekognition, train)

    assert (
        cli([*cli_env, "datasets", "delete", "--dataset-arn", test, "--wait", "--poll-interval", "0.25"]) == 0
    )
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
        rekognition.describe_dataset(DatasetArn=test)
    (summary,) = rekognition.describe_projects(ProjectNames=[project.split("/")[1]])["ProjectDescriptions"]
    assert [item["DatasetType"] for item in summary["Datasets"]] == ["TRAIN"]


def test_datasets_in_use_by_training_cannot_change(
    rekognition: Any,
    s3: Any,
    bucket: str,
    images: dict[str, list[str]],
    new_project: Callable[[], str],
    seed: Seeder,
) -> None:
    project = new_project()
    lines = [labeled(uri, label) for label in ("cat", "dog") for uri in images[label][:2]]
    train = create_dataset(rekognition, project, "TRAIN", put_manifest(s3, bucket, lines))
    test = create_dataset(rekognition, project, "TEST")
    version = seed.version(project, "v1", ProjectVersionStatus.TRAINING_IN_PROGRESS)

    for call, request in (
        (
            rekognition.update_dataset_entries,
            {"DatasetArn": train, "Changes": {"GroundTruth": lines[0].encode()}},
        ),
        (rekognition.distribute_dataset_entries, {"Datasets": [{"Arn": train}, {"Arn": test}]}),
        (rekognition.delete_dataset, {"DatasetArn": test}),
    ):
        with pytest.raises(rekognition.exceptions.ResourceInUseException, match=version.arn):
            call(**request)
    assert len(entries(rekognition, train)) == 4  # reading is fine
    assert [item["Status"] for item in wait_for_datasets(rekognition, train, test)] == [
        "CREATE_COMPLETE",
        "CREATE_COMPLETE",
    ]
