"""Training end to end on the LocalStack deployment: boto3's rekognition client against the API, the
training pipeline on Step Functions, its Lambda steps (the training job itself on the CPU), real
images in the data bucket, and the guide's files read back and checked against its schemas."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import WaiterError

from tests.e2e import shapes
from tests.e2e.projects import (
    TRAINING_WAIT,
    create_dataset,
    deployment_client,
    describe_version,
    put_manifest,
    upload_pictures,
    wait_trained,
)
from tests.guide_schemas import (
    check_evaluation_summary,
    check_manifest_summary,
    check_snapshot,
    check_validation_manifest,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def prefix() -> str:
    return f"e2e-training-{uuid.uuid4().hex[:8]}/"


def read_json(s3: Any, location: dict[str, str]) -> Any:
    return json.loads(read_text(s3, location))


def read_text(s3: Any, location: dict[str, str]) -> str:
    body: bytes = s3.get_object(Bucket=location["Bucket"], Key=location["Name"])["Body"].read()
    return body.decode("utf-8")


def s3_object_of(data_result: dict[str, Any], member: str) -> dict[str, str]:
    (asset,) = data_result[member]["Assets"]
    location: dict[str, str] = asset["GroundTruthManifest"]["S3Object"]
    return location


def training_log(deployment: dict[str, str], since_ms: int) -> list[str]:
    """The TrainModel function's log lines since ``since_ms``."""
    clients = {service: deployment_client(deployment, service) for service in ("lambda", "logs")}
    name = deployment["TrainingModelFunctionName"]
    configured = clients["lambda"].get_function_configuration(FunctionName=name).get("LoggingConfig", {})
    # AWS writes to the function's configured group; LocalStack to the default one
    groups = {configured.get("LogGroup"), f"/aws/lambda/{name}"} - {None}
    paginator = clients["logs"].get_paginator("filter_log_events")
    lines = []
    for group in sorted(groups):
        try:
            pages = list(paginator.paginate(logGroupName=group, startTime=since_ms))
        except clients["logs"].exceptions.ResourceNotFoundException:
            continue
        lines += [event["message"] for page in pages for event in page["events"]]
    return lines


