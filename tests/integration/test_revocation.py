"""Revocation reaches open sockets: a tab's socket that sends nothing still receives the live
job list, so when its session ends (sign-out, account removed, expiry) the server tells it
to go to the sign-in page and closes it within seconds, on one process and, with Redis,
whichever worker the session ended on."""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.helpers.rawsocket import RawReflexClient, Reply
from tests.helpers.servers import SESSION_COOKIE, ServerProcess, start_app, start_redis
from tests.integration.helpers import REPO_ROOT, app_on_its_sandbox

WITHIN_SECONDS = 5.0
POLL_SECONDS = 0.5
PASSWORD = "a long enough password"


@pytest.fixture
def app(tmp_path: Path) -> Iterator[ServerProcess]:
    with app_on_its_sandbox(tmp_path, "revocation-app.log", POLL_SECONDS) as server:
        yield server


def has_rows(reply: Reply) -> bool:
    try:
        return bool(reply.var("visible_rows"))
    except KeyError:
        return False


def sends_to_sign_in(replies: list[Reply]) -> bool:
    return any("/login?next=" in str(event) for reply in replies for event in reply.events)


async def closed_after(
    app: ServerProcess, cookie: str, end_session: Callable[[], None], sockets: int = 1
) -> float:
    """Open ``sockets`` tabs on the dashboard with ``cookie``, see them live, end the session,
    and return how long until the last one was told to sign in again and closed."""
    clients = []
    async with asyncio.TaskGroup() as group:
        for index in range(sockets):
            context = RawReflexClient.connect(
                app.url, origin=app.url, cookie=cookie, token=f"tab-{index}-{time.time_ns()}"
            )
            clients.append((context, group.create_task(context.__aenter__())))
    opened = [task.result() for _, task in clients]
    try:
        for client in opened:
            await client.hydrate("/w/default")
            assert any(has_rows(r) for r in await client.replies(within=15, until=has_rows))
        await asyncio.to_thread(end_session)
        # From when the session has ended: a CLI's own start-up (seconds on a loaded machine)
        # is not the app's delay.
        ended_at = time.monotonic()
        outcomes = await asyncio.gather(*(until_closed(client) for client in opened))
        assert all(sends_to_sign_in(replies) for _, replies in outcomes), outcomes
        return max(closed_at for closed_at, _ in outcomes) - ended_at
    finally:
        for context, _ in clients:
            await context.__aexit__(None, None, None)


async def until_closed(client: RawReflexClient) -> tuple[float, list[Reply]]:
    """When ``client``'s socket closed (within the limit, or the test fails), and what it
    received until then."""
    deadline = time.monotonic() + WITHIN_SECONDS + 2
    replies: list[Reply] = []
    while not client.closed.is_set():
        assert time.monotonic() < deadline, "the socket stayed open"
        replies += await client.replies(within=0.1)
    closed_at = time.monotonic()
    return closed_at, replies + await client.replies(within=0.1)


def session_id(cookie: str) -> str:
    token = cookie.removeprefix(f"{SESSION_COOKIE}=")
    return hashlib.sha256(token.encode()).hexdigest()


async def test_sign_out_closes_the_sessions_sockets(app: ServerProcess) -> None:
    cookie = app.sign_in_cookie()
    assert await closed_after(app, cookie, lambda: app.sign_out(cookie)) < WITHIN_SECONDS


async def test_removing_the_account_closes_its_sockets(app: ServerProcess) -> None:
    added = app.run_cli("users", "add", "bob", "--role", "operator", stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    cookie = app.password_cookie("bob", PASSWORD)

    def remove() -> None:
        removed = app.run_cli("users", "remove", "bob")
        assert removed.returncode == 0, removed.stderr

    assert await closed_after(app, cookie, remove) < WITHIN_SECONDS


async def test_an_expired_session_closes_its_sockets(app: ServerProcess) -> None:
    cookie = app.sign_in_cookie()
    engine = sa.create_engine(app.db_url)

    def expire() -> None:  # as if its twelve hours were over
        with engine.begin() as connection:
            connection.execute(
                sa.text("UPDATE auth_session SET expires_at = :now WHERE id = :id"),
                {"now": int(time.time()), "id": session_id(cookie)},
            )

    try:
        assert await closed_after(app, cookie, expire) < WITHIN_SECONDS
    finally:
        engine.dispose()


async def test_a_sign_out_on_one_worker_closes_sockets_on_the_others(tmp_path: Path) -> None:
    redis = start_redis(tmp_path / "redis")
    env = {
        "FT_SANDBOX_DB": str(tmp_path / "sandbox.db"),
        "REFLEX_REDIS_URL": redis.url,
        "FT_POLL_RUNNING_SECONDS": str(POLL_SECONDS),
        "FT_POLL_IDLE_SECONDS": str(POLL_SECONDS),
    }
    app = start_app(env, REPO_ROOT / "test-artifacts" / "revocation-redis-app.log")
    try:
        cookie = app.sign_in_cookie()
        # Six sockets and the sign-out spread over the workers (2 x cores + 1).
        elapsed = await closed_after(app, cookie, lambda: app.sign_out(cookie), sockets=6)
        assert elapsed < WITHIN_SECONDS
    finally:
        app.stop()
        redis.stop()
