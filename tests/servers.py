"""Start and stop the real servers tests talk to: the standalone sandbox and the Reflex app.

Servers run as subprocesses in their own process group, so that stopping one also stops
what it started (Reflex does not stop on SIGTERM alone; see the README's testing notes).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    """A TCP port on loopback that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ServerProcess:
    """A server subprocess, its base URL and its log file."""

    process: subprocess.Popen
    url: str
    log_path: Path
    env: dict[str, str] = field(repr=False, default_factory=dict)

    def log(self) -> str:
        """What the server printed so far."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self, grace_seconds: float = 5.0) -> None:
        """SIGTERM the process group, then SIGKILL whatever is left after the grace period."""
        pgid = self.process.pid  # start_new_session made it the group leader
        try:
            os.killpg(pgid, signal.SIGTERM)
        except ProcessLookupError:
            return
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=grace_seconds)
        # Whether or not the leader went, no child (node, workers) may outlive it.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
        self.process.wait(timeout=5)


def _spawn(args: list[str], env: dict[str, str], log_path: Path, url: str) -> ServerProcess:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log_file = log_path.open("w")
    process = subprocess.Popen(
        args,
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    log_file.close()
    return ServerProcess(process=process, url=url, log_path=log_path, env=env)


def wait_until_up(server: ServerProcess, path: str, timeout_seconds: float) -> None:
    """Poll ``server.url + path`` until it answers 200; fail with the server's log if not."""
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{server.log()[-4000:]}")
        try:
            if httpx.get(server.url + path, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    server.stop()
    raise RuntimeError(f"server not up after {timeout_seconds}s:\n{server.log()[-4000:]}")


def base_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a server: ours, minus any ftapp settings, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FT_")}
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env["REFLEX_CHECK_LATEST_VERSION"] = "0"
    env["REFLEX_USE_NPM"] = "1"
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra or {})
    return env


def start_sandbox(
    db_path: Path,
    *,
    speed: float = 1.0,
    port: int | None = None,
    env: dict[str, str] | None = None,
    log_path: Path | None = None,
) -> ServerProcess:
    """Start ``python -m ftapp.sandbox`` on loopback and wait until it is healthy."""
    port = port or free_port()
    server = _spawn(
        [
            sys.executable,
            "-m",
            "ftapp.sandbox",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--db",
            str(db_path),
            "--speed",
            str(speed),
        ],
        base_env(env),
        log_path or db_path.with_suffix(".log"),
        f"http://127.0.0.1:{port}/api",
    )
    wait_until_up(server, "/health", 30)
    return server


def start_app(
    env: dict[str, str], log_path: Path, *, port: int | None = None, timeout_seconds: float = 300
) -> ServerProcess:
    """Start the Reflex app in production mode on one free port; wait until it serves pages."""
    port = port or free_port()
    server = _spawn(
        [
            str(VENV_BIN / "reflex"),
            "run",
            "--env",
            "prod",
            "--single-port",
            "--frontend-port",
            str(port),
            "--backend-port",
            str(port),
            "--loglevel",
            "info",
        ],
        base_env(env),
        log_path,
        f"http://127.0.0.1:{port}",
    )
    wait_until_up(server, "/ping", timeout_seconds)
    wait_until_up(server, "/", 60)
    return server
