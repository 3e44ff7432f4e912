"""Writing the job history: what a poll saw of a workspace's jobs, as records and transitions.

A :class:`Poll` is one successful ``GET /jobs`` of a workspace (by its feed identity, never the
key). :func:`write_poll` writes what it changed compared with ``known``, what was last written
for that workspace (kept in memory by the writing process), or, when ``known`` is None (after a
start or a lease handover), compared with what the database holds: a poll that changes nothing
writes nothing, and a new holder does not rewrite every record.

- a new job: its :class:`~ftapp.models.JobRecord` (name, base model, every request field as
  JSON by its wire name, the API's created time, when ftapp first saw it, its status) and a
  :class:`~ftapp.models.JobTransition` for that first status;
- a new status: one transition, and the record's status (only when that transition is new, so
  a late writer holding an older list can never move a record back);
- a finished job (Completed, Failed): ``finished_at`` (when a poll first saw it finished) and
  ``duration_seconds`` (from the API's created time, else from when ftapp first saw it);
- a job missing from the list: ``gone_at``, once (never for a record that appeared after the
  poll was asked, e.g. written by a create's answer meanwhile).

Every write is idempotent (``INSERT ... ON CONFLICT DO NOTHING`` on the tables' unique keys,
updates guarded by ``IS NULL``), so two writers (a retry, a holder and its successor) never
duplicate anything. :func:`record_job` and :func:`mark_deleted` write what a create's answer,
a lookup and a delete through ftapp tell. Blocking database work: call from a thread
(:func:`ftapp.database.in_thread`); :mod:`ftapp.history.recorder` does.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
import sqlmodel

from ftapp import database
from ftapp.job_fields import JOB_FIELDS
from ftapp.models import JobRecord, JobTransition
from ftapp.rules import JobStatus
from ftapp.upstream import Job

RECORDS: sa.Table = JobRecord.__table__  # type: ignore[attr-defined]
TRANSITIONS: sa.Table = JobTransition.__table__  # type: ignore[attr-defined]
FINISHED = frozenset({JobStatus.COMPLETED.value, JobStatus.FAILED.value})
"""The statuses a job ends in."""
_RECORD_KEY = ("workspace", "job_id")
_TRANSITION_KEY = ("workspace", "job_id", "status")
_UNWRITTEN = ""
"""The status of a known job whose status has no transition yet (so it is written)."""


@dataclass(frozen=True)
class Seen:
    """What a record holds of one job as the API lists it (what a poll compares)."""

    name: str
    base_model: str
    settings: str
    created_at: int | None
    status: str


Known = Mapping[str, Seen]
"""Job id -> what was last written of it, for one workspace's jobs still listed."""


def settings_json(job: Job) -> str:
    """Every request field of ``job`` by its wire name (:data:`ftapp.job_fields.JOB_FIELDS`)."""
    return json.dumps({field.name: getattr(job, field.attribute) for field in JOB_FIELDS})


