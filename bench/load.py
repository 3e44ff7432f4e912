"""Load benchmark: N dashboard sessions from raw Socket.IO clients (no browsers).

Starts the real app (production build, its embedded sandbox, a long job running), then for
each N: connects N signed-in tabs to the dashboard, has each send an event every few
seconds for a window, and reports connect-to-first-data and event round trip percentiles,
errors, the server's memory before, during and after (once every tab has left), and the
upstream ``GET /jobs`` calls per minute. Prints a Markdown table (also written with --out).

    .venv/bin/python bench/load.py [--sizes 100 200 500] [--window 30] [--out bench/load.md]

Figures are for comparing runs on one machine (ratios), not absolute promises.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import machine, publish
from ftapp.pages.dashboard.state import DashboardState
from tests.helpers.rawsocket import RawReflexClient, Reply
from tests.helpers.servers import SANDBOX_DRIVER_KEY, ServerProcess, start_app

DEMO_KEY = {"x-api-key": SANDBOX_DRIVER_KEY}
CONNECT_CONCURRENCY = 25
"""Tabs opening at once (a crowd arriving, not one burst of N handshakes)."""
DEFAULT_DASHBOARD = "/w/default"
"""The default workspace's dashboard (``/`` only redirects there, over HTTP)."""


@dataclass
class Results:
    """What one N measured."""

    size: int
    first_data_ms: list[float] = field(default_factory=list)
    round_trip_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    memory_mb: dict[str, float] = field(default_factory=dict)
    polls_per_minute: float = 0.0
    settled_s: float = 0.0
    deltas_while_idle: int = 0


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def has_rows(reply: Reply) -> bool:
    with contextlib.suppress(KeyError):
        return bool(reply.var("visible_rows"))
    return False


def is_sorted_reply(reply: Reply) -> bool:
    with contextlib.suppress(KeyError):
        reply.var("descending")
        return True
    return False


class Tab:
    """One dashboard tab at ``path`` (a workspace's ``/w/<slug>``): connects, waits for its
    rows, then sends an event now and then."""

    def __init__(
        self, app: ServerProcess, cookie: str, results: Results, path: str = DEFAULT_DASHBOARD
    ) -> None:
        self.app, self.cookie, self.results, self.path = app, cookie, results, path
        # What the browser says of the page with each event: the route's parameter too.
        self.query = {"workspace_slug": path.split("/")[2]}
        self.client: RawReflexClient | None = None
        self._stack = contextlib.AsyncExitStack()
        self.idle_replies = 0

    async def open(self) -> bool:
        start = time.perf_counter()
        try:
            self.client = await self._stack.enter_async_context(
                RawReflexClient.connect(self.app.url, origin=self.app.url, cookie=self.cookie)
            )
            await self.client.hydrate(self.path)
            replies = await self.client.replies(within=30, until=has_rows)
        except Exception as exc:  # a refused or broken connection is a measured error
            self.results.errors.append(f"connect: {type(exc).__name__}")
            return False
        if not any(has_rows(reply) for reply in replies):
            self.results.errors.append("connect: no rows within 30 s")
            return False
        self.results.first_data_ms.append((time.perf_counter() - start) * 1000)
        return True

    async def act(self, until: float, every: float) -> None:
        assert self.client is not None
        await asyncio.sleep(random.uniform(0, every))  # tabs do not act in step
        while time.monotonic() < until:
            sent = time.perf_counter()
            await self.client.send(
                DashboardState, "sort_by", {"column": "name"}, path=self.path, query=self.query
            )
            replies = await self.client.replies(within=10, until=is_sorted_reply)
            if any(is_sorted_reply(reply) for reply in replies):
                self.results.round_trip_ms.append((time.perf_counter() - sent) * 1000)
            else:
                self.results.errors.append("event: no reply within 10 s")
            await asyncio.sleep(max(0.0, every - (time.perf_counter() - sent)))

    async def count_idle_replies(self, seconds: float) -> None:
        """Replies that arrive while the tab does nothing and no job changes."""
        assert self.client is not None
        self.idle_replies = len(await self.client.replies(within=seconds))

    async def close(self) -> None:
        await self._stack.aclose()


def list_job_calls(app: ServerProcess) -> int:
    stats = httpx.get(f"{app.url}/sandbox/api/_sandbox/stats", headers=DEMO_KEY, timeout=10)
    return int(stats.json()["requests"].get("list_jobs", 0))


def start_long_job(app: ServerProcess) -> None:
    """A job that runs through the whole benchmark, so the feed polls at its running pace."""
    body = {
        "name": "bench-load-long",
        "baseModel": "meta-llama/Llama-3.1-8B-Instruct",
        "epochs": 1000,
        "evaluationEpochs": 0,
        "warmupEpochs": 0,
        "learningRate": 0.0001,
    }
    response = httpx.post(f"{app.url}/sandbox/api/jobs", json=body, headers=DEMO_KEY, timeout=10)
    if response.status_code == 429:  # the workspace is full: delete a finished job first
        jobs = httpx.get(f"{app.url}/sandbox/api/jobs", headers=DEMO_KEY, timeout=10).json()
        done = next(job for job in jobs["jobs"] if job["status"] != "Running")
        httpx.delete(f"{app.url}/sandbox/api/jobs/{done['id']}", headers=DEMO_KEY, timeout=10)
        response = httpx.post(
            f"{app.url}/sandbox/api/jobs", json=body, headers=DEMO_KEY, timeout=10
        )
    response.raise_for_status()


async def run_size(app: ServerProcess, size: int, window: float, every: float) -> Results:
    results = Results(size)
    rates = await run_tabs(
        app,
        results,
        [DEFAULT_DASHBOARD] * size,
        window,
        every,
        lambda: {"all": list_job_calls(app)},
    )
    results.polls_per_minute = rates["all"]
    return results


