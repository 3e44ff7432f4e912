"""The activity page: a table of create and delete attempts, newest first, with pages."""

from __future__ import annotations

import reflex as rx

from ftapp import routes
from ftapp.components.callouts import callout
from ftapp.components.card_list import card_list
from ftapp.components.layout import VISUALLY_HIDDEN, page_header
from ftapp.components.pagination import pagination
from ftapp.components.relative_time import relative_time
from ftapp.pages.activity.state import ActivityRow, ActivityState
from ftapp.pages.shell import app_page

_OUTCOME_COLORS = {
    "done": "green",
    "refused_by_role": "amber",
    "refused_by_api": "orange",
    "failed": "red",
}


def _job(row: ActivityRow) -> rx.Component:
    return rx.cond(
        row.job_href != "",
        rx.link(rx.cond(row.job_name != "", row.job_name, row.job_id), href=row.job_href),
        rx.text(row.job_name),
    )


def _outcome_badge(row: ActivityRow) -> rx.Component:
    return rx.badge(
        row.outcome_label,
        color_scheme=rx.match(row.outcome, *_OUTCOME_COLORS.items(), "gray"),
        variant="soft",
        high_contrast=True,  # a soft badge's own green text is under AA contrast
    )


def _detail(row: ActivityRow) -> rx.Component:
    return rx.cond(
        row.detail != "",
        rx.text(row.detail, size="1", color_scheme="gray", margin_top="4px"),
    )


def _row(row: ActivityRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.text(row.at_text, size="2", white_space="nowrap"),
                rx.text(relative_time(row.at_ts, row.at_ago), size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(
            rx.vstack(
                rx.text(row.who, weight="medium"),
                rx.text(row.role, size="1", color_scheme="gray"),
                rx.cond(
                    row.address != "",
                    rx.text("from ", row.address, size="1", color_scheme="gray"),
                ),
                spacing="0",
            )
        ),
        rx.table.cell(row.action),
        rx.table.cell(_job(row), max_width="280px", overflow_wrap="anywhere"),
        rx.table.cell(_outcome_badge(row), _detail(row), max_width="320px"),
        align="center",
    )


def _card(row: ActivityRow) -> rx.Component:
    """One entry on a phone: what was done to which job and how it ended, then who (from
    where) and when, each line wrapping within the screen."""
    return rx.el.li(
        rx.card(
            rx.flex(
                rx.vstack(
                    rx.text(
                        rx.text.span(row.action, weight="medium"),
                        " ",
                        _job(row),
                        overflow_wrap="anywhere",
                    ),
                    rx.text(
                        rx.text.span(row.who, weight="medium"),
                        " · ",
                        row.role,
                        rx.cond(row.address != "", rx.text.span(" · from ", row.address)),
                        size="1",
                        color_scheme="gray",
                        overflow_wrap="anywhere",
                    ),
                    rx.text(
                        row.at_text,
                        " · ",
                        relative_time(row.at_ts, row.at_ago),
                        size="1",
                        color_scheme="gray",
                    ),
                    _detail(row),
                    spacing="1",
                    min_width="0",
                ),
                rx.box(_outcome_badge(row), flex_shrink="0"),
                justify="between",
                align="start",
                gap="8px",
            ),
            size="1",
        ),
        list_style="none",
    )


def _cards() -> rx.Component:
    """The entries as cards, for phones (the table's five columns do not fit)."""
    return card_list(ActivityState.rows, _card, "Activity")


def _table() -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.el.caption("Activity", style=VISUALLY_HIDDEN),
            rx.table.header(
                rx.table.row(
                    *[
                        rx.table.column_header_cell(label)
                        for label in ("When", "Who", "Action", "Job", "Outcome")
                    ]
                )
            ),
            rx.table.body(rx.foreach(ActivityState.rows, _row)),
            variant="surface",
            width="100%",
        ),
        width="100%",
        overflow_x="auto",
        display=rx.breakpoints(initial="none", xs="block"),
    )


def _pages() -> rx.Component:
    return pagination(
        rx.text(ActivityState.total, " entries", size="2", color_scheme="gray"),
        ActivityState.page,
        ActivityState.pages,
        ActivityState.go_to_page,
    )


def _content() -> rx.Component:
    return rx.cond(
        ActivityState.refusal != "",
        callout("lock", "amber", rx.callout.text(ActivityState.refusal)),
        rx.cond(
            ActivityState.loading,
            rx.skeleton(height="240px", width="100%", loading=True),
            rx.cond(
                ActivityState.total == 0,
                rx.text("Nothing has been created or deleted yet.", color_scheme="gray"),
                rx.vstack(
                    _table(),
                    rx.box(_cards(), width="100%", display=rx.breakpoints(xs="none")),
                    _pages(),
                    spacing="3",
                    width="100%",
                ),
            ),
        ),
    )


@rx.page(route=routes.ACTIVITY, title="Activity · ftapp", on_load=ActivityState.open_page)
def activity() -> rx.Component:
    """The activity log page."""
    return app_page(
        page_header(
            "Activity",
            rx.text(
                "Every create and delete attempt, newest first.", size="2", color_scheme="gray"
            ),
        ),
        _content(),
    )
