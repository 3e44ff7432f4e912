"""What the record gives one job and the wizard: a job's record and timeline (also once the
API has forgotten it), how long similar jobs took, and its notes and tags.

Reads need :attr:`~ftapp.auth.roles.Permission.READ_HISTORY`, note and tag edits
:attr:`~ftapp.auth.roles.Permission.EDIT_NOTES`; every edit (and every refused one) goes into
the activity log. Only the current workspace's records are ever read or written (its identity
as the feed computes it: a hash of the API's URL and key), so an id of another workspace
names nothing here.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from ftapp import database
from ftapp.auth.roles import Identity, Permission
from ftapp.history import estimate as estimates
from ftapp.history import notes
from ftapp.history.job_lookup import JobFile, job_file
from ftapp.history.timeline import TimelineEntry, gone_text, timeline
from ftapp.job_fields import FIELDS
from ftapp.routes import DEFAULT_WORKSPACE
from ftapp.rules import JobStatus
from ftapp.services import activity, connection
from ftapp.services.activity import Action, Outcome
from ftapp.services.jobs import MAX_JOB_ID, SESSION_ENDED, get_job
from ftapp.upstream import Job

log = logging.getLogger(__name__)

DATABASE_AWAY = "ftapp cannot reach its database right now. Try again."
ESTIMATE_SECONDS = 60.0
"""How long the dashboard reuses a model's finished jobs before it reads them again (sooner
when one of the model's listed jobs finishes)."""


def _values(settings: str) -> dict[str, Any]:
    try:
        values = json.loads(settings or "{}")
    except ValueError:
        return {}
    return values if isinstance(values, dict) else {}


@dataclass(frozen=True)
class JobHistory:
    """A job's record as its page shows it."""

    job_id: str
    name: str
    base_model: str
    values: dict[str, Any]
    """The job's request fields (wire names), as recorded."""
    status: str
    created_at: int | None
    duration_seconds: int | None
    gone: str
    """ "Deleted by bob 2 days ago", "Gone from the API 3 hours ago"; "" while listed."""
    timeline: list[TimelineEntry] = field(default_factory=list)
    notes: str = ""
    tags: list[str] = field(default_factory=list)


def _history(found: JobFile, now: float) -> JobHistory:
    record = found.record
    return JobHistory(
        job_id=record.job_id,
        name=record.name,
        base_model=record.base_model,
        values=_values(record.settings),
        status=record.status,
        created_at=record.created_at,
        duration_seconds=record.duration_seconds,
        gone=gone_text(record, now),
        timeline=timeline(record, found.transitions, found.note_edits, now),
        notes=record.notes,
        tags=notes.split_tags(record.tags),
    )


async def job_history(job_id: str, actor: Identity | None) -> JobHistory | None:
    """The record of ``job_id`` in the current workspace, for ``actor``; None when there is
    none, the person may not read the history, or the database cannot be reached."""
    if actor is None or not actor.may(Permission.READ_HISTORY):
        return None
    if not job_id or len(job_id) > MAX_JOB_ID:
        return None
    try:
        found = await database.in_thread(job_file, connection.workspace(actor.workspace), job_id)
    except Exception as error:
        if not database.unreachable(error):
            raise
        log.warning("The job page's record could not be read: %s", type(error).__name__)
        return None
    return None if found is None else _history(found, time.time())


async def recorded_values(job_id: str, actor: Identity | None) -> dict[str, Any] | None:
    """The request fields (wire names) of a recorded job, for a clone of a job the API no
    longer has; None when there is no record (or it may not be read)."""
    history = await job_history(job_id, actor)
    if history is None:
        return None
    return {"name": history.name, "baseModel": history.base_model, **history.values}


# --- notes and tags ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NotesOutcome:
    """What a save of notes and tags did."""

    saved: bool
    message: str
    errors: dict[str, str] = field(default_factory=dict)
    """Per field (``notes``, ``tags``), what is wrong with what was typed."""
    notes: str = ""
    tags: list[str] = field(default_factory=list)


def _created_ts(job: Job) -> float | None:
    """The job's created time in Unix seconds (a time without zone is UTC)."""
    created = job.created
    if created is None:
        return None
    return (created if created.tzinfo else created.replace(tzinfo=UTC)).timestamp()


def _seed(job: Job) -> notes.RecordSeed:
    created = _created_ts(job)
    wire = job.to_wire()
    return notes.RecordSeed(
        name=job.name,
        base_model=job.base_model,
        settings=json.dumps({name: wire[name] for name in FIELDS}),
        status=job.status,
        created_at=None if created is None else int(created),
    )


