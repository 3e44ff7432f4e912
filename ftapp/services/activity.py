"""The activity log: who created or deleted which job (or edited its notes and tags), from
which address, when, and how it ended; the workspace's record of actions, and pages of it for
those who may see it. The default workspace's log also says who changed the stored workspaces
and their members.

Kept in the app database, so it survives restarts. Recording never raises into the caller:
the job action matters more than its log line. :func:`record_soon` does not even make the
caller wait: a job action answers at the API's speed while its line is written in the
background, retried while the database is locked or away, and dropped only with an ERROR
line; :func:`record` is the same, waiting for the outcome; :func:`flush` waits for the lines
still being written (at shutdown, and in tests).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

import sqlalchemy as sa
import sqlmodel

from ftapp import database
from ftapp.auth.roles import Identity, Permission, Role
from ftapp.guard.text import one_line
from ftapp.models import Activity
from ftapp.routes import DEFAULT_WORKSPACE
from ftapp.services import connection

log = logging.getLogger(__name__)

MAX_PER_PAGE = 200
_MAX_DETAIL = 2000
_MAX_ADDRESS = 64
clock: Callable[[], float] = time.time
"""Where record times come from (a test replaces it)."""


class Action(StrEnum):
    """What was attempted."""

    CREATE = "create"
    DELETE = "delete"
    NOTES = "notes"
    """A job's notes or tags edited."""
    WORKSPACE = "workspace"
    """A stored workspace added, renamed, given a new key or removed (its detail says which;
    never the key). Logged in the default workspace, with no job."""
    MEMBER = "member"
    """An account made a member of a stored workspace, its role there changed, or removed."""


class Outcome(StrEnum):
    """How an attempt ended (the usual ones; any short word is accepted)."""

    DONE = "done"
    REFUSED_BY_ROLE = "refused_by_role"
    REFUSED_BY_API = "refused_by_api"
    FAILED = "failed"


@dataclass(frozen=True)
class ActivityEntry:
    """One line of the activity log."""

    id: int
    at: int
    username: str
    role: str
    action: str
    job_id: str
    job_name: str
    outcome: str
    detail: str
    address: str = ""
    """The client's address ("" when not known)."""


Who = Identity | tuple[str, Role | str]
"""A signed-in :class:`Identity` (with the address it acted from), or ``(username, role)``."""


RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0)
"""Waits between attempts to write a line in the background (about 30 s in all)."""
_pending: set[asyncio.Task] = set()


def _row(
    who: Who,
    action: Action | str,
    job_id: str,
    job_name: str,
    outcome: Outcome | str,
    detail: str,
) -> Activity:
    username, role = (who.username, who.role) if isinstance(who, Identity) else who
    slug = who.workspace if isinstance(who, Identity) else DEFAULT_WORKSPACE
    address = who.address if isinstance(who, Identity) else ""
    return Activity(
        workspace=connection.workspace(slug),
        at=int(clock()),
        username=username,
        role=str(role),
        action=Action(action).value,
        job_id=job_id,
        job_name=job_name,
        outcome=str(outcome)[:32],
        detail=detail[:_MAX_DETAIL],
        address=address[:_MAX_ADDRESS],
    )


async def record(
    who: Who,
    action: Action | str,
    job_id: str,
    job_name: str,
    outcome: Outcome | str,
    detail: str = "",
) -> None:
    """Add a line and wait until it is written or given up (never raises)."""
    if (task := record_soon(who, action, job_id, job_name, outcome, detail)) is not None:
        await task


def record_soon(
    who: Who,
    action: Action | str,
    job_id: str,
    job_name: str,
    outcome: Outcome | str,
    detail: str = "",
) -> asyncio.Task[None] | None:
    """Add a line in the background (its time is now): the caller never waits on the
    database. Retried for about 30 s; a line that cannot be written is logged as an ERROR.
    Returns the writing task (None when the line could not even be made)."""
    try:
        row = _row(who, action, job_id, job_name, outcome, detail)
    except Exception:
        log.exception("Could not record %s of job %r.", action, one_line(job_id, 100))
        return None
    values = row.model_dump(exclude={"id"})
    task = asyncio.get_running_loop().create_task(_write_with_retries(values))
    _pending.add(task)
    task.add_done_callback(_pending.discard)
    return task