def test_a_classification_model_trains_from_its_datasets(
    rekognition: Any,
    s3: Any,
    bucket: str,
    prefix: str,
    new_project: Callable[[], str],
    deployment: dict[str, str],
) -> None:
    started_ms = int(time.time() * 1000)
    pictures = shapes.shape_pictures(per_shape=14)
    uris = upload_pictures(s3, bucket, prefix, pictures)
    lines = [shapes.classification_line(uris[p.name], p.labels[0]) for p in pictures]
    train_lines, test_lines = lines[:33], lines[33:]
    broken = json.loads(train_lines[4])
    broken[f"{pictures[4].labels[0]}-metadata"]["confidence"] = 3  # non-terminal: the line is skipped
    train_lines[4] = json.dumps(broken)
    project = new_project()
    train = create_dataset(
        rekognition, project, "TRAIN", put_manifest(s3, bucket, train_lines, key=f"{prefix}train.manifest")
    )
    create_dataset(
        rekognition, project, "TEST", put_manifest(s3, bucket, test_lines, key=f"{prefix}test.manifest")
    )
    output = {"S3Bucket": bucket, "S3KeyPrefix": f"{prefix}output"}

    arn = rekognition.create_project_version(
        ProjectArn=project,
        VersionName="shapes.v1",
        OutputConfig=output,
        Tags={"team": "vision"},
        VersionDescription="three shapes",
    )["ProjectVersionArn"]
    assert arn.startswith(f"{project.rsplit('/', 1)[0]}/version/shapes.v1/")
    training = describe_version(rekognition, project, "shapes.v1")
    assert (training["Status"], training["StatusMessage"]) == (
        "TRAINING_IN_PROGRESS",
        "The model is being trained.",
    )
    with pytest.raises(rekognition.exceptions.ResourceInUseException, match="TRAINING_IN_PROGRESS"):
        rekognition.update_dataset_entries(DatasetArn=train, Changes={"GroundTruth": lines[0].encode()})
    with pytest.raises(rekognition.exceptions.ResourceInUseException, match="already has a model named"):
        rekognition.create_project_version(ProjectArn=project, VersionName="shapes.v1", OutputConfig=output)

    model, waited = wait_trained(rekognition, project, "shapes.v1")
    assert (model["Status"], model["StatusMessage"]) == ("TRAINING_COMPLETED", "The model is ready to run.")
    assert model["OutputConfig"] == output
    assert model["VersionDescription"] == "three shapes"
    assert model["BillableTrainingTimeInSeconds"] > 0
    assert model["TrainingEndTimestamp"] >= model["CreationTimestamp"]
    assert rekognition.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"team": "vision"}
    evaluation = model["EvaluationResult"]
    summary_location = evaluation["Summary"]["S3Object"]
    assert summary_location == {
        "Bucket": bucket,
        "Name": f"{prefix}output/EvaluationResultSummary-{project.split('/')[1]}-shapes.v1.json",
    }
    summary = read_json(s3, summary_location)
    check_evaluation_summary(summary, detection=False)
    assert summary["AggregatedEvaluationResults"]["F1Score"] == pytest.approx(evaluation["F1Score"])
    assert summary["EvaluationDetails"]["ProjectVersionArn"] == arn
    assert summary["EvaluationDetails"]["Labels"] == sorted(shapes.SHAPES)
    assert summary["EvaluationDetails"]["NumberOfTestingImages"] == 9
    assert summary["EvaluationDetails"]["NumberOfTrainingImages"] == 32
    print(f"\nclassification: F1 {evaluation['F1Score']:.3f}, trained in {waited:.0f} s")

    manifest_summary = read_json(s3, model["ManifestSummary"]["S3Object"])
    check_manifest_summary(manifest_summary)
    statistics = manifest_summary["statistics"]
    assert statistics["training"]["use_case"] == "IMAGE_LEVEL_LABELS"
    assert (statistics["training"]["total_json_lines"], statistics["training"]["invalid_json_lines"]) == (
        33,
        1,
    )
    assert statistics["training"]["error_json_line_indices"] == [5]
    assert (statistics["testing"]["total_json_lines"], statistics["testing"]["valid_json_lines"]) == (9, 9)
    assert manifest_summary["errors"] == [] and statistics["training"]["errors"] == []

    training_result, testing_result = model["TrainingDataResult"], model["TestingDataResult"]
    assert training_result["Input"] == {} and testing_result["Input"] == {"AutoCreate": False}
    validated = check_validation_manifest(read_text(s3, s3_object_of(training_result, "Validation")))
    flagged = validated[4][f"{pictures[4].labels[0]}-metadata"]["errors"]
    assert flagged[0]["code"] == "ERROR_INVALID_LABEL_ATTRIBUTE_METADATA_FORMAT"
    assert len(check_validation_manifest(read_text(s3, s3_object_of(testing_result, "Validation")))) == 9
    used = read_text(s3, s3_object_of(training_result, "Output")).splitlines()
    assert len(used) == 32 and not any('"errors"' in line or "cl-" in line for line in used)
    snapshot = check_snapshot(read_text(s3, s3_object_of(testing_result, "Output")), detection=False)
    assert sorted(line["source-ref"] for line in snapshot) == sorted(uris[p.name] for p in pictures[33:])

    artifacts = s3.list_objects_v2(Bucket=bucket, Prefix=f"artifacts/{project.split('/')[1]}/shapes.v1/")
    names = {item["Key"].split("/", 4)[4] for item in artifacts.get("Contents", [])}
    assert {"model.onnx", "model.json", "resolved_config.json", "job/outcome.json"} <= names
    card = json.loads(
        s3.get_object(
            Bucket=bucket,
            Key=next(i["Key"] for i in artifacts["Contents"] if i["Key"].endswith("model.json")),
        )["Body"].read()
    )
    assert card["labels"] == sorted(shapes.SHAPES) and set(card["thresholds"]) == set(shapes.SHAPES)
    # the job's progress is in the step's log, one line per epoch (customlabels.training.progress)
    log = training_log(deployment, started_ms)
    assert any("progress phase=train epoch=1/" in line for line in log), log[-20:]
    assert any("progress phase=done" in line for line in log), log[-20:]


