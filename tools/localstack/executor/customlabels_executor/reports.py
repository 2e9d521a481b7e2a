"""The texts the Lambda platform itself writes: log frame lines and the errors of a failed sandbox.

They follow LocalStack's Go init (which follows AWS), so that logs, timeouts and crashes read the same
whichever executor ran the function.
"""

from __future__ import annotations

import json
import math
import signal
import time


def start_line(request_id: str, version: str) -> str:
    return f"START RequestId: {request_id} Version: {version}\n"


def end_lines(
    request_id: str,
    *,
    duration_ms: float,
    memory_size_mb: int,
    max_memory_used_mb: int | None,
    init_duration_ms: float | None,
) -> str:
    """``END`` and ``REPORT``; ``Init Duration`` only on an environment's first invocation, as in AWS."""
    init = f"Init Duration: {init_duration_ms:.2f} ms\t" if init_duration_ms is not None else ""
    used = max_memory_used_mb if max_memory_used_mb is not None else memory_size_mb
    return (
        f"END RequestId: {request_id}\n"
        f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\t"
        f"Billed Duration: {math.ceil(duration_ms)} ms\tMemory Size: {memory_size_mb} MB\t"
        f"Max Memory Used: {used} MB\t{init}\n"
    )


def timeout_message(request_id: str, timeout_s: float) -> str:
    """``<time> <request id> Task timed out after 3.00 seconds``: the errorMessage, and a log line."""
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return f"{now} {request_id} Task timed out after {timeout_s:.2f} seconds"


def timeout_payload(message: str) -> bytes:
    # No errorType: LocalStack's init and AWS's classic runtimes report a timeout with a message only.
    return json.dumps({"errorMessage": message}).encode()


def exit_message(request_id: str, exit_code: int) -> str:
    """AWS's words for a runtime that died during an invocation (sys.exit, a crash, the OOM killer)."""
    how = f"signal: {_signal_name(-exit_code)}" if exit_code < 0 else f"exit status {exit_code}"
    return f"RequestId: {request_id} Error: Runtime exited with error: {how}"


def exit_payload(message: str) -> bytes:
    return json.dumps({"errorType": "Runtime.ExitError", "errorMessage": message}).encode()


def _signal_name(number: int) -> str:
    # Go's names for the signals a runtime usually dies of, as AWS prints them.
    names = {signal.SIGKILL: "killed", signal.SIGSEGV: "segmentation fault", signal.SIGTERM: "terminated"}
    try:
        return names.get(signal.Signals(number), signal.Signals(number).name)
    except ValueError:
        return str(number)
