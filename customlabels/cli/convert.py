"""``customlabels convert coco|csv|multilabel``: local files in, a Custom Labels manifest out.

The guide's three conversion scripts, as commands (:mod:`customlabels.manifests`): COCO object
detection (L3576-3722), CSV image-level labels (L3888-4180), and Ground Truth multi-label output
(L3730-3886). Their default output names are the scripts' own; ``-o`` chooses another.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from customlabels.cli.context import CommandContext
from customlabels.cli.output import EXIT_OK, CliError
from customlabels.manifests import (
    CsvDuplicateImagesError,
    coco_to_manifest,
    convert_multilabel_manifest,
    csv_to_manifest,
)
from customlabels.manifests.coco import images_s3_path
from customlabels.manifests.csv_manifest import output_file_names
from customlabels.manifests.multilabel import output_file_name

COCO_MANIFEST = "custom_labels.manifest"  # the script's cl_manifest_file (L3602)


def register(commands: Any) -> None:
    parser = commands.add_parser("convert", help="convert COCO, CSV or multi-label files to a manifest")
    formats = parser.add_subparsers(dest="format", required=True, metavar="FORMAT")

    coco = formats.add_parser("coco", help="COCO object detection JSON -> bounding-box manifest")
    coco.add_argument("file", help="the COCO JSON file")
    coco.add_argument("--bucket", required=True, help="the S3 bucket that holds (or will hold) the images")
    coco.add_argument("--images-prefix", default="", help="their key prefix, ending in /")
    coco.add_argument("--job-name", default="coco-conversion", help="written as job-name")
    coco.add_argument("--label-attribute", default="bounding-box")
    coco.add_argument("-o", "--output", help=f"default: {COCO_MANIFEST}")
    coco.set_defaults(run=convert_coco)

    csv = formats.add_parser("csv", help="CSV of image,label[,label...] -> image-level manifest")
    csv.add_argument("file", help="the CSV file (no header row)")
    csv.add_argument("--s3-path", default="", help="prefix for column 1 when it holds file names (ends in /)")
    csv.add_argument("-o", "--output", help="default: the CSV's name with .manifest")
    csv.set_defaults(run=convert_csv)

    multilabel = formats.add_parser("multilabel", help="Ground Truth multi-label output.manifest -> manifest")
    multilabel.add_argument("file", help="the Ground Truth output.manifest")
    multilabel.add_argument("-o", "--output", help="default: custom_labels_<name> in the current folder")
    multilabel.set_defaults(run=convert_multilabel)


def convert_coco(ctx: CommandContext) -> int:
    args = ctx.args
    coco = json.loads(Path(args.file).read_text(encoding="utf-8"))
    s3_path = images_s3_path(args.bucket, args.images_prefix)
    lines = _converted(
        lambda: coco_to_manifest(
            coco, s3_path=s3_path, job_name=args.job_name, label_attribute=args.label_attribute
        )
    )
    return _write(ctx, args.output or COCO_MANIFEST, lines)


def convert_csv(ctx: CommandContext) -> int:
    args = ctx.args
    manifest_name, duplicates_name, deduplicated_name = output_file_names(args.file)
    text = Path(args.file).read_text(encoding="utf-8")
    try:
        converted = csv_to_manifest(text, creation_date=datetime.now(UTC), s3_path=args.s3_path)
    except CsvDuplicateImagesError as error:
        # guide L4139-4146: write both helper files and stop, for the user to fix and rerun
        Path(duplicates_name).write_text(error.duplicates.duplicates_csv(), encoding="utf-8")
        Path(deduplicated_name).write_text(error.duplicates.deduplicated_csv(), encoding="utf-8")
        raise CliError(
            "DuplicateImages", f"{error} (wrote {duplicates_name} and {deduplicated_name})"
        ) from error
    except ValueError as error:
        raise CliError("InvalidCsv", str(error)) from error
    return _write(ctx, args.output or manifest_name, converted.lines, labels=converted.label_count)


def convert_multilabel(ctx: CommandContext) -> int:
    args = ctx.args
    lines = Path(args.file).read_text(encoding="utf-8").splitlines()
    converted = _converted(lambda: convert_multilabel_manifest(lines))
    return _write(ctx, args.output or output_file_name(os.path.basename(args.file)), converted)


def _converted(convert: Any) -> list[str]:
    try:
        lines: list[str] = convert()
    except (ValueError, KeyError, TypeError) as error:
        raise CliError("InvalidInput", str(error)) from error
    return lines


def _write(ctx: CommandContext, path: str, lines: list[str], *, labels: int | None = None) -> int:
    Path(path).write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    summary: dict[str, Any] = {"Manifest": path, "Lines": len(lines)}
    if labels is not None:
        summary["Labels"] = labels
    ctx.out.result(summary, f"wrote {len(lines)} JSON Lines to {path}")
    return EXIT_OK
