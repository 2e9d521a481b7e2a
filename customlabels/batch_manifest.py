"""The results manifest of batch labeling: the model's answers as Ground Truth lines to correct and feed back.

``<output prefix><project>/<version>/results.manifest`` holds one JSON Line per image whose latest
result is a success, in the guide's manifest format (L2910-3187), sorted by ``source-ref``: an
image-level attribute per label for classification models (the label is the attribute name, as
the CSV and folder importers write them), one ``bounding-box`` attribute with pixel boxes for
detection models, and only ``source-ref`` when the model found nothing (an unlabeled image, guide
L2335). Labels are marked ``human-annotated: no`` with the model's confidence. After review, the
file (or some of its lines) is what UpdateDatasetEntries takes to add the images to a dataset.

Concurrent SQS batches update the same object, so each batch merges its lines in with a
conditional write (``If-Match`` the ETag it read, ``If-None-Match: *`` for the first write) and
re-reads and re-merges when another batch won: no line is lost. Lines are keyed by
``source-ref``, so a re-delivered message or a re-uploaded image replaces its line instead of
adding one, and an image whose latest result is an error loses its line. Each batch of up to ten
images rewrites the object once, which suits manifests of up to some tens of thousands of lines;
the per-image result documents stay the record of every answer.
"""

from __future__ import annotations

import json
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from customlabels.batch_labeling import Labeled, Outcome
from customlabels.manifests.csv_manifest import CSV_DATE_FORMAT
from customlabels.manifests.model import BoundingBox, BoundingBoxAttribute, ImageLevelLabel, ManifestEntry
from customlabels.manifests.serializer import entry_to_line

MANIFEST_NAME = "results.manifest"
JOB_NAME = "labeling-job/customlabels-batch"
BOX_ATTRIBUTE = "bounding-box"  # the attribute name the guide's examples and scripts use
_REFUSED = {"PreconditionFailed", "ConditionalRequestConflict", "412", "409"}
_MISSING = {"NoSuchKey", "404", "NotFound"}


class ManifestConflict(Exception):
    """The manifest kept changing under this writer; the batch is retried later."""


def manifest_key(output_prefix: str, project: str, version: str) -> str:
    """Where the results manifest of ``project``'s ``version`` lives."""
    return f"{output_prefix}{project}/{version}/{MANIFEST_NAME}"


def creation_date(now: datetime) -> str:
    """``creation-date`` as the guide writes it (``2019-11-12T01:18:14.271``)."""
    return now.strftime(CSV_DATE_FORMAT)[:-3]


def ground_truth_line(source_ref: str, labeled: Labeled, created: str) -> str:
    """The manifest line for one labeled image (see the module docstring for the form)."""
    labels: list[dict[str, Any]] = labeled.response.get("CustomLabels", [])
    entry = ManifestEntry(source_ref)
    if labeled.task == "detection":
        boxes = [label for label in labels if "Geometry" in label]
        if boxes:
            entry.attributes.append(_box_attribute(boxes, labeled.image_size, created))
    else:
        # Single-label models answer one label per image; the best one, as evaluation counts it.
        chosen = labels[:1] if labeled.task == "single_label" else labels
        entry.attributes.extend(
            ImageLevelLabel(
                attribute=label["Name"],
                class_name=label["Name"],
                confidence=_ratio(label["Confidence"]),
                human_annotated="no",
                creation_date=created,
                job_name=JOB_NAME,
            )
            for label in chosen
        )
    return entry_to_line(entry)


