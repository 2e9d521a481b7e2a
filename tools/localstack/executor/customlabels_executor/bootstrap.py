"""The Python runtime of one host-process execution environment (what the Go "init" is in Docker).

The executor starts this file as a script with the *project's* interpreter, not LocalStack's, so it
imports nothing but the standard library (and never the package it ships in). It follows the
protocol LocalStack's executor endpoint expects from its init:

1. import the handler named by ``_HANDLER`` from the unpacked code (``LAMBDA_TASK_ROOT``) and the
   layers, then POST ``{LOCALSTACK_RUNTIME_ENDPOINT}/status/{LOCALSTACK_RUNTIME_ID}/ready`` with the
   port it listens on, or ``.../error`` with the init error (``Runtime.ImportModuleError``, ...);
2. accept ``POST /invoke`` (``invoke-id``, ``invoked-function-arn``, ``payload``, ``trace-id``), run
   the handler on the main thread with a Lambda context object, and POST the JSON result to
   ``/invocations/<id>/response`` or the error, shaped like the AWS Python runtime's, to ``.../error``.

Whatever the function writes to stdout or stderr (print, logging, subprocesses) goes to the pipe the
executor reads. Before reporting an outcome this script writes an end marker to that pipe, so that
the executor can cut exactly one invocation's logs out of the stream.
"""

from __future__ import annotations

import argparse
import decimal
import http.server
import importlib
import json
import logging
import os
import queue
import sys
import threading
import time
import traceback
import urllib.request
from collections.abc import Callable
from typing import Any

Handler = Callable[[Any, "LambdaContext"], Any]

# LocalStack listens on this machine: a proxy configured for the user's shell must never be used.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
_LOG_FORMAT = "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s"

_current_request_id = ""


class InitError(Exception):
    """The function cannot start; reported like the AWS Python runtime reports init failures."""

    def __init__(self, error_type: str, message: str, stack_trace: list[str] | None = None) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.stack_trace = stack_trace or []


class CognitoIdentity:
    """``context.identity``: always empty here, as for every invoke that is not from a mobile SDK."""

    cognito_identity_id: str | None = None
    cognito_identity_pool_id: str | None = None


class LambdaContext:
    """The handler's ``context`` argument, with the attributes of the AWS Python runtime's object."""

    def __init__(self, *, aws_request_id: str, invoked_function_arn: str, deadline: float) -> None:
        self.aws_request_id = aws_request_id
        self.invoked_function_arn = invoked_function_arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        # A string, as in the AWS runtime, which copies the environment variable unchanged.
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = CognitoIdentity()
        self.client_context = None
        self._deadline = deadline

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.aws_request_id = _current_request_id
        return True


def configure_logging() -> None:
    """Give the root logger the AWS runtime's handler and line format (its level stays WARNING
    unless AWS_LAMBDA_LOG_LEVEL says otherwise, as in AWS)."""
    formatter = logging.Formatter(_LOG_FORMAT, datefmt="%Y-%m-%dT%H:%M:%S")
    formatter.converter = time.gmtime
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)
    handler.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL")
    if level:
        root.setLevel(level.upper())


def load_handler(spec: str) -> Handler:
    """Import ``module.function`` (``dir/module.function`` also works), with the AWS runtime's error
    types and messages.

    Raises:
        InitError: the handler name is malformed, its module cannot be imported, or lacks the function.
    """
    try:
        module_path, function_name = spec.rsplit(".", 1)
    except ValueError as error:
        raise InitError("Runtime.MalformedHandlerName", f"Bad handler '{spec}': {error}") from error
    try:
        module = importlib.import_module(module_path.replace("/", "."))
    except ImportError as error:
        raise InitError(
            "Runtime.ImportModuleError", f"Unable to import module '{module_path}': {error}"
        ) from error
    except SyntaxError as error:
        raise InitError(
            "Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_path}': {error}"
        ) from error
    except Exception as error:  # the module raised while it was imported
        raise InitError(type(error).__name__, str(error), _user_stack_trace(error)) from error
    handler = getattr(module, function_name, None)
    if handler is None:
        raise InitError(
            "Runtime.HandlerNotFound", f"Handler '{function_name}' missing on module '{module_path}'"
        )
    return handler


def _user_stack_trace(error: BaseException) -> list[str]:
    """The traceback's lines without this runtime's frames, as the AWS runtime strips its own."""
    frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if frame.filename != __file__ and not frame.filename.startswith("<frozen importlib")
    ]
    return traceback.format_list(frames)


def error_payload(error_type: str, message: str, request_id: str, stack_trace: list[str]) -> dict[str, Any]:
    return {
        "errorMessage": message,
        "errorType": error_type,
        "requestId": request_id,
        "stackTrace": stack_trace,
    }


def log_error(error_type: str, message: str, stack_trace: list[str]) -> None:
    """Print an unhandled error the way the AWS Python runtime prints it into the function's logs."""
    lines = [f"[ERROR] {error_type}: {message}"]
    if stack_trace:
        lines.append("Traceback (most recent call last):")
        lines.extend(line.rstrip("\n") for line in stack_trace)
    print("\n".join(lines), flush=True)


class _JSONEncoder(json.JSONEncoder):
    # The AWS runtime serializes Decimal (what boto3's DynamoDB and the json module's parse_float
    # hand back) as a number instead of failing.
    def default(self, o: Any) -> Any:
        if isinstance(o, decimal.Decimal):
            return int(o) if o == o.to_integral_value() else float(o)
        return super().default(o)


