"""The compare page: 2 to 4 recorded jobs side by side, the rows that differ marked (a tint
and a "differs" badge, so a screen reader hears it too); on a phone the table scrolls within
itself."""

from __future__ import annotations

import reflex as rx

from ftapp import routes
from ftapp.components.callouts import callout
from ftapp.components.layout import VISUALLY_HIDDEN, page_header
from ftapp.components.status_badge import status_badge
from ftapp.history.compare import CompareColumn, CompareRow
from ftapp.pages.history.compare_state import CompareState
from ftapp.pages.shell import app_page

COLUMN_WIDTH = "200px"
ONLY_DIFFERENCES_ID = "only-differences"


def _column_header(column: CompareColumn) -> rx.Component:
    return rx.table.column_header_cell(
        rx.vstack(
            rx.link(column.name, href=column.href, weight="medium", word_break="break-all"),
            status_badge(column.status),
            spacing="1",
        ),
        min_width=COLUMN_WIDTH,
        vertical_align="top",
    )


def _row(row: CompareRow) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.hstack(
                rx.text(row.label, weight="medium", white_space="nowrap"),
                rx.cond(
                    row.differs,
                    rx.badge("differs", color_scheme="amber", variant="solid", high_contrast=True),
                ),
                spacing="2",
                align="center",
            ),
        ),
        rx.foreach(row.cells, lambda value: rx.table.cell(value, word_break="break-word")),
        background_color=rx.cond(row.differs, rx.color("amber", 3), "transparent"),
        custom_attrs={"data-differs": rx.cond(row.differs, "true", "false")},
    )


def _table() -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.el.caption("Compared jobs", style=VISUALLY_HIDDEN),
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell(rx.el.span("Setting", style=VISUALLY_HIDDEN)),
                    rx.foreach(CompareState.columns, _column_header),
                )
            ),
            rx.table.body(rx.foreach(CompareState.rows, _row)),
            variant="surface",
            size="2",
        ),
        width="100%",
        max_width="100%",
        overflow_x="auto",
        tab_index=0,
        role="region",
        aria_label="Compared jobs, scrolls sideways",
    )


def _only_differences() -> rx.Component:
    """A switch that shows only the rows whose values differ."""
    return rx.text(
        rx.hstack(
            rx.switch(id=ONLY_DIFFERENCES_ID, size="1"),
            "Show only the rows that differ",
            spacing="2",
            align="center",
        ),
        as_="label",
        size="2",
    )


def _back() -> rx.Component:
    return rx.link(
        rx.icon("arrow-left", size=16, aria_hidden="true"),
        "Back to the history",
        href=CompareState.workspace_home + "/history",
        display="inline-flex",
        align_items="center",
        gap="4px",
        size="2",
    )


def _content() -> rx.Component:
    return rx.cond(
        CompareState.refusal != "",
        callout("lock", "amber", rx.callout.text(CompareState.refusal)),
        rx.cond(
            CompareState.loading,
            rx.skeleton(height="240px", width="100%", loading=True),
            rx.vstack(
                rx.cond(
                    CompareState.message != "",
                    callout("info", "blue", rx.callout.text(CompareState.message)),
                ),
                rx.cond(
                    CompareState.columns.length() > 0,
                    rx.vstack(
                        rx.hstack(
                            rx.text(
                                CompareState.differing,
                                " of ",
                                CompareState.rows.length(),
                                " rows differ.",
                                size="2",
                                color_scheme="gray",
                            ),
                            _only_differences(),
                            spacing="4",
                            align="center",
                            wrap="wrap",
                        ),
                        _table(),
                        spacing="3",
                        width="100%",
                        # The switch hides the rows that agree in the browser alone: no event,
                        # no round trip, nothing for the server to check.
                        style={
                            f"&:has(#{ONLY_DIFFERENCES_ID}[data-state='checked']) "
                            "tr[data-differs='false']": {"display": "none"},
                        },
                    ),
                ),
                spacing="3",
                width="100%",
            ),
        ),
    )


@rx.page(route=routes.HISTORY_COMPARE, title="Compare jobs · ftapp", on_load=CompareState.open_page)
def compare_page() -> rx.Component:
    """The compare page."""
    return app_page(
        page_header(
            "Compare jobs",
            rx.text(
                "Recorded jobs side by side; rows whose values differ are marked.",
                size="2",
                color_scheme="gray",
            ),
            _back(),
        ),
        _content(),
    )
