"""Rows of ftapp's job record (JobRecord, JobTransition) written straight into an app database,
as the recorder would have left them: for the tests of what a job's page, the wizard and the
dashboard make of them."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from ftapp.models import JobRecord, JobTransition
from ftapp.services.feed import workspace_identity

EMBEDDED_WORKSPACE = workspace_identity("http://sandbox.embedded/api", "sandbox-demo-key")
"""The workspace of an app on its embedded sandbox with the demo key (the browser tests')."""
LLAMA = "meta-llama/Llama-3.1-8B-Instruct"


def settings_json(name: str, base_model: str = LLAMA, epochs: int = 3, **wire: Any) -> str:
    """A record's settings: every request field (wire names)."""
    values = {
        "name": name,
        "baseModel": base_model,
        "epochs": epochs,
        "evaluationEpochs": 1,
        "warmupEpochs": 1,
        "learningRate": 0.0001,
        **wire,
    }
    return json.dumps(values)


def add_record(
    url: str,
    workspace: str,
    job_id: str,
    name: str,
    *,
    base_model: str = LLAMA,
    epochs: int = 3,
    status: str = "Completed",
    created_at: int | None = 1_800_000_000,
    duration_seconds: int | None = None,
    transitions: tuple[tuple[str, int, float], ...] = (),
    **columns: Any,
) -> None:
    """Insert a record of job ``job_id`` (and its observed ``(status, at, interval)``) into
    the app database at ``url``; ``columns`` set any other column of JobRecord."""
    first_seen = columns.pop("first_seen_at", (created_at or 1_800_000_000) + 1)
    finished_at = columns.pop(
        "finished_at",
        None if duration_seconds is None or created_at is None else created_at + duration_seconds,
    )
    record = {
        "workspace": workspace,
        "job_id": job_id,
        "name": name,
        "base_model": base_model,
        "settings": settings_json(name, base_model, epochs),
        "status": status,
        "created_at": created_at,
        "first_seen_at": first_seen,
        "finished_at": finished_at,
        "duration_seconds": duration_seconds,
        "created_by": "",
        "deleted_by": "",
        "notes": "",
        "tags": "",
        "updated_at": first_seen,
        **columns,
    }
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.insert(JobRecord.__table__).values(**record))  # type: ignore[attr-defined]
            for state, at, interval in transitions:
                connection.execute(
                    sa.insert(JobTransition.__table__).values(  # type: ignore[attr-defined]
                        workspace=workspace,
                        job_id=job_id,
                        status=state,
                        observed_at=at,
                        poll_interval_seconds=interval,
                    )
                )
    finally:
        engine.dispose()


def add_finished(
    url: str, workspace: str, prefix: str, durations: list[int], *, failed: int = 0, **kwargs: Any
) -> None:
    """Finished jobs ``<prefix>-0``, ``<prefix>-1``... that took ``durations`` seconds (the
    first ``failed`` of them Failed, the others Completed)."""
    for index, duration in enumerate(durations):
        status = "Failed" if index < failed else "Completed"
        add_record(
            url,
            workspace,
            f"{prefix}-{index}",
            f"{prefix}-{index}",
            status=status,
            duration_seconds=duration,
            **kwargs,
        )


def record_row(url: str, workspace: str, job_id: str) -> dict[str, Any] | None:
    """The record of ``job_id`` as a dict of its columns, or None."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            row = (
                connection.execute(
                    sa.select(JobRecord.__table__).where(  # type: ignore[attr-defined]
                        sa.column("workspace") == workspace, sa.column("job_id") == job_id
                    )
                )
                .mappings()
                .first()
            )
    finally:
        engine.dispose()
    return dict(row) if row is not None else None
