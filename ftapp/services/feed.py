"""The live job list: one upstream ``GET /jobs`` loop per workspace per process, shared by
every page that watches it.

A :class:`WorkspaceFeed` polls while at least one watcher is subscribed and stops when the
last one leaves. It polls every ``running_seconds`` while a job is running, every
``idle_seconds`` when none is, and backs off exponentially (up to ``max_backoff_seconds``)
while the API fails, returning to normal on the first success. Watchers receive every new
:class:`Snapshot`; a failed poll keeps the last good jobs and records why it failed.

Models and the key's permissions (may it create jobs, may it delete them) ride along: asked
when the loop starts and again before each poll until the API has answered them.

While polls fail, a cheap ``GET /health`` every running interval notices a healed API at
once instead of after the whole backoff. The counts a page shows are counted from the jobs
themselves (an API whose ``summary`` disagrees with its list is logged once, not believed).
A poll that starts or stops failing, or fails differently, is logged once at WARNING.
Each successful list goes to the feed's recorder, the job history (:class:`PollRecorder`):
only a poll's list, never one applied from elsewhere, so only the process that polls writes.

Nothing here knows about Reflex or the upstream client: the services give a feed its fetch
functions, and pages subscribe through the services from a background event handler.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import replace

from ftapp import metrics
from ftapp.guard.text import one_line
from ftapp.services.snapshot import (
    Fetch,
    HealthCheck,
    KeyPermission,
    PollIntervals,
    PollRecorder,
    Probe,
    Snapshot,
    counted,
)
from ftapp.upstream import Job, JobList, Model, Summary, UpstreamError

__all__ = [
    "PAGE_ARRIVAL_SECONDS",
    "FeedRegistry",
    "Fetch",
    "HealthCheck",
    "KeyPermission",
    "PollIntervals",
    "PollRecorder",
    "Probe",
    "Snapshot",
    "WorkspaceFeed",
    "cancel_and_wait",
    "counted",
    "workspace_identity",
]

log = logging.getLogger(__name__)

PAGE_ARRIVAL_SECONDS = 1.0
"""How soon after its HTML a page usually subscribes (its scripts loaded and hydrated)."""


class WorkspaceFeed:
    """The shared poll loop of one workspace (one API base URL and key)."""

    def __init__(
        self,
        fetch: Fetch,
        intervals: PollIntervals,
        *,
        fetch_models: Callable[[], Awaitable[list[Model]]] | None = None,
        probes: Mapping[KeyPermission, Probe] | None = None,
        health: HealthCheck | None = None,
        recorder: PollRecorder | None = None,
        clock: Callable[[], float] = time.time,
        name: str = "default",
    ) -> None:
        self.name = name
        """The workspace's slug, for the metrics (never its key)."""
        self._fetch = fetch
        self._recorder = recorder
        self._health = health
        self._probe_spent = False
        """A health probe brought a poll forward and it still failed: no more probes until
        the next poll the backoff schedules (a broken list with a healthy API stays slow)."""
        self._reported_summary: Summary | None = None
        self._fetch_models = fetch_models
        self._probes: Mapping[KeyPermission, Probe] = probes or {}
        self.intervals = intervals
        self.clock = clock
        self.snapshot = Snapshot()
        self.watchers = 0
        self.polls = 0
        self._subscribers: set[asyncio.Event] = set()
        self._wake = asyncio.Event()
        self._poked = False
        """Whether the loop was woken to poll (not only because the last watcher left)."""
        self._task: asyncio.Task | None = None
        self._unasked: set[KeyPermission] = set(self._probes)
        self._polling = False

    @property
    def running(self) -> bool:
        """True while the poll loop is alive."""
        return self._task is not None and not self._task.done()

    async def watch(self) -> AsyncIterator[Snapshot]:
        """Subscribe: yield the current snapshot (if any), then each new one, until closed.

        Closing the iterator (or cancelling its consumer) unsubscribes; the loop stops when
        nobody watches any more.
        """
        # One Event per watcher, set on every change: no shared lock, so a watcher cancelled
        # at any point cannot hold up the loop or the other watchers.
        changed = asyncio.Event()
        changed.set()  # the current snapshot first
        self._subscribers.add(changed)
        self._join(wants_poll=not self.is_fresh())
        # A list older than its poll interval (the loop slept while nobody watched) is not
        # shown as if current: the watcher waits for the poll just asked for.
        seen = -1 if self.is_current() else self.snapshot.version
        try:
            while True:
                await changed.wait()
                changed.clear()
                snapshot = self.snapshot
                if snapshot.version != seen:
                    seen = snapshot.version
                    yield snapshot
        finally:
            self._subscribers.discard(changed)
            self._leave()

    def expect_watcher(self) -> None:
        """A page that will watch is on its way (its HTML was just asked for): count it as a
        watcher for one running interval. A list that would no longer be current when the
        page subscribes (:data:`PAGE_ARRIVAL_SECONDS` later) is polled now, while the browser
        loads the page; a current one costs nothing (the page shows it, and its own
        subscription asks for a fresher one). A request no page follows costs at most that
        one poll."""
        window = self.intervals.running_seconds
        arrival = self.clock() + min(window, PAGE_ARRIVAL_SECONDS)
        unknown = self.snapshot.fetched_at is None  # e.g. a worker that has not synced yet
        self._join(wants_poll=unknown or not self.is_current(at=arrival))
        asyncio.get_running_loop().call_later(window, self._leave)

    def _join(self, *, wants_poll: bool) -> None:
        self.watchers += 1
        self._ensure_running()
        # A new watcher wants current data, not a 15 s old list; a poll under way brings it
        # anyway (so a tab re-subscribing in a loop cannot drive polls back to back).
        if wants_poll and not self._polling:
            self.poke()

    def _leave(self) -> None:
        self.watchers -= 1
        if self.watchers == 0:
            self._wake.set()  # let the loop notice and stop

    def is_fresh(self) -> bool:
        """True when the last good list is younger than the running interval."""
        return not self.snapshot.error and self._age() < self.intervals.running_seconds

    def _age(self) -> float:
        """Seconds since the last good list (infinite before the first)."""
        fetched_at = self.snapshot.fetched_at
        return math.inf if fetched_at is None else self.clock() - fetched_at

    def is_current(self, at: float | None = None) -> bool:
        """True when the snapshot is as recent as the loop promises (now, or ``at`` that
        time): no older than its own poll interval, or telling that the last poll failed (a
        page then says so)."""
        snapshot = self.snapshot
        if snapshot.error:
            return True
        if snapshot.fetched_at is None:
            return True  # no list yet: nothing old to show
        return (self.clock() if at is None else at) - snapshot.fetched_at <= self._interval()

    def _interval(self) -> float:
        snapshot = self.snapshot
        return self.intervals.next_delay(snapshot.job_list, snapshot.failures, snapshot.error_kind)

    def poke(self) -> None:
        """Poll now instead of at the next interval (e.g. after a create or delete)."""
        self._poked = True
        self._wake.set()

    def _ensure_running(self) -> None:
        if not self.running:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        """Stop polling for good (the process is stopping); watchers keep the last list."""
        await cancel_and_wait(self._task)

    async def _run(self) -> None:
        self._unasked = set(self._probes)
        # Whoever starts the loop pokes when it wants a fresh list; otherwise the list is
        # current, and the first poll waits until it would no longer be.
        poll = self._poked
        try:
            while self.watchers > 0:
                self._wake.clear()
                self._poked = False
                await self._load_static()
                if poll:
                    await self._poll_once()
                    delay = self._interval()
                else:
                    delay = max(0.0, self._interval() - self._age())
                probed = await self._sleep(delay, self._probe_interval())
                self._probe_spent = probed and self.snapshot.failures > 0
                poll = True
        finally:
            self._task = None

    def _probe_interval(self) -> float | None:
        """How often to ask whether a failing API is back (None: not now). Not for a refused
        key (the API answers; the key will not heal by itself)."""
        snapshot = self.snapshot
        if (
            self._health is None
            or not snapshot.failures
            or snapshot.key_refused
            or self._probe_spent
        ):
            return None
        return self.intervals.running_seconds

    async def _sleep(self, delay: float, probe_every: float | None = None) -> bool:
        """Wait ``delay`` seconds before the next poll: less when poked, or when the last
        watcher left (the loop then stops). A tab re-subscribing (its old watcher leaving as
        its new one joins) wakes the loop without bringing the next poll forward. With
        ``probe_every``, the API's health is asked that often and an answer ends the wait;
        returns True when that is why it ended."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + delay
        while (left := deadline - loop.time()) > 0:
            wait = left if probe_every is None else min(left, probe_every)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=wait)
            if self._poked or self.watchers == 0:
                return False
            self._wake.clear()
            if probe_every is not None and deadline - loop.time() > 0 and await self._healthy():
                log.warning("The job API answers again: polling now.")
                return True
        return False

    async def _healthy(self) -> bool:
        assert self._health is not None
        try:  # bounded: a hung API must not hold the loop past the next probe
            return await asyncio.wait_for(self._health(), self.intervals.running_seconds)
        except Exception:  # a probe must never end the loop
            return False

    async def _load_static(self) -> None:
        """Models and the permissions: asked until known, kept once known."""
        updates: dict = {}
        if self._fetch_models is not None and not self.snapshot.models:
            try:
                updates["models"] = {m.id: m.display_name for m in await self._fetch_models()}
                updates["models_error"] = ""
            except UpstreamError as exc:
                updates["models_error"] = exc.message
        for permission, probe in self._probes.items():
            if getattr(self.snapshot, permission) is not None or permission not in self._unasked:
                continue
            with contextlib.suppress(UpstreamError):
                updates[permission] = await probe()
                # An answer that tells nothing is not asked again until the loop restarts.
                self._unasked.discard(permission)
        if updates:
            await self._update(
                lambda current: (
                    None
                    if all(getattr(current, name) == value for name, value in updates.items())
                    else replace(current, **updates)
                )
            )

    async def _poll_once(self) -> None:
        self.polls += 1
        self._polling = True
        asked_at = self.clock() if self._recorder is not None else 0.0  # only the history asks
        try:
            job_list = self._counted(await self._fetch())
        except Exception as exc:
            if isinstance(exc, UpstreamError):
                message, kind = exc.message, type(exc).__name__
                if message != self.snapshot.error:  # once per change, not once per poll
                    log.warning("Job polls fail: %s", one_line(message))
            else:  # a bug must not end live updates for every page of the workspace
                message, kind = "Unexpected error while loading jobs.", "InternalError"
                log.exception("job poll failed unexpectedly")
            metrics.poll(self.name, ok=False)
            await self._update(
                lambda current: replace(
                    current, error=message, error_kind=kind, failures=current.failures + 1
                )
            )
            return
        finally:
            self._polling = False
        if self.snapshot.failures:
            log.warning("Job polls work again after %d failed.", self.snapshot.failures)
        fetched_at = self.clock()
        metrics.poll(self.name, ok=True, at=fetched_at)
        self._record(job_list, asked_at, fetched_at)
        await self._update(
            lambda current: replace(
                current,
                job_list=job_list,
                fetched_at=fetched_at,
                error="",
                error_kind="",
                failures=0,
            )
        )

    def _record(self, job_list: JobList, asked_at: float, fetched_at: float) -> None:
        """Hand a polled list to the recorder (only a poll's: never one a follower applied).
        A change it shows happened since the last good list, else within one interval."""
        if self._recorder is None:
            return
        previous = self.snapshot.fetched_at
        since = fetched_at - previous if previous is not None else self._interval()
        try:
            self._recorder.polled(job_list, asked_at, fetched_at, since)
        except Exception:  # the history must never cost the pages their live list
            log.exception("recording a poll failed")

    def _counted(self, job_list: JobList) -> JobList:
        """:func:`counted`, logging an upstream summary that disagrees (once per value)."""
        fixed = counted(job_list)
        if fixed is not job_list and job_list.summary != self._reported_summary:
            self._reported_summary = job_list.summary
            log.warning(
                "The API's summary (%s) disagrees with its %d jobs; showing the jobs' counts.",
                job_list.summary.model_dump(),
                len(job_list.jobs),
            )
        return fixed

    async def _update(self, change: Callable[[Snapshot], Snapshot | None]) -> None:
        """Apply ``change`` to the latest snapshot and wake every watcher.

        ``change`` returning None means nothing changed. Nothing here awaits, so the read
        and the write cannot interleave with another update.
        """
        changed = change(self.snapshot)
        if changed is None:
            return
        self.snapshot = replace(changed, version=self.snapshot.version + 1)
        for subscriber in self._subscribers:
            subscriber.set()

    async def forget_job(self, job_id: str) -> None:
        """Drop a deleted job from the snapshot at once (the next poll confirms it)."""

        def without_job(current: Snapshot) -> Snapshot | None:
            job_list = current.job_list
            gone = (
                next((job for job in job_list.jobs if job.id == job_id), None) if job_list else None
            )
            if job_list is None or gone is None:
                return None
            jobs = [job for job in job_list.jobs if job.id != job_id]
            return replace(current, job_list=counted(JobList(jobs=jobs)))

        await self._update(without_job)
        self.poke()

    async def remember_job(self, job: Job) -> None:
        """Show a job just created at once, newest first (the next poll confirms it)."""

        def with_job(current: Snapshot) -> Snapshot | None:
            job_list = current.job_list
            if job_list is None or any(known.id == job.id for known in job_list.jobs):
                return None
            return replace(current, job_list=counted(JobList(jobs=[job, *job_list.jobs])))

        await self._update(with_job)
        self.poke()

    async def note_permission(self, permission: KeyPermission, allowed: bool) -> None:
        """Record what a create or delete attempt taught about the key's permission."""
        await self._update(
            lambda current: (
                None
                if getattr(current, permission) == allowed
                else replace(current, **{permission: allowed})
            )
        )


class FeedRegistry:
    """The feeds of this process, one per workspace identity."""

    def __init__(self) -> None:
        self._feeds: dict[str, WorkspaceFeed] = {}

    def get(self, identity: str, create: Callable[[], WorkspaceFeed]) -> WorkspaceFeed:
        """The feed for ``identity``, made by ``create()`` on first use."""
        feed = self._feeds.get(identity)
        if feed is None:
            feed = self._feeds[identity] = create()
        return feed

    def find(self, identity: str) -> WorkspaceFeed | None:
        """The feed for ``identity`` if this process has one."""
        return self._feeds.get(identity)

    def watched(self) -> list[WorkspaceFeed]:
        """The feeds that run (someone here watches their workspace)."""
        return [feed for feed in self._feeds.values() if feed.running]

    def clear(self) -> None:
        """Forget every feed."""
        self._feeds.clear()

    async def stop_all(self) -> None:
        """Stop every feed's polling (the process is stopping)."""
        for feed in list(self._feeds.values()):
            await feed.stop()


async def cancel_and_wait(task: asyncio.Task | None) -> None:
    """Cancel ``task`` and wait until it has finished (its ``finally`` blocks included)."""
    if task is None or task.done():
        return
    task.cancel()
    with contextlib.suppress(BaseException):
        await task


def workspace_identity(base_url: str, api_key: str) -> str:
    """A stable name for a workspace that does not reveal its key."""
    return hashlib.sha256(f"{base_url}\0{api_key}".encode()).hexdigest()[:16]
