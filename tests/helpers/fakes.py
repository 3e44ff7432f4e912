"""Test doubles shared by several test modules."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

T0 = 1_700_000_000.0
"""A fixed Unix time to start fake clocks at."""


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


async def eventually(predicate: Callable[[], object], within: float = 2.0) -> None:
    """Wait until ``predicate()`` holds; raises TimeoutError after ``within`` seconds."""
    async with asyncio.timeout(within):
        # Polling is the point: the predicates read state that has no event to wait on.
        while not predicate():  # noqa: ASYNC110
            await asyncio.sleep(0.002)
