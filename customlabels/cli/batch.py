"""``customlabels batch submit|results``: label many images through the bucket, without API calls.

The deployment labels every image uploaded under ``<input prefix><project>/<version>/`` in its
data bucket with that model (while it is RUNNING) and writes one result per image under
``<output prefix><project>/<version>/<path>.json``: the DetectCustomLabels response, or the
service's error (:mod:`customlabels.batch_labeling`). The bucket and prefixes are the
deployment's outputs ``DataBucketName``, ``BatchInputPrefix`` and ``BatchOutputPrefix``: read
from ``.local/outputs.json`` for the local deployment, passed as flags for any other.
"""

from __future__ import annotations

import argparse
import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from customlabels import settings
from customlabels.cli.context import CommandContext
from customlabels.cli.importers import UPLOAD_THREADS
from customlabels.cli.output import EXIT_OK, CliError, table
from customlabels.cli.progress import DEFAULT_INTERVAL_S, DEFAULT_TIMEOUT_S, GONE, wait_for_count
from customlabels.cli.versions import describe_version, project_arn_named
from customlabels.manifests.folders import is_image_name

RESULT_SUFFIX = ".json"


@dataclass(frozen=True)
class Place:
    """Where one model's batch inputs and results live."""

    bucket: str
    input_prefix: str
    output_prefix: str
    project: str
    version: str

    @property
    def input_folder(self) -> str:
        return f"{self.input_prefix}{self.project}/{self.version}/"

    @property
    def output_folder(self) -> str:
        return f"{self.output_prefix}{self.project}/{self.version}/"


def register(commands: Any) -> None:
    """Add ``batch`` and its subcommands to the top-level subparsers."""
    parser = commands.add_parser("batch", help="label images dropped into the bucket (batch labeling)")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    submit = actions.add_parser("submit", help="upload images for a model to label")
    _place_options(submit, "input")
    submit.add_argument("paths", nargs="+", metavar="DIR|FILE", help="images, or folders of images")
    submit.add_argument("--folder", default="", help="a subfolder to put them in (default: none)")
    submit.set_defaults(run=submit_images)

    results = actions.add_parser("results", help="the labels (or errors) found so far")
    _place_options(results, "output")
    results.add_argument("--download", metavar="DIR", help="save the result JSON files to DIR")
    results.add_argument("--wait", type=int, metavar="N", help="wait until there are at least N results")
    results.add_argument("--poll-interval", type=float, default=DEFAULT_INTERVAL_S, help=argparse.SUPPRESS)
    results.add_argument("--wait-timeout", type=float, default=DEFAULT_TIMEOUT_S, help=argparse.SUPPRESS)
    results.set_defaults(run=list_results)


def submit_images(ctx: CommandContext) -> int:
    place = _place(ctx)
    _check_model(ctx, place)
    folder = _folder(ctx.args.folder)
    uploads = [
        (path, f"{place.input_folder}{folder}{relative}")
        for path, relative in images_to_submit(ctx.args.paths)
    ]
    s3 = ctx.session.s3

    def upload(item: tuple[Path, str]) -> None:
        s3.upload_file(str(item[0]), place.bucket, item[1])

    with ThreadPoolExecutor(max_workers=UPLOAD_THREADS) as pool:
        for done, _ in enumerate(pool.map(upload, uploads), start=1):
            if done == len(uploads) or done % 25 == 0:
                ctx.out.note(
                    f"uploaded {done}/{len(uploads)} images to s3://{place.bucket}/{place.input_folder}"
                )
    submitted = [{"Image": str(path), "S3Uri": f"s3://{place.bucket}/{key}"} for path, key in uploads]
    ctx.out.result(
        {"Submitted": submitted, "Results": f"s3://{place.bucket}/{place.output_folder}"},
        f"submitted {len(uploads)} images; their results will appear under "
        f"s3://{place.bucket}/{place.output_folder} (customlabels batch results --project {place.project} "
        f"--version {place.version} --wait {len(uploads)})",
    )
    return EXIT_OK


def list_results(ctx: CommandContext) -> int:
    args = ctx.args
    place = _place(ctx)
    s3 = ctx.session.s3
    if args.wait is not None:
        wait_for_count(
            lambda: len(result_keys(s3, place)),
            args.wait,
            "results",
            ctx.out.err,
            interval=args.poll_interval,
            timeout=args.wait_timeout,
        )
    keys = result_keys(s3, place)

    def read(key: str) -> dict[str, Any]:
        document: dict[str, Any] = json.loads(s3.get_object(Bucket=place.bucket, Key=key)["Body"].read())
        return document

    with ThreadPoolExecutor(max_workers=UPLOAD_THREADS) as pool:
        documents = list(pool.map(read, keys))
    images = [image_path(place, key) for key in keys]
    if args.download:
        for image, document in zip(images, documents, strict=True):
            target = Path(args.download) / (image + RESULT_SUFFIX)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        ctx.out.note(f"saved {len(documents)} results to {args.download}")
    ctx.out.result(
        [{"Image": image, **document} for image, document in zip(images, documents, strict=True)],
        results_table(images, documents),
    )
    return EXIT_OK


