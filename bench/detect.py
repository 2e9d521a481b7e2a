"""Benchmark DetectCustomLabels serving: ONNX Runtime against PyTorch eager, per core, and cold start.

What it measures, on the same JPEG images (scikit-image's bundled photographs, 300-1411 px):

- end to end per request on ONE thread (decode, checks, preprocessing, model, response), as
  p50/p99 latency and images per second per core, for ONNX Runtime (our ``detect_custom_labels``)
  and for PyTorch eager (the same decode and preprocessing, then the eager module);
- the model alone (tensor in, outputs out) for both;
- cold start in a fresh interpreter: importing onnxruntime and our package, loading the model,
  and the first request; and the same for PyTorch (import torch, build, load weights);
- the decode + preprocessing cost of a 4032x3024 phone-sized JPEG, fully and with DCT-scaled
  ("draft") decoding.

The models come from the training package's registry (EfficientNet-Lite0 classifier at 224x224,
CenterNet-Lite0 detector at 320x320, 10 labels) and are exported by training's own
``export_onnx``, then prepared with :func:`customlabels.inference.optimize.prepare_for_serving`;
without ``customlabels.training``, torchvision's ``efficientnet_b0`` stands in (no detector).
Weights are random, which does not change the speed.

Run from the repository root: ``PYTHONPATH=. .venv/bin/python bench/detect.py`` (``--quick`` for a
smoke run; PYTHONPATH is not needed once the package is installed). Results go to
``bench/results/detect-<machine>-<versions>.{csv,md}``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
import torch
from PIL import Image

from customlabels.inference.detect import detect_custom_labels
from customlabels.inference.images import ImageSource, decode_image
from customlabels.inference.optimize import prepare_for_serving
from customlabels.inference.predictor import Predictor

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
PHOTOS = ("astronaut", "coffee", "chelsea", "rocket", "hubble_deep_field", "immunohistochemistry", "retina")
LABELS = [f"label_{i}" for i in range(10)]


@dataclass
class BenchModel:
    name: str
    task: str
    input_size: tuple[int, int]  # (height, width)
    model_dir: Path
    module: torch.nn.Module
    build: str  # Python that rebuilds ``module`` in a fresh process (for PyTorch's cold start)


@dataclass
class Row:
    model: str
    task: str
    input: str
    backend: str
    e2e_p50_ms: float
    e2e_p99_ms: float
    images_per_s_per_core: float  # 1 / median latency: robust to other work on a shared machine
    images_per_s_per_core_mean: float  # 1 / mean latency: what a saturated quiet core would do
    model_p50_ms: float
    decode_ms: float
    preprocess_ms: float
    cold_start_s: float
    cold_import_s: float
    first_request_s: float
    speedup_vs_eager: float = 1.0


# Models

REGISTRY_BUILD = """
from customlabels.training.entries import Task
from customlabels.training.export import exportable
from customlabels.training.models import MODELS, Weights
module = exportable(MODELS[{name!r}].build({labels}, Weights(None, "random"), 0), Task({task!r}))
"""


def registry_models(workdir: Path) -> list[BenchModel] | None:
    """The training registry's Lite0 classifier and detector, exported by training's own code path."""
    try:
        from customlabels.training.entries import Task
        from customlabels.training.export import export_onnx, exportable
        from customlabels.training.modelcard import ModelCard
        from customlabels.training.models import MODELS, Weights
    except ImportError:
        return None
    models = []
    for name, task, title in (
        ("efficientnet_lite0", "single_label", "EfficientNet-Lite0 classifier"),
        ("fcos_lite0", "detection", "FCOS-Lite0 detector"),
    ):
        spec = MODELS[name]
        module = exportable(spec.build(len(LABELS), Weights(None, "random"), 0), Task(task))
        card = ModelCard(
            task=task,
            labels=LABELS,
            input_size=list(spec.input_size),
            mean=list(spec.mean),
            std=list(spec.std),
            architecture=name,
            thresholds=dict.fromkeys(LABELS, 0.5),
            max_detections=100 if task == "detection" else 0,
        )
        model_dir = workdir / name
        model_dir.mkdir()
        card.write(model_dir)
        export_onnx(module, card, model_dir)
        build = REGISTRY_BUILD.format(name=name, labels=len(LABELS), task=task)
        models.append(BenchModel(title, task, spec.input_size, model_dir, module, build))
    return models


def torchvision_models(workdir: Path) -> list[BenchModel]:
    """Without the training package: torchvision's EfficientNet-B0 as the classifier, no detector."""
    import torchvision

    backbone = torchvision.models.efficientnet_b0(weights=None).eval()
    module = torch.nn.Sequential(backbone, torch.nn.Softmax(dim=-1)).eval()
    model_dir = workdir / "efficientnet_b0"
    model_dir.mkdir()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            module,
            (torch.zeros(1, 3, 224, 224),),
            str(model_dir / "model.onnx"),
            input_names=["image"],
            output_names=["scores"],
            opset_version=17,
            dynamo=False,
        )
    labels = [f"class_{i}" for i in range(1000)]
    spec = {
        "format_version": 1,
        "task": "single_label",
        "labels": labels,
        "input_size": [224, 224],
        "mean": [0.485, 0.456, 0.406],
        "std": [0.229, 0.224, 0.225],
        "resize": "stretch",
        "architecture": "torchvision efficientnet_b0",
        "thresholds": dict.fromkeys(labels, 0.5),
    }
    (model_dir / "model.json").write_text(json.dumps(spec))
    build = (
        "import torchvision\n"
        "backbone = torchvision.models.efficientnet_b0(weights=None)\n"
        "module = torch.nn.Sequential(backbone, torch.nn.Softmax(dim=-1))"
    )
    print("customlabels.training is not importable: torchvision efficientnet_b0 only, no detector")
    return [BenchModel("EfficientNet-B0 classifier", "single_label", (224, 224), model_dir, module, build)]


