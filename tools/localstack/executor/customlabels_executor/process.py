"""One handler process on the host: how it is started, how its output is collected, how it dies.

The process writes stdout and stderr into one pipe (so the lines keep their order, as in a Lambda log
stream). A reader thread splits that stream at the end markers the runtime writes after each
invocation, so that every invocation gets exactly the output produced since the previous one ended,
including what its module printed while it was imported.

Every live process is kept in a registry, so that LocalStack's shutdown can kill whatever its Lambda
service did not stop in time.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import subprocess
import threading
import time
from collections.abc import Sequence
from typing import IO

import psutil

LOG = logging.getLogger(__name__)

# Written by the runtime at the end of each invocation, followed by the request id and a newline.
# The unit separator keeps it from colliding with anything a function prints.
LOG_MARKER = "\x1fcustomlabels-invocation-end:"
_DEBUG_TAIL_CHARS = 64 * 1024

_live: set[RuntimeProcess] = set()
_live_lock = threading.Lock()


class LogCapture:
    """The output of one process, cut into invocations at the runtime's end markers."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._condition = threading.Condition()
        self._current: list[str] = []
        self._finished: dict[str, str] = {}
        self._tail: collections.deque[str] = collections.deque()
        self._tail_chars = 0
        self._closed = False
        self._thread = threading.Thread(target=self._read, args=(stream,), name="lambda-logs", daemon=True)
        self._thread.start()

    def _read(self, stream: IO[bytes]) -> None:
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", errors="replace")
            self._remember(line)
            with self._condition:
                before, marker, request_id = line.partition(LOG_MARKER)
                self._current.append(before)
                if marker:
                    self._finished[request_id.strip()] = "".join(self._current)
                    self._current = []
                self._condition.notify_all()
        with self._condition:
            self._closed = True
            self._condition.notify_all()

    def _remember(self, line: str) -> None:
        if LOG_MARKER in line:
            return
        self._tail.append(line)
        self._tail_chars += len(line)
        while self._tail_chars > _DEBUG_TAIL_CHARS and len(self._tail) > 1:
            self._tail_chars -= len(self._tail.popleft())

    def take_invocation(self, request_id: str, wait_s: float) -> str:
        """The output up to the runtime's end marker for ``request_id``; waits for the reader thread
        to get there (the runtime writes the marker before it reports the outcome)."""
        with self._condition:
            self._condition.wait_for(lambda: request_id in self._finished or self._closed, timeout=wait_s)
            if request_id in self._finished:
                return self._finished.pop(request_id)
            LOG.debug("no end-of-invocation marker for %s; using the output so far", request_id)
            return self._take_current()

    def take_rest(self, wait_s: float) -> str:
        """Everything not yet taken, once the process is gone and the pipe is drained."""
        with self._condition:
            self._condition.wait_for(lambda: self._closed, timeout=wait_s)
            return self._take_current()

    def _take_current(self) -> str:
        text = "".join(self._current)
        self._current = []
        return text

    def tail(self) -> str:
        """The last part of all output, for LocalStack's own diagnostics."""
        return "".join(self._tail)


class RuntimeProcess:
    """A started runtime script and everything it spawns."""

    def __init__(self, command: Sequence[str], *, env: dict[str, str], cwd: str) -> None:
        # Same process group as LocalStack (no new session): stopping LocalStack's group, as the
        # launcher does, takes every handler process with it.
        self._popen = subprocess.Popen(
            list(command),
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            close_fds=True,
        )
        assert self._popen.stdout is not None
        self.logs = LogCapture(self._popen.stdout)
        self.started_at = time.monotonic()
        with _live_lock:
            _live.add(self)

    @property
    def pid(self) -> int:
        return self._popen.pid

    def exit_code(self) -> int | None:
        """None while it runs."""
        return self._popen.poll()

    def max_memory_used_mb(self) -> int | None:
        """Peak resident memory so far (the kernel's high-water mark), like Lambda's REPORT line."""
        try:
            with open(f"/proc/{self.pid}/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) // 1024
        except OSError:
            pass
        return None

    def kill(self) -> None:
        """Kill the runtime and all its descendants, and reap it."""
        try:
            root = psutil.Process(self.pid)
            family = [*root.children(recursive=True), root]
        except psutil.NoSuchProcess:
            family = []
        for process in family:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()
        psutil.wait_procs(family, timeout=5)
        try:
            self._popen.wait(timeout=5)
        except subprocess.TimeoutExpired:
            LOG.warning("handler process %s did not exit after SIGKILL", self.pid)
        with _live_lock:
            _live.discard(self)


def kill_all() -> int:
    """Kill every runtime process still alive; returns how many there were."""
    with _live_lock:
        processes = list(_live)
    for process in processes:
        process.kill()
    return len(processes)
