"""How fresh the live data is: "Live" while it updates by itself, "Updated 5 s ago" and a
banner when the API fails."""

import reflex as rx

from ftapp.components.callouts import callout
from ftapp.components.relative_time import relative_time


def freshness(updated_at: rx.Var[float], error: rx.Var[str]) -> rx.Component:
    """A quiet line: "Live" while the shared poll succeeds (the page then follows every
    change by itself, and a poll that finds nothing new sends the browser nothing), or
    "Updated 5 s ago" (the last good list) while polls fail. Nothing before the first list."""
    return rx.cond(
        updated_at > 0,
        rx.hstack(
            rx.cond(
                error == "",
                rx.fragment(
                    rx.box(
                        width="8px",
                        height="8px",
                        border_radius="50%",
                        background=rx.color("grass", 9),
                        aria_hidden="true",
                    ),
                    rx.text("Live", size="1", title="This page follows every change by itself"),
                ),
                rx.fragment(
                    rx.icon("refresh-cw", size=12, aria_hidden="true"),
                    rx.text("Updated ", relative_time(updated_at, "earlier", short=True), size="1"),
                ),
            ),
            color=rx.color("gray", 11),  # 10 is under AA contrast for this small text
            align="center",
            spacing="1",
            role="status",
            aria_label="Live updates",
        ),
    )


def refresh_button(on_click: rx.EventHandler) -> rx.Component:
    """A small "Refresh" control: ask for the latest data now."""
    return rx.icon_button(
        rx.icon("rotate-cw", size=14, aria_hidden="true"),
        on_click=on_click,
        variant="ghost",
        size="1",
        color_scheme="gray",
        aria_label="Refresh",
        title="Refresh now",
    )


def stale_banner(
    error: rx.Var[str], updated_at: rx.Var[float], slow_retry: rx.Var[bool] | bool = False
) -> rx.Component:
    """Shown while polls fail: says why and that the data on screen may be out of date.

    ``slow_retry``: the failure will not fix itself soon (a refused key), so the next try is
    in a minute rather than "automatically".
    """
    retrying = rx.cond(slow_retry, " ftapp asks again every minute.", " Retrying automatically.")
    return rx.cond(
        error != "",
        callout(
            "wifi-off",
            "amber",
            rx.callout.text(
                rx.text.strong("Live updates paused. "),
                error,
                rx.cond(
                    updated_at > 0,
                    rx.fragment(
                        " The data below may be out of date (last updated ",
                        relative_time(updated_at, "earlier", short=True),
                        ").",
                    ),
                ),
                retrying,
            ),
        ),
    )
