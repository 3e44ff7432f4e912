"""Recorded jobs side by side, and the history's charts, for those whose role may read the
history. Ids come from the browser: they are checked against the configured workspace's own
records. A refusal is a message, never an exception, as for the history's pages.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ftapp.auth.roles import Identity
from ftapp.history import charts, compare, insights
from ftapp.history.view import HistoryView
from ftapp.services import connection, workspace
from ftapp.services.history import read_history, refusal
from ftapp.services.job_records import DATABASE_AWAY


@dataclass(frozen=True)
class CompareResult:
    """The comparison of the asked jobs; ``message`` says what was left out or why nothing
    can be compared; ``refusal`` why the history may not be read."""

    comparison: compare.Comparison = field(default_factory=compare.Comparison)
    message: str = ""
    refusal: str = ""


@dataclass(frozen=True)
class ChartsResult:
    """The history's two charts for a view, each with the sentence that says its numbers."""

    series: list[charts.DurationSeries] = field(default_factory=list)
    duration_summary: str = ""
    bars: list[charts.OutcomeBar] = field(default_factory=list)
    outcome_summary: str = ""
    refusal: str = ""


async def compare_jobs(actor: Identity | None, ids_text: str) -> CompareResult:
    """The jobs a compare link's ``ids`` names, side by side, for ``actor``."""
    if reason := refusal(actor):
        return CompareResult(refusal=reason)
    asked = compare.parse_ids(ids_text)
    if asked.refusal:
        return CompareResult(message=asked.refusal)
    records = await read_history(
        insights.records_with_ids, connection.workspace(actor.workspace), asked.ids
    )
    if records is None:
        return CompareResult(message=DATABASE_AWAY)
    found = compare.compare(
        asked.ids,
        records,
        workspace.current(actor.workspace).models,
        time.time(),
        actor.workspace,
    )
    message = compare.unknown_message(found.unknown)
    if len(found.columns) < compare.MIN_JOBS:
        return CompareResult(message=f"{message} {compare.choose_message()}".strip())
    return CompareResult(comparison=found, message=message)


def _aggregates(workspace_id: str, view: HistoryView):
    return (
        insights.duration_groups(workspace_id, view),
        insights.outcome_counts(workspace_id, view),
    )


async def history_charts(actor: Identity | None, view: HistoryView) -> ChartsResult:
    """The charts of the records of ``view`` (its filters; not its sort or page)."""
    if reason := refusal(actor):
        return ChartsResult(refusal=reason)
    aggregates = await read_history(_aggregates, connection.workspace(actor.workspace), view)
    if aggregates is None:
        return ChartsResult(refusal=DATABASE_AWAY)
    (groups, models), counts = aggregates
    series = charts.duration_series(groups, workspace.current(actor.workspace).models)
    bars = charts.outcome_bars(counts)
    return ChartsResult(
        series=series,
        duration_summary=charts.duration_summary(series, models),
        bars=bars,
        outcome_summary=charts.outcome_summary(bars),
    )
