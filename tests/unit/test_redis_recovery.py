"""After a Redis outage or restart, Reflex's own pub/sub tasks run again, keyspace
notifications are on and this process's sockets are recorded again (against a real
redis-server; the whole app through an outage is ``tests/integration/test_redis_outage.py``)."""

from __future__ import annotations

import asyncio
import gc
import logging
import pickle
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from reflex.utils.token_manager import RedisTokenManager, SocketRecord

from ftapp import redis_recovery
from ftapp.services import connection
from tests.helpers.servers import RedisProcess, start_redis


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisProcess]:
    server = start_redis(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


class Namespace:
    """The part of Reflex's event namespace the recovery uses."""

    def __init__(self, tokens: RedisTokenManager) -> None:
        self._token_manager = tokens

    async def emit_update(self, update: Any, token: str) -> None:
        pass


class App:
    state_manager = None  # an in-memory one: nothing of it to repair
    event_namespace: Namespace


@pytest.fixture
async def app(redis_server: RedisProcess) -> AsyncIterator[App]:
    client = Redis.from_url(redis_server.url)
    await client.flushall()
    await client.config_set("notify-keyspace-events", "")  # as a restarted Redis has it
    app = App()
    app.event_namespace = Namespace(RedisTokenManager(client))
    yield app
    tokens = app.event_namespace._token_manager
    await tokens.close()


async def ended_with(error: Exception) -> asyncio.Task:
    async def fail() -> None:
        raise error

    task = asyncio.create_task(fail())
    await asyncio.wait([task])
    return task


async def test_an_ended_subscription_starts_again_one_never_started_stays_off(app: App) -> None:
    tokens = app.event_namespace._token_manager
    ended = await ended_with(RedisConnectionError("Error 111"))
    tokens._lost_and_found_task = ended
    assert redis_recovery.restart_ended_tasks(app) == ["lost_and_found_task"]
    assert tokens._lost_and_found_task is not ended
    assert not tokens._lost_and_found_task.done()
    assert tokens._socket_record_task is None, "no socket ever connected: nothing to listen to"
    assert redis_recovery.restart_ended_tasks(app) == [], "running tasks are left alone"


async def test_a_task_replaced_by_reflex_after_it_ended_leaves_no_traceback(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    tokens = app.event_namespace._token_manager
    release = asyncio.Event()

    async def fail_later() -> None:
        await release.wait()
        raise RedisConnectionError("Error 111")

    tokens._socket_record_task = asyncio.create_task(fail_later())
    redis_recovery.see_how_tasks_end(app)  # the watch's look, while the task still runs
    release.set()
    await asyncio.sleep(0.01)
    assert tokens._socket_record_task.done()
    with caplog.at_level(logging.ERROR, logger="asyncio"):
        tokens._socket_record_task = None  # Reflex starts another and drops this one unseen
        gc.collect()
    assert "exception was never retrieved" not in caplog.text


async def test_a_task_nobody_looked_at_is_what_asyncio_complains_of(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The test above can fail: the same task, never seen, is logged with its traceback."""
    task = await ended_with(RedisConnectionError("Error 111"))
    with caplog.at_level(logging.ERROR, logger="asyncio"):
        del task
        gc.collect()
    assert "exception was never retrieved" in caplog.text


async def test_after_a_restart_notifications_are_on_and_own_sockets_recorded_again(
    app: App,
) -> None:
    tokens = app.event_namespace._token_manager
    mine = SocketRecord(instance_id=tokens.instance_id, sid="sid-1")
    elsewhere = SocketRecord(instance_id="another-worker", sid="sid-2")
    tokens.token_to_socket.update({"tab-1": mine, "tab-2": elsewhere})

    assert await redis_recovery.resubscribe(app) == 1
    stored = await tokens.redis.get(tokens._get_redis_key("tab-1"))
    assert pickle.loads(stored) == mine
    assert await tokens.redis.get(tokens._get_redis_key("tab-2")) is None
    events = (await tokens.redis.config_get("notify-keyspace-events"))["notify-keyspace-events"]
    assert set("Kx") <= set(events)


async def test_the_watch_notices_an_outage_and_a_new_server(
    app: App,
    redis_server: RedisProcess,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("REFLEX_REDIS_URL", redis_server.url)
    connection.reset()
    watch = redis_recovery.RedisWatch()
    with caplog.at_level(logging.WARNING, logger="ftapp.redis_recovery"):
        await watch.check(app)
        assert watch.run_id
        assert not watch.down
        assert caplog.records == []  # the first look: nothing to repair

        watch.run_id = "the run id of the server before a restart"
        await watch.check(app)
        (restarted,) = caplog.records
        assert restarted.getMessage().startswith("Redis answers again (restarted)")

        monkeypatch.setenv("REFLEX_REDIS_URL", "redis://127.0.0.1:1")
        connection.reset()
        await watch.check(app)
        await watch.check(app)
        assert watch.down
        assert [r.getMessage() for r in caplog.records[1:]] == [
            "Redis cannot be reached (ConnectionError); watching for it."
        ]
    await connection.redis().aclose()
    connection.reset()
