"""The dashboard (``/``): summary, status chart and the job table, live from the shared feed."""

from __future__ import annotations

import dataclasses
import json
import time

import reflex as rx

from ftapp import backend, routes, workspace
from ftapp.components.copy_button import copy_button
from ftapp.components.delete_dialog import delete_dialog
from ftapp.components.feedback import toast
from ftapp.components.layout import VISUALLY_HIDDEN, page_header, page_shell
from ftapp.components.live_status import stale_banner, updated_ago
from ftapp.components.relative_time import relative_time
from ftapp.components.stat_card import stat_card
from ftapp.components.status_badge import status_badge
from ftapp.jobs_view import (
    PAGE_SIZES,
    SORT_COLUMNS,
    STATUS_FILTERS,
    JobRow,
    TableView,
    job_row,
    page_count,
    visible_page,
)
from ftapp.live import Snapshot
from ftapp.rules import MAX_JOBS_PER_WORKSPACE


class LiveJobsState(rx.State):
    """The live job list and its summary, from the workspace's shared feed."""

    rows: list[JobRow] = []
    completed: int = 0
    running: int = 0
    failed: int = 0
    loading: bool = True
    error: str = ""
    updated_at: float = 0.0
    create_blocked_reason: str = ""

    def apply_snapshot(self, snapshot: Snapshot) -> None:
        """Show what the feed knows; a failed poll keeps the last good rows."""
        self.error = snapshot.error
        if snapshot.job_list is not None:
            now = time.time()
            self.rows = [job_row(job, snapshot.models, now) for job in snapshot.job_list.jobs]
            summary = snapshot.job_list.summary
            self.completed, self.running, self.failed = (
                summary.completed,
                summary.running,
                summary.failed,
            )
            self.updated_at = snapshot.fetched_at or 0.0
            self.loading = False
        elif snapshot.error:
            self.loading = False
        self.create_blocked_reason = workspace.create_blocked_reason(
            len(self.rows) if snapshot.job_list is not None else None, snapshot.may_create
        )

    @rx.var
    def total(self) -> int:
        # Every job in the list, so Total agrees with the table and the quota even if the API
        # reports a status its summary does not count.
        return len(self.rows)

    @rx.var
    def job_count(self) -> int:
        return len(self.rows)

    @rx.var
    def quota_text(self) -> str:
        return workspace.quota_text(len(self.rows))

    @rx.var
    def quota_percent(self) -> int:
        return min(round(100 * len(self.rows) / MAX_JOBS_PER_WORKSPACE), 100)


class DashboardState(LiveJobsState):
    """The dashboard: the view of the table (kept in the URL) and deleting from a row."""

    search: str = ""
    status_filter: str = "all"
    sort: str = "created"
    descending: bool = True
    page: int = 1
    per_page: int = 10
    confirm_id: str = ""
    confirm_name: str = ""
    pending_delete_id: str = ""

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
        url = routes.DASHBOARD + view.to_query()
        return rx.call_script(
            f"window.history.replaceState(window.history.state, '', {json.dumps(url)})"
        )

    # --- page lifecycle ---------------------------------------------------------------

    @rx.event
    def open_page(self):
        """on_load: read the view from the URL, then follow the live feed."""
        self._adopt(TableView.from_params(self.router.url.query_parameters))
        self.confirm_id = self.confirm_name = self.pending_delete_id = ""
        return DashboardState.follow_feed

    @rx.event(background=True)
    async def follow_feed(self):
        """Apply each snapshot of the shared feed; Reflex cancels this when the page closes
        or the user navigates away, which unsubscribes from the feed."""
        async for snapshot in backend.feed().watch():
            async with self:
                self.apply_snapshot(snapshot)

    # --- the table's view ---------------------------------------------------------------

    @rx.event
    def set_search(self, value: str):
        return self._show_view(dataclasses.replace(self._view(), search=value[:100], page=1))

    @rx.event
    def set_status_filter(self, value: str):
        status = value if value in STATUS_FILTERS else "all"
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
    def visible_rows(self) -> list[JobRow]:
        return visible_page(self.rows, self._view())[0]

    @rx.var
    def matching_count(self) -> int:
        return visible_page(self.rows, self._view())[1]

    @rx.var
    def shown_page(self) -> int:
        return visible_page(self.rows, self._view())[2]

    @rx.var
    def page_total(self) -> int:
        return page_count(self.matching_count, self.per_page)

    @rx.var
    def chart_data(self) -> list[dict[str, str | int]]:
        return [
            {"status": "Completed", "jobs": self.completed, "fill": "var(--green-9)"},
            {"status": "Running", "jobs": self.running, "fill": "var(--blue-9)"},
            {"status": "Failed", "jobs": self.failed, "fill": "var(--red-9)"},
        ]

    # --- deleting -----------------------------------------------------------------------

    @rx.event
    def ask_delete(self, job_id: str, name: str):
        self.confirm_id, self.confirm_name = job_id, name

    @rx.event
    def set_confirm_open(self, is_open: bool):
        if not is_open:
            self.confirm_id = ""

    @rx.event(background=True)
    async def confirm_delete(self, job_id: str, name: str):
        """Delete the job the dialog named. The id comes with the click, not from the state:
        closing the dialog clears ``confirm_id``, and that event may be handled first."""
        async with self:
            if not job_id or self.pending_delete_id:
                return
            self.pending_delete_id, self.confirm_id = job_id, ""
        gone, outcome = await backend.delete_job(job_id, name)
        async with self:
            self.pending_delete_id = ""
            if gone:
                self.apply_snapshot(backend.feed().snapshot)
        yield toast(outcome.level, outcome.message)


