"""``customlabels datasets ...``: create, copy, inspect, change, split and delete datasets.

Each subcommand is one API call (plus, for ``create --from-s3-folders`` and
``--from-local-folder``, building and uploading the manifest first, see
:mod:`customlabels.cli.importers`). The operations the service runs asynchronously (create,
copy, update, distribute, delete) return at once; ``--wait`` polls DescribeDataset until they
finish and fails with the dataset's StatusMessage if they do not succeed.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from customlabels.cli.arguments import tag_options, tags_request, waiting_options
from customlabels.cli.context import CommandContext
from customlabels.cli.importers import (
    manifest_key,
    parse_s3_uri,
    s3_folder_lines,
    upload_local_folder,
    upload_manifest,
)
from customlabels.cli.output import EXIT_OK, CliError, record, table
from customlabels.cli.progress import Watched, check_outcome, dataset_status, wait_for_datasets
from customlabels.manifests import parse_line

DATASET_TYPES = ("train", "test")


def register(commands: Any) -> None:
    """Add ``datasets`` and its subcommands to the top-level subparsers."""
    parser = commands.add_parser("datasets", help="create, inspect and change datasets")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    waiting, tagging = waiting_options(), tag_options()

    create = actions.add_parser(
        "create", parents=[waiting, tagging], help="create a dataset (empty, or from images)"
    )
    create.add_argument("--project-arn", required=True)
    create.add_argument("--type", required=True, choices=DATASET_TYPES, type=str.lower)
    source = create.add_mutually_exclusive_group()
    source.add_argument("--manifest", metavar="S3_URI", help="a Ground Truth manifest, s3://bucket/key")
    source.add_argument(
        "--from-s3-folders", metavar="S3_URI", help="images under s3://bucket/prefix/, labeled by folder"
    )
    source.add_argument(
        "--from-local-folder", metavar="DIR", help="upload DIR's images (labeled by folder) to --bucket"
    )
    create.add_argument("--manifest-version", help="the S3 version of --manifest")
    create.add_argument("--bucket", help="where --from-local-folder uploads the images")
    create.add_argument("--prefix", default="", help="key prefix for --from-local-folder's images")
    create.add_argument(
        "--manifest-key",
        help="where to write the manifest built from images (default: customlabels-manifests/...)",
    )
    create.set_defaults(run=create_dataset)

    copy = actions.add_parser(
        "copy", parents=[waiting, tagging], help="create a dataset as a copy of another one"
    )
    copy.add_argument("--project-arn", required=True)
    copy.add_argument("--type", required=True, choices=DATASET_TYPES, type=str.lower)
    copy.add_argument("--source-dataset-arn", required=True)
    copy.set_defaults(run=copy_dataset)

    describe = actions.add_parser("describe", help="status and statistics of a dataset")
    describe.add_argument("--dataset-arn", required=True)
    describe.set_defaults(run=describe_dataset)

    entries = actions.add_parser("entries", help="list a dataset's entries (JSON Lines)")
    entries.add_argument("--dataset-arn", required=True)
    entries.add_argument(
        "--label", action="append", dest="labels", metavar="LABEL", help="entries with any of these labels"
    )
    labeled = entries.add_mutually_exclusive_group()
    labeled.add_argument("--labeled", action="store_const", const=True, dest="labeled")
    labeled.add_argument("--unlabeled", action="store_const", const=False, dest="labeled")
    entries.add_argument("--source-ref-contains", metavar="TEXT")
    entries.add_argument("--has-errors", action="store_true")
    entries.add_argument("--limit", type=int, help="stop after this many entries")
    entries.add_argument(
        "--lines", action="store_true", help="print the JSON Lines as the service returns them"
    )
    entries.set_defaults(run=list_entries)

    labels = actions.add_parser("labels", help="a dataset's labels with their image counts")
    labels.add_argument("--dataset-arn", required=True)
    labels.set_defaults(run=list_labels)

    update = actions.add_parser(
        "update", parents=[waiting], help="add or replace entries from a JSON Lines file"
    )
    update.add_argument("--dataset-arn", required=True)
    update.add_argument(
        "--changes", required=True, metavar="FILE", help="JSON Lines; source-ref matches entries"
    )
    update.set_defaults(run=update_entries)

    distribute = actions.add_parser(
        "distribute", parents=[waiting], help="move 20%% of training entries to test"
    )
    distribute.add_argument("--training-dataset-arn", required=True)
    distribute.add_argument("--test-dataset-arn", required=True)
    distribute.set_defaults(run=distribute_entries)

    delete = actions.add_parser("delete", parents=[waiting], help="delete a dataset")
    delete.add_argument("--dataset-arn", required=True)
    delete.set_defaults(run=delete_dataset)


def create_dataset(ctx: CommandContext) -> int:
    args = ctx.args
    request: dict[str, Any] = {
        "ProjectArn": args.project_arn,
        "DatasetType": args.type.upper(),
        **tags_request(args.tag),
    }
    manifest = _manifest_source(ctx)
    if manifest is not None:
        request["DatasetSource"] = {"GroundTruthManifest": {"S3Object": manifest}}
    arn = ctx.session.rekognition.create_dataset(**request)["DatasetArn"]
    return _finish(ctx, arn, [Watched(args.type, arn)])


def copy_dataset(ctx: CommandContext) -> int:
    args = ctx.args
    arn = ctx.session.rekognition.create_dataset(
        ProjectArn=args.project_arn,
        DatasetType=args.type.upper(),
        DatasetSource={"DatasetArn": args.source_dataset_arn},
        **tags_request(args.tag),
    )["DatasetArn"]
    return _finish(ctx, arn, [Watched(args.type, arn)])


def describe_dataset(ctx: CommandContext) -> int:
    description = ctx.session.rekognition.describe_dataset(DatasetArn=ctx.args.dataset_arn)[
        "DatasetDescription"
    ]
    ctx.out.result(description, record(_describe_fields(ctx.args.dataset_arn, description)))
    return EXIT_OK


def list_entries(ctx: CommandContext) -> int:
    args = ctx.args
    request: dict[str, Any] = {"DatasetArn": args.dataset_arn}
    if args.labels:
        request["ContainsLabels"] = args.labels
    if args.labeled is not None:
        request["Labeled"] = args.labeled
    if args.source_ref_contains:
        request["SourceRefContains"] = args.source_ref_contains
    if args.has_errors:
        request["HasErrors"] = True
    lines: list[str] = []
    for page in ctx.session.rekognition.get_paginator("list_dataset_entries").paginate(**request):
        lines.extend(page["DatasetEntries"])
        if args.limit is not None and len(lines) >= args.limit:
            lines = lines[: args.limit]
            break
    if args.lines and not ctx.out.as_json:
        ctx.out.result(lines, "\n".join(lines) if lines else "")
        return EXIT_OK
    ctx.out.result([json.loads(line) for line in lines], entries_table(lines))
    return EXIT_OK


def list_labels(ctx: CommandContext) -> int:
    labels = [
        label
        for page in ctx.session.rekognition.get_paginator("list_dataset_labels").paginate(
            DatasetArn=ctx.args.dataset_arn
        )
        for label in page["DatasetLabelDescriptions"]
    ]
    rows = [
        (item["LabelName"], item["LabelStats"]["EntryCount"], item["LabelStats"]["BoundingBoxCount"])
        for item in labels
    ]
    ctx.out.result(labels, table(rows, ("LABEL", "IMAGES", "IMAGES WITH BOXES")))
    return EXIT_OK


def update_entries(ctx: CommandContext) -> int:
    changes = Path(ctx.args.changes).read_bytes()
    ctx.session.rekognition.update_dataset_entries(
        DatasetArn=ctx.args.dataset_arn, Changes={"GroundTruth": changes}
    )
    return _finish(ctx, ctx.args.dataset_arn, [Watched("dataset", ctx.args.dataset_arn)])


def distribute_entries(ctx: CommandContext) -> int:
    args = ctx.args
    ctx.session.rekognition.distribute_dataset_entries(
        Datasets=[{"Arn": args.training_dataset_arn}, {"Arn": args.test_dataset_arn}]
    )
    watched = [Watched("train", args.training_dataset_arn), Watched("test", args.test_dataset_arn)]
    return _finish(ctx, args.training_dataset_arn, watched)


def delete_dataset(ctx: CommandContext) -> int:
    ctx.session.rekognition.delete_dataset(DatasetArn=ctx.args.dataset_arn)
    return _finish(ctx, ctx.args.dataset_arn, [Watched("dataset", ctx.args.dataset_arn)])


def entries_table(lines: list[str]) -> str:
    """SOURCE-REF, LABELS and the error codes of each JSON Line."""
    rows: list[tuple[str | None, list[str] | None, list[str] | None]] = []
    for line in lines:
        entry = parse_line(line, keep_errors=True)
        if entry is None:
            rows.append(("(not a JSON object)", None, None))
            continue
        codes = sorted({error.code for error in entry.all_errors()})
        rows.append((entry.source_ref, sorted(entry.label_names()), codes))
    return table(rows, ("SOURCE-REF", "LABELS", "ERRORS"))


def _manifest_source(ctx: CommandContext) -> dict[str, str] | None:
    """The ``S3Object`` of the manifest to create from; builds and uploads it for image folders."""
    args = ctx.args
    if args.manifest:
        bucket, key = parse_s3_uri(args.manifest)
        return {
            "Bucket": bucket,
            "Name": key,
            **({"Version": args.manifest_version} if args.manifest_version else {}),
        }
    now = datetime.now(UTC)
    if args.from_s3_folders:
        bucket, _ = parse_s3_uri(args.from_s3_folders, folder=True)
        lines = s3_folder_lines(ctx.session.s3, args.from_s3_folders, now)
    elif args.from_local_folder:
        if not args.bucket:
            raise CliError("MissingArgument", "--from-local-folder needs --bucket")
        bucket = args.bucket
        lines = upload_local_folder(
            ctx.session.s3, args.from_local_folder, bucket, args.prefix, now, ctx.out.note
        )
    else:
        return None
    key = args.manifest_key or manifest_key(_project_name(args.project_arn), args.type, now)
    upload_manifest(ctx.session.s3, bucket, key, lines)
    ctx.out.note(f"wrote a manifest of {len(lines)} images to s3://{bucket}/{key}")
    return {"Bucket": bucket, "Name": key}


def _finish(ctx: CommandContext, arn: str, watched: list[Watched]) -> int:
    """Print the dataset ARN, or with ``--wait`` the outcome (raising if it failed)."""
    args = ctx.args
    if not args.wait:
        ctx.out.result({"DatasetArn": arn}, arn)
        return EXIT_OK
    client = ctx.session.rekognition
    latest = wait_for_datasets(
        lambda item: dataset_status(client, item),
        watched,
        ctx.out.err,
        interval=args.poll_interval,
        timeout=args.wait_timeout,
    )
    check_outcome(latest)
    text = "\n\n".join(record(_describe_fields(item, latest[item])) for item in latest)
    ctx.out.result({"DatasetArn": arn, "Datasets": latest}, text)
    return EXIT_OK


def _describe_fields(arn: str, description: dict[str, Any]) -> dict[str, Any]:
    stats = description.get("DatasetStats") or {}
    return {
        "DatasetArn": arn,
        "Status": description.get("Status"),
        "StatusMessage": description.get("StatusMessage"),
        "StatusMessageCode": description.get("StatusMessageCode"),
        "Created": description.get("CreationTimestamp"),
        "Updated": description.get("LastUpdatedTimestamp"),
        "TotalEntries": stats.get("TotalEntries"),
        "LabeledEntries": stats.get("LabeledEntries"),
        "ErrorEntries": stats.get("ErrorEntries"),
        "TotalLabels": stats.get("TotalLabels"),
    }


def _project_name(project_arn: str) -> str:
    parts = project_arn.split("/")
    return parts[1] if len(parts) > 2 and parts[1] else "project"
