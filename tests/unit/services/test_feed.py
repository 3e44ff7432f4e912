"""ftapp.services.feed: poll intervals and the shared per-workspace poll loop, with fake fetches.

Every wait is bounded by ``asyncio.timeout`` so a bug fails a test instead of hanging the
suite, and every test checks that it leaves no task running.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import aclosing

import pytest

from ftapp.services import connection, current_if_fresh
from ftapp.services.feed import (
    FeedRegistry,
    PollIntervals,
    Snapshot,
    WorkspaceFeed,
    workspace_identity,
)
from ftapp.settings import load_settings
from ftapp.upstream import (
    Job,
    JobList,
    Model,
    PermissionDenied,
    ProtocolError,
    Unauthorized,
    Unavailable,
)
from tests.helpers.fakes import FakeClock, eventually
from tests.helpers.feeds import (
    IDLE,
    LLAMA,
    RUNNING,
    SLOW,
    FakeCall,
    Watcher,
    job,
    job_list,
    no_task_left_running,  # noqa: F401  (autouse: every test leaves no task running)
)
from tests.helpers.log_injection import FORGED, assert_one_bounded_line

TIMEOUT = 2.0
"""Upper bound of any wait in a test; normal runs take milliseconds."""

FAST = PollIntervals(running_seconds=0.01, idle_seconds=0.01, max_backoff_seconds=0.02)


def names(snapshots: list[Snapshot]) -> list[str]:
    """The first job's name of every snapshot that has a job list."""
    return [s.job_list.jobs[0].name for s in snapshots if s.job_list and s.job_list.jobs]


async def stopped(feed: WorkspaceFeed) -> None:
    await eventually(lambda: not feed.running)


@contextlib.asynccontextmanager
async def watching(feed: WorkspaceFeed, count: int = 1) -> AsyncIterator[list[Watcher]]:
    """``count`` watchers for the block; afterwards they leave and the loop must stop."""
    watchers = [Watcher(feed) for _ in range(count)]
    try:
        yield watchers
    finally:
        for watcher in watchers:
            await watcher.close()
    if feed.watchers == 0:
        await stopped(feed)


def counter_clock(start: float = 1000.0, step: float = 1.0) -> Callable[[], float]:
    ticks = itertools.count(start, step)
    return lambda: float(next(ticks))


# --- PollIntervals -------------------------------------------------------------------------


def test_poll_interval_defaults() -> None:
    assert PollIntervals() == PollIntervals(2.0, 15.0, 60.0)


def test_next_delay_before_any_list_is_the_running_interval() -> None:
    assert PollIntervals().next_delay(None, 0) == 2.0


@pytest.mark.parametrize(
    "jobs",
    [
        RUNNING,
        job_list(job("a")),
        job_list(job("a", "Completed"), running=1),  # a running job on another page
        job_list(job("a"), running=0),  # the summary lags behind the list
    ],
)
def test_next_delay_while_a_job_runs_is_the_running_interval(jobs: JobList) -> None:
    assert PollIntervals().next_delay(jobs, 0) == 2.0


@pytest.mark.parametrize("jobs", [IDLE, job_list()])
def test_next_delay_without_running_jobs_is_the_idle_interval(jobs: JobList) -> None:
    assert PollIntervals().next_delay(jobs, 0) == 15.0


@pytest.mark.parametrize(
    ("failures", "delay"), [(1, 4.0), (2, 8.0), (3, 16.0), (4, 32.0), (5, 60.0), (6, 60.0)]
)
@pytest.mark.parametrize("jobs", [None, RUNNING, IDLE])
def test_next_delay_backs_off_exponentially_while_failing(
    failures: int, delay: float, jobs: JobList | None
) -> None:
    assert PollIntervals().next_delay(jobs, failures) == delay


def test_next_delay_backoff_uses_the_configured_numbers() -> None:
    intervals = PollIntervals(running_seconds=0.5, idle_seconds=100, max_backoff_seconds=3)
    assert [intervals.next_delay(IDLE, n) for n in range(5)] == [100, 1.0, 2.0, 3, 3]


@pytest.mark.parametrize("failures", [1023, 1024, 5000, 10**6])
def test_next_delay_survives_a_very_long_failure_streak(failures: int) -> None:
    # About 17 hours of outage at the 60 s cap reach 1024 failures; 2.0 * 2**1024 overflows.
    assert PollIntervals().next_delay(RUNNING, failures) == 60.0


def test_intervals_come_from_the_settings() -> None:
    assert PollIntervals.from_settings(load_settings({})) == PollIntervals()
    env = {
        "FT_POLL_RUNNING_SECONDS": "0.5",
        "FT_POLL_IDLE_SECONDS": " 30 ",
        "FT_POLL_MAX_BACKOFF_SECONDS": "120",
    }
    assert PollIntervals.from_settings(load_settings(env)) == PollIntervals(0.5, 30.0, 120.0)


# --- WorkspaceFeed: watching ---------------------------------------------------------------


async def test_a_new_feed_is_idle() -> None:
    fetch = FakeCall(RUNNING)
    feed = WorkspaceFeed(fetch, SLOW)
    await asyncio.sleep(0.01)
    assert (feed.running, feed.watchers, feed.polls, fetch.calls) == (False, 0, 0, 0)
    assert feed.snapshot == Snapshot()
    assert feed.snapshot.summary.total == 0


