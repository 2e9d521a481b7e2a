"""The training job end to end on ~20 generated images: train → export → evaluate, and determinism."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import numpy as np
import torch

from customlabels.evaluation.report import SNAPSHOT_FILE
from customlabels.training import job
from customlabels.training.checkpoint import LAST, load_checkpoint
from customlabels.training.entries import Task, TrainingEntry
from customlabels.training.modelcard import CONFIG_FILE, INPUT_NAME, ModelCard, onnx_session, preprocess
from customlabels.training.progress import Progress
from customlabels.training.train import get_args_parser, main


def test_classification_end_to_end(tmp_path: Path, classification_entries: list[TrainingEntry]) -> None:
    events: list[Progress] = []
    result = job.run(
        classification_entries[:14],
        classification_entries[14:],
        tmp_path / "model",
        seed=0,
        threads=1,
        overrides={"architecture": "small_cnn", "epochs": 6, "learning_rate": 0.01},
        progress=events.append,
        project_version_arn="arn:aws:rekognition:us-east-1:000000000000:project/p/version/v/1",
    )
    assert result.task is Task.SINGLE_LABEL and result.labels == ["blue", "red"]
    card = ModelCard.read(result.output_dir)
    assert card.to_json()["format_version"] == 1 and card.resize == "stretch"
    assert set(card.thresholds) == {"blue", "red"}
    assert card.thresholds == result.evaluation.thresholds  # type: ignore[union-attr]
    assert card.training["seed"] == 0 and "torch" in card.training["package_versions"]
    assert "train_entries_sha256" in card.training["manifest_hashes"]
    config = json.loads((result.output_dir / CONFIG_FILE).read_text())
    assert config["plan"]["architecture"] == "small_cnn" and config["data"]["test"] == 6
    assert result.f1 is not None and result.f1 >= 0.9  # red vs blue squares
    evaluation = result.output_dir / "evaluation"
    summary = json.loads((evaluation / "evaluation_summary.json").read_text())
    assert summary["AggregatedEvaluationResults"]["F1Score"] == result.f1
    assert summary["EvaluationDetails"]["NumberOfTrainingImages"] == 14
    assert len((evaluation / SNAPSHOT_FILE).read_text().splitlines()) == 6
    assert (evaluation / "confusion_matrix.png").exists()
    phases = [event.phase for event in events]
    assert phases[0] == "prepare" and phases[-1] == "done" and phases.count("train") == 6
    assert "evaluate" in phases
    # The served graph agrees with the evaluated predictions.
    session = onnx_session(result.model_path)
    (scores,) = session.run(None, {INPUT_NAME: preprocess(classification_entries[14].image_path, card)})
    assert scores.shape == (1, 2)


def test_detection_end_to_end(tmp_path: Path, detection_entries: list[TrainingEntry]) -> None:
    result = job.run(
        detection_entries[:15],
        detection_entries[15:],
        tmp_path / "model",
        seed=0,
        threads=1,
        overrides={"epochs": 2, "input_size": 64, "validation_fraction": 0.0},
    )
    assert result.task is Task.DETECTION
    card = ModelCard.read(result.output_dir)
    assert card.task == "detection" and card.max_detections == 100 and card.input_size == [64, 64]
    session = onnx_session(result.model_path)
    boxes, scores, labels = session.run(None, {INPUT_NAME: preprocess(detection_entries[0].image_path, card)})
    assert boxes.shape == (len(scores), 4) and labels.dtype == np.int64
    summary = json.loads((result.output_dir / "evaluation" / "evaluation_summary.json").read_text())
    assert {"AveragePrecision", "AverageRecall"} <= set(summary["AggregatedEvaluationResults"])
    assert (result.output_dir / "evaluation" / "confusion_matrix.json").exists()


def _train_twice(tmp_path: Path, entries: list[TrainingEntry], name: str) -> dict[str, torch.Tensor]:
    job.run(
        entries,
        [],
        tmp_path / name,
        seed=7,
        threads=1,
        evaluate=False,
        overrides={
            "architecture": "efficientnet_lite0",
            "epochs": 2,
            "batch_size": 4,
            "validation_fraction": 0.0,
        },
    )
    return load_checkpoint(tmp_path / name / "checkpoints" / LAST)["model"]


def test_same_seed_gives_the_same_weights(
    tmp_path: Path, classification_entries: list[TrainingEntry]
) -> None:
    entries = classification_entries[:8]
    first = _train_twice(tmp_path, entries, "a")
    second = _train_twice(tmp_path, entries, "b")
    assert first.keys() == second.keys()
    changed = [k for k in first if not torch.equal(first[k], second[k])]
    assert changed == []
    initial = job.MODELS["efficientnet_lite0"].build(
        2, job.MODELS["efficientnet_lite0"].find_weights(None), 3
    )
    assert not torch.equal(initial.state_dict()["fc.weight"], first["fc.weight"])  # it did train


class _Interrupt(Exception):
    pass


def _stop_after_first_epoch(event: Progress) -> None:
    if event.phase == "train" and event.epoch == 1:
        raise _Interrupt


def test_an_interrupted_run_resumes_to_the_same_weights(
    tmp_path: Path,
    classification_entries: list[TrainingEntry],
) -> None:
    settings = {"architecture": "small_cnn", "validation_fraction": 0.0, "batch_size": 4, "epochs": 2}
    entries = classification_entries[:8]
    straight = job.run(
        entries, [], tmp_path / "straight", seed=3, threads=1, evaluate=False, overrides=settings
    )
    with contextlib.suppress(_Interrupt):
        job.run(
            entries,
            [],
            tmp_path / "resumed",
            seed=3,
            threads=1,
            evaluate=False,
            overrides=settings,
            progress=_stop_after_first_epoch,
        )
    checkpoint = tmp_path / "resumed" / "checkpoints" / LAST
    assert load_checkpoint(checkpoint)["epoch"] == 0
    resumed = job.run(
        entries,
        [],
        tmp_path / "resumed",
        seed=3,
        threads=1,
        evaluate=False,
        overrides=settings,
        resume=checkpoint,
    )
    assert resumed.fit.epochs_run == straight.fit.epochs_run == 2
    first = load_checkpoint(straight.output_dir / "checkpoints" / LAST)["model"]
    second = load_checkpoint(checkpoint)["model"]
    assert all(torch.equal(first[key], second[key]) for key in first)


def test_the_command_line_trains_from_manifests(
    tmp_path: Path, classification_entries: list[TrainingEntry]
) -> None:
    folder = Path(classification_entries[0].image_path).parent
    for name, part in (("train", classification_entries[:12]), ("test", classification_entries[12:16])):
        lines = [
            {
                "source-ref": f"s3://bucket/images/{Path(e.image_path).name}",
                "colour": 0,
                "colour-metadata": {"class-name": e.labels[0], "type": "groundtruth/image-classification"},
            }
            for e in part
        ]
        (tmp_path / f"{name}.manifest").write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    args = get_args_parser().parse_args([
        "--train-manifest", str(tmp_path / "train.manifest"),
        "--test-manifest", str(tmp_path / "test.manifest"),
        "--map", f"s3://bucket/images/={folder}", "--output-dir", str(tmp_path / "out"),
        "--arch", "small_cnn", "--epochs", "1", "--threads", "1",
    ])  # fmt: skip
    outcome = main(args)
    assert outcome["task"] == "single_label" and outcome["testing_images"] == 4
    card = ModelCard.read(tmp_path / "out")
    assert len(card.training["manifest_hashes"]["train_manifest_sha256"]) == 64
    snapshot = (tmp_path / "out" / "evaluation" / SNAPSHOT_FILE).read_text().splitlines()
    assert json.loads(snapshot[0])["source-ref"].startswith("s3://bucket/images/")
