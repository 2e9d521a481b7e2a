"""The schema checks of ``tests/guide_schemas.py`` accept the guide's own examples and reject
files that break its rules; the e2e tests then hold the files training writes to them."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from tests.guide_schemas import (
    check_evaluation_summary,
    check_manifest_summary,
    check_snapshot_line,
    check_validation_line,
)

# guide L5349-5394 (the "..." of the indices shortened)
MANIFEST_SUMMARY: dict[str, Any] = {
    "errors": [],
    "statistics": {
        "training": {
            "use_case": "NOT_DETERMINED",
            "total_json_lines": 301,
            "valid_json_lines": 146,
            "invalid_json_lines": 155,
            "ignored_json_lines": 0,
            "errors": [
                {
                    "code": "ERROR_TOO_MANY_INVALID_ROWS_IN_MANIFEST",
                    "message": "The manifest file contains too many invalid rows.",
                }
            ],
            "error_json_line_indices": [15, 16, 17, 22, 23, 24, 300],
        },
        "testing": {
            "use_case": "NOT_DETERMINED",
            "total_json_lines": 15,
            "valid_json_lines": 13,
            "invalid_json_lines": 2,
            "ignored_json_lines": 0,
            "errors": [],
            "error_json_line_indices": [13, 15],
        },
    },
}

# guide L5553-5613 (rejoined)
BOX_TOO_SMALL: dict[str, Any] = {
    "source-ref": "s3://bucket/Manifests/images/199940-1791.jpg",
    "bounding-box": {
        "image_size": [{"width": 3000, "height": 3000, "depth": 3}],
        "annotations": [
            {
                "class_id": 1,
                "top": 0,
                "left": 0,
                "width": 1,
                "height": 1,
                "errors": [
                    {
                        "code": "ERROR_BOUNDING_BOX_TOO_SMALL",
                        "message": "The height and width of the bounding box is too small.",
                    }
                ],
            },
            {"class_id": 0, "top": 65, "left": 86, "width": 220, "height": 334},
        ],
    },
    "bounding-box-metadata": {
        "objects": [{"confidence": 1}, {"confidence": 1}],
        "class-map": {"0": "Echo", "1": "Echo Dot"},
        "type": "groundtruth/object-detection",
        "human-annotated": "yes",
        "creation-date": "2019-11-20T02:57:28.288286",
        "job-name": "my job",
    },
}

# guide L6757-6795
NO_ANNOTATIONS: dict[str, Any] = {
    "source-ref": "s3://bucket/images/IMG_1186.png",
    "bounding-box": {
        "image_size": [{"width": 640, "height": 480, "depth": 3}],
        "annotations": [],
        "warnings": [
            {"code": "WARNING_NO_ATTRIBUTE_ANNOTATIONS", "message": "No attribute annotations were found."}
        ],
    },
    "bounding-box-metadata": {
        "objects": [],
        "class-map": {},
        "type": "groundtruth/object-detection",
        "human-annotated": "yes",
        "creation-date": "2013-11-18 02:53:27",
        "job-name": "my job",
    },
    "warnings": [{"code": "WARNING_NO_ANNOTATIONS", "message": "No annotations were found."}],
}

# guide L7165-7237
EVALUATION_SUMMARY: dict[str, Any] = {
    "Version": 1,
    "AggregatedEvaluationResults": {
        "ConfusionMatrix": [
            {"GroundTruthLabel": "CAP", "PredictedLabel": "CAP", "Value": 0.9948717948717949},
            {"GroundTruthLabel": "CAP", "PredictedLabel": "WATCH", "Value": 0.008547008547008548},
            {"GroundTruthLabel": "WATCH", "PredictedLabel": "CAP", "Value": 0.1794871794871795},
            {"GroundTruthLabel": "WATCH", "PredictedLabel": "WATCH", "Value": 0.7008547008547008},
        ],
        "F1Score": 0.9726959470546408,
        "Precision": 0.9719115848331294,
        "Recall": 0.9735042735042735,
    },
    "EvaluationDetails": {
        "EvaluationEndTimestamp": "2019-11-21T07:30:23.910943",
        "Labels": ["CAP", "WATCH"],
        "NumberOfTestingImages": 624,
        "NumberOfTrainingImages": 5216,
        "ProjectVersionArn": (
            "arn:aws:rekognition:us-east-1:nnnnnnnnn:project/my-project/version/v0/1574317227432"
        ),
    },
    "LabelEvaluationResults": [
        {
            "Label": "CAP",
            "Metrics": {
                "F1Score": 0.9794344473007711,
                "Precision": 0.9819587628865979,
                "Recall": 0.9769230769230769,
                "Threshold": 0.9879502058029175,
            },
            "NumberOfTestingImages": 390,
        },
        {
            "Label": "WATCH",
            "Metrics": {
                "F1Score": 0.9659574468085106,
                "Precision": 0.961864406779661,
                "Recall": 0.9700854700854701,
                "Threshold": 0.014450683258473873,
            },
            "NumberOfTestingImages": 234,
        },
    ],
}

_DETAILS = {
    "version": 1,
    "ground-truth-labelling-jobs": ["rekognition-custom-labels-training-job"],
    "is-true-positive": True,
    "is-true-negative": False,
    "is-false-positive": False,
    "is-false-negative": False,
    "is-present-in-ground-truth": True,
}

# guide L7269-7303
CLASSIFICATION_SNAPSHOT: dict[str, Any] = {
    "source-ref": "s3://amzn-s3-demo-bucket/dataset/beckham.jpeg",
    "rekognition-custom-labels-training-0": 1,
    "rekognition-custom-labels-training-0-metadata": {
        "confidence": 1.0,
        "job-name": "rekognition-custom-labels-training-job",
        "class-name": "Football",
        "human-annotated": "yes",
        "creation-date": "2019-09-06T00:07:25.488243",
        "type": "groundtruth/image-classification",
    },
    "rekognition-custom-labels-evaluation-0": 1,
    "rekognition-custom-labels-evaluation-0-metadata": {
        "confidence": 0.95,
        "job-name": "rekognition-custom-labels-evaluation-job",
        "class-name": "Football",
        "human-annotated": "no",
        "creation-date": "2019-09-06T00:07:25.488243",
        "type": "groundtruth/image-classification",
        "rekognition-custom-labels-evaluation-details": _DETAILS,
    },
}

# guide L7305-7398 (rejoined, the "..." left out)
_BOX = {"class_id": 0, "width": 39, "top": 409, "height": 63, "left": 712}
_SIZE = [{"width": 1024, "depth": 3, "height": 768}]
DETECTION_SNAPSHOT: dict[str, Any] = {
    "source-ref": "s3://amzn-s3-demo-bucket/dataset/beckham.jpeg",
    "rekognition-custom-labels-training-0": {"annotations": [_BOX], "image_size": _SIZE},
    "rekognition-custom-labels-training-0-metadata": {
        "job-name": "rekognition-custom-labels-training-job",
        "class-map": {"0": "Cap"},
        "human-annotated": "yes",
        "objects": [{"confidence": 1.0}],
        "creation-date": "2019-10-21T22:02:18.432644",
        "type": "groundtruth/object-detection",
    },
    "rekognition-custom-labels-evaluation": {"annotations": [_BOX], "image_size": _SIZE},
    "rekognition-custom-labels-evaluation-metadata": {
        "confidence": 0.95,
        "job-name": "rekognition-custom-labels-evaluation-job",
        "class-map": {"0": "Cap"},
        "human-annotated": "no",
        "objects": [{"confidence": 0.95, "rekognition-custom-labels-evaluation-details": _DETAILS}],
        "creation-date": "2019-10-21T22:02:18.432644",
        "type": "groundtruth/object-detection",
    },
}


def test_the_guides_examples_pass() -> None:
    check_manifest_summary(MANIFEST_SUMMARY)
    for line in (
        BOX_TOO_SMALL,
        NO_ANNOTATIONS,
        {"errors": [{"code": "ERROR_INVALID_JSON_LINE", "message": "x"}]},
    ):
        check_validation_line(line)
    check_evaluation_summary(EVALUATION_SUMMARY, detection=False)
    check_snapshot_line(CLASSIFICATION_SNAPSHOT, detection=False)
    check_snapshot_line(DETECTION_SNAPSHOT, detection=True)


def changed(document: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy with ``value`` at the dotted ``path`` (``None`` deletes; digits index lists)."""
    copied = copy.deepcopy(document)
    *parents, last = path.split(".")
    node: Any = copied
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    key: Any = int(last) if last.isdigit() else last
    if value is None:
        del node[key]
    else:
        node[key] = value
    return copied


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("statistics.training.valid_json_lines", 147, "total 301"),
        ("statistics.testing.error_json_line_indices", [15, 13], "ascending"),
        ("statistics.testing.error_json_line_indices", [0], "1-based"),
        ("statistics.testing.use_case", "CLASSIFICATION", "use_case"),
        ("errors", [{"code": "ERROR_X"}], "code, message"),
        ("statistics.testing.ignored_json_lines", None, "keys"),
    ],
)
def test_a_broken_manifest_summary_is_refused(path: str, value: Any, message: str) -> None:
    with pytest.raises(AssertionError, match=message):
        check_manifest_summary(changed(MANIFEST_SUMMARY, path, value))


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("AggregatedEvaluationResults.ConfusionMatrix", None, "ConfusionMatrix"),
        ("LabelEvaluationResults.0.Metrics.F1Score", 0.5, "sorted"),
        ("EvaluationDetails.EvaluationEndTimestamp", "2019-11-21T07:30:23Z", "not like"),
        ("AggregatedEvaluationResults.F1Score", 1.5, "outside"),
        ("Version", 2, "expected 1"),
    ],
)
def test_a_broken_evaluation_summary_is_refused(path: str, value: Any, message: str) -> None:
    broken = changed(EVALUATION_SUMMARY, path, value)
    with pytest.raises(AssertionError, match=message):
        check_evaluation_summary(broken, detection=False)


def test_detection_summaries_have_average_precision_and_no_confusion_matrix() -> None:
    with pytest.raises(AssertionError, match="AveragePrecision"):
        check_evaluation_summary(EVALUATION_SUMMARY, detection=True)


def test_snapshot_flags_are_exclusive_and_boxes_line_up() -> None:
    two_flags = changed(
        CLASSIFICATION_SNAPSHOT,
        "rekognition-custom-labels-evaluation-0-metadata.rekognition-custom-labels-evaluation-details",
        {**_DETAILS, "is-false-positive": True},
    )
    with pytest.raises(AssertionError, match="exactly one"):
        check_snapshot_line(two_flags, detection=False)
    extra_box = changed(DETECTION_SNAPSHOT, "rekognition-custom-labels-evaluation.annotations", [_BOX, _BOX])
    with pytest.raises(AssertionError, match="lines up"):
        check_snapshot_line(extra_box, detection=True)
    with pytest.raises(AssertionError, match="WARNING"):
        check_validation_line(changed(NO_ANNOTATIONS, "warnings", [{"code": "ERROR_X", "message": "m"}]))
    assert json.loads(json.dumps(DETECTION_SNAPSHOT)) == DETECTION_SNAPSHOT
