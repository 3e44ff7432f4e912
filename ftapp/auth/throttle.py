"""Slowing down password guessing: an exponential delay after repeated failures.

Counted per username and per client address, in memory, per process: with several workers
an attacker gets a few more free tries (one set per worker), which is acceptable next to the
cost of argon2 itself. Counts are forgotten after a quiet period, and the number of tracked
keys is bounded so a flood of names cannot exhaust memory.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from reflex_base.config import get_config
from starlette.datastructures import Headers
from starlette.types import Scope


@dataclass
class _Failures:
    count: int
    last_at: float


class FailureThrottle:
    """How long to wait before the next attempt, given the recent failures of some keys."""

    def __init__(
        self,
        *,
        free_failures: int = 3,
        base_delay: float = 1.0,
        max_delay: float = 30.0,
        forget_after: float = 900.0,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free_failures = free_failures
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.forget_after = forget_after
        self.max_keys = max_keys
        self._clock = clock
        self._failures: OrderedDict[str, _Failures] = OrderedDict()
        self._lock = threading.Lock()

    def delay_after(self, failures: int) -> float:
        """Seconds to wait after ``failures`` recent failures: none for the first few, then
        1, 2, 4, ... up to the maximum."""
        if failures < self.free_failures:
            return 0.0
        return min(self.max_delay, self.base_delay * 2 ** (failures - self.free_failures))

    def delay_for(self, *keys: str) -> float:
        """The wait before an attempt concerning ``keys`` (the longest of theirs)."""
        with self._lock:
            return max((self.delay_after(self._count(key)) for key in keys), default=0.0)

    def failed(self, *keys: str) -> None:
        """Count one failure for each key."""
        now = self._clock()
        with self._lock:
            for key in keys:
                count = self._count(key) + 1
                self._failures[key] = _Failures(count, now)
                self._failures.move_to_end(key)
            while len(self._failures) > self.max_keys:
                self._failures.popitem(last=False)

    def succeeded(self, *keys: str) -> None:
        """Forget the failures of each key."""
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)

    def clear(self) -> None:
        """Forget every failure."""
        with self._lock:
            self._failures.clear()

    def _count(self, key: str) -> int:
        record = self._failures.get(key)
        if record is None:
            return 0
        if self._clock() - record.last_at > self.forget_after:
            del self._failures[key]
            return 0
        return record.count


login_throttle = FailureThrottle()
"""Failures of password sign-ins and access-token links in this process."""


def reset() -> None:
    """Forget every failure (tests)."""
    login_throttle.clear()


def client_address(scope: Scope) -> str:
    """The client's address: X-Forwarded-For only through Reflex's ``trusted_proxy_hops``."""
    address = (scope.get("client") or ("unknown", 0))[0]
    hops = get_config().trusted_proxy_hops
    if hops:
        forwarded = Headers(scope=scope).get("x-forwarded-for", "")
        addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
        if len(addresses) >= hops:
            address = addresses[-hops]
    return address