_write_locks: dict[asyncio.AbstractEventLoop, asyncio.Lock] = {}


def _write_lock() -> asyncio.Lock:
    """One writer at a time per event loop: lines go in in the order they were recorded."""
    loop = asyncio.get_running_loop()
    if (lock := _write_locks.get(loop)) is None:
        for stale in [known for known in _write_locks if known.is_closed()]:
            del _write_locks[stale]
        lock = _write_locks[loop] = asyncio.Lock()
    return lock


async def _write_with_retries(values: dict) -> None:
    async with _write_lock():
        await _write(values)


async def _write(values: dict) -> None:
    for delay in (*RETRY_DELAYS, None):
        try:
            await database.in_thread(_insert, Activity(**values))  # a fresh row for each attempt
            return
        except Exception as error:
            if delay is None:
                log.error(
                    "Lost an activity line (%s of job %r by %s, %s): %s",
                    values["action"],
                    one_line(values["job_id"], 100),
                    one_line(values["username"], 100),
                    values["outcome"],
                    type(error).__name__,
                )
                return
            await asyncio.sleep(delay)


async def flush(timeout_seconds: float = 35.0) -> None:
    """Wait (at most ``timeout_seconds``) for the lines :func:`record_soon` is still writing."""
    if pending := [task for task in _pending if not task.done()]:
        await asyncio.wait(pending, timeout=timeout_seconds)


def _insert(row: Activity) -> None:
    with database.session() as session:
        session.add(row)
        session.commit()


async def recent(
    page: int = 1, per_page: int = 50, slug: str = DEFAULT_WORKSPACE
) -> tuple[list[ActivityEntry], int]:
    """Page ``page`` (from 1) of workspace ``slug``'s log, newest first, and the number of its
    lines in all."""
    page = max(1, page)
    per_page = min(max(1, per_page), MAX_PER_PAGE)
    return await database.in_thread(_page, page, per_page, _of_workspace(slug))


def _of_workspace(slug: str) -> sa.ColumnElement[bool]:
    """The lines of workspace ``slug`` (the default's include those from before workspaces)."""
    column = sqlmodel.col(Activity.workspace)
    mine = column == connection.workspace(slug)
    return sa.or_(mine, column.is_(None)) if slug == DEFAULT_WORKSPACE else mine


def _page(
    page: int, per_page: int, of_workspace: sa.ColumnElement[bool]
) -> tuple[list[ActivityEntry], int]:
    with database.session() as session:
        total = session.exec(
            sqlmodel.select(sa.func.count()).select_from(Activity).where(of_workspace)
        ).one()
        statement = (
            sqlmodel.select(Activity)
            .where(of_workspace)
            .order_by(sa.desc(Activity.at), sa.desc(Activity.id))
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
        rows = session.exec(statement).all()
    entries = [
        ActivityEntry(
            id=row.id or 0,
            at=row.at,
            username=row.username,
            role=row.role,
            action=row.action,
            job_id=row.job_id,
            job_name=row.job_name,
            outcome=row.outcome,
            detail=row.detail,
            address=row.address,
        )
        for row in rows
    ]
    return entries, int(total)


ACTIVITY_PER_PAGE = 25


@dataclass(frozen=True)
class ActivityPage:
    """One page of the log, newest first, or why it may not be seen."""

    entries: list[ActivityEntry] = field(default_factory=list)
    total: int = 0
    page: int = 1
    pages: int = 1
    refusal: str = ""


async def activity_page(actor: Identity | None, page: int) -> ActivityPage:
    """Page ``page`` (from 1; past the end: the last) of the log for ``actor``."""
    if actor is None or not actor.may(Permission.VIEW_ACTIVITY):
        reason = actor.refusal(Permission.VIEW_ACTIVITY) if actor else "Sign in to continue."
        return ActivityPage(refusal=reason)
    _, total = await recent(1, 1, actor.workspace)
    pages = max(1, -(-total // ACTIVITY_PER_PAGE))
    page = min(max(page, 1), pages)
    entries, total = await recent(page, ACTIVITY_PER_PAGE, actor.workspace)
    return ActivityPage(entries=entries, total=total, page=page, pages=pages)