async def test_the_first_watcher_gets_the_job_list() -> None:
    fetch = FakeCall(RUNNING)
    feed = WorkspaceFeed(fetch, SLOW, clock=lambda: 1234.5)
    async with asyncio.timeout(TIMEOUT), watching(feed) as [watcher]:
        await eventually(lambda: watcher.last and watcher.last.job_list is not None)
        assert feed.running
        assert feed.watchers == 1
        snapshot = watcher.last
        assert snapshot.job_list == RUNNING
        assert snapshot.summary.running == 1
        assert snapshot.fetched_at == 1234.5
        assert (snapshot.error, snapshot.error_kind, snapshot.failures) == ("", "", 0)
        assert snapshot is feed.snapshot
        assert (fetch.calls, feed.polls) == (1, 1)
        # Nothing before the list but the empty snapshot there was when it subscribed.
        assert all(s.job_list is None for s in watcher.snapshots[:-1])
        assert watcher.versions == sorted(set(watcher.versions))
    assert feed.watchers == 0
    assert not feed.running


async def test_a_late_watcher_gets_the_current_snapshot_at_once_and_a_fresh_poll() -> None:
    fetch = FakeCall(job_list(job("a", name="first")), job_list(job("a", name="second")))
    clock = FakeClock()
    feed = WorkspaceFeed(fetch, SLOW, clock=clock)
    async with asyncio.timeout(TIMEOUT), watching(feed) as [early]:
        await eventually(lambda: names(early.snapshots) == ["first"])
        current = feed.snapshot
        clock.advance(SLOW.running_seconds)  # the list is now as old as the running interval
        async with watching(feed) as [late]:
            await eventually(lambda: late.snapshots)
            assert late.snapshots[0] is current  # no wait for the next poll
            await eventually(lambda: names(late.snapshots) == ["first", "second"])
            assert feed.polls == 2  # joining asked for fresh data
            assert names(early.snapshots) == ["first", "second"]
        assert feed.running  # the early watcher still watches
        assert feed.watchers == 1
    assert fetch.calls == 2


async def test_a_list_older_than_its_interval_is_not_shown_as_current() -> None:
    """The loop slept while nobody watched: a new watcher waits for the poll it asked for."""
    fetch = FakeCall(job_list(job("a", name="old")), job_list(job("a", name="new")), gated=True)
    clock = FakeClock()
    feed = WorkspaceFeed(fetch, SLOW, clock=clock)
    fetch.allow()
    await watch_once(feed)  # the loop stops with nobody watching
    clock.advance(SLOW.running_seconds + 1)
    async with asyncio.timeout(TIMEOUT), watching(feed) as [late]:
        await eventually(lambda: fetch.in_flight == 1)
        await asyncio.sleep(0.02)
        assert late.snapshots == []  # not the old list as if it were current
        fetch.allow()
        await eventually(lambda: names(late.snapshots) == ["new"])


async def test_a_failed_poll_is_shown_at_once_whatever_its_age() -> None:
    fetch = FakeCall(RUNNING, Unavailable())
    clock = FakeClock()
    feed = WorkspaceFeed(fetch, SLOW, clock=clock)
    await watch_once(feed)
    clock.advance(SLOW.running_seconds + 1)
    async with asyncio.timeout(TIMEOUT), watching(feed) as [second]:
        await eventually(lambda: second.last and second.last.error)
    clock.advance(600)
    async with asyncio.timeout(TIMEOUT), watching(feed) as [late]:
        await eventually(lambda: late.snapshots)
        assert late.snapshots[0].error  # the page says the API is down, with the last list
        assert late.snapshots[0].job_list == RUNNING


async def test_a_watcher_joining_while_the_list_is_fresh_causes_no_poll() -> None:
    fetch = FakeCall(job_list(job("a", name="first")), job_list(job("a", name="second")))
    clock = FakeClock()
    feed = WorkspaceFeed(fetch, SLOW, clock=clock)
    async with asyncio.timeout(TIMEOUT), watching(feed) as [early]:
        await eventually(lambda: names(early.snapshots) == ["first"])
        clock.advance(SLOW.running_seconds - 1)
        async with watching(feed) as [late]:
            await eventually(lambda: late.snapshots)
            await asyncio.sleep(0.05)
            assert names(late.snapshots) == ["first"]  # a page navigation costs no GET /jobs
    assert fetch.calls == 1


async def test_watchers_joining_during_a_slow_poll_add_no_poll() -> None:
    """A tab re-subscribing in a loop while the API is slow cannot drive polls back to back."""
    fetch = FakeCall(RUNNING, gated=True)
    clock = FakeClock()
    feed = WorkspaceFeed(fetch, SLOW, clock=clock)
    async with asyncio.timeout(TIMEOUT), watching(feed) as [first]:
        fetch.allow()
        await eventually(lambda: first.last and first.last.job_list)
        clock.advance(SLOW.running_seconds)  # stale: the next watcher asks for a poll
        async with watching(feed):
            await eventually(lambda: fetch.in_flight == 1)  # ... which is now under way
            for _ in range(20):
                async with watching(feed):
                    await asyncio.sleep(0)
            fetch.allow()
            await eventually(lambda: fetch.done == 2)
            await asyncio.sleep(0.05)
            assert (fetch.calls, feed.polls) == (2, 2)


