"""Fixtures for the platform tests: LocalStack with the host-process Lambda executor, and Lambda
functions built from ``tests/platform/handlers``.

LocalStack itself comes from the session fixtures in ``tests/conftest.py``.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.platform.support import (
    LAMBDA_ROLE,
    ClientFactory,
    FunctionDeployer,
    handlers_zip,
    wait_for,
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "platform: needs LocalStack with the host-process Lambda executor (started by a fixture)"
    )


@pytest.fixture(scope="session")
def lambda_client(localstack_client: ClientFactory) -> Any:
    return localstack_client("lambda")


@pytest.fixture(scope="session")
def deploy_function(lambda_client: Any) -> Iterator[FunctionDeployer]:
    """``deploy_function(handler, timeout=3, memory_size=128, environment=None, layers=None)``
    creates a function from the probe handlers (``lambda_probes.<handler>``), waits until it is
    Active and returns its configuration. The functions are deleted at the end of the session."""
    package = handlers_zip()
    created: list[str] = []

    def deploy(
        handler: str,
        *,
        timeout: int = 3,
        memory_size: int = 128,
        environment: dict[str, str] | None = None,
        layers: list[str] | None = None,
    ) -> dict[str, Any]:
        name = f"probe-{handler.replace('_', '-')}-{uuid.uuid4().hex[:8]}"
        lambda_client.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=LAMBDA_ROLE,
            Handler=f"lambda_probes.{handler}",
            Code={"ZipFile": package},
            Timeout=timeout,
            MemorySize=memory_size,
            Environment={"Variables": environment or {}},
            Layers=layers or [],
        )
        created.append(name)

        def active() -> dict[str, Any] | None:
            configuration: dict[str, Any] = lambda_client.get_function_configuration(FunctionName=name)
            assert configuration["State"] != "Failed", configuration.get("StateReason")
            return configuration if configuration["State"] == "Active" else None

        return wait_for(active, timeout=30)

    yield deploy
    for name in created:
        with contextlib.suppress(lambda_client.exceptions.ResourceNotFoundException):
            lambda_client.delete_function(FunctionName=name)
