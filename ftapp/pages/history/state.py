"""The history page's State: one page of recorded jobs for the view in the URL, the filters'
choices, the view's downloads and charts, and the jobs chosen to compare."""

from __future__ import annotations

import dataclasses
import time

import reflex as rx

from ftapp import services
from ftapp.history import compare
from ftapp.history.charts import DurationSeries, OutcomeBar
from ftapp.history.rows import HistoryRow, creator_label, history_row
from ftapp.history.view import (
    ALL,
    OUTSIDE_FTAPP,
    PAGE_SIZES,
    SORT_COLUMNS,
    STATUS_FILTERS,
    HistoryView,
    clean_choice,
    clean_search,
    parse_day,
)
from ftapp.pages.browser_events import navigate, replace_url
from ftapp.pages.workspace_state import WorkspaceState


@dataclasses.dataclass
class Choice:
    """One option of a filter: the value it sends and what it says."""

    value: str
    label: str


class HistoryState(WorkspaceState):
    """A page of the history (newest first by default), its view kept in the URL."""

    rows: list[HistoryRow] = []
    total: int = 0
    """Jobs matching the view."""
    recorded: int = 0
    """Jobs recorded in all (0: the history is empty)."""
    shown_page: int = 1
    page_total: int = 1
    model_choices: list[Choice] = []
    creator_choices: list[Choice] = []
    refusal: str = ""
    loading: bool = True
    filtered: bool = False
    search: str = ""
    status_filter: str = ALL
    model: str = ALL
    creator: str = ALL
    date_from: str = ""
    date_to: str = ""
    sort: str = "created"
    descending: bool = True
    per_page: int = 25
    csv_href: str = ""
    json_href: str = ""
    selected: list[str] = []
    """Ids of the jobs chosen to compare (kept across pages and filters), at most four."""
    selection_note: str = ""
    """Why a choice was refused (a fifth job), or how to compare."""
    duration_series: list[DurationSeries] = []
    duration_summary: str = ""
    outcome_bars: list[OutcomeBar] = []
    outcome_summary: str = ""
    _view: HistoryView = HistoryView()
    _charted: HistoryView | None = None
    """The filters the charts show (they are read again only when the filters change)."""

    async def _show(self, view: HistoryView, *, with_choices: bool = False):
        """Read ``view``'s page and show it; the address bar follows (the page actually shown
        when the asked one was past the end). The filters' choices are read when the page
        opens."""
        result = await services.history_page(await self._actor(), view, with_choices=with_choices)
        self.loading = False
        self.refusal = result.refusal
        if result.refusal:
            self.rows = []
            self.search = view.search  # what was typed stays in the box, to try again
            return None
        view = dataclasses.replace(view, page=result.page)
        self._view = view
        now = time.time()
        self._assign(
            rows=[
                history_row(record, result.model_names, now, self.current_workspace)
                for record in result.records
            ],
            total=result.total,
            recorded=result.recorded,
            shown_page=result.page,
            page_total=result.pages,
            filtered=view.filtered,
            search=view.search,
            status_filter=view.status,
            model=view.model or ALL,
            creator=view.creator or ALL,
            date_from=view.date_from,
            date_to=view.date_to,
            sort=view.sort,
            descending=view.descending,
            per_page=view.per_page,
            csv_href=view.export_path(self.current_workspace, "csv"),
            json_href=view.export_path(self.current_workspace, "json"),
        )
        if with_choices:
            self.model_choices = [
                Choice(model, result.model_names.get(model, model)) for model in result.models
            ]
            self.creator_choices = [
                Choice(creator or OUTSIDE_FTAPP, creator_label(creator))
                for creator in result.creators
            ]
        events: list = [replace_url(view.path(self.current_workspace))]
        if HistoryView(**_filters_of(view)) != self._charted:
            events.append(HistoryState.load_charts)
        return events

    @rx.event(background=True)
    async def load_charts(self):
        """The charts of the current filters, unless they already show them. Read after the
        rows are sent (an aggregate over the workspace's records must not hold them up) and
        without the tab's lock; dropped when the filters changed meanwhile (a newer read
        follows)."""
        async with self:
            filters = HistoryView(**_filters_of(self._view))
            if filters == self._charted:
                return
            actor = await self._actor()
        result = await services.history_charts(actor, filters)
        if result.refusal:  # the charts stay as they were; the next change asks again
            return
        async with self:
            if HistoryView(**_filters_of(self._view)) != filters:
                return
            self._charted = filters
            self._assign(
                duration_series=result.series,
                duration_summary=result.duration_summary,
                outcome_bars=result.bars,
                outcome_summary=result.outcome_summary,
            )

    @rx.event
    async def open_page(self):
        """on_load: who is asking, then the view the URL names (and its charts: the page may
        be another workspace's than the tab's last)."""
        await self._open_workspace()
        self._charted = None
        view = HistoryView.from_params(self.router.url.query_parameters)
        return await self._show(view, with_choices=True)

    @rx.event
    async def set_search(self, value: str):
        return await self._show(self._view.changed(search=clean_search(value)))

    @rx.event
    async def set_status_filter(self, value: str):
        return await self._show(
            self._view.changed(status=value if value in STATUS_FILTERS else ALL)
        )

    @rx.event
    async def set_model(self, value: str):
        return await self._show(self._view.changed(model=clean_choice(value)))

    @rx.event
    async def set_creator(self, value: str):
        return await self._show(self._view.changed(creator=clean_choice(value)))

    @rx.event
    async def set_date_from(self, value: str):
        return await self._show(self._view.changed(date_from=parse_day(value)))

    @rx.event
    async def set_date_to(self, value: str):
        return await self._show(self._view.changed(date_to=parse_day(value)))

    @rx.event
    async def clear_filters(self):
        """Every recorded job again (the no-match state's "Clear filters")."""
        return await self._show(self._view.cleared())

    @rx.event
    async def sort_by(self, column: str):
        if column not in SORT_COLUMNS:
            return None
        return await self._show(self._view.toggled_sort(column))

    @rx.event
    async def go_to_page(self, page: int):
        return await self._show(self._view.changed(page=min(max(int(page), 1), 1_000_000)))

    @rx.event
    async def set_per_page(self, value: str):
        per_page = int(value) if value.isdigit() and int(value) in PAGE_SIZES else 25
        return await self._show(self._view.changed(per_page=per_page))

    @rx.event
    def toggle_selected(self, job_id: str, checked: bool):
        """Choose a listed job to compare, or drop one; a fifth is refused with a note."""
        if not checked:
            self.selected = [chosen for chosen in self.selected if chosen != job_id]
            self.selection_note = ""
            return
        listed = any(row.id == job_id for row in self.rows)
        if job_id in self.selected or not listed or not compare.selectable(job_id):
            return
        if len(self.selected) >= compare.MAX_JOBS:
            self.selection_note = (
                f"You can compare at most {compare.MAX_JOBS} jobs: "
                "clear one before choosing another."
            )
            return
        self.selected = [*self.selected, job_id]
        self.selection_note = ""

    @rx.event
    def clear_selection(self):
        self.selected = []
        self.selection_note = ""

    @rx.event
    def compare_selected(self):
        """Open the chosen jobs side by side (2 to 4 of them)."""
        if not compare.MIN_JOBS <= len(self.selected) <= compare.MAX_JOBS:
            self.selection_note = compare.choose_message()
            return None
        return navigate(compare.compare_path(self.current_workspace, self.selected))


def _filters_of(view: HistoryView) -> dict:
    """What of ``view`` narrows the records (not its sort or page)."""
    return {
        name: getattr(view, name)
        for name in ("search", "status", "model", "creator", "date_from", "date_to")
    }