async def test_a_tab_re_subscribing_brings_no_poll_forward() -> None:
    """Its old watcher leaves (the feed has none for a moment) before its new one joins: the
    loop wakes to check, finds a watcher again, and keeps its interval."""
    fetch = FakeCall(RUNNING)
    feed = WorkspaceFeed(fetch, SLOW, clock=FakeClock())
    async with asyncio.timeout(TIMEOUT):
        tab = Watcher(feed)
        await eventually(lambda: tab.last and tab.last.job_list)
        for _ in range(20):
            await tab.close()  # the last watcher leaves ...
            tab = Watcher(feed)  # ... and the tab's next subscription joins
            await asyncio.sleep(0.01)
        assert (fetch.calls, feed.polls) == (1, 1)
        assert feed.running
        await tab.close()
        await stopped(feed)  # the last watcher leaving still stops the loop at once


async def test_five_watchers_joining_together_cause_one_poll() -> None:
    fetch = FakeCall(RUNNING)
    feed = WorkspaceFeed(fetch, SLOW)
    async with asyncio.timeout(TIMEOUT), watching(feed, 5) as watchers:
        await eventually(lambda: all(w.last and w.last.job_list for w in watchers))
        assert feed.watchers == 5
        await asyncio.sleep(0.02)
        assert (fetch.calls, feed.polls) == (1, 1)


async def test_five_watchers_share_one_poll_loop() -> None:
    polls = [job_list(job("a", name=f"poll {n}")) for n in range(1, 10)]
    fetch = FakeCall(*polls, gated=True)
    feed = WorkspaceFeed(fetch, FAST)
    async with asyncio.timeout(TIMEOUT):
        async with watching(feed, 5) as watchers:
            for n in range(1, 6):
                fetch.allow()
                await eventually(
                    lambda n=n: all(names(w.snapshots)[-1:] == [f"poll {n}"] for w in watchers)
                )
            expected = [f"poll {n}" for n in range(1, 6)]
            assert all(names(w.snapshots) == expected for w in watchers)
            assert all(w.versions == watchers[0].versions for w in watchers)
            # One loop: one fetch at a time, one fetch per snapshot, whatever the watchers.
            assert fetch.done == 5
            assert fetch.calls <= 6  # the next poll may already wait at the gate
            assert fetch.max_in_flight == 1
            assert feed.polls == fetch.calls
            assert feed.watchers == 5
            fetch.open()  # let the waiting poll finish so the loop can stop
    assert feed.watchers == 0


async def test_the_loop_stops_when_the_last_watcher_closes_and_restarts_on_a_new_watch() -> None:
    fetch = FakeCall(job_list(job("a", name="first")), job_list(job("a", name="second")))
    clock = FakeClock()
    feed = WorkspaceFeed(fetch, SLOW, clock=clock)
    async with asyncio.timeout(TIMEOUT):
        async with aclosing(feed.watch()) as snapshots:
            async for snapshot in snapshots:
                if snapshot.job_list is not None:
                    assert names([snapshot]) == ["first"]
                    break
            assert feed.running
        # Closed while the loop sleeps for 30 s: it must stop now, not after the interval.
        await stopped(feed)
        assert (feed.watchers, feed.polls) == (0, 1)

        clock.advance(SLOW.running_seconds)  # no longer fresh: the next page wants a poll
        async with aclosing(feed.watch()) as snapshots:
            first = await anext(snapshots)
            assert first is feed.snapshot  # the last known list, straight away
            assert feed.running
            second = await anext(snapshots)
            assert names([second]) == ["second"]
            assert second.version > first.version
        await stopped(feed)
        assert (feed.polls, fetch.calls) == (2, 2)


async def test_a_restart_while_the_list_is_fresh_polls_when_it_goes_stale() -> None:
    fetch = FakeCall(RUNNING)
    intervals = PollIntervals(running_seconds=0.2, idle_seconds=0.2, max_backoff_seconds=1)
    feed = WorkspaceFeed(fetch, intervals)
    async with asyncio.timeout(TIMEOUT):
        async with watching(feed) as [tab]:
            await eventually(lambda: tab.last and tab.last.job_list)
        async with watching(feed) as [reloaded]:  # a reload: the loop stopped, then restarts
            await eventually(lambda: reloaded.last and reloaded.last.job_list)
            assert fetch.calls == 1  # the list is fresh: shown, not asked for again
            fetched_at = feed.snapshot.fetched_at
            await eventually(lambda: fetch.calls == 2)  # ... until it would go stale
            assert feed.snapshot.fetched_at - fetched_at >= intervals.running_seconds * 0.9


async def test_breaking_out_of_async_for_unsubscribes() -> None:
    feed = WorkspaceFeed(FakeCall(RUNNING), SLOW)
    async with asyncio.timeout(TIMEOUT):
        async for snapshot in feed.watch():
            if snapshot.job_list is not None:
                break
        # The abandoned generator is closed when collected; then the loop stops.
        await eventually(lambda: feed.watchers == 0)
        await stopped(feed)


