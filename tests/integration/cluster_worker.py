"""One backend worker, as far as the live feed goes, for ``test_cluster_feed.py``.

``python -m tests.integration.cluster_worker OUT``: builds the feed exactly as the app does
(:func:`ftapp.services.connection.feed`, from the environment), watches it once, and appends a
line of JSON to OUT for every snapshot it sees and whenever it starts or stops polling. SIGTERM
closes the watcher (the lease is released); SIGKILL is the test's business.
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


def record(out: IO[str], **fields: Any) -> None:
    out.write(json.dumps({"t": time.time(), **fields}) + "\n")
    out.flush()


async def follow(out: IO[str]) -> None:
    feed = connection.feed()
    async with aclosing(feed.watch()) as snapshots:
        async for snapshot in snapshots:
            jobs = snapshot.job_list.jobs if snapshot.job_list else []
            record(
                out,
                event="snapshot",
                version=snapshot.version,
                fetched_at=snapshot.fetched_at,
                names=[job.name for job in jobs],
                error=snapshot.error,
            )


async def report_polling(out: IO[str]) -> None:
    feed = connection.feed()
    last = None
    while True:
        now = (getattr(feed, "holding", None), feed.polls)
        if now != last:
            last = now
            record(out, event="status", holding=now[0], polls=now[1], kind=type(feed).__name__)
        await asyncio.sleep(0.02)


async def main(path: Path) -> None:
    with path.open("a") as out:
        record(out, event="started")
        tasks = [asyncio.create_task(follow(out)), asyncio.create_task(report_polling(out))]
        asyncio.get_running_loop().add_signal_handler(
            signal.SIGTERM, lambda: [task.cancel() for task in tasks]
        )
        await asyncio.gather(*tasks, return_exceptions=True)
        feed = connection.feed()
        while feed.running:  # noqa: ASYNC110 (the lease is released before the process ends)
            await asyncio.sleep(0.01)
        record(out, event="stopped")


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
