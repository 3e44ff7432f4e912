"""Workspaces at scale: W workspaces with T dashboard tabs each (50 x 40 = 2,000 sessions), on
one process, then on two workers sharing Redis.

One standalone sandbox is the API of every workspace (each its own key and sandbox workspace,
seeded with the demo jobs, plus a long job so the feed polls at its running pace): the app's
environment names the first (the default workspace), the others are stored with
``ftapp workspaces add``. A standalone sandbox rather than the embedded one, because the
embedded sandbox lives in each worker and counts only that worker's calls; this one counts
every ``GET /jobs`` of each workspace (``/_sandbox/stats``' ``workspace_requests``).

For each mode the app starts afresh; one tab per workspace comes and goes first (a warm-up),
then T signed-in tabs per workspace (raw Socket.IO clients, :class:`bench.load.Tab`) hydrate
``/w/<slug>``, wait for their rows, send a ``sort_by`` event every few seconds for the window
and close. Reported: errors, connect-to-first-data and event round trip percentiles, the
app's memory (process group RSS; Redis's own too) before, during and after they left, the
upstream calls per minute per workspace, and where the CPU went during the window.

    .venv/bin/python bench/workspaces.py [--workspaces 50] [--tabs 40] [--window 30] \\
        [--modes one,two] [--out FILE]

Figures are for comparing runs on one machine (ratios), not absolute promises.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import redis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import Results, percentile, run_tabs
from bench.report import machine, publish
from tests.helpers.servers import (
    RedisProcess,
    SandboxLauncher,
    SandboxProcess,
    ServerProcess,
    processes_in_group,
    start_app,
    start_redis,
)
from tests.integration.helpers import valid_job

MODES = {
    "one": "one process",
    "two": "two workers on Redis",
    "two-oplock": "two workers on Redis, REFLEX_OPLOCK_ENABLED=1",
}
CLI_CONCURRENCY = 4
"""``ftapp workspaces add`` runs at once while the workspaces are stored."""
LAG_TICK = 0.05
"""How often the benchmark's own event loop checks how late it wakes (its lag)."""
SETTLE_SECONDS = (70.0, 240.0)
"""The shortest and longest wait for the memory after the tabs left: 2,000 sockets closing
are noticed later than 500, then the 30 s grace and a 10 s sweep."""
PY_SPY = Path(sys.executable).parent / "py-spy"


@dataclass
class Workspace:
    """One workspace of the benchmark: its slug in ftapp, its key at the sandbox."""

    slug: str
    key: str

    @property
    def path(self) -> str:
        return f"/w/{self.slug}"


def workspaces_of(count: int) -> list[Workspace]:
    """The default workspace (the environment's) and ``count - 1`` stored ones."""
    keys = [f"bench-workspaces-key-{index:02d}" for index in range(count)]
    return [Workspace("default", keys[0])] + [
        Workspace(f"bench-{index:02d}", keys[index]) for index in range(1, count)
    ]


def sandbox_keys(workspaces: list[Workspace]) -> dict[str, dict]:
    """Each key its own sandbox workspace, seeded with the demo jobs on first use."""
    return {w.key: {"workspace": f"sandbox-{w.slug}", "seed": True} for w in workspaces}


def start_long_jobs(sandbox: SandboxProcess, workspaces: list[Workspace]) -> None:
    """A job that runs through the whole benchmark in each workspace (the running poll pace)."""
    with httpx.Client(base_url=sandbox.api_url, timeout=10) as http:
        for workspace in workspaces:
            response = http.post(
                "/jobs",
                json=valid_job(name="bench-workspaces-long", epochs=1000),
                headers={"x-api-key": workspace.key},
            )
            response.raise_for_status()


def store_workspaces(app: ServerProcess, sandbox: SandboxProcess, stored: list[Workspace]) -> None:
    """``ftapp workspaces add`` for each, as an operator would (the key on stdin)."""

    def add(workspace: Workspace) -> None:
        name = workspace.slug.replace("-", " ").title()
        done = app.run_cli(
            "workspaces",
            "add",
            name,
            "--api-url",
            sandbox.api_url,
            "--slug",
            workspace.slug,
            stdin=workspace.key + "\n",
        )
        if done.returncode != 0:
            raise RuntimeError(f"adding {workspace.slug} failed: {done.stdout}{done.stderr}")

    with ThreadPoolExecutor(CLI_CONCURRENCY) as pool:
        list(pool.map(add, stored))


