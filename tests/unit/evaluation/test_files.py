"""The summary file and the evaluation manifest snapshot follow the guide's schemas (L7165-7399)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from customlabels.evaluation.report import SNAPSHOT_FILE, EvaluationReport, evaluate_predictions, write_report
from customlabels.evaluation.samples import Prediction
from customlabels.evaluation.snapshot import evaluation_details
from customlabels.evaluation.summary import aggregated_metrics, summary_file_name, thresholds_from_summary
from customlabels.training.entries import Box, Task, TrainingEntry

ARN = "arn:aws:rekognition:us-east-1:000000000000:project/rooms/version/v1/1574317227432"
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$")


def _classification_report() -> EvaluationReport:
    entries = [
        TrainingEntry(f"/img/{i}.png", (label,), source_ref=f"s3://bucket/{i}.png")
        for i, label in enumerate(["cap", "cap", "watch", "watch"])
    ]
    predictions = [
        Prediction(np.array(s), image_size=(64, 64))
        for s in ([0.9, 0.1], [0.4, 0.6], [0.2, 0.8], [0.45, 0.55])
    ]
    return evaluate_predictions(
        entries,
        predictions,
        ["cap", "watch"],
        Task.SINGLE_LABEL,
        project_version_arn=ARN,
        number_of_training_images=10,
    )


def _detection_report() -> EvaluationReport:
    entries = [
        TrainingEntry(
            "/img/a.png",
            boxes=(Box("cap", 10, 20, 30, 40), Box("watch", 60, 60, 20, 20)),
            source_ref="s3://bucket/a.png",
        )
    ]
    prediction = Prediction(
        np.array([0.9, 0.3]),
        np.array([[0.1, 0.2, 0.4, 0.6], [0.6, 0.6, 0.8, 0.8]]),
        np.array([0, 1]),
        image_size=(100, 100),
    )
    return evaluate_predictions(
        entries, [prediction], ["cap", "watch"], Task.DETECTION, project_version_arn=ARN
    )


def test_classification_summary_has_the_guide_fields() -> None:
    summary = _classification_report().summary
    assert list(summary) == [
        "Version",
        "AggregatedEvaluationResults",
        "EvaluationDetails",
        "LabelEvaluationResults",
    ]
    assert summary["Version"] == 1
    aggregated = summary["AggregatedEvaluationResults"]
    assert list(aggregated) == ["ConfusionMatrix", "F1Score", "Precision", "Recall"]
    assert set(aggregated["ConfusionMatrix"][0]) == {"GroundTruthLabel", "PredictedLabel", "Value"}
    details = summary["EvaluationDetails"]
    assert set(details) == {
        "EvaluationEndTimestamp",
        "Labels",
        "NumberOfTestingImages",
        "NumberOfTrainingImages",
        "ProjectVersionArn",
    }
    assert TIMESTAMP.match(details["EvaluationEndTimestamp"])
    assert (details["NumberOfTestingImages"], details["NumberOfTrainingImages"]) == (4, 10)
    assert details["ProjectVersionArn"] == ARN
    for item in summary["LabelEvaluationResults"]:
        assert set(item) == {"Label", "Metrics", "NumberOfTestingImages"}
        assert set(item["Metrics"]) == {"F1Score", "Precision", "Recall", "Threshold"}
    f1s = [item["Metrics"]["F1Score"] for item in summary["LabelEvaluationResults"]]
    assert f1s == sorted(f1s, reverse=True)  # L7697
    assert aggregated_metrics(summary)["F1Score"] == pytest.approx(np.mean(f1s))
    assert (
        aggregated_metrics({"AggregatedEvaluationResults": {"Metrics": {"F1Score": 0.5}}})["F1Score"] == 0.5
    )
    assert set(thresholds_from_summary(summary)) == {"cap", "watch"}


def test_detection_summary_has_average_precision_and_no_confusion_matrix() -> None:
    aggregated = _detection_report().summary["AggregatedEvaluationResults"]
    assert list(aggregated) == ["F1Score", "Precision", "Recall", "AveragePrecision", "AverageRecall"]


def test_evaluation_details_flags_follow_presence_and_threshold() -> None:
    for present in (True, False):
        for above in (True, False):
            flags = evaluation_details(present=present, above=above)
            assert (
                sum(
                    flags[k]
                    for k in (
                        "is-true-positive",
                        "is-true-negative",
                        "is-false-positive",
                        "is-false-negative",
                    )
                )
                == 1
            )
            assert flags["is-present-in-ground-truth"] is present
            assert flags["ground-truth-labelling-jobs"] == ["rekognition-custom-labels-training-job"]
    assert evaluation_details(present=True, above=False)["is-false-negative"]


def test_classification_snapshot_line_matches_the_guide_example() -> None:
    report = _classification_report()
    line = report.snapshot[1]  # a cap image that scored 0.4 cap, 0.6 watch
    assert line["source-ref"] == "s3://bucket/1.png"
    assert line["rekognition-custom-labels-training-0"] == 0
    meta = line["rekognition-custom-labels-training-0-metadata"]
    assert meta["class-name"] == "cap" and meta["human-annotated"] == "yes"
    assert meta["type"] == "groundtruth/image-classification"
    assert meta["job-name"] == "rekognition-custom-labels-training-job"
    reported = {
        line[f"rekognition-custom-labels-evaluation-{j}-metadata"]["class-name"]: line[
            f"rekognition-custom-labels-evaluation-{j}-metadata"
        ]
        for j in range(2)
    }
    assert reported["cap"]["human-annotated"] == "no"
    assert reported["cap"]["job-name"] == "rekognition-custom-labels-evaluation-job"
    # thresholds: cap 0.4 (F1 .8), watch 0.55 (F1 .8)
    assert report.thresholds == pytest.approx({"cap": 0.4, "watch": 0.55})
    assert reported["cap"]["rekognition-custom-labels-evaluation-details"]["is-true-positive"]
    watch = reported["watch"]["rekognition-custom-labels-evaluation-details"]
    assert watch["is-false-positive"] and not watch["is-present-in-ground-truth"]
    assert reported["watch"]["confidence"] == pytest.approx(0.6)
    # a label neither present nor above its threshold (a true negative) is not listed
    assert "rekognition-custom-labels-evaluation-1" not in report.snapshot[0]


def test_detection_snapshot_line_uses_pixels_and_one_object_per_box() -> None:
    line = _detection_report().snapshot[0]
    truth = line["rekognition-custom-labels-training-0"]
    assert truth["image_size"] == [{"width": 100, "depth": 3, "height": 100}]
    assert truth["annotations"][0] == {"class_id": 0, "width": 30, "top": 20, "height": 40, "left": 10}
    assert line["rekognition-custom-labels-training-0-metadata"]["type"] == "groundtruth/object-detection"
    predicted = line["rekognition-custom-labels-evaluation"]
    meta = line["rekognition-custom-labels-evaluation-metadata"]
    assert len(predicted["annotations"]) == len(meta["objects"])
    assert predicted["annotations"][0] == {"class_id": 0, "width": 30, "top": 20, "height": 40, "left": 10}
    assert meta["objects"][0]["rekognition-custom-labels-evaluation-details"]["is-true-positive"]
    assert meta["class-map"] == {"0": "cap", "1": "watch"}
    assert meta["confidence"] == pytest.approx(0.9)


def test_report_files_are_written(tmp_path: Path) -> None:
    report = _classification_report()
    files = write_report(report, tmp_path, summary_name=summary_file_name("rooms", "v1"))
    assert files["summary"].name == "EvaluationResultSummary-rooms-v1.json"
    assert json.loads(files["summary"].read_text())["Version"] == 1
    lines = (tmp_path / SNAPSHOT_FILE).read_text().splitlines()
    assert len(lines) == 4 and all(json.loads(line)["source-ref"] for line in lines)
    assert (tmp_path / "confusion_matrix.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(list((tmp_path / "plots").glob("pr-*.png"))) == 2
