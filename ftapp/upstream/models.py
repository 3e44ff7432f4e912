"""Pydantic models of what the Job Training API sends back (camelCase on the wire).

They are tolerant of the contract's quirks: a job may lack ``createdAt``, ``createdAgo`` or
``date``, unknown fields are ignored, and an unknown status is kept as it came.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, model_validator

from ftapp.job_fields import JOB_FIELDS, JobField, JobInput, input_model
from ftapp.rules import JobStatus


class WireModel(BaseModel):
    """Base of every upstream model: camelCase aliases, extra fields ignored."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)


class Model(WireModel):
    """A base model offered for fine-tuning."""

    id: str
    display_name: str = Field(alias="displayName")


class Job(JobInput):
    """A fine-tuning job as the API returns it: its request's fields (defined once, in
    :mod:`ftapp.rules`) plus what the API adds."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)

    id: str
    status: str
    """A :class:`~ftapp.rules.JobStatus` value, or whatever new status the API sends."""
    date: datetime | None = None
    created_at: datetime | None = Field(default=None, alias="createdAt")
    created_ago: str | None = Field(
        default=None, validation_alias=AliasChoices("createdAgo", "created_ago")
    )
    """The API's own wording ("2 weeks ago"), kept only when it sends no time: it changes
    from one poll to the next, so keeping it would make an unchanged job look changed."""

    @model_validator(mode="before")
    @classmethod
    def _drop_wording_when_timed(cls, data: Any) -> Any:
        if isinstance(data, dict) and any(
            data.get(key) for key in ("createdAt", "created_at", "date")
        ):
            return {k: v for k, v in data.items() if k not in ("createdAgo", "created_ago")}
        return data

    @property
    def created(self) -> datetime | None:
        """When the job was created: ``createdAt``, falling back to ``date``."""
        return self.created_at or self.date

    @property
    def is_running(self) -> bool:
        """True while the job has not reached a final status."""
        return self.status == JobStatus.RUNNING


def job_model(fields: Sequence[JobField] = JOB_FIELDS) -> type[Job]:
    """:class:`Job` with the request fields ``fields`` (itself for :data:`JOB_FIELDS`)."""
    if tuple(fields) == JOB_FIELDS:
        return Job
    return input_model(fields, base=Job)


class Summary(WireModel):
    """Counts of jobs by status, as ``GET /jobs`` reports them."""

    completed: int = 0
    running: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        """All jobs counted in the summary."""
        return self.completed + self.running + self.failed


class JobList(WireModel):
    """The body of ``GET /jobs``."""

    jobs: list[Job]
    summary: Summary = Field(default_factory=Summary)


class Deleted(WireModel):
    """The body of a successful ``DELETE /jobs/{id}``."""

    message: str = "Job deleted successfully"
