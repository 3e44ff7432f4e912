"""Server-side sessions: the cookie holds a random token, the store only its sha256.

A session ends when unused for ``FT_SESSION_IDLE_MINUTES`` or ``FT_SESSION_MAX_HOURS`` after
sign-in, whichever comes first. The store is a database table, or Redis (a key with a TTL)
when Reflex runs on Redis (``REFLEX_REDIS_URL``). Database work runs in a thread, so no
method blocks the event loop. Tokens and their hashes never appear in a log, a message or a
repr: only :attr:`Identity.session_key` (16 hex digits of the hash) does.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import sqlmodel
from reflex_base.config import get_config

from ftapp.auth import db
from ftapp.auth.config import auth_settings
from ftapp.auth.cookies import session_token
from ftapp.auth.identity import Identity
from ftapp.auth.models import AuthSession, User
from ftapp.auth.roles import parse_role
from ftapp.settings import Settings

log = logging.getLogger(__name__)

Clock = Callable[[], float]
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{32,128}")


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


def _identity(user: User | None, digest: str, expires_at: int) -> Identity | None:
    if user is None or user.disabled or user.id is None:
        return None
    role = parse_role(user.role)
    if role is None:
        log.error("User %s has an unknown role; refusing the session.", user.username)
        return None
    return Identity(user.id, user.username, role, session_key_of(digest), expires_at)


class SessionStore(Protocol):
    """Where sessions live. Every method is safe to call on the event loop."""

    async def create(self, user_id: int) -> str:
        """Start a session for ``user_id``; returns the new token (for the cookie only)."""
        ...

    async def get(self, token: str) -> Identity | None:
        """Who the token signs in, or None (unknown, ended, user gone or disabled)."""
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
        await db.in_thread(self._insert, token_digest(token), user_id)
        return token

    def _insert(self, digest: str, user_id: int) -> None:
        now = self._now()
        with db.session() as session:
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
        return await db.in_thread(self._get, token_digest(token))

    def _get(self, digest: str) -> Identity | None:
        now = self._now()
        with db.session() as session:
            row = session.get(AuthSession, digest)
            if row is None:
                return None
            if self.policy.is_over(
                last_seen_at=row.last_seen_at, expires_at=row.expires_at, now=now
            ):
                session.delete(row)
                session.commit()
                return None
            identity = _identity(session.get(User, row.user_id), digest, row.expires_at)
            if identity is not None and now - row.last_seen_at >= self.policy.touch_interval:
                row.last_seen_at = now
                session.add(row)
                session.commit()
            return identity

    async def revoke(self, token: str) -> bool:
        if not well_formed(token):
            return False
        return await db.in_thread(self._delete, token_digest(token))

    def _delete(self, digest: str) -> bool:
        with db.session() as session:
            row = session.get(AuthSession, digest)
            if row is None:
                return False
            session.delete(row)
            session.commit()
            return True

    async def revoke_user(self, user_id: int) -> int:
        return await db.in_thread(self.revoke_user_now, user_id)

    def revoke_user_now(self, user_id: int) -> int:
        """:meth:`revoke_user`, blocking (for the CLI and account removal)."""
        with db.session() as session:
            statement = sqlmodel.delete(AuthSession).where(AuthSession.user_id == user_id)
            count = session.exec(statement).rowcount  # type: ignore[call-overload]
            session.commit()
            return count

    async def purge_expired(self) -> int:
        return await db.in_thread(self._purge)

    def _purge(self) -> int:
        now = self._now()
        with db.session() as session:
            statement = sqlmodel.delete(AuthSession).where(
                (AuthSession.expires_at <= now)  # type: ignore[operator]
                | (AuthSession.last_seen_at <= now - self.policy.idle_seconds)  # type: ignore[operator]
            )
            count = session.exec(statement).rowcount  # type: ignore[call-overload]
            session.commit()
            return count


class RedisSessionStore:
    """Sessions in Redis: ``<prefix>session:<sha256>`` holds the record, with a TTL that ends
    it when idle; ``<prefix>user:<id>`` lists a user's sessions (to end them all at once).
    Expiry is also checked against the record, so Redis and the database behave the same."""

    def __init__(
        self,
        url: str,
        policy: SessionPolicy,
        clock: Clock = time.time,
        prefix: str = "ftapp:auth:",
    ) -> None:
        self.policy = policy
        self._url = url
        self._clock = clock
        self._prefix = prefix
        self._client: Any = None
        self._client_loop: asyncio.AbstractEventLoop | None = None

    def __repr__(self) -> str:
        return f"RedisSessionStore({self.policy})"

    def _redis(self) -> Any:
        # A redis.asyncio client belongs to the loop that made it (the CLI runs its own).
        loop = asyncio.get_running_loop()
        if self._client is None or self._client_loop is not loop:
            import redis.asyncio

            self._client = redis.asyncio.Redis.from_url(self._url)
            self._client_loop = loop
        return self._client

    def _now(self) -> int:
        return int(self._clock())

    def _key(self, digest: str) -> str:
        return f"{self._prefix}session:{digest}"

    def _user_key(self, user_id: int) -> str:
        return f"{self._prefix}user:{user_id}"

    def _ttl(self, record: dict[str, int], now: int) -> int:
        return max(1, min(self.policy.idle_seconds, record["expires_at"] - now))

    async def create(self, user_id: int) -> str:
        token, now = new_token(), self._now()
        digest = token_digest(token)
        record = {
            "user_id": user_id,
            "created_at": now,
            "last_seen_at": now,
            "expires_at": now + self.policy.max_seconds,
        }
        client = self._redis()
        async with client.pipeline(transaction=True) as pipe:
            pipe.set(self._key(digest), json.dumps(record), ex=self._ttl(record, now))
            pipe.sadd(self._user_key(user_id), digest)
            pipe.expire(self._user_key(user_id), self.policy.max_seconds)
            await pipe.execute()
        return token

    async def get(self, token: str) -> Identity | None:
        if not well_formed(token):
            return None
        digest, now = token_digest(token), self._now()
        client = self._redis()
        raw = await client.get(self._key(digest))
        if raw is None:
            return None
        record = json.loads(raw)
        if self.policy.is_over(
            last_seen_at=record["last_seen_at"], expires_at=record["expires_at"], now=now
        ):
            await self._forget(digest, record["user_id"])
            return None
        identity = await db.in_thread(self._load_identity, record["user_id"], digest, record)
        if identity is not None and now - record["last_seen_at"] >= self.policy.touch_interval:
            record["last_seen_at"] = now
            await client.set(self._key(digest), json.dumps(record), ex=self._ttl(record, now))
        return identity

    @staticmethod
    def _load_identity(user_id: int, digest: str, record: dict[str, int]) -> Identity | None:
        with db.session() as session:
            return _identity(session.get(User, user_id), digest, record["expires_at"])

    async def _forget(self, digest: str, user_id: int) -> None:
        client = self._redis()
        async with client.pipeline(transaction=True) as pipe:
            pipe.delete(self._key(digest))
            pipe.srem(self._user_key(user_id), digest)
            await pipe.execute()

    async def revoke(self, token: str) -> bool:
        if not well_formed(token):
            return False
        digest = token_digest(token)
        raw = await self._redis().get(self._key(digest))
        if raw is None:
            return False
        await self._forget(digest, json.loads(raw)["user_id"])
        return True

    async def revoke_user(self, user_id: int) -> int:
        client = self._redis()
        digests = await client.smembers(self._user_key(user_id))
        keys = [self._key(d.decode() if isinstance(d, bytes) else d) for d in digests]
        removed = await client.delete(*keys) if keys else 0
        await client.delete(self._user_key(user_id))
        return int(removed)

    async def purge_expired(self) -> int:
        return 0  # Redis drops idle sessions itself (TTL); ended ones are dropped when read

    async def close(self) -> None:
        """Close the connection pool (tests)."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None


_store: SessionStore | None = None
_store_lock = threading.Lock()


def redis_url() -> str | None:
    """Reflex's Redis URL (``REFLEX_REDIS_URL`` / ``rx.Config.redis_url``), if it uses Redis."""
    return get_config().redis_url or None


def session_store() -> SessionStore:
    """The process's session store (Redis when Reflex uses Redis, else the database)."""
    global _store
    with _store_lock:
        if _store is None:
            policy = SessionPolicy.from_settings(auth_settings())
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
    token = session_token(cookie_header, auth_settings())
    return await session_store().get(token) if token else None


async def sign_out(cookie_header: str | None) -> bool:
    """End the session whose cookie is in ``cookie_header`` (e.g. ``state.router.headers.cookie``
    in a Reflex event handler); True if one was ended. Then send the browser to
    ``/signed-out``, which clears the dead cookie."""
    token = session_token(cookie_header, auth_settings())
    if not token:
        return False
    identity = await session_store().get(token)
    ended = await session_store().revoke(token)
    if identity is not None:
        log.info("Signed out %s (session %s).", identity.username, identity.session_key)
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
