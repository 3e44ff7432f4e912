"""Actions on jobs: get one, create one, delete one. Upstream errors become outcomes here,
and the shared feed learns at once what an action changed."""

from __future__ import annotations

import logging

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
from ftapp.services.workspace import READ_ONLY_KEY
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


async def get_job(job_id: str) -> JobLookup:
    """The job with id ``job_id``, fetched now."""
    try:
        return JobLookup(job=await connection.upstream().get_job(job_id))
    except NotFound:
        return JobLookup(missing=True)
    except UpstreamError as exc:
        return JobLookup(error=exc.message)


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


async def create_job(job: JobInput) -> CreateOutcome:
    """Create ``job`` (never retried, so at most one job per call).

    Every open page of the workspace shows a created job at once; a 403 tells them all that
    the key is read-only.
    """
    feed = connection.feed()
    try:
        created = await connection.upstream().create_job(job)
    except UpstreamError as exc:
        if isinstance(exc, PermissionDenied):
            await feed.note_may_create(False)
        return _refusal(exc)
    except Exception:  # a bug must not leave the form pending for good
        log.exception("creating a job failed")
        return Refused(UNEXPECTED, next_action=NextAction.RETRY)
    await feed.remember_job(created)
    return Created(created, f"Job {created.name} created.")


async def _name_of(job_id: str) -> str | None:
    """The job's name as the API knows it (the feed's list first); None when it is gone."""
    job_list = connection.feed().snapshot.job_list
    for job in job_list.jobs if job_list else ():
        if job.id == job_id:
            return job.name
    found = await get_job(job_id)
    if found.job is not None:
        return found.job.name
    return None if found.missing else f"job {job_id}"


async def delete_job(job_id: str) -> Deletion:
    """Delete the job with id ``job_id``; messages name it as the API does, never as a
    browser said."""
    feed = connection.feed()
    name = await _name_of(job_id)
    if name is None:
        await feed.forget_job(job_id)
        return Deletion(True, "That job was already deleted.", Level.INFO)
    try:
        await connection.upstream().delete_job(job_id)
    except NotFound:
        await feed.forget_job(job_id)
        return Deletion(True, f"“{name}” was already deleted.", Level.INFO)
    except PermissionDenied:
        return Deletion(False, "This API key may not delete jobs.", Level.ERROR)
    except UpstreamError as exc:
        return Deletion(False, f"Could not delete “{name}”. {exc.message}", Level.ERROR)
    await feed.forget_job(job_id)
    return Deletion(True, f"Deleted “{name}”.", Level.SUCCESS)
