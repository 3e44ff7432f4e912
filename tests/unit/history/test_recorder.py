"""ftapp.history.recorder in a running process: polls written off the event loop, in order,
failures logged once and healed by the next poll; and what the services' creates, deletes and
lookups record (the app on its embedded sandbox)."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from ftapp import services
from ftapp.auth.roles import Identity, Role
from ftapp.history import recorder as history
from ftapp.history.record import Known, Poll, write_poll
from ftapp.history.recorder import Recorder
from ftapp.job_fields import JobInput
from ftapp.services import connection
from ftapp.services.feed import PollIntervals, Snapshot, WorkspaceFeed
from ftapp.upstream import JobList
from tests.helpers.fakes import eventually
from tests.helpers.job_history import CREATED, WORKSPACE, a_job, poll, records, transitions

T0 = CREATED + 3600
OPERATOR = Identity(1, "olga", Role.OPERATOR, "0" * 16, 2**31)


class FlakyWrite:
    """write_poll, failing the first ``failures`` times as a locked database does."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0
        self.threads: set[str] = set()

    def __call__(self, each: Poll, known: Known | None) -> dict:
        self.calls += 1
        self.threads.add(threading.current_thread().name)
        if self.calls <= self.failures:
            raise sa.exc.OperationalError("UPDATE", {}, sqlite3.OperationalError("locked"))
        return write_poll(each, known)


async def test_polls_are_written_in_a_thread_in_order() -> None:
    write = FlakyWrite(0)
    recorder = Recorder(write)
    for step, status in enumerate(["Running", "Running", "Completed"]):
        recorder.polled(poll(a_job("a", status), at=T0 + step))
    await recorder.flush()

    assert threading.current_thread().name not in write.threads
    assert [t[:3] for t in transitions()] == [("a", "Running", T0), ("a", "Completed", T0 + 2)]


async def test_a_failing_write_is_logged_once_and_the_next_poll_writes_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    recorder = Recorder(FlakyWrite(failures=3))
    with caplog.at_level(logging.WARNING, logger="ftapp.history.recorder"):
        for step in range(3):  # the database stays locked for three polls
            recorder.polled(poll(a_job("a"), a_job("b"), at=T0 + step))
            await recorder.flush()
        assert records() == {}
        recorder.polled(poll(a_job("a"), at=T0 + 3))  # b was deleted meanwhile
        await recorder.flush()

    lines = [r.getMessage() for r in caplog.records]
    assert lines == [
        "The job history could not be written (OperationalError); trying again at the next poll.",
        "The job history is written again.",
    ]
    assert list(records()) == ["a"]
    assert records()["a"].first_seen_at == T0 + 3


async def test_a_new_holder_compares_with_the_database_first() -> None:
    recorder = Recorder()
    feed_recorder = recorder.for_workspace(WORKSPACE)
    feed_recorder.polled(JobList(jobs=[a_job("a")]), T0 - 1, T0, 2.0)
    await recorder.flush()
    write_poll(poll(a_job("a", "Completed"), at=T0 + 5), None)  # another process held meanwhile

    feed_recorder.resync()
    feed_recorder.polled(JobList(jobs=[a_job("a", "Completed")]), T0 + 9, T0 + 10, 2.0)
    await recorder.flush()

    assert records()["a"].finished_at == T0 + 5
    assert records()["a"].updated_at == T0 + 5  # nothing rewritten


async def test_the_feed_records_each_poll_with_the_time_since_the_last_list() -> None:
    lists = iter([JobList(jobs=[a_job("a")]), JobList(jobs=[a_job("a", "Completed")])])

    async def fetch() -> JobList:
        return next(lists)

    recorder = Recorder()
    clock = iter([T0 - 0.2, T0, T0 + 2.8, T0 + 3.0])
    feed = WorkspaceFeed(
        fetch,
        PollIntervals(running_seconds=2.0),
        recorder=recorder.for_workspace(WORKSPACE),
        clock=lambda: next(clock),
    )
    await feed._poll_once()
    await feed._poll_once()
    await recorder.flush()

    assert transitions() == [("a", "Running", T0, 2.0), ("a", "Completed", T0 + 3, 3.0)]


# --- what the services' actions record --------------------------------------------------------


@pytest.fixture
def sandbox_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """The app on its embedded sandbox (no hosted API), on a fresh sandbox database."""
    for name in ("FT_API_BASE_URL", "FT_API_KEY", "FT_SANDBOX_REFUSED_MODELS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FT_SANDBOX_DB", str(tmp_path / "sandbox.db"))
    monkeypatch.setattr(history, "clock", lambda: T0)
    connection.reset()
    yield
    connection.reset()


def new_job(name: str) -> JobInput:
    return JobInput(
        name=name,
        base_model="meta-llama/Llama-3.1-8B-Instruct",
        epochs=3,
        evaluation_epochs=1,
        warmup_epochs=1,
        learning_rate=0.0001,
    )


async def test_a_create_records_who_created_the_job(sandbox_env: None) -> None:
    outcome = await services.create_job(new_job("made-here"), OPERATOR)
    assert isinstance(outcome, services.Created)
    await history.flush()

    row = records()[outcome.job.id]
    assert row.workspace == connection.workspace()
    assert (row.name, row.created_by, row.first_seen_at, row.status) == (
        "made-here",
        "olga",
        T0,
        "Running",
    )


async def test_a_delete_records_who_deleted_the_job_and_when(sandbox_env: None) -> None:
    feed = connection.feed()
    feed.snapshot = Snapshot(job_list=await connection.upstream().list_jobs())
    doomed = feed.snapshot.job_list.jobs[0]  # type: ignore[union-attr]

    deletion = await services.delete_job(doomed.id, OPERATOR)
    assert deletion.gone
    await history.flush()

    row = records()[doomed.id]
    assert (row.deleted_by, row.deleted_at, row.name) == ("olga", T0, doomed.name)


async def test_a_lookup_makes_a_record_once(sandbox_env: None) -> None:
    listed = await connection.upstream().list_jobs()
    wanted = listed.jobs[0]

    await services.get_job(wanted.id)
    await history.flush()
    assert records()[wanted.id].first_seen_at == T0

    writes = []
    history.recorder.write_soon = lambda *args: writes.append(args)  # type: ignore[method-assign]
    try:
        await services.get_job(wanted.id)
    finally:
        del history.recorder.write_soon
    assert writes == [], "this process knows the job has a record"


async def test_the_apps_feed_records_what_it_polls(sandbox_env: None) -> None:
    feed = connection.feed()
    watching = feed.watch()
    await anext(watching)
    await eventually(lambda: feed.snapshot.job_list is not None)
    await history.flush()
    await watching.aclose()

    listed = feed.snapshot.job_list
    assert listed is not None
    assert sorted(records()) == sorted(job.id for job in listed.jobs)
    assert len(transitions()) == len(listed.jobs)