def build_models(workdir: Path) -> list[BenchModel]:
    """Export the models, keep a copy as exported, and prepare the served one as training should."""
    torch.manual_seed(0)
    models = registry_models(workdir) or torchvision_models(workdir)
    for model in models:
        torch.save(model.module.state_dict(), model.model_dir / "eager.pt")
        shutil.copytree(model.model_dir, model.model_dir.with_name(model.model_dir.name + "-as-exported"))
        prepare_for_serving(model.model_dir / "model.onnx")
    return models


# Images


def bench_images(workdir: Path) -> list[Path]:
    """The bundled photographs as JPEG files (quality 90, like a camera's)."""
    import skimage.data

    paths = []
    for name in PHOTOS:
        path = workdir / f"{name}.jpg"
        Image.fromarray(getattr(skimage.data, name)()).convert("RGB").save(path, quality=90)
        paths.append(path)
    return paths


def phone_photo(workdir: Path) -> Path:
    import skimage.data

    path = workdir / "phone-4032x3024.jpg"
    Image.fromarray(skimage.data.astronaut()).resize((4032, 3024), Image.Resampling.BICUBIC).save(
        path, quality=90
    )
    return path


# Timing


def timed(call: Callable[[Any], object], inputs: list[Any], iterations: int, warmup: int) -> np.ndarray:
    """Seconds per call, cycling through ``inputs``; the first ``warmup`` calls are not counted."""
    for i in range(warmup):
        call(inputs[i % len(inputs)])
    seconds = np.empty(iterations)
    for i in range(iterations):
        start = time.perf_counter()
        call(inputs[i % len(inputs)])
        seconds[i] = time.perf_counter() - start
    return seconds


