"""A create is made at most once: when its answer is lost (timeout, connection dropped after
sending, 5xx, garbled answer) ftapp looks for the job instead of offering a blind retry, and
the activity log gets the outcome once it is known, without the create waiting for it."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import httpx
import pytest
import respx

from ftapp import services
from ftapp.services import activity, connection, create_check, jobs
from ftapp.services.create_check import Absent, Found, PendingCreate, Unknown
from ftapp.upstream import JobList, NotConnected, ProtocolError, Unavailable, ValidationFailed
from tests.helpers.people import JOB_INPUT, OPERATOR, log_lines
from tests.unit.snapshots import job, snapshot


def iso(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat().replace("+00:00", "Z")


def made_by(pending: PendingCreate, job_id: str = "new-1", at: float | None = None) -> dict:
    """The job the API made for ``pending``'s request."""
    return {
        **pending.job.to_wire(),
        "id": job_id,
        "status": "Running",
        "createdAt": iso(pending.started_at if at is None else at),
    }


def listing(*jobs_: dict) -> dict:
    return {"jobs": list(jobs_), "summary": {"completed": 0, "running": len(jobs_), "failed": 0}}


# --- which failures leave the outcome open ---------------------------------------------------


@pytest.mark.parametrize(
    ("error", "unknown"),
    [
        (Unavailable(), True),  # timeout, connection lost after sending
        (Unavailable(status_code=502), True),
        (ProtocolError(), True),  # e.g. a 201 whose body could not be read
        (NotConnected(), False),  # nothing was sent
        (Unavailable(status_code=409), False),
        (ValidationFailed({"name": "taken"}), False),
    ],
)
def test_which_failures_may_have_made_the_job(error: Exception, unknown: bool) -> None:
    assert create_check.outcome_is_unknown(error) is unknown  # type: ignore[arg-type]


def test_a_job_is_the_submits_only_with_its_settings_a_new_id_and_a_later_time() -> None:
    pending = PendingCreate(JOB_INPUT, started_at=2_000_000_000.0, known_ids=frozenset({"old"}))
    from ftapp.upstream import Job

    def as_job(**changes: object) -> Job:
        return Job.model_validate({**made_by(pending), **changes})

    assert create_check.matches(as_job(), pending)
    assert create_check.matches(as_job(createdAt=None), pending)  # no time: settings decide
    assert not create_check.matches(as_job(id="old"), pending)  # there before the submit
    assert not create_check.matches(as_job(epochs=4), pending)
    assert not create_check.matches(as_job(name="other"), pending)
    assert not create_check.matches(as_job(createdAt=iso(pending.started_at - 3600)), pending)
    assert create_check.matches(as_job(createdAt=iso(pending.started_at - 60)), pending)  # skew


async def test_the_check_tells_found_absent_or_not_yet() -> None:
    now = time.time()
    pending = PendingCreate(JOB_INPUT, started_at=now)

    async def listed(*jobs_: dict):
        async def fetch() -> JobList:
            return JobList.model_validate(listing(*jobs_))

        return fetch

    found = await create_check.check(pending, await listed(made_by(pending)), 10)
    assert isinstance(found, Found)
    assert found.job.id == "new-1"
    # Not there, but the create may still be under way: cannot tell yet.
    early = await create_check.check(pending, await listed(), 10, clock=lambda: now + 12)
    assert isinstance(early, Unknown)
    # Not there once the create call must be over: surely absent.
    late = await create_check.check(pending, await listed(), 10, clock=lambda: now + 16)
    assert isinstance(late, Absent)

    async def down() -> JobList:
        raise Unavailable("Down.")

    assert await create_check.check(pending, down, 10, clock=lambda: now + 60) == Unknown("Down.")


# --- the create itself -----------------------------------------------------------------------


async def test_a_timed_out_create_that_made_the_job_is_reported_created_once(
    hosted_api: respx.MockRouter,
) -> None:
    pending = services.begin_create(JOB_INPUT)
    create = hosted_api.post("/jobs").mock(side_effect=httpx.ReadTimeout("lost"))
    hosted_api.get("/jobs").respond(200, json=listing(made_by(pending)))

    outcome = await services.create_job(JOB_INPUT, OPERATOR, pending=pending)

    assert isinstance(outcome, services.Created)
    assert outcome.job.id == "new-1"
    assert "found the job" in outcome.message
    assert create.call_count == 1  # never sent twice
    assert await log_lines() == [("olga", "create", "new-1", "new-job", "done")]


