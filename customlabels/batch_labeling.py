"""S3-triggered batch labeling: where inputs and results live, and labeling one object.

An image uploaded to ``<input prefix><project>/<version>/<path>`` is labeled by that
project's model version while it is RUNNING; its result is written to
``<output prefix><project>/<version>/<path>.json``: the DetectCustomLabels response, or the
service's error (``ResourceNotReadyException`` for a model that is not running,
``InvalidImageFormatException`` for a file that is no image, ...). The result key is derived from
the input key, so a re-delivered message overwrites the same result instead of adding a second one.
Every labeled image also gets a line in the version's results manifest
(:mod:`customlabels.batch_manifest`), ready to be corrected and fed back with UpdateDatasetEntries.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import unquote_plus


class LabelingError(Exception):
    """A failure to label one image, reported in its result (the service's error name and message)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Labeled:
    """What the model said about one image.

    Attributes:
        response: the DetectCustomLabels response (``{"CustomLabels": [...]}``).
        task: the model's task (``single_label``, ``multi_label`` or ``detection``), which decides
            the form of the image's manifest line.
        image_size: ``(width, height)`` of the upright image, to turn box ratios into pixels.
    """

    response: dict[str, Any]
    task: str
    image_size: tuple[int, int]


class Labeler(Protocol):
    def __call__(self, project: str, version: str, image: bytes) -> Labeled:
        """Label the image with the model; raise LabelingError on failure."""
        ...


@dataclass(frozen=True)
class BatchItem:
    bucket: str
    key: str
    project: str
    version: str
    path: str

    @property
    def source_ref(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    def result_key(self, output_prefix: str) -> str:
        return f"{output_prefix}{self.project}/{self.version}/{self.path}.json"


@dataclass(frozen=True)
class Outcome:
    """One labeled object: its result document, and the model's answer unless it failed."""

    item: BatchItem
    result: dict[str, Any]
    labeled: Labeled | None


def parse_item(bucket: str, key: str, input_prefix: str) -> BatchItem:
    """Split an input key into project, version and path; ValueError if it is not one."""
    if not key.startswith(input_prefix):
        raise ValueError(f"{key!r} is not under the batch input prefix {input_prefix!r}")
    parts = key[len(input_prefix) :].split("/", 2)
    if len(parts) != 3 or not all(parts):
        raise ValueError(f"expected {input_prefix}<project>/<version>/<image>, got {key!r}")
    return BatchItem(bucket, key, parts[0], parts[1], parts[2])


def s3_records(sqs_body: str) -> Iterator[tuple[str, str]]:
    """(bucket, key) of each ObjectCreated record in an S3 notification carried by SQS.

    S3 also sends an ``s3:TestEvent`` when the notification is configured; it has no records.
    """
    message = json.loads(sqs_body)
    for record in message.get("Records", []):
        s3 = record["s3"]
        yield s3["bucket"]["name"], unquote_plus(s3["object"]["key"])


def label_object(s3: Any, item: BatchItem, labeler: Labeler, output_prefix: str) -> Outcome:
    """Label one uploaded image and write its result document.

    A bad image or an unavailable model produces an error result rather than an
    exception, so that the message is not retried forever and nothing is lost.
    """
    result: dict[str, Any] = {"source-ref": item.source_ref, "Project": item.project, "Version": item.version}
    labeled: Labeled | None = None
    try:
        image = s3.get_object(Bucket=item.bucket, Key=item.key)["Body"].read()
        labeled = labeler(item.project, item.version, image)
        result.update(labeled.response)
    except LabelingError as error:
        result["Error"] = {"Code": error.code, "Message": error.message}
    s3.put_object(
        Bucket=item.bucket,
        Key=item.result_key(output_prefix),
        Body=json.dumps(result, indent=2).encode(),
        ContentType="application/json",
    )
    return Outcome(item, result, labeled)
