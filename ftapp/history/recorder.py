"""The job history's writer in a running process: what polls saw, and what ftapp did.

Only the process that polls a workspace records its polls (the in-process feed; on Redis the
lease holder): its feed hands each successful list to :meth:`WorkspaceRecorder.polled`, which
returns at once. The writes run in a worker thread (:func:`ftapp.database.in_thread`), one at a
time per workspace, in order, and compare with what this process last wrote (in memory), or
with the database after a start, a lease handover (:meth:`WorkspaceRecorder.resync`) or a
failed write. A failing write never holds up or fails the poll: it is logged once (one WARNING
line) and the next poll tries again, re-deriving the state from its own list, so a locked or
unreachable database delays the record but loses nothing the API still lists.

A create's answer (who created the job), a delete through ftapp (who deleted it, when) and a
lookup of one job are written by whichever process served them (any worker): they touch only
their own attributes, idempotently, and no poll can learn them, so they are retried for about
30 s like the activity log's lines (:func:`created_soon`, :func:`deleted_soon`,
:func:`looked_up_soon`); the job's statuses stay the polling process's to write.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ftapp import database
from ftapp.guard.text import one_line
from ftapp.history import record
from ftapp.history.record import Known, Poll
from ftapp.upstream import Job, JobList

log = logging.getLogger(__name__)

MAX_QUEUED_POLLS = 32
"""Polls waiting for a slow database, per workspace; older ones are dropped (a later list
re-derives what they showed, only its observed time is later)."""
RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0)
"""Waits between attempts at a create's, delete's or lookup's write (about 30 s in all)."""
clock: Callable[[], float] = time.time
"""Where the times of creates, deletes and lookups come from (a test replaces it)."""

WritePoll = Callable[[Poll, Known | None], dict[str, record.Seen]]


@dataclass
class _Workspace:
    """What the recorder keeps of one workspace."""

    known: Known | None = None
    """What this process last wrote (None: compare with the database first)."""
    queue: deque[Poll] = field(default_factory=lambda: deque(maxlen=MAX_QUEUED_POLLS))
    writer: asyncio.Task | None = None
    failing: bool = False
    recorded: set[str] = field(default_factory=set)
    """Job ids a lookup or an action has already made sure have a record."""


