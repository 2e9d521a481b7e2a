"""Options and values several commands share: ``--wait``, ``--tag KEY=VALUE``, S3 locations.

The parent parsers here are added with ``parents=[...]`` so that every command spells a shared
option the same way; the parsers of values raise :class:`CliError` with what was expected.
"""

from __future__ import annotations

import argparse
from typing import Any

from customlabels.cli.output import CliError
from customlabels.cli.progress import DEFAULT_INTERVAL_S, DEFAULT_TIMEOUT_S


def waiting_options(
    *, interval: float = DEFAULT_INTERVAL_S, timeout: float = DEFAULT_TIMEOUT_S
) -> argparse.ArgumentParser:
    """``--wait`` (and the hidden ``--poll-interval``/``--wait-timeout`` the tests shorten)."""
    waiting = argparse.ArgumentParser(add_help=False)
    waiting.add_argument("--wait", action="store_true", help="wait until the operation finishes")
    waiting.add_argument("--poll-interval", type=float, default=interval, help=argparse.SUPPRESS)
    waiting.add_argument("--wait-timeout", type=float, default=timeout, help=argparse.SUPPRESS)
    return waiting


def tag_options() -> argparse.ArgumentParser:
    tagging = argparse.ArgumentParser(add_help=False)
    tagging.add_argument(
        "--tag", action="append", default=[], metavar="KEY=VALUE", help="a tag for the new resource"
    )
    return tagging


def parse_tags(pairs: list[str]) -> dict[str, str]:
    """``["team=vision", "env="]`` -> ``{"team": "vision", "env": ""}``.

    Raises:
        CliError: ``InvalidTag`` for a pair without ``=`` or without a key.
    """
    tags = {}
    for pair in pairs:
        key, equals, value = pair.partition("=")
        if not equals or not key:
            raise CliError("InvalidTag", f"tags are KEY=VALUE, got {pair!r}")
        tags[key] = value
    return tags


def tags_request(pairs: list[str]) -> dict[str, Any]:
    """The ``Tags`` member of a create request, or nothing when no tag was given."""
    tags = parse_tags(pairs)
    return {"Tags": tags} if tags else {}


def output_config(bucket: str, prefix: str | None) -> dict[str, str]:
    """botocore's ``OutputConfig`` (``S3KeyPrefix`` only when a prefix was given)."""
    return {"S3Bucket": bucket, **({"S3KeyPrefix": prefix} if prefix else {})}