def images_to_submit(paths: list[str]) -> list[tuple[Path, str]]:
    """``(file, relative key)`` for every image to upload: a folder's PNG and JPEG files with their
    paths inside it, a file (of any kind: the result will say if it is no image) by its name.

    Raises:
        CliError: ``NoImages`` when there is nothing to upload; ``DuplicateImages`` when two files
            would land on the same key.
    """
    found: list[tuple[Path, str]] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            for root, folders, files in os.walk(path):
                folders.sort()
                for file in sorted(files):
                    if is_image_name(file):
                        local = Path(root) / file
                        found.append((local, local.relative_to(path).as_posix()))
        elif path.is_file():
            found.append((path, path.name))
        else:
            raise CliError("FileNotFoundError", f"{name} is neither a file nor a folder")
    if not found:
        raise CliError("NoImages", f"no PNG or JPEG images in {', '.join(paths)}")
    seen: dict[str, Path] = {}
    for local, relative in found:
        if relative in seen:
            raise CliError(
                "DuplicateImages", f"{seen[relative]} and {local} would both be uploaded as {relative}"
            )
        seen[relative] = local
    return found


def result_keys(s3: Any, place: Place) -> list[str]:
    """The keys of the model's result documents (not its results manifest)."""
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=place.bucket, Prefix=place.output_folder)
    return sorted(
        item["Key"]
        for page in pages
        for item in page.get("Contents", [])
        if item["Key"].endswith(RESULT_SUFFIX)
    )


def image_path(place: Place, result_key: str) -> str:
    """The image's path in the model's input folder, from its result's key."""
    return result_key[len(place.output_folder) : -len(RESULT_SUFFIX)]


def results_table(images: list[str], documents: list[dict[str, Any]]) -> str:
    """IMAGE, TOP LABEL, CONFIDENCE, LABELS (how many), ERROR for each result document."""
    rows = []
    for image, document in zip(images, documents, strict=True):
        labels = document.get("CustomLabels") or []
        top = max(labels, key=lambda label: label.get("Confidence", 0.0), default=None)
        error = document.get("Error")
        rows.append(
            (
                image,
                top["Name"] if top else None,
                f"{top['Confidence']:.2f}" if top else None,
                None if error else len(labels),
                f"{error.get('Code')}: {error.get('Message')}" if error else None,
            )
        )
    return table(rows, ("IMAGE", "TOP LABEL", "CONFIDENCE", "LABELS", "ERROR"))


def _place_options(parser: argparse.ArgumentParser, prefix: str) -> None:
    """The model, the bucket, and the ``input`` or ``output`` prefix."""
    parser.add_argument("--project", required=True, help="the project's name")
    parser.add_argument("--version", required=True, help="the model's name")
    parser.add_argument("--bucket", help="the data bucket (default: the local deployment's DataBucketName)")
    output = f"Batch{prefix.capitalize()}Prefix"
    parser.add_argument(f"--{prefix}-prefix", help=f"default: the deployment's {output}")


def _place(ctx: CommandContext) -> Place:
    args = ctx.args
    defaults = settings.load()
    for name, value in (("--project", args.project), ("--version", args.version)):
        if not value or "/" in value:
            raise CliError("InvalidName", f"{name} must be a name without '/', got {value!r}")
    input_prefix = getattr(args, "input_prefix", None)
    output_prefix = getattr(args, "output_prefix", None)
    return Place(
        bucket=ctx.deployment_value(args.bucket, "DataBucketName", "--bucket"),
        input_prefix=_folder(
            ctx.deployment_value(
                input_prefix, "BatchInputPrefix", "--input-prefix", defaults.batch_input_prefix
            )
        ),
        output_prefix=_folder(
            ctx.deployment_value(
                output_prefix, "BatchOutputPrefix", "--output-prefix", defaults.batch_output_prefix
            )
        ),
        project=args.project,
        version=args.version,
    )


def _check_model(ctx: CommandContext, place: Place) -> None:
    """Fail for an unknown model; warn when it is not RUNNING (its results would be errors)."""
    client = ctx.session.rekognition
    description = describe_version(client, project_arn_named(client, place.project), place.version)
    if description["Status"] == GONE:
        raise CliError(
            "ResourceNotFoundException", f"the project {place.project} has no model {place.version}"
        )
    if description["Status"] != "RUNNING":
        ctx.out.note(
            f"warning: the model {place.version} is {description['Status']}; images labeled before it is "
            "RUNNING get a ResourceNotReadyException result (customlabels models start --wait)"
        )


def _folder(prefix: str) -> str:
    return prefix if not prefix or prefix.endswith("/") else prefix + "/"
