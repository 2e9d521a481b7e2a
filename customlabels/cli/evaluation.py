"""A trained model's evaluation, as ``models evaluate`` shows it: the summary file, plots, confusion.

The summary file is where the model's ``EvaluationResult.Summary`` points (under the training's
OutputConfig, guide L7410-7421). The training job writes the rest of its evaluation next to the
model, in the deployment's data bucket (:mod:`customlabels.versions.layout`,
:mod:`customlabels.evaluation.report`)::

    artifacts/<project>/<version>/<created_ms>/evaluation/confusion_matrix.png
    artifacts/<project>/<version>/<created_ms>/evaluation/confusion_matrix.json
    artifacts/<project>/<version>/<created_ms>/evaluation/plots/pr-<n>-<label>.png

The confusion matrix is the guide's (L7436-7678): rows are predicted labels, columns ground-truth
labels, each cell the share of the column's test images. The summary has it for classification
models only (L7440); for detection models ``confusion_matrix.json`` has one with a
``background`` row and column.

The table shaping here is pure; the S3 reads take a client.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from customlabels.cli.output import CliError, table
from customlabels.evaluation.summary import aggregated_metrics
from customlabels.resources import arns
from customlabels.resources.artifacts import default_artifacts_prefix

# customlabels.evaluation.report's names (that module needs the training extras to import)
EVALUATION_DIR = "evaluation/"
CONFUSION_JSON = "confusion_matrix.json"
CONFUSION_PNG = "confusion_matrix.png"
PLOTS_DIR = "plots/"
NO_CONFUSION = "Confusion matrix not found in summary. Is the model a classification model?"  # L7659


@dataclass(frozen=True)
class Confusion:
    """A confusion matrix: ``values[r][c]`` for predicted ``rows[r]`` and ground truth ``columns[c]``."""

    rows: list[str]
    columns: list[str]
    values: list[list[float]]


def summary_location(description: Mapping[str, Any]) -> tuple[str, str]:
    """``(bucket, key)`` of the model's summary file.

    Raises:
        CliError: ``NoEvaluation`` for a model without an evaluation (not trained, or failed).
    """
    location = ((description.get("EvaluationResult") or {}).get("Summary") or {}).get("S3Object")
    if not location:
        raise CliError(
            "NoEvaluation",
            f"the model {description.get('ProjectVersionArn', '')} is {description.get('Status')} and has "
            "no evaluation; only a model whose training completed has one",
        )
    return str(location["Bucket"]), str(location["Name"])


def read_summary(s3: Any, bucket: str, key: str) -> dict[str, Any]:
    summary: dict[str, Any] = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    return summary


def label_rows(summary: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """LABEL, PRECISION, RECALL, F1, THRESHOLD, TEST IMAGES per label, in the summary's order (best F1
    first, L7697), then the labels without test images, which have no metrics."""
    rows: list[tuple[Any, ...]] = []
    for item in summary.get("LabelEvaluationResults", []):
        metrics = item.get("Metrics", {})
        rows.append(
            (
                item["Label"],
                _decimal(metrics.get("Precision")),
                _decimal(metrics.get("Recall")),
                _decimal(metrics.get("F1Score")),
                _decimal(metrics.get("Threshold")),
                item.get("NumberOfTestingImages"),
            )
        )
    evaluated = {row[0] for row in rows}
    labels = summary.get("EvaluationDetails", {}).get("Labels", [])
    rows.extend((label, None, None, None, None, 0) for label in labels if label not in evaluated)
    return rows


def labels_table(summary: Mapping[str, Any]) -> str:
    headers = ("LABEL", "PRECISION", "RECALL", "F1", "ASSUMED THRESHOLD", "TEST IMAGES")
    return table(label_rows(summary), headers)


def overall_fields(summary: Mapping[str, Any]) -> dict[str, Any]:
    """The model-level figures: F1, precision, recall (and, for detection, average precision and
    recall), with the image counts."""
    aggregated = aggregated_metrics(summary)
    details = summary.get("EvaluationDetails", {})
    fields = {
        "F1": _decimal(aggregated.get("F1Score")),
        "Precision": _decimal(aggregated.get("Precision")),
        "Recall": _decimal(aggregated.get("Recall")),
    }
    if "AveragePrecision" in aggregated:
        fields["AveragePrecision"] = _decimal(aggregated.get("AveragePrecision"))
        fields["AverageRecall"] = _decimal(aggregated.get("AverageRecall"))
    fields["TrainingImages"] = details.get("NumberOfTrainingImages")
    fields["TestingImages"] = details.get("NumberOfTestingImages")
    fields["Evaluated"] = details.get("EvaluationEndTimestamp")
    return fields


def summary_confusion(summary: Mapping[str, Any]) -> Confusion | None:
    """The summary's ``ConfusionMatrix`` cells as a matrix, labels in the order they appear."""
    cells = aggregated_metrics(summary).get("ConfusionMatrix")
    if not cells:
        return None
    rows: list[str] = []
    columns: list[str] = []
    for cell in cells:
        if cell["PredictedLabel"] not in rows:
            rows.append(cell["PredictedLabel"])
        if cell["GroundTruthLabel"] not in columns:
            columns.append(cell["GroundTruthLabel"])
    values = [[0.0] * len(columns) for _ in rows]
    for cell in cells:
        values[rows.index(cell["PredictedLabel"])][columns.index(cell["GroundTruthLabel"])] = float(
            cell["Value"]
        )
    return Confusion(rows, columns, values)


