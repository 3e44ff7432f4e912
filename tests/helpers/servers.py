"""Start and stop the real servers tests talk to: the standalone sandbox, the Reflex app and
redis-server.

Servers run as subprocesses in their own process group, so that stopping one also stops
what it started (Reflex does not stop on SIGTERM alone; see the README's testing notes).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

PROJECT_ROOT = Path(__file__).resolve().parents[2]
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

    def sign_in_cookie(self) -> str:
        """A fresh session, through the sign-in link, as the ``Cookie`` header value."""
        response = httpx.get(
            f"{self.url}/login", params={"token": ACCESS_TOKEN}, follow_redirects=False, timeout=10
        )
        assert response.status_code == 303, response.text
        return f"{SESSION_COOKIE}={response.cookies[SESSION_COOKIE]}"

    def password_cookie(self, username: str, password: str) -> str:
        """A fresh session through the sign-in form, as the ``Cookie`` header value."""
        with httpx.Client(base_url=self.url, timeout=10) as client:
            form = client.get("/login")
            csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
            assert csrf is not None, form.text
            response = client.post(
                "/login",
                data={"username": username, "password": password, "csrf": csrf.group(1)},
                headers={"origin": self.url},
            )
            assert response.status_code == 303, response.text
            return f"{SESSION_COOKIE}={response.cookies[SESSION_COOKIE]}"

    def sign_out(self, cookie: str) -> None:
        """Sign the session in ``cookie`` out, as the header's Sign out button does."""
        response = httpx.post(
            f"{self.url}/logout", headers={"cookie": cookie, "origin": self.url}, timeout=10
        )
        assert response.status_code == 303, response.text

    @property
    def db_url(self) -> str:
        """The app database (accounts, sessions, the activity log)."""
        return self.env["REFLEX_DB_URL"]

    def run_cli(
        self, *args: str, stdin: str = "", env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run ``ftapp ARGS`` against this app's database, as an operator would (``env``: more
        settings, e.g. the keys the CLI's own embedded sandbox accepts)."""
        return subprocess.run(
            [sys.executable, "-m", "ftapp.cli", *args],
            cwd=PROJECT_ROOT,
            env=base_env(
                {"REFLEX_DB_URL": self.db_url, **self._secrets_for_the_cli(), **(env or {})}
            ),
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
        )

    def _secrets_for_the_cli(self) -> dict[str, str]:
        """What the CLI must share with the app to read its stored workspaces' keys."""
        return {name: self.env[name] for name in ("FT_KEYS_SECRET",) if name in self.env}

    def activity_lines(self, job_name: str) -> list[str]:
        """The activity log's lines about jobs named ``job_name``, as "<name> <outcome>"."""
        import sqlalchemy as sa

        engine = sa.create_engine(self.db_url)
        try:
            with engine.connect() as connection:
                rows = connection.execute(
                    sa.text("SELECT job_name, outcome FROM activity WHERE job_name = :name"),
                    {"name": job_name},
                ).all()
        finally:
            engine.dispose()
        return [f"{name} {outcome}" for name, outcome in rows]

    def memory_bytes(self) -> int:
        """Resident memory of every process the server runs (its process group)."""
        return group_memory_bytes(self.process.pid)

    def stop(self, grace_seconds: float = 5.0) -> None:
        """SIGTERM the process group, then SIGKILL whatever is left after the grace period."""
        if self.process.poll() is None:
            _signal_group(self.process.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=grace_seconds)
        # Whether or not the leader went, no child (node, workers) may outlive it.
        _signal_group(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=5)


def _spawn(
    args: list[str], env: dict[str, str], log_path: Path, url: str, cwd: Path = PROJECT_ROOT
) -> ServerProcess:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log_file = log_path.open("w")
    process = subprocess.Popen(
        args,
        cwd=cwd,
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


ACCESS_TOKEN = "test-access-token-for-browser-tests"
"""The sign-in token of every app the tests start (``FT_ACCESS_TOKEN``)."""
SESSION_COOKIE = "ftapp_session"
KEYS_SECRET = "test-keys-secret-for-the-apps-tests-start-0123456789"
"""``FT_KEYS_SECRET`` of every app the tests start (unless their env says otherwise): stored
workspaces' keys are encrypted under it, and no ``data/keys.secret`` is written into the
checkout."""
SANDBOX_DRIVER_KEY = "test-sandbox-driver-key"
"""The key tests call an app's embedded sandbox with, from outside (the demo workspace with
every permission): the apps they start serve it (``FT_SANDBOX_PUBLIC=1``) with this key
configured, since the published demo keys work only in-process."""


def with_sandbox_driver(env: dict[str, str]) -> dict[str, str]:
    """``env`` with the embedded sandbox served to the tests under :data:`SANDBOX_DRIVER_KEY`
    (unless the app uses another API, or ``env`` says ``FT_SANDBOX_PUBLIC``)."""
    if env.get("FT_API_BASE_URL") or "FT_SANDBOX_PUBLIC" in env:
        return env
    keys = json.loads(env.get("FT_SANDBOX_KEYS") or "{}")
    keys[SANDBOX_DRIVER_KEY] = {"workspace": "demo", "seed": True}
    return {**env, "FT_SANDBOX_PUBLIC": "1", "FT_SANDBOX_KEYS": json.dumps(keys)}


def base_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a server: ours, minus any ftapp settings (and this test run's own
    start's variables and app database), plus ``extra``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("FT_", "FTAPP_"))
        and k not in ("REFLEX_DB_URL", "PROMETHEUS_MULTIPROC_DIR")
    }
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env["REFLEX_CHECK_LATEST_VERSION"] = "0"
    env["REFLEX_USE_NPM"] = "1"
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONMALLOC"] = "malloc"  # as `make run` starts the app
    env.update(extra or {})
    return env


def start_app(
    env: dict[str, str],
    log_path: Path,
    *,
    port: int | None = None,
    timeout_seconds: float = 300,
    checkout: Path = PROJECT_ROOT,
    own_database: bool = True,
) -> ServerProcess:
    """Start the Reflex app of ``checkout`` in production mode on one free port; wait until it
    serves pages.

    Unless ``env`` says otherwise, the app signs people in with :data:`ACCESS_TOKEN`, is
    reached at ``http://127.0.0.1:<port>`` (its public URL), encrypts stored workspaces' keys
    under :data:`KEYS_SECRET`, serves no metrics port (apps of parallel tests would contend
    for one), and keeps its accounts in a
    database of its own beside its log (``own_database=False``: where rxconfig.py puts it).
    """
    port = port or free_port()
    database = {}
    if own_database:
        database = {"REFLEX_DB_URL": f"sqlite:///{log_path.with_suffix('.db').resolve()}"}
        log_path.with_suffix(".db").unlink(missing_ok=True)
    env = with_sandbox_driver(
        {
            "FT_ACCESS_TOKEN": ACCESS_TOKEN,
            "FT_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "FT_KEYS_SECRET": KEYS_SECRET,
            "FT_METRICS_PORT": "0",
            **database,
            **env,
        }
    )
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
        checkout,
    )
    wait_until_up(server, "/ping", timeout_seconds)
    wait_until_up(server, "/login", 60)
    return server


# --- the standalone sandbox ---------------------------------------------------------

STARTUP_TIMEOUT_SECONDS = 20.0
STOP_GRACE_SECONDS = 5.0
_START_ATTEMPTS = 3  # a port picked as free can be taken before the sandbox binds it


class SandboxStartError(RuntimeError):
    """The sandbox process exited or never answered /api/health."""


class SandboxProcess:
    """One standalone sandbox process and how to reach, stop and restart it."""

    def __init__(
        self, *, db_path: Path, log_dir: Path, speed: float, env: Mapping[str, str]
    ) -> None:
        self.db_path = db_path
        self.log_dir = log_dir
        self.speed = speed
        self.extra_env = dict(env)
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def jobs_named(self, name: str) -> int:
        """How many jobs of the demo workspace are named ``name``."""
        from ftapp.settings import SANDBOX_DEMO_KEY

        listed = httpx.get(
            self.api_url + "/jobs", headers={"x-api-key": SANDBOX_DEMO_KEY}, timeout=10
        ).json()["jobs"]
        return sum(job["name"] == name for job in listed)

    # --- addresses ----------------------------------------------------------------------

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """The base URL of the contract's paths, e.g. ``http://127.0.0.1:PORT/api``."""
        return f"{self.origin}/api"

    # --- lifecycle ----------------------------------------------------------------------

    def _environment(self) -> dict[str, str]:
        return base_env(self.extra_env)

    def start(self, port: int | None = None) -> SandboxProcess:
        """Start the process and wait for /api/health; retries on another port if needed."""
        if self.process is not None:
            raise RuntimeError("the sandbox is already running")
        last_error: SandboxStartError | None = None
        for attempt in range(_START_ATTEMPTS):
            self.port = port if (port is not None and attempt == 0) else free_port()
            try:
                self._spawn_and_wait()
                return self
            except SandboxStartError as exc:
                last_error = exc
                self.stop()
        assert last_error is not None
        raise last_error

    def _spawn_and_wait(self) -> None:
        self.starts += 1
        log_path = self.log_dir / f"sandbox-{self.port}-{self.starts}.log"
        command = [
            sys.executable,
            "-m",
            "ftapp.sandbox",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--db",
            str(self.db_path),
            "--speed",
            str(self.speed),
        ]
        with log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                cwd=PROJECT_ROOT,
                env=self._environment(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        with httpx.Client(timeout=1.0) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise SandboxStartError(
                        f"the sandbox exited with {self.process.returncode}:\n{_tail(log_path)}"
                    )
                try:
                    response = client.get(f"{self.api_url}/health")
                    if response.status_code == 200 and response.json() == {"status": "ok"}:
                        return
                except (httpx.HTTPError, ValueError):
                    pass
                time.sleep(0.05)
        raise SandboxStartError(
            f"the sandbox did not answer /api/health within {STARTUP_TIMEOUT_SECONDS}s:\n"
            f"{_tail(log_path)}"
        )

    def stop(self) -> None:
        """Stop the whole process group: SIGTERM, then SIGKILL after a grace period."""
        process, self.process = self.process, None
        if process is None:
            return
        # Signal only while the leader is not reaped: its pid (the group id) is still ours.
        if process.poll() is None:
            _signal_group(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                _signal_group(process.pid, signal.SIGKILL)
                process.wait(timeout=STOP_GRACE_SECONDS)

    def restart(self, *, same_port: bool = True) -> SandboxProcess:
        """Stop the process and start a new one on the same database (and port, if free)."""
        port = self.port if same_port else None
        self.stop()
        return self.start(port)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


def processes_in_group(pgid: int) -> Iterator[tuple[Path, list[str]]]:
    """Each process of process group ``pgid``: its ``/proc`` folder and the fields of its
    ``stat`` after the command name (which may hold spaces): state, ppid, pgrp, ... utime
    (index 11), stime (12)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) != pgid:
                continue
        except (OSError, ValueError, IndexError):  # gone meanwhile, or not a process
            continue
        yield entry, fields


def resident_bytes(entry: Path) -> int:
    """The resident set size of the process of ``/proc`` folder ``entry`` (0 once it is gone)."""
    try:
        for line in (entry / "status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def group_memory_bytes(pgid: int) -> int:
    """The summed resident set size of the processes in process group ``pgid``."""
    return sum(resident_bytes(entry) for entry, _fields in processes_in_group(pgid))


def outside_address() -> str | None:
    """An address of this machine that is not loopback, if it has one (to show a server
    listens on loopback only)."""
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))  # no packet is sent: picks the outgoing interface
        address = probe.getsockname()[0]
        if not address.startswith("127."):
            return address
    return None


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)


def _tail(path: Path, limit: int = 4000) -> str:
    try:
        return path.read_text(errors="replace")[-limit:]
    except OSError:
        return "<no log>"


class SandboxLauncher:
    """Starts sandboxes whose files live in ``directory`` and stops them all at the end."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.started: list[SandboxProcess] = []

    def __call__(
        self,
        *,
        speed: float = 1.0,
        env: Mapping[str, str] | None = None,
        keys: Mapping[str, Any] | None = None,
        db_path: Path | None = None,
    ) -> SandboxProcess:
        extra = dict(env or {})
        if keys is not None:
            extra["FT_SANDBOX_KEYS"] = json.dumps(keys)
        sandbox = SandboxProcess(
            db_path=db_path or self.directory / f"sandbox-{len(self.started)}.db",
            log_dir=self.directory,
            speed=speed,
            env=extra,
        )
        self.started.append(sandbox)
        return sandbox.start()

    def stop_all(self) -> None:
        for sandbox in self.started:
            sandbox.stop()


# --- redis-server ---------------------------------------------------------------------

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


@dataclass
class RedisProcess:
    """A throwaway redis-server on loopback, files in its own folder: no persistence, or with
    ``persistent`` an append-only file written at every command (what a restart keeps)."""

    process: subprocess.Popen
    port: int
    directory: Path
    persistent: bool = False

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def stop(self) -> None:
        """Stop it (SIGTERM, then SIGKILL after a grace period)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=STOP_GRACE_SECONDS)

    def restart(self, timeout_seconds: float = 10.0) -> None:
        """Start it again on the same port and folder (stopping it first if it runs): empty,
        or, when ``persistent``, with what it had written."""
        self.stop()
        self.process = _spawn_redis(self.port, self.directory, self.persistent)
        _wait_for_redis(self, timeout_seconds)


def _spawn_redis(port: int, directory: Path, persistent: bool) -> subprocess.Popen:
    persistence = ["--appendonly", "yes", "--appendfsync", "always"] if persistent else []
    persistence = persistence or ["--appendonly", "no"]
    return subprocess.Popen(
        [
            REDIS_SERVER,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            *persistence,
            "--dir",
            str(directory),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )


def _wait_for_redis(server: RedisProcess, timeout_seconds: float) -> None:
    deadline = time.monotonic() + timeout_seconds
    while True:
        try:
            with socket.create_connection(("127.0.0.1", server.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(64).startswith(b"+PONG"):
                    return
        except OSError:
            pass
        if server.process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"redis-server did not start on port {server.port}")
        time.sleep(0.05)


def start_redis(
    directory: Path, timeout_seconds: float = 10.0, *, persistent: bool = False
) -> RedisProcess:
    """Start redis-server on a free loopback port, in ``directory``; wait until it answers."""
    if not Path(REDIS_SERVER).exists():
        raise RuntimeError(
            "redis-server not found: install it with 'apt-get install -y redis-server'"
        )
    directory.mkdir(parents=True, exist_ok=True)
    port = free_port()
    server = RedisProcess(_spawn_redis(port, directory, persistent), port, directory, persistent)
    _wait_for_redis(server, timeout_seconds)
    return server
