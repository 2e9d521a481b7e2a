"""The LocalStack S3 the benchmarks run against: a running one, or one started for the run."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tools.localstack import launcher


@contextmanager
def localstack() -> Iterator[tuple[str, str]]:
    """The LocalStack S3 to use (started if none answers) and its version."""
    port = launcher.default_port()
    url = launcher.endpoint_url(port)
    health = _health(url)
    started = None if health else launcher.start(port=port)
    try:
        health = health or _health(url) or {}
        yield url, f"localstack{health.get('version', 'unknown')}"
    finally:
        if started is not None and started.started_here:
            launcher.stop(port=port)


def _health(url: str) -> dict[str, Any] | None:
    try:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(f"{url}/_localstack/health", timeout=2) as reply:
            found: dict[str, Any] = json.loads(reply.read())
            return found
    except OSError:
        return None