def file_confusion(document: Mapping[str, Any]) -> Confusion:
    """``confusion_matrix.json`` (:meth:`customlabels.evaluation.confusion.ConfusionMatrix.to_json`)."""
    return Confusion(
        list(document["PredictedLabels"]),
        list(document["GroundTruthLabels"]),
        [[float(value) for value in row] for row in document["Values"]],
    )


def confusion_table(matrix: Confusion) -> str:
    """The guide's display (L7463-7475): a row per predicted label, a column per ground truth, in %."""
    rows = [
        (label, *(f"{value * 100:.0f}%" for value in values))
        for label, values in zip(matrix.rows, matrix.values, strict=True)
    ]
    return table(rows, ("PREDICTED \\ TRUE", *matrix.columns))


def artifact_prefixes(description: Mapping[str, Any]) -> list[str]:
    """Where the training job may have written the model's evaluation files: the model's own
    artifacts, then (for a copy) its source model's."""
    prefixes = []
    for arn in (description.get("ProjectVersionArn"), description.get("SourceProjectVersionArn")):
        ref = arns.parse_version_arn(arn) if arn else None
        if ref is not None:
            prefixes.append(
                default_artifacts_prefix(ref.project, ref.version, ref.created_ms) + EVALUATION_DIR
            )
    return prefixes


def evaluation_keys(s3: Any, bucket: str, prefixes: Sequence[str]) -> tuple[str, list[str]] | None:
    """The first prefix with evaluation files, and its PNG and confusion-matrix keys."""
    for prefix in prefixes:
        keys = [
            item["Key"]
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
            for item in page.get("Contents", [])
        ]
        wanted = [key for key in keys if key.endswith(".png") or key == prefix + CONFUSION_JSON]
        if wanted:
            return prefix, sorted(wanted)
    return None


def download_plots(s3: Any, bucket: str, prefixes: Sequence[str], directory: str | Path) -> list[Path]:
    """Download the evaluation's PNG files and confusion matrix into ``directory``, keeping their
    relative paths (``confusion_matrix.png``, ``plots/pr-000-cat.png``).

    Raises:
        CliError: ``NoEvaluationFiles`` when none of the prefixes holds any.
    """
    found = evaluation_keys(s3, bucket, prefixes)
    if found is None:
        where = ", ".join(f"s3://{bucket}/{prefix}" for prefix in prefixes) or "-"
        raise CliError("NoEvaluationFiles", f"no plots or confusion matrix under {where}")
    prefix, keys = found
    target = Path(directory)
    paths = []
    for key in keys:
        path = target / key[len(prefix) :]
        path.parent.mkdir(parents=True, exist_ok=True)
        s3.download_file(bucket, key, str(path))
        paths.append(path)
    return paths


def read_file_confusion(s3: Any, bucket: str, prefixes: Sequence[str]) -> Confusion | None:
    """The confusion matrix the training job wrote beside the model, if there is one."""
    for prefix in prefixes:
        try:
            body = s3.get_object(Bucket=bucket, Key=prefix + CONFUSION_JSON)["Body"].read()
        except s3.exceptions.NoSuchKey:
            continue
        return file_confusion(json.loads(body))
    return None


def _decimal(value: Any) -> str | None:
    return None if value is None else f"{float(value):.3f}"
