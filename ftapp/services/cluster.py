"""The live job list across processes: one upstream poll loop per workspace for the whole
deployment, when Reflex runs on Redis (several workers, perhaps several instances).

Each process keeps a :class:`ClusterFeed` per workspace, with the API of
:class:`~ftapp.services.feed.WorkspaceFeed`. While it has watchers it contends for the
workspace's lease (:mod:`.lease`): the holder runs the ordinary poll loop and publishes every
new snapshot, with its fencing token, on ``ftapp:feed:<identity>`` (and keeps the latest under
``ftapp:feed:<identity>:last`` for processes that join later); the others apply what arrives
and ignore anything older than the newest they have seen. What a page does on a process that
does not hold the lease (a poke, a job created or deleted, a refused create) shows there at
once and goes to the holder on ``ftapp:feed:<identity>:commands``.
Only the holder records its polls in the job history; taking the lease, it has the recorder
compare with the database first (the last holder wrote meanwhile).

While this process cannot reach Redis it polls nothing and hears nothing: its snapshot then
says so (:data:`REDIS_LOST`, so its pages stop saying "Live"), and it tries again every few
seconds until Redis answers; the next snapshot it gets or polls clears the message.

Every name carries the workspace identity, a hash: never the key.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import math
import time
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any, get_args

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from ftapp import metrics
from ftapp.services.feed import (
    Fetch,
    HealthCheck,
    KeyPermission,
    PollIntervals,
    PollRecorder,
    Probe,
    Snapshot,
    WorkspaceFeed,
    cancel_and_wait,
)
from ftapp.services.lease import Lease
from ftapp.upstream import Job, JobList, Model

log = logging.getLogger(__name__)

LAST_KEPT_SECONDS = 24 * 3600.0
"""How long Redis keeps a workspace's last snapshot after its last publication."""
RENEW_SHARE = 0.3
"""The holder renews its lease, and the others try to take it, every 30 % of its TTL."""

REDIS_TIMEOUT_SECONDS = 2.0
"""The longest a Redis command may take (connecting included) before it counts as failed."""
REDIS_RETRY_MAX_SECONDS = 5.0
"""While Redis cannot be reached, it is tried again at least this often."""
REDIS_LOST = "ftapp lost its connection to Redis, which carries live updates."
"""The snapshot's error while this process cannot reach Redis (pages show it in a banner)."""
REDIS_LOST_KIND = "RedisUnavailable"

POKE = {"op": "poke"}
RELEASED = {"op": "released"}


def redis_client(url: str) -> Redis:
    """A client for the feed: text replies, short timeouts and one quick retry, so that a Redis
    that is down is noticed in seconds (redis-py's default retries for about ten)."""
    return Redis.from_url(
        url,
        decode_responses=True,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        retry=Retry(NoBackoff(), 1),
    )


# --- what travels over Redis ----------------------------------------------------------------


def snapshot_to_wire(snapshot: Snapshot) -> dict[str, Any]:
    """``snapshot`` as plain JSON data, every field by its name."""
    data = {field.name: getattr(snapshot, field.name) for field in dataclasses.fields(Snapshot)}
    data["job_list"] = (
        snapshot.job_list.model_dump(mode="json", by_alias=True) if snapshot.job_list else None
    )
    data["models"] = dict(snapshot.models)
    return data


def snapshot_from_wire(data: Mapping[str, Any]) -> Snapshot:
    """The snapshot :func:`snapshot_to_wire` gave (fields it lacks keep their defaults).

    Raises ValueError (or pydantic's ValidationError, one) on data that is not a snapshot.
    """
    names = {field.name for field in dataclasses.fields(Snapshot)}
    values = {name: value for name, value in data.items() if name in names}
    if values.get("job_list") is not None:
        values["job_list"] = JobList.model_validate(values["job_list"])
    snapshot = Snapshot(**values)
    if not isinstance(snapshot.version, int) or not isinstance(snapshot.models, dict):
        raise ValueError("not a snapshot")
    return snapshot


def encode_snapshot(token: int, snapshot: Snapshot) -> str:
    """The message a holder publishes: its fencing token and the snapshot."""
    return json.dumps({"token": token, "snapshot": snapshot_to_wire(snapshot)})


def decode_snapshot(message: str | bytes) -> tuple[int, Snapshot]:
    """The fencing token and snapshot of a published message; ValueError if malformed."""
    data = json.loads(message)
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("token"), int)
        or not isinstance(data.get("snapshot"), dict)
    ):
        raise ValueError("not a snapshot message")
    return data["token"], snapshot_from_wire(data["snapshot"])


@dataclasses.dataclass(frozen=True)
class FeedKeys:
    """The Redis names of one workspace's feed."""

    snapshots: str
    commands: str
    last: str
    lease: str

    @classmethod
    def of(cls, identity: str) -> FeedKeys:
        base = f"ftapp:feed:{identity}"
        return cls(base, f"{base}:commands", f"{base}:last", f"{base}:lease")


