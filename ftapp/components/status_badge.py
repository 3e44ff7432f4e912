"""The job status badge: one colour per status, the same everywhere."""

import reflex as rx

STATUS_COLORS = {"Running": "blue", "Completed": "green", "Failed": "red"}


def status_badge(status: rx.Var[str] | str) -> rx.Component:
    """A badge for a job status; an unknown status shows as it came, in grey."""
    return rx.badge(
        rx.match(
            status,
            ("Running", rx.icon("loader", size=12)),
            ("Completed", rx.icon("circle-check", size=12)),
            ("Failed", rx.icon("circle-x", size=12)),
            rx.icon("circle-help", size=12),
        ),
        status,
        color_scheme=rx.match(
            status,
            *STATUS_COLORS.items(),
            "gray",
        ),
        variant="soft",
        high_contrast=True,  # the soft badge's own text is under AA contrast for green/blue
        radius="full",
        size="2",
    )
