"""The live job list: one upstream ``GET /jobs`` loop per workspace per process, shared by
every page that watches it.

A :class:`WorkspaceFeed` polls while at least one watcher is subscribed and stops when the
last one leaves. It polls every ``running_seconds`` while a job is running, every
``idle_seconds`` when none is, and backs off exponentially (up to ``max_backoff_seconds``)
while the API fails, returning to normal on the first success. Watchers receive every new
:class:`Snapshot`; a failed poll keeps the last good jobs and records why it failed.

Models and the key's permissions (may it create jobs, may it delete them) ride along: asked
when the loop starts and again before each poll until the API has answered them.

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
from dataclasses import dataclass, field, replace
from typing import Literal

from ftapp.guard.text import one_line
from ftapp.settings import Settings
from ftapp.upstream import Job, JobList, Model, Summary, UpstreamError

log = logging.getLogger(__name__)

PAGE_ARRIVAL_SECONDS = 1.0
"""How soon after its HTML a page usually subscribes (its scripts loaded and hydrated)."""

Permission = Literal["may_create", "may_delete"]
"""A :class:`Snapshot` field that records what the key may do."""
Probe = Callable[[], Awaitable[bool | None]]
"""Asks the API whether the key may do something: True, False, or None (it did not say)."""


@dataclass(frozen=True)
class PollIntervals:
    """How often a feed polls, in seconds."""

    running_seconds: float = 2.0
    idle_seconds: float = 15.0
    max_backoff_seconds: float = 60.0

    @classmethod
    def from_settings(cls, settings: Settings) -> PollIntervals:
        """The ``FT_POLL_*`` settings."""
        return cls(
            running_seconds=settings.poll_running_seconds,
            idle_seconds=settings.poll_idle_seconds,
            max_backoff_seconds=settings.poll_max_backoff_seconds,
        )

    def next_delay(self, job_list: JobList | None, failures: int, error_kind: str = "") -> float:
        """Seconds until the next poll, given the last good list and the failure streak.

        A refused key does not fix itself in seconds: it is asked about again only at the
        longest backoff.
        """
        if failures and error_kind == "Unauthorized":
            return self.max_backoff_seconds
        if failures:
            # The exponent is capped so a very long streak cannot overflow a float.
            return min(self.running_seconds * 2 ** min(failures, 1000), self.max_backoff_seconds)
        if (
            job_list is not None
            and job_list.summary.running == 0
            and not any(job.is_running for job in job_list.jobs)
        ):
            return self.idle_seconds
        return self.running_seconds


@dataclass(frozen=True)
class Snapshot:
    """What a feed knows: the last good job list and the outcome of the last poll."""

    version: int = 0
    job_list: JobList | None = None
    fetched_at: float | None = None
    """Unix time of the last successful poll."""
    error: str = ""
    """Why the last poll failed ("" when it succeeded)."""
    error_kind: str = ""
    """The failure's type name (e.g. ``Unavailable``), for styling and tests."""
    failures: int = 0
    models: Mapping[str, str] = field(default_factory=dict)
    """Model id -> display name, from ``GET /models``."""
    models_error: str = ""
    """Why the models could not be had ("" once they are, or before the first try)."""
    may_create: bool | None = None
    """Whether the key may create jobs, when the API has told."""
    may_delete: bool | None = None
    """Whether the key may delete jobs, when the API has told."""

    @property
    def summary(self) -> Summary:
        return self.job_list.summary if self.job_list else Summary()


Fetch = Callable[[], Awaitable[JobList]]


class WorkspaceFeed:
    """The shared poll loop of one workspace (one API base URL and key)."""

    def __init__(
        self,
        fetch: Fetch,
        intervals: PollIntervals,
        *,
        fetch_models: Callable[[], Awaitable[list[Model]]] | None = None,
        probes: Mapping[Permission, Probe] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._fetch = fetch
        self._fetch_models = fetch_models
        self._probes: Mapping[Permission, Probe] = probes or {}
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
        self._unasked: set[Permission] = set(self._probes)
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
                await self._sleep(delay)
                poll = True
        finally:
            self._task = None

    async def _sleep(self, delay: float) -> None:
        """Wait ``delay`` seconds before the next poll: less when poked, or when the last
        watcher left (the loop then stops). A tab re-subscribing (its old watcher leaving as
        its new one joins) wakes the loop without bringing the next poll forward."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + delay
        while (left := deadline - loop.time()) > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=left)
            if self._poked or self.watchers == 0:
                return
            self._wake.clear()

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
        try:
            job_list = await self._fetch()
        except Exception as exc:
            if isinstance(exc, UpstreamError):
                message, kind = exc.message, type(exc).__name__
                log.info("job poll failed: %s", one_line(message))
            else:  # a bug must not end live updates for every page of the workspace
                message, kind = "Unexpected error while loading jobs.", "InternalError"
                log.exception("job poll failed unexpectedly")
            await self._update(
                lambda current: replace(
                    current, error=message, error_kind=kind, failures=current.failures + 1
                )
            )
            return
        finally:
            self._polling = False
        fetched_at = self.clock()
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
            counts = job_list.summary.model_dump()
            key = gone.status.lower()
            if counts.get(key, 0) > 0:
                counts[key] -= 1
            jobs = [job for job in job_list.jobs if job.id != job_id]
            return replace(current, job_list=JobList(jobs=jobs, summary=Summary(**counts)))

        await self._update(without_job)
        self.poke()

    async def remember_job(self, job: Job) -> None:
        """Show a job just created at once, newest first (the next poll confirms it)."""

        def with_job(current: Snapshot) -> Snapshot | None:
            job_list = current.job_list
            if job_list is None or any(known.id == job.id for known in job_list.jobs):
                return None
            counts = job_list.summary.model_dump()
            key = job.status.lower()
            if key in counts:
                counts[key] += 1
            jobs = [job, *job_list.jobs]
            return replace(current, job_list=JobList(jobs=jobs, summary=Summary(**counts)))

        await self._update(with_job)
        self.poke()

    async def note_permission(self, permission: Permission, allowed: bool) -> None:
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

    def clear(self) -> None:
        """Forget every feed."""
        self._feeds.clear()


def workspace_identity(base_url: str, api_key: str) -> str:
    """A stable name for a workspace that does not reveal its key."""
    return hashlib.sha256(f"{base_url}\0{api_key}".encode()).hexdigest()[:16]
