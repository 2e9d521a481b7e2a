"""The LocalStack launcher: a current install is a no-op, a running instance is reused, and an
instance it starts keeps to its own port and files and leaves no process behind when stopped."""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config

from tests.platform.support import LAMBDA_ROLE, REGION, handlers_zip, invoke, process_alive, wait_for
from tools.localstack import launcher

pytestmark = pytest.mark.platform


@pytest.fixture
def spare_port() -> Iterator[int]:
    """A free port for a second instance; afterwards its files are removed (nobody looks for them)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    yield port
    launcher.stop(port)
    for leftover in ("log", "lock"):
        (launcher.LOCAL_DIR / f"localstack-{port}.{leftover}").unlink(missing_ok=True)


def test_a_current_install_is_a_fast_no_op(localstack_url: str) -> None:
    began = time.monotonic()
    python = launcher.ensure_installed()
    assert time.monotonic() - began < 1.0
    assert python == launcher.VENV_DIR / "bin" / "python"


def test_start_reuses_the_instance_that_runs_the_executor(localstack_url: str) -> None:
    port = launcher.default_port()

    started = launcher.start(port)
    current = launcher.status(port)

    assert started == launcher.Started(endpoint_url=localstack_url, started_here=False)
    assert current.healthy and current.has_executor


def test_a_second_instance_has_its_own_files_and_stop_ends_all_its_processes(
    localstack_url: str, spare_port: int
) -> None:
    port = spare_port
    started = launcher.start(port)
    assert started.started_here
    pid = launcher.status(port).pid
    assert pid is not None
    assert (launcher.LOCAL_DIR / f"localstack-{port}" / "filesystem").is_dir()
    client: Any = boto3.client(
        "lambda",
        endpoint_url=started.endpoint_url,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}),
    )
    name = f"probe-pid-{uuid.uuid4().hex[:8]}"
    client.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=LAMBDA_ROLE,
        Handler="lambda_probes.pid",
        Code={"ZipFile": handlers_zip()},
    )
    wait_for(lambda: client.get_function_configuration(FunctionName=name)["State"] == "Active", timeout=30)
    _, handler_pid = invoke(client, name, {})

    assert launcher.stop(port)

    assert not process_alive(pid)
    assert not process_alive(handler_pid)
    assert not launcher.status(port).healthy
    assert not (launcher.LOCAL_DIR / f"localstack-{port}").exists()
    assert not launcher.stop(port)  # nothing left that this launcher started