# --- view ---------------------------------------------------------------------------------


def _summary() -> rx.Component:
    return rx.grid(
        stat_card("Completed", DashboardState.completed, "circle-check", "green"),
        stat_card("Running", DashboardState.running, "loader", "blue"),
        stat_card("Failed", DashboardState.failed, "circle-x", "red"),
        stat_card("Total", DashboardState.total, "layers", "gray"),
        columns=rx.breakpoints(initial="2", md="4"),
        spacing="3",
        width="100%",
    )


def _quota_and_chart() -> rx.Component:
    quota = rx.card(
        rx.vstack(
            rx.text("Workspace quota", size="2", weight="medium", color_scheme="gray"),
            rx.text(DashboardState.quota_text, size="5", weight="bold"),
            rx.progress(
                value=DashboardState.quota_percent,
                color_scheme=rx.cond(
                    DashboardState.job_count >= MAX_JOBS_PER_WORKSPACE, "red", "indigo"
                ),
                aria_label="Workspace quota used",
            ),
            rx.text(
                f"A workspace holds at most {MAX_JOBS_PER_WORKSPACE} jobs.",
                size="1",
                color_scheme="gray",
            ),
            spacing="2",
            width="100%",
        ),
        role="group",
        aria_label="Quota",
        width="100%",
    )
    chart = rx.card(
        rx.text("Jobs by status", size="2", weight="medium", color_scheme="gray"),
        rx.recharts.bar_chart(
            rx.recharts.bar(data_key="jobs", name="Jobs", is_animation_active=False, radius=4),
            rx.recharts.x_axis(data_key="status"),
            rx.recharts.y_axis(allow_decimals=False, width=28),
            rx.recharts.graphing_tooltip(cursor=False),
            data=DashboardState.chart_data,
            height=140,
            width="100%",
        ),
        role="figure",
        aria_label="Jobs by status",
        width="100%",
    )
    return rx.grid(
        quota, chart, columns=rx.breakpoints(initial="1", md="2"), spacing="3", width="100%"
    )


def _toolbar() -> rx.Component:
    return rx.flex(
        rx.input(
            rx.input.slot(rx.icon("search", size=16)),
            value=DashboardState.search,
            on_change=DashboardState.set_search.debounce(250),
            placeholder="Search by name",
            aria_label="Search jobs",
            type="search",
            flex_grow="1",
            min_width="180px",
        ),
        rx.select.root(
            rx.select.trigger(aria_label="Filter by status", min_width="150px"),
            rx.select.content(
                rx.select.item("All statuses", value="all"),
                *[rx.select.item(status, value=status) for status in STATUS_FILTERS[1:]],
            ),
            value=DashboardState.status_filter,
            on_change=DashboardState.set_status_filter,
        ),
        spacing="3",
        wrap="wrap",
        width="100%",
    )


