"""The evaluation summary file (guide L7165-7237 example, L7679-7752 reference).

Written in the form of the guide's example, which real files have: ``ConfusionMatrix``,
``F1Score``, ``Precision``, ``Recall`` sit directly under ``AggregatedEvaluationResults``. The
reference schema wraps them in ``Metrics`` (L7719), but the guide's own confusion-matrix script
reads ``summary['AggregatedEvaluationResults']['ConfusionMatrix']`` (L7575, L7657), so readers
here accept both (:func:`aggregated_metrics`).

- ``LabelEvaluationResults`` is sorted by F1, best first (L7697); labels without test images are
  left out (their metrics are undefined).
- ``AveragePrecision``/``AverageRecall`` only for detection, ``ConfusionMatrix`` only for
  classification (L7691-7693).
- ``EvaluationEndTimestamp`` has microseconds and no zone (L7201).
- File name: the guide gives ``EvaluationSummary-<project>-<version>.json`` (L7699) and, in the
  SDK example of a real response, ``EvaluationResultSummary-<project>-<version>.json`` (L7421).
  We write the observed one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from customlabels.evaluation.confusion import ConfusionMatrix
from customlabels.evaluation.metrics import Aggregate, LabelMetrics
from customlabels.training.entries import Task

SUMMARY_VERSION = 1
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%f"


def summary_file_name(project_name: str, version_name: str) -> str:
    """``EvaluationResultSummary-<project>-<version>.json`` (guide L7421)."""
    return f"EvaluationResultSummary-{project_name}-{version_name}.json"


def timestamp(moment: datetime | None = None) -> str:
    """The guide's timestamp form, UTC, e.g. ``2019-11-21T07:30:23.910943``."""
    return (moment or datetime.now(UTC)).strftime(TIMESTAMP_FORMAT)


def build_summary(
    *,
    task: Task,
    labels: Sequence[str],
    label_metrics: Sequence[LabelMetrics],
    overall: Aggregate,
    confusion: ConfusionMatrix | None,
    project_version_arn: str,
    number_of_training_images: int,
    number_of_testing_images: int,
    end_time: datetime | None = None,
) -> dict[str, Any]:
    """The summary document, keys in the guide example's order."""
    aggregated: dict[str, Any] = {}
    if task is not Task.DETECTION and confusion is not None:
        aggregated["ConfusionMatrix"] = confusion.cells()
    aggregated["F1Score"] = overall.f1
    aggregated["Precision"] = overall.precision
    aggregated["Recall"] = overall.recall
    if task is Task.DETECTION:
        aggregated["AveragePrecision"] = overall.average_precision
        aggregated["AverageRecall"] = overall.average_recall
    tested = sorted((m for m in label_metrics if m.test_images > 0), key=lambda m: (-m.operating.f1, m.label))
    return {
        "Version": SUMMARY_VERSION,
        "AggregatedEvaluationResults": aggregated,
        "EvaluationDetails": {
            "EvaluationEndTimestamp": timestamp(end_time),
            "Labels": list(labels),
            "NumberOfTestingImages": number_of_testing_images,
            "NumberOfTrainingImages": number_of_training_images,
            "ProjectVersionArn": project_version_arn,
        },
        "LabelEvaluationResults": [
            {
                "Label": m.label,
                "Metrics": {
                    "F1Score": m.operating.f1,
                    "Precision": m.operating.precision,
                    "Recall": m.operating.recall,
                    "Threshold": m.operating.threshold,
                },
                "NumberOfTestingImages": m.test_images,
            }
            for m in tested
        ],
    }


def aggregated_metrics(summary: Mapping[str, Any]) -> Mapping[str, Any]:
    """The aggregated metrics of a summary in either form (flat, or under ``Metrics``)."""
    aggregated = summary.get("AggregatedEvaluationResults", {})
    return aggregated.get("Metrics", aggregated)


def thresholds_from_summary(summary: Mapping[str, Any]) -> dict[str, float]:
    """Each label's assumed threshold, as ``DetectCustomLabels`` uses it for ``MinConfidence``."""
    return {
        item["Label"]: float(item["Metrics"]["Threshold"])
        for item in summary.get("LabelEvaluationResults", [])
    }
