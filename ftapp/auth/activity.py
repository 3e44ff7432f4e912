"""The activity log: who created or deleted which job, when, and how it ended.

Kept in the app database, so it survives restarts. :func:`record` never raises into the
caller: the job action matters more than its log line, so a failure to record is logged.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import sqlalchemy as sa
import sqlmodel

from ftapp.auth import db
from ftapp.auth.identity import Identity
from ftapp.auth.models import Activity
from ftapp.auth.roles import Role
from ftapp.guard.text import one_line

log = logging.getLogger(__name__)

MAX_PER_PAGE = 200
_MAX_DETAIL = 2000
clock: Callable[[], float] = time.time
"""Where record times come from (a test replaces it)."""


class Action(StrEnum):
    """What was attempted."""

    CREATE = "create"
    DELETE = "delete"


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


Who = Identity | tuple[str, Role | str]
"""A signed-in :class:`Identity`, or ``(username, role)``."""


async def record(
    who: Who,
    action: Action | str,
    job_id: str,
    job_name: str,
    outcome: Outcome | str,
    detail: str = "",
) -> None:
    """Add a line to the activity log (never raises; a failure is logged)."""
    try:
        username, role = (who.username, who.role) if isinstance(who, Identity) else who
        row = Activity(
            at=int(clock()),
            username=username,
            role=str(role),
            action=Action(action).value,
            job_id=job_id,
            job_name=job_name,
            outcome=str(outcome)[:32],
            detail=detail[:_MAX_DETAIL],
        )
        await db.in_thread(_insert, row)
    except Exception:
        log.exception(
            "Could not record %s of job %r in the activity log.", action, one_line(job_id, 100)
        )


def _insert(row: Activity) -> None:
    with db.session() as session:
        session.add(row)
        session.commit()


async def recent(page: int = 1, per_page: int = 50) -> tuple[list[ActivityEntry], int]:
    """Page ``page`` (from 1) of the log, newest first, and the number of lines in all."""
    page = max(1, page)
    per_page = min(max(1, per_page), MAX_PER_PAGE)
    return await db.in_thread(_page, page, per_page)


def _page(page: int, per_page: int) -> tuple[list[ActivityEntry], int]:
    with db.session() as session:
        total = session.exec(sqlmodel.select(sa.func.count()).select_from(Activity)).one()
        statement = (
            sqlmodel.select(Activity)
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
        )
        for row in rows
    ]
    return entries, int(total)
