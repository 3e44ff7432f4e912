"""ftapp.services.cluster: snapshots on the wire, and several feeds of one workspace (as in
several worker processes) sharing one poll loop through a real redis-server.

Each "process" here is a :class:`ClusterFeed` with a fetch of its own, so a test can tell
which one polled. The process-level test (5 workers, SIGKILL) is in
``tests/integration/test_cluster_feed.py``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from collections.abc import AsyncIterator, Callable

import pytest
from prometheus_client import REGISTRY
from redis.asyncio import Redis

from ftapp.services import connection
from ftapp.services.cluster import (
    REDIS_LOST,
    REDIS_RETRY_MAX_SECONDS,
    ClusterFeed,
    FeedKeys,
    decode_snapshot,
    encode_snapshot,
    redis_client,
    snapshot_from_wire,
    snapshot_to_wire,
)
from ftapp.services.feed import (
    PollIntervals,
    PollRecorder,
    Snapshot,
    WorkspaceFeed,
    workspace_identity,
)
from ftapp.upstream import Job, JobList
from tests.helpers.fakes import eventually
from tests.helpers.feeds import (
    IDLE,
    RUNNING,
    SLOW,
    FakeCall,
    Watcher,
    job,
    job_list,
    no_task_left_running,  # noqa: F401 (the autouse fixture applies here too)
)
from tests.helpers.hosted_api import API_BASE, SECRET_KEY
from tests.helpers.servers import RedisProcess, free_port, start_redis

IDENTITY = "0123456789abcdef"
KEYS = FeedKeys.of(IDENTITY)
LEASE = 0.5
"""Seconds; renewed, and contended for, every 0.15 s."""

FULL = Snapshot(
    version=7,
    job_list=RUNNING,
    fetched_at=1_700_000_000.5,
    error="The API did not answer.",
    error_kind="Unavailable",
    failures=2,
    models={"m-1": "Model One"},
    models_error="Models could not be loaded.",
    may_create=False,
    may_delete=True,
)


# --- the wire ---------------------------------------------------------------------------------


def test_the_example_sets_every_field_of_a_snapshot() -> None:
    """So that a field added to Snapshot must be added to the wire tests too."""
    empty = Snapshot()
    unset = [
        f.name
        for f in dataclasses.fields(Snapshot)
        if getattr(FULL, f.name) == getattr(empty, f.name)
    ]
    assert unset == []


@pytest.mark.parametrize("snapshot", [FULL, Snapshot()], ids=["full", "empty"])
def test_a_snapshot_survives_the_wire(snapshot: Snapshot) -> None:
    wire = json.loads(json.dumps(snapshot_to_wire(snapshot)))
    assert snapshot_from_wire(wire) == snapshot


def test_a_job_with_every_field_survives_the_wire() -> None:
    dated = Job.model_validate({**job("x"), "date": "2026-11-26T04:45:00Z"})
    timeless = {k: v for k, v in job("y").items() if k not in ("createdAt", "date")}
    worded = Job.model_validate({**timeless, "createdAgo": "3 minutes ago"})
    snapshot = Snapshot(job_list=job_list(job("x")).model_copy(update={"jobs": [dated, worded]}))
    assert dated.date is not None
    assert worded.created_ago is not None
    assert snapshot_from_wire(json.loads(json.dumps(snapshot_to_wire(snapshot)))) == snapshot


def test_the_message_carries_the_fencing_token() -> None:
    token, snapshot = decode_snapshot(encode_snapshot(42, FULL))
    assert (token, snapshot) == (42, FULL)


def test_fields_a_message_lacks_keep_their_defaults() -> None:
    assert snapshot_from_wire({"version": 3, "unknown": 1}) == Snapshot(version=3)


@pytest.mark.parametrize(
    "message",
    [
        "",
        "[]",
        '{"token": "1", "snapshot": {}}',
        '{"token": 1}',
        '{"token": 1, "snapshot": []}',
        '{"token": 1, "snapshot": {"version": "7"}}',
        '{"token": 1, "snapshot": {"models": []}}',
        '{"token": 1, "snapshot": {"job_list": {"jobs": 3}}}',
    ],
)
def test_a_malformed_message_is_a_value_error(message: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 (json's, pydantic's or ours: all ValueErrors)
        decode_snapshot(message)


def test_every_name_is_the_workspaces_identity_and_never_its_key() -> None:
    identity = workspace_identity(API_BASE, SECRET_KEY)
    keys = FeedKeys.of(identity)
    assert keys.snapshots == f"ftapp:feed:{identity}"
    names = dataclasses.astuple(keys)
    assert len(set(names)) == 4
    assert all(name.startswith(keys.snapshots) for name in names)
    assert not any(SECRET_KEY in name for name in names)


# --- several processes ------------------------------------------------------------------------


@pytest.fixture
def make_feed(redis_client: Redis) -> Callable[..., ClusterFeed]:
    """Factory: a feed of the test workspace with its own fetch (one "process")."""

    def make(
        fetch: FakeCall | None = None,
        intervals: PollIntervals = SLOW,
        lease_seconds: float = LEASE,
        recorder: PollRecorder | None = None,
    ) -> ClusterFeed:
        return ClusterFeed(
            fetch or FakeCall(RUNNING),
            intervals,
            redis=lambda: redis_client,
            identity=IDENTITY,
            lease_seconds=lease_seconds,
            recorder=recorder,
        )

    return make


class Watchers:
    """The watchers a test starts, in whichever feeds."""

    def __init__(self) -> None:
        self.started: list[tuple[Watcher, WorkspaceFeed]] = []

    def __call__(self, feed: WorkspaceFeed) -> Watcher:
        watcher = Watcher(feed)
        self.started.append((watcher, feed))
        return watcher

    async def close(self) -> None:
        """Close every watcher, then wait until every feed has stopped (lease released)."""
        for watcher, _ in self.started:
            await watcher.close()
        for _, feed in self.started:
            await eventually(lambda feed=feed: not feed.running)


@pytest.fixture
async def watch(redis_client: Redis) -> AsyncIterator[Watchers]:
    """``watch(feed)`` starts a watcher; all are closed, and their feeds stopped, at the end
    (while Redis is still there)."""
    watchers = Watchers()
    yield watchers
    await watchers.close()


def holder(feeds: list[ClusterFeed]) -> ClusterFeed:
    (holding,) = [feed for feed in feeds if feed.holding]
    return holding


def calls(feed: ClusterFeed) -> int:
    return feed._fetch.calls  # type: ignore[attr-defined]


async def test_of_two_processes_one_polls_and_both_see_its_snapshots(
    make_feed: Callable[..., ClusterFeed], watch: Watchers
) -> None:
    fetches = [FakeCall(RUNNING), FakeCall(RUNNING)]
    feeds = [make_feed(fetch) for fetch in fetches]
    seen = [watch(feed) for feed in feeds]
    await eventually(lambda: all(w.last and w.last.job_list == RUNNING for w in seen))
    polling = holder(feeds)
    other = next(feed for feed in feeds if feed is not polling)
    assert calls(other) == 0
    assert other.polls == 0

    for fetch in fetches:  # the upstream changes
        fetch.results = [IDLE]
    polling.poke()
    await eventually(lambda: all(w.last and w.last.job_list == IDLE for w in seen))
    assert calls(other) == 0


class CountingRecorder:
    """A job history that counts what a feed hands it."""

    def __init__(self) -> None:
        self.polled_lists: list[JobList] = []
        self.resyncs = 0

    def polled(self, job_list: JobList, *_times: float) -> None:
        self.polled_lists.append(job_list)

    def resync(self) -> None:
        self.resyncs += 1


async def test_only_the_holder_records_its_polls_and_a_new_holder_resyncs_first(
    make_feed: Callable[..., ClusterFeed], watch: Watchers
) -> None:
    recorders = [CountingRecorder(), CountingRecorder()]
    first, second = (
        make_feed(lease_seconds=20, recorder=recorders[0]),
        make_feed(lease_seconds=20, recorder=recorders[1]),
    )
    leaving = watch(first)
    await eventually(lambda: first.holding and recorders[0].polled_lists)
    staying = watch(second)
    await eventually(lambda: staying.last is not None and staying.last.job_list is not None)
    first.poke()
    await eventually(lambda: len(recorders[0].polled_lists) == 2)
    assert (recorders[0].resyncs, recorders[1].resyncs) == (1, 0)
    assert recorders[1].polled_lists == [], "a follower records nothing it is sent"

    await leaving.close()
    await eventually(lambda: second.holding and recorders[1].polled_lists)
    assert recorders[1].resyncs == 1
    assert recorders[1].polled_lists == [RUNNING]


async def test_the_first_watcher_anywhere_causes_one_poll(
    make_feed: Callable[..., ClusterFeed], watch: Watchers
) -> None:
    feed = make_feed()
    watcher = watch(feed)
    await eventually(lambda: watcher.last and watcher.last.job_list == RUNNING)
    await asyncio.sleep(3 * LEASE)
    assert calls(feed) == 1, "its wish for a fresh list is the poll it makes as holder"


async def test_five_processes_poll_as_one(
    make_feed: Callable[..., ClusterFeed], watch: Watchers
) -> None:
    fast = PollIntervals(running_seconds=0.05, idle_seconds=0.05, max_backoff_seconds=0.1)
    feeds = [make_feed(intervals=fast) for _ in range(5)]
    seen = [watch(feed) for feed in feeds]
    await asyncio.sleep(1.0)
    polling = holder(feeds)
    assert [calls(feed) for feed in feeds if feed is not polling] == [0] * 4
    assert 5 <= calls(polling) <= 30  # one poll per 50 ms, at most
    for watcher in seen:  # every process follows the holder's polls
        assert len({s.fetched_at for s in watcher.snapshots if s.fetched_at}) >= 3


async def test_nobody_holds_or_polls_while_nobody_watches(
    make_feed: Callable[..., ClusterFeed], redis_client: Redis, watch: Watchers
) -> None:
    feeds = [make_feed(), make_feed()]
    feeds[1].poke()
    await asyncio.sleep(3 * LEASE)
    assert await redis_client.exists(KEYS.lease) == 0
    assert [calls(feed) for feed in feeds] == [0, 0]

    watcher = watch(feeds[0])
    await eventually(lambda: feeds[0].holding)
    await watcher.close()
    await eventually(lambda: not feeds[0].running)
    assert await redis_client.exists(KEYS.lease) == 0, "the lease is released"
    assert not feeds[1].running


async def test_when_the_holder_leaves_another_takes_over_at_once(
    make_feed: Callable[..., ClusterFeed], watch: Watchers
) -> None:
    # A 20 s lease: taking over within a second is the release's notice, not the expiry.
    first, second = make_feed(lease_seconds=20), make_feed(lease_seconds=20)
    leaving = watch(first)
    await eventually(lambda: first.holding)
    staying = watch(second)
    await eventually(lambda: staying.last is not None and staying.last.job_list is not None)
    assert calls(second) == 0

    await leaving.close()
    await eventually(lambda: second.holding, within=1.0)
    await eventually(lambda: calls(second) == 1)


async def test_a_stopping_holder_gives_its_lease_up_with_its_pages_still_open(
    make_feed: Callable[..., ClusterFeed], watch: Watchers
) -> None:
    # A process stopping cleanly (SIGTERM) still has watchers: it releases the lease anyway.
    first, second = make_feed(lease_seconds=20), make_feed(lease_seconds=20)
    watch(first)
    await eventually(lambda: first.holding)
    staying = watch(second)
    await eventually(lambda: staying.last is not None and staying.last.job_list is not None)

    await first.stop()

    assert not first.holding
    await eventually(lambda: second.holding, within=1.0)
    await eventually(lambda: calls(second) == 1)


async def test_a_holder_that_loses_its_lease_stops_polling_at_once(
    make_feed: Callable[..., ClusterFeed], redis_client: Redis, watch: Watchers
) -> None:
    fetch = FakeCall(RUNNING, gated=True)
    feed = make_feed(fetch)
    watch(feed)
    await eventually(lambda: fetch.in_flight == 1)
    assert feed.holding
    # Another process took over (this one was paused past the TTL, say).
    await redis_client.set(KEYS.lease, "99:someone-else", px=60_000)
    await eventually(lambda: not feed.holding, within=3 * LEASE)
    assert fetch.in_flight == 0, "the poll in flight was abandoned"
    assert await redis_client.get(KEYS.last) is None, "nothing was published"
    fetch.open()
    await asyncio.sleep(2 * LEASE)
    assert fetch.calls == 1, "no poll without the lease"

    await redis_client.delete(KEYS.lease)
    await eventually(lambda: feed.holding and fetch.calls == 2)


async def test_snapshots_older_than_the_newest_seen_are_ignored(
    make_feed: Callable[..., ClusterFeed], redis_client: Redis, watch: Watchers
) -> None:
    await redis_client.set(KEYS.lease, "98:elsewhere", px=60_000)  # held by another process
    feed = make_feed()
    watcher = watch(feed)
    await eventually(lambda: feed.running and feed._synced)

    async def publish(token: int, version: int, name: str) -> None:
        snapshot = Snapshot(version=version, job_list=job_list(job("a", name=name)))
        await redis_client.publish(KEYS.snapshots, encode_snapshot(token, snapshot))

    await publish(98, 5, "current")
    await eventually(lambda: watcher.last and watcher.last.job_list is not None)
    await publish(97, 9, "from a replaced holder")
    await publish(98, 4, "an earlier one")
    await publish(98, 6, "the next one")
    await publish(99, 1, "a new holder")
    await eventually(lambda: len(watcher.snapshots) == 4)
    await asyncio.sleep(0.1)
    names = [s.job_list.jobs[0].name for s in watcher.snapshots if s.job_list]
    assert names == ["current", "the next one", "a new holder"]
    assert watcher.versions == [0, 1, 2, 3], "renumbered here, so versions only grow"
    assert calls(feed) == 0


async def test_a_malformed_message_is_ignored(
    make_feed: Callable[..., ClusterFeed],
    redis_client: Redis,
    watch: Watchers,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await redis_client.set(KEYS.lease, "98:elsewhere", px=60_000)
    feed = make_feed()
    watcher = watch(feed)
    await eventually(lambda: feed.running and feed._synced)
    with caplog.at_level(logging.WARNING, logger="ftapp.services.cluster"):
        await redis_client.publish(KEYS.snapshots, "{not json")
        await redis_client.publish(KEYS.commands, '{"no": "op"}')
        await redis_client.publish(KEYS.snapshots, encode_snapshot(98, FULL))
        await eventually(lambda: watcher.last and watcher.last.job_list == RUNNING)
    assert caplog.text.count("ignored a malformed message") == 2


async def test_a_new_process_starts_from_the_last_snapshot_without_a_poll(
    make_feed: Callable[..., ClusterFeed], watch: Watchers
) -> None:
    first = make_feed()
    watch(first)
    await eventually(lambda: first.snapshot.job_list is not None)
    assert calls(first) == 1

    late = make_feed()
    watcher = watch(late)
    await eventually(lambda: watcher.last and watcher.last.job_list == RUNNING, within=0.5)
    await asyncio.sleep(2 * LEASE)
    assert (calls(first), calls(late)) == (1, 0), "a fresh list is not asked for again"


async def holder_with_a_stale_list(
    make_feed: Callable[..., ClusterFeed], redis_client: Redis, watch: Watchers
) -> ClusterFeed:
    """A watched feed holding the lease, whose last published list is then made stale."""
    first = make_feed()
    watch(first)
    async with asyncio.timeout(2):  # the holder's first list is published
        while await redis_client.get(KEYS.last) is None:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
    stale = dataclasses.replace(first.snapshot, fetched_at=1.0)
    await redis_client.set(KEYS.last, encode_snapshot(0, stale))
    return first


async def test_a_new_watcher_on_a_stale_list_has_the_holder_poll(
    make_feed: Callable[..., ClusterFeed], redis_client: Redis, watch: Watchers
) -> None:
    first = await holder_with_a_stale_list(make_feed, redis_client, watch)
    late = make_feed()
    watch(late)
    await eventually(lambda: calls(first) == 2)
    assert calls(late) == 0


async def test_what_a_follower_does_shows_there_at_once_and_reaches_the_holder(
    make_feed: Callable[..., ClusterFeed], watch: Watchers
) -> None:
    # The holder's polls wait for the test, so what it shows came by command, not by poll.
    fetch = FakeCall(RUNNING, gated=True)
    fetch.allow()
    first = make_feed(fetch)
    watch(first)
    await eventually(lambda: first.holding and first.snapshot.job_list == RUNNING)
    second = make_feed(FakeCall(RUNNING))
    watch(second)
    await eventually(lambda: second.snapshot.job_list == RUNNING)

    await second.forget_job("a")
    assert [j.id for j in second.snapshot.job_list.jobs] == ["b"]
    await eventually(lambda: [j.id for j in first.snapshot.job_list.jobs] == ["b"])
    await eventually(lambda: fetch.in_flight == 1)  # and the holder polls to confirm it

    created = Job.model_validate(job("c", name="created-here"))
    await second.remember_job(created)
    assert second.snapshot.job_list.jobs[0] == created
    await eventually(lambda: first.snapshot.job_list.jobs[0] == created)

    await second.note_permission("may_create", False)
    assert second.snapshot.may_create is False
    await eventually(lambda: first.snapshot.may_create is False)
    await second.note_permission("may_delete", False)
    await eventually(lambda: first.snapshot.may_delete is False)

    fetch.open()
    await eventually(lambda: second.snapshot.job_list == RUNNING)  # the polls' answer
    await asyncio.sleep(0.1)
    polled = fetch.calls
    second.poke()
    await eventually(lambda: fetch.calls == polled + 1)
    assert calls(second) == 0


async def test_without_redis_watchers_are_told_and_leave_cleanly(
    watch: Watchers, caplog: pytest.LogCaptureFixture
) -> None:
    down = redis_client(f"redis://127.0.0.1:{free_port()}")
    fetch = FakeCall(RUNNING)
    feed = ClusterFeed(fetch, SLOW, redis=lambda: down, identity=IDENTITY, lease_seconds=LEASE)
    with caplog.at_level(logging.WARNING, logger="ftapp.services.cluster"):
        watcher = watch(feed)
        await asyncio.sleep(0.5)
        assert watcher.versions == [0, 1]
        assert watcher.last.error == REDIS_LOST
        assert fetch.calls == 0
        await watcher.close()
        await eventually(lambda: not feed.running)
    assert caplog.text.count("Redis cannot be reached (ConnectionError)") == 1
    await down.aclose()


@pytest.fixture
async def own_redis(tmp_path) -> AsyncIterator[tuple[RedisProcess, Redis]]:
    """A redis-server of this test's own, which it may stop and restart (on the same port),
    and a client of it as the feed makes one."""
    server = start_redis(tmp_path / "redis")
    client = redis_client(server.url)
    yield server, client
    await client.aclose()
    server.stop()


async def test_a_feed_that_loses_redis_says_so_and_resumes_when_it_returns(
    own_redis: tuple[RedisProcess, Redis], watch: Watchers
) -> None:
    server, client = own_redis
    fetches = [FakeCall(RUNNING), FakeCall(RUNNING)]
    feeds = [
        ClusterFeed(fetch, SLOW, redis=lambda: client, identity=IDENTITY, lease_seconds=LEASE)
        for fetch in fetches
    ]
    seen = [watch(feed) for feed in feeds]
    await eventually(lambda: all(w.last and w.last.job_list == RUNNING for w in seen))

    server.stop()
    await eventually(lambda: all(w.last.error == REDIS_LOST for w in seen), within=3 * LEASE + 3)
    assert all(w.last.job_list == RUNNING for w in seen), "the last list stays on the pages"
    assert not any(feed.holding for feed in feeds)
    # Counted once nobody holds the lease: a poll the holder had begun before Redis went
    # (the second watcher's arrival asks for one) may end after the count above would be.
    polled = sum(map(calls, feeds))
    feeds[1].poke()  # a page asks for a fresh list: nobody polls without the lease
    await asyncio.sleep(4 * LEASE)
    assert sum(map(calls, feeds)) == polled

    server.restart()  # empty: no lease, no last snapshot
    within = REDIS_RETRY_MAX_SECONDS + 3
    await eventually(lambda: all(w.last.error == "" for w in seen), within=within)
    assert sum(map(calls, feeds)) > polled, "the new holder polled"
    for fetch in fetches:  # the upstream changes: the holder's next poll reaches both
        fetch.results = [IDLE]
    holder(feeds).poke()
    await eventually(lambda: all(w.last.job_list == IDLE for w in seen))


# --- the wiring -----------------------------------------------------------------------------


def test_the_feed_is_a_cluster_feed_only_with_redis(
    hosted_api, monkeypatch: pytest.MonkeyPatch, redis_server: RedisProcess
) -> None:
    monkeypatch.delenv("REFLEX_REDIS_URL", raising=False)
    connection.reset()
    assert type(connection.feed()) is WorkspaceFeed
    monkeypatch.setenv("REFLEX_REDIS_URL", redis_server.url)
    monkeypatch.setenv("FT_FEED_LEASE_SECONDS", "3")
    connection.reset()
    feed = connection.feed()
    assert isinstance(feed, ClusterFeed)
    assert feed.lease_seconds == 3.0
    assert feed.keys == FeedKeys.of(workspace_identity(API_BASE, SECRET_KEY))
    assert connection.feed() is feed


async def test_the_api_key_never_reaches_redis(
    hosted_api, monkeypatch: pytest.MonkeyPatch, redis_server: RedisProcess, redis_client: Redis
) -> None:
    hosted_api.get("/jobs").respond(json=RUNNING.model_dump(mode="json", by_alias=True))
    hosted_api.get("/models").respond(json=[{"id": "m", "displayName": "M"}])
    hosted_api.post("/jobs").respond(403, json={"error": "Forbidden"})
    hosted_api.delete(path__regex=r"/jobs/[0-9a-f-]{36}$").respond(403, json={"error": "No"})
    monkeypatch.setenv("REFLEX_REDIS_URL", redis_server.url)
    connection.reset()
    spy = redis_client.pubsub()
    await spy.psubscribe("*")
    feed = connection.feed()
    watcher = Watcher(feed)
    try:
        await eventually(lambda: watcher.last and watcher.last.job_list is not None)
        channels = await redis_client.pubsub_channels()
        stored = {key: await redis_client.get(key) for key in await redis_client.keys("*")}
    finally:
        await watcher.close()
        await eventually(lambda: not feed.running)
        await connection.redis().aclose()
    heard = []
    for _ in range(50):
        if message := await spy.get_message(ignore_subscribe_messages=True, timeout=0.01):
            heard.append(f"{message['channel']} {message['data']}")
    await spy.aclose()
    assert heard, "the holder published"
    assert stored
    assert channels
    everything = [*channels, *stored, *map(str, stored.values()), *heard]
    assert not [text for text in everything if SECRET_KEY in text]


async def test_a_page_request_in_a_follower_has_the_holder_poll(
    make_feed: Callable[..., ClusterFeed], redis_client: Redis, watch: Watchers
) -> None:
    first = await holder_with_a_stale_list(make_feed, redis_client, watch)
    short = PollIntervals(running_seconds=0.3, idle_seconds=30, max_backoff_seconds=60)
    follower = make_feed(intervals=short)
    follower.expect_watcher()  # a page's HTML asked of another worker
    await eventually(lambda: calls(first) == 2)
    await eventually(lambda: follower.snapshot.fetched_at != 1.0)  # the fresh list reached it
    await eventually(lambda: not follower.running)  # nobody came: it leaves on its own
    assert calls(follower) == 0


async def test_the_lease_and_the_polls_show_in_the_metrics(redis_client: Redis) -> None:
    def sample(name: str, **labels: str) -> float | None:
        return REGISTRY.get_sample_value(name, labels)

    feed = ClusterFeed(
        FakeCall(RUNNING), SLOW, redis=lambda: redis_client, identity=IDENTITY, name="metered"
    )
    watcher = Watcher(feed)
    await eventually(lambda: feed.holding)
    await eventually(lambda: watcher.last is not None and watcher.last.job_list is not None)
    assert sample("ftapp_feed_lease_held", workspace="metered") == 1
    assert sample("ftapp_polls_total", workspace="metered", outcome="ok") == 1
    fetched_at = watcher.last.fetched_at
    assert sample("ftapp_job_list_last_success_timestamp_seconds", workspace="metered") == (
        fetched_at
    )
    await watcher.close()
    await eventually(lambda: not feed.running)
    assert sample("ftapp_feed_lease_held", workspace="metered") == 0
