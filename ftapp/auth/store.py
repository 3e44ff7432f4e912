"""The process's session store (Redis when Reflex runs on Redis, else the database), and
what the app asks of it: who a Cookie header signs in, signing out, purging ended sessions."""

from __future__ import annotations

import asyncio
import logging
import threading

from ftapp.auth.cookies import session_token
from ftapp.auth.identity import Identity
from ftapp.auth.redis_sessions import RedisSessionStore
from ftapp.auth.sessions import DbSessionStore, SessionPolicy, SessionStore
from ftapp.guard.text import one_line
from ftapp.settings import current_settings

log = logging.getLogger(__name__)

_store: SessionStore | None = None
_store_lock = threading.Lock()


def redis_url() -> str | None:
    """Reflex's Redis URL (``REFLEX_REDIS_URL``, read through the settings), if it uses Redis."""
    url = current_settings().redis_url
    return url.get_secret_value() if url is not None else None


def session_store() -> SessionStore:
    """The process's session store (Redis when Reflex uses Redis, else the database)."""
    global _store
    with _store_lock:
        if _store is None:
            policy = SessionPolicy.from_settings(current_settings())
            url = redis_url()
            _store = RedisSessionStore(url, policy) if url else DbSessionStore(policy)
        return _store


def use_session_store(store: SessionStore | None) -> None:
    """Replace the process's store (None: build it again from the settings on next use)."""
    global _store
    with _store_lock:
        _store = store


async def identity_from_cookie_header(cookie_header: str | None) -> Identity | None:
    """Who the session cookie in a raw Cookie header signs in, or None."""
    token = session_token(cookie_header, current_settings())
    return await session_store().get(token) if token else None


async def sign_out(cookie_header: str | None) -> bool:
    """End the session whose cookie is in ``cookie_header`` (e.g. ``state.router.headers.cookie``
    in a Reflex event handler); True if one was ended. Then send the browser to
    ``/signed-out``, which clears the dead cookie."""
    token = session_token(cookie_header, current_settings())
    if not token:
        return False
    identity = await session_store().get(token)
    ended = await session_store().revoke(token)
    if identity is not None:
        log.info("Signed out %s (session %s).", one_line(identity.username), identity.session_key)
    return ended


async def purge_sessions_periodically(interval_seconds: float = 3600.0) -> None:
    """Delete ended sessions now and then, forever (an async Reflex lifespan task)."""
    while True:
        try:
            if purged := await session_store().purge_expired():
                log.info("Deleted %d ended sessions.", purged)
        except Exception:
            log.exception("Could not delete ended sessions.")
        await asyncio.sleep(interval_seconds)
