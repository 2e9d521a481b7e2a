"""Which model a command means, its description, and waiting for its long-running operations.

A model (project version) is named either by its ARN (``--version-arn``) or by its project and
name (``--project-arn`` and ``--version-name``), whichever the user has at hand: the guide's
samples pass both forms around (L7975). DescribeProjectVersions needs the project ARN and the
version name; from a model ARN alone the project ARN is found with DescribeProjects, since a
project's name is unique in an account.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any

from customlabels.cli.context import CommandContext
from customlabels.cli.output import CliError
from customlabels.cli.progress import GONE, Watched, wait_for_statuses
from customlabels.resources import arns

FEATURES = ("CUSTOM_LABELS", "CONTENT_MODERATION")
# The statuses of a model while an operation is still moving it on.
BUSY = frozenset({"TRAINING_IN_PROGRESS", "COPYING_IN_PROGRESS", "STARTING", "STOPPING", "DELETING"})


def model_options() -> argparse.ArgumentParser:
    """``--version-arn``, or ``--project-arn`` with ``--version-name``."""
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--version-arn", "--project-version-arn", dest="version_arn", help="the model's ARN")
    options.add_argument("--project-arn", help="with --version-name: the model's project")
    options.add_argument("--version-name", help="with --project-arn: the model's name")
    return options


@dataclass(frozen=True)
class Model:
    """A model as DescribeProjectVersions finds it."""

    project_arn: str
    name: str
    arn: str


def version_name(version_arn: str) -> str:
    """The model's name, from its ARN.

    Raises:
        CliError: ``InvalidArn`` when the ARN is no model ARN.
    """
    return _parse(version_arn).version


def model_arn(ctx: CommandContext) -> str:
    """The ARN of the model the command's options name (looked up only when given by name)."""
    if ctx.args.version_arn:
        _parse(ctx.args.version_arn)
        return str(ctx.args.version_arn)
    return resolve_model(ctx).arn


def resolve_model(ctx: CommandContext) -> Model:
    """The model the command's options name, with its project ARN (see :func:`described_model`)."""
    return described_model(ctx)[0]


def described_model(ctx: CommandContext) -> tuple[Model, dict[str, Any]]:
    """The model the command's options name, and its ``ProjectVersionDescription``.

    Raises:
        CliError: ``MissingArgument`` when the options name no model; ``ResourceNotFoundException``
            when there is no such model.
    """
    args = ctx.args
    client = ctx.session.rekognition
    if args.version_arn:
        ref = _parse(args.version_arn)
        project_arn = args.project_arn or project_arn_named(client, ref.project)
        name = ref.version
    elif args.project_arn and args.version_name:
        project_arn, name = args.project_arn, args.version_name
    else:
        raise CliError(
            "MissingArgument", "name the model with --version-arn, or --project-arn and --version-name"
        )
    description = describe_version(client, project_arn, name)
    if description["Status"] == GONE:
        raise CliError("ResourceNotFoundException", f"the project {project_arn} has no model named {name}")
    if args.version_arn and description["ProjectVersionArn"] != args.version_arn:
        # a model deleted and created again under its name: the ARN's creation time tells them apart
        raise CliError(
            "ResourceNotFoundException",
            f"the model {args.version_arn} no longer exists; {name} is now "
            + description["ProjectVersionArn"],
        )
    return Model(project_arn, name, description["ProjectVersionArn"]), description


def project_arn_named(client: Any, name: str) -> str:
    """The ARN of the project called ``name``.

    Raises:
        CliError: ``ResourceNotFoundException`` when there is none.
    """
    found = client.describe_projects(ProjectNames=[name], Features=list(FEATURES))["ProjectDescriptions"]
    if not found:
        raise CliError("ResourceNotFoundException", f"there is no project named {name}")
    arn: str = found[0]["ProjectArn"]
    return arn


def describe_version(client: Any, project_arn: str, name: str) -> dict[str, Any]:
    """The model's ``ProjectVersionDescription``; ``{"Status": "DELETED"}`` once it is gone."""
    try:
        found = client.describe_project_versions(ProjectArn=project_arn, VersionNames=[name])[
            "ProjectVersionDescriptions"
        ]
    except client.exceptions.ResourceNotFoundException:
        return {"Status": GONE}
    return dict(found[0]) if found else {"Status": GONE}


def wait_for_model(ctx: CommandContext, model: Model, expected: str) -> dict[str, Any]:
    """Poll the model until no operation moves it on; returns its description.

    Raises:
        CliError: ``<STATUS>: <StatusMessage> (<arn>)`` when it settles anywhere but ``expected``
            (``TRAINING_FAILED``, ``FAILED``, ...); ``WaitTimeout``.
    """
    client, args = ctx.session.rekognition, ctx.args
    latest = wait_for_statuses(
        lambda _: describe_version(client, model.project_arn, model.name),
        [Watched(model.name, model.arn)],
        ctx.out.err,
        busy=BUSY.__contains__,
        interval=args.poll_interval,
        timeout=args.wait_timeout,
    )
    description = latest[model.arn]
    check_model_outcome(model.arn, description, expected)
    return description


def check_model_outcome(arn: str, description: dict[str, Any], expected: str) -> None:
    """Raise ``<STATUS>: <StatusMessage> (<arn>)`` unless the model is ``expected``."""
    status = description["Status"]
    if status != expected:
        message = description.get("StatusMessage") or f"the model is {status}, not {expected}"
        raise CliError(status, f"{message} ({arn})")


def _parse(version_arn: str) -> arns.VersionRef:
    ref = arns.parse_version_arn(version_arn)
    if ref is None:
        raise CliError(
            "InvalidArn",
            f"expected a model ARN (arn:aws:rekognition:<region>:<account>:project/<project>/version/"
            f"<version>/<ms>), got {version_arn!r}",
        )
    return ref
