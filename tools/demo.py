"""``make demo``: the guide's getting-started walkthrough (L1100-1360) on the local deployment.

    python -m tools.demo [--quick] [--out DIR] [--outputs .local/outputs.json]

For each of the four sample projects (:mod:`customlabels.samples`: single-label and multi-label
classification, brand detection, object localization) it does what the guide's steps do, through
the Rekognition API with boto3:

1. create the project and its training and test datasets from Ground Truth manifests
   (the images and manifests are built offline, written under ``--out`` and uploaded to the data
   bucket under ``assets/<project>/``, the guide's sample layout, L1386-1399);
2. train (CreateProjectVersion), showing each model's status and the elapsed time;
3. print the evaluation (per label: precision, recall, F1, assumed threshold; overall F1) and
   download the summary file and the plots the training job wrote;
4. start the models (StartProjectVersion, then the ``ProjectVersionRunning`` waiter);
5. analyze sample images (DetectCustomLabels) and write them with the labels and boxes drawn;
6. label a folder of images with batch labeling (the data bucket's batch input prefix) and
   download the results;
7. stop the models;

and ends with a table of every artifact it wrote. The four projects go through each step
together, so that their trainings overlap. ``--quick`` uses smaller datasets (the e2e test).
Projects are named ``<sample>_<n>`` with the next free ``n``, as the guide's ``rooms_19`` (L1575).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from botocore.exceptions import BotoCoreError, ClientError
from PIL import Image

from customlabels.batch_manifest import manifest_key
from customlabels.cli import drawing, evaluation
from customlabels.cli.batch import Place, image_path, result_keys
from customlabels.cli.output import CliError, table
from customlabels.cli.progress import (
    Watched,
    check_outcome,
    dataset_status,
    wait_for_count,
    wait_for_datasets,
    wait_for_statuses,
)
from customlabels.cli.session import LOCAL_OUTPUTS, Endpoint, Session
from customlabels.cli.versions import BUSY, check_model_outcome, describe_version
from customlabels.samples import (
    FULL,
    QUICK,
    SampleProject,
    SampleSize,
    WrittenSample,
    build_all,
    write_sample,
)
from customlabels.samples.upload import upload_files, upload_sample

DEFAULT_OUT = Path(".local") / "demo"
VERSION_NAME = "v1"
ASSETS_PREFIX = "assets/"  # the guide's console bucket keeps its samples under assets/ (L1386)
OUTPUT_PREFIX = "training-output/"
TRAINING_INTERVAL_S = 5.0  # the guide's samples poll every 5 s (L10817)
TRAINING_TIMEOUT_S = 1800.0
INTERVAL_S = 1.0
TIMEOUT_S = 300.0
ARTIFACTS_FILE = "artifacts.json"
LEGIBLE_SIDE = 384  # px: the samples are 96-160 px, too small for the labels' tags


@dataclass(frozen=True)
class Artifact:
    """Something the demo wrote: a file, or a folder of ``files`` of one kind."""

    what: str
    project: str
    path: Path
    files: tuple[Path, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "artifact": self.what,
            "project": self.project,
            "path": str(self.path),
            "files": [str(path) for path in self.files],
        }


@dataclass
class DemoProject:
    """One sample project as the demo takes it through the steps."""

    sample: SampleProject
    name: str
    written: WrittenSample
    project_arn: str = ""
    dataset_arns: dict[str, str] = field(default_factory=dict)
    model_arn: str = ""
    model: dict[str, Any] = field(default_factory=dict)
    running: bool = False


class Demo:
    """The walkthrough on one deployment (its ``.local/outputs.json`` values in ``outputs``)."""

    def __init__(
        self,
        outputs: Mapping[str, str],
        out_dir: str | Path = DEFAULT_OUT,
        *,
        size: SampleSize = FULL,
        stream: TextIO | None = None,
        interval: float = INTERVAL_S,
    ) -> None:
        self.outputs = dict(outputs)
        self.out_dir = Path(out_dir)
        self.size = size
        self.stream = stream or sys.stdout
        self.interval = interval
        self.bucket = self.outputs["DataBucketName"]
        endpoint = Endpoint(
            self.outputs["ApiEndpoint"],
            self.outputs.get("Region"),
            self.outputs.get("EndpointUrl"),
            local=True,
        )
        self.session = Session(endpoint, None)
        self.rekognition = self.session.rekognition
        self.s3 = self.session.s3
        self.projects: list[DemoProject] = []
        self.artifacts: list[Artifact] = []
        self.started = time.monotonic()

    # -- the walkthrough -------------------------------------------------------------------------

    def run(self) -> list[Artifact]:
        """Every step; returns the artifacts (also written to ``<out>/artifacts.json``).

        When a step fails, the models this run started are stopped and the artifacts written so
        far are still listed before the error propagates.
        """
        try:
            self.create_projects()
            self.train()
            self.evaluate()
            self.start()
            self.analyze()
            self.batch_label()
            self.stop()
        finally:
            self._stop_left_running()
            self.report()
        return self.artifacts

    def create_projects(self) -> None:
        """Step 1 (L1112-1152): the sample projects with their training and test datasets."""
        self._step("Step 1: create the sample projects and their datasets", "L1112-1152")
        clock = time.monotonic()
        samples = build_all(self.size)
        images = sum(len(s.train) + len(s.test) + len(s.analyze) + len(s.batch) for s in samples)
        self._say(
            f"built {len(samples)} sample projects ({images} images from scikit-image, scikit-learn "
            f"and Matplotlib) in {time.monotonic() - clock:.1f} s"
        )
        number = self._next_number([sample.name for sample in samples])
        for sample in samples:
            name = f"{sample.name}_{number}"
            base_uri = f"s3://{self.bucket}/{ASSETS_PREFIX}{name}/"
            written = write_sample(sample, self.out_dir / name, base_uri)
            upload_sample(self.s3, written)
            project = DemoProject(sample, name, written)
            project.project_arn = self.rekognition.create_project(ProjectName=name)["ProjectArn"]
            self.projects.append(project)
            self._say(
                f"{name:<16} {sample.description} (the guide's {sample.guide_sample})\n"
                f"{'':<16} {len(sample.train)} training and {len(sample.test)} test images "
                f"uploaded to {base_uri}"
            )
            self._add("sample images and manifests", name, written.folder, written.files())
            for kind, manifest in (("TRAIN", written.train_manifest), ("TEST", written.test_manifest)):
                source = {"GroundTruthManifest": {"S3Object": _s3_object(written.uri(manifest))}}
                project.dataset_arns[kind] = self.rekognition.create_dataset(
                    ProjectArn=project.project_arn, DatasetType=kind, DatasetSource=source
                )["DatasetArn"]
        watched = [
            Watched(f"{project.name}/{kind.lower()}", arn)
            for project in self.projects
            for kind, arn in project.dataset_arns.items()
        ]
        latest = wait_for_datasets(
            lambda arn: dataset_status(self.rekognition, arn),
            watched,
            self.stream,
            interval=self.interval,
            timeout=TIMEOUT_S,
        )
        check_outcome(latest)
        rows = []
        for item in watched:
            stats = latest[item.arn].get("DatasetStats", {})
            rows.append(
                (item.name, stats.get("TotalEntries"), stats.get("LabeledEntries"), stats.get("TotalLabels"))
            )
        self._say(table(rows, ("DATASET", "IMAGES", "LABELED", "LABELS")))

    def train(self) -> None:
        """Step 2 (L1154-1190): train every project's model, waiting for TRAINING_COMPLETED."""
        self._step("Step 2: train the models", "L1154-1190")
        for project in self.projects:
            output = {"S3Bucket": self.bucket, "S3KeyPrefix": f"{OUTPUT_PREFIX}{project.name}/"}
            project.model_arn = self.rekognition.create_project_version(
                ProjectArn=project.project_arn, VersionName=VERSION_NAME, OutputConfig=output
            )["ProjectVersionArn"]
            self._say(f"{project.name:<16} training {project.model_arn}")
        self._wait_for_models("TRAINING_COMPLETED", TRAINING_INTERVAL_S, TRAINING_TIMEOUT_S)
        for project in self.projects:
            waiter = self.rekognition.get_waiter("project_version_training_completed")
            waiter.wait(**self._version_request(project), WaiterConfig={"Delay": 1, "MaxAttempts": 5})

    def evaluate(self) -> None:
        """Step 2, continued (L1181-1187): the test results, and the evaluation files."""
        self._step("Step 2b: evaluate the models", "L1181-1187, L7410-7697")
        for project in self.projects:
            bucket, key = evaluation.summary_location(project.model)
            summary = evaluation.read_summary(self.s3, bucket, key)
            folder = self.out_dir / project.name / "evaluation"
            folder.mkdir(parents=True, exist_ok=True)
            summary_file = folder / key.rsplit("/", 1)[-1]
            summary_file.write_text(json.dumps(summary, indent=2) + "\n")
            overall = evaluation.overall_fields(summary)
            self._say(
                f"{project.name}: F1 {overall['F1']} on {overall['TestingImages']} test images "
                f"({project.model.get('BillableTrainingTimeInSeconds')} s of training)\n"
                + evaluation.labels_table(summary)
            )
            self._add("evaluation summary", project.name, summary_file, (summary_file,))
            plots = evaluation.download_plots(
                self.s3, self.bucket, evaluation.artifact_prefixes(project.model), folder
            )
            confusion = [path for path in plots if path.name == evaluation.CONFUSION_PNG]
            curves = [path for path in plots if path.suffix == ".png" and path not in confusion]
            for path in confusion:
                self._add("confusion matrix plot", project.name, path, (path,))
            if curves:
                self._add("precision-recall plots", project.name, curves[0].parent, curves)

    def start(self) -> None:
        """Step 3 (L1192-1211): start every model and wait until it runs."""
        self._step("Step 3: start the models", "L1192-1211")
        for project in self.projects:
            status = self.rekognition.start_project_version(
                ProjectVersionArn=project.model_arn, MinInferenceUnits=1
            )["Status"]
            project.running = True
            self._say(f"{project.name:<16} {status}")
        self._wait_for_models("RUNNING", self.interval, TIMEOUT_S)
        for project in self.projects:
            waiter = self.rekognition.get_waiter("project_version_running")
            waiter.wait(**self._version_request(project), WaiterConfig={"Delay": 1, "MaxAttempts": 5})

    def analyze(self) -> None:
        """Step 4 (L1214-1296): DetectCustomLabels on sample images; labels and boxes drawn."""
        self._step("Step 4: analyze images", "L1214-1296")
        rows = []
        for project in self.projects:
            folder = self.out_dir / project.name / "detected"
            folder.mkdir(parents=True, exist_ok=True)
            for sample, path in zip(project.sample.analyze, project.written.analyze, strict=True):
                image = _s3_object(project.written.uri(path))
                labels = self.rekognition.detect_custom_labels(
                    ProjectVersionArn=project.model_arn, Image={"S3Object": image}
                )["CustomLabels"]
                drawn = folder / path.name
                drawing.draw_labels(legible(drawing.open_image(path.read_bytes())), labels).save(drawn)
                answer = drawn.with_suffix(".json")
                answer.write_text(json.dumps({"CustomLabels": labels}, indent=2) + "\n")
                self._add("labels drawn", project.name, drawn, (drawn,))
                self._add("DetectCustomLabels response", project.name, answer, (answer,))
                rows.append((project.name, path.name, ", ".join(sample.expected), _found(labels)))
        self._say(table(rows, ("PROJECT", "IMAGE", "EXPECTED", "FOUND")))

    def batch_label(self) -> None:
        """Batch labeling: images dropped under the batch input prefix are labeled into results."""
        self._step("Step 4b: batch-label a folder of images", "L15684-15695, model feedback")
        places = {project.name: self._place(project) for project in self.projects}
        uploads = [
            (path, f"s3://{self.bucket}/{places[project.name].input_folder}{path.name}")
            for project in self.projects
            for path in project.written.batch
        ]
        upload_files(self.s3, uploads)
        input_prefix = self.outputs["BatchInputPrefix"]
        self._say(
            f"uploaded {len(uploads)} images to s3://{self.bucket}/{input_prefix}<project>/{VERSION_NAME}/"
        )
        wait_for_count(
            lambda: sum(len(result_keys(self.s3, place)) for place in places.values()),
            len(uploads),
            "results",
            self.stream,
            interval=self.interval,
            timeout=TIMEOUT_S,
        )
        rows = []
        for project in self.projects:
            place = places[project.name]
            folder = self.out_dir / project.name / "batch-results"
            folder.mkdir(parents=True, exist_ok=True)
            expected = {
                path.name: sample
                for sample, path in zip(project.sample.batch, project.written.batch, strict=True)
            }
            files = []
            for key in result_keys(self.s3, place):
                image = image_path(place, key)
                target = folder / f"{image}.json"
                self.s3.download_file(self.bucket, key, str(target))
                files.append(target)
                result = json.loads(target.read_text())
                found = result["Error"]["Code"] if "Error" in result else _found(result["CustomLabels"])
                rows.append((project.name, image, ", ".join(expected[image].expected), found))
            self._add("batch results", project.name, folder, files)
            manifest = self._results_manifest(project, folder)
            if manifest is not None:
                self._add("batch results manifest", project.name, manifest, (manifest,))
        self._say(table(rows, ("PROJECT", "IMAGE", "EXPECTED", "FOUND")))

    def stop(self) -> None:
        """Step 5 (L1328-1346): stop every model."""
        self._step("Step 5: stop the models", "L1328-1346")
        for project in self.projects:
            status = self.rekognition.stop_project_version(ProjectVersionArn=project.model_arn)["Status"]
            self._say(f"{project.name:<16} {status}")
        self._wait_for_models("STOPPED", self.interval, TIMEOUT_S)
        for project in self.projects:
            project.running = False

    def report(self) -> None:
        """Where every artifact is, in a table and in ``<out>/artifacts.json``."""
        self._step(f"Artifacts, all under {self.out_dir}")
        rows = [
            (item.what, item.project, f"{item.path}{'/' if item.path.is_dir() else ''}", len(item.files))
            for item in self.artifacts
        ]
        self._say(table(rows, ("ARTIFACT", "PROJECT", "PATH", "FILES")))
        models = [
            (project.name, project.sample.key, project.model_arn, _f1(project.model))
            for project in self.projects
        ]
        self._say("\n" + table(models, ("PROJECT", "MODEL TYPE", "MODEL", "F1")))
        self.out_dir.mkdir(parents=True, exist_ok=True)
        manifest = self.out_dir / ARTIFACTS_FILE
        document = {
            "elapsed_s": round(time.monotonic() - self.started, 1),
            "projects": [
                {"name": p.name, "type": p.sample.key, "project_arn": p.project_arn, "model_arn": p.model_arn}
                for p in self.projects
            ],
            "artifacts": [item.to_json() for item in self.artifacts],
        }
        manifest.write_text(json.dumps(document, indent=2) + "\n")
        minutes, seconds = divmod(time.monotonic() - self.started, 60)
        self._say(
            f"\nartifact list: {manifest}\nwalked through the guide in {minutes:.0f} min {seconds:.0f} s"
        )

    # -- helpers ---------------------------------------------------------------------------------

    def _next_number(self, stems: Sequence[str]) -> int:
        """1 + the highest ``n`` of existing ``<stem>_<n>`` projects (the guide's sample numbering)."""
        pattern = re.compile(rf"^(?:{'|'.join(map(re.escape, stems))})_(\d+)$")
        pages = self.rekognition.get_paginator("describe_projects").paginate()
        numbers = [
            int(match.group(1))
            for page in pages
            for item in page["ProjectDescriptions"]
            if (match := pattern.match(item["ProjectArn"].split("/")[1]))
        ]
        return max(numbers, default=0) + 1

    def _version_request(self, project: DemoProject) -> dict[str, Any]:
        return {"ProjectArn": project.project_arn, "VersionNames": [VERSION_NAME]}

    def _wait_for_models(self, expected: str, interval: float, timeout: float) -> None:
        watched = [Watched(project.name, project.model_arn) for project in self.projects]
        by_arn = {project.model_arn: project for project in self.projects}
        latest = wait_for_statuses(
            lambda arn: describe_version(self.rekognition, by_arn[arn].project_arn, VERSION_NAME),
            watched,
            self.stream,
            busy=BUSY.__contains__,
            interval=interval,
            timeout=timeout,
        )
        for arn, description in latest.items():
            by_arn[arn].model = description
            check_model_outcome(arn, description, expected)

    def _place(self, project: DemoProject) -> Place:
        """Where batch labeling takes the model's images and puts their results."""
        return Place(
            bucket=self.bucket,
            input_prefix=self.outputs["BatchInputPrefix"],
            output_prefix=self.outputs["BatchOutputPrefix"],
            project=project.name,
            version=VERSION_NAME,
        )

    def _results_manifest(self, project: DemoProject, folder: Path) -> Path | None:
        """The batch results manifest once it has a line per image (it is merged after the results)."""
        key = manifest_key(self.outputs["BatchOutputPrefix"], project.name, VERSION_NAME)
        target = folder / key.rsplit("/", 1)[-1]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                body = self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
            except self.s3.exceptions.NoSuchKey:
                body = b""
            if len(body.splitlines()) >= len(project.written.batch):
                target.write_bytes(body)
                return target
            time.sleep(self.interval)
        return None

    def _stop_left_running(self) -> None:
        """After a failure, stop the models this run started (best effort)."""
        for project in self.projects:
            if project.running:
                try:
                    self.rekognition.stop_project_version(ProjectVersionArn=project.model_arn)
                except (ClientError, BotoCoreError) as error:
                    self._say(f"could not stop {project.model_arn}: {error}")
                project.running = False

    def _add(self, what: str, project: str, path: Path, files: Sequence[Path]) -> None:
        self.artifacts.append(Artifact(what, project, path, tuple(files)))

    def _step(self, title: str, guide: str = "") -> None:
        elapsed = time.monotonic() - self.started
        where = f"  (guide {guide})" if guide else ""
        self._say(f"\n== {title}{where} -- {elapsed:.0f} s since the start ==")

    def _say(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()


def _s3_object(uri: str) -> dict[str, str]:
    bucket, _, key = uri[5:].partition("/")
    return {"Bucket": bucket, "Name": key}


def _found(labels: Sequence[Mapping[str, Any]]) -> str:
    """``name 97.1%`` per label (with the box for object-location labels)."""
    parts = []
    for label in labels:
        text = f"{label['Name']} {float(label['Confidence']):.1f}%"
        box = (label.get("Geometry") or {}).get("BoundingBox")
        if box:
            text += f" at ({box['Left']:.2f}, {box['Top']:.2f}, {box['Width']:.2f}x{box['Height']:.2f})"
        parts.append(text)
    return "; ".join(parts) or "-"


def legible(image: Image.Image, min_side: int = LEGIBLE_SIDE) -> Image.Image:
    """``image`` scaled up by a whole factor until its shorter side is at least ``min_side``."""
    scale = max(1, math.ceil(min_side / max(1, min(image.size))))
    if scale == 1:
        return image
    return image.resize((image.width * scale, image.height * scale), Image.Resampling.LANCZOS)


def _f1(model: Mapping[str, Any]) -> str | None:
    f1 = (model.get("EvaluationResult") or {}).get("F1Score")
    return None if f1 is None else f"{f1:.3f}"


def load_outputs(path: str | Path) -> dict[str, str]:
    """The deployment's outputs (``make up`` writes them).

    Raises:
        CliError: ``NoDeployment`` when the file is missing.
    """
    file = Path(path)
    if not file.is_file():
        raise CliError("NoDeployment", f"{file} not found: deploy locally first with `make up`")
    outputs: dict[str, str] = json.loads(file.read_text())
    return outputs


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.demo", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller datasets (a few minutes)")
    parser.add_argument(
        "--out", default=str(DEFAULT_OUT), help=f"where the artifacts go (default {DEFAULT_OUT})"
    )
    parser.add_argument("--outputs", default=str(LOCAL_OUTPUTS), help="the deployment's outputs file")
    args = parser.parse_args(argv)
    try:
        demo = Demo(load_outputs(args.outputs), args.out, size=QUICK if args.quick else FULL)
        demo.run()
    except CliError as error:
        print(f"{error.name}: {error.message}", file=sys.stderr)
        return 1
    except ClientError as error:
        details = error.response.get("Error", {})
        print(f"{details.get('Code', 'ClientError')}: {details.get('Message', error)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Interrupted: stopped by the user", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
