"""A renewable lease in Redis: at most one holder at a time, each with a fencing token.

:meth:`Lease.acquire` sets the lease key with ``SET key value NX PX ttl`` and numbers the
lease with ``INCR`` on a counter key (the fencing token: a later holder always has a greater
one). Renewing, releasing and publishing check the key still holds this lease's value, in one
Lua script each, so a holder whose lease expired (a process paused longer than the TTL) can
neither extend it, delete a newer holder's lease, nor publish over it.
"""

from __future__ import annotations

import asyncio
import secrets

from redis.asyncio import Redis

_ACQUIRE = """
if redis.call('exists', KEYS[1]) == 1 then
    return 0
end
local token = redis.call('incr', KEYS[2])
redis.call('set', KEYS[1], token .. ':' .. ARGV[1], 'NX', 'PX', ARGV[2])
return token
"""
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""
_PUBLISH = """
if redis.call('get', KEYS[1]) ~= ARGV[1] then
    return 0
end
redis.call('set', KEYS[2], ARGV[3], 'PX', ARGV[4])
redis.call('publish', ARGV[2], ARGV[3])
return 1
"""


def _milliseconds(seconds: float) -> int:
    return max(1, round(seconds * 1000))


class Lease:
    """One term of holding ``key``; made by :meth:`acquire`."""

    def __init__(self, redis: Redis, key: str, token: int, value: str, ttl_seconds: float):
        self.redis = redis
        self.key = key
        self.token = token
        """The fencing token: greater than that of every earlier holder of ``key``."""
        self.ttl_seconds = ttl_seconds
        self._value = value

    @classmethod
    async def acquire(cls, redis: Redis, key: str, ttl_seconds: float) -> Lease | None:
        """Take ``key`` for ``ttl_seconds`` if nobody holds it; None if somebody does."""
        owner = secrets.token_hex(8)
        token = int(
            await redis.eval(_ACQUIRE, 2, key, f"{key}:fence", owner, _milliseconds(ttl_seconds))  # type: ignore[misc]
        )
        if not token:
            return None
        return cls(redis, key, token, f"{token}:{owner}", ttl_seconds)

    async def renew(self) -> bool:
        """Extend the lease to a full TTL from now; False if it is no longer ours."""
        return bool(
            await self.redis.eval(_RENEW, 1, self.key, self._value, _milliseconds(self.ttl_seconds))  # type: ignore[misc]
        )

    async def release(self) -> bool:
        """Give the lease up (False if it had expired or passed to another holder)."""
        return bool(await self.redis.eval(_RELEASE, 1, self.key, self._value))  # type: ignore[misc]

    async def publish(
        self, channel: str, message: str, *, keep_as: str, keep_seconds: float
    ) -> bool:
        """Publish ``message`` on ``channel`` and store it under ``keep_as``, only while the
        lease is ours (atomically); False, and nothing sent, if it is not."""
        return bool(
            await self.redis.eval(
                _PUBLISH,
                2,
                self.key,
                keep_as,
                self._value,
                channel,
                message,
                _milliseconds(keep_seconds),
            )  # type: ignore[misc]
        )

    async def keep(self, every_seconds: float) -> None:
        """Renew every ``every_seconds``; return as soon as a renewal finds the lease lost.

        A renewal that fails or takes longer than ``every_seconds`` raises (RedisError or
        TimeoutError): the lease cannot be confirmed, and is due to expire soon after.
        """
        while True:
            await asyncio.sleep(every_seconds)
            async with asyncio.timeout(every_seconds):
                renewed = await self.renew()
            if not renewed:
                return
