"""A closed tab's server-side State is freed within a minute, not after Reflex's hour.

Without Redis, Reflex keeps each tab's State tree in the process until its token expires, an
hour after its last event, so a crowd of tabs that came and went would hold their memory for
that hour. :func:`sweep_periodically` frees the trees of tabs that have had no socket on this
process for ``FT_CLOSED_TAB_GRACE_SECONDS`` (30 s; a reload or a dropped connection that comes
back within the grace keeps its State).

A tab that comes back later still works: its page is hydrated again from a fresh State, as
after Reflex's own expiry (a draft in the wizard lives in the browser and is restored).
With Redis the States live in Redis, which expires them itself; this then does nothing.

Each sweep also runs the ``forget`` callables it is given (the event gate's rate buckets of
tabs gone, :meth:`ftapp.guard.gate.RateLimiter.forget_idle`) and then asks the C library to
hand freed memory back. With ``PYTHONMALLOC=malloc`` a few hundred bytes still in use keep
their whole page resident: after a crowd of tabs came and went, one small leftover per tab
(a rate bucket) kept some 40 MB of otherwise free heap (measured in ``bench/RESULTS.md``).
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import functools
import gc
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

MAX_SWEEP_SECONDS = 10.0


@dataclass
class LeftoverTracker:
    """Which tabs have States but no socket, and since when."""

    grace_seconds: float
    clock: Callable[[], float] = time.monotonic
    _gone_since: dict[str, float] = field(default_factory=dict)

    def expired(self, with_state: Iterable[str], connected: Iterable[str]) -> list[str]:
        """The tabs among ``with_state`` without a socket for the whole grace (to free now);
        tabs seen without one start their grace, tabs seen with one (again) end it."""
        now = self.clock()
        live = set(connected)
        holding = set(with_state)
        for token in list(self._gone_since):
            if token in live or token not in holding:
                del self._gone_since[token]
        due = []
        for token in holding - live:
            since = self._gone_since.setdefault(token, now)
            if now - since >= self.grace_seconds:
                due.append(token)
                del self._gone_since[token]
        return due


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None on a C library without it."""
    name = ctypes.util.find_library("c")
    return getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None


def _free_unused_heap() -> None:
    """Hand freed memory back to the system (glibc keeps it otherwise)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def sweep_once(tracker: LeftoverTracker, forget: Iterable[Callable[[], object]] = ()) -> int:
    """Free the in-memory States of tabs gone for the grace, then run ``forget`` (what else
    closed tabs leave); returns how many States were freed."""
    from reflex.istate.manager.memory import StateManagerMemory
    from reflex.istate.manager.token import BaseStateToken
    from reflex.state import State
    from reflex_base.registry import RegistrationContext

    app = RegistrationContext.get().app
    namespace = app.event_namespace
    manager = app.state_manager
    for forget_more in forget:
        forget_more()
    if namespace is None or not isinstance(manager, StateManagerMemory):
        # No States here (Redis holds them), but closed sockets and their buffers were freed
        # all the same, and the heap only shrinks when asked.
        _free_unused_heap()
        return 0
    sockets = namespace._token_manager.token_to_socket
    locked = {key for key, lock in manager._states_locks.items() if lock.locked()}
    tabs = [
        token  # a tab's whole tree is kept under its token (other kinds of State are not)
        for token, state in manager.states.items()
        if isinstance(state, State) and state.parent_state is None and token not in locked
    ]
    freed = tracker.expired(tabs, sockets)
    for token in freed:
        manager._purge_token(BaseStateToken(ident=token, cls=State))
    if freed:
        gc.collect()
        log.info("Freed the state of %d closed tabs.", len(freed))
    # Every sweep: what closed connections left (sockets, buffers) is freed after the tabs'
    # States, and the heap only shrinks when asked.
    _free_unused_heap()
    return len(freed)


async def sweep_periodically(forget: Iterable[Callable[[], object]] = ()) -> None:
    """Free closed tabs' States (and run ``forget``) now and then, forever (an async Reflex
    lifespan task)."""
    from ftapp.services import connection

    grace = connection.settings().closed_tab_grace_seconds
    tracker = LeftoverTracker(grace)
    while True:
        await asyncio.sleep(min(MAX_SWEEP_SECONDS, grace / 3))
        try:
            sweep_once(tracker, forget)
        except Exception:
            log.exception("Could not free the state of closed tabs.")
