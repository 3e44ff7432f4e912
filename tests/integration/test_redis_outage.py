"""Redis stopped and restarted under open pages, with the app on Redis in several worker
processes (``REFLEX_REDIS_URL`` makes Reflex run 2 x cores + 1) against a standalone sandbox:

- while Redis is down every open tab is told that live updates are paused because ftapp lost
  Redis (the var the live status and its banner show), nobody polls, and sign-in, page
  requests and WebSocket upgrades get a readable 503 with ``Retry-After``, one WARNING line
  each and no traceback;
- once Redis is back (it persists, so the sessions and the tabs' states are still there),
  without restarting ftapp, the feed polls again, a new job reaches the tabs on every worker
  (ftapp's own pub/sub), and so does an update sent from another worker through Reflex's
  "lost and found" (whose subscription Reflex itself gives up on during the outage).
"""

from __future__ import annotations

import asyncio
import contextlib
import pickle
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis
from reflex.state import StateUpdate
from reflex.utils.token_manager import LostAndFoundRecord, RedisTokenManager

from ftapp.pages.workspace_state import WorkspaceState
from ftapp.services.cluster import REDIS_LOST, REDIS_RETRY_MAX_SECONDS
from tests.helpers.rawsocket import RawReflexClient, Refused, Reply
from tests.helpers.servers import (
    ACCESS_TOKEN,
    RedisProcess,
    SandboxProcess,
    ServerProcess,
    start_app,
    start_redis,
)
from tests.integration.helpers import DEMO_KEY, REPO_ROOT, keyed, valid_job

POLL_SECONDS = 0.5
LEASE_SECONDS = 2.0
TABS = 6
OUTAGE_SECONDS = 8.0
HTML = {"accept": "text/html,application/xhtml+xml"}
BACK_WITHIN = REDIS_RETRY_MAX_SECONDS + LEASE_SECONDS + 10
"""Seconds after Redis is back by which every tab follows a live feed again."""


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[RedisProcess]:
    server = start_redis(tmp_path / "redis", persistent=True)
    yield server
    server.stop()


@pytest.fixture
def app(redis: RedisProcess, sandbox: SandboxProcess) -> Iterator[ServerProcess]:
    env = {
        "REFLEX_REDIS_URL": redis.url,
        "FT_API_BASE_URL": sandbox.api_url,
        "FT_API_KEY": DEMO_KEY,
        "FT_POLL_RUNNING_SECONDS": str(POLL_SECONDS),
        "FT_POLL_IDLE_SECONDS": str(POLL_SECONDS),
        "FT_FEED_LEASE_SECONDS": str(LEASE_SECONDS),
    }
    server = start_app(env, REPO_ROOT / "test-artifacts" / "redis-outage-app.log")
    yield server
    server.stop()


def var_is(name: str, wanted: Callable[[object], bool]) -> Callable[[Reply], bool]:
    def check(reply: Reply) -> bool:
        try:
            return wanted(reply.var(name))
        except KeyError:
            return False

    return check


async def until(client: RawReflexClient, check: Callable[[Reply], bool], within: float) -> bool:
    """Whether a reply that passes ``check`` reaches ``client`` within ``within`` seconds."""
    deadline = time.monotonic() + within
    while (left := deadline - time.monotonic()) > 0:
        if any(check(reply) for reply in await client.replies(within=left, until=check)):
            return True
    return False


async def all_tabs(tabs: list[RawReflexClient], check: Callable[[Reply], bool], within: float):
    reached = await asyncio.gather(*(until(tab, check, within) for tab in tabs))
    assert all(reached), f"{reached.count(False)} of {len(tabs)} tabs never got it"


@contextlib.asynccontextmanager
async def open_tabs(app: ServerProcess, cookie: str) -> AsyncIterator[list[RawReflexClient]]:
    """``TABS`` dashboards, each showing the job list."""
    async with contextlib.AsyncExitStack() as stack:
        tabs = [
            await stack.enter_async_context(
                RawReflexClient.connect(
                    app.url, origin=app.url, cookie=cookie, token=f"tab-{i}-{time.time_ns()}"
                )
            )
            for i in range(TABS)
        ]
        for tab in tabs:
            await tab.hydrate("/w/default")
        await all_tabs(tabs, var_is("visible_rows", bool), 20)
        yield tabs


async def owners(redis: Redis, tabs: list[RawReflexClient]) -> dict[str, str]:
    """Tab token -> the Reflex instance (worker) that holds its socket, as Reflex records it."""
    found = {}
    for tab in tabs:
        key = f"{RedisTokenManager._token_socket_record_prefix}{tab.token}"
        record = await redis.get(key)
        assert record is not None, f"no socket record for {tab.token}"
        found[tab.token] = pickle.loads(record).instance_id
    return found


