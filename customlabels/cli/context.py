"""What every command gets: its parsed arguments, the output, and (on first use) the session."""

from __future__ import annotations

import argparse
from functools import cached_property

from customlabels import settings
from customlabels.cli.output import Output
from customlabels.cli.session import Session, resolve_endpoint


class CommandContext:
    """One CLI invocation. Commands that work on local files never resolve an endpoint."""

    def __init__(self, args: argparse.Namespace, out: Output) -> None:
        self.args = args
        self.out = out

    @cached_property
    def session(self) -> Session:
        endpoint = resolve_endpoint(self.args.endpoint_url, settings.load().rekognition_endpoint_url)
        return Session(endpoint, self.args.region)
