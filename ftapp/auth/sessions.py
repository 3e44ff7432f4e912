"""Server-side sessions: the cookie holds a random token, the store only its sha256.

A session ends when unused for ``FT_SESSION_IDLE_MINUTES`` or ``FT_SESSION_MAX_HOURS`` after
sign-in, whichever comes first. This module holds the rules, the database store, which store
a process uses (:func:`session_store`: Redis, :mod:`.redis_sessions`, when Reflex runs on
Redis, else the database), and what the app asks of it: starting a session after a sign-in
(token, password or SSO), who a Cookie header signs in, signing out, purging ended sessions.
Database work runs in a thread, so no method blocks the event loop. Tokens and their hashes
never appear in a log, a message or a repr: only :attr:`Identity.session_key` (16 hex digits
of the hash) does.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import secrets
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Protocol

import sqlalchemy as sa
import sqlmodel
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ftapp import database, log_format
from ftapp.auth import cookies
from ftapp.auth.cookies import session_token
from ftapp.auth.pages import SECURITY_HEADERS
from ftapp.auth.roles import Identity, parse_role
from ftapp.auth.throttle import client_address
from ftapp.guard.text import one_line
from ftapp.models import AuthSession, User
from ftapp.settings import Settings, current_settings

log = logging.getLogger(__name__)

Clock = Callable[[], float]
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{32,128}")
_CHECK_BATCH = 500  # bound parameters per query (SQLite allows a few thousand)


@dataclass(frozen=True)
class SessionPolicy:
    """How long sessions live (seconds)."""

    idle_seconds: int
    max_seconds: int

    @classmethod
    def from_settings(cls, settings: Settings) -> SessionPolicy:
        return cls(settings.session_idle_seconds, settings.session_max_seconds)

    @property
    def touch_interval(self) -> int:
        """Record use at most this often: idle expiry is that precise, writes stay rare."""
        return max(1, min(60, self.idle_seconds // 10))

    def is_over(self, *, last_seen_at: int, expires_at: int, now: int) -> bool:
        """True when the session ended (absolute end reached, or idle too long)."""
        return now >= expires_at or now - last_seen_at >= self.idle_seconds


def new_token() -> str:
    """A fresh session token: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """The stored form of a token (hex sha256). Never log it."""
    return hashlib.sha256(token.encode()).hexdigest()


def session_key_of(digest: str) -> str:
    """The non-secret session id shown in logs and used to bind per-tab state."""
    return digest[:16]


def well_formed(token: str | None) -> bool:
    """Cheap shape check before hashing anything a client sent."""
    return token is not None and _TOKEN_SHAPE.fullmatch(token) is not None


def digests_of(tokens: Collection[str]) -> dict[str, str]:
    """The stored form of each well-formed token among ``tokens``."""
    return {token: token_digest(token) for token in tokens if well_formed(token)}


class Account(Protocol):
    """What a session's identity is made of: a :class:`User`, or a row with its columns."""

    id: int | None
    username: str
    role: str
    disabled: bool
    access_version: int


_SESSIONS = AuthSession.__table__  # type: ignore[attr-defined]
_USERS = User.__table__  # type: ignore[attr-defined]
_SESSION_AND_ACCOUNT = (
    sa.select(
        _SESSIONS.c.last_seen_at,
        _SESSIONS.c.expires_at,
        _USERS.c.id,
        _USERS.c.username,
        _USERS.c.role,
        _USERS.c.disabled,
        _USERS.c.access_version,
    )
    .select_from(_SESSIONS.outerjoin(_USERS, _SESSIONS.c.user_id == _USERS.c.id))
    .where(_SESSIONS.c.id == sa.bindparam("digest"))
)
"""A session by its digest, with its account's columns (NULL when the account is gone)."""
ACCOUNT_BY_ID = sa.select(
    _USERS.c.id,
    _USERS.c.username,
    _USERS.c.role,
    _USERS.c.disabled,
    _USERS.c.access_version,
).where(_USERS.c.id == sa.bindparam("user_id"))
"""An account's columns that make an identity (sessions kept in Redis ask it every event)."""


def identity_of(user: Account | None, digest: str, expires_at: int) -> Identity | None:
    """The identity of a session of ``user``; None if the account is gone or disabled."""
    if user is None or user.disabled or user.id is None:
        return None
    role = parse_role(user.role)
    if role is None:
        log.error("User %s has an unknown role; refusing the session.", one_line(user.username))
        return None
    return Identity(
        user.id,
        user.username,
        role,
        session_key_of(digest),
        expires_at,
        access_version=user.access_version,
    )


class SessionStore(Protocol):
    """Where sessions live. Every method is safe to call on the event loop."""

    async def create(self, user_id: int) -> str:
        """Start a session for ``user_id``; returns the new token (for the cookie only)."""
        ...

    async def get(self, token: str) -> Identity | None:
        """Who the token signs in, or None (unknown, ended, user gone or disabled)."""
        ...

    async def check(self, tokens: Collection[str]) -> dict[str, Identity | None]:
        """Who each token signs in now, or None, in one round trip and without counting as
        use (the revocation sweep asks every few seconds for every open socket)."""
        ...

    async def revoke(self, token: str) -> bool:
        """End the token's session; True if there was one."""
        ...

    async def revoke_user(self, user_id: int) -> int:
        """End every session of a user; returns how many."""
        ...

    async def purge_expired(self) -> int:
        """Delete ended sessions; returns how many."""
        ...