def _box_attribute(labels: list[dict[str, Any]], size: tuple[int, int], created: str) -> BoundingBoxAttribute:
    width, height = size
    names = sorted({label["Name"] for label in labels})
    class_ids = {name: index for index, name in enumerate(names)}
    boxes = []
    for label in labels:
        box = label["Geometry"]["BoundingBox"]
        boxes.append(
            BoundingBox(
                class_id=class_ids[label["Name"]],
                left=round(box["Left"] * width),
                top=round(box["Top"] * height),
                width=round(box["Width"] * width),
                height=round(box["Height"] * height),
                label=label["Name"],
                confidence=_ratio(label["Confidence"]),
            )
        )
    return BoundingBoxAttribute(
        attribute=BOX_ATTRIBUTE,
        image_width=width,
        image_height=height,
        image_depth=3,
        boxes=boxes,
        class_map={str(index): name for name, index in class_ids.items()},
        human_annotated="no",
        creation_date=created,
        job_name=JOB_NAME,
    )


def _ratio(confidence: float) -> float:
    """A 0-100 ``Confidence`` as Ground Truth's 0..1 ``confidence``."""
    return round(float(confidence) / 100.0, 4)


def merge(text: str, changes: Mapping[str, str | None]) -> str:
    """``text`` (a manifest) with each ``source-ref`` of ``changes`` set to its line, or removed for None."""
    lines: dict[str, str] = {}
    for existing in text.splitlines():
        if existing.strip():
            lines[json.loads(existing)["source-ref"]] = existing
    for source_ref, line in changes.items():
        if line is None:
            lines.pop(source_ref, None)
        else:
            lines[source_ref] = line
    return "".join(f"{lines[source_ref]}\n" for source_ref in sorted(lines))


class ResultsManifest:
    """One results manifest object, updated with conditional writes.

    Args:
        s3: boto3 S3 client.
        bucket, key: the object (:func:`manifest_key`).
        max_attempts: merges to try before giving up with ManifestConflict.
        sleep: waits between attempts (tests pass a recording one).
    """

    def __init__(
        self,
        s3: Any,
        bucket: str,
        key: str,
        *,
        max_attempts: int = 20,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._s3 = s3
        self._bucket = bucket
        self._key = key
        self._max_attempts = max_attempts
        self._sleep = sleep

    def update(self, changes: Mapping[str, str | None]) -> int:
        """Merge ``changes`` into the manifest; returns its number of lines.

        Raises:
            ManifestConflict: every attempt lost a race with another writer.
        """
        for attempt in range(self._max_attempts):
            text, etag = self._read()
            merged = merge(text, changes)
            condition = {"IfMatch": etag} if etag else {"IfNoneMatch": "*"}
            try:
                self._s3.put_object(
                    Bucket=self._bucket,
                    Key=self._key,
                    Body=merged.encode("utf-8"),
                    ContentType="application/jsonlines",
                    **condition,
                )
            except ClientError as error:
                if _code(error) not in _REFUSED:
                    raise
                self._sleep(random.uniform(0, min(1.0, 0.02 * 2**attempt)))
                continue
            return merged.count("\n")
        raise ManifestConflict(f"s3://{self._bucket}/{self._key}: gave up after {self._max_attempts} races")

    def _read(self) -> tuple[str, str | None]:
        try:
            reply = self._s3.get_object(Bucket=self._bucket, Key=self._key)
        except ClientError as error:
            if _code(error) in _MISSING:
                return "", None
            raise
        return reply["Body"].read().decode("utf-8"), reply["ETag"]


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def record_outcomes(
    s3: Any, output_prefix: str, outcomes: Iterable[Outcome], now: datetime
) -> dict[str, int]:
    """Merge the lines of ``outcomes`` into their models' manifests, one write per model.

    A labeled image gets its line; an image whose result is an error loses any line it had.
    Returns each updated manifest's key with its number of lines.

    Raises:
        ManifestConflict: a manifest kept changing under this writer.
    """
    created = creation_date(now)
    changes: dict[tuple[str, str], dict[str, str | None]] = defaultdict(dict)
    for outcome in outcomes:
        item = outcome.item
        line = ground_truth_line(item.source_ref, outcome.labeled, created) if outcome.labeled else None
        key = manifest_key(output_prefix, item.project, item.version)
        changes[(item.bucket, key)][item.source_ref] = line
    return {key: ResultsManifest(s3, bucket, key).update(lines) for (bucket, key), lines in changes.items()}
