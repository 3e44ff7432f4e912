"""Pieces of a table whose columns sort and whose minor columns hide on narrow screens: the
dashboard's jobs and the history's records, and a name cut to the column's width."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import reflex as rx

_SORT_BUTTON_STYLE = {
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
}


def shown_from(breakpoints: Mapping[str, str], column: str) -> dict[str, Any]:
    """Props hiding ``column``'s cells below its breakpoint in ``breakpoints`` (Radix names:
    xs 520 px, sm 768 px, md 1024 px); none for a column always shown."""
    breakpoint = breakpoints.get(column)
    if breakpoint is None:
        return {}
    return {"display": rx.breakpoints(initial="none", **{breakpoint: "table-cell"})}


def sort_header(
    column: str,
    label: str,
    *,
    sorted_by: rx.Var[str],
    descending: rx.Var[bool],
    on_sort: Callable[[str], Any],
    breakpoints: Mapping[str, str],
    **props: Any,
) -> rx.Component:
    """A column header that sorts by ``column`` when pressed, shows the direction, and says
    it to assistive technology (``aria-sort``)."""
    is_sorted = sorted_by == column
    return rx.table.column_header_cell(
        rx.el.button(
            label,
            rx.cond(
                is_sorted,
                rx.cond(
                    descending,
                    rx.icon("arrow-down", size=14),
                    rx.icon("arrow-up", size=14),
                ),
                rx.icon("arrow-up-down", size=14, opacity="0.35"),
            ),
            on_click=on_sort(column),
            title=f"Sort by {label}",
            style=_SORT_BUTTON_STYLE,
            **props,
        ),
        aria_sort=rx.cond(is_sorted, rx.cond(descending, "descending", "ascending"), "none"),
        **shown_from(breakpoints, column),
    )


def cut_name_link(name: rx.Var[str], href: rx.Var[str], width: str) -> rx.Component:
    """``name`` as a link, cut with "…" past ``width``; the whole name on hover and on
    keyboard focus."""
    return rx.tooltip(
        rx.link(
            name,
            href=href,
            weight="medium",
            display="block",
            max_width=width,
            overflow="hidden",
            text_overflow="ellipsis",
            white_space="nowrap",
        ),
        content=name,
    )
