"""What is settled before Reflex builds or serves anything (``rxconfig.py`` calls it): the
settings, read and checked once with a one-line answer when they are wrong, and one running
app per checkout.

Reflex compiles the frontend into the checkout's ``.web`` folder with the port it serves on;
a second ``reflex run`` from the same folder would rewrite it under the first one's pages.
So the first takes a lock on the folder and a second stops at once, saying why.

A start also hands its worker processes an id, the time it started, and the sandbox key it
publishes (when it publishes one): :func:`mark_start` sets them in the ``reflex run`` process
before any worker exists, and every worker (forked, spawned or respawned) inherits them. The
per-start access token is derived from the id, which is never stored (the database keeps only
its hash, see :mod:`ftapp.auth.access`); the sign-in link expires counting from the time.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import sys
import time
from pathlib import Path
from typing import IO, NoReturn

from ftapp.settings import Settings, SettingsError, current_settings

LOCK_NAME = ".ftapp-run.lock"
_held: IO[str] | None = None


def _stop(message: str) -> NoReturn:
    print(f"ftapp: {message}", file=sys.stderr, flush=True)
    raise SystemExit(2)


def settings_or_exit() -> Settings:
    """The settings; a bad or missing one stops the process with one line naming it."""
    try:
        return current_settings()
    except SettingsError as error:
        _stop(str(error))


def is_reflex_run(argv: list[str]) -> bool:
    """True in the ``reflex run`` process itself (not its workers, ``reflex db``, the CLI)."""
    return len(argv) > 1 and Path(argv[0]).name == "reflex" and argv[1] == "run"


def claim_checkout(project_root: Path, argv: list[str] | None = None) -> None:
    """In ``reflex run``: hold this checkout's lock for the life of the process, or stop with
    a clear line when another ftapp already runs from it."""
    global _held
    if not is_reflex_run(sys.argv if argv is None else argv) or _held is not None:
        return
    path = project_root / LOCK_NAME
    handle = path.open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        other = handle.read().strip() or "another process"
        handle.close()
        _stop(
            f"another ftapp is already running from {project_root} ({other}); stop it first, "
            "or run the second one from another clone (both would build into the same .web)."
        )
    handle.seek(0)
    handle.truncate()
    handle.write(f"process {os.getpid()}, port {_port(argv or sys.argv)}\n")
    handle.flush()
    _held = handle  # kept open: the lock lasts as long as this process


def _port(argv: list[str]) -> str:
    for flag in ("--frontend-port", "--backend-port"):
        if flag in argv and argv.index(flag) + 1 < len(argv):
            return argv[argv.index(flag) + 1]
    return os.environ.get("REFLEX_FRONTEND_PORT", "3000")


START_ID_ENV = "FTAPP_START_ID"
START_AT_ENV = "FTAPP_START_AT"
SANDBOX_KEY_ENV = "FTAPP_SANDBOX_KEY"
START_ENV = (START_ID_ENV, START_AT_ENV, SANDBOX_KEY_ENV)
"""Every variable a start hands to its workers (a test's own servers must not inherit them)."""


def mark_start() -> str:
    """This start's id: the inherited one, or a new one set in the environment for children
    (with the start time and a random sandbox key)."""
    os.environ.setdefault(START_AT_ENV, str(int(time.time())))
    os.environ.setdefault(SANDBOX_KEY_ENV, f"sandbox-{secrets.token_urlsafe(24)}")
    return os.environ.setdefault(START_ID_ENV, secrets.token_hex(16))


def start_id() -> str:
    """This start's id (made now if rxconfig.py did not run, e.g. in a test)."""
    return mark_start()


def started_at() -> float:
    """When this start began (seconds since the epoch)."""
    mark_start()
    return float(os.environ[START_AT_ENV])


def sandbox_key() -> str:
    """The random key this start's public sandbox accepts when none are configured."""
    mark_start()
    return os.environ[SANDBOX_KEY_ENV]
