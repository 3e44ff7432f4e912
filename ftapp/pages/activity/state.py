"""The activity page's State: one page of the log, for those whose role may see it."""

from __future__ import annotations

import dataclasses
import time
from datetime import UTC, datetime

import reflex as rx

from ftapp import auth, routes, services
from ftapp.job_display import format_created
from ftapp.pages.browser_events import replace_url
from ftapp.pages.workspace_state import WorkspaceState
from ftapp.timeago import ago

OUTCOME_LABELS = {
    "done": "Done",
    "refused_by_role": "Refused (role)",
    "refused_by_api": "Refused by the API",
    "failed": "Failed",
}


@dataclasses.dataclass
class ActivityRow:
    """One line of the log as the page shows it."""

    at_text: str = ""
    at_ts: float = 0.0
    at_ago: str = ""
    who: str = ""
    role: str = ""
    action: str = ""
    job_name: str = ""
    job_id: str = ""
    job_href: str = ""
    outcome: str = ""
    outcome_label: str = ""
    detail: str = ""
    address: str = ""


def activity_row(entry: services.ActivityEntry, now: float, slug: str) -> ActivityRow:
    """The row for one log entry."""
    return ActivityRow(
        at_text=format_created(datetime.fromtimestamp(entry.at, UTC)),
        at_ts=float(entry.at),
        at_ago=ago(max(now - entry.at, 0)),
        who=entry.username,
        role=entry.role,
        action=entry.action.capitalize(),
        job_name=entry.job_name,
        job_id=entry.job_id,
        job_href=routes.job_path(slug, entry.job_id) if entry.job_id else "",
        outcome=entry.outcome,
        outcome_label=OUTCOME_LABELS.get(entry.outcome, entry.outcome),
        detail=entry.detail,
        address=entry.address,
    )


class ActivityState(WorkspaceState):
    """A page of the activity log (newest first), or why this person may not see it."""

    rows: list[ActivityRow] = []
    page: int = 1
    pages: int = 1
    total: int = 0
    refusal: str = ""
    loading: bool = True

    @rx.event
    async def open_page(self):
        """on_load: who is asking, then the page of the log the URL names."""
        identity = await self._open_workspace()
        raw = str(self.router.url.query_parameters.get("page", "1"))
        requested = int(raw) if raw.isdigit() and len(raw) < 7 else 1
        return await self._show(identity, requested)

    @rx.event
    async def go_to_page(self, page: int):
        """Another page of the log (kept in the URL)."""
        return await self._show(await self._actor(), page)

    async def _show(self, identity: auth.Identity | None, page: int):
        result = await services.activity_page(identity, page)
        now = time.time()
        self.loading = False
        self.refusal = result.refusal
        self.rows = [activity_row(entry, now, self.current_workspace) for entry in result.entries]
        self.page, self.pages, self.total = result.page, result.pages, result.total
        if result.refusal:
            return None
        return replace_url(routes.activity_page_path(self.current_workspace, result.page))
