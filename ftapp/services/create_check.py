"""Whether a create whose answer was lost made a job: at most one job per submit, and the
user always learns which.

A create that timed out, lost its connection after sending, or got a 5xx or a garbled answer
may have made the job. Retrying blindly could make a second one; so ftapp looks in the API
for it instead: a job with exactly the submitted settings, that was not in the workspace
before the submit began (its id is new) and was created no earlier than the submit (give or
take the clocks' skew). Until the create call itself must be over (the submit's start plus
the API timeout and a margin), a job that is not there yet may still come: only a list
fetched after that proves it absent.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from ftapp.job_fields import JobInput
from ftapp.routes import DEFAULT_WORKSPACE
from ftapp.upstream import (
    Job,
    JobList,
    NotConnected,
    ProtocolError,
    Unavailable,
    UpstreamError,
)

log = logging.getLogger(__name__)

CLOCK_SKEW_SECONDS = 120.0
"""How far the API's clock may be behind ftapp's: a job created this long before the submit
began (by the API's clock) still counts as the submit's."""
SETTLE_SECONDS = 5.0
"""Past the API timeout, how long a create call may still take to end (connect, write)."""


@dataclass(frozen=True)
class PendingCreate:
    """A submit whose outcome is not known yet: what was sent, when, and which jobs the
    workspace held just before."""

    job: JobInput
    started_at: float
    """Unix time the submit began (ftapp's clock)."""
    known_ids: frozenset[str] = frozenset()
    workspace: str = DEFAULT_WORKSPACE
    """The slug of the workspace it was sent to."""


@dataclass(frozen=True)
class Found:
    """The submit made this job."""

    job: Job


@dataclass(frozen=True)
class Absent:
    """The submit surely made no job."""


@dataclass(frozen=True)
class Unknown:
    """Cannot tell yet (the API cannot be asked, or the create may still be under way)."""

    reason: str


CheckResult = Found | Absent | Unknown


def outcome_is_unknown(error: UpstreamError) -> bool:
    """True when a create that failed with ``error`` may still have made the job: a timeout,
    a connection lost after sending, a 5xx, or an answer ftapp could not read. A refusal
    (4xx) or a connection never made means no job."""
    if isinstance(error, NotConnected):
        return False
    if isinstance(error, ProtocolError):
        return True
    if isinstance(error, Unavailable):
        return error.status_code is None or error.status_code >= 500
    return False


def _created_at(job: Job) -> float | None:
    created: datetime | None = job.created
    return created.timestamp() if created is not None else None


def matches(job: Job, pending: PendingCreate) -> bool:
    """True when ``job`` can be the one ``pending`` asked for."""
    if job.id in pending.known_ids:
        return False
    wanted = pending.job.to_wire()
    sent = job.to_wire()
    if any(sent.get(name) != value for name, value in wanted.items()):
        return False
    created = _created_at(job)
    return created is None or created >= pending.started_at - CLOCK_SKEW_SECONDS


def find_in(jobs: Iterable[Job], pending: PendingCreate) -> Job | None:
    """The job of ``jobs`` that ``pending`` made, if any (the newest when several could be)."""
    candidates = [job for job in jobs if matches(job, pending)]
    if not candidates:
        return None
    return max(candidates, key=lambda job: _created_at(job) or 0.0)


async def check(
    pending: PendingCreate,
    list_jobs: Callable[[], Awaitable[JobList]],
    api_timeout_seconds: float,
    clock: Callable[[], float] = time.time,
) -> CheckResult:
    """Look for ``pending``'s job in a fresh list of the workspace's jobs."""
    over_at = pending.started_at + api_timeout_seconds + SETTLE_SECONDS
    asked_at = clock()
    try:
        job_list = await list_jobs()
    except UpstreamError as error:
        return Unknown(error.message)
    except Exception:  # a bug must not leave a submit stuck between outcomes
        log.exception("looking for a lost create's job failed")
        return Unknown("ftapp could not look for the job.")
    if (found := find_in(job_list.jobs, pending)) is not None:
        return Found(found)
    if asked_at >= over_at:
        return Absent()
    return Unknown("The Job Training API has not answered the create yet.")
