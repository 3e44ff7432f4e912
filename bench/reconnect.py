"""Reconnect storm: 50 tabs reconnecting in a loop, and the server's memory before, at its
peak and after.

Starts the real app (production build, as `make run` starts it: ``PYTHONMALLOC=malloc``) on a
standalone sandbox, then runs ``--sockets`` raw Socket.IO clients, each connecting with a new
tab token, hydrating the dashboard, waiting for its rows and closing, over and over for
``--seconds``, ``--storms`` times. Memory (the resident size of every process of the app,
and of each: the ``reflex run`` supervisor and the backend worker) is sampled before, every
second during each storm (peak), and after the closed tabs' grace and a sweep (``--settle``
seconds). A storm repeated tells a leak (grows every storm) from a high-water mark (stays).
Prints a Markdown table (also written with --out); ``--maps`` adds where the worker's memory
is (Python's heap, the C allocator's arenas, other mappings).

    .venv/bin/python bench/reconnect.py [--sockets 50] [--seconds 60] [--settle 75] [--storms 2]

Figures are for comparing runs on one machine (ratios), not absolute promises.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.apps import app_on_a_sandbox
from bench.report import machine, publish
from tests.helpers.rawsocket import RawReflexClient, Reply
from tests.helpers.servers import ServerProcess, processes_in_group

MB = 1024 * 1024


def has_rows(reply: Reply) -> bool:
    try:
        return bool(reply.var("visible_rows"))
    except KeyError:
        return False


async def one_tab_in_a_loop(app: ServerProcess, cookie: str, until: float) -> tuple[int, int]:
    """Connect, hydrate, see the rows, close; again until ``until``: (cycles, errors)."""
    cycles = errors = 0
    while time.monotonic() < until:
        try:
            async with RawReflexClient.connect(
                app.url, origin=app.url, cookie=cookie, token=str(uuid.uuid4())
            ) as client:
                await client.hydrate("/")
                replies = await client.replies(within=10, until=has_rows)
                if not any(has_rows(reply) for reply in replies):
                    errors += 1
            cycles += 1
        except Exception:
            errors += 1
            await asyncio.sleep(0.5)
    return cycles, errors


@dataclass
class Snapshot:
    """The app's memory at one moment: the whole group, and each process by role."""

    total: int
    by_role: dict[str, int]
    maps: dict[str, int]

    def __getitem__(self, role: str) -> int:
        return self.by_role.get(role, 0)


def _rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def group_processes(pgid: int) -> dict[int, int]:
    """The processes of group ``pgid``: pid -> parent pid."""
    return {int(entry.name): int(fields[1]) for entry, fields in processes_in_group(pgid)}


def worker_maps(pid: int) -> dict[str, int]:
    """Where process ``pid``'s resident memory is: the C heap (``[heap]``), anonymous
    mappings (the allocators' other arenas, thread stacks), files (code, data)."""
    kinds = {"heap": 0, "anonymous": 0, "files": 0, "anonymous mappings": 0, "threads": 0}
    kind = "files"
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
            head = line.split()
            if not head:
                continue
            if "-" in head[0] and not head[0].endswith(":"):
                name = head[5] if len(head) > 5 else ""
                kind = "heap" if name == "[heap]" else "anonymous" if not name else "files"
                if kind == "anonymous":
                    kinds["anonymous mappings"] += 1
            elif head[0] == "Rss:":
                kinds[kind] += int(head[1]) * 1024
        kinds["threads"] = len(list(Path(f"/proc/{pid}/task").iterdir()))
    return kinds


def snapshot(app: ServerProcess) -> Snapshot:
    """The app's memory now. The group's leader is the ``reflex run`` supervisor; the
    backend worker is the process Granian starts under it."""
    leader = app.process.pid
    by_role: dict[str, int] = {}
    maps: dict[str, int] = {}
    total = 0
    for pid, parent in group_processes(leader).items():
        with contextlib.suppress(OSError):
            rss = _rss(pid)
            total += rss
            role = "supervisor" if pid == leader else "worker" if parent == leader else "other"
            by_role[role] = by_role.get(role, 0) + rss
            if role == "worker":
                maps = worker_maps(pid)
    return Snapshot(total, by_role, maps)


async def storm(app: ServerProcess, sockets: int, seconds: float) -> tuple[int, int, Snapshot]:
    """Run the storm; returns (cycles, errors, the memory at its peak)."""
    cookie = app.sign_in_cookie()
    until = time.monotonic() + seconds
    peak = snapshot(app)

    async def sample() -> None:
        nonlocal peak
        while time.monotonic() < until:
            now = snapshot(app)
            if now.total > peak.total:
                peak = now
            await asyncio.sleep(1)

    sampler = asyncio.create_task(sample())
    results = await asyncio.gather(*(one_tab_in_a_loop(app, cookie, until) for _ in range(sockets)))
    sampler.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await sampler
    return sum(c for c, _ in results), sum(e for _, e in results), peak


def mb(value: int) -> str:
    return f"{value / MB:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--settle", type=float, default=75)
    parser.add_argument("--storms", type=int, default=2)
    parser.add_argument("--maps", action="store_true", help="where the worker's memory is")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    phases: list[tuple[str, Snapshot]] = []
    storms: list[tuple[int, int]] = []
    with app_on_a_sandbox(speed=1) as (app, _sandbox):
        # Warm up: the first tabs load code and caches that stay whatever happens next.
        asyncio.run(storm(app, sockets=5, seconds=10))
        time.sleep(args.settle)
        phases.append(("before", snapshot(app)))
        for number in range(1, args.storms + 1):
            cycles, errors, peak = asyncio.run(storm(app, args.sockets, args.seconds))
            storms.append((cycles, errors))
            phases.append((f"storm {number} peak", peak))
            time.sleep(args.settle)
            phases.append((f"after storm {number}", snapshot(app)))
            print(f"storm {number}: {cycles} cycles, {errors} errors", file=sys.stderr)

    before = phases[0][1]
    rows = [
        "| Phase | Whole app (MB) | Supervisor (MB) | Worker (MB) | Whole app / before |",
        "| --- | --- | --- | --- | --- |",
        *(
            f"| {phase} | {mb(s.total)} | {mb(s['supervisor'])} | {mb(s['worker'])} | "
            f"{s.total / before.total:.2f} |"
            for phase, s in phases
        ),
    ]
    if args.maps:
        kinds = list(before.maps)
        rows += [
            "",
            "| Phase | " + " | ".join(f"Worker {kind}" for kind in kinds) + " |",
            "| --- |" + " --- |" * len(kinds),
            *(
                f"| {phase} | "
                + " | ".join(
                    mb(s.maps.get(kind, 0))
                    if kind in ("heap", "anonymous", "files")
                    else str(s.maps.get(kind, 0))
                    for kind in kinds
                )
                + " |"
                for phase, s in phases
            ),
        ]
    cycles = ", ".join(f"{c:,}" for c, _ in storms)
    errors = sum(e for _, e in storms)
    report = "\n".join(
        [
            f"Reconnect storm: {args.sockets} sockets for {args.seconds:.0f} s, "
            f"{args.storms} times ({cycles} reconnect cycles, {errors} errors); memory settled "
            f"{args.settle:.0f} s after each phase. {machine()}",
            "",
            *rows,
        ]
    )
    publish(report, args.out)


if __name__ == "__main__":
    main()
