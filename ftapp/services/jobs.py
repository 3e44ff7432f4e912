"""Actions on jobs: get one, create one, delete one. Who may do what is checked here, every
create and delete attempt goes into the activity log with its outcome, upstream errors become
outcomes, and the shared feed learns at once what an action changed."""

from __future__ import annotations

import logging

from ftapp.auth import activity
from ftapp.auth.activity import Action, Outcome
from ftapp.auth.identity import Identity
from ftapp.auth.roles import Permission
from ftapp.rules import FIELD_LABELS, FIELDS, JobInput
from ftapp.services import connection
from ftapp.services.outcomes import (
    Created,
    CreateOutcome,
    Deletion,
    JobLookup,
    Level,
    NextAction,
    Refused,
)
from ftapp.services.workspace import NO_DELETE_KEY, READ_ONLY_KEY
from ftapp.upstream import (
    JobLimitReached,
    NotFound,
    PermissionDenied,
    Unauthorized,
    UpstreamError,
    ValidationFailed,
)

log = logging.getLogger(__name__)

API_REFUSED_VALUES = "The API refused some values: see the messages under the fields."
UNEXPECTED = "Something went wrong on ftapp's server. Try again."
SIGNED_OUT = "Your session has ended. Sign in again to continue."


MAX_JOB_ID = 200
"""Ids longer than this name no job (the API's are uuids): they are not even asked about."""


async def get_job(job_id: str) -> JobLookup:
    """The job with id ``job_id``, fetched now. The shared list learns of a job it did not
    hold yet (e.g. one created elsewhere since the last poll)."""
    if not job_id or len(job_id) > MAX_JOB_ID:
        return JobLookup(missing=True)
    try:
        job = await connection.upstream().get_job(job_id)
    except NotFound:
        return JobLookup(missing=True)
    except UpstreamError as exc:
        return JobLookup(error=exc.message)
    if _listed_name(job.id) is None and connection.feed().snapshot.job_list is not None:
        await connection.feed().remember_job(job)
    return JobLookup(job=job)


def split_api_fields(fields: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """A 400's ``fields``: ``(messages for job fields, messages for anything else)``.

    The contract names fields as the form does (``baseModel``, ``learningRate``...); a
    message for another name (e.g. ``body``) has no field to sit under.
    """
    for_fields = {name: fields[name] for name in FIELDS if name in fields}
    others = [
        f"{FIELD_LABELS.get(name, name)}: {message}"
        for name, message in fields.items()
        if name not in FIELDS
    ]
    return for_fields, others


def _refusal(exc: UpstreamError) -> Refused:
    if isinstance(exc, ValidationFailed):
        for_fields, others = split_api_fields(exc.fields)
        return Refused(" ".join(others) or API_REFUSED_VALUES, for_fields)
    if isinstance(exc, PermissionDenied):
        return Refused(READ_ONLY_KEY)
    if isinstance(exc, JobLimitReached):
        return Refused(exc.message, next_action=NextAction.DASHBOARD)
    if isinstance(exc, Unauthorized):
        return Refused(exc.message)
    return Refused(exc.message, next_action=NextAction.RETRY)


def _outcome_of(exc: UpstreamError) -> Outcome:
    """How a refused or failed call goes into the activity log."""
    if isinstance(exc, ValidationFailed | PermissionDenied | JobLimitReached | NotFound):
        return Outcome.REFUSED_BY_API
    return Outcome.FAILED


async def create_job(job: JobInput, actor: Identity | None) -> CreateOutcome:
    """Create ``job`` for ``actor`` (never retried, so at most one job per call).

    A role that may not create is refused before the API is asked. Every open page of the
    workspace shows a created job at once; a 403 tells them all that the key is read-only.
    """
    if actor is None:
        return Refused(SIGNED_OUT)
    if not actor.may(Permission.CREATE_JOBS):
        reason = actor.refusal(Permission.CREATE_JOBS)
        await activity.record(actor, Action.CREATE, "", job.name, Outcome.REFUSED_BY_ROLE, reason)
        return Refused(reason)
    feed = connection.feed()
    try:
        created = await connection.upstream().create_job(job)
    except UpstreamError as exc:
        if isinstance(exc, PermissionDenied):
            await feed.note_permission("may_create", False)
        refusal = _refusal(exc)
        await activity.record(actor, Action.CREATE, "", job.name, _outcome_of(exc), refusal.message)
        return refusal
    except Exception:  # a bug must not leave the form pending for good
        log.exception("creating a job failed")
        await activity.record(actor, Action.CREATE, "", job.name, Outcome.FAILED, UNEXPECTED)
        return Refused(UNEXPECTED, next_action=NextAction.RETRY)
    await feed.remember_job(created)
    await activity.record(actor, Action.CREATE, created.id, created.name, Outcome.DONE)
    return Created(created, f"Job {created.name} created.")


def _listed_name(job_id: str) -> str | None:
    """The job's name in the shared feed's list, if it is there."""
    job_list = connection.feed().snapshot.job_list
    return next((job.name for job in job_list.jobs if job.id == job_id), None) if job_list else None


async def _name_of(job_id: str) -> str | None:
    """The job's name as the API knows it (the feed's list first); None when it is gone."""
    if (listed := _listed_name(job_id)) is not None:
        return listed
    found = await get_job(job_id)
    if found.job is not None:
        return found.job.name
    return None if found.missing else f"job {job_id}"


async def delete_job(job_id: str, actor: Identity | None) -> Deletion:
    """Delete the job with id ``job_id`` for ``actor``; messages name it as the API does,
    never as a browser said. A role that may not delete is refused before the API is asked."""
    if actor is None:
        return Deletion(False, SIGNED_OUT, Level.ERROR)
    feed = connection.feed()
    if not actor.may(Permission.DELETE_JOBS):
        reason = actor.refusal(Permission.DELETE_JOBS)
        listed = _listed_name(job_id) or ""  # the upstream is not asked anything
        await activity.record(actor, Action.DELETE, job_id, listed, Outcome.REFUSED_BY_ROLE, reason)
        return Deletion(False, reason, Level.ERROR)
    name = await _name_of(job_id)
    if name is None:
        await feed.forget_job(job_id)
        await activity.record(actor, Action.DELETE, job_id, "", Outcome.REFUSED_BY_API, "gone")
        return Deletion(True, "That job was already deleted.", Level.INFO)
    try:
        await connection.upstream().delete_job(job_id)
    except NotFound:
        await feed.forget_job(job_id)
        await activity.record(actor, Action.DELETE, job_id, name, Outcome.REFUSED_BY_API, "gone")
        return Deletion(True, f"“{name}” was already deleted.", Level.INFO)
    except PermissionDenied:
        message = NO_DELETE_KEY
        await feed.note_permission("may_delete", False)  # every open page turns Delete off
        await activity.record(actor, Action.DELETE, job_id, name, Outcome.REFUSED_BY_API, message)
        return Deletion(False, message, Level.ERROR)
    except UpstreamError as exc:
        await activity.record(actor, Action.DELETE, job_id, name, Outcome.FAILED, exc.message)
        return Deletion(False, f"Could not delete “{name}”. {exc.message}", Level.ERROR)
    await feed.forget_job(job_id)
    await activity.record(actor, Action.DELETE, job_id, name, Outcome.DONE)
    return Deletion(True, f"Deleted “{name}”.", Level.SUCCESS)
