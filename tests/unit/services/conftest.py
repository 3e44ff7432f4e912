"""The services record every attempt in the activity log (a fresh app database per test), and
the lease and the cluster feed run against a real redis-server (one per session, emptied per
test)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from redis.asyncio import Redis

from tests.helpers.servers import RedisProcess, start_redis


@pytest.fixture(autouse=True)
def _fresh_app_db(app_db: str) -> str:
    return app_db


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisProcess]:
    server = start_redis(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


@pytest.fixture
async def redis_client(redis_server: RedisProcess) -> AsyncIterator[Redis]:
    """A client of an empty Redis (text replies), closed after the test."""
    client = Redis.from_url(redis_server.url, decode_responses=True)
    await client.flushall()
    yield client
    await client.aclose()
