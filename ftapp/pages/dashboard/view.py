"""The dashboard page: header, summary cards, quota and chart, then the job table."""

from __future__ import annotations

import reflex as rx

from ftapp import routes
from ftapp.components.delete_dialog import delete_dialog
from ftapp.components.layout import page_header
from ftapp.components.live_status import stale_banner, updated_ago
from ftapp.components.stat_card import stat_card
from ftapp.jobs_view import STATUS_FILTERS
from ftapp.pages.dashboard.state import DashboardState
from ftapp.pages.dashboard.table import jobs_table, pagination
from ftapp.pages.shell import app_page
from ftapp.rules import MAX_JOBS_PER_WORKSPACE


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
            placeholder="Search by name, id or model",
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
            DashboardState.job_count <= 0,
            rx.cond(DashboardState.feed_error == "", _empty_workspace()),
            rx.vstack(
                _toolbar(),
                rx.box(jobs_table(), width="100%", overflow_x="auto"),
                rx.cond(DashboardState.matching_count == 0, _no_match()),
                pagination(),
                spacing="3",
                width="100%",
            ),
        ),
    )


@rx.page(route=routes.DASHBOARD, title="Dashboard · ftapp", on_load=DashboardState.open_page)
def dashboard() -> rx.Component:
    """The dashboard page."""
    return app_page(
        page_header("Fine-tuning jobs", updated_ago(DashboardState.updated_at), _new_job_button()),
        stale_banner(DashboardState.feed_error, DashboardState.updated_at),
        _summary(),
        _quota_and_chart(),
        _table_area(),
        delete_dialog(
            DashboardState.confirm_id != "",
            DashboardState.confirm_name,
            DashboardState.confirm_delete(DashboardState.confirm_id),
            DashboardState.set_confirm_open,
        ),
    )
