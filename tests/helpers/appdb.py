"""The app database (accounts, sessions, the activity log) for tests: a migrated SQLite file
per test, made by copying one migrated once per session."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from reflex_base.config import reload_config

from ftapp import database, settings
from ftapp.auth import access, oidc, sessions


def reset_caches() -> None:
    """Forget everything sign-in caches per process (settings, store, keys, SSO clients), and
    the memberships read from the previous database."""
    from ftapp.services import membership

    settings.use_settings(None)
    sessions.use_session_store(None)
    access.forget_cached_keys()
    oidc.reset()
    membership.forget_memberships()


@contextlib.contextmanager
def use_database(url: str) -> Iterator[str]:
    """Point Reflex's config (and so ftapp.database) at ``url`` for the ``with`` block."""
    saved = {name: os.environ.get(name) for name in ("REFLEX_DB_URL", "REFLEX_REDIS_URL")}
    os.environ["REFLEX_DB_URL"] = url
    os.environ.pop("REFLEX_REDIS_URL", None)
    reset_caches()  # first: rxconfig.py reads ftapp's settings when Reflex reloads it
    reload_config()
    try:
        yield url
    finally:
        reset_caches()
        database.dispose_engines()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        settings.use_settings(None)
        reload_config()
