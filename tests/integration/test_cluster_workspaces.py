"""Several workspaces on a deployment of four worker processes (issue 19): a real redis-server,
a temporary PostgreSQL app database holding four stored workspaces (keys encrypted under
``FT_KEYS_SECRET``), and a standalone sandbox where each of the five workspaces (the
environment's ``default`` and the four stored ones) is a sandbox workspace of its own.

Each worker (``cluster_worker.py``: the live feeds built exactly as the app builds them, a
stored workspace resolved from the database first) watches some of them, so that every
watched workspace has watchers in three workers, and two stored workspaces have none. The
sandbox counts ``GET /jobs`` per workspace (``workspace_requests`` of
``GET /api/_sandbox/stats``, asked with each workspace's key). Over a window, each watched
workspace is listed about once per poll interval, whichever worker polls it: feeds polling
per process would list it three times as often, which the bounds refuse. The unwatched ones
are never listed. Each workspace's jobs reach its own watchers in every worker, and only
them; and when the worker polling a workspace is killed (SIGKILL), another takes over at the
same rate.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ftapp import database
from ftapp.database import upgrade_on_start
from ftapp.workspaces import store
from tests.helpers import postgres
from tests.helpers.appdb import use_database
from tests.helpers.cluster_workers import Worker, wait_until
from tests.helpers.servers import (
    RedisProcess,
    SandboxLauncher,
    SandboxProcess,
    base_env,
)
from tests.helpers.workspaces import KEYS_SECRET, distinctive_key
from tests.integration.helpers import keyed, valid_job

POLL_SECONDS = 0.5
"""Running and idle interval alike: a watched workspace is listed twice a second."""
LEASE_SECONDS = 2.0
WINDOW_SECONDS = 6.0
EXPECTED_LISTS = WINDOW_SECONDS / POLL_SECONDS
LOW, HIGH = 0.6, 1.5
"""Bounds on a window's lists, as shares of :data:`EXPECTED_LISTS`: wide for a loaded
machine, yet under 3x (or 2x), what three (or two) watchers polling each on its own give."""

KEYS = {slug: distinctive_key() for slug in ("default", "team-a", "team-b", "team-c", "team-d")}
"""Each workspace's API key, by slug: ``default`` is the environment's, the others stored."""
WATCHED_BY = [
    ("default", "team-a"),
    ("team-a", "team-b"),
    ("team-b", "default"),
    ("default", "team-a", "team-b"),
]
"""What each worker watches: every watched workspace in three workers, each pair in two."""
WATCHED = {"default", "team-a", "team-b"}
UNWATCHED = set(KEYS) - WATCHED


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    launcher = SandboxLauncher(tmp_path_factory.mktemp("workspaces-sandbox"))
    yield launcher(keys={key: {"workspace": f"sandbox-{slug}"} for slug, key in KEYS.items()})
    launcher.stop_all()


@pytest.fixture(scope="module")
def postgres_url(sandbox: SandboxProcess) -> Iterator[str]:
    """The app database, migrated, with the four stored workspaces."""
    if (reason := postgres.unavailable_reason()) is not None:
        pytest.skip(reason)
    with postgres.temporary_postgres() as url:
        with pytest.MonkeyPatch.context() as env:
            env.setenv("FT_KEYS_SECRET", KEYS_SECRET)  # before use_database reads the settings
            with use_database(url):
                upgrade_on_start()
                for slug in sorted(UNWATCHED | WATCHED - {"default"}):
                    store.add_workspace(
                        f"Team {slug[-1].upper()}", sandbox.api_url, KEYS[slug], slug=slug
                    )
        database.dispose_engines()
        yield url


class Deployment:
    """The workers of :data:`WATCHED_BY` on one Redis and one app database, and the sandbox."""

    def __init__(
        self, redis: RedisProcess, sandbox: SandboxProcess, db_url: str, directory: Path
    ) -> None:
        self.env = base_env(
            {
                "REFLEX_REDIS_URL": redis.url,
                "REFLEX_DB_URL": db_url,
                "FT_KEYS_SECRET": KEYS_SECRET,
                "FT_API_BASE_URL": sandbox.api_url,
                "FT_API_KEY": KEYS["default"],
                "FT_POLL_RUNNING_SECONDS": str(POLL_SECONDS),
                "FT_POLL_IDLE_SECONDS": str(POLL_SECONDS),
                "FT_POLL_MAX_BACKOFF_SECONDS": "1",
                "FT_FEED_LEASE_SECONDS": str(LEASE_SECONDS),
            }
        )
        self.directory = directory
        self.workers: list[Worker] = []
        self.http = httpx.Client(base_url=sandbox.api_url, timeout=5)

    def start(self) -> None:
        self.workers = [
            Worker(self.directory, index, self.env, slugs) for index, slugs in enumerate(WATCHED_BY)
        ]
        for worker in self.workers:
            for slug in worker.workspaces:
                wait_until(
                    lambda worker=worker, slug=slug: any(
                        s["fetched_at"] for s in worker.snapshots(slug)
                    ),
                    30,
                    f"a job list of {slug} in {worker.describe()}",
                )

    def watchers(self, slug: str) -> list[Worker]:
        return [w for w in self.workers if w.alive and slug in w.workspaces]

    def holders(self, slug: str) -> list[Worker]:
        return [w for w in self.watchers(slug) if w.status(slug)["holding"]]

    def polled(self) -> bool:
        """Every watched workspace is polled by a living worker (one, checked later: the
        window's counts come first, the upstream's view)."""
        return all(self.holders(slug) for slug in WATCHED)

    def lists(self) -> dict[str, int]:
        """``GET /jobs`` the sandbox has answered so far, by workspace slug."""
        counts = {}
        for slug, key in KEYS.items():
            response = self.http.get("/_sandbox/stats", headers=keyed(key))
            response.raise_for_status()
            counts[slug] = response.json()["workspace_requests"].get("list_jobs", 0)
        return counts

    def polls(self) -> dict[tuple[int, str], int]:
        """Each worker's polls so far, by (worker, workspace)."""
        return {
            (index, slug): worker.status(slug)["polls"]
            for index, worker in enumerate(self.workers)
            if worker.alive
            for slug in worker.workspaces
        }

    def window(self) -> tuple[dict[str, int], dict[str, set[int]]]:
        """Over :data:`WINDOW_SECONDS`: the lists per workspace, and which workers polled each."""
        lists, polls = self.lists(), self.polls()
        time.sleep(WINDOW_SECONDS)
        lists_after, polls_after = self.lists(), self.polls()
        listed = {slug: lists_after[slug] - lists[slug] for slug in KEYS}
        pollers: dict[str, set[int]] = {slug: set() for slug in WATCHED}
        for (index, slug), count in polls_after.items():
            if count > polls.get((index, slug), count):
                pollers[slug].add(index)
        return listed, pollers

    def create(self, slug: str, name: str) -> None:
        job = valid_job(name=name, epochs=500)  # runs for the whole test
        self.http.post("/jobs", json=job, headers=keyed(KEYS[slug])).raise_for_status()

    def close(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.http.close()


@pytest.fixture
def deployment(
    redis_server: RedisProcess, sandbox: SandboxProcess, postgres_url: str, tmp_path: Path
) -> Iterator[Deployment]:
    deployed = Deployment(redis_server, sandbox, postgres_url, tmp_path)
    yield deployed
    deployed.close()


def assert_once_per_interval(
    deployment: Deployment, listed: dict[str, int], pollers: dict[str, set[int]]
) -> None:
    """A window's lists as the sandbox counted them, then who polled: one worker each."""
    print(f"GET /jobs in {WINDOW_SECONDS:g} s (about {EXPECTED_LISTS:g} each): {listed}")
    for slug in WATCHED:
        assert LOW * EXPECTED_LISTS <= listed[slug] <= HIGH * EXPECTED_LISTS, (
            f"{slug} listed {listed[slug]} times: {listed}"
        )
    for slug in UNWATCHED:
        assert listed[slug] == 0, f"{slug} has no watcher: {listed}"
    for slug in WATCHED:
        holders = [deployment.workers.index(worker) for worker in deployment.holders(slug)]
        assert len(holders) == 1, f"{slug} polled by workers {holders}"
        assert pollers[slug] == set(holders), f"{slug}: polls by {pollers[slug]}"


def test_each_watched_workspace_is_listed_once_per_interval_by_the_deployment(
    deployment: Deployment,
) -> None:
    deployment.start()
    for slug in KEYS:
        deployment.create(slug, f"only-in-{slug}")
    for slug in WATCHED:
        for worker in deployment.watchers(slug):
            wait_until(
                lambda worker=worker, slug=slug: worker.saw_job(f"only-in-{slug}", slug),
                10,
                f"{slug}'s new job in {worker.describe()}",
            )
    wait_until(deployment.polled, 10, "a worker polls each watched workspace")
    time.sleep(1)  # a newcomer may have asked for one fresh list on joining

    listed, pollers = deployment.window()
    assert_once_per_interval(deployment, listed, pollers)
    print(f"polling workers: {pollers}")

    # Each workspace's jobs reached its own watchers only; the unwatched were never listed.
    for index, worker in enumerate(deployment.workers):
        for slug in KEYS:
            for snapshot_of in worker.workspaces:
                seen = worker.saw_job(f"only-in-{slug}", snapshot_of)
                assert seen == (slug == snapshot_of), f"worker {index}: {snapshot_of} / {slug}"
    assert {slug: deployment.lists()[slug] for slug in UNWATCHED} == dict.fromkeys(UNWATCHED, 0)

    # The worker polling team-a dies; another of its watchers polls it, as often.
    (killed,) = deployment.holders("team-a")
    killed.process.send_signal(signal.SIGKILL)
    killed.process.wait(timeout=5)
    handover = wait_until(deployment.polled, LEASE_SECONDS + 8, "a living worker polls each")
    time.sleep(1)
    listed, pollers = deployment.window()
    print(f"worker {deployment.workers.index(killed)} killed, polled again {handover:.1f} s later")
    assert_once_per_interval(deployment, listed, pollers)
    print(f"polling workers: {pollers}")

    deployment.create("team-a", "after-the-handover")
    for worker in deployment.watchers("team-a"):
        wait_until(
            lambda worker=worker: worker.saw_job("after-the-handover", "team-a"),
            10,
            f"team-a's new job in {worker.describe()}",
        )
