"""``/readyz``: ready with a usable database; not ready (503) when the database cannot be
used; degraded (200) when the API's last poll failed for a watched workspace; the reason in
words, and nothing of a workspace, key or address."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from ftapp import health
from ftapp.services import connection
from tests.helpers.appdb import use_database


async def readyz() -> tuple[int, dict[str, Any]]:
    app = Starlette(routes=health.health_routes())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
        answer = await client.get("/readyz")
    assert answer.headers["cache-control"] == "no-store"
    return answer.status_code, answer.json()


def feed(error: str = "", kind: str = "") -> Any:
    return SimpleNamespace(snapshot=SimpleNamespace(error=error, error_kind=kind), running=True)


async def test_ready_with_a_usable_database_and_nothing_watched(app_db: str) -> None:
    status, body = await readyz()
    assert status == 200
    assert body["status"] == "ready"
    assert body["checks"]["database"] == {"ok": True}
    assert "redis" not in body["checks"]  # Reflex does not run on Redis here
    assert body["checks"]["upstream"]["ok"] is True


async def test_a_database_that_cannot_be_used_is_not_ready(tmp_path: Path) -> None:
    (tmp_path / "app.db").mkdir()  # a folder where the database file should be
    with use_database(f"sqlite:///{tmp_path / 'app.db'}"):
        status, body = await readyz()
    assert status == 503
    assert body["status"] == "not ready"
    assert body["checks"]["database"] == {"ok": False, "reason": "OperationalError"}


async def test_a_failing_api_is_degraded_not_unready(
    app_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret_message = "Cannot reach https://training.example.test/api with key sk-SECRET"
    feeds = [feed(), feed(secret_message, "NotConnected"), feed()]
    monkeypatch.setattr(connection, "watched_feeds", lambda: feeds)
    status, body = await readyz()
    assert status == 200
    assert body["status"] == "degraded"
    assert body["checks"]["upstream"] == {
        "ok": False,
        "watched": 3,
        "reason": "the last poll failed for 1 of 3 (NotConnected)",
    }
    assert "example.test" not in json.dumps(body)
    assert "SECRET" not in json.dumps(body)
