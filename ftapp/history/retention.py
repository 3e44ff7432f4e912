"""How long the job history keeps a job: ``FT_HISTORY_RETENTION_DAYS`` (unset: for ever).

:func:`prune` deletes the records (and their transitions) of jobs that ended longer ago than
an age: a job ends when it finishes (Completed, Failed), or, if it never did, when it left the
API's list. A job the API still lists is never pruned, finished or not: the next poll would
record it again as if new. :func:`prune_periodically` (a Reflex lifespan task) prunes with the
setting every hour; ``ftapp history prune --older-than 90d`` prunes by hand
(:func:`parse_age`). Every process may prune at once: a deleted row is deleted once.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from itertools import groupby

import sqlalchemy as sa

from ftapp import database
from ftapp.history.record import RECORDS, TRANSITIONS
from ftapp.settings import current_settings

log = logging.getLogger(__name__)

PRUNE_EVERY_SECONDS = 3600.0
BATCH = 500
"""Records deleted per transaction (a long history is pruned without one long lock)."""
DAY = 86_400
_UNITS = {"d": DAY, "h": 3600}
_AGE = re.compile(r"(\d{1,6})\s*([dh])")


def parse_age(text: str) -> int:
    """Seconds in an age such as ``90d`` or ``36h`` (ValueError, saying what is expected)."""
    match = _AGE.fullmatch(text.strip().lower())
    if match is None or int(match.group(1)) == 0:
        raise ValueError(
            f"The age must be a whole number of days or hours, e.g. 90d or 36h, got {text!r}."
        )
    return int(match.group(1)) * _UNITS[match.group(2)]


def prune(older_than_seconds: float, now: float | None = None) -> int:
    """Delete the records of jobs that ended more than ``older_than_seconds`` before ``now``
    and are no longer listed, with their transitions; return how many records went.
    Blocking database work (call from a thread on the event loop)."""
    record = RECORDS.c
    cutoff = int((time.time() if now is None else now) - older_than_seconds)
    ended = sa.and_(
        record.gone_at.is_not(None), sa.func.coalesce(record.finished_at, record.gone_at) < cutoff
    )
    pruned = 0
    while True:
        with database.session() as session:
            batch = session.execute(
                sa.select(record.id, record.workspace, record.job_id)
                .where(ended)
                .order_by(record.workspace, record.id)
                .limit(BATCH)
            ).all()
            if not batch:
                return pruned
            for workspace, rows in groupby(batch, key=lambda row: row.workspace):
                session.execute(
                    sa.delete(TRANSITIONS).where(
                        TRANSITIONS.c.workspace == workspace,
                        TRANSITIONS.c.job_id.in_([row.job_id for row in rows]),
                    )
                )
            deleted = session.execute(
                sa.delete(RECORDS).where(record.id.in_([row.id for row in batch]))
            )
            session.commit()
        pruned += max(deleted.rowcount, 0)


def retention_seconds() -> int | None:
    """``FT_HISTORY_RETENTION_DAYS`` in seconds; None when the history keeps everything."""
    days = current_settings().history_retention_days
    return None if days is None else days * DAY


async def prune_periodically(interval_seconds: float = PRUNE_EVERY_SECONDS) -> None:
    """Prune with ``FT_HISTORY_RETENTION_DAYS`` now and every hour (a Reflex lifespan task);
    returns at once when it is unset."""
    if (older_than := retention_seconds()) is None:
        return
    while True:
        try:
            if pruned := await database.in_thread(prune, older_than):
                log.info("Pruned %d job records from the history.", pruned)
        except Exception as error:
            log.warning("Could not prune the job history (%s).", type(error).__name__)
        await asyncio.sleep(interval_seconds)
