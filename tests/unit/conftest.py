"""Fixtures for unit tests of State handlers and services: a hosted API mocked with respx."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import respx

from ftapp import database
from ftapp.auth import state as auth_state
from ftapp.auth.roles import Identity, Role
from ftapp.database import upgrade_on_start
from ftapp.services import connection
from tests.helpers.appdb import use_database
from tests.helpers.hosted_api import API_BASE, SECRET_KEY


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


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database file at the latest revision, made once per test session."""
    path = tmp_path_factory.mktemp("template") / "app.db"
    with use_database(f"sqlite:///{path}"):
        upgrade_on_start()
        database.dispose_engines()
    return path


@pytest.fixture
def app_db(tmp_path: Path, migrated_template: Path) -> Iterator[str]:
    """A fresh migrated SQLite app database for this test; yields its URL."""
    path = tmp_path / "app.db"
    shutil.copy(migrated_template, path)
    with use_database(f"sqlite:///{path}") as url:
        yield url


@pytest.fixture
def signed_in(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Identity]:
    """``signed_in(role, name)``: handlers see this person as signed in (until the test ends)."""

    def sign_in(role: str = "operator", name: str = "olga") -> Identity:
        identity = Identity(
            user_id=1, username=name, role=Role(role), session_key="0" * 16, expires_at=2**31
        )

        async def current_user(_state: object) -> Identity:
            return identity

        monkeypatch.setattr(auth_state, "current_user", current_user)
        return identity

    return sign_in
