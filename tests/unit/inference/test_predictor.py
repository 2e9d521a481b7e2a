"""The ONNX Runtime predictor agrees with PyTorch eager and refuses artifacts that break the contract."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from customlabels.inference.artifact import ModelSpec
from customlabels.inference.errors import ModelArtifactError
from customlabels.inference.predictor import Predictor, session_options
from customlabels.inference.preprocess import Preprocessor

from .builders import INPUT_SIZE, LABELS, NUM_BOXES, TinyModel, model_json, photo

torch = pytest.importorskip("torch")

TOLERANCE = 1e-4
IMAGES = [photo(96, 80, seed=1), photo(300, 64, seed=2), photo(64, 64, seed=3)]


def eager(model: TinyModel, tensor: np.ndarray) -> tuple[np.ndarray, ...]:
    with torch.no_grad():
        outputs = model.module(torch.from_numpy(tensor))
    outputs = outputs if isinstance(outputs, tuple) else (outputs,)
    return tuple(output.numpy() for output in outputs)


def test_preprocessing_matches_torchvision_transforms() -> None:
    transforms = pytest.importorskip("torchvision.transforms")
    spec = ModelSpec.from_dict(model_json("single_label"))
    reference = transforms.Compose(
        [transforms.Resize(INPUT_SIZE), transforms.ToTensor(), transforms.Normalize(spec.mean, spec.std)]
    )
    for image in IMAGES:
        ours = Preprocessor(spec)(image)
        assert ours.shape == (1, 3, *INPUT_SIZE) and ours.dtype == np.float32 and ours.flags.c_contiguous
        np.testing.assert_allclose(ours[0], reference(image).numpy(), atol=1e-5)


@pytest.mark.parametrize("fixture", ["single_label_model", "multi_label_model"])
def test_classification_matches_pytorch_eager(fixture: str, request: pytest.FixtureRequest) -> None:
    model: TinyModel = request.getfixturevalue(fixture)
    predictor = Predictor(model.model_dir, threads=1)
    for image in IMAGES:
        predictions = predictor.predict(image)
        (expected,) = eager(model, predictor.preprocess(image))
        assert [p.box for p in predictions] == [None] * len(LABELS)
        got = {p.label: p.score for p in predictions}
        np.testing.assert_allclose([got[label] for label in LABELS], expected[0], atol=TOLERANCE)
        assert [p.score for p in predictions] == sorted(got.values(), reverse=True)


def test_single_label_scores_are_a_softmax(single_label_model: TinyModel) -> None:
    predictions = Predictor(single_label_model.model_dir, threads=1).predict(IMAGES[0])
    assert sum(p.score for p in predictions) == pytest.approx(1.0, abs=1e-5)


def test_detection_matches_pytorch_eager(detection_model: TinyModel) -> None:
    predictor = Predictor(detection_model.model_dir, threads=1)
    for image in IMAGES:
        predictions = predictor.predict(image)
        boxes, scores, labels = eager(detection_model, predictor.preprocess(image))
        order = np.argsort(-scores, kind="stable")
        assert len(predictions) == NUM_BOXES
        assert [p.label for p in predictions] == [LABELS[i] for i in labels[order]]
        np.testing.assert_allclose([p.score for p in predictions], scores[order], atol=TOLERANCE)
        np.testing.assert_allclose(np.array([p.box for p in predictions]), boxes[order], atol=TOLERANCE)


def test_max_detections_caps_the_boxes(detection_model: TinyModel, tmp_path: Path) -> None:
    shutil.copy(detection_model.model_dir / "model.onnx", tmp_path / "model.onnx")
    (tmp_path / "model.json").write_text(json.dumps(model_json("detection", max_detections=2)))
    predictions = Predictor(tmp_path, threads=1).predict(IMAGES[0])
    full = Predictor(detection_model.model_dir, threads=1).predict(IMAGES[0])
    assert predictions == full[:2]


def test_task_must_match_the_graph_outputs(detection_model: TinyModel, tmp_path: Path) -> None:
    shutil.copy(detection_model.model_dir / "model.onnx", tmp_path / "model.onnx")
    (tmp_path / "model.json").write_text(json.dumps(model_json("single_label")))
    with pytest.raises(ModelArtifactError, match=r"lacks outputs \['scores'\]|scores has"):
        Predictor(tmp_path)


def test_label_count_must_match_the_scores(single_label_model: TinyModel, tmp_path: Path) -> None:
    shutil.copy(single_label_model.model_dir / "model.onnx", tmp_path / "model.onnx")
    spec = model_json("single_label", labels=["cat", "dog"], thresholds={"cat": 0.5, "dog": 0.5})
    (tmp_path / "model.json").write_text(json.dumps(spec))
    with pytest.raises(ModelArtifactError, match="scores has 3 values but model.json lists 2 labels"):
        Predictor(tmp_path)


def test_input_size_must_match_the_graph(single_label_model: TinyModel, tmp_path: Path) -> None:
    shutil.copy(single_label_model.model_dir / "model.onnx", tmp_path / "model.onnx")
    (tmp_path / "model.json").write_text(json.dumps(model_json("single_label", input_size=[224, 224])))
    with pytest.raises(ModelArtifactError, match=r"has shape \[1, 3, 48, 40\], expected \[1, 3, 224, 224\]"):
        Predictor(tmp_path)


def test_missing_or_corrupt_onnx_is_an_artifact_error(tmp_path: Path) -> None:
    (tmp_path / "model.json").write_text(json.dumps(model_json("single_label")))
    with pytest.raises(ModelArtifactError, match="cannot load"):
        Predictor(tmp_path)
    (tmp_path / "model.onnx").write_bytes(b"not a protobuf")
    with pytest.raises(ModelArtifactError, match="cannot load"):
        Predictor(tmp_path)


def test_session_options_for_one_request_at_a_time() -> None:
    options = session_options(3)
    assert options.intra_op_num_threads == 3
    assert options.inter_op_num_threads == 1
    assert options.enable_mem_pattern
    assert session_options().intra_op_num_threads >= 1


def test_serving_sees_the_pixels_training_and_evaluation_see(tmp_path: Path) -> None:
    """Decode + preprocess here equals ``customlabels.training.modelcard.preprocess`` on the same file."""
    modelcard = pytest.importorskip("customlabels.training.modelcard")
    from customlabels.inference.images import ImageSource, decode_image

    from .builders import encode

    card = modelcard.ModelCard(
        task="single_label",
        labels=LABELS,
        input_size=list(INPUT_SIZE),
        mean=[0.5, 0.4, 0.3],
        std=[0.2, 0.25, 0.3],
        architecture="tiny",
        thresholds=dict.fromkeys(LABELS, 0.5),
    )
    card.write(tmp_path)
    spec = ModelSpec.load(tmp_path)  # training's model.json is readable here
    exif = Image.Exif()
    exif[0x0112] = 6
    files = {
        "rotated.jpg": encode(photo(120, 70, seed=4), "JPEG", quality=90, exif=exif),
        "rgba.png": encode(photo(90, 130, "RGBA", seed=5), "PNG"),
        "grey.png": encode(photo(64, 300, "L", seed=6), "PNG"),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        ours = Preprocessor(spec)(decode_image(data, ImageSource.BYTES))
        theirs = modelcard.preprocess(tmp_path / name, card)
        np.testing.assert_allclose(ours, theirs, atol=1e-5, err_msg=name)