# Narrow screens keep name, status and delete; wider ones add columns (Radix breakpoints:
# xs 520 px, sm 768 px, md 1024 px). The job page always shows every field.
_SHOWN_FROM = {"created": "xs", "model": "sm", "epochs": "sm", "id": "md", "learning_rate": "md"}


def _display(column: str) -> dict:
    """Props hiding ``column``'s cells below its breakpoint."""
    breakpoint = _SHOWN_FROM.get(column)
    if breakpoint is None:
        return {}
    return {"display": rx.breakpoints(initial="none", **{breakpoint: "table-cell"})}


def _sort_header(column: str) -> rx.Component:
    label = SORT_COLUMNS[column]
    is_sorted = DashboardState.sort == column
    return rx.table.column_header_cell(
        rx.el.button(
            label,
            rx.cond(
                is_sorted,
                rx.cond(
                    DashboardState.descending,
                    rx.icon("arrow-down", size=14),
                    rx.icon("arrow-up", size=14),
                ),
                rx.icon("arrow-up-down", size=14, opacity="0.35"),
            ),
            on_click=DashboardState.sort_by(column),
            title=f"Sort by {label}",
            style={
                "display": "inline-flex",
                "align_items": "center",
                "gap": "4px",
                "font": "inherit",
                "font_weight": "600",
                "color": "inherit",
                "background": "none",
                "border": "none",
                "padding": "0",
                "cursor": "pointer",
                "white_space": "nowrap",
            },
        ),
        aria_sort=rx.cond(
            is_sorted, rx.cond(DashboardState.descending, "descending", "ascending"), "none"
        ),
        **_display(column),
    )


def _job_row(row: JobRow) -> rx.Component:
    pending = DashboardState.pending_delete_id == row.id
    return rx.table.row(
        rx.table.row_header_cell(
            rx.link(row.name, href=row.href, weight="medium"), white_space="nowrap"
        ),
        rx.table.cell(
            rx.hstack(
                rx.code(row.id[:8], variant="ghost", title=row.id),
                copy_button(row.id, "Copy id of " + row.name),
                spacing="1",
                align="center",
            ),
            **_display("id"),
        ),
        rx.table.cell(
            rx.text(row.base_model_name, title=row.base_model),
            white_space="nowrap",
            **_display("model"),
        ),
        rx.table.cell(
            rx.text(
                row.epochs.to_string()
                + " / "
                + row.evaluation_epochs.to_string()
                + " / "
                + row.warmup_epochs.to_string(),
                title="epochs / evaluation / warm-up",
            ),
            white_space="nowrap",
            **_display("epochs"),
        ),
        rx.table.cell(
            rx.code(row.learning_rate_text, variant="ghost"), **_display("learning_rate")
        ),
        rx.table.cell(
            rx.vstack(
                rx.text(row.created_text, size="2", white_space="nowrap"),
                rx.text(
                    relative_time(row.created_ts, row.created_ago), size="1", color_scheme="gray"
                ),
                spacing="0",
            ),
            **_display("created"),
        ),
        rx.table.cell(status_badge(row.status)),
        rx.table.cell(
            rx.icon_button(
                rx.icon("trash-2", size=16),
                on_click=DashboardState.ask_delete(row.id, row.name),
                loading=pending,
                disabled=DashboardState.pending_delete_id != "",
                variant="ghost",
                color_scheme="red",
                aria_label="Delete " + row.name,
            )
        ),
        opacity=rx.cond(pending, "0.5", "1"),
        aria_busy=rx.cond(pending, "true", "false"),
        align="center",
    )


def _jobs_table() -> rx.Component:
    return rx.table.root(
        rx.el.caption("Jobs", style=VISUALLY_HIDDEN),
        rx.table.header(
            rx.table.row(
                _sort_header("name"),
                _sort_header("id"),
                _sort_header("model"),
                _sort_header("epochs"),
                _sort_header("learning_rate"),
                _sort_header("created"),
                _sort_header("status"),
                rx.table.column_header_cell(rx.el.span("Actions", style=VISUALLY_HIDDEN)),
            )
        ),
        rx.table.body(rx.foreach(DashboardState.visible_rows, _job_row)),
        variant="surface",
        size="2",
        width="100%",
    )