async def test_a_cancelled_watcher_unsubscribes_and_the_others_keep_the_loop() -> None:
    feed = WorkspaceFeed(FakeCall(RUNNING), SLOW)
    async with asyncio.timeout(TIMEOUT), watching(feed, 2) as [first, second]:
        await eventually(lambda: feed.watchers == 2 and feed.snapshot.job_list)
        await first.close()
        assert feed.watchers == 1
        await asyncio.sleep(0.02)
        assert feed.running
        await second.close()
        assert feed.watchers == 0
        await stopped(feed)


async def test_polls_go_on_at_the_interval_while_watched() -> None:
    fetch = FakeCall(RUNNING)
    feed = WorkspaceFeed(fetch, FAST)
    async with asyncio.timeout(TIMEOUT), watching(feed) as [watcher]:
        await eventually(lambda: feed.polls >= 4)
        assert fetch.max_in_flight == 1
        await eventually(lambda: watcher.last and watcher.last.version >= 4)
    polls = feed.polls
    await asyncio.sleep(0.05)
    assert feed.polls == polls  # nobody watches: no more polls


# --- WorkspaceFeed: failures ---------------------------------------------------------------


async def test_a_failed_poll_keeps_the_last_good_list_and_a_success_clears_the_error() -> None:
    first, later = job_list(job("a", name="first")), job_list(job("a", name="later"))
    fetch = FakeCall(first, Unavailable(), Unavailable("Down for maintenance."), later, gated=True)
    feed = WorkspaceFeed(fetch, FAST, clock=counter_clock())
    async with asyncio.timeout(TIMEOUT), watching(feed) as [watcher]:
        fetch.allow()
        await eventually(lambda: feed.snapshot.job_list == first)
        good = feed.snapshot
        assert (good.error, good.error_kind, good.failures, good.fetched_at) == ("", "", 0, 1000)

        fetch.allow()
        await eventually(lambda: feed.snapshot.failures == 1)
        failed = feed.snapshot
        assert failed.job_list == first
        assert failed.fetched_at == 1000  # when the shown list was fetched
        assert failed.error == Unavailable.default_message
        assert failed.error_kind == "Unavailable"

        fetch.allow()
        await eventually(lambda: feed.snapshot.failures == 2)
        assert feed.snapshot.job_list == first
        assert feed.snapshot.error == "Down for maintenance."
        assert feed.snapshot.error_kind == "Unavailable"

        fetch.allow()
        await eventually(lambda: feed.snapshot.job_list == later)
        recovered = feed.snapshot
        assert (recovered.error, recovered.error_kind, recovered.failures) == ("", "", 0)
        assert recovered.fetched_at == 1001

        await eventually(lambda: watcher.last is recovered)
        seen = [(s.failures, s.error_kind) for s in watcher.snapshots if s.job_list]
        assert seen == [(0, ""), (1, "Unavailable"), (2, "Unavailable"), (0, "")]
        fetch.open()


async def test_an_unexpected_exception_is_reported_and_the_loop_goes_on() -> None:
    good = job_list(job("a", name="good"))
    fetch = FakeCall(RuntimeError("bug"), good)
    feed = WorkspaceFeed(fetch, FAST)
    async with asyncio.timeout(TIMEOUT), watching(feed) as [watcher]:
        await eventually(lambda: watcher.last is not None and watcher.last.job_list == good)
        kinds = [s.error_kind for s in watcher.snapshots if s.error_kind]
        assert kinds[:1] == ["InternalError"]
        assert watcher.last.error == ""
        assert feed.running


@pytest.mark.parametrize("error", [ProtocolError(), Unauthorized(), PermissionDenied()])
async def test_a_failure_before_any_list_is_reported_without_a_list(error: Exception) -> None:
    feed = WorkspaceFeed(FakeCall(error), FAST)
    async with asyncio.timeout(TIMEOUT), watching(feed) as [watcher]:
        await eventually(lambda: watcher.last and watcher.last.failures >= 2)
        snapshot = watcher.last
        assert snapshot.job_list is None
        assert snapshot.fetched_at is None
        assert snapshot.error == error.message
        assert snapshot.error_kind == type(error).__name__
        assert snapshot.summary.total == 0


async def test_an_upstream_error_message_is_logged_as_one_bounded_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    feed = WorkspaceFeed(FakeCall(PermissionDenied(FORGED)), FAST)
    async with asyncio.timeout(TIMEOUT), watching(feed) as [watcher]:
        await eventually(lambda: watcher.last and watcher.last.failures >= 1)
    assert_one_bounded_line(caplog.records, "Job polls fail")


async def test_poke_polls_before_the_interval() -> None:
    fetch = FakeCall(job_list(job("a", name="first")), job_list(job("a", name="second")))
    feed = WorkspaceFeed(fetch, SLOW)
    async with asyncio.timeout(TIMEOUT), watching(feed) as [watcher]:
        await eventually(lambda: names(watcher.snapshots) == ["first"])
        await asyncio.sleep(0.03)
        assert feed.polls == 1  # the next poll is 30 s away
        feed.poke()
        await eventually(lambda: names(watcher.snapshots) == ["first", "second"])
        assert feed.polls == 2


