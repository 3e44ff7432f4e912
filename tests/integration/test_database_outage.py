"""The app database out of reach is a message, not a 500: with its SQLite file held by another
connection (``BEGIN EXCLUSIVE``, as a long write or a copy with the sqlite3 tool would), the
sign-in link, the sign-in form and a page request whose session must record its use get a
readable 503 with ``Retry-After`` within a few seconds (a person waits 3 s on a locked
database, not 10), one WARNING line each and no traceback; once the file is free again the
same link signs in. With the accounts in PostgreSQL, a server that went down is the same
message."""

from __future__ import annotations

import re
import sqlite3
import time
from pathlib import Path

import httpx
import pytest

from ftapp.database import PERSON_WAIT_SECONDS
from tests.helpers import postgres
from tests.helpers.servers import ACCESS_TOKEN, start_app
from tests.integration.helpers import REPO_ROOT, app_on_its_sandbox

HTML = {"accept": "text/html,application/xhtml+xml"}
TOLD_WITHIN_SECONDS = PERSON_WAIT_SECONDS + 3


def test_a_locked_database_is_a_message_within_seconds(tmp_path: Path) -> None:
    with app_on_its_sandbox(tmp_path, "locked-database-app.log", 2.0) as app:
        cookie = app.sign_in_cookie()
        database = Path(app.db_url.removeprefix("sqlite:///"))
        # Last used 2 minutes ago: the next page request records its use (a write).
        with sqlite3.connect(database) as connection:
            connection.execute("UPDATE auth_session SET last_seen_at = last_seen_at - 120")
        with httpx.Client(base_url=app.url, timeout=30) as browser:
            form = browser.get("/login")
            csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
            assert csrf is not None
            requests = {
                "GET /login": lambda: browser.get(
                    "/login", params={"token": ACCESS_TOKEN}, headers=HTML
                ),
                "POST /login": lambda: browser.post(
                    "/login",
                    data={"username": "bob", "password": "secret", "csrf": csrf.group(1)},
                    headers={"origin": app.url, **HTML},
                ),
                "GET /w/default": lambda: httpx.get(
                    f"{app.url}/w/default", headers={"cookie": cookie, **HTML}, timeout=30
                ),
            }
            holder = sqlite3.connect(database, isolation_level=None)
            holder.execute("BEGIN EXCLUSIVE")
            try:
                for name, request in requests.items():
                    started = time.monotonic()
                    response = request()
                    elapsed = time.monotonic() - started
                    assert response.status_code == 503, (name, response.status_code)
                    assert response.headers["retry-after"].isdigit(), name
                    assert response.headers["content-type"].startswith("text/html"), name
                    assert "ftapp cannot reach its database" in response.text, name
                    assert elapsed < TOLD_WITHIN_SECONDS, (name, elapsed)
            finally:
                holder.rollback()
                holder.close()
        assert app.sign_in_cookie()  # the same link works once the database is free
        log = app.log()
    assert "Traceback" not in log
    for name in requests:
        line = f"503 for {name}: the app database cannot be reached (OperationalError)"
        assert log.count(line) == 1, (line, log[-3000:])


@pytest.mark.skipif(postgres.unavailable_reason() is not None, reason="PostgreSQL is not here")
def test_a_postgresql_server_that_went_down_is_a_message(tmp_path: Path) -> None:
    server = postgres.temporary_postgres()
    running = True
    database = server.__enter__()
    try:
        env = {"REFLEX_DB_URL": database, "FT_SANDBOX_DB": str(tmp_path / "sandbox.db")}
        app = start_app(env, REPO_ROOT / "test-artifacts" / "postgres-down-app.log")
        try:
            cookie = app.sign_in_cookie()
            running = False
            server.__exit__(None, None, None)  # PostgreSQL stops; the app runs on
            page = httpx.get(f"{app.url}/w/default", headers={"cookie": cookie, **HTML}, timeout=30)
            link = httpx.get(
                f"{app.url}/login", params={"token": ACCESS_TOKEN}, headers=HTML, timeout=30
            )
            for response in (page, link):
                assert response.status_code == 503, (response.url, response.status_code)
                assert response.headers["retry-after"].isdigit()
                assert "ftapp cannot reach its database" in response.text
        finally:
            app.stop()
    finally:
        if running:
            server.__exit__(None, None, None)
    log = app.log()
    assert "Traceback" not in log
    assert "503 for GET /w/default: the app database cannot be reached (OperationalError)" in log
