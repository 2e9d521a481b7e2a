"""How the CLI talks back: aligned tables for people, JSON for scripts, one-line errors.

Results go to stdout; progress (spinners, upload counts) and errors go to stderr, so that
``customlabels --json ... | jq`` always gets clean JSON. Errors read ``<ErrorName>: <message>``
(the service's error code for API errors, as boto3 reports it) and make the command exit
non-zero.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, TextIO

EXIT_OK = 0
EXIT_ERROR = 1


class CliError(Exception):
    """A failure the CLI reports as ``<name>: <message>``."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


def table(rows: Iterable[Sequence[Any]], headers: Sequence[str]) -> str:
    """Rows as columns aligned on the widest cell; ``None`` prints as ``-``."""
    cells = [[_cell(value) for value in row] for row in rows]
    widths = [len(header) for header in headers]
    for row in cells:
        widths = [max(width, len(cell)) for width, cell in zip(widths, row, strict=True)]
    lines = [headers, *cells]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )


def record(fields: Mapping[str, Any]) -> str:
    """One resource as ``Name  value`` lines, names aligned."""
    width = max((len(name) for name in fields), default=0)
    return "\n".join(f"{name.ljust(width)}  {_cell(value)}".rstrip() for name, value in fields.items())


def to_json(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=False, default=_json_default, ensure_ascii=False)


class Output:
    """Where a command writes, and in which form (``as_json``: the data as JSON, nothing else)."""

    def __init__(self, *, as_json: bool, out: TextIO | None = None, err: TextIO | None = None) -> None:
        self.as_json = as_json
        self.out = out or sys.stdout
        self.err = err or sys.stderr

    def result(self, data: Any, text: str | None = None) -> None:
        """Print a command's result: ``data`` as JSON, or ``text`` (default: JSON too)."""
        self.out.write((to_json(data) if self.as_json or text is None else text) + "\n")

    def note(self, message: str) -> None:
        """Progress and remarks for a person (stderr; silent with ``--json``)."""
        if not self.as_json:
            self.err.write(message + "\n")
            self.err.flush()

    def error(self, name: str, message: str) -> int:
        self.err.write(f"{name}: {message}\n")
        return EXIT_ERROR


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(_cell(item) for item in value) or "-"
    return str(value)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
