"""The history's tests: a fresh app database per test (``app_db``), PostgreSQL on demand."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers import postgres


@pytest.fixture(autouse=True)
def _fresh_app_db(app_db: str) -> str:
    return app_db


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A private PostgreSQL server's URL (skipped when PostgreSQL or a driver is missing)."""
    if (reason := postgres.unavailable_reason()) is not None:
        pytest.skip(reason)
    with postgres.temporary_postgres() as url:
        yield url
