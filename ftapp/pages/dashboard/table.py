"""The dashboard's job table: sortable headers, one row per job, pagination."""

from __future__ import annotations

import reflex as rx

from ftapp.components.card_list import card_list
from ftapp.components.copy_button import copy_button
from ftapp.components.layout import VISUALLY_HIDDEN
from ftapp.components.pagination import count_summary, pagination, rows_per_page
from ftapp.components.relative_time import finishing_at, relative_time
from ftapp.components.sortable_table import cut_name_link, shown_from, sort_header
from ftapp.components.status_badge import status_badge
from ftapp.job_display import PAGE_SIZES, SORT_COLUMNS, JobRow
from ftapp.pages.dashboard.state import DashboardState

# Phones get cards (job_cards); from 520 px the table keeps name, created, status and delete,
# and wider screens add columns (Radix breakpoints: xs 520 px, sm 768 px, md 1024 px). The
# job page always shows every field.
_SHOWN_FROM = {"model": "sm", "epochs": "sm", "id": "md", "learning_rate": "md"}
NAME_WIDTH = "240px"
"""The widest a name gets in the table: a 50-character name is cut with "…" (the whole name
shows on hover and focus), so status and actions always stay in view."""


def _display(column: str) -> dict:
    return shown_from(_SHOWN_FROM, column)


def _sort_header(column: str) -> rx.Component:
    return sort_header(
        column,
        SORT_COLUMNS[column],
        sorted_by=DashboardState.sort,
        descending=DashboardState.descending,
        on_sort=DashboardState.sort_by,
        breakpoints=_SHOWN_FROM,
    )


def _name_link(row: JobRow, width: str) -> rx.Component:
    return cut_name_link(row.name, row.href, width)


def _usual_end(row: JobRow) -> rx.Component:
    """ "usually finishes in about 3 min" under a running job that has an estimate."""
    return rx.cond(
        DashboardState.usual_ends.contains(row.id),
        rx.text(
            finishing_at(DashboardState.usual_ends[row.id], DashboardState.usual_end_texts[row.id]),
            size="1",
            color_scheme="gray",
            white_space="nowrap",
        ),
    )


def _delete_button(row: JobRow) -> rx.Component:
    pending = DashboardState.pending_delete_id == row.id
    return rx.icon_button(
        rx.icon("trash-2", size=16),
        on_click=DashboardState.ask_delete(row.id),
        loading=pending,
        # Only a role or a key that may not delete disables it: a disabled button cannot take
        # the focus back when its dialog closes (a second delete while one runs is refused on
        # the server).
        disabled=DashboardState.delete_blocked_reason != "",
        title=rx.cond(
            DashboardState.delete_blocked_reason != "",
            DashboardState.delete_blocked_reason,
            "Delete " + row.name,
        ),
        variant="ghost",
        color_scheme="red",
        aria_label="Delete " + row.name,
        custom_attrs={"data-delete-job": row.id},
    )


def _job_card(row: JobRow) -> rx.Component:
    pending = DashboardState.pending_delete_id == row.id
    return rx.el.li(
        rx.card(
            rx.flex(
                rx.vstack(
                    _name_link(row, "calc(100vw - 120px)"),
                    rx.hstack(
                        status_badge(row.status),
                        rx.text(
                            relative_time(row.created_ts, row.created_ago),
                            size="1",
                            color_scheme="gray",
                        ),
                        align="center",
                        spacing="2",
                        wrap="wrap",
                    ),
                    rx.text(row.base_model_name, size="1", color_scheme="gray"),
                    _usual_end(row),
                    spacing="1",
                    min_width="0",
                ),
                _delete_button(row),
                justify="between",
                align="start",
                gap="8px",
            ),
            size="1",
            opacity=rx.cond(pending, "0.5", "1"),
            background_color=rx.cond(
                row.id == DashboardState.highlight_id, rx.color("accent", 3), "transparent"
            ),
        ),
        list_style="none",
        aria_busy=rx.cond(pending, "true", "false"),
    )


def job_cards() -> rx.Component:
    """The visible jobs as cards, for phones: name, status, created, model, delete."""
    return card_list(DashboardState.visible_rows, _job_card, "Jobs")


def _job_row(row: JobRow) -> rx.Component:
    pending = DashboardState.pending_delete_id == row.id
    return rx.table.row(
        rx.table.row_header_cell(_name_link(row, NAME_WIDTH)),
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
                row.epochs_text,
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
        rx.table.cell(rx.vstack(status_badge(row.status), _usual_end(row), spacing="1")),
        rx.table.cell(_delete_button(row)),
        opacity=rx.cond(pending, "0.5", "1"),
        aria_busy=rx.cond(pending, "true", "false"),
        background_color=rx.cond(
            row.id == DashboardState.highlight_id, rx.color("accent", 3), "transparent"
        ),
        data_new=rx.cond(row.id == DashboardState.highlight_id, "true", "false"),
        align="center",
    )


def jobs_table() -> rx.Component:
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


def job_pages() -> rx.Component:
    """The job count, rows per page and the page buttons under the table."""
    return pagination(
        count_summary(DashboardState.matching_count, "job", "jobs"),
        DashboardState.shown_page,
        DashboardState.page_total,
        DashboardState.go_to_page,
        *rows_per_page(
            DashboardState.per_page.to_string(), PAGE_SIZES, DashboardState.set_per_page
        ),
        wrap="wrap",
        gap="8px",
    )
