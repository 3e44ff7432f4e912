"""At most one live subscription per tab, ended when the tab's socket goes, however it was
started.

Reflex cancels a page's background handler on navigation or disconnect only when an on_load
handler started it; one sent by hand would follow the feed forever. Every page's follow
handler runs inside :func:`only_subscription`: a newer one for the same tab replaces it, and
:func:`watch_while_connected` ends it within seconds of the tab's socket closing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterator
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
CONNECTION_CHECK_SECONDS = 5.0
"""How often a subscription with nothing new checks that its tab is still connected."""

_current: dict[str, asyncio.Task] = {}
_checking = False
"""Whether tabs' connections are checked: only in a process that serves sockets (the app's
start turns it on), not in tests that drive States directly."""


def check_connections(enabled: bool = True) -> None:
    """Turn connection checks on (the app does so when it starts serving)."""
    global _checking
    _checking = enabled


@contextlib.contextmanager
def only_subscription(token: str) -> Iterator[None]:
    """Run the current task as tab ``token``'s one subscription, cancelling an older one."""
    task = asyncio.current_task()
    assert task is not None
    previous = _current.get(token)
    if previous is not None and previous is not task and not previous.done():
        previous.cancel()
    _current[token] = task
    try:
        yield
    finally:
        if _current.get(token) is task:
            del _current[token]


def active_count() -> int:
    """Subscriptions alive in this process (for tests and diagnostics)."""
    return sum(not task.done() for task in _current.values())


def is_connected(token: str) -> bool:
    """True while tab ``token`` has a socket on this process (where its events run); always
    True where connections are not checked."""
    if not _checking:
        return True
    from reflex_base.registry import RegistrationContext

    namespace = RegistrationContext.get().app.event_namespace
    if namespace is None:
        return True
    manager = namespace._token_manager
    record = manager.token_to_socket.get(token)
    return record is not None and record.instance_id == manager.instance_id


async def watch_while_connected(
    stream: AsyncIterator[T], token: str, check_seconds: float = CONNECTION_CHECK_SECONDS
) -> AsyncIterator[T]:
    """The items of ``stream`` while tab ``token`` stays connected; then close ``stream``."""
    iterator = aiter(stream)
    pending: asyncio.Task | None = None
    try:
        while True:
            if pending is None:
                pending = asyncio.ensure_future(anext(iterator))
            done, _ = await asyncio.wait({pending}, timeout=check_seconds)
            if not is_connected(token):
                return
            if done:
                try:
                    item = pending.result()
                except StopAsyncIteration:
                    return
                pending = None
                yield item
    finally:
        if pending is not None:
            pending.cancel()
            with contextlib.suppress(BaseException):
                await pending
        aclose = getattr(iterator, "aclose", None)
        if aclose is not None:
            await aclose()
