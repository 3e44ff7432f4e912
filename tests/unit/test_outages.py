"""An unreachable Redis or app database is a readable 503 with Retry-After, one WARNING line
and no traceback; a person waits on a locked SQLite database for seconds, background writers
as long as before."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from redis.exceptions import BusyLoadingError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route, Router, WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocket

from ftapp import database, outages
from ftapp.models import ThrottledKey
from tests.helpers import postgres
from tests.helpers.servers import free_port

HTML = {"accept": "text/html,application/xhtml+xml"}


def locked_error(path: Path) -> sa.exc.OperationalError:
    """The error SQLite gives a writer while another connection holds the database."""
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE IF NOT EXISTS t (x INTEGER)")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        engine = sa.create_engine(f"sqlite:///{path}", connect_args={"timeout": 0})
        with pytest.raises(sa.exc.OperationalError) as caught, engine.begin() as connection:
            connection.execute(sa.text("INSERT INTO t VALUES (1)"))
        engine.dispose()
        return caught.value
    finally:
        holder.rollback()
        holder.close()


def test_redis_errors_that_say_it_is_unreachable(tmp_path: Path) -> None:
    for error in (RedisConnectionError("refused"), RedisTimeoutError(), BusyLoadingError()):
        assert outages.unreachable_store(error) == outages.REDIS
    group = ExceptionGroup("in a task group", [ValueError(), RedisConnectionError()])
    assert outages.unreachable_store(group) == outages.REDIS


def test_a_locked_sqlite_database_is_unreachable_a_missing_table_is_a_bug(
    tmp_path: Path,
) -> None:
    assert outages.unreachable_store(locked_error(tmp_path / "app.db")) == outages.DATABASE
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'app.db'}")
    with pytest.raises(sa.exc.OperationalError) as caught, engine.connect() as connection:
        connection.execute(sa.text("SELECT * FROM no_such_table"))
    engine.dispose()
    assert outages.unreachable_store(caught.value) is None
    assert outages.unreachable_store(ValueError("a bug")) is None


@pytest.mark.skipif(postgres.postgres_driver() is None, reason="no PostgreSQL driver")
def test_a_postgresql_server_that_is_down_is_unreachable() -> None:
    driver = postgres.postgres_driver()
    engine = sa.create_engine(f"postgresql+{driver}://ftapp@127.0.0.1:{free_port()}/ftapp")
    with pytest.raises(sa.exc.OperationalError) as caught:
        engine.connect()
    engine.dispose()
    assert outages.unreachable_store(caught.value) == outages.DATABASE


# --- the ASGI layer ---------------------------------------------------------------------------


def down(store_error: Exception):
    async def endpoint(_request: Request) -> PlainTextResponse:
        raise store_error

    return endpoint


async def bug(_request: Request) -> PlainTextResponse:
    raise ValueError("a bug")


async def socket(websocket: WebSocket) -> None:
    raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379.")


async def wait_seconds(_request: Request) -> PlainTextResponse:
    return PlainTextResponse(str(database._wait_seconds.get()))


INNER = Router(
    routes=[
        Route("/redis", down(RedisConnectionError("Error 111")), methods=["GET", "POST"]),
        Route("/database", down(sa.exc.TimeoutError("QueuePool limit reached"))),
        Route("/bug", bug),
        Route("/wait", wait_seconds),
        WebSocketRoute("/_event/", socket),
    ]
)


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(outages.Unavailable(INNER), raise_server_exceptions=True) as test_client:
        yield test_client


def test_a_navigation_gets_a_page_that_says_what_is_missing(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        response = client.get("/redis?next=/", headers=HTML)
    assert response.status_code == 503
    assert response.headers["retry-after"] == str(outages.RETRY_AFTER_SECONDS)
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-type"].startswith("text/html")
    assert "ftapp cannot reach Redis" in response.text
    assert "Try again" in response.text
    (record,) = [r for r in caplog.records if r.name == "ftapp.outages"]
    assert record.levelno == logging.WARNING
    assert record.exc_info is None
    assert record.getMessage() == "503 for GET /redis: Redis cannot be reached (ConnectionError)"
    assert "Error 111" not in caplog.text


def test_other_requests_get_one_line_of_text(client: TestClient) -> None:
    for response in (client.post("/redis"), client.get("/database")):
        assert response.status_code == 503
        assert response.headers["retry-after"] == str(outages.RETRY_AFTER_SECONDS)
        assert response.headers["content-type"].startswith("text/plain")
    assert "database" in client.get("/database").text


def test_a_websocket_upgrade_is_refused_with_503(client: TestClient) -> None:
    from starlette.testclient import WebSocketDenialResponse

    with pytest.raises(WebSocketDenialResponse) as refused, client.websocket_connect("/_event/"):
        pass
    assert refused.value.status_code == 503
    assert refused.value.headers["retry-after"] == str(outages.RETRY_AFTER_SECONDS)


def test_any_other_error_is_not_hidden(client: TestClient) -> None:
    with pytest.raises(ValueError, match="a bug"):
        client.get("/bug")


def test_an_http_request_waits_on_a_locked_database_only_as_long_as_a_person_does(
    client: TestClient,
) -> None:
    assert float(client.get("/wait").text) == database.PERSON_WAIT_SECONDS
    assert database._wait_seconds.get() == database.BACKGROUND_WAIT_SECONDS


# --- how long the database is waited on -------------------------------------------------------


@pytest.fixture
def held_database(app_db: str) -> Iterator[threading.Event]:
    """The app database held by another connection (``BEGIN EXCLUSIVE``) until the event
    the fixture yields is set (or the test ends)."""
    path = database.sqlite_path(app_db)
    assert path is not None
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    release = threading.Event()
    waiter = threading.Thread(target=lambda: (release.wait(30), holder.rollback()))
    waiter.start()
    yield release
    release.set()
    waiter.join()
    holder.close()


def insert_attempt() -> None:
    with database.session() as session:
        session.add(ThrottledKey(key_digest=f"{time.time_ns():064x}"[-64:]))
        session.commit()


def test_a_person_waits_for_a_locked_database_a_few_seconds_background_work_longer(
    held_database: threading.Event, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database, "PERSON_WAIT_SECONDS", 0.5)
    started = time.monotonic()
    with database.person_waiting(), pytest.raises(sa.exc.OperationalError) as caught:
        insert_attempt()
    assert 0.4 < time.monotonic() - started < 3
    assert database.unreachable(caught.value)

    # Background work on the same pooled connection waits its own, longer time: the holder
    # lets go after a second and the write goes through.
    threading.Timer(1.0, held_database.set).start()
    started = time.monotonic()
    insert_attempt()
    assert 0.9 < time.monotonic() - started < database.BACKGROUND_WAIT_SECONDS
