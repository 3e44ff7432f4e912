"""Fakes for the workspace feed's tests (unit and cluster): scripted API calls, jobs, job
lists, a page watching a feed, and the check that a test leaves no task running."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import aclosing

import pytest

from ftapp.services.feed import PollIntervals, Snapshot, WorkspaceFeed
from ftapp.upstream import JobList
from tests.helpers.fakes import eventually

SLOW = PollIntervals(running_seconds=30, idle_seconds=30, max_backoff_seconds=60)
"""Polls only when a watcher joins or someone pokes, within any test's lifetime."""

LLAMA = "meta-llama/Llama-3.1-8B-Instruct"


def job(job_id: str, status: str = "Running", name: str | None = None) -> dict:
    return {
        "id": job_id,
        "name": name or f"job {job_id}",
        "baseModel": LLAMA,
        "epochs": 3,
        "evaluationEpochs": 1,
        "warmupEpochs": 0,
        "learningRate": 0.0001,
        "createdAt": "2026-11-26T04:45:00Z",
        "status": status,
    }


def job_list(*jobs: dict, **summary: int) -> JobList:
    counts = {
        "completed": sum(j["status"] == "Completed" for j in jobs),
        "running": sum(j["status"] == "Running" for j in jobs),
        "failed": sum(j["status"] == "Failed" for j in jobs),
        **summary,
    }
    return JobList.model_validate({"jobs": list(jobs), "summary": counts})


class FakeCall:
    """An async function that counts its calls and returns (or raises) scripted results in
    turn, the last one repeating. With ``gated=True`` each call waits for :meth:`allow`."""

    def __init__(self, *results: object, gated: bool = False) -> None:
        self.results = list(results)
        self.calls = 0
        self.done = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.gated = gated
        self._gate = asyncio.Semaphore(0)

    async def __call__(self):
        self.calls += 1
        result = self.results[min(self.calls, len(self.results)) - 1]
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.gated:
                await self._gate.acquire()
            else:
                await asyncio.sleep(0)
        finally:
            self.in_flight -= 1
            self.done += 1
        if isinstance(result, BaseException):
            raise result
        return result

    def allow(self, count: int = 1) -> None:
        for _ in range(count):
            self._gate.release()

    def open(self) -> None:
        """Stop gating, releasing any call that waits."""
        self.gated = False
        self.allow(10)


class Watcher:
    """A page following the feed: a task collecting every snapshot until closed."""

    def __init__(self, feed: WorkspaceFeed) -> None:
        self.snapshots: list[Snapshot] = []
        self.task = asyncio.create_task(self._follow(feed))

    async def _follow(self, feed: WorkspaceFeed) -> None:
        async with aclosing(feed.watch()) as snapshots:
            async for snapshot in snapshots:
                self.snapshots.append(snapshot)

    @property
    def versions(self) -> list[int]:
        return [s.version for s in self.snapshots]

    @property
    def last(self) -> Snapshot | None:
        return self.snapshots[-1] if self.snapshots else None

    async def close(self) -> None:
        """Leave, as Reflex does by cancelling the background event handler."""
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


@pytest.fixture(autouse=True)
async def no_task_left_running() -> AsyncIterator[None]:
    yield
    me = asyncio.current_task()

    def leftovers() -> list[asyncio.Task]:
        return [task for task in asyncio.all_tasks() if task is not me and not task.done()]

    try:
        await eventually(lambda: not leftovers(), within=1.0)
    except TimeoutError:
        tasks = leftovers()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        pytest.fail(f"tasks left running: {tasks}")


RUNNING = job_list(job("a"), job("b", "Completed"))
IDLE = job_list(job("a", "Completed"), job("b", "Failed"))
