"""Reflex's own use of Redis, working again after an outage without a restart of ftapp.

On Redis, each Reflex process runs three pub/sub tasks: the state manager's listener for
released state locks, and the token manager's listeners for socket records and for the
"lost and found" (an update for a tab whose socket is on another process). Each gives up for
good after five failures within a minute ("task exceeded exception limit"), so a Redis outage
of a few seconds ends them all, and Reflex starts them again only when a new socket connects
to that process (or a lock is contended): the tabs already open would no longer get updates
sent from other processes. A Redis restarted without persistence has also forgotten the
keyspace notifications Reflex turned on and the records of which process holds which socket.

:func:`keep_reflex_subscribed` (a lifespan task, only with Redis) asks Redis every
:data:`CHECK_SECONDS` who it is. Whenever a task has ended it starts it again, and once Redis
answers after failing, or answers as a new server (a restart), it also turns the keyspace
notifications on again and records this process's sockets again. Each change is one log line.
It also looks at how each task ended as soon as it ends: Reflex may start a task again itself
(a contended lock does) and drop the ended one unseen, and asyncio then logs its traceback.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from redis.exceptions import RedisError
from reflex.istate.manager.redis import StateManagerRedis, enable_keyspace_notifications
from reflex.utils.token_manager import RedisTokenManager

from ftapp.services import connection

if TYPE_CHECKING:
    from reflex.app import App

log = logging.getLogger(__name__)

CHECK_SECONDS = 1.0
"""How often each process asks Redis who it is (one ``INFO server``)."""


@dataclass
class RedisWatch:
    """What this process last knew of Redis."""

    run_id: str | None = None
    """The server's run id: a new one means Redis restarted."""
    down: bool = False

    async def check(self, app: App) -> None:
        """Ask Redis; repair what an outage or a restart broke."""
        see_how_tasks_end(app)
        try:
            info = await connection.redis().info("server")
        except (RedisError, OSError) as error:
            if not self.down:
                log.warning("Redis cannot be reached (%s); watching for it.", type(error).__name__)
            self.down = True
            return
        run_id = str(info.get("run_id", ""))
        restarted = self.run_id is not None and run_id != self.run_id
        restarted_tasks = restart_ended_tasks(app)
        if self.down or restarted:
            sockets = await resubscribe(app)
            log.warning(
                "Redis answers again%s: Reflex's subscriptions %s, %d socket(s) of this "
                "process recorded again.",
                " (restarted)" if restarted else "",
                "restarted" if restarted_tasks else "kept",
                sockets,
            )
        elif restarted_tasks:
            log.warning("Restarted Reflex's Redis subscriptions: %s.", ", ".join(restarted_tasks))
        self.down, self.run_id = False, run_id


def _subscriptions(app: App) -> list[tuple[Any, str, Callable[[], Any]]]:
    """Reflex's pub/sub tasks in this process: (owner, attribute, how to start it)."""
    found: list[tuple[Any, str, Callable[[], Any]]] = []
    state_manager = app.state_manager
    if isinstance(state_manager, StateManagerRedis):
        found.append((state_manager, "_lock_task", state_manager._ensure_lock_task))
    namespace = app.event_namespace
    tokens = namespace._token_manager if namespace is not None else None
    if namespace is not None and isinstance(tokens, RedisTokenManager):
        found.append((tokens, "_socket_record_task", tokens._ensure_socket_record_task))
        found.append(
            (
                tokens,
                "_lost_and_found_task",
                lambda: tokens.ensure_lost_and_found_task(namespace.emit_update),
            )
        )
    return found


_seen: weakref.WeakSet[asyncio.Task] = weakref.WeakSet()
"""Reflex's tasks whose end :func:`see_how_tasks_end` already waits for."""


def _retrieve_exception(task: asyncio.Task) -> None:
    if not task.cancelled():
        task.exception()  # retrieved: asyncio logs no traceback when the task is dropped


def see_how_tasks_end(app: App) -> None:
    """Have each of Reflex's pub/sub tasks in this process retrieve its own exception when it
    ends, whoever replaces it then (Reflex does, unseen, when a lock is contended)."""
    for owner, attribute, _ in _subscriptions(app):
        task: asyncio.Task | None = getattr(owner, attribute, None)
        if task is not None and task not in _seen:
            _seen.add(task)
            task.add_done_callback(_retrieve_exception)


def restart_ended_tasks(app: App) -> list[str]:
    """Start again each of Reflex's pub/sub tasks that ran and ended; returns their names."""
    restarted = []
    for owner, attribute, start in _subscriptions(app):
        task: asyncio.Task | None = getattr(owner, attribute, None)
        if task is None or not task.done():
            continue  # never started (no socket yet), or running
        _retrieve_exception(task)
        start()
        restarted.append(attribute.strip("_"))
    see_how_tasks_end(app)
    return restarted


async def resubscribe(app: App) -> int:
    """After an outage or a restart of Redis: keyspace notifications on again (a restarted
    Redis forgot them) and this process's sockets recorded again (where no newer record is);
    returns how many sockets."""
    namespace = app.event_namespace
    tokens = namespace._token_manager if namespace is not None else None
    if not isinstance(tokens, RedisTokenManager):
        return 0
    try:
        await enable_keyspace_notifications(tokens.redis)
    except RedisError as error:
        log.warning("Could not turn Redis keyspace notifications on: %s", type(error).__name__)
    own = [
        (token, record)
        for token, record in list(tokens.token_to_socket.items())
        if record.instance_id == tokens.instance_id
    ]
    for token, record in own:
        await tokens._store_socket_record(token, record, nx=True)
    return len(own)


async def keep_reflex_subscribed(app: App, interval_seconds: float = CHECK_SECONDS) -> None:
    """Watch Redis and repair Reflex's use of it, forever (an async Reflex lifespan task;
    returns at once without Redis)."""
    if connection.settings().redis_url is None:
        return
    watch = RedisWatch()
    while True:
        await asyncio.sleep(interval_seconds)
        try:
            await watch.check(app)
        except Exception:  # the watch must outlive any surprise
            log.exception("Could not check Reflex's Redis subscriptions.")
