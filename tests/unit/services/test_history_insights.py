"""Comparing and charting the history through the services: every role that may read the
history may, nobody signed in may not, and only the configured workspace's records count."""

from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa

from ftapp import database
from ftapp.history.view import HistoryView
from ftapp.services import compare_jobs, connection, history_charts
from ftapp.services.job_records import DATABASE_AWAY
from tests.helpers.history_records import Recorded, insert
from tests.helpers.people import ADMIN, OPERATOR, VIEWER


@pytest.fixture(autouse=True)
def recorded(app_db: str) -> None:
    connection.reset()
    insert(
        database.engine(),
        [
            Recorded("here-1", "first", settings={"epochs": 2}),
            Recorded("here-2", "second", "Failed", settings={"epochs": 4}),
            Recorded("there-1", "elsewhere", workspace="0123456789abcdef"),
        ],
    )


@pytest.mark.parametrize("who", [VIEWER, OPERATOR, ADMIN], ids=lambda who: str(who.role))
async def test_every_role_compares_and_charts_this_workspace(who) -> None:
    result = await compare_jobs(who, "here-1,here-2,there-1")
    assert result.refusal == ""
    assert [column.name for column in result.comparison.columns] == ["first", "second"]
    assert result.message == "No recorded job has the id there-1: it is left out."
    charts = await history_charts(who, HistoryView())
    assert charts.refusal == ""
    assert sum(point.jobs for s in charts.series for point in s.points) == 2
    assert sum(bar.completed + bar.failed for bar in charts.bars) == 2


async def test_nobody_signed_in_is_refused() -> None:
    assert (await compare_jobs(None, "here-1,here-2")).refusal == "Sign in to continue."
    refused = await history_charts(None, HistoryView())
    assert refused.refusal == "Sign in to continue."
    assert refused.series == []


async def test_a_database_away_is_a_message_for_compare_and_the_charts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def locked(*_args: object) -> None:
        raise sa.exc.OperationalError("SELECT", {}, sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr(database, "in_thread", locked)
    compared = await compare_jobs(VIEWER, "a,b")
    assert compared.message == DATABASE_AWAY
    assert compared.comparison.columns == []
    charted = await history_charts(VIEWER, HistoryView())
    assert charted.refusal == DATABASE_AWAY
    assert charted.series == []
