"""Fixtures for unit tests of State handlers and services: a hosted API mocked with respx."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import respx

from ftapp.services import connection

API_BASE = "https://api.example.test/api"
SECRET_KEY = "sk-unit-SECRET-4242"


@pytest.fixture
def hosted_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[respx.MockRouter]:
    """Point the app at a mocked hosted API (retries without delay); yields the respx router."""
    monkeypatch.setenv("FT_API_BASE_URL", API_BASE)
    monkeypatch.setenv("FT_API_KEY", SECRET_KEY)
    monkeypatch.setenv("FT_API_READ_RETRIES", "0")
    connection.reset()
    with respx.mock(base_url=API_BASE, assert_all_called=False) as router:
        yield router
    connection.reset()