def interleaved(
    calls: Mapping[str, Callable[[Any], object]], inputs: list[Any], iterations: int, warmup: int, rounds: int
) -> dict[str, np.ndarray]:
    """Time every call in turns of ``iterations / rounds`` requests each.

    The machine is shared: taking turns exposes every backend to the same background load,
    so the comparison stays fair even when the absolute numbers move.
    """
    for call in calls.values():
        timed(call, inputs, 0, warmup)
    per_round = max(1, iterations // rounds)
    parts: dict[str, list[np.ndarray]] = {name: [] for name in calls}
    for _ in range(rounds):
        for name, call in calls.items():
            parts[name].append(timed(call, inputs, per_round, 0))
    return {name: np.concatenate(chunks) for name, chunks in parts.items()}


def ms(seconds: np.ndarray, q: float) -> float:
    return float(np.percentile(seconds, q) * 1000.0)


COLD_ORT = """
import json, sys, time
from pathlib import Path
start = time.perf_counter()
import onnxruntime
from customlabels.inference.detect import detect_custom_labels
from customlabels.inference.predictor import Predictor
imported = time.perf_counter()
predictor = Predictor(Path(sys.argv[1]), threads=1)
loaded = time.perf_counter()
detect_custom_labels(predictor, Path(sys.argv[2]).read_bytes(), 0)
done = time.perf_counter()
print(json.dumps({"import": imported - start, "load": loaded - imported, "first": done - loaded}))
"""

COLD_EAGER = """
import json, sys, time
from pathlib import Path
start = time.perf_counter()
import torch
torch.set_num_threads(1)
from customlabels.inference.images import ImageSource, decode_image
from customlabels.inference.artifact import ModelSpec
from customlabels.inference.preprocess import Preprocessor
imported = time.perf_counter()
{build}
module.load_state_dict(torch.load(Path(sys.argv[1]) / "eager.pt", weights_only=True))
module.eval()
preprocess = Preprocessor(ModelSpec.load(Path(sys.argv[1])))
loaded = time.perf_counter()
with torch.inference_mode():
    module(torch.from_numpy(preprocess(decode_image(Path(sys.argv[2]).read_bytes(), ImageSource.BYTES))))
done = time.perf_counter()
print(json.dumps({{"import": imported - start, "load": loaded - imported, "first": done - loaded}}))
"""


def cold_starts(scripts: dict[str, tuple[str, Path]], image: Path, runs: int) -> dict[str, dict[str, float]]:
    """Per backend, the median over ``runs`` fresh interpreters (taking turns) of each cold-start part."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO)}
    samples: dict[str, list[dict[str, float]]] = {name: [] for name in scripts}
    for _ in range(runs):
        for name, (script, model_dir) in scripts.items():
            out = subprocess.run(
                [sys.executable, "-W", "ignore", "-c", script, str(model_dir), str(image)],
                capture_output=True,
                text=True,
                check=True,
                env=env,
                cwd=REPO,
            ).stdout
            samples[name].append(json.loads(out.strip().splitlines()[-1]))
    return {
        name: {key: statistics.median(sample[key] for sample in runs_) for key in runs_[0]}
        for name, runs_ in samples.items()
    }


# The benchmark


def bench_model(model: BenchModel, images: list[Path], args: argparse.Namespace) -> list[Row]:
    """Rows for ONNX Runtime (prepared and as exported) and PyTorch eager on one model.

    Every backend gets the same decode (full JPEG decode, the default) and numpy preprocessing; ONNX Runtime
    runs the whole ``detect_custom_labels``, eager the module's forward, on one thread each.
    """
    torch.set_num_threads(1)
    unprepared_dir = model.model_dir.with_name(model.model_dir.name + "-as-exported")
    prepared, unprepared = Predictor(model.model_dir, threads=1), Predictor(unprepared_dir, threads=1)
    preprocess = prepared.preprocess
    encoded = [path.read_bytes() for path in images]
    decoded = [decode_image(data, ImageSource.BYTES) for data in encoded]
    tensors = [preprocess(image) for image in decoded]

    def forward(tensor: np.ndarray) -> object:
        with torch.inference_mode():
            return model.module(torch.from_numpy(tensor))

    def eager_request(data: bytes) -> object:
        return forward(preprocess(decode_image(data, ImageSource.BYTES)))

    ort_name = f"ONNX Runtime {ort.__version__}"
    names = (
        f"{ort_name}, prepared",
        f"{ort_name}, as exported",
        f"PyTorch {torch.__version__.split('+')[0]} eager",
    )
    requests = dict(
        zip(
            names,
            (
                lambda data: detect_custom_labels(prepared, data, 0),
                lambda data: detect_custom_labels(unprepared, data, 0),
                eager_request,
            ),
            strict=True,
        )
    )
    models = dict(zip(names, (prepared.predict_tensor, unprepared.predict_tensor, forward), strict=True))
    e2e = interleaved(requests, encoded, args.iterations, args.warmup, args.rounds)
    alone = interleaved(models, tensors, args.iterations, args.warmup, args.rounds)
    decode_s = timed(lambda data: decode_image(data, ImageSource.BYTES), encoded, 50, 3)
    preprocess_s = timed(preprocess, decoded, 50, 3)
    scripts = {
        names[0]: (COLD_ORT, model.model_dir),
        names[1]: (COLD_ORT, unprepared_dir),
        names[2]: (COLD_EAGER.format(build=model.build), model.model_dir),
    }
    cold = cold_starts(scripts, images[0], args.cold_runs)

    eager_p50 = float(np.median(e2e[names[2]]))
    return [
        Row(
            model=model.name,
            task=model.task,
            input=f"{model.input_size[1]}x{model.input_size[0]}",
            backend=name,
            e2e_p50_ms=ms(e2e[name], 50),
            e2e_p99_ms=ms(e2e[name], 99),
            images_per_s_per_core=1.0 / float(np.median(e2e[name])),
            images_per_s_per_core_mean=1.0 / float(np.mean(e2e[name])),
            model_p50_ms=ms(alone[name], 50),
            decode_ms=ms(decode_s, 50),
            preprocess_ms=ms(preprocess_s, 50),
            cold_start_s=cold[name]["import"] + cold[name]["load"],
            cold_import_s=cold[name]["import"],
            first_request_s=cold[name]["first"],
            speedup_vs_eager=eager_p50 / float(np.median(e2e[name])),
        )
        for name in names
    ]


def decode_costs(photo: Path, model_dir: Path, iterations: int) -> dict[str, float]:
    """Decode + preprocess of one large photo for ``model_dir``'s input: full decode against draft."""
    preprocess = Predictor(model_dir, threads=1).preprocess
    data = photo.read_bytes()
    full = timed(lambda d: preprocess(decode_image(d, ImageSource.BYTES)), [data], iterations, 1)
    draft = timed(
        lambda d: preprocess(decode_image(d, ImageSource.BYTES, draft_size=preprocess.size)),
        [data],
        iterations,
        1,
    )
    return {"full_ms": ms(full, 50), "draft_ms": ms(draft, 50), "bytes": len(data)}


def machine_name() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        text = Path("/proc/cpuinfo").read_text()
        match = re.search(r"model name\s*:\s*(.+)", text)
        cpu = match.group(1) if match else cpu
    except OSError:
        pass
    cpu = re.sub(r"\((r|tm)\)|\bcpu\b|\bprocessor\b|@.*", "", cpu.lower())
    slug = re.sub(r"[^a-z0-9]+", "-", cpu).strip("-")[:40].strip("-")
    return f"{platform.machine()}-{os.cpu_count()}cpu-{slug}"


def versions() -> str:
    python = f"{sys.version_info[0]}.{sys.version_info[1]}"
    return f"ort{ort.__version__}-torch{torch.__version__.split('+')[0]}-py{python}"


def markdown(rows: list[Row], decode: dict[str, float], machine: str, load: tuple[float, float]) -> str:
    lines = [
        f"DetectCustomLabels serving on `{machine}`, one thread (per core), {versions()}.",
        "",
        "| model | input | backend | p50 ms | p99 ms | images/s/core | model-only p50 ms "
        "| decode ms | preprocess ms | cold start s (import) | first request s | vs eager |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r.model} | {r.input} | {r.backend} | {r.e2e_p50_ms:.1f} | {r.e2e_p99_ms:.1f} "
            f"| {r.images_per_s_per_core:.1f} | {r.model_p50_ms:.1f} | {r.decode_ms:.1f} "
            f"| {r.preprocess_ms:.2f} "
            f"| {r.cold_start_s:.2f} ({r.cold_import_s:.2f}) | {r.first_request_s:.3f} "
            f"| {r.speedup_vs_eager:.2f}x |"
        )
    lines += [
        "",
        "Cold start = import (onnxruntime + customlabels.inference, or torch) + model load, in a fresh "
        "interpreter (median); the first request is listed apart. Latencies are end to end: decode, "
        "checks, preprocessing, model, response. images/s/core and vs eager use the median latency "
        "(the CSV also has 1/mean).",
        "",
        f"Decoding and preprocessing a {decode['bytes'] / 1e6:.1f} MB 4032x3024 JPEG for 224x224: "
        f"full decode {decode['full_ms']:.1f} ms, draft decode (DCT-scaled, `fast_jpeg_decode=True`) "
        f"{decode['draft_ms']:.1f} ms.",
        "",
        f"Load average (1 min) before and after the run: {load[0]:.2f} and {load[1]:.2f} on "
        f"{os.cpu_count()} cores; the backends took turns so that they saw the same load.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=300, help="timed requests per measurement")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=10, help="turns the backends take, per measurement")
    parser.add_argument("--cold-runs", type=int, default=3, help="fresh interpreters per cold start")
    parser.add_argument("--quick", action="store_true", help="a smoke run: few iterations")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if args.quick:
        args.iterations, args.warmup, args.cold_runs, args.rounds = 20, 2, 1, 2

    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-detect-") as tmp:
        workdir = Path(tmp)
        models = build_models(workdir)
        images = bench_images(workdir)
        rows = [row for model in models for row in bench_model(model, images, args)]
        decode = decode_costs(phone_photo(workdir), models[0].model_dir, max(5, args.iterations // 20))

    machine = machine_name()
    report = markdown(rows, decode, machine, (load_before, os.getloadavg()[0]))
    print(report)
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"detect-{machine}-{versions()}"
    with open(f"{stem}.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(asdict(rows[0])))
        writer.writeheader()
        writer.writerows(asdict(row) for row in rows)
    Path(f"{stem}.md").write_text(report)
    print(f"wrote {stem}.csv and {stem}.md")


if __name__ == "__main__":
    main()
