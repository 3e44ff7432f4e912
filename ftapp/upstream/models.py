"""Pydantic models of what the Job Training API sends back (camelCase on the wire).

They are tolerant of the contract's quirks: a job may lack ``createdAt``, ``createdAgo`` or
``date``, unknown fields are ignored, and an unknown status is kept as it came.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

RUNNING: Final = "Running"
COMPLETED: Final = "Completed"
FAILED: Final = "Failed"
KNOWN_STATUSES: Final = (RUNNING, COMPLETED, FAILED)


class WireModel(BaseModel):
    """Base of every upstream model: camelCase aliases, extra fields ignored."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)


class Model(WireModel):
    """A base model offered for fine-tuning."""

    id: str
    display_name: str = Field(alias="displayName")


class Job(WireModel):
    """A fine-tuning job as the API returns it."""

    id: str
    name: str
    base_model: str = Field(alias="baseModel")
    epochs: int
    evaluation_epochs: int = Field(alias="evaluationEpochs")
    warmup_epochs: int = Field(alias="warmupEpochs")
    learning_rate: float = Field(alias="learningRate")
    status: str
    date: datetime | None = None
    created_at: datetime | None = Field(default=None, alias="createdAt")
    created_ago: str | None = Field(
        default=None, validation_alias=AliasChoices("createdAgo", "created_ago")
    )

    @property
    def created(self) -> datetime | None:
        """When the job was created: ``createdAt``, falling back to ``date``."""
        return self.created_at or self.date

    @property
    def is_running(self) -> bool:
        """True while the job has not reached a final status."""
        return self.status == RUNNING


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