def calls_by_workspace(
    http: httpx.Client, sandbox: SandboxProcess, workspaces: list[Workspace]
) -> dict[str, int]:
    """``GET /jobs`` the sandbox has answered so far, per workspace (by slug)."""
    counts = {}
    for workspace in workspaces:
        response = http.get(
            f"{sandbox.api_url}/_sandbox/stats", headers={"x-api-key": workspace.key}
        )
        response.raise_for_status()
        counts[workspace.slug] = int(response.json()["workspace_requests"].get("list_jobs", 0))
    return counts


# --- what the machine did meanwhile -------------------------------------------------------


def process_cpu_seconds(pgid: int) -> dict[int, float]:
    """CPU time (user + system) of each process in process group ``pgid``, by pid."""
    ticks = os.sysconf("SC_CLK_TCK")
    return {
        int(entry.name): (int(fields[11]) + int(fields[12])) / ticks
        for entry, fields in processes_in_group(pgid)
    }


@dataclass
class CpuWatch:
    """CPU used over a stretch of time: the app's busiest process and its whole group, the
    sandbox, Redis and this benchmark (as shares of one core)."""

    groups: dict[str, int]
    started: float = 0.0
    before: dict[str, dict[int, float]] = field(default_factory=dict)
    own_before: float = 0.0

    def start(self) -> None:
        self.started = time.monotonic()
        self.before = {name: process_cpu_seconds(pgid) for name, pgid in self.groups.items()}
        self.own_before = time.process_time()

    def shares(self) -> dict[str, float]:
        elapsed = time.monotonic() - self.started
        shares = {}
        for name, pgid in self.groups.items():
            now = process_cpu_seconds(pgid)
            used = {pid: now[pid] - self.before[name].get(pid, 0.0) for pid in now}
            shares[name] = sum(used.values()) / elapsed
            if name == "app":
                shares["app, busiest process"] = max(used.values(), default=0.0) / elapsed
        shares["benchmark"] = (time.process_time() - self.own_before) / elapsed
        return shares


async def loop_lag(samples: list[float], until: float) -> None:
    """How late this process's event loop wakes from a short sleep (ms), until ``until``:
    the part of a round trip that is the benchmark's own waiting, not the app's."""
    while time.monotonic() < until:
        asked = time.perf_counter()
        await asyncio.sleep(LAG_TICK)
        samples.append((time.perf_counter() - asked - LAG_TICK) * 1000)


# --- one mode -------------------------------------------------------------------------------


@dataclass
class ModeResults:
    """What one mode measured."""

    mode: str
    tabs: Results
    calls_per_minute: dict[str, float] = field(default_factory=dict)
    redis_mb: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)
    lag_ms: list[float] = field(default_factory=list)
    load: list[str] = field(default_factory=list)
    """``/proc/loadavg``'s 1-minute figure when the window starts and when it ends."""


def profile(
    app: ServerProcess, mode: str, folder: Path | None, seconds: float
) -> subprocess.Popen | None:
    """With ``--profile``: py-spy samples the app's processes for ``seconds`` (raw stacks
    to ``FOLDER/<mode>.txt``; summarised by :func:`hot_spots`)."""
    if folder is None:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    command = [str(PY_SPY), "record", "--subprocesses", "--nonblocking", "--rate", "50"]
    command += ["--format", "raw", "--duration", str(max(1, int(seconds)))]
    command += ["--output", str(folder / f"{mode}.txt"), "--pid", str(app.process.pid)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)


def hot_spots(raw: Path, top: int = 40) -> str:
    """The functions most often on the stack in py-spy's raw output (inclusive share of the
    samples of busy threads), one per line."""
    inclusive: dict[str, int] = {}
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        total += int(count)
        for frame in set(stack.split(";")[1:]):  # the first is the process
            name = frame.split(" (")[0] + " (" + frame.split(" (")[-1].split(":")[0] + ")"
            inclusive[name] = inclusive.get(name, 0) + int(count)
    ranked = sorted(inclusive.items(), key=lambda item: -item[1])[:top]
    return "\n".join(f"{100 * n / max(total, 1):5.1f} %  {name}" for name, n in ranked)


def redis_used_mb(url: str) -> float:
    client = redis.Redis.from_url(url)
    try:
        return int(client.info("memory")["used_memory"]) / 2**20
    finally:
        client.close()


def load_average() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


