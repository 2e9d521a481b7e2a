"""What every command gets: its parsed arguments, the output, and (on first use) the session."""

from __future__ import annotations

import argparse
from functools import cached_property

from customlabels import settings
from customlabels.cli.output import CliError, Output
from customlabels.cli.session import Session, deployment_outputs, resolve_endpoint


class CommandContext:
    """One CLI invocation. Commands that work on local files never resolve an endpoint."""

    def __init__(self, args: argparse.Namespace, out: Output) -> None:
        self.args = args
        self.out = out

    @cached_property
    def session(self) -> Session:
        endpoint = resolve_endpoint(self.args.endpoint_url, settings.load().rekognition_endpoint_url)
        return Session(endpoint, self.args.region)

    @cached_property
    def outputs(self) -> dict[str, str]:
        """The deployment's outputs when ``.local/outputs.json`` describes the endpoint, else ``{}``."""
        return deployment_outputs(self.session.endpoint)

    def deployment_value(
        self, explicit: str | None, output: str, flag: str, default: str | None = None
    ) -> str:
        """A deployment setting: ``explicit`` (the flag's value), else the deployment's ``output``,
        else ``default``.

        Raises:
            CliError: ``MissingArgument`` when none of them is set.
        """
        value = explicit or self.outputs.get(output) or default
        if not value:
            raise CliError(
                "MissingArgument",
                f"pass {flag}: the endpoint is not the local deployment of .local/outputs.json, "
                f"which would tell its {output}",
            )
        return value
