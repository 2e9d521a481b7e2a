"""A CLI run against canned API answers: botocore's Stubber on real ``rekognition`` and ``s3`` clients,
so that every request the CLI makes is checked against the service model and every answer has the
service's shapes. No network."""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from customlabels import settings
from customlabels.cli import main
from customlabels.cli.session import Session

ENDPOINT = "http://127.0.0.1:9/"


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


@dataclass(frozen=True)
class Api:
    """The stubbed clients; ``run`` calls ``customlabels --endpoint-url ... <argv>``."""

    rekognition: Stubber
    s3: Stubber

    def run(self, *argv: str) -> Run:
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = main(["--endpoint-url", ENDPOINT, *argv])
        return Run(code, out.getvalue(), err.getvalue())


@functools.cache
def _boto_session() -> boto3.Session:
    """One session for every test: its loader keeps the service models parsed between clients."""
    return boto3.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")


def _returning(client: Any) -> Callable[[Session], Any]:
    return lambda _: client


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    settings.load.cache_clear()
    yield
    settings.load.cache_clear()


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Iterator[Api]:
    monkeypatch.chdir(tmp_path)  # no .local/outputs.json: deployment values come from flags
    session = _boto_session()
    clients = {name: session.client(name, endpoint_url=ENDPOINT) for name in ("rekognition", "s3")}
    stubs = {name: Stubber(client) for name, client in clients.items()}
    for name, client in clients.items():
        monkeypatch.setattr(Session, name, property(_returning(client)))
    with stubs["rekognition"], stubs["s3"]:
        yield Api(stubs["rekognition"], stubs["s3"])
        stubs["rekognition"].assert_no_pending_responses()
        stubs["s3"].assert_no_pending_responses()
