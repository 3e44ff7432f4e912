"""The job history written by a deployment of five worker processes on a real redis-server and
PostgreSQL, against a real standalone sandbox whose jobs finish in seconds: jobs are created,
finish and are deleted while the lease holder is killed (SIGKILL) mid-way, and in the end each
job has exactly one record and each of its statuses exactly one transition.

The workers are the cluster feed's test processes (``cluster_worker.py``: the live feed built
exactly as the app builds it, recorder included), not five full Reflex workers: the history is
written by the feed of the process that polls, which is all a Reflex worker adds nothing to,
and five Reflex backends (with a build) are more than this suite's two-core machines carry
next to PostgreSQL. ``tests/integration/test_cluster_feed.py`` uses the same processes.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from ftapp import database
from ftapp.database import upgrade_on_start
from ftapp.history.record import RECORDS, TRANSITIONS
from ftapp.services.feed import workspace_identity
from tests.helpers import postgres
from tests.helpers.appdb import use_database
from tests.helpers.cluster_workers import Worker, wait_until
from tests.helpers.servers import (
    RedisProcess,
    SandboxLauncher,
    SandboxProcess,
    base_env,
)
from tests.integration.helpers import FINAL_STATUSES, OTHER_KEY, keyed, valid_job

POLL_SECONDS = 0.5
LEASE_SECONDS = 2.0
SPEED = 20.0
"""Simulated time runs 20x: a job of N epochs runs 1.6 N to 2.4 N seconds."""
WORKERS = 5


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    if (reason := postgres.unavailable_reason()) is not None:
        pytest.skip(reason)
    with postgres.temporary_postgres() as url:
        with use_database(url):
            upgrade_on_start()
        yield url


@pytest.fixture(scope="module")
def fast_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    launcher = SandboxLauncher(tmp_path_factory.mktemp("history-sandbox"))
    yield launcher(speed=SPEED)
    launcher.stop_all()


class Deployment:
    """Five workers on one Redis, one PostgreSQL app database and one sandbox workspace."""

    def __init__(
        self, redis: RedisProcess, sandbox: SandboxProcess, db_url: str, directory: Path
    ) -> None:
        self.env = base_env(
            {
                "REFLEX_REDIS_URL": redis.url,
                "REFLEX_DB_URL": db_url,
                "FT_API_BASE_URL": sandbox.api_url,
                "FT_API_KEY": OTHER_KEY,  # the "other" workspace starts empty
                "FT_POLL_RUNNING_SECONDS": str(POLL_SECONDS),
                "FT_POLL_IDLE_SECONDS": str(POLL_SECONDS),
                "FT_POLL_MAX_BACKOFF_SECONDS": "1",
                "FT_FEED_LEASE_SECONDS": str(LEASE_SECONDS),
            }
        )
        self.workspace = workspace_identity(sandbox.api_url, OTHER_KEY)
        self.directory = directory
        self.workers: list[Worker] = []
        self.http = httpx.Client(base_url=sandbox.api_url, headers=keyed(OTHER_KEY), timeout=5)
        self.db = sa.create_engine(db_url)

    def start(self, count: int) -> None:
        self.workers += [Worker(self.directory, i, self.env) for i in range(count)]
        for worker in self.workers:
            wait_until(
                lambda worker=worker: any(s["fetched_at"] for s in worker.snapshots()),
                20,
                f"a job list in {worker.describe()}",
            )

    def holders(self) -> list[Worker]:
        return [w for w in self.workers if w.alive and w.status()["holding"]]

    def create(self, name: str, epochs: int) -> str:
        response = self.http.post("/jobs", json=valid_job(name=name, epochs=epochs))
        response.raise_for_status()
        return response.json()["id"]

    def statuses(self) -> dict[str, str]:
        """Job id -> status, as the API lists them now."""
        response = self.http.get("/jobs")
        response.raise_for_status()
        return {job["id"]: job["status"] for job in response.json()["jobs"]}

    def records(self) -> dict[str, sa.Row]:
        with self.db.connect() as connection:
            rows = connection.execute(
                sa.select(RECORDS).where(RECORDS.c.workspace == self.workspace)
            ).all()
        return {row.job_id: row for row in rows}

    def transitions(self) -> list[tuple[str, str]]:
        with self.db.connect() as connection:
            rows = connection.execute(
                sa.select(TRANSITIONS.c.job_id, TRANSITIONS.c.status).where(
                    TRANSITIONS.c.workspace == self.workspace
                )
            ).all()
        return [(row.job_id, row.status) for row in rows]

    def record_count(self) -> int:
        with self.db.connect() as connection:
            return connection.execute(sa.select(sa.func.count()).select_from(RECORDS)).scalar_one()

    def close(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.http.close()
        self.db.dispose()


@pytest.fixture
def deployment(
    redis_server: RedisProcess, fast_sandbox: SandboxProcess, postgres_url: str, tmp_path: Path
) -> Iterator[Deployment]:
    deployed = Deployment(redis_server, fast_sandbox, postgres_url, tmp_path)
    yield deployed
    deployed.close()
    database.dispose_engines()


def test_five_workers_record_each_job_once_across_a_killed_holder(deployment: Deployment) -> None:
    deployment.start(WORKERS)
    wait_until(lambda: len(deployment.holders()) == 1, 10, "one worker polls")

    before = {deployment.create(f"before-kill-{i}", epochs=3 + i) for i in range(4)}
    wait_until(lambda: before <= set(deployment.records()), 10, "the first jobs recorded")
    (holder,) = deployment.holders()
    holder.process.send_signal(signal.SIGKILL)  # mid-way: every job is still running
    holder.process.wait(timeout=5)

    after = {deployment.create(f"after-kill-{i}", epochs=4 + i) for i in range(3)}
    deleted = deployment.create("deleted-while-running", epochs=50)
    wait_until(lambda: deleted in deployment.records(), 15, "the job to delete recorded")
    deployment.http.delete(f"/jobs/{deleted}").raise_for_status()
    finished = before | after

    def all_written() -> bool:
        records, listed = deployment.records(), deployment.statuses()
        return (
            all(listed.get(job) in FINAL_STATUSES for job in finished)
            and all(records.get(job) is not None and records[job].finished_at for job in finished)
            and records[deleted].gone_at is not None
        )

    wait_until(all_written, 60, "every job finished and recorded, the deleted one gone")
    assert len(deployment.holders()) == 1
    assert deployment.holders()[0] is not holder

    records, listed = deployment.records(), deployment.statuses()
    assert set(records) == finished | {deleted}
    assert deployment.record_count() == len(finished) + 1, "one record per job, no other"
    transitions = deployment.transitions()
    assert len(transitions) == len(set(transitions)), "each status once per job"
    for job in finished:
        row = records[job]
        assert row.status == listed[job]
        assert sorted(status for each, status in transitions if each == job) == sorted(
            {"Running", listed[job]}
        ), f"{row.name}: seen running, then {listed[job]}"
        assert row.gone_at is None
        assert row.created_at is not None
        assert 0 < row.duration_seconds <= row.finished_at - row.created_at + 1
    assert [s for each, s in transitions if each == deleted] == ["Running"]
    assert records[deleted].finished_at is None

    # Nothing changes any more: ten more polls write nothing.
    updated = {job: row.updated_at for job, row in deployment.records().items()}
    time.sleep(10 * POLL_SECONDS)
    assert {job: row.updated_at for job, row in deployment.records().items()} == updated
    assert sorted(deployment.transitions()) == sorted(transitions)
    for worker in deployment.workers:
        if worker is not holder:
            log = worker.log_path.read_text()
            assert "could not be written" not in log, worker.describe()
            assert "Traceback" not in log, worker.describe()
