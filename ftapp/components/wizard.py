"""The step indicator of a multi-step form: numbered steps, the current one marked."""

from __future__ import annotations

import reflex as rx

from ftapp.components.layout import VISUALLY_HIDDEN


def _step_item(number: int, title: str, current: rx.Var[int]) -> rx.Component:
    is_current = current == number
    is_done = current > number
    return rx.el.li(
        rx.flex(
            rx.flex(
                rx.cond(is_done, rx.icon("check", size=14, aria_hidden="true"), rx.text(number)),
                align="center",
                justify="center",
                width="26px",
                height="26px",
                flex_shrink="0",
                border_radius="9999px",
                font_size="13px",
                font_weight="600",
                background=rx.cond(
                    is_current | is_done, rx.color("accent", 9), rx.color("gray", 4)
                ),
                color=rx.cond(is_current | is_done, "var(--accent-contrast)", rx.color("gray", 11)),
            ),
            rx.text(
                title,
                size="2",
                weight=rx.cond(is_current, "bold", "regular"),
                color=rx.cond(is_current, rx.color("gray", 12), rx.color("gray", 11)),
            ),
            rx.cond(is_done, rx.el.span(" (done)", style=VISUALLY_HIDDEN)),
            align="center",
            gap="8px",
        ),
        aria_current=rx.cond(is_current, "step", rx.Var.create(None)),
        list_style="none",
    )


def step_indicator(titles: list[str], current: rx.Var[int], label: str) -> rx.Component:
    """An ordered list of ``titles``; ``current`` is the 1-based number of the current step."""
    return rx.el.ol(
        *[_step_item(number, title, current) for number, title in enumerate(titles, 1)],
        aria_label=label,
        display="flex",
        flex_wrap="wrap",
        gap="8px 24px",
        margin="0",
        padding="0",
    )