class DbSessionStore:
    """Sessions in the ``auth_session`` table."""

    def __init__(self, policy: SessionPolicy, clock: Clock = time.time) -> None:
        self.policy = policy
        self._clock = clock

    def __repr__(self) -> str:
        return f"DbSessionStore({self.policy})"

    def _now(self) -> int:
        return int(self._clock())

    async def create(self, user_id: int) -> str:
        token = new_token()
        await database.in_thread(self._insert, token_digest(token), user_id)
        return token

    def _insert(self, digest: str, user_id: int) -> None:
        now = self._now()
        with database.session() as session:
            session.add(
                AuthSession(
                    id=digest,
                    user_id=user_id,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=now + self.policy.max_seconds,
                )
            )
            session.commit()

    async def get(self, token: str) -> Identity | None:
        if not well_formed(token):
            return None
        return await database.in_thread(self._get, token_digest(token))

    def _get(self, digest: str) -> Identity | None:
        # Every event asks this: one SQL query, without the ORM's per-object work.
        now = self._now()
        with database.engine().connect() as connection:
            found = connection.execute(_SESSION_AND_ACCOUNT, {"digest": digest}).first()
            if found is None:
                return None
            if self.policy.is_over(
                last_seen_at=found.last_seen_at, expires_at=found.expires_at, now=now
            ):
                connection.execute(sa.delete(_SESSIONS).where(_SESSIONS.c.id == digest))
                connection.commit()
                return None
            identity = identity_of(found, digest, found.expires_at)
            if identity is not None and now - found.last_seen_at >= self.policy.touch_interval:
                connection.execute(
                    sa.update(_SESSIONS).where(_SESSIONS.c.id == digest).values(last_seen_at=now)
                )
                connection.commit()
            return identity

    async def check(self, tokens: Collection[str]) -> dict[str, Identity | None]:
        digests = digests_of(tokens)
        found = await database.in_thread(self._check, sorted(set(digests.values())))
        return {token: found.get(digests.get(token, "")) for token in tokens}

    def _check(self, digests: list[str]) -> dict[str, Identity | None]:
        now, found = self._now(), {}
        with database.session() as session:
            for start in range(0, len(digests), _CHECK_BATCH):
                statement = (
                    sqlmodel.select(AuthSession, User)
                    .join(User, AuthSession.user_id == User.id)  # type: ignore[arg-type]
                    .where(AuthSession.id.in_(digests[start : start + _CHECK_BATCH]))  # type: ignore[attr-defined]
                )
                for row, user in session.exec(statement):
                    if not self.policy.is_over(
                        last_seen_at=row.last_seen_at, expires_at=row.expires_at, now=now
                    ):
                        found[row.id] = identity_of(user, row.id, row.expires_at)
        return found

    async def revoke(self, token: str) -> bool:
        if not well_formed(token):
            return False
        return await database.in_thread(self._delete, token_digest(token))

    def _delete(self, digest: str) -> bool:
        with database.session() as session:
            row = session.get(AuthSession, digest)
            if row is None:
                return False
            session.delete(row)
            session.commit()
            return True

    async def revoke_user(self, user_id: int) -> int:
        return await database.in_thread(self.revoke_user_now, user_id)

    def revoke_user_now(self, user_id: int) -> int:
        """:meth:`revoke_user`, blocking (for the CLI and account removal)."""
        with database.session() as session:
            statement = sqlmodel.delete(AuthSession).where(AuthSession.user_id == user_id)
            count = session.exec(statement).rowcount  # type: ignore[call-overload]
            session.commit()
            return count

    async def purge_expired(self) -> int:
        return await database.in_thread(self._purge)

    def _purge(self) -> int:
        now = self._now()
        with database.session() as session:
            statement = sqlmodel.delete(AuthSession).where(
                (AuthSession.expires_at <= now)  # type: ignore[operator]
                | (AuthSession.last_seen_at <= now - self.policy.idle_seconds)  # type: ignore[operator]
            )
            count = session.exec(statement).rowcount  # type: ignore[call-overload]
            session.commit()
            return count


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
            # Imported here: the Redis store builds on this module's policy and digests.
            from ftapp.auth.redis_sessions import RedisSessionStore

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


log = logging.getLogger(__name__)


async def start_session(
    request: Request, user: User, next_path: str, settings: Settings, *, method: str
) -> Response:
    """A fresh session for ``user`` (any session this browser had is ended first: no
    fixation), its cookie, and a 303 to ``next_path`` (already checked by the caller)."""
    assert user.id is not None
    store = session_store()
    if old := cookies.session_token(request.headers.get("cookie"), settings):
        await store.revoke(old)
    token = await store.create(user.id)
    response = RedirectResponse(next_path, status_code=303, headers=SECURITY_HEADERS)
    cookies.set_cookie(response, cookies.SESSION, token, settings.session_max_seconds, settings)
    log_format.bind(user=user.username)
    log.info(
        "Signed in %s (%s, role %s, session %s, from %s).",
        one_line(user.username),
        method,
        user.role,
        session_key_of(token_digest(token)),
        one_line(client_address(request.scope), 100),
        extra={"outcome": "ok"},
    )
    return response