async def _listed_or_fetched(job_id: str, slug: str) -> Job | None:
    job_list = connection.feed(slug).snapshot.job_list
    listed = next((job for job in job_list.jobs if job.id == job_id), None) if job_list else None
    if listed is not None:
        return listed
    return (await get_job(job_id, slug)).job


async def save_notes(
    job_id: str, typed_notes: str, typed_tags: str, actor: Identity | None
) -> NotesOutcome:
    """Keep ``typed_notes`` and ``typed_tags`` for the job ``job_id`` of the current workspace
    (the API's job, or a recorded one), for ``actor``; the record is made if the recorder
    has not made it yet."""
    if actor is None:
        return NotesOutcome(False, SESSION_ENDED)
    if not actor.may(Permission.EDIT_NOTES):
        reason = actor.refusal(Permission.EDIT_NOTES)
        activity.record_soon(actor, Action.NOTES, job_id, "", Outcome.REFUSED_BY_ROLE, reason)
        return NotesOutcome(False, reason)
    change = notes.check(typed_notes, typed_tags)
    if change.errors:
        return NotesOutcome(False, "The notes were not saved: see the messages.", change.errors)
    if not job_id or len(job_id) > MAX_JOB_ID:
        return NotesOutcome(False, "There is no such job.")
    job = await _listed_or_fetched(job_id, actor.workspace)
    seed = _seed(job) if job is not None else None
    try:
        saved = await database.in_thread(
            notes.save,
            connection.workspace(actor.workspace),
            job_id,
            seed,
            change,
            int(time.time()),
        )
    except Exception as error:
        if not database.unreachable(error):
            raise
        return NotesOutcome(False, f"The notes were not saved: {DATABASE_AWAY}")
    if saved is None:
        return NotesOutcome(False, "There is no such job in this workspace.")
    summary = notes.change_summary(saved.before_notes, saved.before_tags, change)
    if summary:
        activity.record_soon(actor, Action.NOTES, job_id, saved.name, Outcome.DONE, summary)
    message = "Notes and tags saved." if summary else "Nothing changed."
    return NotesOutcome(True, message, notes=change.notes, tags=list(change.tags))


# --- estimates --------------------------------------------------------------------------------


async def estimate_for(
    base_model: str, epochs: int, slug: str = DEFAULT_WORKSPACE
) -> estimates.Estimate | None:
    """How long similar finished jobs of ``base_model`` took in workspace ``slug``; None when
    the database cannot be read (the page then says nothing rather than something wrong)."""
    try:
        finished = await database.in_thread(
            estimates.finished_jobs, connection.workspace(slug), base_model
        )
    except Exception as error:
        if not database.unreachable(error):
            raise
        return None
    return estimates.estimate(epochs, finished)


@dataclass
class _Finished:
    jobs: list[estimates.FinishedJob]
    key: frozenset[tuple[str, str]]
    read_at: float


_finished_cache: dict[tuple[str, str], _Finished] = {}


async def running_estimates(
    jobs: Iterable[Job], slug: str = DEFAULT_WORKSPACE
) -> dict[str, estimates.Estimate]:
    """The estimate of each running job of ``jobs`` (workspace ``slug``'s list), by id: one
    query per model, and none while the model's jobs in the list (and their statuses) are the
    same as at the last read (for :data:`ESTIMATE_SECONDS`)."""
    jobs = list(jobs)
    running = [job for job in jobs if job.status == JobStatus.RUNNING]
    space, now = connection.workspace(slug), time.monotonic()
    result: dict[str, estimates.Estimate] = {}
    for model in {job.base_model for job in running}:
        # Read again when the model's listed jobs change (one starts, finishes or goes).
        key = frozenset((job.id, job.status) for job in jobs if job.base_model == model)
        cached = _finished_cache.get((space, model))
        if cached is None or cached.key != key or now - cached.read_at > ESTIMATE_SECONDS:
            try:
                found = await database.in_thread(estimates.finished_jobs, space, model)
            except Exception as error:
                if not database.unreachable(error):
                    raise
                continue
            cached = _finished_cache[(space, model)] = _Finished(found, key, now)
        for job in running:
            if job.base_model == model:
                result[job.id] = estimates.estimate(job.epochs, cached.jobs)
    return result


def usual_ends(jobs: Iterable[Job], found: Mapping[str, estimates.Estimate]) -> dict[str, float]:
    """For each running job with an estimate: when it usually ends (its created time plus the
    median of similar jobs, Unix seconds)."""
    ends = {}
    for job in jobs:
        estimate = found.get(job.id)
        created = _created_ts(job)
        if estimate is not None and estimate.enough and created is not None:
            ends[job.id] = created + estimate.median_seconds
    return ends
