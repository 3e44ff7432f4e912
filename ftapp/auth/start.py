"""One id per start of the app, shared by all its worker processes.

``rxconfig.py`` calls :func:`mark_start` in the ``reflex run`` process before any worker
exists; every worker (forked or spawned, and a respawned one) inherits the variable. The
per-start access token is derived from this id, and the sign-in link is announced once per id.
"""

from __future__ import annotations

import os
import secrets

START_ID_ENV = "FTAPP_START_ID"


def mark_start() -> str:
    """This start's id: the inherited one, or a new one set in the environment for children."""
    return os.environ.setdefault(START_ID_ENV, secrets.token_hex(16))


def start_id() -> str:
    """This start's id (made now if rxconfig.py did not run, e.g. in a test)."""
    return mark_start()