async def run_mode(
    mode: str,
    app: ServerProcess,
    sandbox: SandboxProcess,
    workspaces: list[Workspace],
    args: argparse.Namespace,
    redis_server: RedisProcess | None,
) -> ModeResults:
    with httpx.Client(timeout=10) as http:

        def count_calls() -> dict[str, int]:
            return calls_by_workspace(http, sandbox, workspaces)

        warm = Results(len(workspaces))  # one tab per workspace comes and goes first
        await run_tabs(app, warm, [w.path for w in workspaces], args.every, args.every, count_calls)

        paths = [w.path for w in workspaces for _ in range(args.tabs)]
        random.Random(len(paths)).shuffle(paths)  # the crowd arrives mixed, not by workspace
        result = ModeResults(mode, Results(len(paths)))
        assert sandbox.process is not None
        groups = {"app": app.process.pid, "sandbox": sandbox.process.pid}
        if redis_server is not None:
            groups["redis"] = redis_server.process.pid
            result.redis_mb["before"] = redis_used_mb(redis_server.url)
        watch = CpuWatch(groups)

        async def watch_window(until: float) -> None:
            watch.start()
            result.load.append(load_average())
            profiling = profile(app, mode, args.profile, until - time.monotonic())
            await loop_lag(result.lag_ms, until)
            if profiling is not None:
                await asyncio.to_thread(profiling.wait)
            result.cpu = watch.shares()
            result.load.append(load_average())
            if redis_server is not None:
                result.redis_mb["during"] = redis_used_mb(redis_server.url)

        result.calls_per_minute = await run_tabs(
            app,
            result.tabs,
            paths,
            args.window,
            args.every,
            count_calls,
            watch_window,
            SETTLE_SECONDS,
        )
        if redis_server is not None:
            result.redis_mb["after"] = redis_used_mb(redis_server.url)
    return result


def start_mode(
    mode: str,
    folder: Path,
    sandbox: SandboxProcess,
    workspaces: list[Workspace],
) -> tuple[ServerProcess, RedisProcess | None]:
    env = {"FT_API_BASE_URL": sandbox.api_url, "FT_API_KEY": workspaces[0].key}
    redis_server = None
    if mode.startswith("two"):
        redis_server = start_redis(folder / f"redis-{mode}")
        env |= {"REFLEX_REDIS_URL": redis_server.url, "GRANIAN_WORKERS": "2"}
    if mode == "two-oplock":  # Reflex keeps a tab's State in the worker while it holds the lock
        env["REFLEX_OPLOCK_ENABLED"] = "1"
    app = start_app(env, folder / f"app-{mode}.log")
    store_workspaces(app, sandbox, workspaces[1:])
    return app, redis_server


# --- the report -----------------------------------------------------------------------------


def spread(values: list[float]) -> str:
    """E.g. "29.8 / 30.0 / 30.2" (min / median / max)."""
    if not values:
        return "-"
    return " / ".join(f"{v:.1f}" for v in (min(values), statistics.median(values), max(values)))


