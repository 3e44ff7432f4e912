"""What one start of the app shares between all its worker processes: an id, the time it
started, and the sandbox key it publishes (when it publishes one).

``rxconfig.py`` calls :func:`mark_start` in the ``reflex run`` process before any worker
exists; every worker (forked or spawned, and a respawned one) inherits the variables. The
per-start access token is derived from the id, which is never stored (the database keeps only
its hash, see :mod:`ftapp.auth.access`), and the sign-in link expires counting from the time.
"""

from __future__ import annotations

import os
import secrets
import time

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
