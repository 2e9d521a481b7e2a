"""What LocalStack finds through plux: the executor plugin and two lifecycle hooks.

The entry points in ``pyproject.toml`` point here. plux imports this module while LocalStack starts
(to resolve every hook), so it imports only what those hooks need; the executor itself is loaded the
first time LocalStack needs a Lambda execution environment.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from localstack.runtime import hooks
from localstack.services.lambda_.invocation.plugins import RuntimeExecutorPlugin

from customlabels_executor import INFO_PATH, LAMBDA_PYTHON_ENV, PLUGIN_NAME


class HostProcessExecutorPlugin(RuntimeExecutorPlugin):
    """Selected with ``LAMBDA_RUNTIME_EXECUTOR=customlabels-host``."""

    name = PLUGIN_NAME

    def load(self, *args: Any, **kwargs: Any) -> type:
        from customlabels_executor.executor import HostProcessRuntimeExecutor

        return HostProcessRuntimeExecutor


@hooks.on_infra_start()
def register_customlabels_executor_route() -> None:
    """Serve ``GET /_customlabels/executor``, so that a launcher can tell a LocalStack that runs this
    executor (and reuse it) from one that would fail every invoke for lack of Docker."""
    from localstack import config
    from localstack.services.edge import ROUTER

    def executor_info(request: Any) -> dict[str, Any]:
        return {
            "plugin": PLUGIN_NAME,
            "active": config.LAMBDA_RUNTIME_EXECUTOR == PLUGIN_NAME,
            "lambda_python": os.environ.get(LAMBDA_PYTHON_ENV),
        }

    ROUTER.add(INFO_PATH, executor_info, methods=["GET"])


@hooks.on_infra_shutdown()
def stop_customlabels_runtimes() -> None:
    """Kill the handler processes that LocalStack's Lambda service has not stopped (its shutdown
    waits only 5 s for all versions together)."""
    process = sys.modules.get("customlabels_executor.process")
    if process is not None:
        process.kill_all()
