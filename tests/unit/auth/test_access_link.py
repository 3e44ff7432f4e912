"""The sign-in link: switched off, expiring, and not derivable from anything stored (the
database and its files)."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from ftapp import database, startup
from ftapp.auth import access
from tests.helpers.sign_in import use_settings
from tests.unit.auth.app import client


def test_the_link_works_until_it_expires(app_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = use_settings(access_link_minutes="30")
    monkeypatch.setenv(startup.START_AT_ENV, "1000")
    assert access.link_refusal(settings, now=1000 + 30 * 60) is None
    assert access.link_refusal(settings, now=1000 + 30 * 60 + 1) == access.LINK_EXPIRED

    token = access.access_token(settings)
    browser = client()
    monkeypatch.setenv(startup.START_AT_ENV, str(int(time.time())))
    assert browser.get("/login", params={"token": token}).status_code == 303
    monkeypatch.setenv(startup.START_AT_ENV, str(int(time.time()) - 31 * 60))
    expired = client().get("/login", params={"token": token})
    assert expired.status_code == 403
    assert "expired" in expired.text
    assert "ftapp_session" not in expired.cookies


def test_the_link_can_be_switched_off(app_db: str) -> None:
    settings = use_settings(access_link="0", access_token="configured-access-token-0123456789")
    assert access.link_refusal(settings) == access.LINK_OFF
    refused = client().get("/login", params={"token": "configured-access-token-0123456789"})
    assert refused.status_code == 403
    assert "switched off" in refused.text
    assert "ftapp_session" not in refused.cookies
    assert "token=" not in access.banner(settings)
    assert access.banner(settings).startswith("Sign in at http://localhost")
    assert access.lifetime_note(settings) == ""


def test_the_banner_says_how_long_the_link_works(app_db: str) -> None:
    assert "24 hours" in access.lifetime_note(use_settings())
    assert "90 minutes" in access.lifetime_note(use_settings(access_link_minutes="90"))


def test_nothing_stored_yields_the_token(
    app_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = use_settings()
    monkeypatch.setenv(startup.START_ID_ENV, "a-start-id-nobody-may-read")
    token = access.access_token(settings)
    access.announce_sign_in_link()
    assert token in capsys.readouterr().out

    stored: list[str] = []
    with database.engine().connect() as connection:
        for table in sa.inspect(connection).get_table_names():
            for row in connection.execute(sa.text(f'SELECT * FROM "{table}"')):
                stored.extend(str(value) for value in row)
    text = "\n".join(stored)
    assert token not in text
    assert "a-start-id-nobody-may-read" not in text  # the start id derives the token


def test_the_database_and_its_folder_are_owner_only(tmp_path: Path) -> None:
    from ftapp.database import upgrade_on_start
    from tests.helpers.appdb import use_database

    folder = tmp_path / "data"
    with use_database(f"sqlite:///{folder / 'ftapp.db'}"):
        use_settings()
        upgrade_on_start()
        access.announce_sign_in_link()
        files = [folder / "ftapp.db", *folder.glob("ftapp.db-*")]
        assert len(files) >= 2  # the database and its WAL
        for file in files:
            assert stat.S_IMODE(os.stat(file).st_mode) == 0o600, file
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