def _pagination() -> rx.Component:
    return rx.flex(
        rx.text(
            DashboardState.matching_count,
            rx.cond(DashboardState.matching_count == 1, " job", " jobs"),
            size="2",
            color_scheme="gray",
        ),
        rx.hstack(
            rx.text("Rows per page", size="2", color_scheme="gray", as_="span"),
            rx.select.root(
                rx.select.trigger(aria_label="Rows per page"),
                rx.select.content(*[rx.select.item(str(n), value=str(n)) for n in PAGE_SIZES]),
                value=DashboardState.per_page.to_string(),
                on_change=DashboardState.set_per_page,
                size="1",
            ),
            rx.button(
                rx.icon("chevron-left", size=16),
                on_click=DashboardState.go_to_page(DashboardState.shown_page - 1),
                disabled=DashboardState.shown_page <= 1,
                variant="soft",
                size="1",
                aria_label="Previous page",
            ),
            rx.text(
                "Page ", DashboardState.shown_page, " of ", DashboardState.page_total, size="2"
            ),
            rx.button(
                rx.icon("chevron-right", size=16),
                on_click=DashboardState.go_to_page(DashboardState.shown_page + 1),
                disabled=DashboardState.shown_page >= DashboardState.page_total,
                variant="soft",
                size="1",
                aria_label="Next page",
            ),
            align="center",
            spacing="2",
        ),
        justify="between",
        align="center",
        wrap="wrap",
        gap="8px",
        width="100%",
        role="navigation",
        aria_label="Pagination",
    )


def _loading() -> rx.Component:
    return rx.vstack(
        *[rx.skeleton(height="40px", width="100%", loading=True) for _ in range(4)],
        width="100%",
        aria_busy="true",
        aria_label="Loading jobs",
    )


def _empty_workspace() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon("inbox", size=32, color=rx.color("gray", 9)),
            rx.text("No fine-tuning jobs yet.", weight="medium"),
            rx.text("Create one to see it here.", size="2", color_scheme="gray"),
            align="center",
        ),
        padding="40px",
        width="100%",
    )


def _no_match() -> rx.Component:
    return rx.center(
        rx.text("No jobs match this search or filter.", color_scheme="gray"),
        padding="24px",
        width="100%",
    )


def _new_job_button() -> rx.Component:
    # A button rather than a link: it is the page's primary action, it can be disabled with
    # its reason, and the header keeps the one "New job" link of the page.
    blocked = DashboardState.create_blocked_reason != ""
    return rx.vstack(
        rx.button(
            rx.icon("plus", size=16),
            "New job",
            on_click=rx.redirect(routes.NEW_JOB),
            disabled=blocked,
            white_space="nowrap",
            aria_describedby=rx.cond(blocked, "new-job-blocked", ""),
        ),
        rx.cond(
            blocked,
            rx.text(
                DashboardState.create_blocked_reason,
                id="new-job-blocked",
                size="1",
                color_scheme="gray",
                max_width="260px",
                text_align="right",
            ),
        ),
        align="end",
        spacing="1",
        flex_shrink="0",
    )


def _table_area() -> rx.Component:
    return rx.cond(
        DashboardState.loading,
        _loading(),
        rx.cond(
            DashboardState.job_count == 0,
            rx.cond(DashboardState.error == "", _empty_workspace()),
            rx.vstack(
                _toolbar(),
                rx.box(_jobs_table(), width="100%", overflow_x="auto"),
                rx.cond(DashboardState.matching_count == 0, _no_match()),
                _pagination(),
                spacing="3",
                width="100%",
            ),
        ),
    )


@rx.page(route=routes.DASHBOARD, title="Dashboard · ftapp", on_load=DashboardState.open_page)
def dashboard() -> rx.Component:
    """The dashboard page."""
    return page_shell(
        page_header("Fine-tuning jobs", updated_ago(DashboardState.updated_at), _new_job_button()),
        stale_banner(DashboardState.error, DashboardState.updated_at),
        _summary(),
        _quota_and_chart(),
        _table_area(),
        delete_dialog(
            DashboardState.confirm_id != "",
            DashboardState.confirm_name,
            DashboardState.confirm_delete(DashboardState.confirm_id, DashboardState.confirm_name),
            DashboardState.set_confirm_open,
        ),
    )
