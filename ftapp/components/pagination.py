"""Pages of a long list: how many there are, Previous / "Page N of M" / Next, and optionally
how many rows a page shows."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import reflex as rx


def _step_button(icon: str, label: str, on_click: rx.event.EventSpec, disabled: rx.Var[bool]):
    return rx.button(
        rx.icon(icon, size=16),
        on_click=on_click,
        disabled=disabled,
        variant="soft",
        size="1",
        aria_label=label,
    )


def count_summary(count: rx.Var[int], one: str, many: str) -> rx.Component:
    """ "1 job" / "42 jobs": the summary a :func:`pagination` shows on its left."""
    return rx.text(count, rx.cond(count == 1, f" {one}", f" {many}"), size="2", color_scheme="gray")


def rows_per_page(
    value: rx.Var[str], sizes: Sequence[int], on_change: rx.event.EventHandler
) -> list[rx.Component]:
    """The "Rows per page" label and its select (``sizes``), for :func:`pagination`'s
    ``controls``."""
    return [
        rx.text("Rows per page", size="2", color_scheme="gray", as_="span"),
        rx.select.root(
            rx.select.trigger(aria_label="Rows per page"),
            rx.select.content(*[rx.select.item(str(n), value=str(n)) for n in sizes]),
            value=value,
            on_change=on_change,
            size="1",
        ),
    ]


def pagination(
    summary: rx.Component,
    page: rx.Var[int],
    pages: rx.Var[int],
    go_to_page: Callable[[rx.Var[int]], rx.event.EventSpec],
    *controls: rx.Component,
    **props,
) -> rx.Component:
    """A navigation landmark named "Pagination": ``summary`` (e.g. "42 jobs") on the left;
    ``controls`` (e.g. :func:`rows_per_page`), Previous, "Page ``page`` of ``pages``" and Next
    on the right. ``go_to_page(n)`` is the event that shows page n; ``props`` go to the row
    (e.g. ``wrap``)."""
    return rx.flex(
        summary,
        rx.hstack(
            *controls,
            _step_button("chevron-left", "Previous page", go_to_page(page - 1), page <= 1),
            rx.text("Page ", page, " of ", pages, size="2"),
            _step_button("chevron-right", "Next page", go_to_page(page + 1), page >= pages),
            align="center",
            spacing="2",
        ),
        justify="between",
        align="center",
        **props,
        width="100%",
        role="navigation",
        aria_label="Pagination",
    )
