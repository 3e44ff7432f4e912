"""Test doubles shared by several test modules."""

from __future__ import annotations

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
