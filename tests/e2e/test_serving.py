"""Serving end to end on the LocalStack deployment: a model trained here (in the test process, on
generated red and blue squares) is started with StartProjectVersion (the ``ProjectVersionRunning``
waiter), answers DetectCustomLabels through the API and through ``lambda.invoke`` alike, labels
20 images dropped under the batch prefix into 20 results and a results manifest, reports its
inference units to CloudWatch, and refuses to detect once stopped."""

from __future__ import annotations

import base64
import io
import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import numpy as np
import pytest
from PIL import Image

from customlabels.batch_manifest import manifest_key
from customlabels.manifests import parse_line
from customlabels.resources import arns
from customlabels.resources.artifacts import default_artifacts_prefix
from customlabels.resources.records import ProjectVersion
from customlabels.resources.repository import Repository
from customlabels.resources.status import ProjectVersionStatus
from customlabels.store import MetadataStore
from customlabels.training import job
from customlabels.training.entries import TrainingEntry
from tests.api.conftest import Seeder, make_client
from tests.e2e.projects import deployment_client, wait_for_version
from tests.platform.support import wait_for

pytestmark = pytest.mark.e2e

COLOURS = {"red": (220, 30, 30), "blue": (30, 30, 220)}
BATCH_IMAGES = 20


def square(label: str, seed: int, size: int = 96, fmt: str = "PNG") -> bytes:
    """A noisy canvas with one ``label``-coloured square, as the model was trained on."""
    rng = np.random.default_rng(seed)
    pixels = rng.integers(90, 160, (size, size, 3)).astype(np.uint8)
    side = int(rng.integers(size // 3, size // 2))
    top, left = rng.integers(0, size - side, 2)
    pixels[top : top + side, left : left + side] = COLOURS[label]
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, fmt)
    return buffer.getvalue()


@dataclass(frozen=True)
class Clients:
    s3: Any
    lambda_: Any
    cloudwatch: Any
    rekognition: Any


@pytest.fixture(scope="module")
def clients(deployment: dict[str, str]) -> Clients:
    return Clients(
        s3=deployment_client(deployment, "s3", max_pool_connections=16),
        lambda_=deployment_client(deployment, "lambda", read_timeout=120, retries={"max_attempts": 1}),
        cloudwatch=deployment_client(deployment, "cloudwatch"),
        rekognition=make_client(deployment["ApiEndpoint"], read_timeout=120),
    )


@pytest.fixture(scope="module")
def bucket(deployment: dict[str, str]) -> str:
    return deployment["DataBucketName"]


@pytest.fixture(scope="module")
def seed(clients: Clients, bucket: str) -> Seeder:
    return Seeder(Repository(MetadataStore(clients.s3, bucket)))


@pytest.fixture(scope="module")
def model_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A single-label red/blue classifier, trained and exported by the real training job (~1 s)."""
    folder = tmp_path_factory.mktemp("serving-model")
    entries = []
    for index in range(20):
        label = "red" if index % 2 == 0 else "blue"
        path = folder / f"train-{index:02d}.png"
        path.write_bytes(square(label, index, size=64))
        entries.append(TrainingEntry(str(path), (label,)))
    result = job.run(
        entries[:14],
        entries[14:],
        folder / "model",
        seed=0,
        threads=1,
        overrides={"architecture": "small_cnn", "epochs": 6, "learning_rate": 0.01},
    )
    return result.output_dir


@pytest.fixture(scope="module")
def project(clients: Clients, seed: Seeder) -> Iterator[str]:
    arn: str = clients.rekognition.create_project(ProjectName=f"serving-{uuid.uuid4().hex[:8]}")["ProjectArn"]
    yield arn
    repository = seed.repository
    for version in repository.all_versions(arn.split("/")[1]):
        repository.delete_version(version)
    clients.rekognition.delete_project(ProjectArn=arn)


def seed_trained(
    clients: Clients, bucket: str, seed: Seeder, project: str, name: str, model: Path | None
) -> str:
    """A TRAINING_COMPLETED model whose files (if any) are where training puts them."""
    ref = arns.parse_project_arn(project)
    assert ref is not None
    created_ms = ref.created_ms + 10 + len(name)
    prefix = default_artifacts_prefix(ref.project, name, created_ms)
    if model is not None:
        for file in ("model.onnx", "model.json"):
            clients.s3.upload_file(str(model / file), bucket, prefix + file)
    version: ProjectVersion = seed.version(
        project,
        name,
        ProjectVersionStatus.TRAINING_COMPLETED,
        created_ms=created_ms,
        status_message="The model is ready to run.",
        artifacts_prefix=prefix,
    )
    return version.arn


def version_name(model_arn: str) -> str:
    return model_arn.split("version/", 1)[1].rpartition("/")[0]  # the guide's sample, L7975


def describe(clients: Clients, project: str, model_arn: str) -> dict[str, Any]:
    found: dict[str, Any] = clients.rekognition.describe_project_versions(
        ProjectArn=project, VersionNames=[version_name(model_arn)]
    )["ProjectVersionDescriptions"][0]
    return found


def invoke(clients: Clients, deployment: dict[str, str], payload: dict[str, Any]) -> dict[str, Any]:
    reply = clients.lambda_.invoke(
        FunctionName=deployment["DetectFunctionName"], Payload=json.dumps(payload).encode()
    )
    assert "FunctionError" not in reply
    answer: dict[str, Any] = json.loads(reply["Payload"].read())
    return answer


@pytest.fixture(scope="module")
def running_model(clients: Clients, bucket: str, seed: Seeder, project: str, model_files: Path) -> str:
    """The trained model, started with MinInferenceUnits=1, MaxInferenceUnits=2 and waited for."""
    model_arn = seed_trained(clients, bucket, seed, project, "v1", model_files)
    started = clients.rekognition.start_project_version(
        ProjectVersionArn=model_arn, MinInferenceUnits=1, MaxInferenceUnits=2
    )
    assert started["Status"] == "STARTING"
    clock = time.monotonic()
    waiter = clients.rekognition.get_waiter("project_version_running")
    waiter.wait(ProjectArn=project, VersionNames=["v1"], WaiterConfig={"Delay": 1, "MaxAttempts": 90})
    print(f"\nSTARTING -> RUNNING in {time.monotonic() - clock:.1f} s")
    return model_arn


def test_a_started_model_runs_with_its_inference_units(
    clients: Clients, project: str, running_model: str
) -> None:
    described = describe(clients, project, running_model)
    assert described["Status"] == "RUNNING"
    assert described["StatusMessage"] == "The model is running."
    assert (described["MinInferenceUnits"], described["MaxInferenceUnits"]) == (1, 2)
    # guide: a running model cannot be started again, nor deleted
    with pytest.raises(clients.rekognition.exceptions.ResourceInUseException):
        clients.rekognition.start_project_version(ProjectVersionArn=running_model, MinInferenceUnits=1)
    with pytest.raises(clients.rekognition.exceptions.ResourceInUseException):
        clients.rekognition.delete_project_version(ProjectVersionArn=running_model)


def test_the_api_and_a_direct_invoke_give_the_same_answer(
    clients: Clients, deployment: dict[str, str], bucket: str, running_model: str
) -> None:
    image = square("red", 101)
    payload = {"ProjectVersionArn": running_model, "Image": {"Bytes": base64.b64encode(image).decode()}}
    timings: dict[str, list[int]] = {"API": [], "lambda.invoke": []}
    for _ in range(3):  # the first call after the start finds the detection function cold
        clock = time.perf_counter()
        through_api = clients.rekognition.detect_custom_labels(
            ProjectVersionArn=running_model, Image={"Bytes": image}
        )
        timings["API"].append(round((time.perf_counter() - clock) * 1000))
        clock = time.perf_counter()
        direct = invoke(clients, deployment, payload)
        timings["lambda.invoke"].append(round((time.perf_counter() - clock) * 1000))
    print(f"\nDetectCustomLabels ms, first call then warm: {timings}")
    del through_api["ResponseMetadata"]
    assert through_api == direct
    labels = direct["CustomLabels"]
    assert labels and labels[0]["Name"] == "red"  # default MinConfidence: each label's assumed threshold
    assert "Geometry" not in labels[0]  # an image-level label

    # Image.S3Object, MinConfidence=0 (every label, sorted), MaxResults
    key = f"serving-images/{uuid.uuid4().hex[:8]}.png"
    clients.s3.put_object(Bucket=bucket, Key=key, Body=square("blue", 102))
    every = clients.rekognition.detect_custom_labels(
        ProjectVersionArn=running_model, Image={"S3Object": {"Bucket": bucket, "Name": key}}, MinConfidence=0
    )["CustomLabels"]
    assert [label["Name"] for label in every] == ["blue", "red"]
    assert every[0]["Confidence"] >= every[1]["Confidence"]
    assert abs(sum(label["Confidence"] for label in every) - 100) < 0.01  # softmax, as percentages
    s3_payload = {
        "ProjectVersionArn": running_model,
        "Image": {"S3Object": {"Bucket": bucket, "Name": key}},
        "MinConfidence": 0,
        "MaxResults": 1,
    }
    assert invoke(clients, deployment, s3_payload)["CustomLabels"] == every[:1]


def test_a_copy_serves_what_its_source_serves(
    clients: Clients, bucket: str, project: str, running_model: str, new_project: Callable[[], str]
) -> None:
    """CopyProjectVersion of the running model into another project: COPYING_IN_PROGRESS, then
    COPYING_COMPLETED; started, the copy gives the source's answers, from files of its own."""
    rekognition = clients.rekognition
    destination = new_project()
    copy_arn = rekognition.copy_project_version(
        SourceProjectArn=project,
        SourceProjectVersionArn=running_model,
        DestinationProjectArn=destination,
        VersionName="v1-copy",
        OutputConfig={"S3Bucket": bucket, "S3KeyPrefix": f"copies-{uuid.uuid4().hex[:8]}"},
        Tags={"stage": "production"},
    )["ProjectVersionArn"]
    assert describe(clients, destination, copy_arn)["Status"] == "COPYING_IN_PROGRESS"
    clock = time.monotonic()
    copied = wait_for_version(
        rekognition, destination, "v1-copy", leaving="COPYING_IN_PROGRESS", timeout_s=120
    )
    assert (copied["Status"], copied["StatusMessage"], copied["SourceProjectVersionArn"]) == (
        "COPYING_COMPLETED",
        "The model is ready to run.",
        running_model,
    )
    print(f"\nCOPYING_IN_PROGRESS -> COPYING_COMPLETED in {time.monotonic() - clock:.1f} s")
    assert rekognition.list_tags_for_resource(ResourceArn=copy_arn)["Tags"] == {"stage": "production"}

    rekognition.start_project_version(ProjectVersionArn=copy_arn, MinInferenceUnits=1)
    rekognition.get_waiter("project_version_running").wait(
        ProjectArn=destination, VersionNames=["v1-copy"], WaiterConfig={"Delay": 1, "MaxAttempts": 90}
    )
    for index, colour in enumerate(("red", "blue", "red")):
        image = {"Bytes": square(colour, 400 + index)}
        source_labels = rekognition.detect_custom_labels(
            ProjectVersionArn=running_model, Image=image, MinConfidence=0
        )["CustomLabels"]
        copy_labels = rekognition.detect_custom_labels(
            ProjectVersionArn=copy_arn, Image=image, MinConfidence=0
        )["CustomLabels"]
        assert copy_labels == source_labels and copy_labels[0]["Name"] == colour
    rekognition.stop_project_version(ProjectVersionArn=copy_arn)
    stopped = wait_for_version(rekognition, destination, "v1-copy", leaving="STOPPING", timeout_s=60)
    assert stopped["Status"] == "STOPPED"


def test_every_detect_error_through_the_api_and_the_invoke(
    clients: Clients, deployment: dict[str, str], bucket: str, seed: Seeder, project: str, running_model: str
) -> None:
    rekognition = clients.rekognition
    gif = io.BytesIO()
    Image.new("RGB", (96, 96)).save(gif, "GIF")
    tiny = square("red", 103, size=32)
    missing = {"S3Object": {"Bucket": bucket, "Name": "serving-images/none.png"}}
    too_large = b"\x89PNG\r\n\x1a\n" + bytes(4 * 1024 * 1024)
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("InvalidImageFormatException", {"Bytes": gif.getvalue()}, running_model),
        ("ImageTooLargeException", {"Bytes": too_large}, running_model),
        ("InvalidS3ObjectException", missing, running_model),
        ("InvalidParameterException", {"Bytes": tiny}, running_model),  # under 64 px
        ("ResourceNotFoundException", {"Bytes": tiny}, running_model.rsplit("/", 1)[0] + "/1"),
    ]
    not_started = seed_trained(clients, bucket, seed, project, "idle", None)
    cases.append(("ResourceNotReadyException", {"Bytes": square("red", 104)}, not_started))
    for code, image, model_arn in cases:
        with pytest.raises(rekognition.exceptions.ClientError) as raised:
            rekognition.detect_custom_labels(ProjectVersionArn=model_arn, Image=image)
        assert raised.value.response["Error"]["Code"] == code, raised.value
        wire_image = {"Bytes": base64.b64encode(image["Bytes"]).decode()} if "Bytes" in image else image
        answer = invoke(clients, deployment, {"ProjectVersionArn": model_arn, "Image": wire_image})
        assert answer["__type"] == code and answer["message"], answer
    # the request is validated against the model like the API's
    answer = invoke(clients, deployment, {"ProjectVersionArn": running_model, "Image": {}, "MaxLabels": 10})
    assert answer["__type"] == "ValidationException"


