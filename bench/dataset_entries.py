"""What reading a dataset costs: the revision index against parsing the stored JSON Lines.

ListDatasetEntries, ListDatasetLabels and DescribeDataset run in the API function on every call.
This measures, for datasets of growing size (object-detection lines of about 500 bytes, 2 boxes,
10 labels, 5 % with errors), on LocalStack's S3 (started if none answers):

- ``build``: the pipeline's cost to serialize and index a revision (once per operation);
- ``parse``: parsing every stored line, what a reader would pay without the index;
- ``index_load``: reading the stored index (a cold API process; then it is cached by key);
- ``page_first``/``page_filtered``: one ListDatasetEntries page of 100 with a warm index
  (no filter; ``ContainsLabels`` of a label on 10 % of the entries, from the middle);
- ``labels_first``/``labels``: ListDatasetLabels' statistics from the index, the first time
  (computed over every row) and then (kept with the cached index).

Writes ``bench/results/dataset_entries-<machine>.csv`` and ``.md``.
"""

from __future__ import annotations

import csv
import json
import os
import platform
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3

from bench.localstack_s3 import localstack
from customlabels.datasets.backend import StoredEntries
from customlabels.datasets.entry_store import EntryStore
from customlabels.datasets.revision import build_revision
from customlabels.manifests import import_lines, list_dataset_labels, load_entries
from customlabels.resources.records import Dataset
from customlabels.resources.status import DatasetStatus

SIZES = (1_000, 10_000, 50_000)
RESULTS = Path(__file__).parent / "results"


def line(number: int) -> str:
    labels = [f"label{number % 10}", f"label{(number * 7) % 10}"]
    left = 700 if number % 20 == 0 else 10  # 5 % off frame: ERROR_INVALID_BOUNDING_BOX
    return json.dumps(
        {
            "source-ref": f"s3://bench-bucket/images/{number:06d}.jpg",
            "bounding-box": {
                "image_size": [{"width": 640, "height": 480, "depth": 3}],
                "annotations": [
                    {"class_id": 0, "top": 10, "left": left, "width": 100, "height": 80},
                    {"class_id": 1, "top": 200, "left": 300, "width": 120, "height": 90},
                ],
            },
            "bounding-box-metadata": {
                "objects": [{"confidence": 1}, {"confidence": 1}],
                "class-map": {"0": labels[0], "1": labels[1]},
                "type": "groundtruth/object-detection",
                "human-annotated": "yes",
                "creation-date": "2026-11-26T00:00:00",
                "job-name": "bench",
            },
        }
    )


def seconds(call: Callable[[], Any], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - started)
    return best


def measure(s3: Any, bucket: str, size: int) -> dict[str, Any]:
    entries = import_lines([line(n) for n in range(size)]).entries
    revision = build_revision(entries)
    store = EntryStore(s3, bucket)
    key = "_meta/datasets/bench/train/1/revisions/created.jsonl"
    store.write_revision(key, revision)
    dataset = Dataset(
        "us-east-1", "123456789012", "bench", "TRAIN", 1, DatasetStatus.CREATE_COMPLETE, "", None, 1
    )
    dataset.entries_key = key
    api = StoredEntries(store, None)
    body_lines = revision.body.decode().splitlines()

    def cold_index() -> None:
        EntryStore(s3, bucket).index(key)

    middle = {"next": size // 2}
    return {
        "entries": size,
        "body_MB": round(len(revision.body) / 1e6, 2),
        "index_MB": round(len(revision.index.to_bytes()) / 1e6, 2),
        "build_s": round(seconds(lambda: build_revision(entries), 1), 3),
        "parse_s": round(seconds(lambda: load_entries(body_lines), 1), 3),
        "index_load_s": round(seconds(cold_index), 3),
        "page_first_ms": round(1000 * seconds(lambda: api.list_entries(dataset, {}, None, 100)), 2),
        "page_filtered_ms": round(
            1000 * seconds(lambda: api.list_entries(dataset, {"ContainsLabels": ["label3"]}, middle, 100)), 2
        ),
        "labels_first_ms": round(1000 * seconds(lambda: list_dataset_labels(revision.index.rows)), 2),
        "labels_ms": round(1000 * seconds(lambda: api.list_labels(dataset, None, 100)), 2),
    }


def main() -> None:
    with localstack() as (url, _version):
        s3 = boto3.client(
            "s3",
            endpoint_url=url,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )
        bucket = f"customlabels-bench-{uuid.uuid4().hex[:8]}"
        s3.create_bucket(Bucket=bucket)
        rows = [measure(s3, bucket, size) for size in SIZES]
    machine = f"{platform.machine()}-{os.cpu_count()}cpu-py{platform.python_version()}"
    RESULTS.mkdir(exist_ok=True)
    stem = RESULTS / f"dataset_entries-{machine}"
    with open(f"{stem}.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    header = "| " + " | ".join(rows[0]) + " |"
    table = [header, "|" + "---|" * len(rows[0])] + [
        "| " + " | ".join(str(v) for v in row.values()) + " |" for row in rows
    ]
    Path(f"{stem}.md").write_text(f"# dataset entries, {machine}\n\n" + "\n".join(table) + "\n")
    print("\n".join(table))


if __name__ == "__main__":
    main()
