"""What a workspace's feed knows and how often it asks: the :class:`Snapshot` every page
follows, the :class:`PollIntervals`, and the counts of a job list (always from its jobs).

Pure data and rules, no loop: :mod:`ftapp.services.feed` runs the poll loop on them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

from ftapp.settings import Settings
from ftapp.upstream import JobList, Summary, Unauthorized

KeyPermission = Literal["may_create", "may_delete"]
"""A :class:`Snapshot` field that records what the key may do."""
Probe = Callable[[], Awaitable[bool | None]]
"""Asks the API whether the key may do something: True, False, or None (it did not say)."""
HealthCheck = Callable[[], Awaitable[bool]]
"""Asks the API whether it answers at all (no key needed): True when it does."""
REFUSED_KEY_KIND = Unauthorized.__name__
"""The ``error_kind`` of a poll the API refused for its key (which will not heal by itself)."""


class PollRecorder(Protocol):
    """Where the feed of the process that polls hands each successful list (the job history,
    :mod:`ftapp.history.recorder`): it must return at once and never raise."""

    def polled(
        self, job_list: JobList, asked_at: float, observed_at: float, interval_seconds: float
    ) -> None:
        """A poll sent at ``asked_at`` got ``job_list`` at ``observed_at``; what it shows
        changed at most ``interval_seconds`` before."""

    def resync(self) -> None:
        """This process has just become the one that polls (another may have written)."""


def counted(job_list: JobList) -> JobList:
    """``job_list`` with its summary counted from its jobs, so the numbers a page shows always
    agree with its rows."""
    counts = {"completed": 0, "running": 0, "failed": 0}
    for job in job_list.jobs:
        if (key := job.status.lower()) in counts:
            counts[key] += 1
    summary = Summary(**counts)
    if summary == job_list.summary:
        return job_list
    return job_list.model_copy(update={"summary": summary})


@dataclass(frozen=True)
class PollIntervals:
    """How often a feed polls, in seconds."""

    running_seconds: float = 2.0
    idle_seconds: float = 15.0
    max_backoff_seconds: float = 60.0

    @classmethod
    def from_settings(cls, settings: Settings) -> PollIntervals:
        """The ``FT_POLL_*`` settings."""
        return cls(
            running_seconds=settings.poll_running_seconds,
            idle_seconds=settings.poll_idle_seconds,
            max_backoff_seconds=settings.poll_max_backoff_seconds,
        )

    def next_delay(self, job_list: JobList | None, failures: int, error_kind: str = "") -> float:
        """Seconds until the next poll, given the last good list and the failure streak.

        A refused key does not fix itself in seconds: it is asked about again only at the
        longest backoff.
        """
        if failures and error_kind == REFUSED_KEY_KIND:
            return self.max_backoff_seconds
        if failures:
            # The exponent is capped so a very long streak cannot overflow a float.
            return min(self.running_seconds * 2 ** min(failures, 1000), self.max_backoff_seconds)
        if (
            job_list is not None
            and job_list.summary.running == 0
            and not any(job.is_running for job in job_list.jobs)
        ):
            return self.idle_seconds
        return self.running_seconds


@dataclass(frozen=True)
class Snapshot:
    """What a feed knows: the last good job list and the outcome of the last poll."""

    version: int = 0
    job_list: JobList | None = None
    fetched_at: float | None = None
    """Unix time of the last successful poll."""
    error: str = ""
    """Why the last poll failed ("" when it succeeded)."""
    error_kind: str = ""
    """The failure's type name (e.g. ``Unavailable``), for styling and tests."""
    failures: int = 0
    models: Mapping[str, str] = field(default_factory=dict)
    """Model id -> display name, from ``GET /models``."""
    models_error: str = ""
    """Why the models could not be had ("" once they are, or before the first try)."""
    may_create: bool | None = None
    """Whether the key may create jobs, when the API has told."""
    may_delete: bool | None = None
    """Whether the key may delete jobs, when the API has told."""

    @property
    def key_refused(self) -> bool:
        """True when the last poll failed because the API refused the key."""
        return self.error_kind == REFUSED_KEY_KIND

    @property
    def summary(self) -> Summary:
        return self.job_list.summary if self.job_list else Summary()


Fetch = Callable[[], Awaitable[JobList]]
