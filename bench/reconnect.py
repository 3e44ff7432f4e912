"""Reconnect storm: 50 tabs reconnecting in a loop, and the server's memory before, at its
peak and after.

Starts the real app (production build, as `make run` starts it: ``PYTHONMALLOC=malloc``) on a
standalone sandbox, then runs ``--sockets`` raw Socket.IO clients, each connecting with a new
tab token, hydrating the dashboard, waiting for its rows and closing, over and over for
``--seconds``. Memory (the resident size of every process of the app) is sampled before,
every second during the storm (peak), and after the closed tabs' grace and a sweep
(``--settle`` seconds). Prints a Markdown table (also written with --out).

    .venv/bin/python bench/reconnect.py [--sockets 50] [--seconds 60] [--settle 75]

Figures are for comparing runs on one machine (ratios), not absolute promises.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.apps import app_on_a_sandbox
from bench.report import machine, publish
from tests.helpers.rawsocket import RawReflexClient, Reply
from tests.helpers.servers import ServerProcess

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


async def storm(app: ServerProcess, sockets: int, seconds: float) -> tuple[int, int, float]:
    """Run the storm; returns (cycles, errors, peak memory in bytes)."""
    cookie = app.sign_in_cookie()
    until = time.monotonic() + seconds
    peak = app.memory_bytes()

    async def sample() -> None:
        nonlocal peak
        while time.monotonic() < until:
            peak = max(peak, app.memory_bytes())
            await asyncio.sleep(1)

    sampler = asyncio.create_task(sample())
    results = await asyncio.gather(*(one_tab_in_a_loop(app, cookie, until) for _ in range(sockets)))
    sampler.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await sampler
    return sum(c for c, _ in results), sum(e for _, e in results), peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--settle", type=float, default=75)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    with app_on_a_sandbox(speed=1) as (app, _sandbox):
        # Warm up: the first tabs load code and caches that stay whatever happens next.
        asyncio.run(storm(app, sockets=5, seconds=10))
        time.sleep(args.settle)
        before = app.memory_bytes()
        cycles, errors, peak = asyncio.run(storm(app, args.sockets, args.seconds))
        time.sleep(args.settle)
        after = app.memory_bytes()

    rows = [
        "| Sockets | Seconds | Reconnect cycles | Errors | Before (MB) | Peak (MB) | "
        "After (MB) | After / before |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
        f"| {args.sockets} | {args.seconds:.0f} | {cycles:,} | {errors} | {before / MB:.1f} | "
        f"{peak / MB:.1f} | {after / MB:.1f} | {after / before:.2f} |",
    ]
    report = "\n".join(
        [
            f"Reconnect storm, memory settled {args.settle:.0f} s after each phase. {machine()}",
            "",
            *rows,
        ]
    )
    publish(report, args.out)


if __name__ == "__main__":
    main()
