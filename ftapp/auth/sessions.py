"""Server-side sessions: the cookie holds a random token, the store only its sha256.

A session ends when unused for ``FT_SESSION_IDLE_MINUTES`` or ``FT_SESSION_MAX_HOURS`` after
sign-in, whichever comes first. This module holds the rules and the database store; Redis is
in :mod:`.redis_sessions`, and which one a process uses in :mod:`.store`. Database work runs
in a thread, so no method blocks the event loop. Tokens and their hashes never appear in a
log, a message or a repr: only :attr:`Identity.session_key` (16 hex digits of the hash) does.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Protocol

import sqlmodel

from ftapp.auth import db
from ftapp.auth.identity import Identity
from ftapp.auth.models import AuthSession, User
from ftapp.auth.roles import parse_role
from ftapp.guard.text import one_line
from ftapp.settings import Settings

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


def identity_of(user: User | None, digest: str, expires_at: int) -> Identity | None:
    """The identity of a session of ``user``; None if the account is gone or disabled."""
    if user is None or user.disabled or user.id is None:
        return None
    role = parse_role(user.role)
    if role is None:
        log.error("User %s has an unknown role; refusing the session.", one_line(user.username))
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
            identity = identity_of(session.get(User, row.user_id), digest, row.expires_at)
            if identity is not None and now - row.last_seen_at >= self.policy.touch_interval:
                row.last_seen_at = now
                session.add(row)
                session.commit()
            return identity

    async def check(self, tokens: Collection[str]) -> dict[str, Identity | None]:
        digests = digests_of(tokens)
        found = await db.in_thread(self._check, sorted(set(digests.values())))
        return {token: found.get(digests.get(token, "")) for token in tokens}

    def _check(self, digests: list[str]) -> dict[str, Identity | None]:
        now, found = self._now(), {}
        with db.session() as session:
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