def test_a_detection_model_trains_on_an_automatic_test_split(
    rekognition: Any, s3: Any, bucket: str, prefix: str, new_project: Callable[[], str]
) -> None:
    pictures = shapes.box_pictures(count=36)
    uris = upload_pictures(s3, bucket, prefix, pictures)
    lines = [shapes.detection_line(uris[p.name], p) for p in pictures]
    project = new_project()
    create_dataset(
        rekognition, project, "TRAIN", put_manifest(s3, bucket, lines, key=f"{prefix}train.manifest")
    )
    output = {"S3Bucket": bucket, "S3KeyPrefix": f"{prefix}output/"}

    rekognition.create_project_version(ProjectArn=project, VersionName="boxes", OutputConfig=output)
    model, waited = wait_trained(rekognition, project, "boxes")
    assert model["Status"] == "TRAINING_COMPLETED"
    summary = read_json(s3, model["EvaluationResult"]["Summary"]["S3Object"])
    check_evaluation_summary(summary, detection=True)
    assert summary["EvaluationDetails"]["Labels"] == sorted(shapes.DETECTION_LABELS)
    # guide L5871: 20 % of the training images become the test set
    details = summary["EvaluationDetails"]
    assert (details["NumberOfTrainingImages"], details["NumberOfTestingImages"]) == (29, 7)
    print(f"\ndetection: F1 {model['EvaluationResult']['F1Score']:.3f}, trained in {waited:.0f} s")

    manifest_summary = read_json(s3, model["ManifestSummary"]["S3Object"])
    check_manifest_summary(manifest_summary)
    assert manifest_summary["statistics"]["testing"]["use_case"] == "OBJECT_LOCALIZATION"
    assert manifest_summary["statistics"]["testing"]["total_json_lines"] == 7
    testing_result = model["TestingDataResult"]
    assert testing_result["Input"] == {"AutoCreate": True}
    assert testing_result["Output"]["AutoCreate"] is True
    check_validation_manifest(read_text(s3, s3_object_of(testing_result, "Validation")))
    check_snapshot(read_text(s3, s3_object_of(testing_result, "Output")), detection=True)


def test_broken_manifests_fail_the_training_with_the_guides_messages(
    rekognition: Any,
    s3: Any,
    bucket: str,
    prefix: str,
    new_project: Callable[[], str],
    deployment: dict[str, str],
) -> None:
    pictures = shapes.shape_pictures(per_shape=4)
    uris = upload_pictures(s3, bucket, prefix, pictures)
    lines = [shapes.classification_line(uris[p.name], p.labels[0]) for p in pictures]
    broken = lines[:6] + ["{this line is not JSON"] * 3  # 33 % invalid: more than the guide's 20 % (L5411)
    training = {"Assets": [put_manifest(s3, bucket, broken, key=f"{prefix}broken.manifest")]}
    testing = {"Assets": [put_manifest(s3, bucket, lines[6:], key=f"{prefix}test.manifest")]}
    kms = deployment_client(deployment, "kms")
    key_id = kms.create_key(Description="e2e training outputs")["KeyMetadata"]["KeyId"]
    project = new_project()
    output = {"S3Bucket": bucket, "S3KeyPrefix": f"{prefix}output"}
    rekognition.create_project_version(
        ProjectArn=project,
        VersionName="broken",
        OutputConfig=output,
        TrainingData=training,
        TestingData=testing,
        KmsKeyId=key_id,
    )
    missing = {
        "Assets": [
            {"GroundTruthManifest": {"S3Object": {"Bucket": bucket, "Name": f"{prefix}none.manifest"}}}
        ]
    }
    rekognition.create_project_version(
        ProjectArn=project,
        VersionName="missing",
        OutputConfig=output,
        TrainingData=missing,
        TestingData=missing,
    )

    waiter = rekognition.get_waiter("project_version_training_completed")
    for version in ("broken", "missing"):
        with pytest.raises(WaiterError, match="terminal failure state"):
            waiter.wait(ProjectArn=project, VersionNames=[version], WaiterConfig=TRAINING_WAIT)

    failed = describe_version(rekognition, project, "broken")
    assert (failed["Status"], failed["StatusMessage"]) == (
        "TRAINING_FAILED",
        "The manifest file contains too many invalid rows.",
    )
    assert failed["KmsKeyId"] == key_id
    assert "EvaluationResult" not in failed and "BillableTrainingTimeInSeconds" not in failed
    location = failed["ManifestSummary"]["S3Object"]
    manifest_summary = read_json(s3, location)
    check_manifest_summary(manifest_summary)
    assert manifest_summary["statistics"]["training"]["errors"] == [
        {
            "code": "ERROR_TOO_MANY_INVALID_ROWS_IN_MANIFEST",
            "message": "The manifest file contains too many invalid rows.",
        }
    ]
    assert manifest_summary["statistics"]["training"]["error_json_line_indices"] == [7, 8, 9]
    head = s3.head_object(Bucket=location["Bucket"], Key=location["Name"])
    assert head["ServerSideEncryption"] == "aws:kms" and key_id in head["SSEKMSKeyId"]
    validated = check_validation_manifest(
        read_text(s3, s3_object_of(failed["TrainingDataResult"], "Validation"))
    )
    assert validated[6] == {
        "errors": [{"code": "ERROR_INVALID_JSON_LINE", "message": "The JSON Line has an invalid format."}]
    }

    # A terminal file error stops training before validation: no result files (guide L5629).
    nothing = describe_version(rekognition, project, "missing")
    assert (nothing["Status"], nothing["StatusMessage"]) == (
        "TRAINING_FAILED",
        "The manifest file extension or contents are invalid.",
    )
    assert "ManifestSummary" not in nothing
    assert nothing["TrainingDataResult"] == {"Input": missing}


