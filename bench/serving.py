"""Benchmark: DetectCustomLabels through the API against a direct ``lambda.invoke``, and cold starts.

Against a deployed stack (``make up`` or the e2e fixture; its outputs in ``.local/outputs.json``),
with a small single-label model trained here by the real training job and started with
StartProjectVersion:

- ``start``: StartProjectVersion until DescribeProjectVersions shows RUNNING (the hosting state
  machine: LoadModel, capacity, MarkRunning);
- ``warm``: p50/p90 of DetectCustomLabels with ``Image.Bytes`` (a 96x96 PNG) through the API
  (boto3 → API Gateway → API function → ``lambda.invoke`` → detection function) and by invoking
  the detection function directly, after a warm-up;
- ``cold``: the first invoke of a fresh detection function environment (its configuration is
  touched so that Lambda starts a new one): with the model's files already in /tmp, and with them
  removed (downloaded from S3 first), as a new container on AWS would find them.

Prints a markdown table and writes ``bench/results/serving-<machine>-py<version>-<target>.csv``.
Run from the repository root: ``make bench-serving`` (deploys first), or
``python -m bench.serving [--outputs PATH]``.
On LocalStack the functions run as host processes, so "cold" is a new process importing our
handler and loading the model, without Lambda's own sandbox start.
"""

from __future__ import annotations

import argparse
import base64
import csv
import io
import json
import os
import platform
import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import numpy as np
from botocore.config import Config
from onnxruntime import __version__ as ort_version
from PIL import Image

from customlabels.inference.cache import DEFAULT_MODEL_CACHE_DIR, ModelCache
from customlabels.resources import arns
from customlabels.resources.artifacts import default_artifacts_prefix
from customlabels.resources.records import ProjectVersion
from customlabels.resources.repository import Repository
from customlabels.resources.status import ProjectVersionStatus
from customlabels.store import MetadataStore
from customlabels.training import job
from customlabels.training.entries import TrainingEntry

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
COLOURS = {"red": (220, 30, 30), "blue": (30, 30, 220)}


def square(label: str, seed: int, size: int) -> bytes:
    rng = np.random.default_rng(seed)
    pixels = rng.integers(90, 160, (size, size, 3)).astype(np.uint8)
    side = size // 3
    pixels[side : 2 * side, side : 2 * side] = COLOURS[label]
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG")
    return buffer.getvalue()


def train(folder: Path) -> Path:
    entries = []
    for index in range(20):
        label = "red" if index % 2 == 0 else "blue"
        path = folder / f"{index:02d}.png"
        path.write_bytes(square(label, index, 64))
        entries.append(TrainingEntry(str(path), (label,)))
    overrides = {"architecture": "small_cnn", "epochs": 4, "learning_rate": 0.01}
    return job.run(
        entries[:14], entries[14:], folder / "model", seed=0, threads=1, overrides=overrides
    ).output_dir


