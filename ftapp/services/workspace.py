"""What the workspace holds and allows right now, read from the shared feed's snapshot.

Every page asks this (the dashboard, the job page and the wizard), so they agree and none of
them fetches the same facts again.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field, replace

from ftapp.routes import DEFAULT_WORKSPACE, workspace_of
from ftapp.rules import MAX_JOBS_PER_WORKSPACE, JobStatus
from ftapp.services import connection
from ftapp.services.feed import Snapshot
from ftapp.services.outcomes import Level
from ftapp.services.snapshot import REFUSED_KEY_KIND
from ftapp.upstream import Job

READ_ONLY_KEY = "This API key may not create jobs (it is read-only)."
NO_DELETE_KEY = "This API key may not delete jobs (it is read-only)."


def quota_text(job_count: int) -> str:
    """E.g. "7 of 10 jobs"."""
    return f"{job_count} of {MAX_JOBS_PER_WORKSPACE} jobs"


KEY_REFUSED = "The API key was refused, so no job can be created. Check FT_API_KEY on the server."
UNREACHABLE = "The Job Training API cannot be reached yet, so no job can be created for now."


def create_blocked_reason(
    job_count: int | None, may_create: bool | None, error_kind: str = ""
) -> str:
    """Why a new job cannot be created now, or "" when nothing is known to stop it.

    ``may_create`` is None when the API has not told (a create then finds out); a workspace
    never loaded (``job_count`` None) says why when its last poll failed (``error_kind``).
    """
    if may_create is False:
        return READ_ONLY_KEY
    if job_count is None and error_kind == REFUSED_KEY_KIND:
        return KEY_REFUSED
    if job_count is None and error_kind:
        return UNREACHABLE
    if job_count is not None and job_count >= MAX_JOBS_PER_WORKSPACE:
        return (
            f"Your workspace holds {quota_text(job_count)}, the maximum. "
            "Delete a job to create another."
        )
    return ""


@dataclass(frozen=True)
class WorkspaceStatus:
    """The facts every page shows about the workspace."""

    job_count: int | None = None
    """Jobs in the workspace; None until the first list arrived."""
    may_create: bool | None = None
    blocked_reason: str = ""
    """Why no job can be created now ("" when nothing is known to stop it)."""
    delete_blocked_reason: str = ""
    """Why no job can be deleted with this key ("" unless the API said so)."""
    models: Mapping[str, str] = field(default_factory=dict)
    """Model id -> display name."""
    models_error: str = ""
    error: str = ""
    """Why the last poll failed ("" when it succeeded)."""
    key_refused: bool = False
    """True when the last poll failed because the API refused the key."""
    updated_at: float = 0.0
    """Unix time of the last good list; 0 before the first."""

    @property
    def full(self) -> bool:
        """True when the workspace is known to hold the maximum number of jobs."""
        return self.job_count is not None and self.job_count >= MAX_JOBS_PER_WORKSPACE


def status_of(snapshot: Snapshot) -> WorkspaceStatus:
    """The workspace as ``snapshot`` shows it."""
    job_count = len(snapshot.job_list.jobs) if snapshot.job_list is not None else None
    return WorkspaceStatus(
        job_count=job_count,
        may_create=snapshot.may_create,
        blocked_reason=create_blocked_reason(job_count, snapshot.may_create, snapshot.error_kind),
        delete_blocked_reason=NO_DELETE_KEY if snapshot.may_delete is False else "",
        models=snapshot.models,
        models_error=snapshot.models_error,
        error=snapshot.error,
        key_refused=snapshot.key_refused,
        updated_at=snapshot.fetched_at or 0.0,
    )


def as_shown(snapshot: Snapshot) -> Snapshot:
    """What a page shows of ``snapshot``: all of it but when it was fetched and how often it
    failed. Two polls with equal ``as_shown`` change nothing on any page, so a page's
    subscription skips the second (no state lock, no message to the browser)."""
    return replace(snapshot, version=0, fetched_at=None, failures=0)


def finished_message(job: Job) -> tuple[Level, str]:
    """How a job that stopped running is announced: ``(level, message)``; "" while it runs."""
    if job.status == JobStatus.COMPLETED:
        return Level.SUCCESS, f"Job {job.name} completed."
    if job.status == JobStatus.FAILED:
        return Level.ERROR, f"Job {job.name} failed."
    if job.status == JobStatus.RUNNING:
        return Level.INFO, ""
    return Level.INFO, f"Job {job.name} is now {job.status}."


def watch(slug: str = DEFAULT_WORKSPACE) -> AsyncIterator[Snapshot]:
    """Every new snapshot of workspace ``slug``'s shared feed, starting with the current one.

    Closing the iterator (Reflex cancels the page's handler when the page closes)
    unsubscribes; the shared poll loop stops when nobody watches.
    """
    return connection.feed(slug).watch()


def current(slug: str = DEFAULT_WORKSPACE) -> Snapshot:
    """The feed's latest snapshot (possibly empty: nothing loaded yet)."""
    return connection.feed(slug).snapshot


def current_if_fresh(slug: str = DEFAULT_WORKSPACE) -> Snapshot | None:
    """The feed's latest list when a page may show it as current (no older than the poll
    interval, or telling that polls fail); None when the page must wait for the feed."""
    feed = connection.feed(slug)
    snapshot = feed.snapshot
    return snapshot if snapshot.job_list is not None and feed.is_current() else None


def expect_page_at(path: str) -> None:
    """:func:`expect_page` for the workspace a page's ``path`` names, when this process knows
    it already (a stored workspace is read on the page's first event otherwise)."""
    slug = workspace_of(path)
    if slug is None:
        return
    with contextlib.suppress(connection.WorkspaceRemoved):
        expect_page(slug)


def expect_page(slug: str = DEFAULT_WORKSPACE) -> None:
    """A page that follows the workspace was just asked for: have the feed's list current by
    the time the page connects (the poll overlaps the browser loading it)."""
    connection.feed(slug).expect_watcher()


def refresh(slug: str = DEFAULT_WORKSPACE) -> None:
    """Ask the shared feed to poll now (and retry the models if they are missing)."""
    connection.feed(slug).poke()