async def run_tabs(
    app: ServerProcess,
    results: Results,
    paths: list[str],
    window: float,
    every: float,
    upstream_calls: Callable[[], Mapping[str, int]],
    alongside: Callable[[float], Awaitable[object]] | None = None,
    settle: tuple[float, float] = (40.0, 120.0),
) -> dict[str, float]:
    """One round: a tab per path opens, acts for ``window`` seconds and closes; ``results``
    gets the figures and the memory before, during and after. Returns the rate per minute
    of each of ``upstream_calls``'s counts over the window (read in a thread, so the tabs'
    clocks do not wait for it). ``alongside(until)`` runs during the window (a watcher);
    ``settle``: the shortest and longest wait for the memory after (:func:`settled_memory_mb`)."""
    gc.collect()
    results.memory_mb["before"] = app.memory_bytes() / 2**20
    cookie = app.sign_in_cookie()  # one person, many tabs (sign-in is throttled per address)
    tabs = [Tab(app, cookie, results, path) for path in paths]
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def open_tab(tab: Tab) -> bool:
        async with gate:
            return await tab.open()

    opened = await asyncio.gather(*(open_tab(tab) for tab in tabs))
    live = [tab for tab, ok in zip(tabs, opened, strict=True) if ok]

    calls_before = await asyncio.to_thread(upstream_calls)
    started = time.monotonic()
    until = started + window
    watchers = [] if alongside is None else [alongside(until)]
    await asyncio.gather(*(tab.act(until, every) for tab in live), *watchers)
    calls_after = await asyncio.to_thread(upstream_calls)
    elapsed = time.monotonic() - started
    results.memory_mb["during"] = app.memory_bytes() / 2**20

    for tab in tabs:
        await tab.close()
    results.memory_mb["after"], results.settled_s = await settled_memory_mb(app, *settle)
    return {
        name: (calls_after[name] - calls_before.get(name, 0)) * 60 / elapsed for name in calls_after
    }


async def settled_memory_mb(
    app: ServerProcess, at_least: float = 40.0, at_most: float = 120.0
) -> tuple[float, float]:
    """The app's memory once it stops falling after the tabs closed (closed tabs are freed
    after a 30 s grace, swept every 10 s): (MB, seconds after the close), measured from
    ``at_least`` seconds on, at most ``at_most``."""
    started = time.monotonic()
    await asyncio.sleep(at_least)
    last = app.memory_bytes() / 2**20
    while time.monotonic() - started < at_most:
        await asyncio.sleep(10)
        now = app.memory_bytes() / 2**20
        if last - now < 1:
            return now, time.monotonic() - started
        last = now
    return last, time.monotonic() - started


def table(all_results: list[Results], window: float, every: float) -> str:
    lines = [
        f"Each tab: connect, hydrate `{DEFAULT_DASHBOARD}`, wait for its rows; then one "
        f"`sort_by` event every {every:g} s for {window:g} s; then every tab closes. Memory: "
        "the app's process group (RSS) before the tabs open (after a warm-up round of tabs), "
        "during, and after they closed, once it stops falling (a closed tab's state is freed "
        "after a 30 s grace; the after column says when it settled).",
        "",
        "| N | errors | first data p50 / p95 / p99 | event p50 / p95 / p99 "
        "| memory before / during / after | GET /jobs per min |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in all_results:
        first = " / ".join(f"{percentile(r.first_data_ms, q):.0f}" for q in (0.5, 0.95, 0.99))
        trip = " / ".join(f"{percentile(r.round_trip_ms, q):.1f}" for q in (0.5, 0.95, 0.99))
        memory = " / ".join(f"{r.memory_mb[k]:.0f}" for k in ("before", "during", "after"))
        memory += f" MB (+{r.settled_s:.0f} s)"
        errors = len(r.errors)
        detail = f" ({', '.join(sorted(set(r.errors)))})" if errors else ""
        lines.append(
            f"| {r.size} | {errors}{detail} | {first} ms | {trip} ms | {memory} "
            f"| {r.polls_per_minute:.1f} |"
        )
    lines += ["", machine()]
    return "\n".join(lines)


async def warm_up(app: ServerProcess, size: int, every: float) -> None:
    """A few tabs come, act and leave first: what a server allocates once (imports on first
    use, caches, pools) is then in the starting figure, not counted as left behind."""
    if size:
        await run_size(app, size, window=every, every=every)


async def main_async(args: argparse.Namespace, app: ServerProcess) -> list[Results]:
    await warm_up(app, args.warmup, args.every)
    collected = []
    for size in args.sizes:
        result = await run_size(app, size, args.window, args.every)
        collected.append(result)
        print(
            f"N={size}: errors {len(result.errors)}, first data p50 "
            f"{statistics.median(result.first_data_ms or [0]):.0f} ms, event p95 "
            f"{percentile(result.round_trip_ms, 0.95):.1f} ms, memory {result.memory_mb}",
            flush=True,
        )
    return collected


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 200, 500])
    parser.add_argument("--window", type=float, default=30.0)
    parser.add_argument("--every", type=float, default=5.0)
    parser.add_argument("--warmup", type=int, default=20, help="tabs that come and go first")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        env = {"FT_SANDBOX_DB": str(Path(tmp) / "sandbox.db")}
        app = start_app(env, Path(tmp) / "app.log")
        try:
            start_long_job(app)
            collected = asyncio.run(main_async(args, app))
        finally:
            app.stop()
    publish(table(collected, args.window, args.every), args.out)


if __name__ == "__main__":
    main()
