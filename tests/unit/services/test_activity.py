"""The activity log: records survive, newest first, pages, and a failure never raises."""

from __future__ import annotations

import pytest

from ftapp import database
from ftapp.auth.roles import Identity, Role
from ftapp.services import activity
from ftapp.services.activity import Action, Outcome
from tests.helpers.log_injection import FORGED, assert_one_bounded_line

BOB = Identity(user_id=1, username="bob", role=Role.OPERATOR, session_key="0" * 16, expires_at=0)


async def test_record_and_read_newest_first(app_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    times = iter([100, 200, 200, 300])
    monkeypatch.setattr(activity, "clock", lambda: next(times))
    await activity.record(BOB, Action.CREATE, "job-1", "first", Outcome.DONE)
    await activity.record(
        ("alice", Role.VIEWER),
        "create",
        "",
        "second",
        "refused_by_role",
        "Viewers may not create jobs.",
    )
    await activity.record(BOB, "delete", "job-1", "first", Outcome.REFUSED_BY_API, "404")
    await activity.record(("admin", "admin"), Action.DELETE, "job-2", "third", Outcome.FAILED)
    rows, total = await activity.recent(page=1, per_page=10)
    assert total == 4
    assert [(r.at, r.username, r.action, r.job_name, r.outcome) for r in rows] == [
        (300, "admin", "delete", "third", "failed"),
        (200, "bob", "delete", "first", "refused_by_api"),  # same second: later id first
        (200, "alice", "create", "second", "refused_by_role"),
        (100, "bob", "create", "first", "done"),
    ]
    assert rows[2].role == "viewer"
    assert rows[2].detail == "Viewers may not create jobs."


async def test_pages(app_db: str) -> None:
    for number in range(7):
        await activity.record(BOB, Action.CREATE, f"job-{number}", f"job-{number}", "done")
    first, total = await activity.recent(page=1, per_page=3)
    third, _ = await activity.recent(page=3, per_page=3)
    beyond, _ = await activity.recent(page=9, per_page=3)
    assert total == 7
    assert [r.job_id for r in first] == ["job-6", "job-5", "job-4"]
    assert [r.job_id for r in third] == ["job-0"]
    assert beyond == []
    clamped, _ = await activity.recent(page=0, per_page=0)
    assert [r.job_id for r in clamped] == ["job-6"]


async def test_it_survives_a_restart(app_db: str) -> None:
    await activity.record(BOB, Action.CREATE, "job-1", "kept", "done")
    database.dispose_engines()  # as a new process would
    rows, total = await activity.recent()
    assert total == 1
    assert rows[0].job_name == "kept"


async def test_a_failure_to_record_is_logged_not_raised(
    app_db: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(_row: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(activity, "_insert", broken)
    monkeypatch.setattr(activity, "RETRY_DELAYS", (0.01, 0.01))
    await activity.record(BOB, Action.DELETE, "job-1", "x", "done")
    await activity.record(BOB, "rename", "job-1", "x", "done")  # unknown action: logged too
    assert caplog.text.count("Lost an activity line") == 1
    assert caplog.text.count("Could not record") == 1


async def test_a_crafted_job_id_is_logged_as_one_bounded_line(
    app_db: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(_row: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(activity, "_insert", broken)
    monkeypatch.setattr(activity, "RETRY_DELAYS", (0.01, 0.01))
    await activity.record(BOB, Action.DELETE, FORGED, "x", "done")
    assert_one_bounded_line(caplog.records, "Lost an activity line")


async def test_long_details_are_cut(app_db: str) -> None:
    await activity.record(BOB, Action.CREATE, "j", "n", "done", "x" * 5000)
    rows, _ = await activity.recent()
    assert len(rows[0].detail) == 2000


async def test_a_line_names_the_address_its_actor_acted_from(app_db: str) -> None:
    await activity.record(BOB.from_address("198.51.100.7"), Action.CREATE, "j", "n", "done")
    await activity.record(("admin", "admin"), Action.WORKSPACE, "", "", "done")  # no address
    await activity.record(BOB.from_address("x" * 500), Action.DELETE, "j", "n", "done")
    rows, _ = await activity.recent()
    assert [row.address for row in rows] == ["x" * 64, "", "198.51.100.7"]
