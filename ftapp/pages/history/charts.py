"""The history's two charts (Recharts, which only this page loads): average run time against
epochs per model, and finished jobs by learning rate. Each is an image to assistive
technology (role="img", named, described by the sentence under it that says its numbers),
followed by a visually hidden table of the same data."""

from __future__ import annotations

import reflex as rx

from ftapp.components.layout import VISUALLY_HIDDEN
from ftapp.history.charts import DurationPoint, DurationSeries, OutcomeBar
from ftapp.pages.history.state import HistoryState

CHART_HEIGHT = 280
DURATION_TITLE = "Average run time against epochs, per model"
OUTCOME_TITLE = "Finished jobs by learning rate"
_AXIS = {"font_size": 12, "stroke": "var(--gray-8)", "tick": {"fill": "var(--gray-11)"}}
"""Axes and their numbers in the theme's grey (readable in light and dark mode)."""


def _swatch(color: rx.Var[str] | str, label: rx.Var[str] | str) -> rx.Component:
    """One entry of a legend: the series' colour and its name, in the text colour (the
    legends are HTML, not Recharts', whose text takes the series' colour)."""
    return rx.hstack(
        rx.box(
            width="10px", height="10px", border_radius="2px", background=color, aria_hidden="true"
        ),
        rx.text(label, size="1"),
        spacing="1",
        align="center",
    )


def _series_color(series: DurationSeries) -> rx.Var[str]:
    return "var(--" + series.color + "-9)"


def _scatter(series: DurationSeries) -> rx.Component:
    return rx.recharts.scatter(
        data=series.points.to(list[dict]),
        name=series.model,
        fill=_series_color(series),
        is_animation_active=False,
    )


def _duration_chart() -> rx.Component:
    return rx.recharts.scatter_chart(
        rx.recharts.cartesian_grid(stroke_dasharray="3 3", stroke="var(--gray-6)"),
        rx.recharts.x_axis(
            data_key="epochs",
            type_="number",
            name="Epochs",
            label={"value": "Epochs", "position": "insideBottomRight", "offset": -4},
            **_AXIS,
        ),
        rx.recharts.y_axis(
            data_key="minutes", type_="number", name="Average", unit=" min", width=70, **_AXIS
        ),
        rx.recharts.graphing_tooltip(),
        rx.foreach(HistoryState.duration_series, _scatter),
        height=CHART_HEIGHT,
        margin={"top": 10, "right": 10, "bottom": 10, "left": 0},
    )


def _outcome_chart() -> rx.Component:
    return rx.recharts.bar_chart(
        rx.recharts.cartesian_grid(stroke_dasharray="3 3", stroke="var(--gray-6)"),
        rx.recharts.x_axis(data_key="bucket", **_AXIS),
        rx.recharts.y_axis(allow_decimals=False, width=40, **_AXIS),
        rx.recharts.graphing_tooltip(),
        rx.recharts.bar(
            data_key="completed",
            name="Completed",
            stack_id="outcome",
            fill="var(--green-9)",
            is_animation_active=False,
        ),
        rx.recharts.bar(
            data_key="failed",
            name="Failed",
            stack_id="outcome",
            fill="var(--red-9)",
            is_animation_active=False,
        ),
        data=HistoryState.outcome_bars.to(list[dict]),
        height=CHART_HEIGHT,
        margin={"top": 10, "right": 10, "bottom": 10, "left": 0},
    )


def _point_row(point: DurationPoint) -> rx.Component:
    return rx.el.tr(
        rx.el.th(point.model, scope="row"),
        rx.el.td(point.epochs),
        rx.el.td(point.minutes),
        rx.el.td(point.jobs),
    )


def _duration_table() -> rx.Component:
    return rx.el.table(
        rx.el.caption(f"{DURATION_TITLE} (data)"),
        rx.el.thead(
            rx.el.tr(
                rx.el.th("Model", scope="col"),
                rx.el.th("Epochs", scope="col"),
                rx.el.th("Average minutes", scope="col"),
                rx.el.th("Jobs", scope="col"),
            )
        ),
        rx.el.tbody(
            rx.foreach(
                HistoryState.duration_series,
                lambda series: rx.foreach(series.points, _point_row),
            )
        ),
        style=VISUALLY_HIDDEN,
    )


def _bar_row(bar: OutcomeBar) -> rx.Component:
    return rx.el.tr(
        rx.el.th(bar.bucket, scope="row"), rx.el.td(bar.completed), rx.el.td(bar.failed)
    )


def _outcome_table() -> rx.Component:
    return rx.el.table(
        rx.el.caption(f"{OUTCOME_TITLE} (data)"),
        rx.el.thead(
            rx.el.tr(
                rx.el.th("Learning rate", scope="col"),
                rx.el.th("Completed", scope="col"),
                rx.el.th("Failed", scope="col"),
            )
        ),
        rx.el.tbody(rx.foreach(HistoryState.outcome_bars, _bar_row)),
        style=VISUALLY_HIDDEN,
    )


def _duration_legend() -> rx.Component:
    return rx.flex(
        rx.foreach(
            HistoryState.duration_series,
            lambda series: _swatch(_series_color(series), series.model),
        ),
        gap="2px 12px",
        wrap="wrap",
    )


def _outcome_legend() -> rx.Component:
    return rx.flex(
        _swatch("var(--green-9)", "Completed"),
        _swatch("var(--red-9)", "Failed"),
        gap="2px 12px",
        wrap="wrap",
    )


def _figure(
    title: str,
    summary_id: str,
    summary: rx.Var[str],
    has_data: rx.Var[bool],
    chart: rx.Component,
    legend: rx.Component,
    table: rx.Component,
) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(title, as_="h3", size="3"),
            rx.cond(
                has_data,
                rx.box(
                    chart,
                    role="img",
                    aria_label=title,
                    aria_describedby=summary_id,
                    width="100%",
                    height=f"{CHART_HEIGHT}px",
                ),
            ),
            rx.cond(has_data, legend),
            rx.text(summary, id=summary_id, size="2", color_scheme="gray"),
            rx.cond(has_data, table),
            spacing="3",
            width="100%",
        ),
        width="100%",
        min_width="0",
    )


def history_charts() -> rx.Component:
    """Both charts, for the records of the current view's filters."""
    return rx.vstack(
        rx.heading("Charts", as_="h2", size="4"),
        rx.text(
            "For every job of this view (its search and filters), all pages.",
            size="2",
            color_scheme="gray",
        ),
        rx.grid(
            _figure(
                DURATION_TITLE,
                "history-duration-summary",
                HistoryState.duration_summary,
                HistoryState.duration_series.length() > 0,
                _duration_chart(),
                _duration_legend(),
                _duration_table(),
            ),
            _figure(
                OUTCOME_TITLE,
                "history-outcome-summary",
                HistoryState.outcome_summary,
                HistoryState.outcome_bars.length() > 0,
                _outcome_chart(),
                _outcome_legend(),
                _outcome_table(),
            ),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
        ),
        spacing="2",
        width="100%",
    )
