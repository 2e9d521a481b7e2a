"""``customlabels tags list|tag|untag``: the tags of a project, dataset or model, by ARN."""

from __future__ import annotations

from typing import Any

from customlabels.cli.arguments import parse_tags
from customlabels.cli.context import CommandContext
from customlabels.cli.output import EXIT_OK, table


def register(commands: Any) -> None:
    """Add ``tags`` and its subcommands to the top-level subparsers."""
    parser = commands.add_parser("tags", help="list, add and remove the tags of a resource")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    listing = actions.add_parser("list", help="a resource's tags")
    listing.add_argument("--resource-arn", required=True)
    listing.set_defaults(run=list_tags)

    tag = actions.add_parser("tag", help="add tags (or change their values)")
    tag.add_argument("--resource-arn", required=True)
    tag.add_argument("--tag", action="append", required=True, metavar="KEY=VALUE")
    tag.set_defaults(run=tag_resource)

    untag = actions.add_parser("untag", help="remove tags")
    untag.add_argument("--resource-arn", required=True)
    untag.add_argument("--key", action="append", required=True, dest="keys", metavar="KEY")
    untag.set_defaults(run=untag_resource)


def list_tags(ctx: CommandContext) -> int:
    tags: dict[str, str] = ctx.session.rekognition.list_tags_for_resource(ResourceArn=ctx.args.resource_arn)[
        "Tags"
    ]
    ctx.out.result(tags, tags_table(tags))
    return EXIT_OK


def tag_resource(ctx: CommandContext) -> int:
    tags = parse_tags(ctx.args.tag)
    ctx.session.rekognition.tag_resource(ResourceArn=ctx.args.resource_arn, Tags=tags)
    ctx.out.result({"ResourceArn": ctx.args.resource_arn, "Tagged": tags}, tags_table(tags))
    return EXIT_OK


def untag_resource(ctx: CommandContext) -> int:
    keys = ctx.args.keys
    ctx.session.rekognition.untag_resource(ResourceArn=ctx.args.resource_arn, TagKeys=keys)
    ctx.out.result({"ResourceArn": ctx.args.resource_arn, "Untagged": keys}, f"removed {', '.join(keys)}")
    return EXIT_OK


def tags_table(tags: dict[str, str]) -> str:
    return table(sorted(tags.items()), ("KEY", "VALUE"))
