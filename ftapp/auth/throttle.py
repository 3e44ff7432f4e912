"""Throttling sign-in attempts: counted before they are checked, shared by every process.

Every password sign-in is an attempt against two keys, its username and the client's address;
every sign-in link (``/login?token=...``) one against the address. An attempt is counted in the
app database (table ``auth_throttle``) *before* its password or token is checked, by the same
transaction that decides whether it may go on:

- while any of its keys is locked it is refused at once (the route answers 429 with
  ``Retry-After``), and nothing changes: refused attempts do not extend a lock;
- otherwise each key's count goes up by one and the key is locked for what :class:`Schedule`
  gives that count: not at all for the first three, then 1, 2, 4 ... 30 s. Parallel attempts
  therefore wait for each other's count, never for each other's check.

The count is provisional: a failure keeps it; a success clears its username's count, but only
takes back its own one attempt from the address (an account holder cannot reset the lock of an
address an attacker shares, or spray other usernames between their own sign-ins). A key's
count is forgotten after 15 quiet minutes, and forgotten keys are deleted, so the table holds
only the keys attempted in the last quarter of an hour.

Atomic across processes: the deciding transaction first locks its rows with an upsert, in one
key order (on SQLite the upsert takes the database's write lock; on PostgreSQL the rows' locks),
so two processes never both see a count before the other's. Keys are stored as SHA-256 digests:
nothing typed is kept (people type passwords into the username field). Blocking database work:
call from a thread (``database.in_thread``) when on the event loop.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import sqlmodel
from reflex_base.config import get_config
from starlette.datastructures import Headers
from starlette.types import Scope

from ftapp import database
from ftapp.auth.accounts import normalize_username
from ftapp.models import ThrottledKey

_TABLE: sa.Table = ThrottledKey.__table__  # type: ignore[attr-defined]
_PRUNE_BATCH = 1000
_Row = sa.Row[Any]  # a row of auth_throttle


@dataclass(frozen=True)
class Schedule:
    """How counted attempts lock a key (seconds)."""

    free_attempts: int = 3
    first_lock: float = 1.0
    longest_lock: float = 30.0
    forget_after: float = 900.0

    def lock_after(self, failures: int) -> float:
        """How long a key is locked after ``failures`` recent failures: not at all before the
        free attempts are used up, then 1, 2, 4, ... up to the longest lock."""
        if failures < self.free_attempts:
            return 0.0
        return min(self.longest_lock, self.first_lock * 2 ** (failures - self.free_attempts))


@dataclass(frozen=True)
class Key:
    """What attempts are counted against (see :func:`user_key`, :func:`address_key`)."""

    name: str
    """e.g. ``user:bob`` or ``address:192.0.2.1``; stored only as its digest."""
    cleared_by_success: bool
    """A success forgets this key's count (a username), instead of only taking its own attempt
    back (an address, which other people may share)."""

    @property
    def digest(self) -> str:
        """How the key is stored (hex SHA-256 of its name)."""
        return hashlib.sha256(self.name.encode()).hexdigest()


def user_key(username: str) -> Key:
    """The key of a username, however it was typed."""
    return Key(f"user:{normalize_username(username)}", cleared_by_success=True)


def address_key(scope: Scope) -> Key:
    """The key of the client's address."""
    return Key(f"address:{client_address(scope)}", cleared_by_success=False)


@dataclass(frozen=True)
class Locked:
    """The attempt was refused, unchecked: a key stays locked this many more seconds."""

    retry_after: int
    """Whole seconds, rounded up (at least 1): the ``Retry-After`` header."""


@dataclass(frozen=True)
class _Counted:
    digest: str
    cleared_by_success: bool
    locked_until_ms: int
    """The lock this attempt set (a success takes it back only if it is still the last)."""
    previous_locked_until_ms: int


@dataclass(frozen=True)
class Attempt:
    """An attempt that was counted and may be checked; a success is reported with
    :meth:`AttemptThrottle.succeeded` (a failure needs nothing: it is already counted)."""

    counted: tuple[_Counted, ...]


