"""Choosing recorded jobs to compare: a checkbox per row (named after its job) and the
"Compare (n)" action, on only for 2 to 4 jobs; a fifth choice is refused with a note."""

from __future__ import annotations

import reflex as rx

from ftapp.components.layout import VISUALLY_HIDDEN
from ftapp.history.compare import MAX_JOBS, MIN_JOBS
from ftapp.history.rows import HistoryRow
from ftapp.pages.history.state import HistoryState


def select_header() -> rx.Component:
    return rx.table.column_header_cell(rx.el.span("Compare", style=VISUALLY_HIDDEN), width="36px")


def select_cell(row: HistoryRow) -> rx.Component:
    """A native checkbox (no Radix checkbox module for the build to share with the other
    pages); a click asks for the opposite of what the State holds."""
    chosen = HistoryState.selected.contains(row.id)
    return rx.table.cell(
        rx.el.input(
            type="checkbox",
            checked=chosen,
            on_change=lambda _value: HistoryState.toggle_selected(row.id, ~chosen),
            aria_label="Select " + row.name,
            style={
                "width": "16px",
                "height": "16px",
                "margin": "0",
                "accent_color": "var(--accent-9)",
                "cursor": "pointer",
                "vertical_align": "middle",
            },
        ),
        width="36px",
    )


def compare_bar() -> rx.Component:
    """The Compare action with how many jobs are chosen, and the note for a refused one."""
    chosen = HistoryState.selected.length()
    return rx.flex(
        rx.button(
            rx.icon("columns-3", size=16, aria_hidden="true"),
            "Compare (",
            chosen,
            ")",
            on_click=HistoryState.compare_selected,
            disabled=(chosen < MIN_JOBS) | (chosen > MAX_JOBS),
            variant="soft",
        ),
        rx.cond(
            chosen > 0,
            rx.button(
                "Clear selection",
                on_click=HistoryState.clear_selection,
                variant="ghost",
                color_scheme="gray",
            ),
        ),
        rx.cond(
            HistoryState.selection_note != "",
            rx.text(
                HistoryState.selection_note,
                role="alert",
                size="2",
                color_scheme="red",
                weight="medium",
            ),
            rx.text(
                f"Select {MIN_JOBS} to {MAX_JOBS} jobs to compare them side by side.",
                size="2",
                color_scheme="gray",
            ),
        ),
        spacing="3",
        align="center",
        wrap="wrap",
        width="100%",
    )
