"""Jobs by status as three horizontal bars: plain HTML and CSS, no chart library to download
and parse before the dashboard shows its data."""

from __future__ import annotations

import dataclasses

import reflex as rx

from ftapp.components.status_badge import STATUS_COLORS


@dataclasses.dataclass
class StatusBar:
    """One bar: a status, its count, and its length in percent of the longest bar."""

    status: str = ""
    jobs: int = 0
    percent: int = 0


def status_bars(counts: dict[str, int]) -> list[StatusBar]:
    """The bars for ``counts`` (status -> jobs), in the order given; the longest is 100 %."""
    longest = max(counts.values(), default=0)
    return [
        StatusBar(status, jobs, round(100 * jobs / longest) if longest else 0)
        for status, jobs in counts.items()
    ]


def _bar(bar: StatusBar) -> rx.Component:
    color = rx.match(
        bar.status,
        *[(status, rx.color(scheme, 9)) for status, scheme in STATUS_COLORS.items()],
        rx.color("gray", 9),
    )
    return rx.grid(
        rx.text(bar.status, size="2", color_scheme="gray"),
        rx.box(
            rx.box(
                width=bar.percent.to(str) + "%",
                min_width=rx.cond(bar.jobs > 0, "6px", "0"),
                height="100%",
                background=color,
                border_radius="4px",
            ),
            height="16px",
            background=rx.color("gray", 3),
            border_radius="4px",
            width="100%",
        ),
        rx.text(bar.jobs, size="2", weight="bold", text_align="right"),
        grid_template_columns="80px 1fr 28px",
        align_items="center",
        gap="12px",
        width="100%",
    )


def status_chart(bars: rx.Var[list[StatusBar]], summary: rx.Var[str]) -> rx.Component:
    """The bars, drawn for the eye: ``summary`` is their text alternative, and the drawing
    is inert (no tab stop, nothing for a screen reader to wander through)."""
    return rx.vstack(
        rx.foreach(bars, _bar),
        role="img",
        aria_label=summary,
        custom_attrs={"inert": ""},
        spacing="3",
        justify="center",
        height="140px",
        width="100%",
    )
