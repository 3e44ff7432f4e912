"""Callouts that tell the user something about the page, and the actions they offer."""

from __future__ import annotations

from typing import Any

import reflex as rx


def callout(
    icon: str,
    color: str | None,
    *children: rx.Component | rx.Var | str,
    role: str = "alert",
    **props,
) -> rx.Component:
    """A full-width callout with ``icon``; ``children`` follow the icon (text, actions).

    ``color`` is a Radix colour; None keeps the theme's accent colour.
    """
    if color is not None:
        props["color_scheme"] = color
    return rx.callout.root(
        rx.callout.icon(rx.icon(icon)), *children, role=role, width="100%", **props
    )


def retry_button(
    on_click: Any, *, loading: rx.Var[bool] | bool = False, disabled: rx.Var[bool] | bool = False
) -> rx.Component:
    """A "Retry" button sized to its text, for a red callout."""
    return rx.button(
        rx.icon("refresh-cw", size=14, aria_hidden="true"),
        "Retry",
        type="button",
        variant="soft",
        color_scheme="red",
        width="fit-content",
        loading=loading,
        disabled=disabled,
        on_click=on_click,
    )


def delete_jobs_link(dashboard: rx.Var[str] | str) -> rx.Component:
    """Where to go to make room in a full workspace (its ``dashboard``)."""
    return rx.link("Go to the dashboard to delete jobs", href=dashboard)
