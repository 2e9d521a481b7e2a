"""``TrainModel``: the training job for one model, as the training pipeline runs it.

The same code runs in the AWS Batch GPU container (``python -m customlabels.training.worker
--project-version-arn ARN``, started by Step Functions with ``.sync``) and, on ``target=local``,
inside a Lambda step on the CPU (:func:`train_in_lambda`). For one model it

1. reads the lines ``ValidateManifests`` staged next to the model (only what training uses) and
   copies their images to local disk (:mod:`customlabels.versions.image_copy`);
2. runs :func:`customlabels.training.job.run`: AutoML plan, training, ONNX export, evaluation of
   the exported model on the test set (summary file, evaluation manifest snapshot, confusion
   matrix, plots), with progress logged as ``progress ...`` lines;
3. prepares ``model.onnx`` for serving (:func:`customlabels.inference.optimize.prepare_for_serving`);
4. uploads the output directory under the model's artifacts prefix, and the summary file and the
   evaluation manifest snapshot to the OutputConfig location (guide L7410-7428), all encrypted
   with the model's KMS key when it has one;
5. writes its :class:`~customlabels.versions.job_outcome.JobOutcome` for ``FinalizeVersion`` (or,
   when the caller's data stops it, for ``RecordFailure``).

Time: ``time_budget_s`` (the Lambda's remaining time, or ``CUSTOMLABELS_TRAINING_TIME_BUDGET_S`` on
Batch) becomes the plan's ``time_budget_s``, so training stops after the epoch that would overrun
it and the job still exports, evaluates and uploads within the compute's own timeout.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import math
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from customlabels import aws
from customlabels import settings as settings_module
from customlabels.manifests.codes import ErrorCode, detail
from customlabels.resources.repository import Repository
from customlabels.settings import Settings
from customlabels.store import MetadataStore
from customlabels.training.entries import TaskChoiceError, TrainingEntry
from customlabels.training.manifest_entries import entries_from_manifest
from customlabels.versions.failures import TrainingClientError, VersionSuperseded, client_errors
from customlabels.versions.image_copy import copy_images, local_path, summary_with_error
from customlabels.versions.job_outcome import JobOutcome
from customlabels.versions.layout import TrainingFiles, s3_object
from customlabels.versions.outputs import TrainingObjects
from customlabels.versions.recording import VersionRecorder
from customlabels.versions.validate import output_writer, training_files

log = logging.getLogger(__name__)
SEED = 0  # fixed, and written beside the model: a rerun on the CPU gives the same weights
SKIPPED_OUTPUTS = frozenset({"checkpoints"})
# Export, evaluation and upload after the last epoch: a share of the time left, at least a minute.
RESERVE_FRACTION = 0.15
MIN_RESERVE_S = 60.0


def time_budget(available_s: float) -> float:
    """How long the plan may train when ``available_s`` seconds are left for the whole job."""
    return max(available_s - max(MIN_RESERVE_S, available_s * RESERVE_FRACTION), available_s / 2)


@dataclass
class TrainingWorker:
    """Trains models of one deployment."""

    recorder: VersionRecorder
    s3: Any
    data_bucket: str
    weights_dir: str | None = None
    threads: int | None = None

    @classmethod
    def from_settings(cls, settings: Settings, *, s3: Any = None) -> TrainingWorker:
        """A worker over ``settings.data_bucket`` (an S3 client is created unless given).

        Raises:
            ValueError: no data bucket is configured.
        """
        bucket = aws.data_bucket(settings, holds="models live")
        s3 = s3 or aws.client("s3", settings, max_pool_connections=32)
        return cls(VersionRecorder(Repository(MetadataStore(s3, bucket))), s3, bucket, settings.weights_dir)

    def train(
        self, project_version_arn: str, *, time_budget_s: float | None = None, workdir: str | None = None
    ) -> JobOutcome:
        """Train, evaluate and publish one model; writes and returns its outcome.

        Raises:
            TrainingClientError: the caller's data stopped the training (the outcome says why).
            VersionSuperseded: the model is no longer training.
        """
        version = self.recorder.training(project_version_arn)
        files = training_files(version, self.data_bucket)
        objects = TrainingObjects(self.s3, version.kms_key_id)
        with tempfile.TemporaryDirectory(prefix="customlabels-train-", dir=workdir) as scratch:
            try:
                outcome = self._train(project_version_arn, files, objects, Path(scratch), time_budget_s)
            except TrainingClientError as error:
                failed = JobOutcome(project_version_arn, False, message=error.message, code=error.code)
                objects.put(self.data_bucket, files.outcome_key, failed.to_json())
                raise
        objects.put(self.data_bucket, files.outcome_key, outcome.to_json())
        log.info(
            "trained %s: F1 %.4f in %s s", project_version_arn, outcome.f1 or 0, outcome.billable_seconds
        )
        return outcome

    def _train(
        self,
        arn: str,
        files: TrainingFiles,
        objects: TrainingObjects,
        root: Path,
        time_budget_s: float | None,
    ) -> JobOutcome:
        # Imported here: torch and onnx take seconds to load, the rest of this module does not.
        from customlabels.inference.optimize import prepare_for_serving
        from customlabels.training import job

        datasets: dict[str, list[TrainingEntry]] = {}
        hashes: dict[str, str] = {}
        for dataset, key in (("training", files.staged_training_key), ("testing", files.staged_testing_key)):
            data = objects.read(self.data_bucket, key)
            if data is None:
                raise FileNotFoundError(f"s3://{self.data_bucket}/{key}: ValidateManifests staged nothing")
            hashes[f"{dataset}_manifest_sha256"] = hashlib.sha256(data).hexdigest()
            entries = entries_from_manifest(
                data.decode("utf-8").splitlines(), lambda ref: local_path(root, ref)
            )
            datasets[dataset] = self._copied(objects, files, entries, dataset)
        overrides = {"time_budget_s": time_budget_s} if time_budget_s else None
        output = root / "output"
        try:
            result = job.run(
                datasets["training"],
                datasets["testing"],
                output,
                seed=SEED,
                weights_dir=self.weights_dir,
                overrides=overrides,
                threads=self.threads,
                manifest_hashes=hashes,
                evaluation_dir=output / "evaluation",
                project_version_arn=arn,
                summary_name=files.evaluation_summary_name,
            )
        except TaskChoiceError as error:
            # guide L6016-6018: the chosen model type has too few labels to train.
            too_few = detail(ErrorCode.ERROR_MANIFEST_TOO_FEW_USABLE_LABELS)
            raise TrainingClientError(too_few.message, too_few.code) from error
        if result.evaluation is None:
            raise RuntimeError(f"{arn}: the job evaluated nothing")
        prepare_for_serving(result.model_path)
        for path in sorted(output.rglob("*")):
            relative = path.relative_to(output)
            if path.is_file() and relative.parts[0] not in SKIPPED_OUTPUTS:
                objects.upload(path, self.data_bucket, files.artifact_key(relative.as_posix()))
        write = output_writer(objects, files.output_bucket)
        with client_errors():
            write(files.evaluation_summary_key, result.evaluation.files["summary"].read_bytes())
            write(files.testing_snapshot_key, result.evaluation.files["snapshot"].read_bytes())
        return JobOutcome(
            arn,
            True,
            f1=result.f1,
            evaluation_summary=s3_object(files.output_bucket, files.evaluation_summary_key),
            testing_snapshot=s3_object(files.output_bucket, files.testing_snapshot_key),
            billable_seconds=max(1, math.ceil(result.durations["total_s"])),
            details={
                "task": result.task.value,
                "labels": result.labels,
                "training_images": result.number_of_training_images,
                "testing_images": result.number_of_testing_images,
                "epochs_run": result.fit.epochs_run,
                "stopped": result.fit.stopped,
                "durations": result.durations,
            },
        )

    def _copied(
        self, objects: TrainingObjects, files: TrainingFiles, entries: Sequence[TrainingEntry], dataset: str
    ) -> list[TrainingEntry]:
        """The entries whose image could be copied; none: ``ERROR_FAILED_IMAGES_S3_COPY`` (L6064),
        added to the manifest summary for ``dataset`` as the guide lists content errors."""
        copied = copy_images(objects, entries)
        error = copied.error()
        if error is None:
            return copied.entries
        summary = objects.read(files.output_bucket, files.manifest_summary_key)
        if summary is not None:
            document = summary_with_error(json.loads(summary), error, dataset)
            objects.put(
                files.output_bucket, files.manifest_summary_key, json.dumps(document, indent=4).encode()
            )
        raise TrainingClientError(error.message, error.code)


def train_in_lambda(event: dict[str, Any], remaining_ms: int) -> dict[str, Any]:
    """The ``TrainModel`` Lambda step (``target=local``): event ``{"ProjectVersionArn"}``."""
    worker = TrainingWorker.from_settings(settings_module.load())
    try:
        outcome = worker.train(event["ProjectVersionArn"], time_budget_s=time_budget(remaining_ms / 1000))
    except VersionSuperseded as superseded:
        log.info("not training: %s", superseded)
        return {"Succeeded": False, "Superseded": True}
    return outcome.to_event()


def get_args_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="Train one Custom Labels model (the TrainModel step).")
    parser.add_argument("--project-version-arn", required=True, help="the model to train")
    parser.add_argument("--workdir", default=None, help="scratch space (default: the system's temp dir)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """The Batch container's entrypoint; exit status 1 when the training failed (the state machine
    then records the failure from the outcome this job wrote)."""
    args = get_args_parser().parse_args(argv)
    settings = settings_module.load()
    worker = TrainingWorker.from_settings(settings)
    try:
        worker.train(
            args.project_version_arn, time_budget_s=settings.training_time_budget_s, workdir=args.workdir
        )
    except VersionSuperseded as superseded:
        log.info("not training: %s", superseded)
    except TrainingClientError as error:
        log.error("training stopped by its data: %s", error)
        return 1
    return 0


if __name__ == "__main__":
    # The job's log is the container's standard output (CloudWatch Logs through awslogs).
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s", stream=sys.stdout
    )
    sys.exit(main())
