"""The secret key: ``FT_SECRET_KEY``, or one generated once and kept in the app database.

Every worker and every restart must share it (it signs the OIDC transaction cookie that
another worker may read, and derives the per-start access token), so a generated key is
stored in ``server_secret``; the first process to need it inserts it, the others read it.
"""

from __future__ import annotations

import secrets
import threading
import time

import sqlalchemy.exc

from ftapp.auth import db
from ftapp.auth.models import ServerSecret
from ftapp.settings import Settings

SECRET_KEY_NAME = "secret_key"
_cache: dict[str, bytes] = {}
_cache_lock = threading.Lock()


def secret_key(settings: Settings) -> bytes:
    """The secret key (blocking on first use when it lives in the database)."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value().encode()
    url = db.database_url()
    with _cache_lock:
        if url not in _cache:
            _cache[url] = _stored_or_new().encode()
        return _cache[url]


async def secret_key_async(settings: Settings) -> bytes:
    """:func:`secret_key` without blocking the event loop."""
    return await db.in_thread(secret_key, settings)


def forget_cached_keys() -> None:
    """Drop the per-process cache (tests switch databases)."""
    with _cache_lock:
        _cache.clear()


def _stored_or_new() -> str:
    with db.session() as session:
        if (row := session.get(ServerSecret, SECRET_KEY_NAME)) is not None:
            return row.value
        session.add(
            ServerSecret(
                name=SECRET_KEY_NAME, value=secrets.token_urlsafe(48), created_at=int(time.time())
            )
        )
        try:
            session.commit()
        except sqlalchemy.exc.IntegrityError:
            session.rollback()  # another worker inserted it first: use theirs
    with db.session() as session:
        row = session.get(ServerSecret, SECRET_KEY_NAME)
        assert row is not None
        return row.value
