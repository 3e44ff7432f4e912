"""Realistic rows of the history (``job_record`` and ``job_transition``), written straight
into an app database, for the tests of what reads them (the query, the page, the export)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from ftapp.job_fields import JOB_FIELDS
from ftapp.models import JobRecord, JobTransition
from ftapp.services.connection import EMBEDDED_BASE_URL
from ftapp.services.feed import workspace_identity

SANDBOX_WORKSPACE = workspace_identity(EMBEDDED_BASE_URL, "sandbox-demo-key")
"""The workspace of an app on its embedded sandbox with the demo key (the default start)."""
LLAMA = "meta-llama/Llama-3.1-8B-Instruct"
MISTRAL = "mistralai/Mistral-7B-Instruct-v0.3"
T0 = 1_780_000_000
"""A fixed moment (2026-05-28 20:26:40 UTC) the records' times count from."""
DAY = 24 * 3600


@dataclass
class Recorded:
    """One job as the recorder would have left it; :meth:`rows` gives its table rows."""

    job_id: str
    name: str
    status: str = "Completed"
    base_model: str = LLAMA
    created_at: int | None = T0
    first_seen_at: int | None = None
    created_by: str = ""
    deleted_by: str = ""
    deleted_at: int | None = None
    gone_at: int | None = None
    run_seconds: int = 600
    settings: dict[str, Any] = field(default_factory=dict)
    workspace: str = SANDBOX_WORKSPACE
    notes: str = ""
    tags: str = ""

    def wire_settings(self) -> dict[str, Any]:
        """The job's request with every field of JOB_FIELDS (wire names)."""
        values = {f.name: f.default for f in JOB_FIELDS}
        values.update(name=self.name, baseModel=self.base_model, **self.settings)
        return values

    def record_row(self) -> dict[str, Any]:
        seen = self.first_seen_at if self.first_seen_at is not None else (self.created_at or T0)
        finished = self.status in ("Completed", "Failed")
        start = self.created_at if self.created_at is not None else seen
        return {
            "workspace": self.workspace,
            "job_id": self.job_id,
            "name": self.name,
            "base_model": self.base_model,
            "settings": json.dumps(self.wire_settings()),
            "status": self.status,
            "created_at": self.created_at,
            "first_seen_at": seen,
            "finished_at": start + self.run_seconds if finished else None,
            "duration_seconds": self.run_seconds if finished else None,
            "created_by": self.created_by,
            "deleted_by": self.deleted_by,
            "deleted_at": self.deleted_at,
            "gone_at": self.gone_at,
            "notes": self.notes,
            "tags": self.tags,
            "updated_at": max(t for t in (seen, self.gone_at or 0, self.deleted_at or 0)),
        }

    def transition_rows(self) -> list[dict[str, Any]]:
        """Running when first seen, then the final status (if any) when it finished."""
        seen = self.record_row()
        rows = [self._transition("Running", seen["first_seen_at"])]
        if seen["finished_at"] is not None:
            rows.append(self._transition(self.status, seen["finished_at"]))
        return rows

    def _transition(self, status: str, at: int) -> dict[str, Any]:
        return {
            "workspace": self.workspace,
            "job_id": self.job_id,
            "status": status,
            "observed_at": at,
            "poll_interval_seconds": 2.0,
        }


def insert(target: sa.Engine | str, jobs: Iterable[Recorded], *, transitions: bool = True) -> None:
    """Write ``jobs`` (records, and their transitions unless told not to) into the app
    database ``target`` (an engine or a URL, e.g. a running app's ``db_url``)."""
    engine = sa.create_engine(target) if isinstance(target, str) else target
    jobs = list(jobs)
    try:
        with engine.begin() as connection:
            connection.execute(sa.insert(JobRecord.__table__), [j.record_row() for j in jobs])
            if transitions:
                rows = [row for job in jobs for row in job.transition_rows()]
                connection.execute(sa.insert(JobTransition.__table__), rows)
    finally:
        if isinstance(target, str):
            engine.dispose()


def many(count: int, *, prefix: str = "bulk", start: int = T0) -> list[Recorded]:
    """``count`` varied jobs, one a minute from ``start``: every third Failed or Running,
    two models, three creators (one outside ftapp), every tenth deleted or gone."""
    statuses = ("Completed", "Failed", "Running")
    creators = ("", "bob", "alice")
    jobs = []
    for n in range(count):
        gone = start + n * 60 + DAY if n % 10 == 0 else None
        jobs.append(
            Recorded(
                job_id=f"{prefix}-{n:06d}-{'ab' * 4}",
                name=f"{prefix}-job-{n:06d}",
                status=statuses[n % 3],
                base_model=(LLAMA, MISTRAL)[n % 2],
                created_at=start + n * 60,
                created_by=creators[n % 3],
                deleted_by="bob" if n % 20 == 0 else "",
                deleted_at=gone if n % 20 == 0 else None,
                gone_at=gone,
                settings={"epochs": 1 + n % 5},
            )
        )
    return jobs


def names(records: Sequence[Any]) -> list[str]:
    """The names of records (or rows) in order."""
    return [record.name for record in records]