class AttemptThrottle:
    """Counts attempts per key in the app database and refuses them while a key is locked."""

    def __init__(
        self, schedule: Schedule | None = None, clock: Callable[[], float] = time.time
    ) -> None:
        self.schedule = schedule or Schedule()
        self._clock = clock  # wall-clock seconds: every process must agree on it

    def attempt(self, *keys: Key) -> Attempt | Locked:
        """Count an attempt against ``keys`` before it is checked, or refuse it unchanged
        while one of them is locked."""
        now = self._now_ms()
        by_digest = {key.digest: key for key in keys}
        with database.session() as session:
            # Read first, lock nothing: a flood of refused attempts costs no write.
            stored = session.execute(
                sa.select(_TABLE).where(_TABLE.c.key_digest.in_(sorted(by_digest)))
            ).all()
            if (locked := self._lock_in(stored, now)) is not None:
                return locked
            current = [self._hold(session, digest, now) for digest in sorted(by_digest)]
            if (locked := self._lock_in(current, now)) is not None:
                session.rollback()  # another process counted in between
                return locked
            counted = [self._count(session, row, by_digest[row.key_digest], now) for row in current]
            session.commit()
        self._forget_quiet_keys(now)
        return Attempt(tuple(counted))

    def succeeded(self, attempt: Attempt) -> None:
        """The attempt's password or token was right: forget its username's count, and take
        back its own count (only) from its address."""
        row = _TABLE.c
        with database.session() as session:
            for counted in attempt.counted:
                if counted.cleared_by_success:
                    session.execute(sa.delete(_TABLE).where(row.key_digest == counted.digest))
                    continue
                lock_is_ours = row.locked_until_ms == counted.locked_until_ms
                session.execute(
                    sa.update(_TABLE)
                    .where(row.key_digest == counted.digest, row.failures > 0)
                    .values(
                        failures=row.failures - 1,
                        locked_until_ms=sa.case(
                            (lock_is_ours, counted.previous_locked_until_ms),
                            else_=row.locked_until_ms,
                        ),
                    )
                )
            session.commit()

    def _now_ms(self) -> int:
        return int(self._clock() * 1000)

    def _quiet_since(self, now: int) -> int:
        # A key whose last attempt came before this is forgotten (and may be deleted).
        return now - int(self.schedule.forget_after * 1000)

    def _forgotten(self, row: _Row, now: int) -> bool:
        return row.last_attempt_ms < self._quiet_since(now)

    def _lock_in(self, rows: Sequence[_Row], now: int) -> Locked | None:
        until = max(
            (row.locked_until_ms for row in rows if not self._forgotten(row, now)), default=0
        )
        return Locked(max(1, math.ceil((until - now) / 1000))) if until > now else None

    def _hold(self, session: sqlmodel.Session, digest: str, now: int) -> _Row:
        # Insert the row, or "update" it to itself: either way it is locked until commit.
        statement = (
            database.conflict_insert(_TABLE, session.get_bind().dialect.name)
            .values(key_digest=digest, failures=0, locked_until_ms=0, last_attempt_ms=now)
            .on_conflict_do_update(
                index_elements=[_TABLE.c.key_digest], set_={"failures": _TABLE.c.failures}
            )
            .returning(*_TABLE.c)
        )
        return session.execute(statement).one()

    def _count(self, session: sqlmodel.Session, row: _Row, key: Key, now: int) -> _Counted:
        failures = (0 if self._forgotten(row, now) else row.failures) + 1
        locked_until = now + int(self.schedule.lock_after(failures) * 1000)
        session.execute(
            sa.update(_TABLE)
            .where(_TABLE.c.key_digest == row.key_digest)
            .values(failures=failures, locked_until_ms=locked_until, last_attempt_ms=now)
        )
        return _Counted(row.key_digest, key.cleared_by_success, locked_until, row.locked_until_ms)

    def _forget_quiet_keys(self, now: int) -> None:
        quiet = (
            sa.select(_TABLE.c.key_digest)
            .where(_TABLE.c.last_attempt_ms < self._quiet_since(now))
            .limit(_PRUNE_BATCH)
            .with_for_update(skip_locked=True)  # PostgreSQL: never wait for a counting attempt
        )
        with database.session() as session:
            session.execute(sa.delete(_TABLE).where(_TABLE.c.key_digest.in_(quiet)))
            session.commit()


login_throttle = AttemptThrottle()
"""The attempts of password sign-ins and sign-in links (the routes look it up at each call)."""


def client_address(scope: Scope) -> str:
    """The client's address: X-Forwarded-For only through Reflex's ``trusted_proxy_hops``
    (``REFLEX_TRUSTED_PROXY_HOPS``), the rule Reflex applies to a WebSocket's ``client_ip``:
    the address that many entries from the end, the entries of every X-Forwarded-For line
    read as one list; the peer's own address with no hops trusted, or too few entries."""
    address = (scope.get("client") or ("unknown", 0))[0]
    hops = get_config().trusted_proxy_hops
    if hops:
        forwarded = ", ".join(Headers(scope=scope).getlist("x-forwarded-for"))
        addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
        if len(addresses) >= hops:
            address = addresses[-hops]
    return address