async def test_a_poke_during_a_poll_polls_again() -> None:
    fetch = FakeCall(
        job_list(job("a", name="first")), job_list(job("a", name="second")), gated=True
    )
    feed = WorkspaceFeed(fetch, SLOW)
    async with asyncio.timeout(TIMEOUT), watching(feed) as [watcher]:
        await eventually(lambda: fetch.in_flight == 1)
        feed.poke()  # e.g. a job was created while the list was being fetched
        fetch.allow(2)
        await eventually(lambda: names(watcher.snapshots) == ["first", "second"])
        assert feed.polls == 2
        fetch.open()


async def test_poke_without_watchers_does_not_start_the_loop() -> None:
    fetch = FakeCall(RUNNING)
    feed = WorkspaceFeed(fetch, FAST)
    feed.poke()
    await asyncio.sleep(0.02)
    assert (feed.running, fetch.calls) == (False, 0)


# --- WorkspaceFeed: local updates ----------------------------------------------------------


def feed_showing(jobs: JobList, **fields) -> WorkspaceFeed:
    feed = WorkspaceFeed(FakeCall(jobs), SLOW)
    feed.snapshot = Snapshot(version=7, job_list=jobs, fetched_at=99.0, **fields)
    return feed


THREE = job_list(job("r"), job("c", "Completed"), job("f", "Failed"), job("r2"))


@pytest.mark.parametrize(
    ("job_id", "ids", "counts"),
    [
        ("r", ["c", "f", "r2"], (1, 1, 1)),
        ("r2", ["r", "c", "f"], (1, 1, 1)),
        ("c", ["r", "f", "r2"], (0, 2, 1)),
        ("f", ["r", "c", "r2"], (1, 2, 0)),
    ],
)
async def test_forget_job_drops_the_job_and_its_count(job_id: str, ids: list, counts) -> None:
    feed = feed_showing(THREE, models={LLAMA: "Llama"}, may_create=True, error="x", failures=1)
    before = feed.snapshot
    await feed.forget_job(job_id)
    after = feed.snapshot
    assert [j.id for j in after.job_list.jobs] == ids
    summary = after.job_list.summary
    assert (summary.completed, summary.running, summary.failed) == counts
    assert after.version == before.version + 1
    assert (after.models, after.may_create, after.fetched_at) == ({LLAMA: "Llama"}, True, 99.0)
    assert (after.error, after.failures) == ("x", 1)
    assert before.job_list == THREE  # the old snapshot is left alone


async def test_forget_job_of_an_unknown_id_changes_nothing() -> None:
    feed = feed_showing(THREE)
    before = feed.snapshot
    await feed.forget_job("nope")
    assert feed.snapshot is before


async def test_forget_job_without_a_list_changes_nothing() -> None:
    feed = WorkspaceFeed(FakeCall(RUNNING), SLOW)
    await feed.forget_job("a")
    assert feed.snapshot == Snapshot()


async def test_forget_job_never_makes_a_count_negative() -> None:
    feed = feed_showing(job_list(job("a"), job("q", "Queued"), running=0))
    await feed.forget_job("a")
    summary = feed.snapshot.summary
    assert (summary.running, summary.completed, summary.failed) == (0, 0, 0)
    await feed.forget_job("q")  # a status the summary does not count
    assert feed.snapshot.job_list.jobs == []
    assert feed.snapshot.summary.total == 0


async def test_forget_job_tells_watchers_and_polls_again() -> None:
    fetch = FakeCall(THREE, job_list(job("c", "Completed")))
    feed = WorkspaceFeed(fetch, SLOW)
    async with asyncio.timeout(TIMEOUT), watching(feed) as [watcher]:
        await eventually(lambda: watcher.last and watcher.last.job_list == THREE)
        await feed.forget_job("r")
        forgotten = feed.snapshot
        assert [j.id for j in forgotten.job_list.jobs] == ["c", "f", "r2"]
        await eventually(lambda: forgotten in watcher.snapshots)
        # The forget asked for a confirming poll at once (the interval is 30 s).
        await eventually(lambda: [j.id for j in watcher.last.job_list.jobs] == ["c"])
        assert feed.polls == 2


async def test_note_may_create_publishes_only_changes() -> None:
    feed = WorkspaceFeed(FakeCall(RUNNING), SLOW)
    assert feed.snapshot.may_create is None
    await feed.note_permission("may_create", False)
    assert (feed.snapshot.may_create, feed.snapshot.version) == (False, 1)
    await feed.note_permission("may_create", False)
    assert feed.snapshot.version == 1
    await feed.note_permission("may_create", True)
    assert (feed.snapshot.may_create, feed.snapshot.version) == (True, 2)


async def test_note_may_create_reaches_watchers() -> None:
    feed = WorkspaceFeed(FakeCall(RUNNING), SLOW)
    async with asyncio.timeout(TIMEOUT), watching(feed) as [watcher]:
        await eventually(lambda: watcher.last and watcher.last.job_list)
        await feed.note_permission("may_create", False)
        await eventually(lambda: watcher.last.may_create is False)
        assert watcher.last.job_list == RUNNING


