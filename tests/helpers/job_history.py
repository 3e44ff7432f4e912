"""The job history's tests: jobs and polls to record, and what the app database then holds
(records, transitions, the statements it ran)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from ftapp import database
from ftapp.history.record import RECORDS, TRANSITIONS, Poll
from ftapp.upstream import Job
from tests.unit.snapshots import job

WORKSPACE = "0123456789abcdef"
CREATED = 1_767_225_600  # 2026-01-01T00:00:00Z, the created time of tests.unit.snapshots.job


def a_job(job_id: str, status: str = "Running", **fields: Any) -> Job:
    return Job.model_validate(job(job_id, fields.pop("name", f"job-{job_id}"), status, **fields))


def poll(*jobs: Job, at: float, interval: float = 2.0, asked: float | None = None) -> Poll:
    return Poll(WORKSPACE, tuple(jobs), at - 0.1 if asked is None else asked, at, interval)


def records() -> dict[str, sa.Row]:
    """Job id -> its record."""
    with database.engine().connect() as connection:
        rows = connection.execute(sa.select(RECORDS).order_by(RECORDS.c.id)).all()
    return {row.job_id: row for row in rows}


def transitions() -> list[tuple[str, str, int, float]]:
    """(job id, status, observed at, poll interval) of every transition, in order."""
    statement = sa.select(
        TRANSITIONS.c.job_id,
        TRANSITIONS.c.status,
        TRANSITIONS.c.observed_at,
        TRANSITIONS.c.poll_interval_seconds,
    ).order_by(TRANSITIONS.c.id)
    with database.engine().connect() as connection:
        return [tuple(row) for row in connection.execute(statement).all()]  # type: ignore[misc]


@contextmanager
def statements() -> Iterator[list[str]]:
    """The SQL statements the app database runs within the block."""
    ran: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        ran.append(statement.split(None, 1)[0].upper())

    engine = database.engine()
    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        yield ran
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)
