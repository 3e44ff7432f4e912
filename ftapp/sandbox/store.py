"""SQLite storage of sandbox jobs, safe across threads and processes.

Each operation opens its own short connection; writes run in ``BEGIN IMMEDIATE``
transactions, so the per-workspace job limit holds even when requests race. The job input is
stored as JSON, so any whole number the rules accept round-trips exactly.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ftapp.job_fields import JobInput
from ftapp.private_files import private_database
from ftapp.rules import MAX_JOBS_PER_WORKSPACE
from ftapp.sandbox import lifecycle

_SCHEMA = """
CREATE TABLE IF NOT EXISTS workspaces (
    name TEXT PRIMARY KEY,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    workspace TEXT NOT NULL,
    input_json TEXT NOT NULL,
    created_at REAL NOT NULL,
    duration_seconds REAL NOT NULL,
    outcome TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_by_workspace ON jobs (workspace, created_at);
"""


@dataclass(frozen=True)
class StoredJob:
    """A job row: its input plus what the lifecycle needs to compute its status."""

    id: str
    workspace: str
    input: JobInput
    created_at: float
    duration_seconds: float
    outcome: str


@dataclass(frozen=True)
class SeedJob:
    """A demo job: its input, how long ago it started, and how it ends."""

    input: JobInput
    started_seconds_ago: float
    duration_seconds: float
    outcome: str


class WorkspaceFull(Exception):
    """The workspace already holds :data:`MAX_JOBS_PER_WORKSPACE` jobs."""


class JobStore:
    """Jobs of every workspace, in one SQLite file."""

    def __init__(
        self,
        path: Path | str,
        clock: Callable[[], float] = time.time,
        job_model: type[JobInput] = JobInput,
    ) -> None:
        self.path = Path(path)
        self.clock = clock
        self.job_model = job_model
        """The request model a stored job's input is read back as (built from the job
        fields the sandbox was given)."""
        self._ready_workspaces: set[str] = set()
        self._lock = threading.Lock()
        private_database(self.path)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            db.execute("PRAGMA busy_timeout=30000")
            yield db
        finally:
            db.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def ensure_workspace(self, workspace: str, seeds: Callable[[], list[SeedJob]] | None) -> None:
        """Record the workspace on first use, adding ``seeds()`` jobs if given (once ever)."""
        if workspace in self._ready_workspaces:
            return
        with self._lock, self._write() as db:
            now = self.clock()
            inserted = db.execute(
                "INSERT OR IGNORE INTO workspaces (name, created_at) VALUES (?, ?)",
                (workspace, now),
            ).rowcount
            if inserted and seeds is not None:
                for seed in seeds():
                    self._insert(
                        db,
                        workspace,
                        seed.input,
                        created_at=now - seed.started_seconds_ago,
                        duration_seconds=seed.duration_seconds,
                        outcome=seed.outcome,
                    )
            self._ready_workspaces.add(workspace)

    def create(self, workspace: str, job: JobInput) -> StoredJob:
        """Add a job; raises :class:`WorkspaceFull` at the limit."""
        with self._write() as db:
            (count,) = db.execute(
                "SELECT COUNT(*) FROM jobs WHERE workspace = ?", (workspace,)
            ).fetchone()
            if count >= MAX_JOBS_PER_WORKSPACE:
                raise WorkspaceFull(workspace)
            job_id = str(uuid.uuid4())
            return self._insert(
                db,
                workspace,
                job,
                created_at=self.clock(),
                duration_seconds=lifecycle.simulated_duration(job_id, job.epochs),
                outcome=lifecycle.simulated_outcome(job_id),
                job_id=job_id,
            )

    @staticmethod
    def _insert(
        db: sqlite3.Connection,
        workspace: str,
        job: JobInput,
        *,
        created_at: float,
        duration_seconds: float,
        outcome: str,
        job_id: str | None = None,
    ) -> StoredJob:
        stored = StoredJob(
            id=job_id or str(uuid.uuid4()),
            workspace=workspace,
            input=job,
            created_at=created_at,
            duration_seconds=duration_seconds,
            outcome=outcome,
        )
        db.execute(
            "INSERT INTO jobs (id, workspace, input_json, created_at, duration_seconds, outcome)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                stored.id,
                workspace,
                json.dumps(job.to_wire()),
                created_at,
                duration_seconds,
                outcome,
            ),
        )
        return stored

    def list(self, workspace: str) -> list[StoredJob]:
        """The workspace's jobs, newest first."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT id, workspace, input_json, created_at, duration_seconds, outcome"
                " FROM jobs WHERE workspace = ? ORDER BY created_at DESC, id",
                (workspace,),
            ).fetchall()
        return [self._row_to_job(row) for row in rows]

    def get(self, workspace: str, job_id: str) -> StoredJob | None:
        """One job of the workspace, or None (also for another workspace's job)."""
        with self._connect() as db:
            row = db.execute(
                "SELECT id, workspace, input_json, created_at, duration_seconds, outcome"
                " FROM jobs WHERE workspace = ? AND id = ?",
                (workspace, job_id),
            ).fetchone()
        return self._row_to_job(row) if row else None

    def delete(self, workspace: str, job_id: str) -> bool:
        """Remove a job; False when the workspace holds no such job."""
        with self._write() as db:
            return (
                db.execute(
                    "DELETE FROM jobs WHERE workspace = ? AND id = ?", (workspace, job_id)
                ).rowcount
                == 1
            )

    def _row_to_job(self, row: tuple) -> StoredJob:
        job_id, workspace, input_json, created_at, duration_seconds, outcome = row
        return StoredJob(
            id=job_id,
            workspace=workspace,
            input=self.job_model.model_validate_json(input_json),
            created_at=created_at,
            duration_seconds=duration_seconds,
            outcome=outcome,
        )
