"""Stopping cleanly (ftapp.stopping): on SIGTERM the creates under way finish before the
server's own handler stops it, pages are told, and no new work reaches the API."""

from __future__ import annotations

import asyncio
import signal
from types import SimpleNamespace
from typing import Any

import pytest

from ftapp import services, stopping
from ftapp.services import jobs


@pytest.fixture(autouse=True)
def _not_stopping() -> None:
    stopping.reset()
    yield
    stopping.reset()


class FakeNamespace:
    """Reflex's event namespace as the stop sees it: sockets, and what was sent to them."""

    def __init__(self, *sids: str) -> None:
        self.sid_to_token = {sid: f"tab-{sid}" for sid in sids}
        self.sent: list[tuple[str, Any]] = []

    async def emit(self, name: str, update: Any, to: str) -> None:
        self.sent.append((to, update))


async def test_a_stop_waits_for_the_creates_under_way_and_tells_every_page(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    finished: list[str] = []
    release = asyncio.Event()

    async def a_submit() -> None:
        with services.under_way():
            await release.wait()
            finished.append("create")

    submit = asyncio.create_task(a_submit())
    await asyncio.sleep(0)
    stopped: list[str] = []

    async def stop_feeds() -> None:
        stopped.append("feeds")

    monkeypatch.setattr("ftapp.services.connection.stop_feeds", stop_feeds)
    monkeypatch.setattr(stopping, "FLUSH_SECONDS", 0)
    app = SimpleNamespace(event_namespace=FakeNamespace("a", "b"))
    drain = asyncio.create_task(stopping.drain(app))
    await asyncio.sleep(0.05)
    assert stopping.is_stopping()
    assert [to for to, _ in app.event_namespace.sent] == ["a", "b"]  # told at once
    assert stopping.RESTARTING in str(app.event_namespace.sent[0][1])
    assert not drain.done()  # the create is still under way
    release.set()
    await asyncio.wait_for(drain, 5)
    await submit
    assert (finished, stopped) == (["create"], ["feeds"])


async def test_the_servers_own_handler_runs_after_the_drain(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    loop = asyncio.get_running_loop()
    handed_over = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, handed_over.set)  # as Granian's worker does
    drained: list[bool] = []

    async def drain(_app: Any) -> None:
        drained.append(stopping.is_stopping())

    monkeypatch.setattr(stopping, "drain", drain)
    try:
        stopping.stop_cleanly_on_sigterm(SimpleNamespace(event_namespace=None))
        signal.raise_signal(signal.SIGTERM)
        await asyncio.wait_for(handed_over.wait(), 5)
        assert drained == [False]  # the drain ran first (this fake one sets nothing)
    finally:
        loop.remove_signal_handler(signal.SIGTERM)


async def test_a_lost_create_still_unsettled_at_a_stop_is_recorded_not_dropped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    recorded: list[tuple] = []
    monkeypatch.setattr(jobs.activity, "record_soon", lambda *args, **kwargs: recorded.append(args))
    monkeypatch.setattr(jobs, "SETTLE_CHECK_SECONDS", 60)
    from ftapp.services.create_check import PendingCreate
    from ftapp.upstream import Unavailable
    from tests.helpers.people import JOB_INPUT, OPERATOR

    task = asyncio.create_task(
        jobs._settle(PendingCreate(JOB_INPUT, started_at=0.0), OPERATOR, Unavailable())
    )
    jobs._settling.add(task)
    await asyncio.sleep(0)
    await jobs.finish_under_way(0.05)
    assert len(recorded) == 1
    assert recorded[0][4] == "failed"
    assert "stopped before it could tell" in recorded[0][5]
