"""What a service call tells a page: typed outcomes instead of upstream exceptions."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from ftapp.upstream import Job


class Level(StrEnum):
    """How a message is shown (the toast's kind)."""

    SUCCESS = "success"
    INFO = "info"
    ERROR = "error"


class NextAction(StrEnum):
    """What a refusal offers the user next."""

    NONE = ""
    RETRY = "retry"
    """Try the same thing again (the API was down or timed out)."""
    DASHBOARD = "dashboard"
    """Go to the dashboard, e.g. to delete jobs from a full workspace."""


@dataclass(frozen=True)
class Created:
    """A job was created."""

    job: Job
    message: str


@dataclass(frozen=True)
class Refused:
    """A job was not created: why, the API's messages per form field, and what to do next."""

    message: str
    field_messages: dict[str, str] = field(default_factory=dict)
    next_action: NextAction = NextAction.NONE


@dataclass(frozen=True)
class Uncertain:
    """The create's answer was lost and ftapp cannot tell yet whether the job was made: the
    page says so and keeps checking (see :func:`ftapp.services.check_create`)."""

    message: str


CreateOutcome = Created | Refused | Uncertain


@dataclass(frozen=True)
class Deletion:
    """What a delete did; ``gone`` is True when the job no longer exists (deleted now, or
    already deleted elsewhere), so pages drop it."""

    gone: bool
    message: str
    level: Level


@dataclass(frozen=True)
class JobLookup:
    """One job, or why it could not be had."""

    job: Job | None = None
    missing: bool = False
    """True when the API says there is no such job."""
    error: str = ""
    """Why the job could not be loaded (the API is down, ...); "" otherwise."""
