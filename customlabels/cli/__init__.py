"""The ``customlabels`` command line for any customlabels endpoint (LocalStack or AWS).

``customlabels [--endpoint-url URL] [--region R] [--json] <command> ...``; the subcommands live
one module per resource (``projects``, ``datasets``, ``models``, ``detect``, ``batch``, ``tags``,
``convert``) and are registered here, in :data:`COMMANDS`. Every failure prints
``<ErrorName>: <message>`` on stderr and exits 1.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from botocore.exceptions import BotoCoreError, ClientError

from customlabels.cli import batch, convert, datasets, detect, models, projects, tags
from customlabels.cli.context import CommandContext
from customlabels.cli.output import CliError, Output

COMMANDS = (projects, datasets, models, detect, batch, tags, convert)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="customlabels", description="Rekognition Custom Labels on a customlabels endpoint."
    )
    parser.add_argument(
        "--endpoint-url",
        help="the API endpoint (default: $AWS_ENDPOINT_URL_REKOGNITION, else .local/outputs.json)",
    )
    parser.add_argument("--region", help="the AWS region to sign for (default: the AWS configuration's)")
    parser.add_argument("--json", action="store_true", help="print results as JSON")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS:
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit status (0: success)."""
    args = build_parser().parse_args(argv)
    out = Output(as_json=args.json)
    try:
        status: int = args.run(CommandContext(args, out))
    except CliError as error:
        return out.error(error.name, error.message)
    except ClientError as error:
        details = error.response.get("Error", {})
        return out.error(str(details.get("Code", "ClientError")), str(details.get("Message", error)))
    except (BotoCoreError, OSError) as error:
        return out.error(type(error).__name__, str(error))
    except KeyboardInterrupt:
        return out.error("Interrupted", "stopped by the user")
    return status