def epoch(moment: datetime | None) -> int | None:
    """Whole epoch seconds of ``moment`` (a time without a zone counts as UTC)."""
    if moment is None:
        return None
    return int((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp())


def seen(job: Job) -> Seen:
    """What a record holds of ``job``."""
    return Seen(job.name, job.base_model, settings_json(job), epoch(job.created), job.status)


@dataclass(frozen=True)
class Poll:
    """One successful ``GET /jobs`` of a workspace: its (complete) list and when."""

    workspace: str
    """The feed's workspace identity (a hash of the API's URL and key)."""
    jobs: tuple[Job, ...]
    asked_at: float
    """When the request was sent (epoch seconds): a record first seen later is not judged."""
    observed_at: float
    """When the answer arrived: the time of what it shows."""
    interval_seconds: float
    """How long before ``observed_at`` a change it shows may have happened."""


def write_poll(poll: Poll, known: Known | None) -> dict[str, Seen]:
    """Write what ``poll`` changed since ``known`` (None: since what the database holds);
    return what is known now. Nothing changed: no statement at all (after ``known`` is had)."""
    if known is None:
        known = load_known(poll.workspace)
    listed = {job.id: seen(job) for job in poll.jobs}
    changed = sorted(job_id for job_id, now in listed.items() if known.get(job_id) != now)
    missing = sorted(set(known) - set(listed))
    if not changed and not missing:
        return listed
    at = int(poll.observed_at)
    with database.session() as session:
        for job_id in changed:  # one order for every writer (no deadlock between two)
            _write_job(session, poll, job_id, listed[job_id], at)
        undecided = _mark_gone(session, poll, missing, at) if missing else []
        session.commit()
    return {**listed, **{job_id: known[job_id] for job_id in undecided}}


def load_known(workspace: str) -> dict[str, Seen]:
    """What the database holds of ``workspace``'s jobs not yet gone (a status without its
    transition counts as unwritten)."""
    transition = TRANSITIONS.c
    record = RECORDS.c
    statement = (
        sa.select(
            record.job_id,
            record.name,
            record.base_model,
            record.settings,
            record.created_at,
            record.status,
            transition.id.label("transition_id"),
        )
        .select_from(RECORDS)
        .outerjoin(
            TRANSITIONS,
            sa.and_(
                transition.workspace == record.workspace,
                transition.job_id == record.job_id,
                transition.status == record.status,
            ),
        )
        .where(record.workspace == workspace, record.gone_at.is_(None))
    )
    with database.session() as session:
        rows = session.execute(statement).all()
    return {
        row.job_id: Seen(
            row.name,
            row.base_model,
            row.settings,
            row.created_at,
            row.status if row.transition_id is not None else _UNWRITTEN,
        )
        for row in rows
    }


def _insert(session: sqlmodel.Session, table: sa.Table) -> Any:
    return database.conflict_insert(table, session.get_bind().dialect.name)


def _duration(finished_at: int, created_at: int | None, first_seen_at: int | None) -> int | None:
    start = created_at if created_at is not None else first_seen_at
    return None if start is None else max(0, finished_at - start)


def _record_values(workspace: str, job: Seen, job_id: str, at: int) -> dict[str, Any]:
    """A new record's columns: first seen ``at``; finished ``at`` if it already is (a
    duration only from the API's created time: nothing of its run was seen)."""
    values: dict[str, Any] = {
        "workspace": workspace,
        "job_id": job_id,
        "name": job.name,
        "base_model": job.base_model,
        "settings": job.settings,
        "status": job.status,
        "created_at": job.created_at,
        "first_seen_at": at,
        "updated_at": at,
    }
    if job.status in FINISHED:
        values["finished_at"] = at
        values["duration_seconds"] = _duration(at, job.created_at, None)
    return values


def _write_job(session: sqlmodel.Session, poll: Poll, job_id: str, job: Seen, at: int) -> None:
    record = RECORDS.c
    inserted = session.execute(
        _insert(session, RECORDS)
        .values(**_record_values(poll.workspace, job, job_id, at))
        .on_conflict_do_nothing(index_elements=list(_RECORD_KEY))
        .returning(record.id)
    ).first()
    new_status = _add_transition(session, poll, job_id, job.status, at)
    if inserted is not None:
        return
    this = sa.and_(record.workspace == poll.workspace, record.job_id == job_id)
    row = session.execute(sa.select(RECORDS).where(this)).one()
    updates: dict[str, Any] = {
        name: getattr(job, name)
        for name in ("name", "base_model", "settings")
        if getattr(row, name) != getattr(job, name)
    }
    if job.created_at is not None and row.created_at != job.created_at:
        updates["created_at"] = job.created_at
    if new_status and row.status != job.status:
        updates["status"] = job.status
    if updates:
        session.execute(sa.update(RECORDS).where(this).values(**updates, updated_at=at))
    if job.status in FINISHED and row.finished_at is None:
        created_at = updates.get("created_at", row.created_at)
        session.execute(
            sa.update(RECORDS)
            .where(this, record.finished_at.is_(None))
            .values(
                finished_at=at,
                duration_seconds=_duration(at, created_at, row.first_seen_at),
                updated_at=at,
            )
        )


def _add_transition(
    session: sqlmodel.Session, poll: Poll, job_id: str, status: str, at: int
) -> bool:
    """Add the transition to ``status`` unless it is there; True when it was new."""
    added = session.execute(
        _insert(session, TRANSITIONS)
        .values(
            workspace=poll.workspace,
            job_id=job_id,
            status=status,
            observed_at=at,
            poll_interval_seconds=max(0.0, float(poll.interval_seconds)),
        )
        .on_conflict_do_nothing(index_elements=list(_TRANSITION_KEY))
        .returning(TRANSITIONS.c.id)
    ).first()
    return added is not None


def _mark_gone(session: sqlmodel.Session, poll: Poll, missing: Iterable[str], at: int) -> list[str]:
    """Mark the records of ``missing`` jobs gone; return those it could not judge (first seen
    after the poll was asked: they stay known, the next poll decides)."""
    record = RECORDS.c
    missing = list(missing)
    asked = poll.asked_at  # records made outside polls round up (see first_seen_not_before)
    of_missing = sa.and_(
        record.workspace == poll.workspace, record.job_id.in_(missing), record.gone_at.is_(None)
    )
    session.execute(
        sa.update(RECORDS)
        .where(of_missing, record.first_seen_at < asked)
        .values(gone_at=at, updated_at=at)
    )
    return list(
        session.execute(
            sa.select(record.job_id).where(of_missing, record.first_seen_at >= asked)
        ).scalars()
    )


def first_seen_not_before(moment: float) -> int:
    """The whole second to record as first seen for a record made outside a poll (a create's
    answer, a lookup): rounded up, so that a poll asked before it never judges it gone,
    while a record a poll made (rounded down) is judged by the very next poll, even when both
    fall in one second (a page that leaves then would leave no later poll to decide)."""
    return math.ceil(moment)


def record_job(workspace: str, job: Job, at: int, created_by: str = "") -> None:
    """Make sure ``job`` has a record (first seen ``at`` if it had none); with
    ``created_by``, who created it through ftapp (kept if already known). The status and its
    transitions stay the polling process's to write."""
    with database.session() as session:
        _ensure_record(session, workspace, job, at, created_by)
        session.commit()


def _ensure_record(
    session: sqlmodel.Session, workspace: str, job: Job, at: int, created_by: str = ""
) -> None:
    values = _record_values(workspace, seen(job), job.id, at)
    statement = _insert(session, RECORDS).values(**values, created_by=created_by)
    if created_by:
        statement = statement.on_conflict_do_update(
            index_elements=list(_RECORD_KEY),
            set_={"created_by": created_by, "updated_at": at},
            where=RECORDS.c.created_by == "",
        )
    else:
        statement = statement.on_conflict_do_nothing(index_elements=list(_RECORD_KEY))
    session.execute(statement)


def mark_deleted(workspace: str, job_id: str, job: Job | None, deleted_by: str, at: int) -> None:
    """Record that ``deleted_by`` deleted the job through ftapp at ``at`` (once; with ``job``,
    its record is made first if no poll has written it yet)."""
    record = RECORDS.c
    with database.session() as session:
        if job is not None:
            _ensure_record(session, workspace, job, at)
        session.execute(
            sa.update(RECORDS)
            .where(
                record.workspace == workspace,
                record.job_id == job_id,
                record.deleted_at.is_(None),
            )
            .values(deleted_by=deleted_by, deleted_at=at, updated_at=at)
        )
        session.commit()
