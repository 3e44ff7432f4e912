"""Actions on jobs: get one, create one, delete one. Who may do what is checked here, every
create and delete attempt goes into the activity log with its outcome (written after the
answer, never holding it up), upstream errors become outcomes, and the shared feed learns at
once what an action changed. The job history learns who created and who deleted a job, and
a job looked up gets a record if it had none (:mod:`ftapp.history.recorder`: written by the
process that served the action, in the background; the statuses are the poller's to write).

A create is made at most once: when its answer is lost, ftapp looks for the job instead of
offering a blind retry (:mod:`.create_check`), and keeps looking in the background until it
knows, so the activity log gets the outcome once it is known.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterator

from ftapp.auth.roles import Identity, Permission
from ftapp.history import recorder as history
from ftapp.job_fields import FIELD_LABELS, FIELDS, JobInput
from ftapp.routes import DEFAULT_WORKSPACE
from ftapp.services import activity, connection, create_check
from ftapp.services.activity import Action, Outcome
from ftapp.services.create_check import Absent, Found, PendingCreate, Unknown
from ftapp.services.outcomes import (
    Created,
    CreateOutcome,
    Deletion,
    JobLookup,
    Level,
    NextAction,
    Refused,
    Uncertain,
)
from ftapp.services.workspace import NO_DELETE_KEY, READ_ONLY_KEY
from ftapp.upstream import (
    Job,
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
SESSION_ENDED = "Your session has ended. Sign in again to continue."
CHECKING = (
    "The Job Training API's answer was lost, so ftapp is checking whether your job was "
    "created. Submit comes back if it was not."
)
NOT_CREATED = "The job was not created. {reason}"
CHECKED_ABSENT = "ftapp checked with the Job Training API: you can submit it again."
FOUND_AFTER_ALL = "Job {name} created (the API's answer was lost; ftapp found the job)."
SETTLE_CHECK_SECONDS = 3.0
"""How often the background check asks the API about a create whose answer was lost."""
SETTLE_GIVE_UP_SECONDS = 15 * 60.0
"""How long it keeps asking before the activity log says the outcome stays unknown."""
_settling: set[asyncio.Task] = set()
_under_way: set[asyncio.Task] = set()


MAX_JOB_ID = 200
"""Ids longer than this name no job (the API's are uuids): they are not even asked about."""


async def get_job(job_id: str, slug: str = DEFAULT_WORKSPACE) -> JobLookup:
    """The job with id ``job_id`` in workspace ``slug``, fetched now. The shared list learns
    of a job it did not hold yet (e.g. one created elsewhere since the last poll)."""
    if not job_id or len(job_id) > MAX_JOB_ID:
        return JobLookup(missing=True)
    try:
        job = await connection.upstream(slug).get_job(job_id)
    except NotFound:
        return JobLookup(missing=True)
    except UpstreamError as exc:
        return JobLookup(error=exc.message)
    feed = connection.feed(slug)
    if _listed_job(job.id, slug) is None and feed.snapshot.job_list is not None:
        await feed.remember_job(job)
    history.looked_up_soon(connection.workspace(slug), job)
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


def begin_create(job: JobInput, slug: str = DEFAULT_WORKSPACE) -> PendingCreate:
    """What a submit must remember before it sends ``job`` to workspace ``slug`` (see
    :mod:`.create_check`): now, and the ids of the jobs the workspace holds."""
    job_list = connection.feed(slug).snapshot.job_list
    known = frozenset(listed.id for listed in job_list.jobs) if job_list else frozenset()
    return PendingCreate(job=job, started_at=time.time(), known_ids=known, workspace=slug)


async def create_job(
    job: JobInput, actor: Identity | None, *, pending: PendingCreate | None = None
) -> CreateOutcome:
    """Create ``job`` for ``actor`` (never retried, so at most one job per call); ``pending``
    is what the submit remembered before it sent it (:func:`begin_create`, taken now if not
    given).

    A role that may not create is refused before the API is asked. Every open page of the
    workspace shows a created job at once; a 403 tells them all that the key is read-only.
    A create whose answer was lost is looked for rather than reported failed.
    """
    pending = pending or begin_create(job)
    if actor is None:
        return Refused(SESSION_ENDED)
    if not actor.may(Permission.CREATE_JOBS):
        reason = actor.refusal(Permission.CREATE_JOBS)
        activity.record_soon(actor, Action.CREATE, "", job.name, Outcome.REFUSED_BY_ROLE, reason)
        return Refused(reason)
    feed = connection.feed(actor.workspace)
    try:
        created = await connection.upstream(actor.workspace).create_job(job)
    except UpstreamError as exc:
        if create_check.outcome_is_unknown(exc):
            return await _look_for_lost_create(pending, actor, exc)
        if isinstance(exc, PermissionDenied):
            await feed.note_permission("may_create", False)
        refusal = _refusal(exc)
        activity.record_soon(actor, Action.CREATE, "", job.name, _outcome_of(exc), refusal.message)
        return refusal
    except Exception:  # a bug must not leave the form pending for good
        log.exception("creating a job failed")
        activity.record_soon(actor, Action.CREATE, "", job.name, Outcome.FAILED, UNEXPECTED)
        return Refused(UNEXPECTED, next_action=NextAction.RETRY)
    await feed.remember_job(created)
    history.created_soon(connection.workspace(actor.workspace), created, actor.username)
    activity.record_soon(actor, Action.CREATE, created.id, created.name, Outcome.DONE)
    return Created(created, f"Job {created.name} created.")


async def check_create(pending: PendingCreate) -> CreateOutcome:
    """Whether a submit whose answer was lost made its job (for a page showing it: a reload,
    another tab, a reconnect). Records nothing: the process that sent the create does."""
    result = await _look_once(pending)
    return await _as_outcome(result, reason=CHECKED_ABSENT, slug=pending.workspace)


async def _look_once(pending: PendingCreate) -> create_check.CheckResult:
    """One look for ``pending``'s job in a fresh list of the workspace's jobs."""

    async def fresh_list():
        return await connection.upstream(pending.workspace).list_jobs()

    return await create_check.check(pending, fresh_list, connection.settings().api_timeout)


async def _as_outcome(result: create_check.CheckResult, reason: str, slug: str) -> CreateOutcome:
    if isinstance(result, Found):
        await connection.feed(slug).remember_job(result.job)
        return Created(result.job, FOUND_AFTER_ALL.format(name=result.job.name))
    if isinstance(result, Absent):
        return Refused(NOT_CREATED.format(reason=reason), next_action=NextAction.RETRY)
    return Uncertain(CHECKING)


async def _look_for_lost_create(
    pending: PendingCreate, actor: Identity, error: UpstreamError
) -> CreateOutcome:
    """The create's answer was lost: look for its job now; if that cannot tell yet, keep
    looking in the background until the activity log can say how it ended."""
    log.warning("A create's answer was lost (%s): looking for the job.", type(error).__name__)
    result = await _look_once(pending)
    outcome = await _as_outcome(result, reason=error.message, slug=pending.workspace)
    if isinstance(result, Unknown):
        task = asyncio.get_running_loop().create_task(_settle(pending, actor, error))
        _settling.add(task)
        task.add_done_callback(_settling.discard)
    else:
        _record_settled(pending, actor, result, error)
    return outcome


def _record_settled(
    pending: PendingCreate, actor: Identity, result: create_check.CheckResult, error: UpstreamError
) -> None:
    name = pending.job.name
    if isinstance(result, Found):
        history.created_soon(connection.workspace(pending.workspace), result.job, actor.username)
        detail = "The API's answer was lost; the job was found."
        activity.record_soon(actor, Action.CREATE, result.job.id, name, Outcome.DONE, detail)
    elif isinstance(result, Absent):
        activity.record_soon(actor, Action.CREATE, "", name, Outcome.FAILED, error.message)
    else:
        detail = f"Unknown: the API could not be asked ({result.reason})"
        activity.record_soon(actor, Action.CREATE, "", name, Outcome.FAILED, detail)


async def _settle(pending: PendingCreate, actor: Identity, error: UpstreamError) -> None:
    """Ask until the create's outcome is known (or :data:`SETTLE_GIVE_UP_SECONDS` pass)."""
    deadline = time.monotonic() + SETTLE_GIVE_UP_SECONDS
    result: create_check.CheckResult = Unknown("ftapp stopped before it could tell")
    try:
        while time.monotonic() < deadline:
            await asyncio.sleep(SETTLE_CHECK_SECONDS)
            try:
                result = await _look_once(pending)
            except Exception:  # keep asking: the log line must not be lost to a bug
                log.exception("checking a lost create failed")
                continue
            if not isinstance(result, Unknown):
                break
        if isinstance(result, Found):
            await connection.feed(pending.workspace).remember_job(result.job)
    finally:  # also when a stop cuts the check short: the line says what is known
        _record_settled(pending, actor, result, error)


async def settle_lost_creates(timeout_seconds: float) -> None:
    """Wait (at most ``timeout_seconds``) for the background checks of lost creates."""
    if pending := [task for task in _settling if not task.done()]:
        await asyncio.wait(pending, timeout=timeout_seconds)


@contextlib.contextmanager
def under_way() -> Iterator[None]:
    """Count the current task as a create under way until the block ends (a page wraps its
    whole submit, so that a clean stop waits until the outcome has reached the page)."""
    task = asyncio.current_task()
    if task is None:
        yield
        return
    _under_way.add(task)
    try:
        yield
    finally:
        _under_way.discard(task)


async def finish_under_way(timeout_seconds: float) -> None:
    """At a clean stop: wait (at most ``timeout_seconds`` in all) for the creates under way,
    then for the checks of lost creates and the activity lines still being written. A check
    that still cannot tell is recorded as such, never dropped."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_seconds
    if creating := [task for task in _under_way if not task.done()]:
        log.warning("Stopping: waiting for %d create(s) under way.", len(creating))
        await asyncio.wait(creating, timeout=max(0.0, deadline - loop.time()))
    await settle_lost_creates(max(0.0, deadline - loop.time()))
    for task in [task for task in _settling if not task.done()]:
        task.cancel()  # its ``finally`` records that the outcome is unknown
        with contextlib.suppress(BaseException):
            await task
    await activity.flush(max(0.1, deadline - loop.time()))
    await history.flush(max(0.1, deadline - loop.time()))


def _listed_job(job_id: str, slug: str) -> Job | None:
    """The job as workspace ``slug``'s shared list shows it, if it is there."""
    job_list = connection.feed(slug).snapshot.job_list
    return next((job for job in job_list.jobs if job.id == job_id), None) if job_list else None


def _listed_name(job_id: str, slug: str) -> str | None:
    """The job's name in workspace ``slug``'s shared list, if it is there."""
    return job.name if (job := _listed_job(job_id, slug)) is not None else None


async def _name_of(job_id: str, slug: str) -> str | None:
    """The job's name as the API knows it (the feed's list first); None when it is gone."""
    if (listed := _listed_name(job_id, slug)) is not None:
        return listed
    found = await get_job(job_id, slug)
    if found.job is not None:
        return found.job.name
    return None if found.missing else f"job {job_id}"


async def delete_job(job_id: str, actor: Identity | None) -> Deletion:
    """Delete the job with id ``job_id`` for ``actor``; messages name it as the API does,
    never as a browser said. A role that may not delete is refused before the API is asked."""
    if actor is None:
        return Deletion(False, SESSION_ENDED, Level.ERROR)
    slug = actor.workspace
    feed = connection.feed(slug)
    if not actor.may(Permission.DELETE_JOBS):
        reason = actor.refusal(Permission.DELETE_JOBS)
        listed = _listed_name(job_id, slug) or ""  # the upstream is not asked anything
        activity.record_soon(actor, Action.DELETE, job_id, listed, Outcome.REFUSED_BY_ROLE, reason)
        return Deletion(False, reason, Level.ERROR)
    name = await _name_of(job_id, slug)
    if name is None:
        await feed.forget_job(job_id)
        activity.record_soon(actor, Action.DELETE, job_id, "", Outcome.REFUSED_BY_API, "gone")
        return Deletion(True, "That job was already deleted.", Level.INFO)
    try:
        await connection.upstream(slug).delete_job(job_id)
    except NotFound:
        await feed.forget_job(job_id)
        activity.record_soon(actor, Action.DELETE, job_id, name, Outcome.REFUSED_BY_API, "gone")
        return Deletion(True, f"“{name}” was already deleted.", Level.INFO)
    except PermissionDenied:
        message = NO_DELETE_KEY
        await feed.note_permission("may_delete", False)  # every open page turns Delete off
        activity.record_soon(actor, Action.DELETE, job_id, name, Outcome.REFUSED_BY_API, message)
        return Deletion(False, message, Level.ERROR)
    except UpstreamError as exc:
        activity.record_soon(actor, Action.DELETE, job_id, name, Outcome.FAILED, exc.message)
        return Deletion(False, f"Could not delete “{name}”. {exc.message}", Level.ERROR)
    listed = _listed_job(job_id, slug)
    await feed.forget_job(job_id)
    history.deleted_soon(connection.workspace(slug), job_id, listed, actor.username)
    activity.record_soon(actor, Action.DELETE, job_id, name, Outcome.DONE)
    return Deletion(True, f"Deleted “{name}”.", Level.SUCCESS)
