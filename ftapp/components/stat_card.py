"""A summary number with its label, e.g. "Running 2"; clicking it can filter a list."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ftapp.components.layout import VISUALLY_HIDDEN


def stat_card(
    label: str,
    value: rx.Var | int | str,
    icon: str,
    color: str,
    *,
    on_click: Any = None,
    pressed: rx.Var[bool] | None = None,
    action: str = "",
) -> rx.Component:
    """A card labelled ``label`` (its accessible name) showing ``value``.

    With ``on_click``, the whole card is one button named ``action`` (e.g. "Show running
    jobs"), ``pressed`` while its filter is on.
    """
    button = []
    if on_click is not None:
        button.append(
            rx.el.button(
                rx.el.span(action, style=VISUALLY_HIDDEN),
                on_click=on_click,
                type="button",
                aria_pressed=rx.cond(pressed, "true", "false") if pressed is not None else None,
                class_name="ft-stat-card-button",
                style={
                    "position": "absolute",
                    "inset": "0",
                    "width": "100%",
                    "background": "transparent",
                    "border": "none",
                    "border_radius": "inherit",
                    "cursor": "pointer",
                },
            )
        )
    return rx.card(
        rx.hstack(
            rx.center(
                rx.icon(icon, size=20, aria_hidden="true"),
                color=rx.color(color, 11),
                background_color=rx.color(color, 3),
                border_radius="8px",
                width="40px",
                height="40px",
                flex_shrink="0",
            ),
            rx.vstack(
                rx.text(label, size="2", color_scheme="gray", weight="medium"),
                rx.text(value, size="6", weight="bold", data_testid="stat-value"),
                spacing="0",
            ),
            align="center",
            spacing="3",
        ),
        *button,
        role="group",
        aria_label=label,
        size="2",
        width="100%",
        position="relative",
        outline=rx.cond(pressed, f"2px solid {rx.color(color, 8)}", "none")
        if pressed is not None
        else "none",
    )
