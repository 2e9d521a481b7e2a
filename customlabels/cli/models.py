"""``customlabels models ...``: train, inspect, evaluate, start, stop, copy and delete models.

A model is a project version. Training, copying, starting, stopping and deleting run
asynchronously in the service; ``--wait`` polls DescribeProjectVersions, shows the status as it
changes with the elapsed time, and fails with the model's StatusMessage when the operation does
not end where it should (``TRAINING_FAILED``, ``FAILED``, ``COPYING_FAILED``). ``evaluate`` reads
the evaluation the training wrote (see :mod:`customlabels.cli.evaluation`).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from customlabels.cli import evaluation
from customlabels.cli.arguments import output_config, tag_options, tags_request, waiting_options
from customlabels.cli.context import CommandContext
from customlabels.cli.importers import parse_s3_uri
from customlabels.cli.output import EXIT_OK, CliError, record, table
from customlabels.cli.progress import GONE
from customlabels.cli.versions import (
    Model,
    described_model,
    model_arn,
    model_options,
    resolve_model,
    version_name,
    wait_for_model,
)

TRAINING_INTERVAL_S = 5.0  # the guide's samples poll every 5 s (L10817)
TRAINING_TIMEOUT_S = 24 * 3600.0  # training takes "a few hours" (guide L214)


def register(commands: Any) -> None:
    """Add ``models`` and its subcommands to the top-level subparsers."""
    parser = commands.add_parser("models", help="train, evaluate, run and copy models (project versions)")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    waiting, tagging, model = waiting_options(), tag_options(), model_options()
    training_wait = waiting_options(interval=TRAINING_INTERVAL_S, timeout=TRAINING_TIMEOUT_S)

    train = actions.add_parser(
        "train", parents=[training_wait, tagging], help="train a model (CreateProjectVersion)"
    )
    train.add_argument("--project-arn", required=True)
    train.add_argument("--version-name", required=True)
    _output_location(train)
    train.add_argument(
        "--training-manifest", metavar="S3_URI", help="train on this manifest, not the datasets"
    )
    testing = train.add_mutually_exclusive_group()
    testing.add_argument("--testing-manifest", metavar="S3_URI", help="test on this manifest")
    testing.add_argument("--auto-split", action="store_true", help="test on 20%% of the training manifest")
    train.add_argument("--kms-key-id", help="the KMS key that encrypts the model and its outputs")
    train.add_argument("--description", help="the model's VersionDescription")
    train.set_defaults(run=train_model)

    listing = actions.add_parser("list", help="a project's models: status, F1, billable training time")
    listing.add_argument("--project-arn", required=True)
    listing.add_argument("--version-name", action="append", dest="version_names", metavar="NAME")
    listing.set_defaults(run=list_models)

    describe = actions.add_parser("describe", parents=[model], help="everything about one model")
    describe.set_defaults(run=describe_model)

    evaluate = actions.add_parser(
        "evaluate", parents=[model], help="per-label precision, recall, F1 and assumed thresholds"
    )
    evaluate.add_argument(
        "--plots", metavar="DIR", help="download the confusion matrix and precision-recall plots to DIR"
    )
    evaluate.add_argument("--confusion", action="store_true", help="print the confusion matrix")
    evaluate.add_argument(
        "--data-bucket",
        help="the deployment's data bucket (default: the local deployment's, else the summary's)",
    )
    evaluate.set_defaults(run=evaluate_model)

    start = actions.add_parser("start", parents=[model, waiting], help="start a model (StartProjectVersion)")
    start.add_argument("--min-inference-units", type=int, default=1)
    start.add_argument("--max-inference-units", type=int, help="scale up to this many units")
    start.set_defaults(run=start_model)

    stop = actions.add_parser("stop", parents=[model, waiting], help="stop a running model")
    stop.set_defaults(run=stop_model)

    copy = actions.add_parser(
        "copy", parents=[waiting, tagging], help="copy a trained model into a project (CopyProjectVersion)"
    )
    copy.add_argument("--source-project-arn", required=True)
    copy.add_argument("--source-version-arn", required=True)
    copy.add_argument("--destination-project-arn", required=True)
    copy.add_argument("--version-name", required=True, help="the copy's name")
    _output_location(copy)
    copy.add_argument("--kms-key-id")
    copy.set_defaults(run=copy_model)

    delete = actions.add_parser("delete", parents=[model, waiting], help="delete a model")
    delete.set_defaults(run=delete_model)


def train_model(ctx: CommandContext) -> int:
    args = ctx.args
    request = training_request(args, _output_bucket(ctx))
    arn = ctx.session.rekognition.create_project_version(**request)["ProjectVersionArn"]
    return _finish(ctx, Model(args.project_arn, args.version_name, arn), "TRAINING_COMPLETED", arn)


def training_request(args: argparse.Namespace, bucket: str) -> dict[str, Any]:
    """The CreateProjectVersion request of ``models train``.

    Without manifests the model trains on the project's datasets; ``--training-manifest`` comes
    with ``--testing-manifest`` or ``--auto-split`` (model docs: TrainingData and TestingData
    together; guide L4761 for AutoCreate).

    Raises:
        CliError: ``MissingArgument`` for a manifest without its partner; ``InvalidS3Uri``.
    """
    request: dict[str, Any] = {
        "ProjectArn": args.project_arn,
        "VersionName": args.version_name,
        "OutputConfig": output_config(bucket, args.output_prefix),
        **tags_request(args.tag),
    }
    if args.training_manifest:
        if not (args.testing_manifest or args.auto_split):
            raise CliError("MissingArgument", "--training-manifest needs --testing-manifest or --auto-split")
        request["TrainingData"] = {"Assets": [_manifest_asset(args.training_manifest)]}
        request["TestingData"] = (
            {"AutoCreate": True} if args.auto_split else {"Assets": [_manifest_asset(args.testing_manifest)]}
        )
    elif args.testing_manifest or args.auto_split:
        raise CliError(
            "MissingArgument",
            "--testing-manifest and --auto-split go with --training-manifest; without them the model "
            "trains on the project's datasets",
        )
    if args.kms_key_id:
        request["KmsKeyId"] = args.kms_key_id
    if args.description:
        request["VersionDescription"] = args.description
    return request


def list_models(ctx: CommandContext) -> int:
    args = ctx.args
    request: dict[str, Any] = {"ProjectArn": args.project_arn}
    if args.version_names:
        request["VersionNames"] = args.version_names
    pages = ctx.session.rekognition.get_paginator("describe_project_versions").paginate(**request)
    models = [item for page in pages for item in page["ProjectVersionDescriptions"]]
    ctx.out.result(models, models_table(models))
    return EXIT_OK


def describe_model(ctx: CommandContext) -> int:
    _, description = described_model(ctx)
    ctx.out.result(description, record(model_fields(description)))
    return EXIT_OK


def evaluate_model(ctx: CommandContext) -> int:
    args = ctx.args
    model, description = described_model(ctx)
    bucket, key = evaluation.summary_location(description)
    s3 = ctx.session.s3
    summary = evaluation.read_summary(s3, bucket, key)
    data: dict[str, Any] = {
        "ProjectVersionArn": model.arn,
        "Summary": {"Bucket": bucket, "Name": key},
        "EvaluationSummary": summary,
    }
    sections = [
        record({"Model": model.arn, "Summary": f"s3://{bucket}/{key}", **evaluation.overall_fields(summary)}),
        evaluation.labels_table(summary),
    ]
    prefixes = evaluation.artifact_prefixes(description)
    if args.confusion:
        matrix = evaluation.summary_confusion(summary) or evaluation.read_file_confusion(
            s3, _data_bucket(ctx, bucket), prefixes
        )
        if matrix is None:
            raise CliError("NoConfusionMatrix", evaluation.NO_CONFUSION)
        data["ConfusionMatrix"] = {
            "Predicted": matrix.rows,
            "GroundTruth": matrix.columns,
            "Values": matrix.values,
        }
        sections.append(evaluation.confusion_table(matrix))
    if args.plots:
        files = evaluation.download_plots(s3, _data_bucket(ctx, bucket), prefixes, args.plots)
        summary_file = Path(args.plots) / key.rsplit("/", 1)[-1]
        s3.download_file(bucket, key, str(summary_file))
        data["Files"] = [str(path) for path in [summary_file, *files]]
        sections.append("\n".join([f"wrote {len(data['Files'])} files to {args.plots}:", *data["Files"]]))
    ctx.out.result(data, "\n\n".join(sections))
    return EXIT_OK


def start_model(ctx: CommandContext) -> int:
    args = ctx.args
    arn, model = _target(ctx)
    request: dict[str, Any] = {"ProjectVersionArn": arn, "MinInferenceUnits": args.min_inference_units}
    if args.max_inference_units is not None:
        request["MaxInferenceUnits"] = args.max_inference_units
    status = ctx.session.rekognition.start_project_version(**request)["Status"]
    return _finish_change(ctx, arn, model, status, "RUNNING")


def stop_model(ctx: CommandContext) -> int:
    arn, model = _target(ctx)
    status = ctx.session.rekognition.stop_project_version(ProjectVersionArn=arn)["Status"]
    return _finish_change(ctx, arn, model, status, "STOPPED")


def copy_model(ctx: CommandContext) -> int:
    args = ctx.args
    request: dict[str, Any] = {
        "SourceProjectArn": args.source_project_arn,
        "SourceProjectVersionArn": args.source_version_arn,
        "DestinationProjectArn": args.destination_project_arn,
        "VersionName": args.version_name,
        "OutputConfig": output_config(_output_bucket(ctx), args.output_prefix),
        **tags_request(args.tag),
    }
    if args.kms_key_id:
        request["KmsKeyId"] = args.kms_key_id
    arn = ctx.session.rekognition.copy_project_version(**request)["ProjectVersionArn"]
    copied = Model(args.destination_project_arn, args.version_name, arn)
    return _finish(ctx, copied, "COPYING_COMPLETED", arn)


def delete_model(ctx: CommandContext) -> int:
    arn, model = _target(ctx)
    status = ctx.session.rekognition.delete_project_version(ProjectVersionArn=arn)["Status"]
    return _finish_change(ctx, arn, model, status, GONE)


def models_table(models: list[dict[str, Any]]) -> str:
    """VERSION, STATUS, F1, CREATED, BILLABLE S per ``ProjectVersionDescription``."""
    rows = [
        (
            version_name(item["ProjectVersionArn"]),
            item.get("Status"),
            _f1(item),
            item.get("CreationTimestamp"),
            item.get("BillableTrainingTimeInSeconds"),
        )
        for item in models
    ]
    return table(rows, ("VERSION", "STATUS", "F1", "CREATED", "BILLABLE S"))


def model_fields(description: dict[str, Any]) -> dict[str, Any]:
    """One ``ProjectVersionDescription`` as ``describe`` prints it."""
    output = description.get("OutputConfig") or {}
    summary = ((description.get("EvaluationResult") or {}).get("Summary") or {}).get("S3Object")
    manifest_summary = (description.get("ManifestSummary") or {}).get("S3Object")
    units = (description.get("MinInferenceUnits"), description.get("MaxInferenceUnits"))
    return {
        "Version": version_name(description["ProjectVersionArn"]),
        "ProjectVersionArn": description["ProjectVersionArn"],
        "Status": description.get("Status"),
        "StatusMessage": description.get("StatusMessage"),
        "Description": description.get("VersionDescription"),
        "Created": description.get("CreationTimestamp"),
        "TrainingEnded": description.get("TrainingEndTimestamp"),
        "BillableSeconds": description.get("BillableTrainingTimeInSeconds"),
        "F1": _f1(description),
        "EvaluationSummary": _uri(summary),
        "ManifestSummary": _uri(manifest_summary),
        "Output": f"s3://{output['S3Bucket']}/{output.get('S3KeyPrefix', '')}"
        if output.get("S3Bucket")
        else None,
        "InferenceUnits": None
        if units[0] is None
        else "-".join(str(unit) for unit in units if unit is not None),
        "KmsKeyId": description.get("KmsKeyId"),
        "CopiedFrom": description.get("SourceProjectVersionArn"),
    }


def _output_location(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--output-bucket", help="where training writes its results (default: the local deployment's bucket)"
    )
    parser.add_argument("--output-prefix", help="their key prefix (S3KeyPrefix)")


def _output_bucket(ctx: CommandContext) -> str:
    return ctx.deployment_value(ctx.args.output_bucket, "DataBucketName", "--output-bucket")


def _data_bucket(ctx: CommandContext, summary_bucket: str) -> str:
    return ctx.deployment_value(
        ctx.args.data_bucket, "DataBucketName", "--data-bucket", default=summary_bucket
    )


def _manifest_asset(uri: str) -> dict[str, Any]:
    bucket, key = parse_s3_uri(uri)
    return {"GroundTruthManifest": {"S3Object": {"Bucket": bucket, "Name": key}}}


def _finish(ctx: CommandContext, model: Model, expected: str, arn: str) -> int:
    """Print the model ARN, or with ``--wait`` the model once its operation ended as ``expected``."""
    if not ctx.args.wait:
        ctx.out.result({"ProjectVersionArn": arn}, arn)
        return EXIT_OK
    description = wait_for_model(ctx, model, expected)
    ctx.out.result(description, record(model_fields(description)))
    return EXIT_OK


def _target(ctx: CommandContext) -> tuple[str, Model | None]:
    """The model's ARN, and with ``--wait`` where to poll it (found before the call changes it)."""
    if ctx.args.wait:
        model = resolve_model(ctx)
        return model.arn, model
    return model_arn(ctx), None


def _finish_change(ctx: CommandContext, arn: str, model: Model | None, status: str, expected: str) -> int:
    """Print the status the call answered, or with ``--wait`` the model once it is ``expected``."""
    if model is None:
        ctx.out.result({"ProjectVersionArn": arn, "Status": status}, status)
        return EXIT_OK
    description = wait_for_model(ctx, model, expected)
    if expected == GONE:
        ctx.out.result({"ProjectVersionArn": arn, "Status": GONE}, GONE)
        return EXIT_OK
    ctx.out.result(description, record(model_fields(description)))
    return EXIT_OK


def _f1(description: dict[str, Any]) -> str | None:
    f1 = (description.get("EvaluationResult") or {}).get("F1Score")
    return None if f1 is None else f"{f1:.3f}"


def _uri(location: dict[str, Any] | None) -> str | None:
    return f"s3://{location['Bucket']}/{location['Name']}" if location else None
