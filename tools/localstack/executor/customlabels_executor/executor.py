"""LocalStack's ``RuntimeExecutor`` for Python functions run as processes on this machine.

LocalStack runs every Lambda execution environment in a Docker container with its Go init; neither
exists here. This executor keeps LocalStack's whole Lambda service (versions, environments, keep-alive,
event sources, logs to CloudWatch) and swaps only the sandbox: each environment is one process of the
project's interpreter running ``bootstrap.py`` in the unpacked code folder.

What the Go init did inside the container is done here, from outside the process: the function's
timeout (the process is killed and replaced at the next invoke), a crash of the runtime, and the
``START``/``END``/``REPORT`` lines around each invocation's output.
"""

from __future__ import annotations

import logging
import os
import time
from concurrent.futures import CancelledError, Future
from concurrent.futures import TimeoutError as FutureTimeoutError
from pathlib import Path

from localstack import config
from localstack.aws.api.lambda_ import PackageType
from localstack.services.lambda_.invocation.executor_endpoint import ShutdownDuringStartup
from localstack.services.lambda_.invocation.lambda_models import FunctionVersion, InvocationResult
from localstack.services.lambda_.invocation.runtime_executor import LambdaRuntimeException, RuntimeExecutor

from customlabels_executor import LAMBDA_PYTHON_ENV, reports
from customlabels_executor.endpoint import HostProcessEndpoint
from customlabels_executor.process import LOG_MARKER, RuntimeProcess

LOG = logging.getLogger(__name__)

BOOTSTRAP = Path(__file__).with_name("bootstrap.py")
HOST = "127.0.0.1"
# What a handler process takes from the host besides LocalStack's variables; the rest of the host's
# environment (LocalStack's own settings, the caller's AWS profile) stays out, as in a sandbox.
HOST_VARIABLES = ("PATH", "HOME", "USER", "LANG", "LC_ALL", "LC_CTYPE")
_POLL_S = 0.2
_LOGS_WAIT_S = 2.0


def lambda_python() -> str:
    """The interpreter that runs handlers (the project's venv, named by CUSTOMLABELS_LAMBDA_PYTHON).

    Raises:
        LambdaRuntimeException: the variable is unset or does not name an executable.
    """
    path = os.environ.get(LAMBDA_PYTHON_ENV, "")
    if not path or not os.access(path, os.X_OK):
        raise LambdaRuntimeException(
            f"{LAMBDA_PYTHON_ENV} must name the Python interpreter that runs the handlers "
            f"(e.g. <repo>/.venv/bin/python), got {path!r}"
        )
    return path


def _whole_lines(output: str) -> str:
    """The output ending with a newline, so that the platform's next line starts on its own."""
    return output if not output or output.endswith("\n") else output + "\n"