@pytest.fixture
def short_training_step(deployment: dict[str, str]) -> Iterator[int]:
    """The TrainModel function cut to 75 s for one test (restored afterwards).

    The plan then gets about 37 s to train (customlabels.training.worker.time_budget): on a quiet
    machine the test's easy data would early-stop after about 22 epochs (about 50 s), so the time
    budget, not early stopping, must end it; a 120 s step left that a race (about 55 s budget).
    """
    client = deployment_client(deployment, "lambda")
    name = deployment["TrainingModelFunctionName"]
    original = client.get_function_configuration(FunctionName=name)["Timeout"]
    client.update_function_configuration(FunctionName=name, Timeout=75)
    client.get_waiter("function_updated").wait(FunctionName=name)
    try:
        yield 75
    finally:
        client.update_function_configuration(FunctionName=name, Timeout=original)
        client.get_waiter("function_updated").wait(FunctionName=name)


def test_a_training_that_would_outlast_its_step_stops_in_time_and_completes(
    rekognition: Any,
    s3: Any,
    bucket: str,
    prefix: str,
    new_project: Callable[[], str],
    short_training_step: int,
) -> None:
    pictures = shapes.shape_pictures(per_shape=80, seed=1)  # the plan asks for minutes of training
    uris = upload_pictures(s3, bucket, prefix, pictures)
    lines = [shapes.classification_line(uris[p.name], p.labels[0]) for p in pictures]
    training = {"Assets": [put_manifest(s3, bucket, lines, key=f"{prefix}train.manifest")]}
    project = new_project()
    rekognition.create_project_version(
        ProjectArn=project,
        VersionName="bounded",
        OutputConfig={"S3Bucket": bucket, "S3KeyPrefix": f"{prefix}output"},
        TrainingData=training,
        TestingData={"AutoCreate": True},
    )
    model, waited = wait_trained(rekognition, project, "bounded")
    assert model["Status"] == "TRAINING_COMPLETED"
    assert model["BillableTrainingTimeInSeconds"] < short_training_step
    (outcome_key,) = [
        item["Key"]
        for item in s3.list_objects_v2(Bucket=bucket, Prefix=f"artifacts/{project.split('/')[1]}/bounded/")[
            "Contents"
        ]
        if item["Key"].endswith("job/outcome.json")
    ]
    details = json.loads(s3.get_object(Bucket=bucket, Key=outcome_key)["Body"].read())["details"]
    assert details["stopped"] == "time_budget", details
    print(
        f"\nbounded: {details['epochs_run']} epochs in {model['BillableTrainingTimeInSeconds']} s of a "
        f"{short_training_step} s step, F1 {model['EvaluationResult']['F1Score']:.3f}, waited {waited:.0f} s"
    )
