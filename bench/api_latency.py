"""Benchmark: latency of DescribeProjects and DescribeProjectVersions over 1,000 projects.

The metadata store holds 1,000 projects (one of them with 50 models) in a LocalStack S3 bucket.
Each request is timed end to end, p50 and p99 over ``--iterations`` calls after a warm-up, in:

- ``direct``: ``Api.handle`` called in process (dispatch, validation, S3 reads, serialization),
  warm (the store's ETag cache holds the documents) and cold (a fresh API per call, as the first
  request of a new Lambda instance);
- ``http``: boto3's rekognition client against the in-process HTTP server, which goes through
  the same proxy-event path as the Lambda handler;
- ``apigw``: boto3 against ``$CUSTOMLABELS_API_ENDPOINT`` (a deployed stage, e.g. LocalStack's
  API Gateway → Lambda), when set, seeding ``$CUSTOMLABELS_DATA_BUCKET``.

Why listing stays cheap: project and model documents sit under creation-ordered keys, so a page
is one ListObjectsV2 call; only documents whose listed ETag the process has not cached are read,
in parallel (see ``customlabels.resources.repository``). A page's cost follows MaxResults, and
when warm it is one LIST, whatever the number of projects.

Prints a markdown table and writes ``bench/results/api_latency-<machine>-py<version>-<s3>.csv``.
Run from the repository root: ``PYTHONPATH=. .venv/bin/python bench/api_latency.py`` (LocalStack is
started if none answers on ``$CUSTOMLABELS_LOCALSTACK_PORT``; ``--iterations N`` to change the
sample size). PYTHONPATH is not needed once the package is installed.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import os
import platform
import re
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
import botocore
from botocore.config import Config

from bench.localstack_s3 import localstack
from customlabels import settings
from customlabels.api import Api, create_api
from customlabels.api.devserver import serve_in_background
from customlabels.resources import arns
from customlabels.resources.records import Project, ProjectVersion
from customlabels.resources.repository import Repository
from customlabels.resources.status import ProjectStatus, ProjectVersionStatus
from customlabels.store import MetadataStore

PROJECTS = 1_000
VERSIONS = 50
REGION = "us-east-1"
ACCOUNT = "123456789012"
RESULTS = Path(__file__).resolve().parent / "results"


@dataclasses.dataclass(frozen=True)
class Target:
    """One way of reaching the API, and where its metadata lives."""

    mode: str
    call: Callable[[str, dict[str, Any]], Any]
    repeat_limit: int | None = None  # fewer samples for slow modes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    args = parser.parse_args()

    with localstack() as (s3_url, s3_version):
        s3 = boto3.client(
            "s3",
            endpoint_url=s3_url,
            region_name=REGION,
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=Config(max_pool_connections=32),
        )
        rows: list[dict[str, Any]] = []
        for target, project_arn, cleanup in targets(s3):
            try:
                rows.extend(measure(target, project_arn, args.iterations, args.warmup))
            finally:
                cleanup()
        print(table(rows))
        path = write_csv(rows, s3_version)
        print(f"\nwrote {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")


def targets(s3: Any) -> Iterator[tuple[Target, str, Callable[[], None]]]:
    """In process (direct and HTTP) on a fresh bucket; then the deployed endpoint, if any."""
    bucket = f"customlabels-bench-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=bucket)
    local_settings = dataclasses.replace(
        settings.load(), data_bucket=bucket, region=REGION, account_id=ACCOUNT
    )
    api = create_api(local_settings, s3=s3)
    project_arn, _ = seed(Repository(MetadataStore(s3, bucket)), REGION, ACCOUNT)
    server = serve_in_background(api)
    yield Target("direct", direct_caller(api)), project_arn, lambda: None
    # A fresh API per call: what the first request of a new Lambda instance pays (empty cache).
    cold = Target(
        "direct, cold cache",
        lambda operation, request: direct_caller(create_api(local_settings, s3=s3))(operation, request),
        repeat_limit=30,
    )
    yield cold, project_arn, lambda: None
    http = boto3_caller(rekognition_client(server.url))
    yield Target("http (in-process server)", http), project_arn, lambda: stop(server, s3, bucket)

    endpoint = os.environ.get("CUSTOMLABELS_API_ENDPOINT")
    if endpoint:
        # Seed the deployment's bucket with its region and account, learnt from a real project.
        remote = rekognition_client(endpoint)
        anchor = remote.create_project(ProjectName=f"bench-{uuid.uuid4().hex[:8]}")["ProjectArn"]
        ref = arns.parse_project_arn(anchor)
        assert ref is not None
        repository = Repository(MetadataStore(s3, os.environ["CUSTOMLABELS_DATA_BUCKET"]))
        project_arn, seeded = seed(repository, ref.region, ref.account)

        def cleanup() -> None:
            remote.delete_project(ProjectArn=anchor)
            unseed(repository, seeded)

        yield Target("apigw (CUSTOMLABELS_API_ENDPOINT)", boto3_caller(remote)), project_arn, cleanup


def seed(repository: Repository, region: str, account: str) -> tuple[str, list[Project]]:
    """1,000 projects with unique names, the newest with 50 models; returns its ARN and all of them."""
    run = uuid.uuid4().hex[:6]
    base = int(time.time() * 1000) - PROJECTS
    projects = [
        Project(region, account, f"bench-{run}-{index:04d}", base + index, ProjectStatus.CREATED)
        for index in range(PROJECTS)
    ]
    target = projects[-1]
    result = {"F1Score": 0.9, "Summary": {"S3Object": {"Bucket": "bench-bucket", "Name": "summary.json"}}}
    versions = [
        ProjectVersion(
            region,
            account,
            target.name,
            f"v{index:02d}",
            target.created_ms + 1 + index,
            ProjectVersionStatus.TRAINING_COMPLETED,
            "The model is ready to run.",
            output_config={"S3Bucket": "bench-bucket", "S3KeyPrefix": "out/"},
            evaluation_result=result,
        )
        for index in range(VERSIONS)
    ]
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(repository.create_project, projects))
        list(pool.map(repository.create_version, versions))
    return target.arn, projects


def unseed(repository: Repository, projects: list[Project]) -> None:
    """Remove what :func:`seed` wrote into a shared bucket."""
    for version in repository.all_versions(projects[-1].name):
        repository.delete_version(version)
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(repository.delete_project, projects))


def measure(target: Target, project_arn: str, iterations: int, warmup: int) -> list[dict[str, Any]]:
    name = project_arn.split("/")[1]
    requests: list[tuple[str, str, dict[str, Any]]] = [
        ("DescribeProjects", "MaxResults=100 (first page)", {"MaxResults": 100}),
        ("DescribeProjects", "MaxResults=10", {"MaxResults": 10}),
        ("DescribeProjects", "ProjectNames=[one]", {"ProjectNames": [name]}),
        ("DescribeProjectVersions", f"{VERSIONS} models", {"ProjectArn": project_arn}),
        (
            "DescribeProjectVersions",
            "VersionNames=[one]",
            {"ProjectArn": project_arn, "VersionNames": ["v07"]},
        ),
    ]
    rows = []
    iterations = min(iterations, target.repeat_limit or iterations)
    for operation, case, request in requests:
        for _ in range(warmup):
            target.call(operation, request)
        samples = []
        for _ in range(iterations):
            start = time.perf_counter()
            target.call(operation, request)
            samples.append((time.perf_counter() - start) * 1000)
        samples.sort()
        rows.append(
            {
                "mode": target.mode,
                "operation": operation,
                "case": case,
                "iterations": iterations,
                "p50_ms": round(statistics.median(samples), 2),
                "p99_ms": round(samples[min(len(samples) - 1, int(len(samples) * 0.99))], 2),
                "projects": PROJECTS,
            }
        )
    return rows


def direct_caller(api: Api) -> Callable[[str, dict[str, Any]], Any]:
    def call(operation: str, request: dict[str, Any]) -> Any:
        response = api.handle(f"RekognitionService.{operation}", json.dumps(request))
        if response.status != 200:
            raise RuntimeError(response.body.decode())
        return json.loads(response.body)

    return call


def boto3_caller(client: Any) -> Callable[[str, dict[str, Any]], Any]:
    def call(operation: str, request: dict[str, Any]) -> Any:
        return getattr(client, botocore.xform_name(operation))(**request)

    return call


def rekognition_client(endpoint_url: str) -> Any:
    return boto3.client(
        "rekognition",
        endpoint_url=endpoint_url,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"mode": "standard", "max_attempts": 1}),
    )


def stop(server: Any, s3: Any, bucket: str) -> None:
    server.shutdown()
    server.server_close()
    paginator = s3.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=bucket):
        keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
        if keys:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
    s3.delete_bucket(Bucket=bucket)


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        f"DescribeProjects / DescribeProjectVersions latency, {PROJECTS:,} projects ({machine_name()}, "
        f"Python {platform.python_version()}, boto3 {boto3.__version__})",
        "",
        "| mode | operation | case | p50 ms | p99 ms |",
        "|---|---|---|---:|---:|",
    ]
    lines += [
        f"| {r['mode']} | {r['operation']} | {r['case']} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} |"
        for r in rows
    ]
    return "\n".join(lines)


def write_csv(rows: list[dict[str, Any]], s3_version: str) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"api_latency-{machine_name()}-py{platform.python_version()}-{s3_version}.csv"
    fields = [*rows[0], "python", "boto3", "machine"]
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {
                    **row,
                    "python": platform.python_version(),
                    "boto3": boto3.__version__,
                    "machine": machine_name(),
                }
            )
    return path


def machine_name() -> str:
    model = platform.processor() or platform.machine()
    try:
        text = Path("/proc/cpuinfo").read_text()
        found = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
        model = found.group(1) if found else model
    except OSError:
        pass
    slug = re.sub(r"\(r\)|\(tm\)|cpu|@.*$", "", model.lower())
    slug = re.sub(r"[^a-z0-9]+", "-", slug).strip("-")
    return f"{slug}-{os.cpu_count()}cpu"


if __name__ == "__main__":
    main()
