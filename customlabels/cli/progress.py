"""``--wait``: poll dataset statuses until their operation ends, showing progress.

On a terminal one line is redrawn with a spinner, each dataset's status and the elapsed time;
elsewhere (logs, CI) a line is printed only when a status changes. The guide's samples poll
every 5 s (L10817); the CLI polls faster by default since DescribeDataset is cheap here.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from customlabels.cli.output import CliError

SPINNER = "|/-\\"
DEFAULT_INTERVAL_S = 1.0
DEFAULT_TIMEOUT_S = 3600.0
GONE = "DELETED"  # what the CLI shows for a dataset DescribeDataset no longer knows


@dataclass(frozen=True)
class Watched:
    """A dataset being waited for: a short name for the progress line and its ARN."""

    name: str
    arn: str


def dataset_status(client: Any, arn: str) -> dict[str, Any]:
    """The dataset's ``DatasetDescription``; ``{"Status": "DELETED"}`` once it is gone."""
    try:
        description: dict[str, Any] = client.describe_dataset(DatasetArn=arn)["DatasetDescription"]
    except client.exceptions.ResourceNotFoundException:
        return {"Status": GONE}
    return description


def wait_for_datasets(
    describe: Callable[[str], dict[str, Any]],
    datasets: Sequence[Watched],
    stream: TextIO,
    *,
    interval: float = DEFAULT_INTERVAL_S,
    timeout: float = DEFAULT_TIMEOUT_S,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, dict[str, Any]]:
    """Poll until no dataset is ``*_IN_PROGRESS``; returns the last description of each, by ARN.

    Raises:
        CliError: ``WaitTimeout`` after ``timeout`` seconds.
    """
    interactive = stream.isatty()
    spinner = itertools.cycle(SPINNER)
    started = clock()
    shown: dict[str, str] = {}
    while True:
        latest = {item.arn: describe(item.arn) for item in datasets}
        statuses = {item.name: latest[item.arn]["Status"] for item in datasets}
        elapsed = clock() - started
        summary = "  ".join(f"{name} {status}" for name, status in statuses.items())
        if interactive:
            stream.write(f"\r{next(spinner)} {summary}  {elapsed:.0f}s\033[K")
        elif statuses != shown:
            stream.write(f"{summary}  ({elapsed:.1f}s)\n")
        stream.flush()
        shown = statuses
        if not any(status.endswith("_IN_PROGRESS") for status in statuses.values()):
            if interactive:
                stream.write("\n")
            return latest
        if elapsed > timeout:
            if interactive:
                stream.write("\n")
            raise CliError("WaitTimeout", f"still {summary} after {timeout:.0f} s")
        sleep(interval)


def check_outcome(latest: dict[str, dict[str, Any]]) -> None:
    """Raise for a dataset whose operation failed: ``<STATUS>: <StatusMessage> (<code>)``."""
    for arn, description in latest.items():
        status = description["Status"]
        if status.endswith("_FAILED"):
            raise CliError(
                status,
                f"{description.get('StatusMessage', '')} ({description.get('StatusMessageCode', '-')}) {arn}",
            )
