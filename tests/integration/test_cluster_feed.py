"""One upstream poll per workspace for the whole deployment: a real redis-server, a real
standalone sandbox and separate worker processes (``cluster_worker.py``), each building the
feed exactly as the app does (``REFLEX_REDIS_URL`` and ``FT_API_BASE_URL`` set).

The sandbox's request counter (``GET /api/_sandbox/stats``) is the upstream's view of the
polling. Rates are compared as ratios within one run, never as wall-clock absolutes.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.helpers.cluster_workers import Worker, wait_until
from tests.helpers.servers import (
    RedisProcess,
    SandboxLauncher,
    SandboxProcess,
    base_env,
)
from tests.integration.helpers import DEMO_KEY, keyed, valid_job

POLL_SECONDS = 0.5
LEASE_SECONDS = 2.0
"""Renewed, and contended for, every 0.6 s: a dead holder is replaced within about 2.6 s."""
WINDOW_SECONDS = 4.0
WORKERS = 5


class Cluster:
    """Redis, a sandbox, and the workers a test starts (stopped at its end)."""

    def __init__(self, redis: RedisProcess, sandbox: SandboxProcess, directory: Path) -> None:
        self.sandbox = sandbox
        self.directory = directory
        self.workers: list[Worker] = []
        self.env = base_env(
            {
                "REFLEX_REDIS_URL": redis.url,
                "FT_API_BASE_URL": sandbox.api_url,
                "FT_API_KEY": DEMO_KEY,
                "FT_POLL_RUNNING_SECONDS": str(POLL_SECONDS),
                "FT_POLL_IDLE_SECONDS": str(POLL_SECONDS),
                "FT_POLL_MAX_BACKOFF_SECONDS": "1",
                "FT_FEED_LEASE_SECONDS": str(LEASE_SECONDS),
            }
        )
        self.http = httpx.Client(base_url=sandbox.api_url, headers=keyed(DEMO_KEY), timeout=5)

    def start(self, count: int) -> list[Worker]:
        """Start ``count`` workers and wait until each has the job list."""
        started = [Worker(self.directory, len(self.workers) + i, self.env) for i in range(count)]
        self.workers.extend(started)
        for worker in started:
            wait_until(
                lambda worker=worker: any(s["names"] for s in worker.snapshots()),
                15,
                f"a job list in {worker.describe()}",
            )
        return started

    def list_jobs_requests(self) -> int:
        """``GET /jobs`` requests the sandbox has answered so far."""
        response = self.http.get("/_sandbox/stats")
        response.raise_for_status()
        return response.json()["requests"].get("list_jobs", 0)

    def rate(self) -> float:
        """``GET /jobs`` per second over a window."""
        before = self.list_jobs_requests()
        time.sleep(WINDOW_SECONDS)
        return (self.list_jobs_requests() - before) / WINDOW_SECONDS

    def create_job(self, name: str) -> None:
        self.http.post("/jobs", json=valid_job(name=name)).raise_for_status()

    def holders(self) -> list[Worker]:
        return [w for w in self.workers if w.alive and w.status()["holding"]]

    def close(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.http.close()


@pytest.fixture(scope="module")
def standalone_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    launcher = SandboxLauncher(tmp_path_factory.mktemp("cluster-sandbox"))
    yield launcher()
    launcher.stop_all()


@pytest.fixture
def cluster(
    redis_server: RedisProcess, standalone_sandbox: SandboxProcess, tmp_path: Path
) -> Iterator[Cluster]:
    cluster = Cluster(redis_server, standalone_sandbox, tmp_path)
    yield cluster
    cluster.close()


def test_five_workers_poll_the_upstream_as_often_as_one(cluster: Cluster) -> None:
    (first,) = cluster.start(1)
    assert first.status()["kind"] == "ClusterFeed"
    wait_until(lambda: first.status()["holding"], 5, "the only worker polls")
    one = cluster.rate()

    cluster.start(WORKERS - 1)
    time.sleep(1)  # each newcomer may have asked for one fresh list on joining
    polls_before = [w.status()["polls"] for w in cluster.workers]
    five = cluster.rate()
    polls_after = [w.status()["polls"] for w in cluster.workers]

    print(f"\nGET /jobs per second: 1 worker {one:.2f}, {WORKERS} workers {five:.2f}")
    assert one > 0
    assert 0.5 * one <= five <= 1.5 * one
    assert len(cluster.holders()) == 1
    polled = [after - before for before, after in zip(polls_before, polls_after, strict=True)]
    assert sorted(polled)[:-1] == [0] * (WORKERS - 1), f"only the holder polls: {polled}"

    cluster.create_job("seen-by-every-worker")
    for worker in cluster.workers:
        wait_until(
            lambda worker=worker: worker.saw_job("seen-by-every-worker"),
            5,
            f"the new job in {worker.describe()}",
        )


def test_when_the_holder_is_killed_another_worker_resumes_polling(cluster: Cluster) -> None:
    cluster.start(WORKERS)
    wait_until(lambda: len(cluster.holders()) == 1, 5, "one worker polls")
    (holder,) = cluster.holders()
    others = [w for w in cluster.workers if w is not holder]
    requests = cluster.list_jobs_requests()

    killed_at = time.time()
    holder.process.send_signal(signal.SIGKILL)
    holder.process.wait(timeout=5)

    def resumed() -> bool:
        return all(any((s["fetched_at"] or 0) > killed_at for s in w.snapshots()) for w in others)

    wait_until(resumed, LEASE_SECONDS + 4, "every remaining worker has a list polled after")
    first_new = min(
        s["fetched_at"] for w in others for s in w.snapshots() if (s["fetched_at"] or 0) > killed_at
    )
    print(f"\nhandover: a new list {first_new - killed_at:.2f} s after SIGKILL")
    assert cluster.list_jobs_requests() > requests
    assert len(cluster.holders()) == 1

    cluster.create_job("after-the-handover")
    for worker in others:
        wait_until(
            lambda worker=worker: worker.saw_job("after-the-handover"),
            5,
            f"the new job in {worker.describe()}",
        )
    after = cluster.rate()
    print(f"GET /jobs per second after the handover: {after:.2f}")
    assert after <= 1.5 / POLL_SECONDS
