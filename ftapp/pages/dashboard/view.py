"""The dashboard page: header, summary cards, quota and chart, then the job table."""

from __future__ import annotations

import reflex as rx

from ftapp import routes
from ftapp.components.delete_dialog import delete_dialog
from ftapp.components.layout import page_header
from ftapp.components.live_status import freshness, refresh_button, stale_banner
from ftapp.components.stat_card import stat_card
from ftapp.components.status_chart import status_chart
from ftapp.job_display import ALL_STATUSES, STATUS_FILTERS
from ftapp.pages.dashboard.state import DashboardState
from ftapp.pages.dashboard.table import job_cards, job_pages, jobs_table
from ftapp.pages.shell import app_page
from ftapp.rules import MAX_JOBS_PER_WORKSPACE


def _count(value: rx.Var[int]) -> rx.Var:
    """A count once the list is known; a dash before (unknown is not zero)."""
    return rx.cond(DashboardState.loaded, value.to_string(), "—")


def _summary() -> rx.Component:
    def card(label: str, value: rx.Var[int], icon: str, color: str, status: str):
        return stat_card(
            label,
            _count(value),
            icon,
            color,
            on_click=DashboardState.set_status_filter(status),
            pressed=DashboardState.status_filter == status,
            action=f"Show {label.lower()} jobs" if status != ALL_STATUSES else "Show all jobs",
        )

    return rx.grid(
        card("Completed", DashboardState.completed, "circle-check", "green", "Completed"),
        card("Running", DashboardState.running, "loader", "blue", "Running"),
        card("Failed", DashboardState.failed, "circle-x", "red", "Failed"),
        card("Total", DashboardState.total, "layers", "gray", ALL_STATUSES),
        columns=rx.breakpoints(initial="2", md="4"),
        spacing="3",
        width="100%",
    )


def _quota_and_chart() -> rx.Component:
    quota = rx.card(
        rx.vstack(
            rx.text("Workspace quota", size="2", weight="medium", color_scheme="gray"),
            rx.text(
                rx.cond(DashboardState.loaded, DashboardState.quota_text, "Not loaded yet"),
                size="5",
                weight="bold",
            ),
            rx.progress(
                value=DashboardState.quota_percent,
                color_scheme=rx.cond(DashboardState.workspace_full, "red", "indigo"),
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
        rx.cond(
            DashboardState.loaded,
            status_chart(DashboardState.chart_bars, DashboardState.chart_summary),
            rx.center(rx.text("Not loaded yet", size="2", color_scheme="gray"), height="140px"),
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
            placeholder="Search by name, id or model",
            id="jobs-search",
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
        rx.vstack(
            rx.text("No jobs match this search or filter.", color_scheme="gray"),
            rx.cond(
                DashboardState.filtered,
                rx.button(
                    "Clear filters", variant="soft", size="2", on_click=DashboardState.clear_filters
                ),
            ),
            align="center",
            spacing="3",
        ),
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
            on_click=rx.redirect(DashboardState.workspace_home + "/jobs/new"),
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


def _could_not_load() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon("cloud-off", size=32, color=rx.color("gray", 11), aria_hidden="true"),
            rx.text("The jobs could not be loaded.", weight="medium"),
            rx.text(DashboardState.feed_error, size="2", color_scheme="gray", text_align="center"),
            rx.button(
                rx.icon("refresh-cw", size=14, aria_hidden="true"),
                "Retry",
                variant="soft",
                on_click=DashboardState.refresh,
            ),
            align="center",
            spacing="2",
            max_width="480px",
        ),
        padding="40px",
        width="100%",
    )


def _table_area() -> rx.Component:
    return rx.cond(
        ~DashboardState.loaded & (DashboardState.feed_error != ""),
        _could_not_load(),
        rx.cond(
            DashboardState.loading,
            _loading(),
            rx.cond(
                DashboardState.job_count <= 0,
                _empty_workspace(),
                rx.vstack(
                    _toolbar(),
                    rx.box(
                        jobs_table(),
                        width="100%",
                        overflow_x="auto",
                        display=rx.breakpoints(initial="none", xs="block"),
                    ),
                    rx.box(job_cards(), width="100%", display=rx.breakpoints(xs="none")),
                    rx.cond(DashboardState.matching_count == 0, _no_match()),
                    job_pages(),
                    spacing="3",
                    width="100%",
                ),
            ),
        ),
    )


@rx.page(route=routes.DASHBOARD, title="Dashboard · ftapp", on_load=DashboardState.open_page)
def dashboard() -> rx.Component:
    """The dashboard page: on a phone the jobs come first, the summary after them."""
    status_line = rx.hstack(
        freshness(DashboardState.updated_at, DashboardState.feed_error),
        rx.cond(DashboardState.loaded, refresh_button(DashboardState.refresh)),
        align="center",
        spacing="2",
    )
    first_on_phones = rx.breakpoints(initial="0", md="1")
    then_on_phones = rx.breakpoints(initial="1", md="0")
    return app_page(
        page_header("Fine-tuning jobs", status_line, _new_job_button()),
        stale_banner(
            DashboardState.feed_error, DashboardState.updated_at, DashboardState.key_refused
        ),
        rx.flex(
            rx.vstack(
                _summary(), _quota_and_chart(), spacing="3", width="100%", order=then_on_phones
            ),
            rx.box(_table_area(), width="100%", order=first_on_phones),
            direction="column",
            gap="var(--space-5)",
            width="100%",
        ),
        delete_dialog(
            DashboardState.confirm_id != "",
            DashboardState.confirm_name,
            DashboardState.confirm_delete(DashboardState.confirm_id),
            DashboardState.set_confirm_open,
        ),
    )