async def test_note_may_create_during_a_poll_is_not_lost() -> None:
    fetch = FakeCall(RUNNING, gated=True)
    feed = WorkspaceFeed(fetch, SLOW, probes={"may_create": FakeCall(True)})
    async with asyncio.timeout(TIMEOUT), watching(feed):
        await eventually(lambda: fetch.in_flight == 1)
        assert feed.snapshot.may_create is True
        await feed.note_permission("may_create", False)  # a create was refused while the list loads
        fetch.allow()
        await eventually(lambda: feed.snapshot.job_list == RUNNING)
        assert feed.snapshot.may_create is False


# --- WorkspaceFeed: models and the create permission ---------------------------------------

MODELS = [
    Model.model_validate({"id": LLAMA, "displayName": "Llama 3.1 8B Instruct"}),
    Model.model_validate({"id": "acme/gemma", "displayName": "Gemma"}),
]
MODEL_NAMES = {LLAMA: "Llama 3.1 8B Instruct", "acme/gemma": "Gemma"}


async def watch_once(feed: WorkspaceFeed) -> Snapshot:
    """Watch until a poll succeeds, then leave (the loop stops); ``feed`` has a counter clock."""
    before = feed.snapshot.fetched_at
    async with asyncio.timeout(TIMEOUT), watching(feed) as [watcher]:
        await eventually(lambda: watcher.last and watcher.last.fetched_at != before)
    return feed.snapshot


def static_feed(**loaders: FakeCall) -> WorkspaceFeed:
    """A feed whose list is stale at every new watch (its clock moves an interval per read)."""
    clock = counter_clock(step=SLOW.running_seconds + 1)
    return WorkspaceFeed(FakeCall(RUNNING), SLOW, clock=clock, **loaders)


async def test_models_and_create_permission_are_loaded_once() -> None:
    fetch_models, probe = FakeCall(MODELS), FakeCall(True)
    feed = static_feed(fetch_models=fetch_models, probes={"may_create": probe})
    async with asyncio.timeout(TIMEOUT), watching(feed) as [watcher]:
        await eventually(lambda: watcher.last and watcher.last.job_list)
        # The first snapshot with jobs already names their models.
        first_with_jobs = next(s for s in watcher.snapshots if s.job_list)
        assert first_with_jobs.models == MODEL_NAMES
        assert first_with_jobs.may_create is True
    for _ in range(2):
        snapshot = await watch_once(feed)
        assert (snapshot.models, snapshot.may_create) == (MODEL_NAMES, True)
    assert (fetch_models.calls, probe.calls, feed.polls) == (1, 1, 3)


async def test_models_and_permission_failures_are_tolerated_and_retried() -> None:
    fetch_models = FakeCall(Unavailable(), MODELS)
    probe = FakeCall(Unauthorized(), None, False)
    feed = static_feed(fetch_models=fetch_models, probes={"may_create": probe})

    snapshot = await watch_once(feed)  # both fail: the jobs still come
    assert (snapshot.models, snapshot.may_create) == ({}, None)
    assert snapshot.job_list == RUNNING
    assert (snapshot.error, snapshot.failures) == ("", 0)

    snapshot = await watch_once(feed)  # models now load; the API does not tell the permission
    assert (snapshot.models, snapshot.may_create) == (MODEL_NAMES, None)

    snapshot = await watch_once(feed)  # asked again until it tells
    assert (snapshot.models, snapshot.may_create) == (MODEL_NAMES, False)

    snapshot = await watch_once(feed)
    assert (snapshot.models, snapshot.may_create) == (MODEL_NAMES, False)
    assert (fetch_models.calls, probe.calls) == (2, 3)


async def test_loaded_models_are_kept_when_the_permission_probe_fails() -> None:
    fetch_models, probe = FakeCall(MODELS), FakeCall(Unavailable(), True)
    feed = static_feed(fetch_models=fetch_models, probes={"may_create": probe})
    assert (await watch_once(feed)).models == MODEL_NAMES
    snapshot = await watch_once(feed)
    assert (snapshot.models, snapshot.may_create) == (MODEL_NAMES, True)
    assert (fetch_models.calls, probe.calls) == (1, 2)


async def test_a_known_permission_is_not_probed() -> None:
    probe = FakeCall(True)
    feed = static_feed(probes={"may_create": probe})
    await feed.note_permission("may_create", False)
    assert (await watch_once(feed)).may_create is False
    assert probe.calls == 0


async def test_each_permission_is_probed_and_kept_on_its_own() -> None:
    may_create, may_delete = FakeCall(True), FakeCall(Unavailable(), False)
    feed = static_feed(probes={"may_create": may_create, "may_delete": may_delete})
    snapshot = await watch_once(feed)
    assert (snapshot.may_create, snapshot.may_delete) == (True, None)
    snapshot = await watch_once(feed)  # only the unanswered one is asked again
    assert (snapshot.may_create, snapshot.may_delete) == (True, False)
    await watch_once(feed)
    assert (may_create.calls, may_delete.calls) == (1, 2)


async def test_a_refused_delete_is_noted_for_every_watcher() -> None:
    feed = static_feed(probes={"may_delete": FakeCall(True)})
    async with asyncio.timeout(TIMEOUT), watching(feed) as [watcher]:
        await eventually(lambda: watcher.last and watcher.last.may_delete is True)
        await feed.note_permission("may_delete", False)
        await eventually(lambda: watcher.last.may_delete is False)
        assert feed.snapshot.may_create is None


