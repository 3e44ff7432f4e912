"""One live subscription per tab, ended when the tab's socket goes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from ftapp.guard import subscriptions
from tests.helpers.fakes import eventually


async def forever(closed: list[str]) -> AsyncIterator[int]:
    """A stream with one item, then nothing, like a feed with nothing new; records closing."""
    try:
        yield 1
        await asyncio.Event().wait()
        yield 2
    finally:
        closed.append("closed")


async def test_a_newer_subscription_of_the_same_tab_replaces_the_older() -> None:
    started = asyncio.Event()

    async def follow() -> None:
        with subscriptions.only_subscription("tab"):
            started.set()
            await asyncio.Event().wait()

    first = asyncio.create_task(follow())
    await started.wait()
    started.clear()
    second = asyncio.create_task(follow())
    await started.wait()
    await eventually(first.done)
    assert first.cancelled()
    assert not second.done()
    assert subscriptions.active_count() == 1
    second.cancel()
    await asyncio.gather(second, return_exceptions=True)
    assert subscriptions.active_count() == 0


async def test_other_tabs_keep_their_subscriptions() -> None:
    gate = asyncio.Event()

    async def follow(token: str) -> None:
        with subscriptions.only_subscription(token):
            await gate.wait()

    tasks = [asyncio.create_task(follow(f"tab-{n}")) for n in range(3)]
    await eventually(lambda: subscriptions.active_count() == 3)
    gate.set()
    await asyncio.gather(*tasks)
    assert subscriptions.active_count() == 0


async def test_a_subscription_ends_soon_after_its_tab_disconnects(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    connected = {"tab": True}
    monkeypatch.setattr(subscriptions, "is_connected", lambda token: connected[token])
    closed: list[str] = []
    seen: list[int] = []

    async def consume() -> None:
        async for item in subscriptions.watch_while_connected(forever(closed), "tab", 0.01):
            seen.append(item)

    task = asyncio.create_task(consume())
    await eventually(lambda: seen == [1])
    await asyncio.sleep(0.05)
    assert not task.done()  # nothing new, but still connected: it waits
    connected["tab"] = False
    await asyncio.wait_for(task, 1)
    assert closed == ["closed"]  # the stream was closed: the feed lost its watcher


async def test_where_connections_are_not_checked_every_tab_counts_as_connected() -> None:
    assert subscriptions.is_connected("any-tab") is True


async def test_a_serving_process_knows_which_tabs_are_connected(reflex_app) -> None:
    subscriptions.check_connections()
    try:
        assert subscriptions.is_connected("a-tab-with-no-socket") is False
    finally:
        subscriptions.check_connections(False)
