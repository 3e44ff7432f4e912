"""Upstream polls per minute: one worker, several workers each polling (what Reflex on Redis
did before the lease), and several workers sharing one lease over Redis.

Each worker is a process that builds the live feed exactly as the app does
(``tests/integration/cluster_worker.py``: ``ftapp.services.connection.feed()`` from the
environment) and watches it, against a standalone sandbox with a long job running (so the
running interval, 2 s, applies) and a real redis-server. The sandbox counts ``GET /jobs``.

    .venv/bin/python bench/cluster_polls.py [--workers 5] [--window 30] [--out FILE]

Figures are for comparing runs on one machine (ratios), not absolute promises.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import machine, publish
from tests.helpers.cluster_workers import Worker, wait_until
from tests.helpers.servers import SandboxLauncher, base_env, start_redis
from tests.integration.helpers import DEMO_KEY, valid_job


def list_job_calls(http: httpx.Client, api_url: str) -> int:
    response = http.get(f"{api_url}/_sandbox/stats")
    response.raise_for_status()
    return int(response.json()["requests"].get("list_jobs", 0))


def measure(
    directory: Path, env: dict[str, str], workers: int, window: float, api_url: str
) -> float:
    """GET /jobs per minute while ``workers`` processes watch the feed."""
    directory.mkdir(parents=True, exist_ok=True)
    started = [Worker(directory, index, env) for index in range(workers)]
    try:
        for worker in started:
            wait_until(lambda w=worker: any(s["names"] for s in w.snapshots()), 30, "a list")
        time.sleep(3)  # joiners may each ask for one fresh list
        with httpx.Client(headers={"x-api-key": DEMO_KEY}, timeout=10) as http:
            before = list_job_calls(http, api_url)
            time.sleep(window)
            after = list_job_calls(http, api_url)
    finally:
        for worker in started:
            worker.stop()
    return (after - before) * 60 / window


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--window", type=float, default=30.0)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        launcher = SandboxLauncher(folder)
        redis = start_redis(folder / "redis")
        try:
            sandbox = launcher()
            long_job = valid_job(name="bench-cluster-long", epochs=1000)
            httpx.post(
                f"{sandbox.api_url}/jobs",
                json=long_job,
                headers={"x-api-key": DEMO_KEY},
                timeout=10,
            ).raise_for_status()
            common = {"FT_API_BASE_URL": sandbox.api_url, "FT_API_KEY": DEMO_KEY}
            alone = base_env(common)
            shared = base_env({**common, "REFLEX_REDIS_URL": redis.url})
            rows = [
                ("1 worker", measure(folder / "a", alone, 1, args.window, sandbox.api_url)),
                (
                    f"{args.workers} workers, each polling (no lease)",
                    measure(folder / "b", alone, args.workers, args.window, sandbox.api_url),
                ),
                (
                    f"{args.workers} workers on Redis (one lease)",
                    measure(folder / "c", shared, args.workers, args.window, sandbox.api_url),
                ),
            ]
        finally:
            launcher.stop_all()
            redis.stop()

    lines = [
        f"A long job runs (poll interval 2 s, so about 30 a minute for one poller); each "
        f"row counts `GET /jobs` at the sandbox over {args.window:g} s.",
        "",
        "| Workers | GET /jobs per minute | Ratio to 1 worker |",
        "| --- | --- | --- |",
        *[f"| {name} | {rate:.1f} | {rate / rows[0][1]:.2f} |" for name, rate in rows],
        "",
        machine(),
    ]
    publish("\n".join(lines), args.out)


if __name__ == "__main__":
    main()
