"""The batch results manifest on real S3: concurrent batches merge their lines without losing any."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from customlabels.batch_manifest import ResultsManifest
from tests.store.conftest import Bucket

KEY = "batch-output/p/v1/results.manifest"


def line(name: str, label: str = "cat") -> str:
    return json.dumps({"source-ref": f"s3://data/batch-input/p/v1/{name}.png", label: 1})


def test_concurrent_batches_keep_every_line_once(s3: Any, admin_s3: Any, bucket: Bucket) -> None:
    def batch(number: int) -> int:
        client = s3 if number % 2 else admin_s3  # two clients, as two Lambda containers
        changes: dict[str, str | None] = {}
        for index in range(5):
            text = line(f"{number}-{index}")
            changes[json.loads(text)["source-ref"]] = text
        shared = line("shared", label=f"label{number}")  # every batch re-delivers one image
        changes[json.loads(shared)["source-ref"]] = shared
        return ResultsManifest(client, bucket.name, KEY, sleep=lambda _: None).update(changes)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(batch, range(8)))
    lines = s3.get_object(Bucket=bucket.name, Key=KEY)["Body"].read().decode().splitlines()
    refs = [json.loads(text)["source-ref"] for text in lines]
    assert len(refs) == len(set(refs)) == 8 * 5 + 1
    assert refs == sorted(refs)


def test_an_image_whose_result_became_an_error_loses_its_line(s3: Any, bucket: Bucket) -> None:
    manifest = ResultsManifest(s3, bucket.name, KEY)
    a, b = (f"s3://data/batch-input/p/v1/{name}.png" for name in "ab")
    assert manifest.update({a: line("a"), b: line("b")}) == 2
    assert manifest.update({a: None}) == 1
