"""Stopping cleanly on SIGTERM: what is under way finishes, and the pages know.

A worker that gets SIGTERM (from a process manager, or from Granian's supervisor passing on
its own) would stop serving at once: a create in flight would be cut off after the API made
the job, its page would hear nothing, and its activity line would be lost. So each worker
puts its own handler in front of the server's (:func:`stop_cleanly_on_sigterm`, a lifespan
task run at start). On SIGTERM it:

1. stops taking events that reach the API (the browser is told ftapp is restarting; events
   that only change the page, such as typing, go on, so nothing typed is lost);
2. tells every open page that ftapp is restarting (the page reconnects by itself once the
   new process serves; a submit under way is checked again then, see the wizard);
3. waits for the creates in flight to finish, their outcome to reach their page and the
   activity log (bounded by the API timeout and a margin);
4. gives up the Redis lease of every live feed, so another process polls at once;
5. leaves the sockets a moment to send what was queued for them (and the pages to fetch what
   that needs, e.g. the dashboard's scripts after a create), then hands over to the server's
   own handler, which stops serving.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

RESTARTING = "ftapp is restarting: this page reconnects by itself in a moment."
DRAIN_MARGIN_SECONDS = 5.0
"""Past the API timeout, how long a stop waits for what is under way."""
FLUSH_SECONDS = 1.0
"""How long the last messages to the pages get before the server stops serving."""

_stopping = False


def is_stopping() -> bool:
    """True once this process has begun to stop."""
    return _stopping


def reset() -> None:
    """Forget a stop (tests)."""
    global _stopping
    _stopping = False


def stop_cleanly_on_sigterm(app: Any) -> None:
    """Put the clean stop in front of whatever handles SIGTERM on this loop (a sync Reflex
    lifespan task: it runs at start, on the serving loop)."""
    loop = asyncio.get_running_loop()
    handlers = getattr(loop, "_signal_handlers", {})  # CPython's Unix loop keeps them here
    original = handlers.get(signal.SIGTERM)
    hand_over: Callable[[], None]
    if original is not None:
        hand_over = lambda: original._run()  # noqa: E731  (the server's own stop)
    else:

        def hand_over() -> None:
            loop.remove_signal_handler(signal.SIGTERM)
            signal.raise_signal(signal.SIGTERM)

    def on_sigterm() -> None:
        if _stopping:
            return
        task = loop.create_task(drain(app))
        task.add_done_callback(lambda _task: hand_over())

    try:
        loop.add_signal_handler(signal.SIGTERM, on_sigterm)
    except (NotImplementedError, RuntimeError):  # not the main thread: nothing to put first
        log.info("Clean stop not installed: SIGTERM is not this loop's to handle.")


async def drain(app: Any) -> None:
    """Everything a stop does before the server stops (see the module's doc)."""
    global _stopping
    _stopping = True
    from ftapp.services import connection, jobs

    log.warning("Stopping: finishing what is under way first.")
    try:
        await tell_pages(app, RESTARTING)
        timeout = connection.settings().api_timeout + DRAIN_MARGIN_SECONDS
        await jobs.finish_under_way(timeout)
        await connection.stop_feeds()
    except Exception:  # the stop itself must go on
        log.exception("Stopping: could not finish everything.")
    await asyncio.sleep(FLUSH_SECONDS)
    log.warning("Stopping: done.")


async def tell_pages(app: Any, message: str) -> int:
    """Show ``message`` on every page with a socket on this process; returns how many."""
    import reflex as rx

    from ftapp.sockets import send_event

    namespace = getattr(app, "event_namespace", None)
    if namespace is None:
        return 0
    toast = rx.toast.info(message, duration=15000)
    sent = [await send_event(namespace, sid, toast) for sid in list(namespace.sid_to_token)]
    return sum(sent)
