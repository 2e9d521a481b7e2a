"""``--wait``: poll statuses (datasets, models) or counts (batch results) until they settle.

On a terminal one line is redrawn with a spinner, each resource's status and the elapsed time;
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
GONE = "DELETED"  # what the CLI shows for a resource the service no longer knows


@dataclass(frozen=True)
class Watched:
    """A resource being waited for: a short name for the progress line and its ARN."""

    name: str
    arn: str


def dataset_status(client: Any, arn: str) -> dict[str, Any]:
    """The dataset's ``DatasetDescription``; ``{"Status": "DELETED"}`` once it is gone."""
    try:
        description: dict[str, Any] = client.describe_dataset(DatasetArn=arn)["DatasetDescription"]
    except client.exceptions.ResourceNotFoundException:
        return {"Status": GONE}
    return description


def in_progress(status: str) -> bool:
    """Whether a dataset operation is still running."""
    return status.endswith("_IN_PROGRESS")


def wait_for_datasets(
    describe: Callable[[str], dict[str, Any]], datasets: Sequence[Watched], stream: TextIO, **options: Any
) -> dict[str, dict[str, Any]]:
    """Poll until no dataset is ``*_IN_PROGRESS`` (see :func:`wait_for_statuses`)."""
    return wait_for_statuses(describe, datasets, stream, busy=in_progress, **options)


def wait_for_statuses(
    describe: Callable[[str], dict[str, Any]],
    watched: Sequence[Watched],
    stream: TextIO,
    *,
    busy: Callable[[str], bool],
    **options: Any,
) -> dict[str, dict[str, Any]]:
    """Poll until no status is ``busy``; returns the last description of each, by ARN.

    Args:
        describe: ARN -> the resource's description (with ``Status``).
        watched: the resources, with the names the progress line shows.
        stream: where progress goes (a terminal gets a spinner, anything else a line per change).
        options: ``interval``, ``timeout``, ``clock``, ``sleep`` (see :func:`poll`).

    Raises:
        CliError: ``WaitTimeout`` after ``timeout`` seconds.
    """
    latest: dict[str, dict[str, Any]] = {}

    def read() -> tuple[str, bool]:
        latest.update({item.arn: describe(item.arn) for item in watched})
        statuses = [latest[item.arn]["Status"] for item in watched]
        summary = "  ".join(f"{item.name} {status}" for item, status in zip(watched, statuses, strict=True))
        return summary, not any(busy(status) for status in statuses)

    poll(read, stream, **options)
    return latest


def wait_for_count(count: Callable[[], int], target: int, what: str, stream: TextIO, **options: Any) -> int:
    """Poll ``count()`` until it reaches ``target``; returns the last count.

    Progress reads ``<count>/<target> <what>`` (see :func:`poll` for ``options``).

    Raises:
        CliError: ``WaitTimeout`` after ``timeout`` seconds.
    """
    last = 0

    def read() -> tuple[str, bool]:
        nonlocal last
        last = count()
        return f"{last}/{target} {what}", last >= target

    poll(read, stream, **options)
    return last


def poll(
    read: Callable[[], tuple[str, bool]],
    stream: TextIO,
    *,
    interval: float = DEFAULT_INTERVAL_S,
    timeout: float = DEFAULT_TIMEOUT_S,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Call ``read`` (-> a summary for the progress line, and whether it is done) every ``interval``
    seconds until it is done, showing the summary and the elapsed time on ``stream``.

    Raises:
        CliError: ``WaitTimeout`` when still not done after ``timeout`` seconds.
    """
    interactive = stream.isatty()
    spinner = itertools.cycle(SPINNER)
    started = clock()
    shown: str | None = None
    while True:
        summary, done = read()
        elapsed = clock() - started
        if interactive:
            stream.write(f"\r{next(spinner)} {summary}  {elapsed:.0f}s\033[K")
        elif summary != shown:
            stream.write(f"{summary}  ({elapsed:.1f}s)\n")
        stream.flush()
        shown = summary
        if done or elapsed > timeout:
            if interactive:
                stream.write("\n")
            if done:
                return
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
