"""Fixtures for the sign-in tests: a fresh, migrated app database per test, cheap password
hashing, settings and caches reset around every test, a fake clock, and Redis and PostgreSQL
on demand."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher

from ftapp.auth import accounts, sessions
from ftapp.settings import Settings, load_settings
from ftapp.settings import use_settings as use_current_settings
from tests.helpers import postgres
from tests.helpers.appdb import reset_caches, use_database  # noqa: F401  (tests import them from here)
from tests.helpers.fakes import FakeClock
from tests.helpers.servers import free_port

REAL_HASHER = accounts._hasher
# Cheap argon2 parameters: the tests verify many passwords (the real ones take ~0.1 s).
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1_800_000_000.0)


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts, "_hasher", FAST_HASHER)


def use_settings(**env: str) -> Settings:
    """Make sign-in run with these ``FT_*`` variables (names without the prefix)."""
    settings = load_settings({f"FT_{name.upper()}": value for name, value in env.items()})
    use_current_settings(settings)
    sessions.use_session_store(None)
    return settings


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private redis-server on loopback (skipped when redis-server is not installed)."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    directory = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(directory)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        import redis

        client = redis.Redis(port=port)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A private PostgreSQL server's URL (skipped when PostgreSQL or a driver is missing)."""
    if (reason := postgres.unavailable_reason()) is not None:
        pytest.skip(reason)
    with postgres.temporary_postgres() as url:
        yield url
