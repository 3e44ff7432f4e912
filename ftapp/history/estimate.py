"""How long a job will probably take, from the finished jobs the record holds.

**Similar jobs** are finished jobs (Completed or Failed, with an observed run time) of the
same workspace and base model whose training epochs are within 25 % of the job's, or within
2 epochs for small counts, whichever is wider (:func:`similar_epochs`): for 3 epochs 1 to 5,
for 20 epochs 15 to 25. A failed job counts too (its run time is how long it ran before it
failed), and the estimate says how many failed. Fewer than :data:`MIN_JOBS` similar jobs give
no estimate, only how many there are so far.

Everything here is pure but :func:`finished_jobs`, the one query (blocking: run it with
:func:`ftapp.database.in_thread`).
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
import sqlmodel

from ftapp import database
from ftapp.history.timeline import format_duration
from ftapp.models import JobRecord
from ftapp.rules import JobStatus

SIMILAR_FRACTION = 0.25
"""Epochs within this fraction of the job's count as similar..."""
SIMILAR_EPOCHS = 2
"""...or within this many epochs, whichever is wider."""
MIN_JOBS = 3
"""The fewest similar finished jobs that make an estimate."""
MAX_JOBS = 500
"""The most recent finished jobs of a model :func:`finished_jobs` reads."""
FINISHED = (JobStatus.COMPLETED.value, JobStatus.FAILED.value)


@dataclass(frozen=True)
class FinishedJob:
    """What an estimate needs of one finished job."""

    epochs: int
    duration_seconds: int
    failed: bool


@dataclass(frozen=True)
class Estimate:
    """What similar jobs took: at least :data:`MIN_JOBS` of them, else only their count."""

    jobs: int = 0
    failed: int = 0
    low_seconds: int = 0
    high_seconds: int = 0
    median_seconds: int = 0

    @property
    def enough(self) -> bool:
        """True when there are enough similar jobs to estimate."""
        return self.jobs >= MIN_JOBS

    @property
    def text(self) -> str:
        """E.g. "Similar jobs took 12 min to 18 min (median 15 min, from 7 jobs); 1 of 7
        failed.", or why there is no estimate."""
        if not self.enough:
            return f"Too few similar finished jobs of this model to estimate ({self.jobs} so far)."
        took = (
            format_duration(self.low_seconds)
            if self.low_seconds == self.high_seconds
            else f"{format_duration(self.low_seconds)} to {format_duration(self.high_seconds)}"
        )
        failed = f"{self.failed} of {self.jobs} failed" if self.failed else "none failed"
        return (
            f"Similar jobs took {took} (median {format_duration(self.median_seconds)}, "
            f"from {self.jobs} jobs); {failed}."
        )


def similar_epochs(target: int, other: int) -> bool:
    """True when ``other`` epochs are similar to ``target`` (see the module's rule)."""
    return abs(other - target) <= max(SIMILAR_EPOCHS, SIMILAR_FRACTION * target)


def estimate(epochs: int, finished: Iterable[FinishedJob]) -> Estimate:
    """The estimate for a job of ``epochs`` epochs from ``finished`` jobs of its model."""
    similar = [job for job in finished if similar_epochs(epochs, job.epochs)]
    if len(similar) < MIN_JOBS:
        return Estimate(jobs=len(similar))
    durations = sorted(job.duration_seconds for job in similar)
    return Estimate(
        jobs=len(similar),
        failed=sum(job.failed for job in similar),
        low_seconds=durations[0],
        high_seconds=durations[-1],
        median_seconds=round(statistics.median(durations)),
    )


def epochs_of(settings: str) -> int | None:
    """The training epochs in a record's settings JSON; None when absent or unreadable."""
    try:
        value = json.loads(settings or "{}").get("epochs")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def finished_jobs(workspace: str, base_model: str) -> list[FinishedJob]:
    """The workspace's most recent finished jobs of ``base_model`` (one query; blocking)."""
    statement = (
        sqlmodel.select(JobRecord.settings, JobRecord.status, JobRecord.duration_seconds)
        .where(
            JobRecord.workspace == workspace,
            JobRecord.base_model == base_model,
            sqlmodel.col(JobRecord.status).in_(FINISHED),
            sqlmodel.col(JobRecord.duration_seconds).is_not(None),
        )
        .order_by(sa.desc(JobRecord.finished_at), sa.desc(JobRecord.id))
        .limit(MAX_JOBS)
    )
    with database.session() as session:
        rows = session.exec(statement).all()
    return [
        FinishedJob(epochs, max(int(duration), 0), status == JobStatus.FAILED)
        for settings, status, duration in rows
        if (epochs := epochs_of(settings)) is not None and duration is not None
    ]
