"""The guide's file formats as checks: the files training writes must parse against these.

Written from the guide's schemas and verbatim examples (``tests/unit/versions/test_guide_schemas.py``
runs every check on the guide's own examples, so a check cannot drift from the guide):

- ``manifest_summary.json``: schema L5277-5339, example L5349-5394;
- ``training_manifest_with_validation.json`` / ``testing_...``: L5425-5549 (``errors`` and
  ``warnings`` at the line, label attribute, metadata and annotation levels), L6380 (an unparseable
  line becomes ``{"errors": [...]}``);
- the evaluation summary file: example L7165-7237, reference L7679-7752 (flat
  ``AggregatedEvaluationResults``, as the example and the guide's script at L7575 read it);
- the evaluation manifest snapshot: L7248-7398.

Each check raises AssertionError naming the first thing that is off.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, NoReturn

USE_CASES = {"IMAGE_LEVEL_LABELS", "OBJECT_LOCALIZATION", "NOT_DETERMINED"}
COUNTS = ("total_json_lines", "valid_json_lines", "invalid_json_lines", "ignored_json_lines")
CLASSIFICATION_TYPE = "groundtruth/image-classification"
DETECTION_TYPE = "groundtruth/object-detection"
DETAILS = "rekognition-custom-labels-evaluation-details"
FLAGS = ("is-true-positive", "is-true-negative", "is-false-positive", "is-false-negative")
_CODE = re.compile(r"(ERROR|WARNING)_[A-Z0-9_]+")


def _fail(where: str, what: str) -> NoReturn:
    raise AssertionError(f"{where}: {what}")


def _number(value: Any, where: str, low: float | None = None, high: float | None = None) -> None:
    if type(value) not in (int, float):
        _fail(where, f"expected a number, got {value!r}")
    if (low is not None and value < low) or (high is not None and value > high):
        _fail(where, f"{value} is outside [{low}, {high}]")


def _count(value: Any, where: str) -> None:
    if type(value) is not int or value < 0:
        _fail(where, f"expected a count, got {value!r}")


def check_error_list(items: Any, where: str, *, codes: str = "ERROR") -> None:
    """``[{"code": String, "message": String}]`` (L5298-5303)."""
    if not isinstance(items, list):
        _fail(where, f"expected a list of errors, got {items!r}")
    for item in items:
        if not isinstance(item, dict) or set(item) != {"code", "message"}:
            _fail(where, f"an error must be exactly {{code, message}}, got {item!r}")
        if not _CODE.fullmatch(item["code"]) or not item["code"].startswith(codes):
            _fail(where, f"code {item['code']!r} is not an {codes}_* code")
        if not isinstance(item["message"], str) or not item["message"]:
            _fail(where, f"message of {item['code']} is empty")


def check_manifest_summary(summary: Mapping[str, Any]) -> None:
    """``manifest_summary.json`` (L5277-5339)."""
    if set(summary) != {"statistics", "errors"}:
        _fail("summary", f"top-level keys must be statistics and errors, got {sorted(summary)}")
    check_error_list(summary["errors"], "errors")
    if set(summary["statistics"]) != {"training", "testing"}:
        _fail("statistics", f"expected training and testing, got {sorted(summary['statistics'])}")
    for name, stats in summary["statistics"].items():
        where = f"statistics.{name}"
        expected = {"use_case", *COUNTS, "error_json_line_indices", "errors"}
        if set(stats) != expected:
            _fail(where, f"keys {sorted(stats)} differ from {sorted(expected)}")
        if stats["use_case"] not in USE_CASES:
            _fail(where, f"use_case {stats['use_case']!r}")
        for key in COUNTS:
            _count(stats[key], f"{where}.{key}")
        total, valid, invalid, ignored = (stats[key] for key in COUNTS)
        if total != valid + invalid + ignored:
            _fail(where, f"total {total} != valid {valid} + invalid {invalid} + ignored {ignored}")
        indices = stats["error_json_line_indices"]
        if not isinstance(indices, list) or any(type(i) is not int or not 1 <= i <= total for i in indices):
            _fail(where, f"error_json_line_indices must be 1-based line numbers, got {indices!r}")
        if indices != sorted(set(indices)):
            _fail(where, "error_json_line_indices must be ascending and unique")
        check_error_list(stats["errors"], f"{where}.errors")


def _check_issue_arrays(node: Mapping[str, Any], where: str) -> None:
    if "errors" in node:
        check_error_list(node["errors"], f"{where}.errors")
    if "warnings" in node:
        check_error_list(node["warnings"], f"{where}.warnings", codes="WARNING")


def check_validation_line(line: Mapping[str, Any]) -> None:
    """One line of a ``*_manifest_with_validation.json`` file (L5425-5549, L6380)."""
    if "source-ref" not in line:
        if set(line) - {"errors", "warnings"}:
            _fail("line", f"a line without source-ref may only carry errors, got {sorted(line)}")
        _check_issue_arrays(line, "line")
        return
    _check_issue_arrays(line, "line")
    for key, value in line.items():
        if key in ("source-ref", "errors", "warnings") or key.endswith("-metadata"):
            continue
        metadata = line.get(f"{key}-metadata")
        if isinstance(value, dict):
            _check_issue_arrays(value, key)
            for index, note in enumerate(value.get("annotations") or []):
                if isinstance(note, dict):
                    _check_issue_arrays(note, f"{key}.annotations[{index}]")
        if isinstance(metadata, dict):
            _check_issue_arrays(metadata, f"{key}-metadata")


def check_validation_manifest(text: str) -> list[dict[str, Any]]:
    """Every line of a validation manifest; returns the parsed lines."""
    lines = [json.loads(raw) for raw in text.splitlines() if raw.strip()]
    for number, line in enumerate(lines, start=1):
        try:
            check_validation_line(line)
        except AssertionError as error:
            raise AssertionError(f"line {number}: {error}") from None
    return lines


def _check_timestamp(value: Any, where: str) -> None:
    try:
        datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f")  # L7201: microseconds, no zone
    except (TypeError, ValueError):
        _fail(where, f"{value!r} is not like 2019-11-21T07:30:23.910943")


def _check_metrics(metrics: Mapping[str, Any], where: str, keys: Iterable[str]) -> None:
    for key in keys:
        if key not in metrics:
            _fail(where, f"{key} is missing")
        _number(metrics[key], f"{where}.{key}", 0.0, 1.0)


def check_evaluation_summary(summary: Mapping[str, Any], *, detection: bool) -> None:
    """The evaluation summary file (L7165-7237, L7679-7752)."""
    expected = {"Version", "AggregatedEvaluationResults", "EvaluationDetails", "LabelEvaluationResults"}
    if set(summary) != expected:
        _fail("summary", f"keys {sorted(summary)} differ from {sorted(expected)}")
    if summary["Version"] != 1:
        _fail("Version", f"expected 1, got {summary['Version']!r}")
    aggregated = summary["AggregatedEvaluationResults"]
    _check_metrics(aggregated, "AggregatedEvaluationResults", ("F1Score", "Precision", "Recall"))
    if detection:
        _check_metrics(aggregated, "AggregatedEvaluationResults", ("AveragePrecision", "AverageRecall"))
        if "ConfusionMatrix" in aggregated:
            _fail("AggregatedEvaluationResults", "ConfusionMatrix is only for classification (L7693)")
    else:
        matrix = aggregated.get("ConfusionMatrix")
        if not isinstance(matrix, list) or not matrix:
            _fail("AggregatedEvaluationResults", "classification needs a ConfusionMatrix (L7693)")
        for cell in matrix:
            if set(cell) != {"GroundTruthLabel", "PredictedLabel", "Value"}:
                _fail("ConfusionMatrix", f"cell {cell!r}")
            _number(cell["Value"], "ConfusionMatrix.Value", 0.0, 1.0)
    details = summary["EvaluationDetails"]
    keys = {
        "EvaluationEndTimestamp",
        "Labels",
        "NumberOfTestingImages",
        "NumberOfTrainingImages",
        "ProjectVersionArn",
    }
    if set(details) != keys:
        _fail("EvaluationDetails", f"keys {sorted(details)} differ from {sorted(keys)}")
    _check_timestamp(details["EvaluationEndTimestamp"], "EvaluationEndTimestamp")
    if not details["Labels"] or not all(isinstance(label, str) for label in details["Labels"]):
        _fail("EvaluationDetails.Labels", f"{details['Labels']!r}")
    _count(details["NumberOfTestingImages"], "NumberOfTestingImages")
    _count(details["NumberOfTrainingImages"], "NumberOfTrainingImages")
    results = summary["LabelEvaluationResults"]
    for item in results:
        if (
            set(item) != {"Label", "Metrics", "NumberOfTestingImages"}
            or item["Label"] not in details["Labels"]
        ):
            _fail("LabelEvaluationResults", f"item {item!r}")
        _check_metrics(
            item["Metrics"],
            f"LabelEvaluationResults[{item['Label']}]",
            ("F1Score", "Precision", "Recall", "Threshold"),
        )
        _count(
            item["NumberOfTestingImages"], f"LabelEvaluationResults[{item['Label']}].NumberOfTestingImages"
        )
    scores = [item["Metrics"]["F1Score"] for item in results]
    if scores != sorted(scores, reverse=True):
        _fail("LabelEvaluationResults", "must be sorted by F1 score, best first (L7697)")


def _check_details(details: Any, where: str) -> None:
    expected = {"version", "ground-truth-labelling-jobs", *FLAGS, "is-present-in-ground-truth"}
    if not isinstance(details, dict) or set(details) != expected:
        _fail(where, f"evaluation details {details!r} differ from {sorted(expected)}")
    if sum(details[flag] is True for flag in FLAGS) != 1:
        _fail(where, "exactly one of TP/TN/FP/FN must be true (L7261)")
    if not all(isinstance(details[key], bool) for key in (*FLAGS, "is-present-in-ground-truth")):
        _fail(where, "the flags must be booleans")


def _check_detection_value(value: Any, where: str) -> None:
    if not isinstance(value, dict) or not isinstance(value.get("annotations"), list):
        _fail(where, "expected {annotations, image_size}")
    size = value.get("image_size")
    if not isinstance(size, list) or len(size) != 1 or set(size[0]) != {"width", "height", "depth"}:
        _fail(where, f"image_size must be one {{width, height, depth}}, got {size!r}")
    for note in value["annotations"]:
        if set(note) != {"class_id", "left", "top", "width", "height"}:
            _fail(where, f"annotation {note!r}")


def check_snapshot_line(line: Mapping[str, Any], *, detection: bool) -> None:
    """One line of the evaluation manifest snapshot (L7269-7398)."""
    if not isinstance(line.get("source-ref"), str) or not line["source-ref"].startswith("s3://"):
        _fail("line", "source-ref must be an s3:// URI")
    predictions = [key for key in line if key.startswith("rekognition-custom-labels-evaluation")]
    if detection:
        value: dict[str, Any] = line.get("rekognition-custom-labels-evaluation") or {}
        metadata = line.get("rekognition-custom-labels-evaluation-metadata")
        _check_detection_value(value, "rekognition-custom-labels-evaluation")
        if not isinstance(metadata, dict) or metadata.get("type") != DETECTION_TYPE:
            _fail("evaluation metadata", f"type must be {DETECTION_TYPE}")
        if metadata.get("human-annotated") != "no":
            _fail("evaluation metadata", 'human-annotated must be "no"')
        objects = metadata.get("objects")
        if not isinstance(objects, list) or len(objects) != len(value["annotations"]):
            _fail("evaluation metadata", "objects[i] lines up with annotations[i]")
        for index, item in enumerate(objects):
            _number(item.get("confidence"), f"objects[{index}].confidence", 0.0, 1.0)
            _check_details(item.get(DETAILS), f"objects[{index}]")
        for class_id in {note["class_id"] for note in value["annotations"]}:
            if str(class_id) not in metadata.get("class-map", {}):
                _fail("evaluation metadata", f"class_id {class_id} is not in the class-map")
        return
    if not predictions:
        _fail("line", "a classification line reports at least its ground-truth labels")
    for key in predictions:
        if key.endswith("-metadata"):
            continue
        metadata = line.get(f"{key}-metadata")
        if not isinstance(metadata, dict) or metadata.get("type") != CLASSIFICATION_TYPE:
            _fail(key, f"metadata type must be {CLASSIFICATION_TYPE}")
        for field in ("confidence", "job-name", "class-name", "human-annotated", "creation-date"):
            if field not in metadata:
                _fail(f"{key}-metadata", f"{field} is missing")
        _number(metadata["confidence"], f"{key}-metadata.confidence", 0.0, 1.0)
        if metadata["human-annotated"] != "no":
            _fail(f"{key}-metadata", 'human-annotated must be "no"')
        _check_details(metadata.get(DETAILS), f"{key}-metadata")


def check_snapshot(text: str, *, detection: bool) -> list[dict[str, Any]]:
    """Every line of an evaluation manifest snapshot; returns the parsed lines."""
    lines = [json.loads(raw) for raw in text.splitlines() if raw.strip()]
    if not lines:
        _fail("snapshot", "no lines")
    for number, line in enumerate(lines, start=1):
        try:
            check_snapshot_line(line, detection=detection)
        except AssertionError as error:
            raise AssertionError(f"line {number}: {error}") from None
    return lines
