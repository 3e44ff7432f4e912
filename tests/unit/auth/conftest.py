"""Fixtures for the sign-in tests: cheap password hashing, a fake clock, and Redis and
PostgreSQL on demand (the app database per test is tests/unit/conftest.py's ``app_db``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ftapp.auth import accounts
from tests.helpers import postgres
from tests.helpers.fakes import FakeClock
from tests.helpers.servers import REDIS_SERVER, start_redis
from tests.helpers.sign_in import FAST_HASHER


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1_800_000_000.0)


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts, "_hasher", FAST_HASHER)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private redis-server on loopback (skipped when redis-server is not installed)."""
    if not Path(REDIS_SERVER).exists():
        pytest.skip("redis-server is not installed")
    server = start_redis(tmp_path_factory.mktemp("redis"))
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A private PostgreSQL server's URL (skipped when PostgreSQL or a driver is missing)."""
    if (reason := postgres.unavailable_reason()) is not None:
        pytest.skip(reason)
    with postgres.temporary_postgres() as url:
        yield url