async def test_a_lost_create_that_surely_made_nothing_offers_to_try_again(
    hosted_api: respx.MockRouter,
) -> None:
    # The submit began long enough ago that its create call must be over.
    pending = PendingCreate(JOB_INPUT, started_at=time.time() - 60)
    hosted_api.post("/jobs").respond(503, json={"error": "Service Unavailable"})
    hosted_api.get("/jobs").respond(200, json=listing(job("old", "old-job")))

    outcome = await services.create_job(JOB_INPUT, OPERATOR, pending=pending)

    assert isinstance(outcome, services.Refused)
    assert outcome.next_action is services.NextAction.RETRY
    assert outcome.message.startswith("The job was not created.")
    assert await log_lines() == [("olga", "create", "", "new-job", "failed")]


async def test_while_it_cannot_tell_it_says_so_and_settles_the_log_later(
    hosted_api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs, "SETTLE_CHECK_SECONDS", 0.01)
    pending = services.begin_create(JOB_INPUT)
    hosted_api.post("/jobs").mock(side_effect=httpx.ReadTimeout("lost"))
    # The API is down for the first look, then lists the job it made after all.
    hosted_api.get("/jobs").mock(
        side_effect=[
            httpx.ConnectError("down"),
            httpx.Response(200, json=listing(made_by(pending))),
        ]
    )

    outcome = await services.create_job(JOB_INPUT, OPERATOR, pending=pending)

    assert outcome == services.Uncertain(jobs.CHECKING)
    await jobs.settle_lost_creates(5)
    assert await log_lines() == [("olga", "create", "new-1", "new-job", "done")]
    assert connection.feed().snapshot.job_list is None  # no list to add it to yet


async def test_a_page_checks_a_pending_submit_without_writing_the_log(
    hosted_api: respx.MockRouter,
) -> None:
    connection.feed().snapshot = snapshot(job("old", "old-job"))
    pending = services.begin_create(JOB_INPUT)
    assert pending.known_ids == {"old"}
    hosted_api.get("/jobs").respond(200, json=listing(job("old", "old-job"), made_by(pending)))

    outcome = await services.check_create(pending)

    assert isinstance(outcome, services.Created)
    listed = connection.feed().snapshot.job_list
    assert listed is not None
    assert [j.id for j in listed.jobs] == ["new-1", "old"]  # every page shows it at once
    assert await log_lines() == []  # the process that sent the create writes the line


async def test_a_create_answers_at_the_apis_speed_while_the_log_waits(
    hosted_api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ftapp import database

    hosted_api.post("/jobs").respond(201, json=made_by(services.begin_create(JOB_INPUT)))
    monkeypatch.setattr(activity, "RETRY_DELAYS", (0.05, 0.05, 0.05))
    real_insert, failures = activity._insert, []

    def locked_twice(row) -> None:
        if len(failures) < 2:
            failures.append(row)
            raise database.sa.exc.OperationalError("INSERT", {}, Exception("database is locked"))
        real_insert(row)

    monkeypatch.setattr(activity, "_insert", locked_twice)
    started = time.monotonic()
    outcome = await services.create_job(JOB_INPUT, OPERATOR)
    assert time.monotonic() - started < 0.1  # the locked database did not hold it up
    assert isinstance(outcome, services.Created)
    assert await log_lines() == [("olga", "create", "new-1", "new-job", "done")]
    assert len(failures) == 2


async def test_a_line_that_cannot_be_written_is_logged_not_dropped_silently(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(activity, "RETRY_DELAYS", (0.01,))

    def always_locked(_row) -> None:
        raise RuntimeError("database is locked")

    monkeypatch.setattr(activity, "_insert", always_locked)
    activity.record_soon(OPERATOR, "create", "j1", "one", "done")
    await activity.flush()
    lost = [r for r in caplog.records if r.getMessage().startswith("Lost an activity line")]
    assert len(lost) == 1
    assert lost[0].levelname == "ERROR"


async def test_a_create_answers_while_the_database_is_locked_and_its_line_follows(
    hosted_api: respx.MockRouter, app_db: str
) -> None:
    import sqlite3

    from ftapp import database

    hosted_api.post("/jobs").respond(201, json=made_by(services.begin_create(JOB_INPUT)))
    holder = sqlite3.connect(database.sqlite_path(app_db), timeout=0, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process holds the database
    try:
        started = time.monotonic()
        outcome = await services.create_job(JOB_INPUT, OPERATOR)
        answered_after = time.monotonic() - started
        assert isinstance(outcome, services.Created)
        assert answered_after < 1.0  # at the API's speed, not the lock's
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert await log_lines() == [("olga", "create", "new-1", "new-job", "done")]