class Recorder:
    """Writes what each workspace's polls saw, off the event loop (one per process)."""

    def __init__(self, write: WritePoll = record.write_poll) -> None:
        self._write = write
        self._workspaces: dict[str, _Workspace] = {}
        self._actions: set[asyncio.Task] = set()

    def for_workspace(self, workspace: str) -> WorkspaceRecorder:
        """What a feed of ``workspace`` calls."""
        return WorkspaceRecorder(self, workspace)

    def _of(self, workspace: str) -> _Workspace:
        return self._workspaces.setdefault(workspace, _Workspace())

    def polled(self, poll: Poll) -> None:
        """Write ``poll`` soon, after the polls before it (never blocks, never raises)."""
        state = self._of(poll.workspace)
        state.queue.append(poll)
        loop = asyncio.get_running_loop()
        writer = state.writer
        if writer is None or writer.done() or writer.get_loop() is not loop:
            state.writer = loop.create_task(self._drain(poll.workspace, state))

    def resync(self, workspace: str) -> None:
        """Compare with the database at the next write (another process may have written)."""
        self._of(workspace).known = None

    def known(self, workspace: str, job_id: str) -> bool:
        """True when this process knows that ``job_id`` has a record."""
        state = self._of(workspace)
        return job_id in state.recorded or (state.known is not None and job_id in state.known)

    async def _drain(self, workspace: str, state: _Workspace) -> None:
        while state.queue:
            poll = state.queue.popleft()
            try:
                known = await database.in_thread(self._write, poll, state.known)
            except Exception as error:
                state.known = None  # the next write starts from what the database holds
                if not state.failing:
                    state.failing = True
                    log.warning(
                        "The job history could not be written (%s); trying again at the next poll.",
                        _describe(error),
                    )
                continue
            state.known = known
            if state.failing:
                state.failing = False
                log.warning("The job history is written again.")

    async def flush(self, timeout_seconds: float = 35.0) -> None:
        """Wait (at most ``timeout_seconds``) for the writes under way."""
        pending = [
            task
            for task in [*(s.writer for s in self._workspaces.values()), *self._actions]
            if task is not None and not task.done()
        ]
        if pending:
            await asyncio.wait(pending, timeout=timeout_seconds)

    def write_soon(
        self, what: str, workspace: str, job_id: str, write: Callable[..., None], *args: Any
    ) -> None:
        """Run ``write(*args)`` in a thread in the background, retried for about 30 s; once it
        worked, this process knows that ``job_id`` has a record."""
        task = asyncio.get_running_loop().create_task(
            self._write_with_retries(what, workspace, job_id, write, args)
        )
        self._actions.add(task)
        task.add_done_callback(self._actions.discard)

    async def _write_with_retries(
        self, what: str, workspace: str, job_id: str, write: Callable[..., None], args: tuple
    ) -> None:
        for delay in (*RETRY_DELAYS, None):
            try:
                await database.in_thread(write, *args)
            except Exception as error:
                if delay is None:
                    log.error(
                        "Lost the job history's %s of job %r: %s",
                        what,
                        one_line(job_id, 100),
                        _describe(error),
                    )
                    return
                await asyncio.sleep(delay)
                continue
            self._of(workspace).recorded.add(job_id)
            return

    def forget(self) -> None:
        """Forget every workspace (tests; records are pruned)."""
        self._workspaces.clear()


def _describe(error: Exception) -> str:
    """One line: the error's kind, and its message unless the database is simply away."""
    if database.unreachable(error):
        return type(error).__name__
    return f"{type(error).__name__}: {one_line(str(error), 200)}"


@dataclass(frozen=True)
class WorkspaceRecorder:
    """The recorder as one workspace's feed sees it."""

    recorder: Recorder
    workspace: str

    def polled(
        self, job_list: JobList, asked_at: float, observed_at: float, interval_seconds: float
    ) -> None:
        """A poll asked at ``asked_at`` got ``job_list`` at ``observed_at``; a change it shows
        happened at most ``interval_seconds`` before."""
        poll = Poll(self.workspace, tuple(job_list.jobs), asked_at, observed_at, interval_seconds)
        self.recorder.polled(poll)

    def resync(self) -> None:
        """This process just became the one that polls: compare with the database first."""
        self.recorder.resync(self.workspace)


recorder = Recorder()
"""This process's recorder."""


def created_soon(workspace: str, job: Job, username: str) -> None:
    """``username`` created ``job`` through ftapp (its record is made if no poll has yet)."""
    at = record.first_seen_not_before(clock())
    recorder.write_soon(
        "creator", workspace, job.id, record.record_job, workspace, job, at, username
    )


def deleted_soon(workspace: str, job_id: str, job: Job | None, username: str) -> None:
    """``username`` deleted the job through ftapp just now (``job``: as last listed)."""
    at = int(clock())
    recorder.write_soon(
        "deletion", workspace, job_id, record.mark_deleted, workspace, job_id, job, username, at
    )


def looked_up_soon(workspace: str, job: Job) -> None:
    """A lookup found ``job``: make sure it has a record (nothing when this process knows)."""
    if recorder.known(workspace, job.id):
        return
    recorder.write_soon(
        "record",
        workspace,
        job.id,
        record.record_job,
        workspace,
        job,
        record.first_seen_not_before(clock()),
    )


async def flush(timeout_seconds: float = 35.0) -> None:
    """Wait (at most ``timeout_seconds``) for this process's history writes under way."""
    await recorder.flush(timeout_seconds)