def test_running_hours_and_units_reach_cloudwatch(
    clients: Clients, deployment: dict[str, str], project: str, running_model: str
) -> None:
    reply = clients.lambda_.invoke(FunctionName=deployment["MeteringFunctionName"], Payload=b"{}")
    assert json.loads(reply["Payload"].read())["ModelsReported"] >= 1
    now = datetime.now(UTC)
    dimensions = [
        {"Name": "ProjectName", "Value": project.split("/")[1]},
        {"Name": "VersionName", "Value": version_name(running_model)},
    ]
    for metric in ("InServiceInferenceUnits", "DesiredInferenceUnits"):
        datapoints = clients.cloudwatch.get_metric_statistics(
            Namespace=deployment["MetricsNamespace"],
            MetricName=metric,
            Dimensions=dimensions,
            StartTime=now - timedelta(hours=1),
            EndTime=now + timedelta(minutes=5),
            Period=3600,  # the guide's dashboard: Average per hour
            Statistics=["Average", "SampleCount"],
        )["Datapoints"]
        # one sample when the model started, one from the metering run just now (maybe in two periods)
        assert {point["Average"] for point in datapoints} == {1.0}, metric
        assert sum(point["SampleCount"] for point in datapoints) >= 2, metric


def test_batch_images_are_labeled_into_results_and_a_manifest(
    clients: Clients, deployment: dict[str, str], bucket: str, project: str, running_model: str
) -> None:
    project_name, name = project.split("/")[1], version_name(running_model)
    folder = f"{deployment['BatchInputPrefix']}{project_name}/{name}/"
    expected = {}
    for index in range(BATCH_IMAGES):
        label = "red" if index % 2 == 0 else "blue"
        key = f"{folder}shots/{index:02d}.png"
        clients.s3.put_object(Bucket=bucket, Key=key, Body=square(label, 200 + index))
        expected[f"s3://{bucket}/{key}"] = label
    bad_key = f"{folder}shots/broken.png"
    clients.s3.put_object(Bucket=bucket, Key=bad_key, Body=b"not an image")
    output = f"{deployment['BatchOutputPrefix']}{project_name}/{name}/"

    def results() -> list[dict[str, Any]] | None:
        listed = clients.s3.list_objects_v2(Bucket=bucket, Prefix=f"{output}shots/").get("Contents", [])
        if len(listed) < BATCH_IMAGES + 1:
            return None
        return [
            json.loads(clients.s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read())
            for item in listed
        ]

    documents = wait_for(results, timeout=120, interval=1)
    by_source = {document["source-ref"]: document for document in documents}
    assert by_source.pop(f"s3://{bucket}/{bad_key}")["Error"]["Code"] == "InvalidImageFormatException"
    assert set(by_source) == set(expected)
    for ref, document in by_source.items():  # what DetectCustomLabels answers for the same object
        image = {"S3Object": {"Bucket": bucket, "Name": ref.split("/", 3)[3]}}
        answer = clients.rekognition.detect_custom_labels(ProjectVersionArn=running_model, Image=image)
        assert document["CustomLabels"] == answer["CustomLabels"]
    top = {ref: [label["Name"] for label in doc["CustomLabels"][:1]] for ref, doc in by_source.items()}
    assert sum(top[ref] == [label] for ref, label in expected.items()) >= BATCH_IMAGES // 2  # a tiny model

    key = manifest_key(deployment["BatchOutputPrefix"], project_name, name)

    def manifest() -> list[str] | None:
        try:
            text = clients.s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()
        except clients.s3.exceptions.NoSuchKey:
            return None
        lines = text.splitlines()
        return lines if len(lines) == BATCH_IMAGES else None

    lines = wait_for(manifest, timeout=60, interval=1)
    assert sorted(json.loads(line)["source-ref"] for line in lines) == sorted(expected)
    for line in lines:  # Ground Truth lines the manifest parser accepts, with the model's top label
        entry = parse_line(line)
        assert entry is not None and entry.source_ref is not None and not entry.has_errors
        assert [label.class_name for label in entry.image_labels] == top[entry.source_ref]
        assert all(label.human_annotated == "no" for label in entry.image_labels)
    dead = boto3.client(
        "sqs",
        endpoint_url=deployment["EndpointUrl"],
        region_name=deployment["Region"],
        aws_access_key_id="test",
        aws_secret_access_key="test",
    ).get_queue_attributes(QueueUrl=deployment["BatchDeadLetterQueueUrl"], AttributeNames=["All"])
    assert dead["Attributes"]["ApproximateNumberOfMessages"] == "0"


