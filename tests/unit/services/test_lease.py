"""ftapp.services.lease against a real redis-server: one holder at a time, fencing tokens that
grow, and nothing a lost lease's holder does touches its successor's."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis

from ftapp.services.lease import Lease

KEY = "ftapp:test:lease"
TIMEOUT = 3.0


async def test_acquire_takes_a_free_lease_and_refuses_a_held_one(redis_client: Redis) -> None:
    lease = await Lease.acquire(redis_client, KEY, 5)
    assert lease is not None
    assert lease.token == 1
    assert await Lease.acquire(redis_client, KEY, 5) is None
    assert 4000 < await redis_client.pttl(KEY) <= 5000


async def test_fencing_tokens_grow_with_each_holder(redis_client: Redis) -> None:
    tokens = []
    for _ in range(3):
        lease = await Lease.acquire(redis_client, KEY, 5)
        assert lease is not None
        tokens.append(lease.token)
        assert await lease.release() is True
    assert tokens == [1, 2, 3]


async def test_refused_attempts_do_not_use_up_tokens(redis_client: Redis) -> None:
    first = await Lease.acquire(redis_client, KEY, 5)
    assert first is not None
    for _ in range(5):
        assert await Lease.acquire(redis_client, KEY, 5) is None
    await first.release()
    second = await Lease.acquire(redis_client, KEY, 5)
    assert second is not None
    assert second.token == first.token + 1


async def test_an_expired_lease_can_be_taken(redis_client: Redis) -> None:
    first = await Lease.acquire(redis_client, KEY, 0.05)
    assert first is not None
    await asyncio.sleep(0.1)
    second = await Lease.acquire(redis_client, KEY, 5)
    assert second is not None
    assert second.token > first.token


async def test_renew_extends_only_the_holders_lease(redis_client: Redis) -> None:
    lease = await Lease.acquire(redis_client, KEY, 1)
    assert lease is not None
    await redis_client.pexpire(KEY, 100)
    assert await lease.renew() is True
    assert await redis_client.pttl(KEY) > 900


async def test_a_lost_lease_neither_renews_nor_releases_its_successor(redis_client: Redis) -> None:
    stale = await Lease.acquire(redis_client, KEY, 0.05)
    assert stale is not None
    await asyncio.sleep(0.1)
    current = await Lease.acquire(redis_client, KEY, 5)
    assert current is not None

    assert await stale.renew() is False
    assert await stale.release() is False
    assert await redis_client.exists(KEY) == 1
    assert await current.renew() is True
    assert await current.release() is True
    assert await redis_client.exists(KEY) == 0


async def test_publish_only_while_held(redis_client: Redis) -> None:
    pubsub = redis_client.pubsub()
    await pubsub.subscribe("ftapp:test:channel")
    await pubsub.get_message(timeout=1)  # the subscription's confirmation
    stale = await Lease.acquire(redis_client, KEY, 0.05)
    assert stale is not None
    await asyncio.sleep(0.1)
    current = await Lease.acquire(redis_client, KEY, 5)
    assert current is not None

    kept = {"keep_as": "ftapp:test:last", "keep_seconds": 60}
    assert await stale.publish("ftapp:test:channel", "stale", **kept) is False
    assert await redis_client.get("ftapp:test:last") is None
    assert await current.publish("ftapp:test:channel", "current", **kept) is True
    assert await redis_client.get("ftapp:test:last") == "current"
    assert 59_000 < await redis_client.pttl("ftapp:test:last") <= 60_000

    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1)
    assert message is not None
    assert message["data"] == "current"
    assert await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.1) is None
    await pubsub.aclose()


async def test_keep_renews_past_the_ttl(redis_client: Redis) -> None:
    # A 1 s lease renewed every 0.1 s, kept 2.5 s: a stall of most of a second on a busy
    # machine does not lose it (a 0.3 s lease did, now and then).
    lease = await Lease.acquire(redis_client, KEY, 1.0)
    assert lease is not None
    keeper = asyncio.create_task(lease.keep(0.1))
    await asyncio.sleep(2.5)
    assert not keeper.done()
    assert await Lease.acquire(redis_client, KEY, 5) is None
    keeper.cancel()
    await asyncio.gather(keeper, return_exceptions=True)
    await lease.release()


async def test_keep_returns_as_soon_as_the_lease_is_lost(redis_client: Redis) -> None:
    lease = await Lease.acquire(redis_client, KEY, 5)
    assert lease is not None
    keeper = asyncio.create_task(lease.keep(0.05))
    await redis_client.set(KEY, "someone else")
    async with asyncio.timeout(TIMEOUT):
        await keeper
    assert await redis_client.get(KEY) == "someone else"


async def test_the_stored_value_names_the_token_and_nothing_else(redis_client: Redis) -> None:
    lease = await Lease.acquire(redis_client, KEY, 5)
    assert lease is not None
    token, owner = (await redis_client.get(KEY)).split(":")
    assert int(token) == lease.token
    assert len(owner) == 16
    assert sorted(await redis_client.keys("*")) == [KEY, f"{KEY}:fence"]