class Runtime:
    """Talks to LocalStack for one execution environment and runs its invocations one at a time."""

    def __init__(self, *, callback_url: str, runtime_id: str, log_marker: str) -> None:
        self.callback_url = callback_url.rstrip("/")
        self.runtime_id = runtime_id
        self.log_marker = log_marker
        self.invocations: queue.Queue[dict[str, Any]] = queue.Queue()
        self.timeout_s = float(os.environ.get("AWS_LAMBDA_FUNCTION_TIMEOUT") or 3)
        # A duplicate of the pipe's descriptor, so a handler that closes or redirects fd 1 cannot
        # lose the end markers the executor waits for.
        self._log_fd = os.dup(1)

    # -- LocalStack's side of the protocol

    def post(self, path: str, body: bytes) -> None:
        request = urllib.request.Request(
            self.callback_url + path,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        with _OPENER.open(request, timeout=60) as response:
            response.read()

    def report_ready(self, port: int) -> None:
        self.post(f"/status/{self.runtime_id}/ready", json.dumps({"port": port}).encode())

    def report_init_error(self, error: InitError) -> None:
        log_error(error.error_type, error.message, error.stack_trace)
        payload = error_payload(error.error_type, error.message, "", error.stack_trace)
        self.post(f"/status/{self.runtime_id}/error", json.dumps(payload).encode())

    def serve_invokes(self) -> int:
        """Listen for ``POST /invoke`` on a free local port (in a thread) and return the port."""
        invocations = self.invocations

        class InvokeRequestHandler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                if self.path != "/invoke":
                    self.send_error(404)
                    return
                invocation = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"OK")
                self.wfile.flush()
                # Only now: a handler that ends the process must not cut this reply short.
                invocations.put(invocation)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass  # request lines would end up in the function's CloudWatch logs

        server = http.server.HTTPServer(("127.0.0.1", 0), InvokeRequestHandler)
        threading.Thread(target=server.serve_forever, name="invoke-server", daemon=True).start()
        return int(server.server_address[1])

    # -- the function's side

    def run_forever(self, handler: Handler) -> None:
        while True:
            self.invoke(handler, self.invocations.get())

    def invoke(self, handler: Handler, invocation: dict[str, Any]) -> None:
        global _current_request_id
        request_id = str(invocation.get("invoke-id", ""))
        _current_request_id = request_id
        os.environ["_X_AMZN_TRACE_ID"] = str(invocation.get("trace-id") or "")
        context = LambdaContext(
            aws_request_id=request_id,
            invoked_function_arn=str(invocation.get("invoked-function-arn", "")),
            deadline=time.monotonic() + self.timeout_s,
        )
        outcome, body = self._call(handler, invocation.get("payload"), context)
        self._end_invocation_logs(request_id)
        self.post(f"/invocations/{request_id}/{outcome}", body)

    def _call(self, handler: Handler, raw_event: Any, context: LambdaContext) -> tuple[str, bytes]:
        request_id = context.aws_request_id
        try:
            event = json.loads(raw_event) if raw_event else {}
        except ValueError as error:
            return self._error(
                "Runtime.UnmarshalError", f"Unable to unmarshal input: {error}", request_id, []
            )
        try:
            result = handler(event, context)
        except Exception as error:
            return self._error(type(error).__name__, str(error), request_id, _user_stack_trace(error))
        try:
            return "response", json.dumps(result, cls=_JSONEncoder).encode()
        except (TypeError, ValueError) as error:
            return self._error("Runtime.MarshalError", f"Unable to marshal response: {error}", request_id, [])

    @staticmethod
    def _error(error_type: str, message: str, request_id: str, stack_trace: list[str]) -> tuple[str, bytes]:
        log_error(error_type, message, stack_trace)
        return "error", json.dumps(error_payload(error_type, message, request_id, stack_trace)).encode()

    def _end_invocation_logs(self, request_id: str) -> None:
        for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
            try:
                if stream is not None:
                    stream.flush()
            except (OSError, ValueError):
                pass  # a handler may have closed or replaced the stream
        os.write(self._log_fd, f"{self.log_marker}{request_id}\n".encode())


def exit_with_parent() -> None:
    """Exit when LocalStack dies without stopping this environment (e.g. it was SIGKILLed)."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def _parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log-marker", required=True, help="prefix of the end-of-invocation line")
    parser.add_argument(
        "--layer", action="append", default=[], help="an unpacked layer, in the function's layer order"
    )
    return parser.parse_args(argv)


def layer_paths(layers: list[str]) -> list[str]:
    """What AWS puts on sys.path for layers (merged under /opt, later layers winning)."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    paths: list[str] = []
    for layer in reversed(layers):
        paths += [
            os.path.join(layer, "python", "lib", version, "site-packages"),
            os.path.join(layer, "python"),
        ]
    return paths


def main(argv: list[str]) -> int:
    args = _parse_args(argv)
    task_root = os.environ["LAMBDA_TASK_ROOT"]
    # sys.path[0] is this script's folder, which holds the executor's own modules: handlers must not
    # be able to import those; they see their code first, then the layers, as in AWS.
    if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
        sys.path.pop(0)
    sys.path[0:0] = [task_root, *layer_paths(args.layer)]
    os.chdir(task_root)
    configure_logging()
    exit_with_parent()

    runtime = Runtime(
        callback_url=os.environ["LOCALSTACK_RUNTIME_ENDPOINT"],
        runtime_id=os.environ["LOCALSTACK_RUNTIME_ID"],
        log_marker=args.log_marker,
    )
    port = runtime.serve_invokes()
    try:
        handler = load_handler(os.environ.get("_HANDLER", ""))
    except InitError as error:
        runtime.report_init_error(error)
        return 1
    runtime.report_ready(port)
    runtime.run_forever(handler)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
