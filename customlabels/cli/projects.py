"""``customlabels projects ...``: create, list, describe and delete projects, and their policies.

A project holds a model's datasets and its versions. Deleting one needs its datasets and models
gone first (guide L10070). Project policies (``projects policies put|list|delete``) let another
account copy the project's models; a policy is replaced only by naming its current revision
(``--revision-id``), as PutProjectPolicy requires.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from customlabels.cli.arguments import tag_options, tags_request
from customlabels.cli.context import CommandContext
from customlabels.cli.output import EXIT_OK, CliError, record, table
from customlabels.cli.versions import FEATURES

CUSTOM_LABELS = FEATURES[0]
AUTO_UPDATE = ("ENABLED", "DISABLED")


def register(commands: Any) -> None:
    """Add ``projects`` and its subcommands to the top-level subparsers."""
    parser = commands.add_parser("projects", help="create, list and delete projects; project policies")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    create = actions.add_parser("create", parents=[tag_options()], help="create a project")
    create.add_argument("--name", required=True)
    create.add_argument("--feature", choices=FEATURES, type=str.upper, help=f"default: {CUSTOM_LABELS}")
    create.add_argument(
        "--auto-update", choices=AUTO_UPDATE, type=str.upper, help="CONTENT_MODERATION projects only"
    )
    create.set_defaults(run=create_project)

    listing = actions.add_parser("list", help="projects, newest first")
    listing.add_argument("--name", action="append", dest="names", metavar="NAME", help="only these projects")
    listing.add_argument(
        "--feature",
        action="append",
        dest="features",
        choices=FEATURES,
        type=str.upper,
        help=f"only projects of this feature (default: {CUSTOM_LABELS})",
    )
    listing.set_defaults(run=list_projects)

    describe = actions.add_parser("describe", help="a project and its datasets")
    which = describe.add_mutually_exclusive_group(required=True)
    which.add_argument("--project-arn")
    which.add_argument("--name")
    describe.set_defaults(run=describe_project)

    delete = actions.add_parser("delete", help="delete a project without datasets or models")
    delete.add_argument("--project-arn", required=True)
    delete.set_defaults(run=delete_project)

    policies = actions.add_parser("policies", help="the project's resource policies (PutProjectPolicy)")
    policy_actions = policies.add_subparsers(dest="policy_action", required=True, metavar="ACTION")
    put = policy_actions.add_parser("put", help="attach a policy, or replace a revision of one")
    put.add_argument("--project-arn", required=True)
    put.add_argument("--policy-name", required=True)
    put.add_argument("--policy-file", required=True, metavar="FILE", help="the policy document (JSON)")
    put.add_argument("--revision-id", help="the revision to replace (omit to attach a new policy)")
    put.set_defaults(run=put_policy)

    policy_list = policy_actions.add_parser("list", help="the project's policies")
    policy_list.add_argument("--project-arn", required=True)
    policy_list.add_argument("--documents", action="store_true", help="print each policy document too")
    policy_list.set_defaults(run=list_policies)

    policy_delete = policy_actions.add_parser("delete", help="delete a policy")
    policy_delete.add_argument("--project-arn", required=True)
    policy_delete.add_argument("--policy-name", required=True)
    policy_delete.add_argument("--revision-id", help="delete only if this is the current revision")
    policy_delete.set_defaults(run=delete_policy)


def create_project(ctx: CommandContext) -> int:
    args = ctx.args
    request: dict[str, Any] = {"ProjectName": args.name, **tags_request(args.tag)}
    if args.feature:
        request["Feature"] = args.feature
    if args.auto_update:
        request["AutoUpdate"] = args.auto_update
    arn = ctx.session.rekognition.create_project(**request)["ProjectArn"]
    ctx.out.result({"ProjectArn": arn}, arn)
    return EXIT_OK


def list_projects(ctx: CommandContext) -> int:
    args = ctx.args
    request: dict[str, Any] = {}
    if args.names:
        request["ProjectNames"] = args.names
    if args.features:
        request["Features"] = args.features
    pages = ctx.session.rekognition.get_paginator("describe_projects").paginate(**request)
    projects = [item for page in pages for item in page["ProjectDescriptions"]]
    ctx.out.result(projects, projects_table(projects))
    return EXIT_OK


def describe_project(ctx: CommandContext) -> int:
    args = ctx.args
    name = args.name or project_name(args.project_arn)
    found = ctx.session.rekognition.describe_projects(ProjectNames=[name], Features=list(FEATURES))[
        "ProjectDescriptions"
    ]
    project = next(
        (item for item in found if not args.project_arn or item["ProjectArn"] == args.project_arn), None
    )
    if project is None:
        raise CliError("ResourceNotFoundException", f"there is no project {args.project_arn or name}")
    datasets = [
        (item.get("DatasetType"), item.get("Status"), item.get("StatusMessage"), item.get("DatasetArn"))
        for item in project.get("Datasets", [])
    ]
    text = record(project_fields(project))
    if datasets:
        text += "\n\n" + table(datasets, ("DATASET", "STATUS", "MESSAGE", "ARN"))
    ctx.out.result(project, text)
    return EXIT_OK


def delete_project(ctx: CommandContext) -> int:
    status = ctx.session.rekognition.delete_project(ProjectArn=ctx.args.project_arn)["Status"]
    ctx.out.result({"ProjectArn": ctx.args.project_arn, "Status": status}, status)
    return EXIT_OK


def put_policy(ctx: CommandContext) -> int:
    args = ctx.args
    request: dict[str, Any] = {
        "ProjectArn": args.project_arn,
        "PolicyName": args.policy_name,
        "PolicyDocument": Path(args.policy_file).read_text(encoding="utf-8"),
    }
    if args.revision_id:
        request["PolicyRevisionId"] = args.revision_id
    revision = ctx.session.rekognition.put_project_policy(**request)["PolicyRevisionId"]
    ctx.out.result({"PolicyName": args.policy_name, "PolicyRevisionId": revision}, revision)
    return EXIT_OK


def list_policies(ctx: CommandContext) -> int:
    pages = ctx.session.rekognition.get_paginator("list_project_policies").paginate(
        ProjectArn=ctx.args.project_arn
    )
    policies = [item for page in pages for item in page["ProjectPolicies"]]
    text = policies_table(policies)
    if ctx.args.documents:
        text += "".join(f"\n\n{item['PolicyName']}:\n{item.get('PolicyDocument', '')}" for item in policies)
    ctx.out.result(policies, text)
    return EXIT_OK


def delete_policy(ctx: CommandContext) -> int:
    args = ctx.args
    request: dict[str, Any] = {"ProjectArn": args.project_arn, "PolicyName": args.policy_name}
    if args.revision_id:
        request["PolicyRevisionId"] = args.revision_id
    ctx.session.rekognition.delete_project_policy(**request)
    ctx.out.result({"PolicyName": args.policy_name, "Deleted": True}, f"deleted {args.policy_name}")
    return EXIT_OK


def projects_table(projects: list[dict[str, Any]]) -> str:
    """NAME, FEATURE, STATUS, CREATED, DATASETS, ARN per ``ProjectDescription``."""
    rows = [
        (
            project_name(item["ProjectArn"]),
            item.get("Feature", CUSTOM_LABELS),
            item.get("Status"),
            item.get("CreationTimestamp"),
            [dataset["DatasetType"].lower() for dataset in item.get("Datasets", [])],
            item["ProjectArn"],
        )
        for item in projects
    ]
    return table(rows, ("NAME", "FEATURE", "STATUS", "CREATED", "DATASETS", "ARN"))


def project_fields(project: dict[str, Any]) -> dict[str, Any]:
    return {
        "Name": project_name(project["ProjectArn"]),
        "ProjectArn": project["ProjectArn"],
        "Feature": project.get("Feature", CUSTOM_LABELS),
        "Status": project.get("Status"),
        "Created": project.get("CreationTimestamp"),
        "AutoUpdate": project.get("AutoUpdate"),
    }


def policies_table(policies: list[dict[str, Any]]) -> str:
    rows = [
        (
            item["PolicyName"],
            item.get("PolicyRevisionId"),
            item.get("CreationTimestamp"),
            item.get("LastUpdatedTimestamp"),
        )
        for item in policies
    ]
    return table(rows, ("POLICY", "REVISION", "CREATED", "UPDATED"))


def project_name(project_arn: str) -> str:
    """The name in ``arn:...:project/<name>/<ms>`` (the guide's samples split it the same way, L10150).

    Raises:
        CliError: ``InvalidArn`` when ``project_arn`` has no project name.
    """
    parts = project_arn.split("/")
    if len(parts) < 3 or not parts[0].endswith(":project") or not parts[1]:
        raise CliError(
            "InvalidArn",
            f"expected a project ARN (arn:aws:rekognition:...:project/<name>/<ms>), got {project_arn!r}",
        )
    return parts[1]
