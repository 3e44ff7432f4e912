"""One backend worker, as far as the live feed goes, for the cluster feed's tests.

``python -m tests.integration.cluster_worker OUT [SLUG ...]``: builds the feed of each workspace
``SLUG`` (default: ``default``, the environment's) exactly as the app does
(:func:`ftapp.services.connection.feed`, from the environment; a stored workspace resolved from
the app database first), watches each once, and appends a line of JSON to OUT, with the
workspace's slug, for every snapshot it sees and whenever it starts or stops polling one.
SIGTERM closes the watchers (the leases are released); SIGKILL is the test's business.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import time
from contextlib import aclosing
from pathlib import Path
from typing import IO, Any

from ftapp.services import connection
from ftapp.services.feed import WorkspaceFeed
from ftapp.workspaces.store import DEFAULT_SLUG


def record(out: IO[str], **fields: Any) -> None:
    out.write(json.dumps({"t": time.time(), **fields}) + "\n")
    out.flush()


async def follow(out: IO[str], slug: str, feed: WorkspaceFeed) -> None:
    async with aclosing(feed.watch()) as snapshots:
        async for snapshot in snapshots:
            jobs = snapshot.job_list.jobs if snapshot.job_list else []
            record(
                out,
                event="snapshot",
                workspace=slug,
                version=snapshot.version,
                fetched_at=snapshot.fetched_at,
                names=[job.name for job in jobs],
                error=snapshot.error,
            )


async def report_polling(out: IO[str], slug: str, feed: WorkspaceFeed) -> None:
    last = None
    while True:
        now = (getattr(feed, "holding", None), feed.polls)
        if now != last:
            last = now
            record(
                out,
                event="status",
                workspace=slug,
                holding=now[0],
                polls=now[1],
                kind=type(feed).__name__,
            )
        await asyncio.sleep(0.02)


async def main(path: Path, slugs: list[str]) -> None:
    with path.open("a") as out:
        record(out, event="started", workspaces=slugs)
        feeds = {}
        for slug in slugs:
            if await connection.resolve(slug) is None:
                raise SystemExit(f"no workspace {slug!r}")
            feeds[slug] = connection.feed(slug)
        tasks = [
            asyncio.create_task(watch(out, slug, feed))
            for slug, feed in feeds.items()
            for watch in (follow, report_polling)
        ]
        asyncio.get_running_loop().add_signal_handler(
            signal.SIGTERM, lambda: [task.cancel() for task in tasks]
        )
        await asyncio.gather(*tasks, return_exceptions=True)
        # The leases are released before the process ends.
        while any(feed.running for feed in feeds.values()):  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        record(out, event="stopped")


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), sys.argv[2:] or [DEFAULT_SLUG]))