async def send_as_another_worker(
    redis: Redis, token: str, owner: str, value: str, within: float
) -> float:
    """What Reflex does for an update to a tab whose socket another worker holds; returns the
    seconds until the owner was listening again (a message on a channel nobody listens to is
    lost, so it is sent again while Redis says it reached no one)."""
    name = WorkspaceState.get_full_name()
    update = StateUpdate(delta={name: {"highlight_id_rx_state_": value}})
    channel = f"channel:{RedisTokenManager._get_lost_and_found_key(owner)}"
    message = pickle.dumps(LostAndFoundRecord(token=token, update=update))
    started = time.monotonic()
    while not await redis.publish(channel, message):
        assert time.monotonic() - started < within, f"worker {owner} never listened again"
        await asyncio.sleep(0.1)
    return time.monotonic() - started


def says_redis_is_unreachable(reply: Reply) -> bool:
    """A toast that says why the click did nothing."""
    return any("ftapp cannot reach Redis" in str(event) for event in reply.events)


async def list_job_polls(http: httpx.AsyncClient, sandbox: SandboxProcess) -> int:
    stats = await http.get(f"{sandbox.api_url}/_sandbox/stats", headers=keyed(DEMO_KEY))
    return stats.json()["requests"].get("list_jobs", 0)


def assert_unavailable(response: httpx.Response, content_type: str) -> None:
    assert response.status_code == 503, (response.status_code, response.text[:300])
    assert response.headers["retry-after"].isdigit()
    assert response.headers["content-type"].startswith(content_type)
    assert "ftapp cannot reach Redis" in response.text


async def test_pages_survive_a_redis_outage(
    app: ServerProcess, redis: RedisProcess, sandbox: SandboxProcess
) -> None:
    cookie = app.sign_in_cookie()
    spy = Redis.from_url(redis.url)
    http = httpx.AsyncClient(base_url=app.url, timeout=30)
    try:
        async with open_tabs(app, cookie) as tabs:
            workers = await owners(spy, tabs)
            assert len(set(workers.values())) >= 2, f"all tabs on one worker: {workers}"
            await spy.aclose()

            await asyncio.to_thread(redis.stop)
            started = time.monotonic()
            await all_tabs(tabs, var_is("feed_error", lambda error: error == REDIS_LOST), 15)
            print(f"\nevery tab told within {time.monotonic() - started:.1f} s")

            page = await http.get("/w/default", headers={"cookie": cookie, **HTML})
            assert_unavailable(page, "text/html")
            assert_unavailable(
                await http.get("/w/default", headers={"cookie": cookie}), "text/plain"
            )
            link = await http.get("/login", params={"token": ACCESS_TOKEN}, headers=HTML)
            assert_unavailable(link, "text/html")
            with pytest.raises(Refused) as refused:
                async with RawReflexClient.connect(app.url, origin=app.url, cookie=cookie):
                    pass
            assert refused.value.status_code in (503, 403)  # 403: no denial body from the server

            await tabs[0].send(WorkspaceState, "refresh", {})  # a click: its State is in Redis
            told = await tabs[0].replies(within=15, until=says_redis_is_unreachable)
            assert any(says_redis_is_unreachable(reply) for reply in told)

            polls = await list_job_polls(http, sandbox)
            # Down long enough for Reflex's own subscriptions to give up (5 tries, 1 s apart).
            await asyncio.sleep(
                max(OUTAGE_SECONDS - (time.monotonic() - started), 2 * LEASE_SECONDS)
            )
            assert await list_job_polls(http, sandbox) == polls, "nobody polls without the lease"

            await asyncio.to_thread(
                redis.restart
            )  # with what it had written: the sessions and the tabs' states
            started = time.monotonic()
            await all_tabs(tabs, var_is("feed_error", lambda error: error == ""), BACK_WITHIN)
            print(f"every tab live again within {time.monotonic() - started:.1f} s")
            assert await list_job_polls(http, sandbox) > polls, "the feed polls again"

            created = await http.post(
                f"{sandbox.api_url}/jobs",
                json=valid_job(name="after-the-outage"),
                headers=keyed(DEMO_KEY),
            )
            created.raise_for_status()
            await all_tabs(
                tabs,
                var_is("visible_rows", lambda rows: "after-the-outage" in str(rows)),
                10,
            )

            spy = Redis.from_url(redis.url)
            waited = [
                await send_as_another_worker(
                    spy, tab.token, workers[tab.token], tab.token, BACK_WITHIN
                )
                for tab in tabs
            ]
            print(f"every worker listening for lost and found within {max(waited):.1f} s")
            reached = [
                await until(tab, var_is("highlight_id", lambda value, t=tab: value == t.token), 5)
                for tab in tabs
            ]
            assert all(reached), f"lost and found reached {reached.count(True)} of {len(tabs)}"
        signed_in_again = await http.get("/w/default", headers={"cookie": cookie, **HTML})
        assert signed_in_again.status_code == 200, "the session outlived the restart (persisted)"
    finally:
        await spy.aclose()
        await http.aclose()
    log = app.log()
    assert "Traceback" not in log
    assert "Application callable raised an exception" not in log
    assert log.count("503 for GET /w/default: Redis cannot be reached") >= 2
    assert "503 for GET /login: Redis cannot be reached" in log
    assert "refused WebSocket /_event/: Redis cannot be reached" in log
