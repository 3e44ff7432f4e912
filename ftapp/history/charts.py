"""The history's two pictures, from aggregates of the records of the current view: average
run time against epochs per model, and finished jobs by learning rate. Pure: the SQL that
aggregates is in :mod:`ftapp.history.insights`; here the aggregates become a few hundred
points at most, the summary sentences and the rows of each chart's text alternative.

Bounds: the duration chart shows the :data:`MAX_MODELS` models with the most finished jobs,
one point per model and epoch count (the average of its jobs), and a model with more than
:data:`MAX_POINTS_PER_SERIES` epoch counts has them binned into that many ranges (the point
sits at the jobs' average epochs); so at most 300 points, however many records. The outcome
chart has one bar per learning-rate decade (:data:`RATE_EDGES`): at most seven.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence

from ftapp.job_fields import format_decimal

MAX_MODELS = 6
MAX_POINTS_PER_SERIES = 50
SERIES_COLORS = ("blue", "orange", "green", "purple", "crimson", "cyan")
"""Radix colour scales, one per model, in order of job count."""
RATE_EDGES = (0.00001, 0.0001, 0.001, 0.01, 0.1)
"""Learning-rate buckets: below the first edge, between each two, from the last one up."""
FINISHED = ("Completed", "Failed")


@dataclasses.dataclass(frozen=True)
class DurationGroup:
    """What the SQL gives for one model and epoch count: its finished jobs and their total
    run time."""

    model: str
    epochs: int
    jobs: int
    total_seconds: int


@dataclasses.dataclass
class DurationPoint:
    """One point of the duration chart: the jobs' average epochs and minutes."""

    epochs: float = 0.0
    minutes: float = 0.0
    jobs: int = 0
    model: str = ""


@dataclasses.dataclass
class DurationSeries:
    """One model's points, in one colour."""

    model: str = ""
    color: str = ""
    points: list[DurationPoint] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class OutcomeBar:
    """Finished jobs of one learning-rate bucket."""

    bucket: str = ""
    completed: int = 0
    failed: int = 0


def _bin(groups: Sequence[DurationGroup], model: str, limit: int) -> list[DurationPoint]:
    """One point per epoch count, or per range of them when there are more than ``limit``."""
    ordered = sorted(groups, key=lambda group: group.epochs)
    if len(ordered) > limit:
        low, high = ordered[0].epochs, ordered[-1].epochs
        width = math.ceil((high - low + 1) / limit)
        bins: dict[int, list[DurationGroup]] = {}
        for group in ordered:
            bins.setdefault((group.epochs - low) // width, []).append(group)
        merged = list(bins.values())
    else:
        merged = [[group] for group in ordered]
    points = []
    for members in merged:
        jobs = sum(group.jobs for group in members)
        epochs = sum(group.epochs * group.jobs for group in members) / jobs
        minutes = sum(group.total_seconds for group in members) / jobs / 60
        points.append(DurationPoint(round(epochs, 1), round(minutes, 1), jobs, model))
    return points


def duration_series(
    groups: Iterable[DurationGroup],
    model_names: Mapping[str, str],
    *,
    max_models: int = MAX_MODELS,
    max_points: int = MAX_POINTS_PER_SERIES,
) -> list[DurationSeries]:
    """A series per model (the ``max_models`` with the most jobs, most first), each at most
    ``max_points`` points."""
    by_model: dict[str, list[DurationGroup]] = {}
    for group in groups:
        if group.jobs > 0:
            by_model.setdefault(group.model, []).append(group)
    ranked = sorted(by_model, key=lambda model: (-sum(g.jobs for g in by_model[model]), model))
    series = []
    for index, model in enumerate(ranked[:max_models]):
        label = model_names.get(model, model)
        points = _bin(by_model[model], label, max_points)
        series.append(DurationSeries(label, SERIES_COLORS[index % len(SERIES_COLORS)], points))
    return series


def minutes_text(minutes: float) -> str:
    """ "41 min", "1.5 min", "2 h 5 min"."""
    if minutes >= 60:
        hours, rest = divmod(round(minutes), 60)
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    return f"{format_decimal(round(minutes, 1))} min"


def epochs_text(epochs: float) -> str:
    count = format_decimal(epochs)
    return f"{count} epoch" if epochs == 1 else f"{count} epochs"


def duration_summary(series: Sequence[DurationSeries], models_in_view: int) -> str:
    """One sentence with the numbers: per model, its shortest and longest epoch counts."""
    if not series:
        return "No finished job with a known duration in this view."
    jobs = sum(point.jobs for one in series for point in one.points)
    parts = []
    for one in series:
        first, last = one.points[0], one.points[-1]
        start = f"{minutes_text(first.minutes)} at {epochs_text(first.epochs)}"
        end = f"{minutes_text(last.minutes)} at {epochs_text(last.epochs)}"
        parts.append(f"{one.model}: {start}" + ("" if first is last else f" to {end}"))
    shown = f"{len(series)} model{'s' if len(series) != 1 else ''}"
    if models_in_view > len(series):
        shown += f" (the {len(series)} with the most jobs, of {models_in_view})"
    sentence = f"Average run time by epochs, {jobs} finished job{'s' if jobs != 1 else ''}, "
    return sentence + f"{shown}. " + "; ".join(parts) + "."


def rate_labels(edges: Sequence[float] = RATE_EDGES) -> list[str]:
    """The buckets' labels, in order: "< 0.00001", "0.00001 to 0.0001", ..., "≥ 0.1"."""
    written = [format_decimal(edge) for edge in edges]
    middle = [f"{low} to {high}" for low, high in itertools.pairwise(written)]
    return [f"< {written[0]}", *middle, f"≥ {written[-1]}"]


def rate_bucket(rate: float, edges: Sequence[float] = RATE_EDGES) -> int:
    """The bucket of a learning rate (as :func:`ftapp.history.insights.rate_bucket_sql`)."""
    for index, edge in enumerate(edges):
        if rate < edge:
            return index
    return len(edges)


def outcome_bars(counts: Mapping[tuple[int, str], int]) -> list[OutcomeBar]:
    """A bar per bucket holding finished jobs, from ``(bucket, status) -> jobs``."""
    labels = rate_labels()
    bars = []
    for index, label in enumerate(labels):
        completed, failed = counts.get((index, "Completed"), 0), counts.get((index, "Failed"), 0)
        if completed or failed:
            bars.append(OutcomeBar(label, completed, failed))
    return bars


def outcome_summary(bars: Sequence[OutcomeBar]) -> str:
    """One sentence with every bar's numbers."""
    if not bars:
        return "No finished job with a learning rate in this view."
    parts = [f"{bar.bucket}: {bar.completed} completed, {bar.failed} failed" for bar in bars]
    return "Finished jobs by learning rate. " + "; ".join(parts) + "."
