"""A list of cards, for phones where a table's columns do not fit (the dashboard's jobs, the
activity log)."""

from collections.abc import Callable
from typing import Any

import reflex as rx


def card_list(items: rx.Var, render: Callable[[Any], rx.Component], label: str) -> rx.Component:
    """``items`` as a list named ``label``, each drawn by ``render`` (a ``li`` holding a card)."""
    return rx.el.ul(
        rx.foreach(items, render),
        aria_label=label,
        display="flex",
        flex_direction="column",
        gap="8px",
        margin="0",
        padding="0",
        width="100%",
    )
