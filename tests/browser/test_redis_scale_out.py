"""The app scaled out: Reflex's Redis state manager with several backend workers, sign-in
sessions in Redis, and accounts and the activity log in PostgreSQL. Pages, live updates and
delete work as on one process, signed in across workers, and the state really lives in
Redis."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis
import sqlalchemy
from playwright.sync_api import Browser, expect

from tests.helpers import postgres
from tests.helpers.browser import AppServers, SandboxApi
from tests.helpers.servers import ServerProcess, start_redis


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = start_redis(tmp_path_factory.mktemp("redis"))
    yield server.url
    server.stop()


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A private PostgreSQL server for the app database (the scale-out deployment's)."""
    reason = postgres.unavailable_reason()
    if reason is not None:
        pytest.fail(f"PostgreSQL is needed for the scale-out test: {reason}")
    with postgres.temporary_postgres() as url:
        yield url


@pytest.fixture
def redis_app(
    app_servers: AppServers,
    redis_url: str,
    postgres_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> ServerProcess:
    db = tmp_path_factory.getbasetemp() / "redis-sandbox.db"
    return app_servers.get(
        {
            "FT_SANDBOX_DB": str(db),
            "REFLEX_REDIS_URL": redis_url,
            "REFLEX_DB_URL": postgres_url,
            "FT_POLL_RUNNING_SECONDS": "0.5",
            "FT_POLL_IDLE_SECONDS": "0.5",
        }
    )


def test_dashboard_live_updates_and_delete_on_redis(
    browser: Browser, redis_app: ServerProcess, redis_url: str, postgres_url: str
) -> None:
    api = SandboxApi(redis_app.url + "/sandbox/api")
    context = browser.new_context()
    first, second = context.new_page(), context.new_page()
    try:
        for page in (first, second):
            page.goto(redis_app.url + "/")
            expect(
                page.get_by_role("table", name="Jobs").get_by_role("link", name="summarizer-7")
            ).to_be_visible()

        api.create("via-redis")
        for page in (first, second):  # no reload: the live feed reaches both tabs
            expect(page.get_by_role("link", name="via-redis")).to_be_visible(timeout=15_000)

        first.get_by_role("button", name="Delete via-redis").click()
        first.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
        expect(first.get_by_text("Deleted “via-redis”.")).to_be_visible()
        for page in (first, second):
            expect(page.get_by_role("link", name="via-redis")).to_have_count(0, timeout=15_000)
        assert "via-redis" not in api.job_names()
    finally:
        context.close()
        api.close()

    store = redis.Redis.from_url(redis_url)
    assert store.dbsize() > 0, "the app kept no state in Redis"
    assert store.keys("ftapp:auth:session:*"), "the sign-in session is not in Redis"
    with sqlalchemy.create_engine(postgres_url).connect() as db:
        tables = set(sqlalchemy.inspect(db).get_table_names())
        assert {"auth_user", "auth_session", "activity"} <= tables
        deleted = db.execute(
            sqlalchemy.text("SELECT count(*) FROM activity WHERE job_name = 'via-redis'")
        ).scalar_one()
        assert deleted == 1, "the delete is not in the activity log in PostgreSQL"