def test_a_stopped_model_refuses_to_detect(
    clients: Clients, deployment: dict[str, str], bucket: str, project: str, running_model: str
) -> None:
    stopped = clients.rekognition.stop_project_version(ProjectVersionArn=running_model)
    assert stopped["Status"] == "STOPPING"

    def status() -> str | None:
        current = describe(clients, project, running_model)["Status"]
        return current if current == "STOPPED" else None

    wait_for(status, timeout=60, interval=0.5)
    assert describe(clients, project, running_model)["StatusMessage"] == "The model has stopped running."
    image = square("red", 300)
    with pytest.raises(clients.rekognition.exceptions.ResourceNotReadyException):
        clients.rekognition.detect_custom_labels(ProjectVersionArn=running_model, Image={"Bytes": image})
    payload = {"ProjectVersionArn": running_model, "Image": {"Bytes": base64.b64encode(image).decode()}}

    def refused() -> bool:  # a warm detection function trusts RUNNING for up to 2 s
        return invoke(clients, deployment, payload).get("__type") == "ResourceNotReadyException"

    wait_for(refused, timeout=10, interval=0.5)
    # batch labeling records the same error in the image's result
    project_name, name = project.split("/")[1], version_name(running_model)
    key = f"{deployment['BatchInputPrefix']}{project_name}/{name}/after-stop.png"
    clients.s3.put_object(Bucket=bucket, Key=key, Body=image)
    result_key = f"{deployment['BatchOutputPrefix']}{project_name}/{name}/after-stop.png.json"

    def result() -> dict[str, Any] | None:
        try:
            document: dict[str, Any] = json.loads(
                clients.s3.get_object(Bucket=bucket, Key=result_key)["Body"].read()
            )
        except clients.s3.exceptions.NoSuchKey:
            return None
        return document

    assert wait_for(result, timeout=60, interval=1)["Error"]["Code"] == "ResourceNotReadyException"


def test_a_model_without_files_fails_to_start(
    clients: Clients, bucket: str, seed: Seeder, project: str
) -> None:
    model_arn = seed_trained(clients, bucket, seed, project, "empty", None)
    clients.rekognition.start_project_version(ProjectVersionArn=model_arn, MinInferenceUnits=1)
    waiter = clients.rekognition.get_waiter("project_version_running")
    with pytest.raises(Exception, match="FAILED"):
        waiter.wait(ProjectArn=project, VersionNames=["empty"], WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    described = describe(clients, project, model_arn)
    assert described["Status"] == "FAILED"
    assert "model files" in described["StatusMessage"]
    # a FAILED model can be stopped, which releases whatever it held
    assert clients.rekognition.stop_project_version(ProjectVersionArn=model_arn)["Status"] == "STOPPING"
