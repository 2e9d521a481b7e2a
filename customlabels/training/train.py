"""Command line of the training job, in the shape of torchvision's reference ``train.py``.

``python -m customlabels.training.train --train-manifest train.manifest --test-manifest
test.manifest --map s3://bucket/=/data/ --output-dir /out`` trains, exports and evaluates (see
:func:`customlabels.training.job.run`). The GPU container runs this after copying the manifests
and images to local disk; ``--map`` turns each ``source-ref`` into the local file.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from customlabels.training import job
from customlabels.training.manifest_entries import entries_from_manifest


def get_args_parser() -> argparse.ArgumentParser:
    """The job's arguments; every AutoML choice can be overridden."""
    parser = argparse.ArgumentParser(description="Train, export and evaluate a Custom Labels model.")
    parser.add_argument(
        "--train-manifest", required=True, help="local Ground Truth manifest of the training set"
    )
    parser.add_argument("--test-manifest", required=True, help="local Ground Truth manifest of the test set")
    parser.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="PREFIX=DIR",
        help="replace a source-ref prefix by a local directory (repeatable)",
    )
    parser.add_argument("--output-dir", required=True, help="where model.onnx, model.json, ... are written")
    parser.add_argument("--evaluation-dir", default=None, help="where the evaluation files go")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default=None, help="cpu or cuda (default: cuda when available)")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    # The process edge: the container image sets CUSTOMLABELS_WEIGHTS_DIR where it baked the weights.
    parser.add_argument("--weights-dir", default=os.environ.get("CUSTOMLABELS_WEIGHTS_DIR"))
    parser.add_argument("--arch", dest="architecture", default=None, help="override the architecture")
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--lr", dest="learning_rate", type=float, default=None)
    parser.add_argument("--input-size", type=int, default=None, help="square input side in pixels")
    parser.add_argument("--time-budget", dest="time_budget_s", type=float, default=None, help="seconds")
    parser.add_argument("--resume", default=None, help="checkpoint to resume from (checkpoints/last.pt)")
    parser.add_argument("--no-evaluate", dest="evaluate", action="store_false")
    parser.add_argument("--project-version-arn", default="")
    parser.add_argument("--summary-name", default="evaluation_summary.json")
    return parser


def source_mapper(mappings: Sequence[str]) -> Callable[[str], str]:
    """A ``source-ref`` → local path function from ``PREFIX=DIR`` pairs (longest prefix wins).

    Raises:
        ValueError: a mapping has no ``=``.
    """
    pairs = []
    for mapping in mappings:
        prefix, separator, directory = mapping.partition("=")
        if not separator:
            raise ValueError(f"--map must look like PREFIX=DIR, got {mapping!r}")
        pairs.append((prefix, directory))
    pairs.sort(key=lambda pair: len(pair[0]), reverse=True)

    def resolve(source_ref: str) -> str:
        for prefix, directory in pairs:
            if source_ref.startswith(prefix):
                return str(Path(directory) / source_ref[len(prefix) :].lstrip("/"))
        return source_ref

    return resolve


def main(args: argparse.Namespace) -> dict[str, Any]:
    """Run the job for parsed ``args``; returns (and prints) a JSON summary of the result."""
    resolve = source_mapper(args.map)
    train = entries_from_manifest(Path(args.train_manifest).read_text().splitlines(), resolve)
    test = entries_from_manifest(Path(args.test_manifest).read_text().splitlines(), resolve)
    overrides = {
        key: getattr(args, key)
        for key in ("architecture", "epochs", "batch_size", "learning_rate", "input_size", "time_budget_s")
        if getattr(args, key) is not None
    }
    hashes = {
        "train_manifest_sha256": _sha256(args.train_manifest),
        "test_manifest_sha256": _sha256(args.test_manifest),
    }
    result = job.run(
        train,
        test,
        args.output_dir,
        seed=args.seed,
        weights_dir=args.weights_dir,
        overrides=overrides,
        device=args.device,
        threads=args.threads,
        manifest_hashes=hashes,
        evaluate=args.evaluate,
        evaluation_dir=args.evaluation_dir,
        project_version_arn=args.project_version_arn,
        summary_name=args.summary_name,
        resume=args.resume,
    )
    outcome = {
        "task": result.task.value,
        "labels": result.labels,
        "f1": result.f1,
        "model": str(result.model_path),
        "model_json": str(result.card_path),
        "resolved_config": str(result.config_path),
        "training_images": result.number_of_training_images,
        "testing_images": result.number_of_testing_images,
        "durations": result.durations,
    }
    print(json.dumps(outcome))
    return outcome


def _sha256(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


if __name__ == "__main__":
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s", stream=sys.stdout
    )
    main(get_args_parser().parse_args())