def timed(call: Callable[[], Any]) -> float:
    clock = time.perf_counter()
    call()
    return (time.perf_counter() - clock) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outputs", type=Path, default=REPO / ".local" / "outputs.json")
    parser.add_argument("--iterations", type=int, default=50)
    parser.add_argument("--cold-starts", type=int, default=3)
    args = parser.parse_args()
    outputs = json.loads(args.outputs.read_text())
    session = boto3.Session(
        aws_access_key_id="test", aws_secret_access_key="test", region_name=outputs["Region"]
    )
    config = Config(read_timeout=120, retries={"max_attempts": 1})
    s3 = session.client("s3", endpoint_url=outputs["EndpointUrl"])
    lambda_client = session.client("lambda", endpoint_url=outputs["EndpointUrl"], config=config)
    rekognition = session.client("rekognition", endpoint_url=outputs["ApiEndpoint"], config=config)
    bucket, function = outputs["DataBucketName"], outputs["DetectFunctionName"]
    repository = Repository(MetadataStore(s3, bucket))
    rows: list[dict[str, Any]] = []

    project = rekognition.create_project(ProjectName=f"bench-serving-{uuid.uuid4().hex[:8]}")["ProjectArn"]
    ref = arns.parse_project_arn(project)
    assert ref is not None
    with tempfile.TemporaryDirectory() as scratch:
        model_dir = train(Path(scratch))
        created_ms = ref.created_ms + 1
        prefix = default_artifacts_prefix(ref.project, "v1", created_ms)
        for name in ("model.onnx", "model.json"):
            s3.upload_file(str(model_dir / name), bucket, prefix + name)
    version = ProjectVersion(
        region=ref.region,
        account=ref.account,
        project_name=ref.project,
        name="v1",
        created_ms=created_ms,
        status=ProjectVersionStatus.TRAINING_COMPLETED,
        status_message="The model is ready to run.",
        artifacts_prefix=prefix,
    )
    repository.create_version(version)
    try:
        clock = time.perf_counter()
        rekognition.start_project_version(ProjectVersionArn=version.arn, MinInferenceUnits=1)
        waiter = rekognition.get_waiter("project_version_running")
        waiter.wait(ProjectArn=project, VersionNames=["v1"], WaiterConfig={"Delay": 0.2, "MaxAttempts": 600})
        rows.append(
            {
                "case": "start",
                "path": "StartProjectVersion to RUNNING",
                "p50_ms": (time.perf_counter() - clock) * 1000,
            }
        )

        image = square("red", 99, 96)
        payload = json.dumps(
            {"ProjectVersionArn": version.arn, "Image": {"Bytes": base64.b64encode(image).decode()}}
        )

        def invoke() -> None:
            reply = lambda_client.invoke(FunctionName=function, Payload=payload.encode())
            answer = json.loads(reply["Payload"].read())
            assert "CustomLabels" in answer, answer

        def through_api() -> None:
            rekognition.detect_custom_labels(ProjectVersionArn=version.arn, Image={"Bytes": image})

        for route, call in (("lambda.invoke", invoke), ("API", through_api)):
            for _ in range(5):
                call()
            samples = sorted(timed(call) for _ in range(args.iterations))
            rows.append(
                {
                    "case": "warm",
                    "path": route,
                    "p50_ms": statistics.median(samples),
                    "p90_ms": samples[int(0.9 * (len(samples) - 1))],
                    "n": len(samples),
                }
            )

        stored = repository.get_version(ref.project, "v1")
        assert stored is not None
        local_dir = ModelCache(lambda *_: None, DEFAULT_MODEL_CACHE_DIR).local_dir(
            stored.arn, stored.serving_etag or str(stored.created_ms)
        )
        for files in ("in /tmp", "downloaded"):
            samples = []
            for attempt in range(args.cold_starts):
                if files == "downloaded":
                    shutil.rmtree(local_dir, ignore_errors=True)
                _new_environment(lambda_client, function, f"{files}-{attempt}-{uuid.uuid4().hex[:6]}")
                samples.append(timed(invoke))
            rows.append(
                {
                    "case": "cold",
                    "path": f"lambda.invoke, model files {files}",
                    "p50_ms": statistics.median(samples),
                    "p90_ms": max(samples),
                    "n": len(samples),
                }
            )
    finally:
        rekognition.stop_project_version(ProjectVersionArn=version.arn)
        for _ in range(300):
            current = repository.get_version(ref.project, "v1")
            if current is None or current.status == ProjectVersionStatus.STOPPED:
                break
            time.sleep(0.2)
        rekognition.delete_project_version(ProjectVersionArn=version.arn)
        rekognition.delete_project(ProjectArn=project)

    machine = f"{platform.machine()}-{_cpus()}cpu-py{platform.python_version()}-ort{ort_version}-localstack"
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"serving-{machine}.csv"
    fields = ["case", "path", "p50_ms", "p90_ms", "n"]
    with path.open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=fields)
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {key: round(value, 1) if isinstance(value, float) else value for key, value in row.items()}
            )
    print("| case | path | p50 ms | p90 ms | n |\n|---|---|---|---|---|")
    for row in rows:
        p90 = row.get("p90_ms", row["p50_ms"])
        print(f"| {row['case']} | {row['path']} | {row['p50_ms']:.0f} | {p90:.0f} | {row.get('n', 1)} |")
    print(f"\nwritten {path.relative_to(REPO)}")


def _new_environment(lambda_client: Any, function: str, marker: str) -> None:
    """Touch the function's configuration: Lambda starts the next invocation in a new environment."""
    configuration = lambda_client.get_function_configuration(FunctionName=function)
    variables = {**configuration["Environment"]["Variables"], "CUSTOMLABELS_BENCH_ENVIRONMENT": marker}
    lambda_client.update_function_configuration(FunctionName=function, Environment={"Variables": variables})
    for _ in range(600):
        state = lambda_client.get_function_configuration(FunctionName=function)
        if state.get("LastUpdateStatus") == "Successful":
            return
        time.sleep(0.1)
    raise TimeoutError(f"{function} was not updated")


def _cpus() -> int:
    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    main()
