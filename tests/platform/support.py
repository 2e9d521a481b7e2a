"""Helpers shared by the platform tests (fixtures live in conftest.py)."""

from __future__ import annotations

import io
import json
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

HANDLERS_DIR = Path(__file__).parent / "handlers"
REGION = "us-east-1"
ACCOUNT_ID = "000000000000"
LAMBDA_ROLE = f"arn:aws:iam::{ACCOUNT_ID}:role/platform-probe"

ClientFactory = Callable[[str], Any]
"""``client("sqs")``: a boto3 client for the session's LocalStack."""
FunctionDeployer = Callable[..., dict[str, Any]]
"""``deploy_function(handler, timeout=3, memory_size=128, environment=None, layers=None)``."""

T = TypeVar("T")


def wait_for(check: Callable[[], T | None], *, timeout: float, interval: float = 0.1) -> T:
    """Call ``check`` until it returns something truthy; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)


def handlers_zip() -> bytes:
    """The handler sources as a Lambda zip package (modules at the archive's root)."""
    return zip_files({source.name: source.read_bytes() for source in sorted(HANDLERS_DIR.glob("*.py"))})


def zip_files(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def invoke(lambda_client: Any, function_name: str, event: Any, **kwargs: Any) -> tuple[dict[str, Any], Any]:
    """Invoke synchronously; returns the response and its decoded JSON payload."""
    response: dict[str, Any] = lambda_client.invoke(
        FunctionName=function_name, Payload=json.dumps(event).encode(), **kwargs
    )
    return response, json.loads(response["Payload"].read())


def process_alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"