async def test_a_feed_without_static_loaders() -> None:
    snapshot = await watch_once(static_feed())
    assert (snapshot.models, snapshot.may_create) == ({}, None)


# --- FeedRegistry and workspace_identity ---------------------------------------------------


def test_registry_makes_one_feed_per_identity() -> None:
    registry = FeedRegistry()
    made: list[WorkspaceFeed] = []

    def factory() -> WorkspaceFeed:
        made.append(WorkspaceFeed(FakeCall(RUNNING), SLOW))
        return made[-1]

    first = registry.get("one", factory)
    assert registry.get("one", factory) is first
    assert registry.get("one", factory) is first
    assert len(made) == 1
    other = registry.get("two", factory)
    assert other is not first
    assert len(made) == 2
    assert registry.get("two", factory) is other
    assert registry.get("one", factory) is first
    assert len(made) == 2


def test_workspace_identity_is_stable_and_per_workspace() -> None:
    url, key = "https://api.example.test/api", "sk-live-SECRET-4242"
    identity = workspace_identity(url, key)
    assert identity == workspace_identity(url, key)
    assert len(identity) == 16
    assert all(c in "0123456789abcdef" for c in identity)
    others = {
        workspace_identity(url, "sk-live-SECRET-4243"),
        workspace_identity("https://api.example.test/api/", key),
        workspace_identity("https://other.example.test/api", key),
        workspace_identity(url + "sk", "-live-SECRET-4242"),  # the boundary matters
        workspace_identity(url, ""),
    }
    assert identity not in others
    assert len(others) == 5


@pytest.mark.parametrize("key", ["sk-live-SECRET-4242", "0123456789abcdef", "f" * 40])
def test_workspace_identity_does_not_contain_the_key(key: str) -> None:
    identity = workspace_identity("https://api.example.test/api", key)
    assert key not in identity
    assert "SECRET" not in identity
    assert "example" not in identity


async def test_remember_job_shows_a_created_job_first_and_counts_it() -> None:
    feed = feed_showing(job_list(job("a", "Completed"), completed=1))
    created = Job.model_validate(job("new", "Running", name="fresh"))

    await feed.remember_job(created)
    await feed.remember_job(created)  # a second call changes nothing

    jobs = feed.snapshot.job_list
    assert [j.id for j in jobs.jobs] == ["new", "a"]
    assert (jobs.summary.running, jobs.summary.completed) == (1, 1)


async def test_remember_job_without_a_list_changes_nothing() -> None:
    feed = WorkspaceFeed(FakeCall(job_list()), FAST)
    await feed.remember_job(Job.model_validate(job("new")))
    assert feed.snapshot.job_list is None


