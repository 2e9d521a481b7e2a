"""Install, start and stop LocalStack on this machine, with Lambda functions run as host processes.

    python tools/localstack/launcher.py install
    python tools/localstack/launcher.py start  [--port N] [--lambda-python PATH] [--timeout S]
    python tools/localstack/launcher.py status [--port N]
    python tools/localstack/launcher.py stop   [--port N]

From Python (test fixtures): ``ensure_installed()``, ``start(port) -> Started``, ``status(port)``,
``stop(port)``. ``--port`` defaults to $CUSTOMLABELS_LOCALSTACK_PORT, else 4566.

Why a launcher rather than ``localstack start``: there is no Docker engine here, so LocalStack runs
in host mode, in its own virtual environment (localstack-core 4.14 needs Python 3.12+ and a few pins
to start at all), with the ``customlabels-host`` executor from ``tools/localstack/executor`` running
each Lambda handler with the project's interpreter. Each port gets its own state folder, log and pid
file under ``.local/``, so instances on different ports never share LocalStack's files, and ``stop``
only ever stops the instance this launcher started.

Standard library only: it runs on the project's Python (3.11) before any venv exists.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import fcntl
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
LOCAL_DIR = REPO_ROOT / ".local"
VENV_DIR = LOCAL_DIR / "localstack-venv"
EXECUTOR_SOURCE = Path(__file__).resolve().parent / "executor"
DEFAULT_LAMBDA_PYTHON = REPO_ROOT / ".venv" / "bin" / "python"

# Without these pins localstack-core 4.14.0 fails at start (see DESIGN.md, "Local runtime"). setuptools
# builds the executor package without pip downloading a build environment.
LOCALSTACK_REQUIREMENTS = (
    "localstack-core[runtime]==4.14.0",
    "cbor2<5.7",
    "cryptography==43.0.3",
    "pyopenssl==24.2.1",
    "service_identity<25",
    "setuptools>=68",
)
INSTALL_STEPS_VERSION = 2  # bump when ensure_installed() changes what it puts in the venv
MIN_LOCALSTACK_PYTHON = (3, 12)  # localstack-core 4.14 uses PEP 695 syntax despite its metadata

DEFAULT_PORT = 4566
PORT_ENV = "CUSTOMLABELS_LOCALSTACK_PORT"
LAMBDA_PYTHON_ENV = "CUSTOMLABELS_LAMBDA_PYTHON"
EXECUTOR_PLUGIN = "customlabels-host"
EXECUTOR_INFO_PATH = "/_customlabels/executor"
STAMP_NAME = ".customlabels-install-stamp"
# A FILESYSTEM_ROOT-shaped folder in the venv with files LocalStack would otherwise rebuild at the
# first request of every fresh instance (its service catalog: seconds of CPU); linked into each one.
PREBUILT_DIR_NAME = "customlabels-prebuilt"
STATIC_LIBS = Path("usr", "lib", "localstack")

# A LocalStack on this machine is never reached through the user's proxy.
_HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class LauncherError(RuntimeError):
    """LocalStack could not be installed, started or stopped; the message says why."""


@dataclasses.dataclass(frozen=True)
class Started:
    endpoint_url: str
    started_here: bool
    """False when an instance with the executor was already running (then ``stop`` is not ours to call)."""


@dataclasses.dataclass(frozen=True)
class Status:
    port: int
    endpoint_url: str
    healthy: bool
    has_executor: bool
    """The instance answering on the port has the customlabels-host executor selected."""
    lambda_python: str | None
    """The interpreter that instance runs Lambda handlers with."""
    pid: int | None
    """The process this launcher started on the port, if it is alive."""


@dataclasses.dataclass(frozen=True)
class _Files:
    """Everything one instance keeps under .local/, named by its port."""

    port: int

    @property
    def state_dir(self) -> Path:
        return LOCAL_DIR / f"localstack-{self.port}"

    @property
    def log(self) -> Path:
        return LOCAL_DIR / f"localstack-{self.port}.log"

    @property
    def pid(self) -> Path:
        return LOCAL_DIR / f"localstack-{self.port}.pid"

    @property
    def lock(self) -> Path:
        return LOCAL_DIR / f"localstack-{self.port}.lock"


def default_port() -> int:
    """$CUSTOMLABELS_LOCALSTACK_PORT, else 4566."""
    return int(os.environ.get(PORT_ENV) or DEFAULT_PORT)


def endpoint_url(port: int) -> str:
    return f"http://127.0.0.1:{port}"


# -- installing ------------------------------------------------------------------------------------


def install_fingerprint() -> str:
    """Hash of what the venv is built from: the requirements, the executor's sources, the steps."""
    digest = hashlib.sha256(f"{INSTALL_STEPS_VERSION}\n".encode())
    digest.update("\n".join(LOCALSTACK_REQUIREMENTS).encode())
    for path in sorted(_executor_files()):
        digest.update(str(path.relative_to(EXECUTOR_SOURCE)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _executor_files() -> Iterator[Path]:
    for path in EXECUTOR_SOURCE.rglob("*"):
        parts = path.relative_to(EXECUTOR_SOURCE).parts
        generated = any(part in ("__pycache__", "build") or part.endswith(".egg-info") for part in parts)
        if path.is_file() and not generated:
            yield path


def ensure_installed(venv_dir: Path = VENV_DIR) -> Path:
    """Make LocalStack's venv (pins and executor) current and return its interpreter.

    A no-op while the stamp in the venv matches ``install_fingerprint()``; otherwise it creates the
    venv if needed (on a Python >= 3.12 from PATH or ~/.pyenv), then pip-installs the requirements
    and the executor package into it. Safe to call from several processes at once.

    Raises:
        LauncherError: no suitable Python, or pip failed (the message has the end of pip's log).
    """
    python = venv_dir / "bin" / "python"
    stamp = venv_dir / STAMP_NAME
    fingerprint = install_fingerprint()
    if python.exists() and _read_text(stamp) == fingerprint:
        return python
    venv_dir.parent.mkdir(parents=True, exist_ok=True)
    with _locked(venv_dir.with_name(f"{venv_dir.name}.lock")):
        if python.exists() and _read_text(stamp) == fingerprint:
            return python
        log = venv_dir.with_name(f"{venv_dir.name}-install.log")
        if python.exists() and _python_version(python) < MIN_LOCALSTACK_PYTHON:
            shutil.rmtree(venv_dir)
        if not python.exists():
            _run_logged([str(find_localstack_python()), "-m", "venv", str(venv_dir)], log)
        pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check"]
        _run_logged([*pip, *LOCALSTACK_REQUIREMENTS], log)
        with tempfile.TemporaryDirectory() as scratch:
            # Built from a copy: pip builds in the source tree and would leave build/ and egg-info there.
            source = Path(scratch) / "executor"
            shutil.copytree(
                EXECUTOR_SOURCE, source, ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info")
            )
            # --force-reinstall: the version number does not change when the sources do.
            _run_logged([*pip, "--no-deps", "--no-build-isolation", "--force-reinstall", str(source)], log)
        _prebuild_service_catalog(python, venv_dir / PREBUILT_DIR_NAME, log)
        stamp.write_text(fingerprint)
    return python


def find_localstack_python() -> Path:
    """A Python >= 3.12: python3.13/python3.12/python3 on PATH, else the newest under ~/.pyenv/versions.

    Raises:
        LauncherError: there is none.
    """
    candidates = [found for name in ("python3.13", "python3.12", "python3") if (found := shutil.which(name))]
    pyenv = sorted(
        Path.home().glob(".pyenv/versions/3.*/bin/python3"),
        key=lambda path: tuple(int(part) for part in path.parts[-3].split(".") if part.isdigit()),
        reverse=True,
    )
    for candidate in [*candidates, *map(str, pyenv)]:
        with contextlib.suppress(OSError, subprocess.SubprocessError, ValueError):
            if _python_version(Path(candidate)) >= MIN_LOCALSTACK_PYTHON:
                return Path(candidate)
    raise LauncherError(
        "LocalStack 4.14 needs Python >= 3.12; none found on PATH or under ~/.pyenv/versions "
        "(install one, e.g. `pyenv install 3.13`)"
    )


def _python_version(python: Path) -> tuple[int, int]:
    out = subprocess.run(
        [str(python), "-c", "import sys; print(*sys.version_info[:2])"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout.split()
    return int(out[0]), int(out[1])


def _prebuild_service_catalog(python: Path, root: Path, log: Path) -> None:
    """Have LocalStack build its service catalog index once, where host mode looks for a prebuilt one."""
    shutil.rmtree(root, ignore_errors=True)
    (root / STATIC_LIBS).mkdir(parents=True)
    env = {**os.environ, "OVERRIDE_IN_DOCKER": "0", "FILESYSTEM_ROOT": str(root)}
    _run_logged([str(python), "-m", "localstack.aws.spec"], log, env=env)


def _run_logged(command: list[str], log: Path, env: dict[str, str] | None = None) -> None:
    with log.open("ab") as out:
        out.write(f"\n$ {' '.join(command)}\n".encode())
        out.flush()
        finished = subprocess.run(
            command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env
        )
    if finished.returncode != 0:
        raise LauncherError(
            f"`{' '.join(command)}` failed ({finished.returncode}); end of {log}:\n{_tail(log)}"
        )


# -- starting, inspecting, stopping ------------------------------------------------------------------


def start(
    port: int = DEFAULT_PORT,
    *,
    lambda_python: str | os.PathLike[str] | None = None,
    timeout_s: float = 90.0,
) -> Started:
    """Have LocalStack with the executor answer on 127.0.0.1:<port>, reusing one that already does.

    Args:
        port: the gateway port.
        lambda_python: the interpreter for Lambda handlers; default $CUSTOMLABELS_LAMBDA_PYTHON,
            else <repo>/.venv/bin/python.
        timeout_s: how long to wait for a new instance to become healthy.

    Raises:
        LauncherError: the port is taken by something else (including a LocalStack without the
            executor), the interpreter is missing, or LocalStack did not become healthy in time
            (the message has the end of its log).
    """
    venv_python = ensure_installed()
    handler_python = _lambda_python(lambda_python)
    files = _Files(port)
    url = endpoint_url(port)
    with _locked(files.lock):
        current = status(port)
        if current.healthy and current.has_executor:
            return Started(url, started_here=False)
        if current.healthy:
            raise LauncherError(
                f"A LocalStack without the {EXECUTOR_PLUGIN} Lambda executor answers on {url}; "
                f"stop it, or use another port (--port / ${PORT_ENV})"
            )
        if current.pid is not None:  # ours, but not answering: hung or half shut down
            _terminate(current.pid, port, timeout_s=10)
        if _port_taken(port):
            raise LauncherError(f"Port {port} is taken by a process that is not a LocalStack; choose another")
        process = _spawn(venv_python, port, handler_python, files)
        try:
            _wait_until_healthy(port, process, files, timeout_s)
        except BaseException:
            _terminate(process.pid, port, timeout_s=10)
            files.pid.unlink(missing_ok=True)
            raise
    return Started(url, started_here=True)


def status(port: int = DEFAULT_PORT) -> Status:
    """What answers on the port, and whether this launcher started it."""
    files = _Files(port)
    url = endpoint_url(port)
    healthy = _get_json(f"{url}/_localstack/health") is not None
    info = _get_json(f"{url}{EXECUTOR_INFO_PATH}") if healthy else None
    has_executor = bool(info and info.get("plugin") == EXECUTOR_PLUGIN and info.get("active") is True)
    lambda_python = str(info["lambda_python"]) if info and info.get("lambda_python") else None
    return Status(port, url, healthy, has_executor, lambda_python, _launched_pid(files))


def stop(port: int = DEFAULT_PORT, *, timeout_s: float = 30.0) -> bool:
    """Stop the instance this launcher started on the port, with every process it spawned.

    LocalStack gets SIGTERM (its shutdown stops the handler processes), then its process group gets
    SIGKILL, and this waits until the group is gone; its state folder goes too, its log stays. An
    instance started by anything else is never touched. Returns whether there was one to stop.
    """
    files = _Files(port)
    with _locked(files.lock):
        pid = _launched_pid(files)
        if pid is not None:
            _terminate(pid, port, timeout_s=timeout_s)
            shutil.rmtree(files.state_dir, ignore_errors=True)  # nothing persists; the log stays
        files.pid.unlink(missing_ok=True)
    return pid is not None


def _lambda_python(explicit: str | os.PathLike[str] | None) -> Path:
    python = Path(explicit or os.environ.get(LAMBDA_PYTHON_ENV) or DEFAULT_LAMBDA_PYTHON)
    if not os.access(python, os.X_OK):
        raise LauncherError(
            f"The Lambda handlers' interpreter {python} does not exist; create the project venv first "
            f"(or set ${LAMBDA_PYTHON_ENV})"
        )
    return python.absolute()  # not resolved: a venv's python must keep its venv path


def _localstack_environment(port: int, lambda_python: Path, files: _Files) -> dict[str, str]:
    # The caller's Python settings would break LocalStack's own interpreter; TMPDIR would override TMP.
    dropped = {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "TMPDIR"}
    env = {name: value for name, value in os.environ.items() if name not in dropped}
    env.update(
        GATEWAY_LISTEN=f"127.0.0.1:{port}",
        DNS_ADDRESS="0",
        SKIP_SSL_CERT_DOWNLOAD="1",
        DISABLE_EVENTS="1",
        # This machine looks like a container to LocalStack, which then keeps its files in
        # /var/lib/localstack and /tmp/localstack, shared by every instance; host mode puts them
        # under FILESYSTEM_ROOT instead.
        OVERRIDE_IN_DOCKER="0",
        FILESYSTEM_ROOT=str(files.state_dir / "filesystem"),
        # Lambda code is unpacked under tempfile.gettempdir(); keep it in this instance's folder.
        TMP=str(files.state_dir / "tmp"),
        LAMBDA_RUNTIME_EXECUTOR=EXECUTOR_PLUGIN,
        **{LAMBDA_PYTHON_ENV: str(lambda_python)},
    )
    # URLs LocalStack hands out (SQS queue URLs) must work here, where *.localhost.localstack.cloud
    # does not resolve.
    env.setdefault("LOCALSTACK_HOST", f"127.0.0.1:{port}")
    env.setdefault("SQS_ENDPOINT_STRATEGY", "path")
    # A handler's import counts towards environment startup; torch or onnxruntime on two CPU cores
    # can exceed LocalStack's default of 20 s.
    env.setdefault("LAMBDA_RUNTIME_ENVIRONMENT_TIMEOUT", "60")
    return env


def _spawn(venv_python: Path, port: int, lambda_python: Path, files: _Files) -> subprocess.Popen[bytes]:
    shutil.rmtree(files.state_dir, ignore_errors=True)  # no persistence: every start is a fresh cloud
    (files.state_dir / "tmp").mkdir(parents=True)
    static_libs = files.state_dir / "filesystem" / STATIC_LIBS
    static_libs.mkdir(parents=True)
    for prebuilt in (venv_python.parent.parent / PREBUILT_DIR_NAME / STATIC_LIBS).iterdir():
        (static_libs / prebuilt.name).symlink_to(prebuilt)
    with files.log.open("wb") as log:
        process = subprocess.Popen(
            [str(venv_python), "-m", "localstack.runtime.main"],
            env=_localstack_environment(port, lambda_python, files),
            cwd=files.state_dir,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            # Its own session and process group: it outlives the caller's terminal or test run, and
            # stop() can signal it together with every handler process it starts.
            start_new_session=True,
        )
    files.pid.write_text(f"{process.pid}\n")
    return process


def _wait_until_healthy(port: int, process: subprocess.Popen[bytes], files: _Files, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise LauncherError(
                f"LocalStack exited with code {process.returncode} while starting; end of {files.log}:\n"
                f"{_tail(files.log)}"
            )
        current = status(port)
        if current.healthy and current.has_executor:
            return
        time.sleep(0.1)
    raise LauncherError(
        f"LocalStack did not become healthy with the {EXECUTOR_PLUGIN} executor on {endpoint_url(port)} "
        f"within {timeout_s:.0f} s; end of {files.log}:\n{_tail(files.log)}"
    )


def _launched_pid(files: _Files) -> int | None:
    """The pid in the pid file if that process is alive and still the LocalStack we started."""
    try:
        pid = int(files.pid.read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        leads_its_group = os.getpgid(pid) == pid
    except (OSError, ValueError):
        return None
    # A recycled pid is some other program, or not the leader of the group we created.
    if b"localstack.runtime.main" not in cmdline or not leads_its_group or not _alive(pid):
        return None
    return pid


def _terminate(pid: int, port: int, *, timeout_s: float) -> None:
    """Stop the instance led by pid and every process in its group; return once they are all gone.

    SIGTERM first, so that LocalStack's shutdown stops its services (and so the handler processes).
    It closes its gateway only after that; from then on it just tears down its interpreter, which
    takes seconds of garbage collection and saves nothing, so the group gets SIGKILL at that point.
    """
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    _wait_for(lambda: not _alive(pid) or not _accepting(port), timeout_s)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
    _wait_for(lambda: not _alive(pid) and not _group_members(pid), 10.0)


def _accepting(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True
    return False


def _alive(pid: int) -> bool:
    # Reap it if it is our child, so that a zombie does not count as running.
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _group_members(pgid: int) -> list[int]:
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                members.append(int(stat.parent.name))
    return members


def _wait_for(condition: Callable[[], bool], timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _port_taken(port: int) -> bool:
    with socket.socket() as probe:
        # As servers do: connections of a stopped instance in TIME_WAIT do not make the port taken.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def _get_json(url: str) -> dict[str, object] | None:
    """The JSON object at url, or None if nothing answers there with one."""
    try:
        with _HTTP.open(url, timeout=2) as response:
            body = json.loads(response.read())
    except (OSError, ValueError, urllib.error.URLError):
        return None
    return body if isinstance(body, dict) else None


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text()
    except OSError:
        return None


def _tail(path: Path, lines: int = 40) -> str:
    text = _read_text(path) or ""
    return "\n".join(text.splitlines()[-lines:])


# -- command line -------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="launcher.py", description="LocalStack with host-process Lambdas, for customlabels development."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("install", help="create or update LocalStack's venv (a no-op when current)")
    for name, help_text in (
        ("start", "start LocalStack (or reuse the one with the executor on the port); prints its URL"),
        ("status", "say what answers on the port; exit 0 only if it has the executor"),
        ("stop", "stop the LocalStack this launcher started on the port"),
    ):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("--port", type=int, default=default_port(), help=f"default ${PORT_ENV} or 4566")
        if name == "start":
            command.add_argument(
                "--lambda-python", help=f"handlers' interpreter (default ${LAMBDA_PYTHON_ENV})"
            )
            command.add_argument("--timeout", type=float, default=90.0, help="seconds to wait for health")
    args = parser.parse_args(argv)

    began = time.monotonic()
    try:
        if args.command == "install":
            python = ensure_installed()
            print(f"LocalStack venv is current: {python} ({time.monotonic() - began:.1f} s)", file=sys.stderr)
        elif args.command == "start":
            started = start(args.port, lambda_python=args.lambda_python, timeout_s=args.timeout)
            how = "started" if started.started_here else "already running"
            print(
                f"LocalStack {how} ({time.monotonic() - began:.1f} s); log: {_Files(args.port).log}",
                file=sys.stderr,
            )
            print(started.endpoint_url)
        elif args.command == "status":
            current = status(args.port)
            print(json.dumps(dataclasses.asdict(current), indent=2))
            return 0 if current.healthy and current.has_executor else 1
        elif args.command == "stop":
            print("stopped" if stop(args.port) else f"no LocalStack started by this launcher on {args.port}")
    except LauncherError as error:
        print(f"launcher: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