class HostProcessRuntimeExecutor(RuntimeExecutor):
    """One execution environment: a runtime process, replaced after a timeout or a crash."""

    def __init__(self, id: str, function_version: FunctionVersion) -> None:
        super().__init__(id=id, function_version=function_version)
        self.endpoint = HostProcessEndpoint(id)
        self.process: RuntimeProcess | None = None
        self.process_env: dict[str, str] = {}
        self._pending_init_ms: float | None = None

    # -- preparing a function version (on CreateFunction / UpdateFunctionCode)

    @classmethod
    def prepare_version(cls, function_version: FunctionVersion) -> None:
        """Unpack the code and the layers; refuse what a host process cannot run (so that the
        function goes to state Failed with the reason, instead of failing at its first invoke)."""
        function = function_version.config
        if function.package_type != PackageType.Zip:
            raise LambdaRuntimeException("The host-process executor runs zip packages only, not images")
        if not (function.runtime or "").startswith("python"):
            raise LambdaRuntimeException(
                f"The host-process executor runs Python functions only, not {function.runtime}"
            )
        lambda_python()
        function.code.prepare_for_execution()
        for layer in function.layers:
            if layer.code:
                layer.code.prepare_for_execution()

    @classmethod
    def cleanup_version(cls, function_version: FunctionVersion) -> None:
        pass  # LocalStack's code objects delete their unpacked folders themselves

    @classmethod
    def validate_environment(cls) -> bool:
        try:
            lambda_python()
        except LambdaRuntimeException as error:
            LOG.warning("%s", error)
            return False
        return True

    # -- the environment's lifecycle

    def start(self, env_vars: dict[str, str]) -> None:
        self.endpoint.start()
        self.process_env = self._process_environment(env_vars)
        self._spawn()

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None:
            process.kill()
        try:
            self.endpoint.shutdown()
        except Exception as error:  # already unregistered, e.g. stopped twice
            LOG.debug("stopping the endpoint of %s: %s", self.id, error)

    def _process_environment(self, env_vars: dict[str, str]) -> dict[str, str]:
        function = self.function_version.config
        # LocalStack hands some values over as ints (memory size, timeout); a process needs strings.
        env = {name: str(value) for name, value in env_vars.items()}
        env.update(
            LAMBDA_TASK_ROOT=str(function.code.get_unzipped_code_location()),
            LAMBDA_RUNTIME_DIR=str(BOOTSTRAP.parent),
            AWS_EXECUTION_ENV=f"AWS_Lambda_{function.runtime}",
        )
        env.setdefault("PYTHONUNBUFFERED", "1")  # output reaches the logs even if the process is killed
        for name in HOST_VARIABLES:
            if name not in env and name in os.environ:
                env[name] = os.environ[name]
        if "PATH" not in (function.environment or {}):
            # Like /var/lang/bin in AWS: `python` in a handler's subprocess is the handlers' interpreter.
            env["PATH"] = os.pathsep.join([os.path.dirname(lambda_python()), env.get("PATH", "")])
        return env

    def _command(self) -> list[str]:
        layers = [
            str(layer.code.get_unzipped_code_location())
            for layer in self.function_version.config.layers
            if layer.code
        ]
        command = [lambda_python(), str(BOOTSTRAP), "--log-marker", LOG_MARKER]
        for layer in layers:
            command += ["--layer", layer]
        return command

    def _spawn(self) -> RuntimeProcess:
        """Start a runtime process and wait until it has imported the handler and said ``ready``.

        Raises:
            StatusErrorException: the handler could not be loaded (its error is the invoke's result).
            ShutdownDuringStartup: LocalStack stopped the environment meanwhile.
            LambdaRuntimeException: the process died or stayed silent.
        """
        ready = self.endpoint.expect_ready()
        began = time.monotonic()
        process = self.process = RuntimeProcess(
            self._command(), env=self.process_env, cwd=self.process_env["LAMBDA_TASK_ROOT"]
        )
        try:
            self._wait_until_ready(process, ready)
        except BaseException:
            process.kill()
            raise
        self._pending_init_ms = (time.monotonic() - began) * 1000
        LOG.debug("runtime %s of %s ready in %.0f ms", process.pid, self.id, self._pending_init_ms)
        return process

    @staticmethod
    def _wait_until_ready(process: RuntimeProcess, ready: Future[bool]) -> None:
        deadline = time.monotonic() + config.LAMBDA_RUNTIME_ENVIRONMENT_TIMEOUT
        while True:
            try:
                ready.result(timeout=_POLL_S)
                return
            except FutureTimeoutError:
                pass
            except CancelledError as error:
                raise ShutdownDuringStartup("Execution environment stopped during startup") from error
            exit_code = process.exit_code()
            if exit_code is not None:
                if ready.done():  # it reported (e.g. an import error) and then exited
                    ready.result()
                    return
                raise LambdaRuntimeException(
                    f"The runtime exited with code {exit_code} before it was ready:\n{process.logs.tail()}"
                )
            if time.monotonic() > deadline:
                raise LambdaRuntimeException(
                    f"The runtime was not ready after {config.LAMBDA_RUNTIME_ENVIRONMENT_TIMEOUT} s:\n"
                    f"{process.logs.tail()}"
                )

    # -- invocations

    def invoke(self, payload: dict[str, str]) -> InvocationResult:
        process = self.process
        if process is None or process.exit_code() is not None:
            # The previous one timed out or crashed: a fresh sandbox, as AWS re-inits after that.
            process = self._spawn()
        function = self.function_version.config
        request_id = payload["invoke-id"]
        init_ms, self._pending_init_ms = self._pending_init_ms, None
        began = time.monotonic()
        future = self.endpoint.send_invocation(payload)
        result = self._await_outcome(process, future, deadline=began + function.timeout)
        duration_ms = min(time.monotonic() - began, float(function.timeout)) * 1000
        max_memory_mb = process.max_memory_used_mb()
        if result is not None:
            output = process.logs.take_invocation(request_id, wait_s=_LOGS_WAIT_S)
        else:
            result, output = self._end_failed_sandbox(process, request_id)
        result.logs = (
            reports.start_line(request_id, self.function_version.id.qualifier)
            + _whole_lines(output)
            + reports.end_lines(
                request_id,
                duration_ms=duration_ms,
                memory_size_mb=function.memory_size,
                max_memory_used_mb=max_memory_mb,
                init_duration_ms=init_ms,
            )
        )
        return result

    def _end_failed_sandbox(self, process: RuntimeProcess, request_id: str) -> tuple[InvocationResult, str]:
        """Kill a runtime that ran out of time or died, and report that the way AWS does: the
        invocation's error, and its output followed by the platform's own line."""
        exit_code = process.exit_code()
        process.kill()
        self.process = None
        output = _whole_lines(process.logs.take_rest(wait_s=_LOGS_WAIT_S))
        if exit_code is None:
            message = reports.timeout_message(request_id, self.function_version.config.timeout)
            payload, platform_lines = reports.timeout_payload(message), f"{message}\n"
        else:
            message = reports.exit_message(request_id, exit_code)
            payload, platform_lines = reports.exit_payload(message), f"{message}\nRuntime.ExitError\n"
        return InvocationResult(request_id, payload, is_error=True, logs=None), output + platform_lines

    @staticmethod
    def _await_outcome(
        process: RuntimeProcess, future: Future[InvocationResult], *, deadline: float
    ) -> InvocationResult | None:
        """The runtime's reply, or None if the deadline passed or the process died first."""
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            try:
                return future.result(timeout=min(remaining, _POLL_S))
            except FutureTimeoutError:
                if process.exit_code() is not None:
                    # Its reply may have arrived just before it exited.
                    return future.result() if future.done() else None

    # -- addresses and diagnostics

    def get_address(self) -> str:
        return HOST

    def get_endpoint_from_executor(self) -> str:
        return HOST

    def get_runtime_endpoint(self) -> str:
        port = config.GATEWAY_LISTEN[0].port
        return f"http://{HOST}:{port}{self.endpoint.get_endpoint_prefix()}"

    def get_logs(self) -> str:
        return self.process.logs.tail() if self.process is not None else ""
