"""Logs a client cannot flood or forge, that carry no session token, cookie or payload.

Reflex logs a malformed or unknown event with a traceback and the whole event (payload,
request headers with cookies, the tab's token); a failing handler with a traceback; every
report of a browser error at full length; and, per emit, each delta for a tab that left.
:func:`install` turns each of these into one short line, and the exception handlers below
replace Reflex's defaults.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time

import reflex as rx

from ftapp import metrics
from ftapp.guard.text import one_line
from ftapp.outages import explanation, unreachable_store

log = logging.getLogger("ftapp.events")

_EVENT_NAME = re.compile(r"Event\(name='([^']{0,200})")
_REFLEX_LOGGERS = (
    "engineio.server",
    "socketio.server",
    "reflex.app",
    "reflex.state",
    "reflex_base.event.processor.event_processor",
    "reflex_base.event.processor.base_state_processor",
)
DISCONNECTED_PER_MINUTE = 5
"""How many "delta for a disconnected tab" lines a minute are kept (the rest say nothing)."""


class OneLineEvents(logging.Filter):
    """Rewrites Reflex's event-error records as one short line without client data."""

    def __init__(self) -> None:
        super().__init__()
        self._window_start = 0.0
        self._disconnected = 0

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message.startswith("Attempting to send delta to disconnected client"):
            if record.created - self._window_start > 60:
                self._window_start, self._disconnected = record.created, 0
            self._disconnected += 1
            return self._disconnected <= DISCONNECTED_PER_MINUTE and self._rewrite(
                record, "dropped an update for a tab that left"
            )
        short = _short_form(record, message)
        if short is not None:
            self._rewrite(record, short)
            if (reason := _refusal_reason(short)) is not None:
                metrics.event_refused(reason)
        return True

    @staticmethod
    def _rewrite(record: logging.LogRecord, message: str) -> bool:
        record.msg, record.args = message, ()
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        return True


def _short_form(record: logging.LogRecord, message: str) -> str | None:
    if message == "message async handler error":
        error = record.exc_info[1] if record.exc_info else None
        return f"rejected socket message: {type(error).__name__ if error else 'error'}"
    if message.startswith("Error processing event queue entry for"):
        match = _EVENT_NAME.search(message)
        name = match.group(1).rpartition(".")[2] if match else "?"
        return f"rejected event {one_line(name, 80)}: no such event"
    if message.startswith(("Received event data as a string", "Received event from session")):
        return one_line(message.split(" Event data:")[0], 120)
    if message.startswith("Error transforming event"):
        return one_line(message.split(":")[0], 120)
    if " is not an accepted origin" in message:
        return "refused a WebSocket from another origin"
    if record.exc_info or "\n" in message or len(message) > 300:
        return one_line(message, 200)
    return None


def _refusal_reason(short: str) -> str | None:
    """The metrics' reason for a message Reflex refused before any middleware saw it."""
    if short.startswith("rejected event "):
        return "unknown_event"
    if short.startswith(("rejected socket message", "Received event data as a string")):
        return "malformed"
    return None


def install() -> None:
    """Attach the filter to the loggers Reflex and Socket.IO write event errors to."""
    event_filter = OneLineEvents()
    for name in _REFLEX_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, OneLineEvents) for f in logger.filters):
            logger.addFilter(event_filter)


def _event_of_current_task() -> str:
    """The handler name Reflex put in the failing task's name (never its tab token)."""
    try:
        task = asyncio.current_task()
    except RuntimeError:  # not called from the event loop
        return "?"
    parts = task.get_name().split("|") if task else []
    for index, part in enumerate(parts):
        if part.endswith("reflex_event") and index + 1 < len(parts):
            return parts[index + 1].rpartition(".")[2]
    return "?"


def backend_exception_handler(exception: Exception):
    """A handler failed: one line (handler, error type, its message shortened) and a toast.
    Redis or the app database out of reach is one WARNING line, and the toast says so."""
    if (store := unreachable_store(exception)) is not None:
        log.warning(
            "event %s failed: %s cannot be reached (%s)",
            one_line(_event_of_current_task(), 80),
            store,
            type(exception).__name__,
        )
        return rx.toast.warning(explanation(store), id="store-unreachable")
    log.error(
        "event %s failed: %s: %s",
        one_line(_event_of_current_task(), 80),
        type(exception).__name__,
        one_line(exception, 200),
    )
    return rx.toast.error("Something went wrong on ftapp's server. Try again.", id="server-error")


_frontend_reports: list[float] = []


def frontend_exception_handler(exception: Exception) -> None:
    """A page hit a browser error: at most a few short lines a minute, whatever it says."""
    now = time.monotonic()
    _frontend_reports[:] = [at for at in _frontend_reports if now - at < 60]
    if len(_frontend_reports) < DISCONNECTED_PER_MINUTE:
        _frontend_reports.append(now)
        log.error("a page reported an error: %s", one_line(exception, 200))