async def _race(*coroutines: Coroutine[Any, Any, Any]) -> None:
    """Run ``coroutines`` until the first ends, cancel the others, raise what it raised."""
    tasks = [asyncio.ensure_future(coroutine) for coroutine in coroutines]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    for task in done:
        task.result()


# --- the feed --------------------------------------------------------------------------------


class ClusterFeed(WorkspaceFeed):
    """A workspace's feed in one process of many: polls while it holds the lease, follows the
    holder's snapshots otherwise."""

    def __init__(
        self,
        fetch: Fetch,
        intervals: PollIntervals,
        *,
        redis: Callable[[], Redis],
        identity: str,
        lease_seconds: float = 5.0,
        fetch_models: Callable[[], Awaitable[list[Model]]] | None = None,
        probes: Mapping[KeyPermission, Probe] | None = None,
        health: HealthCheck | None = None,
        recorder: PollRecorder | None = None,
        clock: Callable[[], float] = time.time,
        name: str = "default",
    ) -> None:
        super().__init__(
            fetch,
            intervals,
            fetch_models=fetch_models,
            probes=probes,
            health=health,
            recorder=recorder,
            clock=clock,
            name=name,
        )
        self.keys = FeedKeys.of(identity)
        self.lease_seconds = lease_seconds
        self._redis = redis
        self._lease: Lease | None = None
        self._cluster: asyncio.Task | None = None
        self._newest: tuple[int, float] = (0, -1)
        """(fencing token, version) of the newest snapshot applied or published here."""
        self._synced = False
        """True once this session has read the last snapshot and tried for the lease."""
        self._poke_wanted = False
        self._muted = False
        self._dirty = asyncio.Event()
        self._sending: set[asyncio.Task] = set()

    @property
    def holding(self) -> bool:
        """True while this process holds the lease (and so polls)."""
        return self._lease is not None

    @property
    def running(self) -> bool:
        """True while this process takes part: following or polling."""
        return self._cluster is not None and not self._cluster.done()

    @property
    def renew_seconds(self) -> float:
        return self.lease_seconds * RENEW_SHARE

    def _ensure_running(self) -> None:
        if not self.running:
            self._cluster = asyncio.get_running_loop().create_task(self._take_part())

    async def stop(self) -> None:
        """Stop taking part for good: a lease held here is given up (and its release
        announced), so another process polls at once."""
        await cancel_and_wait(self._cluster)
        await super().stop()

    # --- what pages call ----------------------------------------------------------------

    def poke(self) -> None:
        """Have the holder poll now (this process, or the one that holds the lease)."""
        if self._muted:
            return
        if self.holding or not self.running:
            super().poke()
        elif not self._synced:
            self._poke_wanted = True  # decided once it is known who polls
        else:
            self._send_soon(POKE)

    async def forget_job(self, job_id: str) -> None:
        await self._act(super().forget_job(job_id), {"op": "forget", "job_id": job_id})

    async def remember_job(self, job: Job) -> None:
        wire = job.model_dump(mode="json", by_alias=True)
        await self._act(super().remember_job(job), {"op": "remember", "job": wire})

    async def note_permission(self, permission: KeyPermission, allowed: bool) -> None:
        await self._act(
            super().note_permission(permission, allowed),
            {"op": "permission", "name": permission, "value": allowed},
        )

    async def _act(self, local: Awaitable[None], command: dict[str, Any]) -> None:
        """Apply a change here at once; unless this process holds the lease, send it on."""
        if self.holding:
            await local
            return
        # The holder polls again when the command reaches it, so the local change's own poke
        # is dropped. Nothing in ``local`` suspends, so no other caller sees the flag.
        self._muted = True
        try:
            await local
        finally:
            self._muted = False
        await self._send(command)

    async def _update(self, change: Callable[[Snapshot], Snapshot | None]) -> None:
        before = self.snapshot.version
        await super()._update(change)
        if self.snapshot.version != before:
            self._dirty.set()

    # --- taking part --------------------------------------------------------------------

    async def _take_part(self) -> None:
        """Follow, or hold the lease and poll, while this process has watchers."""
        failures = 0
        try:
            while self.watchers > 0:
                try:
                    await self._session()
                    failures = 0
                except Exception as exc:
                    failures += 1
                    self._synced = False  # a poke waits for the next session
                    if isinstance(exc, RedisError | TimeoutError):
                        await self._lost_redis(exc)
                    else:
                        log.exception("live feed failed unexpectedly; retrying")
                    delay = min(
                        self.renew_seconds * 2 ** min(failures, 10), REDIS_RETRY_MAX_SECONDS
                    )
                    self._wake.clear()
                    if self.watchers > 0:
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(self._wake.wait(), timeout=delay)
        finally:
            self._cluster = None

    async def _lost_redis(self, error: Exception) -> None:
        """Say so, once, in the log and in the snapshot every page here follows."""
        if self.snapshot.error_kind == REDIS_LOST_KIND:
            return
        log.warning(
            "live feed: Redis cannot be reached (%s); updates paused, retrying",
            type(error).__name__,
        )
        await self._update(
            lambda current: dataclasses.replace(
                current, error=REDIS_LOST, error_kind=REDIS_LOST_KIND
            )
        )

    async def _session(self) -> None:
        """One Redis connection's worth of taking part, until nobody watches here."""
        redis = self._redis()
        self._newest, self._synced = (0, -1), False
        async with redis.pubsub() as pubsub:
            await pubsub.subscribe(self.keys.snapshots, self.keys.commands)
            # Read after subscribing, so that nothing published in between is missed.
            last = await redis.get(self.keys.last)
            if self.snapshot.error_kind == REDIS_LOST_KIND:
                log.warning("live feed: Redis answers again; updates resume")
            if last is not None:
                await self._receive(self.keys.snapshots, last)
            await _race(self._listen(pubsub), self._contend(redis))

    async def _contend(self, redis: Redis) -> None:
        """Hold the lease whenever nobody else does, until nobody watches here."""
        while self.watchers > 0:
            self._wake.clear()
            lease = await Lease.acquire(redis, self.keys.lease, self.lease_seconds)
            self._synced = True
            if lease is not None:
                self._poke_wanted = False
                super().poke()  # a new holder polls at once (here, not through Redis)
                await self._hold(lease)
                continue
            if self._poke_wanted:  # a page here wants a fresher list than the last published
                self._poke_wanted = False
                if not self.is_fresh():
                    await self._send(POKE)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.renew_seconds)

    async def _hold(self, lease: Lease) -> None:
        """Poll and publish until nobody watches here or the lease is lost."""
        self._lease, self._newest = lease, (lease.token, math.inf)
        self._dirty.clear()
        if self._recorder is not None:  # the last holder wrote meanwhile: compare first
            self._recorder.resync()
        log.info("live feed: this process polls (fencing token %d)", lease.token)
        metrics.lease(self.name, held=True)
        try:
            await _race(self._run(), lease.keep(self.renew_seconds), self._publish(lease))
        finally:
            self._lease = None
            metrics.lease(self.name, held=False)
            with contextlib.suppress(RedisError):
                if await lease.release():
                    await lease.redis.publish(self.keys.commands, json.dumps(RELEASED))
            log.info("live feed: this process stopped polling (fencing token %d)", lease.token)

    async def _publish(self, lease: Lease) -> None:
        """Publish each new snapshot while the lease is ours; return once it is not."""
        while True:
            await self._dirty.wait()
            self._dirty.clear()
            message = encode_snapshot(lease.token, self.snapshot)
            if not await lease.publish(
                self.keys.snapshots, message, keep_as=self.keys.last, keep_seconds=LAST_KEPT_SECONDS
            ):
                return

    async def _listen(self, pubsub: PubSub) -> None:
        while True:
            # A bounded wait: a blocking one would be cut by the client's socket timeout.
            message = await pubsub.get_message(
                ignore_subscribe_messages=True, timeout=self.renew_seconds
            )
            if message is None or message["type"] != "message":
                continue
            channel = message["channel"]
            channel = channel.decode() if isinstance(channel, bytes) else channel
            try:
                await self._receive(channel, message["data"])
            except (ValueError, KeyError, TypeError):
                log.warning("live feed: ignored a malformed message on %s", channel)

    async def _receive(self, channel: str, data: str | bytes) -> None:
        if channel == self.keys.snapshots:
            token, snapshot = decode_snapshot(data)
            if (token, snapshot.version) <= self._newest:
                return  # older than what is shown, or from a holder since replaced
            self._newest = (token, snapshot.version)
            await self._update(
                lambda current: (
                    None
                    if dataclasses.replace(snapshot, version=current.version) == current
                    else snapshot
                )
            )
            return
        command = json.loads(data)
        op = command["op"]
        if not self.holding:
            if op == RELEASED["op"]:
                self._wake.set()  # try to take the lease now rather than at the next attempt
            # the other commands are the holder's to apply
        elif op == POKE["op"]:
            super().poke()
        elif op == "forget":
            await super().forget_job(str(command["job_id"]))
        elif op == "remember":
            await super().remember_job(Job.model_validate(command["job"]))
        elif op == "permission" and command.get("name") in get_args(KeyPermission):
            await super().note_permission(command["name"], bool(command["value"]))

    async def _send(self, command: dict[str, Any]) -> None:
        """Publish ``command`` for the holder (lost if none holds now: a new one polls first)."""
        try:
            await self._redis().publish(self.keys.commands, json.dumps(command))
        except RedisError as exc:
            log.warning("live feed: could not reach the polling process (%s)", type(exc).__name__)

    def _send_soon(self, command: dict[str, Any]) -> None:
        task = asyncio.get_running_loop().create_task(self._send(command))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)
