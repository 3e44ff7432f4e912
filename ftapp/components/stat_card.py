"""A summary number with its label, e.g. "Running 2"."""

import reflex as rx


def stat_card(label: str, value: rx.Var | int, icon: str, color: str) -> rx.Component:
    """A card labelled ``label`` (its accessible name) showing ``value``."""
    return rx.card(
        rx.hstack(
            rx.center(
                rx.icon(icon, size=20),
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
        role="group",
        aria_label=label,
        size="2",
        width="100%",
    )
