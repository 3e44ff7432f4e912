"""The history's facade: who may read it, and that it reads the configured workspace only."""

from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa

from ftapp import database
from ftapp.history.view import HistoryView
from ftapp.services import connection, export_chunks, history_page
from ftapp.services.job_records import DATABASE_AWAY
from tests.helpers.history_records import SANDBOX_WORKSPACE, Recorded, insert
from tests.helpers.people import ADMIN, OPERATOR, VIEWER


@pytest.fixture(autouse=True)
def recorded(app_db: str) -> None:
    connection.reset()
    insert(
        database.engine(),
        [
            Recorded("here-1", "in-this-workspace", created_by="olga"),
            Recorded("there-1", "in-another-workspace", workspace="0123456789abcdef"),
        ],
    )


def test_the_default_start_reads_the_sandbox_workspace() -> None:
    assert connection.workspace() == SANDBOX_WORKSPACE


@pytest.mark.parametrize("who", [VIEWER, OPERATOR, ADMIN], ids=lambda who: str(who.role))
async def test_every_role_reads_this_workspaces_history(who) -> None:
    result = await history_page(who, HistoryView())
    assert result.refusal == ""
    assert [record.name for record in result.records] == ["in-this-workspace"]
    assert (result.total, result.recorded) == (1, 1)
    assert result.creators == ["olga"]


async def test_choices_only_when_asked() -> None:
    result = await history_page(VIEWER, HistoryView(), with_choices=False)
    assert result.models == []
    assert result.creators == []
    assert result.total == 1


async def test_nobody_signed_in_is_refused_with_a_message() -> None:
    result = await history_page(None, HistoryView())
    assert result.refusal == "Sign in to continue."
    assert result.records == []
    with pytest.raises(PermissionError, match="Sign in"):
        await export_chunks(None, HistoryView(), "csv")
    with pytest.raises(ValueError, match="format"):
        await export_chunks(VIEWER, HistoryView(), "xlsx")


async def test_an_export_streams_and_can_be_abandoned() -> None:
    pieces = await export_chunks(VIEWER, HistoryView(), "json")
    assert await anext(pieces) == "["
    await pieces.aclose()  # a client that went away: the query is closed, nothing leaks
    whole = "".join([piece async for piece in await export_chunks(VIEWER, HistoryView(), "csv")])
    assert "in-this-workspace" in whole
    assert "in-another-workspace" not in whole


async def test_a_database_away_is_a_message_not_a_crash(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def locked(*_args: object) -> None:
        raise sa.exc.OperationalError("SELECT", {}, sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr(database, "in_thread", locked)
    result = await history_page(VIEWER, HistoryView())
    assert result.refusal == DATABASE_AWAY
    assert result.records == []
    assert "The history could not be read: OperationalError" in caplog.text
