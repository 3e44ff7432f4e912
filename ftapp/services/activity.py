"""The activity log as pages read it: who created or deleted which job, when, and how it
ended. Only roles that may see it get it."""

from __future__ import annotations

from dataclasses import dataclass, field

from ftapp.auth import activity
from ftapp.auth.activity import ActivityEntry
from ftapp.auth.identity import Identity
from ftapp.auth.roles import Permission

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
    _, total = await activity.recent(1, 1)
    pages = max(1, -(-total // ACTIVITY_PER_PAGE))
    page = min(max(page, 1), pages)
    entries, total = await activity.recent(page, ACTIVITY_PER_PAGE)
    return ActivityPage(entries=entries, total=total, page=page, pages=pages)
