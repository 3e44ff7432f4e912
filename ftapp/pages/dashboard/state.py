"""The dashboard's State: the job rows and summary, the table's view (kept in the URL) and
deleting from a row."""

from __future__ import annotations

import dataclasses
import time

import reflex as rx
from reflex.event import EventSpec

from ftapp import services
from ftapp.components.status_chart import StatusBar, status_bars
from ftapp.history.timeline import finish_phrase
from ftapp.job_display import (
    ALL_STATUSES,
    PAGE_SIZES,
    SORT_COLUMNS,
    STATUS_FILTERS,
    JobRow,
    TableView,
    job_row,
    page_count,
    visible_page,
)
from ftapp.pages.browser_events import focus_by_attribute, focus_first_visible, replace_url, toast
from ftapp.pages.workspace_state import WorkspaceState


class DashboardState(WorkspaceState):
    """The dashboard: rows and counts from the shared feed, the table's view, deletes."""

    _rows: list[JobRow] = []
    """Every job of the workspace: kept on the server; only the page shown goes out."""
    visible_rows: list[JobRow] = []
    matching_count: int = 0
    shown_page: int = 1
    page_total: int = 1
    total: int = 0
    """Every job in the list, so Total agrees with the table and the quota even if the API
    reports a status its summary does not count."""
    confirm_name: str = ""
    """The name of the job the delete dialog asks about, from the server's own rows."""
    filtered: bool = False
    """True when a search or status filter narrows the list (the no-match state offers to
    clear them)."""
    completed: int = 0
    running: int = 0
    failed: int = 0
    loading: bool = True
    search: str = ""
    status_filter: str = ALL_STATUSES
    sort: str = "created"
    descending: bool = True
    page: int = 1
    per_page: int = 10
    confirm_id: str = ""
    pending_delete_id: str = ""
    usual_ends: dict[str, float] = {}
    """For each running job with an estimate: when similar jobs usually ended (Unix seconds)."""
    usual_end_texts: dict[str, str] = {}
    """The same as words ("usually finishes in about 3 min") until the browser counts down."""
    _estimated: frozenset[tuple[str, str, int]] = frozenset()
    """The running jobs (id, model, epochs) the estimates are for: read again when they change."""

    def _apply_snapshot(self, snapshot: services.Snapshot) -> list[EventSpec]:
        """Show the rows and counts of a snapshot (the workspace's part is applied by
        ``_follow``); a failed poll keeps the last good rows."""
        if snapshot.job_list is not None:
            now = time.time()
            summary = snapshot.job_list.summary
            self._assign(
                _rows=[
                    job_row(job, snapshot.models, now, self.current_workspace)
                    for job in snapshot.job_list.jobs
                ],
                completed=summary.completed,
                running=summary.running,
                failed=summary.failed,
                loading=False,
            )
            running = frozenset(
                (job.id, job.base_model, job.epochs)
                for job in snapshot.job_list.jobs
                if job.is_running
            )
            if running != self._estimated:
                # Read after the first data, once per change of the running jobs: never per
                # row or per render, never before the list shows.
                self._estimated = running
                return [*self._refresh_view(), DashboardState.load_estimates]
        elif snapshot.error:
            self.loading = False
        return self._refresh_view()

    def _forget_page(self) -> None:
        """Another workspace's dashboard: none of this one's rows or estimates show."""
        self._rows = []
        self._estimated = frozenset()
        self._assign(
            visible_rows=[],
            matching_count=0,
            total=0,
            completed=0,
            running=0,
            failed=0,
            loading=True,
            confirm_id="",
            confirm_name="",
            usual_ends={},
            usual_end_texts={},
        )

    @rx.event(background=True)
    async def load_estimates(self):
        """When each running job usually finishes (similar finished jobs of its model)."""
        job_list = services.current(self.current_workspace).job_list
        jobs = job_list.jobs if job_list is not None else []
        ends = services.usual_ends(
            jobs, await services.running_estimates(jobs, self.current_workspace)
        )
        now = time.time()
        async with self:
            self._assign(
                usual_ends=ends,
                usual_end_texts={job_id: finish_phrase(end - now) for job_id, end in ends.items()},
            )

    def _refresh_view(self) -> list[EventSpec]:
        """Recompute what the table shows from the rows and the view (changed vars only);
        a page past the end is corrected in the address bar too (the events to send)."""
        rows, matching, page = visible_page(self._rows, self._view())
        events = []
        if page != self.page and not self.loading:
            self.page = page
            events.append(replace_url(self.workspace_home + self._view().to_query()))
        self._assign(
            visible_rows=rows,
            matching_count=matching,
            shown_page=page,
            page_total=page_count(matching, self.per_page),
            total=len(self._rows),
            confirm_name=next((r.name for r in self._rows if r.id == self.confirm_id), ""),
            filtered=self._view().filtered,
            view_query=self._view().to_query(),
        )
        return events

    # --- page lifecycle ---------------------------------------------------------------

    @rx.event
    async def open_page(self):
        """on_load: read the view from the URL, show the current list (if the feed holds
        one), then follow the live feed."""
        self._adopt(TableView.from_params(self.router.url.query_parameters))
        self.confirm_id = self.pending_delete_id = ""
        events = await self._show_current(self._apply_snapshot)
        self._refresh_view()
        return [*events, DashboardState.follow_feed]

    @rx.event(background=True)
    async def follow_feed(self):
        """Apply each snapshot of the shared feed until the page closes."""
        async for event in self._follow(self._apply_snapshot):
            yield event

    # --- the table's view ---------------------------------------------------------------

    def _view(self) -> TableView:
        return TableView(
            search=self.search,
            status=self.status_filter,
            sort=self.sort,
            descending=self.descending,
            page=self.page,
            per_page=self.per_page,
        )

    def _adopt(self, view: TableView) -> None:
        self.search, self.status_filter, self.sort = view.search, view.status, view.sort
        self.descending, self.page, self.per_page = view.descending, view.page, view.per_page

    def _show_view(self, view: TableView):
        """Adopt ``view`` and mirror it in the address bar (no navigation, no history)."""
        self._adopt(view)
        self._refresh_view()
        return replace_url(self.workspace_home + self._view().to_query())

    @rx.event
    def clear_filters(self):
        """Show every job again (the no-match state's "Clear filters")."""
        view = dataclasses.replace(self._view(), search="", status=ALL_STATUSES, page=1)
        return self._show_view(view)

    @rx.event
    def set_search(self, value: str):
        return self._show_view(dataclasses.replace(self._view(), search=value[:100], page=1))

    @rx.event
    def set_status_filter(self, value: str):
        status = value if value in STATUS_FILTERS else ALL_STATUSES
        return self._show_view(dataclasses.replace(self._view(), status=status, page=1))

    @rx.event
    def sort_by(self, column: str):
        if column not in SORT_COLUMNS:
            return None
        return self._show_view(self._view().toggled_sort(column))

    @rx.event
    def go_to_page(self, page: int):
        return self._show_view(dataclasses.replace(self._view(), page=max(int(page), 1)))

    @rx.event
    def set_per_page(self, value: str):
        per_page = int(value) if value.isdigit() and int(value) in PAGE_SIZES else 10
        return self._show_view(dataclasses.replace(self._view(), per_page=per_page, page=1))

    @rx.var
    def chart_summary(self) -> str:
        """The chart in words, its text alternative."""
        return (
            f"Jobs by status: {self.completed} completed, {self.running} running, "
            f"{self.failed} failed"
        )

    @rx.var
    def chart_bars(self) -> list[StatusBar]:
        return status_bars(
            {"Completed": self.completed, "Running": self.running, "Failed": self.failed}
        )

    # --- deleting -----------------------------------------------------------------------

    @rx.event
    def ask_delete(self, job_id: str):
        """Open the delete dialog for a job of the list (any other id is ignored)."""
        if any(row.id == job_id for row in self._rows):
            self.confirm_id = job_id
            self._refresh_view()

    @rx.event
    def set_confirm_open(self, is_open: bool):
        """The dialog closed without deleting: the focus goes back to the Delete it came from."""
        if is_open or not self.confirm_id:
            return None
        opener, self.confirm_id = self.confirm_id, ""
        self._refresh_view()
        return focus_by_attribute("data-delete-job", opener)

    @rx.event(background=True)
    async def confirm_delete(self, job_id: str):
        """Delete the job the dialog named. The id comes with the click, not from the state:
        closing the dialog clears ``confirm_id``, and that event may be handled first."""
        async with self:
            if not job_id or self.pending_delete_id:
                return
            self.pending_delete_id, self.confirm_id = job_id, ""
            self._refresh_view()
        outcome = await services.delete_job(job_id, await self._actor())
        async with self:
            self.pending_delete_id = ""
            if outcome.gone:
                self._apply_workspace(services.current(self.current_workspace))
                self._apply_snapshot(services.current(self.current_workspace))
        yield toast(outcome.level, outcome.message)
        if outcome.gone:  # its button went with its row: the next row's takes the focus
            yield focus_first_visible("[data-delete-job]:not([disabled])", "#jobs-search")
