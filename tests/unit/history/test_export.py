"""The history's downloads: CSV and JSON of exactly the view's rows, streamed, safe to open in
a spreadsheet, refused without a session; and ``ftapp history export``."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient
from starlette.types import Receive, Scope, Send

from ftapp import cli, database, services
from ftapp.auth.gate import SCOPE_KEY, AuthGate
from ftapp.auth.roles import Identity, Role
from ftapp.history import export, query
from ftapp.history.endpoints import export_routes
from ftapp.history.rows import EXPORT_COLUMNS
from ftapp.history.view import HistoryView
from tests.helpers.history_records import (
    MISTRAL,
    SANDBOX_WORKSPACE,
    T0,
    Recorded,
    insert,
    many,
)

OLGA = Identity(
    user_id=1, username="olga", role=Role.VIEWER, session_key="0" * 16, expires_at=2**31
)

JOBS = [
    Recorded("job-1", "plain-job", created_by="bob", settings={"epochs": 7}),
    Recorded("job-2", "-cmd-job", "Failed", MISTRAL, T0 + 60),  # a legal name starting with -
    Recorded(
        "job-3",
        "deleted-job",
        created_at=T0 + 120,
        deleted_by="bob",
        deleted_at=T0 + 999,
        gone_at=T0 + 999,
        notes='=HYPERLINK("http://evil.example","x")',
        tags="@risky,+plus",
    ),
]


def signed_in_as(identity: Identity | None):
    """The export routes behind a stand-in for the gate that puts ``identity`` in the scope."""
    inner = Starlette(routes=export_routes())

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope[SCOPE_KEY] = identity
        await inner(scope, receive, send)

    return TestClient(app)


@pytest.fixture
def recorded(app_db: str) -> str:
    insert(database.engine(), JOBS)
    return app_db


def parse_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_holds_a_header_of_every_column_then_the_views_rows(recorded: str) -> None:
    response = signed_in_as(OLGA).get(
        "/w/default/history/export.csv?status=Completed&sort=name&dir=asc"
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="ftapp-history-20')
    assert disposition.endswith('.csv"')
    header = next(csv.reader(io.StringIO(response.text)))
    assert tuple(header) == EXPORT_COLUMNS
    assert {"settings.epochs", "settings.learningRate"} <= set(header)
    rows = parse_csv(response.text)
    assert [row["name"] for row in rows] == ["deleted-job", "plain-job"]
    plain = rows[1]
    assert plain["settings.epochs"] == "7"
    assert plain["created_by"] == "bob"
    assert plain["created_at"] == "2026-05-28T20:26:40Z"
    assert plain["deleted_by"] == ""
    assert plain["gone_at"] == ""


def test_csv_cells_never_start_a_formula(recorded: str) -> None:
    rows = parse_csv(signed_in_as(OLGA).get("/w/default/history/export.csv").text)
    by_name = {row["job_id"]: row for row in rows}
    assert by_name["job-2"]["name"] == "'-cmd-job"
    assert by_name["job-3"]["notes"] == '\'=HYPERLINK("http://evil.example","x")'
    assert by_name["job-3"]["tags"] == "'@risky,+plus"
    assert export.safe_cell("+1") == "'+1"
    assert export.safe_cell("\tx") == "'\tx"
    assert export.safe_cell(-1) == -1
    assert export.safe_cell(None) == ""


def test_json_is_an_array_of_the_views_rows_with_their_settings(recorded: str) -> None:
    response = signed_in_as(OLGA).get("/w/default/history/export.json?status=deleted")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-disposition"].endswith('.json"')
    items = response.json()
    assert [item["name"] for item in items] == ["deleted-job"]
    item = items[0]
    assert item["deleted_by"] == "bob"
    assert item["gone_at"].endswith("Z")
    assert item["settings"]["name"] == "deleted-job"
    assert item["settings"]["epochs"] == 3
    assert item["notes"].startswith("=")  # JSON is data, not a spreadsheet: kept as recorded
    assert signed_in_as(OLGA).get("/w/default/history/export.json?q=nothing-matches").json() == []


def test_the_download_streams_in_pieces(recorded: str) -> None:
    insert(database.engine(), many(1_234, prefix="s"))
    pieces = list(export.csv_chunks(query.batches(SANDBOX_WORKSPACE, HistoryView(), 500)))
    assert len(pieces) == 1 + 3  # the header, then one piece per batch of 500
    with signed_in_as(OLGA).stream("GET", "/w/default/history/export.csv") as response:
        received = list(response.iter_text())
    assert len(parse_csv("".join(received))) == 1_237


def test_refused_without_a_session_and_for_unknown_formats(recorded: str) -> None:
    refused = signed_in_as(None).get("/w/default/history/export.csv")
    assert refused.status_code == 403
    assert refused.text == "Sign in to continue."
    assert "plain-job" not in refused.text
    assert signed_in_as(OLGA).get("/w/default/history/export.xml").status_code == 404
    elsewhere = signed_in_as(OLGA).get("/w/no-such-team/history/export.csv")
    assert (elsewhere.status_code, elsewhere.text) == (403, services.NOT_A_MEMBER)


def test_the_gate_turns_away_a_download_without_a_session(recorded: str) -> None:
    client = TestClient(AuthGate(Starlette(routes=export_routes())), follow_redirects=False)
    response = client.get("/w/default/history/export.csv", headers={"accept": "text/csv"})
    assert response.status_code == 401
    assert "plain-job" not in response.text


def test_the_command_writes_the_view_to_a_file_or_stdout(
    recorded: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    target = tmp_path / "history.csv"
    assert cli.main(["history", "export", "--format", "csv", "--output", str(target)]) == 0
    rows = parse_csv(target.read_text())
    assert sorted(row["job_id"] for row in rows) == ["job-1", "job-2", "job-3"]
    assert cli.main(["history", "export", "--format", "json", "--view", "by=bob"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert [item["job_id"] for item in items] == ["job-1"]


def test_the_command_says_when_it_cannot_write(
    recorded: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no-such-folder" / "out.csv"
    assert cli.main(["history", "export", "--output", str(missing)]) == 1
    assert capsys.readouterr().err.startswith(f"ftapp: Cannot write {missing}:")