def table(collected: list[ModeResults], args: argparse.Namespace) -> str:
    count = len(workspaces_of(args.workspaces))
    lines = [
        f"{count} workspaces x {args.tabs} tabs = {count * args.tabs} dashboard sessions, "
        f"one signed-in admin: each tab hydrates `/w/<slug>`, waits for its rows, sends one "
        f"`sort_by` event every {args.every:g} s for {args.window:g} s, then closes. Each "
        "workspace has a long job running (poll interval 2 s: 30 `GET /jobs` a minute "
        "expected per workspace). Memory: the app's process group (RSS) before (after a "
        "warm-up round of one tab per workspace), at the window's end, and after every tab "
        "closed, once it stops falling; Redis's `used_memory` too (Redis expires the States of "
        "closed tabs itself, after Reflex's token expiry).",
        "",
        "| Mode | errors | first data p50 / p95 / p99 | event p50 / p95 / p99 "
        "| memory before / during / after | GET /jobs per min per workspace "
        "(min / median / max; total) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in collected:
        t = r.tabs
        first = " / ".join(f"{percentile(t.first_data_ms, q):.0f}" for q in (0.5, 0.95, 0.99))
        trip = " / ".join(f"{percentile(t.round_trip_ms, q):.1f}" for q in (0.5, 0.95, 0.99))
        memory = " / ".join(f"{t.memory_mb[k]:.0f}" for k in ("before", "during", "after"))
        change = 100 * (t.memory_mb["after"] / t.memory_mb["before"] - 1)
        memory += f" MB ({change:+.1f} %, +{t.settled_s:.0f} s)"
        if r.redis_mb:
            memory += "; Redis " + " / ".join(
                f"{r.redis_mb[k]:.0f}" for k in ("before", "during", "after")
            )
            memory += " MB"
        errors = len(t.errors)
        detail = f" ({', '.join(sorted(set(t.errors)))})" if errors else ""
        calls = list(r.calls_per_minute.values())
        lines.append(
            f"| {MODES[r.mode]} | {errors}{detail} | {first} ms | {trip} ms | {memory} "
            f"| {spread(calls)}; {sum(calls):.0f} |"
        )
    lines += [
        "",
        "During the window: CPU as shares of one core (the machine has "
        f"{len(os.sched_getaffinity(0))}), the benchmark's own event loop lag (how late a "
        f"{LAG_TICK * 1000:.0f} ms sleep wakes; part of every round trip measured), and the "
        "1-minute load average at the window's start and end.",
        "",
        "| Mode | app (busiest process) | sandbox | Redis | benchmark | benchmark loop lag "
        "p50 / p95 / p99 | load average |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in collected:
        lag = " / ".join(f"{percentile(r.lag_ms, q):.0f}" for q in (0.5, 0.95, 0.99))
        redis_share = f"{r.cpu['redis']:.2f}" if "redis" in r.cpu else "-"
        lines.append(
            f"| {MODES[r.mode]} | {r.cpu.get('app', 0):.2f} "
            f"({r.cpu.get('app, busiest process', 0):.2f}) | {r.cpu.get('sandbox', 0):.2f} "
            f"| {redis_share} | {r.cpu.get('benchmark', 0):.2f} | {lag} ms "
            f"| {' -> '.join(r.load)} |"
        )
    lines += ["", machine()]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workspaces", type=int, default=50)
    parser.add_argument("--tabs", type=int, default=40, help="tabs per workspace")
    parser.add_argument("--window", type=float, default=30.0)
    parser.add_argument("--every", type=float, default=5.0)
    parser.add_argument(
        "--modes", default="one,two", help=f"comma-separated, of {', '.join(MODES)}"
    )
    parser.add_argument("--out", type=Path)
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument(
        "--profile", type=Path, help="py-spy the app during each window; stacks to this folder"
    )
    args = parser.parse_args()
    modes = [mode.strip() for mode in args.modes.split(",") if mode.strip()]
    unknown = set(modes) - set(MODES)
    if unknown:
        parser.error(f"unknown modes: {', '.join(sorted(unknown))} ({', '.join(MODES)})")

    workspaces = workspaces_of(args.workspaces)
    collected = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        launcher = SandboxLauncher(folder)
        try:
            sandbox = launcher(keys=sandbox_keys(workspaces))
            start_long_jobs(sandbox, workspaces)
            for mode in modes:
                app, redis_server = start_mode(mode, folder, sandbox, workspaces)
                try:
                    result = asyncio.run(
                        run_mode(mode, app, sandbox, workspaces, args, redis_server)
                    )
                finally:
                    app.stop()
                    if redis_server is not None:
                        redis_server.stop()
                collected.append(result)
                if args.profile is not None and (args.profile / f"{mode}.txt").exists():
                    summary = hot_spots(args.profile / f"{mode}.txt")
                    (args.profile / f"{mode}-hot.txt").write_text(summary + "\n")
                print(
                    f"{MODES[mode]}: errors {len(result.tabs.errors)}, event p95 "
                    f"{percentile(result.tabs.round_trip_ms, 0.95):.1f} ms, memory "
                    f"{result.tabs.memory_mb}, cpu {result.cpu}",
                    flush=True,
                )
        finally:
            launcher.stop_all()
    if args.json is not None:
        args.json.write_text(json.dumps([raw(r) for r in collected], indent=1))
    publish(table(collected, args), args.out)


def raw(result: ModeResults) -> dict:
    t = result.tabs
    return {
        "mode": result.mode,
        "errors": t.errors,
        "first_data_ms": t.first_data_ms,
        "round_trip_ms": t.round_trip_ms,
        "memory_mb": t.memory_mb,
        "settled_s": t.settled_s,
        "calls_per_minute": result.calls_per_minute,
        "redis_mb": result.redis_mb,
        "cpu": result.cpu,
        "lag_ms": result.lag_ms,
        "load": result.load,
    }


if __name__ == "__main__":
    main()