async def test_a_page_opens_with_the_current_list_only_while_it_is_fresh(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What a page's on_load may show at once (``services.current_if_fresh``)."""
    fetch = FakeCall(job_list(job("a", name="first")))
    clock = FakeClock()
    feed = WorkspaceFeed(fetch, SLOW, clock=clock)
    monkeypatch.setattr(connection, "feed", lambda _slug=connection.DEFAULT_SLUG: feed)
    assert current_if_fresh() is None  # nothing fetched yet: the page waits for the feed
    await watch_once(feed)
    fresh = current_if_fresh()
    assert fresh is not None
    assert names([fresh]) == ["first"]
    clock.advance(SLOW.running_seconds + 1)
    assert current_if_fresh() is None  # older than its interval: not shown as current


# --- a page on its way ------------------------------------------------------------------------

SHORT = PollIntervals(running_seconds=0.1, idle_seconds=0.1, max_backoff_seconds=0.2)


async def test_a_page_request_polls_now_and_its_page_finds_the_list_current() -> None:
    fetch = FakeCall(RUNNING, gated=True)
    clock = FakeClock()
    feed = WorkspaceFeed(fetch, SHORT, clock=clock)
    async with asyncio.timeout(TIMEOUT):
        feed.expect_watcher()  # the HTML was asked for: the poll starts before any socket
        await eventually(lambda: fetch.in_flight == 1)
        fetch.allow()
        await eventually(lambda: feed.snapshot.job_list is not None)
        assert current_snapshot_is_shown(feed)
        async with watching(feed) as [page]:  # the page's subscription, a moment later
            await eventually(lambda: page.last and page.last.job_list)
            assert page.versions == [feed.snapshot.version]  # no wait for another poll
            assert fetch.calls == 1
        fetch.open()
        await stopped(feed)


async def test_a_page_request_that_no_page_follows_costs_one_poll() -> None:
    fetch = FakeCall(RUNNING)
    feed = WorkspaceFeed(fetch, SHORT)
    async with asyncio.timeout(TIMEOUT):
        feed.expect_watcher()
        assert feed.running
        await stopped(feed)  # after one running interval nobody came
        assert (fetch.calls, feed.watchers) == (1, 0)


async def test_a_page_request_while_the_list_is_fresh_causes_no_poll() -> None:
    fetch = FakeCall(IDLE)  # the loop's next poll is 30 s away; the fake clock keeps it fresh
    intervals = PollIntervals(running_seconds=0.1, idle_seconds=30, max_backoff_seconds=60)
    feed = WorkspaceFeed(fetch, intervals, clock=FakeClock())
    async with asyncio.timeout(TIMEOUT), watching(feed) as [tab]:
        await eventually(lambda: tab.last and tab.last.job_list)
        for _ in range(5):
            feed.expect_watcher()  # reloads and new tabs of a watched workspace
        assert feed.watchers == 6
        await eventually(lambda: feed.watchers == 1)  # each expectation ends by itself
        assert fetch.calls == 1


def current_snapshot_is_shown(feed: WorkspaceFeed) -> bool:
    return feed.is_current() and feed.snapshot.job_list is not None


async def test_a_page_request_while_the_list_is_still_current_causes_no_poll() -> None:
    fetch = FakeCall(IDLE)
    intervals = PollIntervals(running_seconds=0.1, idle_seconds=30, max_backoff_seconds=60)
    clock = FakeClock()
    feed = WorkspaceFeed(fetch, intervals, clock=clock)
    async with asyncio.timeout(TIMEOUT):
        async with watching(feed) as [tab]:
            await eventually(lambda: tab.last and tab.last.job_list)
        clock.advance(5)  # no longer fresh, but current for 25 s more: the page shows it
        feed.expect_watcher()
        await stopped(feed)  # the expectation ended; nobody came
        assert fetch.calls == 1


# --- counts from the jobs, failure logs, a healed API noticed at once ------------------------


async def test_the_counts_are_the_jobs_own_and_a_disagreeing_summary_is_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Seen against a mock of the contract: its example summary beside a list of one job.
    claimed = job_list(job("a"), completed=5, running=4, failed=2)
    fetch = FakeCall(claimed)
    feed = WorkspaceFeed(fetch, SLOW)
    async with asyncio.timeout(TIMEOUT), watching(feed):
        await eventually(lambda: feed.snapshot.job_list is not None)
        feed.poke()
        await eventually(lambda: fetch.calls == 2)
    summary = feed.snapshot.summary
    assert (summary.completed, summary.running, summary.failed, summary.total) == (0, 1, 0, 1)
    disagreements = [r for r in caplog.records if "disagrees" in r.getMessage()]
    assert len(disagreements) == 1
    assert disagreements[0].levelname == "WARNING"


async def test_failed_polls_are_logged_once_per_change_of_state(
    caplog: pytest.LogCaptureFixture,
) -> None:
    good = job_list(job("a"))
    fetch = FakeCall(good, Unavailable(), Unavailable(), Unavailable("Down."), good, good)
    feed = WorkspaceFeed(fetch, FAST)
    async with asyncio.timeout(TIMEOUT), watching(feed):
        await eventually(lambda: fetch.calls >= 6)
    lines = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert lines == [
        f"Job polls fail: {Unavailable.default_message}",
        "Job polls fail: Down.",
        "Job polls work again after 3 failed.",
    ]


async def test_a_healed_api_is_noticed_within_a_running_interval_not_the_backoff(
    caplog: pytest.LogCaptureFixture,
) -> None:
    good = job_list(job("a"))
    fetch = FakeCall(good, Unavailable(), good)
    healthy = FakeCall(True)
    # After the failure the backoff waits 1 s (the running interval doubled); the probe after
    # 0.5 s finds the API back and the poll comes then.
    intervals = PollIntervals(running_seconds=0.5, idle_seconds=30, max_backoff_seconds=30)
    feed = WorkspaceFeed(fetch, intervals, health=healthy)
    async with asyncio.timeout(TIMEOUT), watching(feed):
        await eventually(lambda: feed.snapshot.failures == 1)
        await eventually(lambda: fetch.calls == 3 and not feed.snapshot.failures)
    assert healthy.calls == 1
    assert "The job API answers again: polling now." in caplog.text


async def test_no_probe_for_a_refused_key_and_one_probed_poll_per_backoff() -> None:
    refused = FakeCall(job_list(job("a")), Unauthorized())
    healthy = FakeCall(True)
    intervals = PollIntervals(running_seconds=0.02, idle_seconds=30, max_backoff_seconds=30)
    feed = WorkspaceFeed(refused, intervals, health=healthy)
    async with asyncio.timeout(TIMEOUT), watching(feed):
        await eventually(lambda: feed.snapshot.failures == 1)
        await asyncio.sleep(0.2)
    assert (refused.calls, healthy.calls) == (2, 0)  # a refused key waits out the backoff

    # /jobs keeps failing while /health answers: a probe brings one poll forward, then the
    # backoff decides again (polls at 0, 0.1, 0.2 probed, 0.6, 0.7 probed, then 2.3 s).
    broken = FakeCall(job_list(job("a")), Unavailable())
    slower = PollIntervals(running_seconds=0.1, idle_seconds=30, max_backoff_seconds=30)
    feed = WorkspaceFeed(broken, slower, health=healthy)
    async with asyncio.timeout(TIMEOUT), watching(feed):
        await eventually(lambda: feed.snapshot.failures == 1)
        await asyncio.sleep(1.2)
    assert broken.calls <= 6  # probing after every failure would poll every 0.1 s (about 12)
