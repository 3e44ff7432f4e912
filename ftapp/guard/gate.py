"""The event gate: every event a socket sends passes here before any handler runs.

Reflex lets a client name any public State method and pass any JSON. The gate lets through
only the events on :data:`ftapp.guard.surface.PUBLIC_EVENTS` (and Reflex's own boot events),
with exactly the arguments the handler declares, of the declared JSON types, each text at
most :data:`MAX_TEXT` characters (a few reviewed arguments longer,
:data:`~ftapp.guard.surface.LONG_TEXTS`); it neutralises Var markup in every text, and limits how
often one tab may send events, and events that reach the upstream API. A refused event
costs one short log line and changes nothing.
"""

from __future__ import annotations

import inspect
import logging
import time
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import reflex as rx
from reflex.middleware import Middleware
from reflex.state import StateUpdate
from reflex_base.event import Event

from ftapp import log_format, metrics, stopping
from ftapp.guard.surface import LONG_TEXTS, PUBLIC_EVENTS, REFLEX_EVENTS, UPSTREAM, Budget
from ftapp.guard.text import one_line, safe_text

log = logging.getLogger("ftapp.events")

MAX_TEXT = 1000
"""The longest text any handler argument may be (a job name is at most 50)."""
MAX_INT = 10**9
"""The largest whole number any handler argument may be (a page number, a stepper's +1)."""
ANY_EVENT = Budget(per_window=300, window_seconds=10)
"""How many events of any kind one tab may send: the wizard sends every keystroke at once (a
fast typist ~10 a second, a held key ~30), a person clicking through the pages far fewer."""


@dataclass
class _Bucket:
    """A token bucket: ``capacity`` events, refilled over ``window_seconds``."""

    capacity: float
    window_seconds: float
    level: float = field(init=False)
    updated: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.level = self.capacity

    def take(self, now: float) -> bool:
        rate = self.capacity / self.window_seconds
        self.level = min(self.capacity, self.level + (now - self.updated) * rate)
        self.updated = now
        if self.level < 1:
            return False
        self.level -= 1
        return True


class RateLimiter:
    """Buckets per (tab, budget); a bucket is forgotten once it has refilled."""

    MAX_TABS = 50_000

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._buckets: dict[tuple[str, str], _Bucket] = {}

    def allow(self, token: str, name: str, budget: Budget) -> bool:
        """Take one event from tab ``token``'s ``name`` budget; False when it is spent."""
        key = (token, name)
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self.MAX_TABS:
                self.forget_idle()
            bucket = self._buckets[key] = _Bucket(budget.per_window, budget.window_seconds)
        return bucket.take(self.clock())

    def forget_idle(self) -> int:
        """Forget the buckets untouched for their whole window; returns how many.

        Such a bucket has refilled: taking from it is the same as from a new one, so only the
        table shrinks. Called by the closed tabs' sweep (``ftapp/guard/leftovers.py``): the
        buckets of tabs long gone would otherwise stay until the table is full, each keeping
        its page of the C heap from going back to the system after a crowd of tabs left.
        """
        now = self.clock()
        idle = [
            key
            for key, bucket in self._buckets.items()
            if now - bucket.updated >= bucket.window_seconds
        ]
        for key in idle:
            del self._buckets[key]
        return len(idle)

    def __len__(self) -> int:
        return len(self._buckets)


class Refusal(Exception):
    """Why an event is refused: a short text for the log, and its kind for the metrics
    (one of :data:`ftapp.metrics.REFUSAL_REASONS`)."""

    def __init__(self, message: str, reason: str = "bad_arguments") -> None:
        super().__init__(message)
        self.reason = reason


def _arguments(handler: Callable[..., Any]) -> dict[str, type]:
    """The handler's parameters (after ``self``) and their types."""
    hints = typing.get_type_hints(handler)
    names = list(inspect.signature(handler).parameters)[1:]
    return {name: hints.get(name, object) for name in names}


def check_payload(
    payload: Any, arguments: dict[str, type], long_texts: Mapping[str, int] | None = None
) -> dict[str, Any]:
    """``payload`` if it holds exactly ``arguments``, each of its JSON type and size (a text
    at most :data:`MAX_TEXT` characters, or as ``long_texts`` says for its name); texts come
    back with Var markup neutralised. Raises :class:`Refusal` otherwise."""
    if not isinstance(payload, dict):
        raise Refusal("payload is not an object")
    if set(payload) != set(arguments):
        raise Refusal("unexpected or missing arguments")
    checked: dict[str, Any] = {}
    for name, kind in arguments.items():
        value = payload[name]
        if kind is str:
            if not isinstance(value, str):
                raise Refusal(f"{name} is not a text")
            limit = (long_texts or {}).get(name, MAX_TEXT)
            if len(value) > limit:
                raise Refusal(f"{name} is longer than {limit} characters")
            value = safe_text(value)
        elif kind is bool:
            if not isinstance(value, bool):
                raise Refusal(f"{name} is not true or false")
        elif kind is int:
            if isinstance(value, bool) or not isinstance(value, int) or abs(value) > MAX_INT:
                raise Refusal(f"{name} is not a whole number in range")
        else:
            raise Refusal(f"{name} has a type the gate cannot check")
        checked[name] = value
    return checked


LOGGED_REFUSALS = Budget(per_window=10, window_seconds=60)
"""How many refusals a minute are logged per tab; a flood costs a handful of lines."""


class EventGate(Middleware):
    """Reflex middleware that refuses every event that is not on the reviewed list or does
    not keep its limits (see the module docstring)."""

    def __init__(self, limiter: RateLimiter | None = None) -> None:
        self.limiter = limiter or RateLimiter()
        self._arguments: dict[str, dict[str, type]] = {}

    async def preprocess(self, app: Any, state: Any, event: Any) -> StateUpdate | None:
        name = str(getattr(event, "name", ""))
        token = str(state.router.session.client_token)
        log_format.start(tab=log_format.tab_id(token))
        try:
            budget = self._admit(app, name, token, event)
        except Refusal as refusal:
            metrics.event_refused(refusal.reason)
            if self.limiter.allow(token, "logged", LOGGED_REFUSALS):
                log.warning(
                    "refused event %s: %s",
                    one_line(name.rpartition(".")[2], 80),
                    refusal,
                    extra={"outcome": "refused"},
                )
            return StateUpdate()
        if budget is UPSTREAM and stopping.is_stopping():
            # No new work for the API while the process stops; typing and the like go on.
            notice = rx.toast.info(stopping.RESTARTING, id="restarting")
            return StateUpdate(events=Event.from_event_type(notice))
        return None

    def _admit(self, app: Any, name: str, token: str, event: Any) -> Budget:
        """The event's budget once it may go on; raises :class:`Refusal` otherwise."""
        registered = app._registration_context.event_handlers.get(name)
        if registered is None:
            raise Refusal("no such event", "unknown_event")
        reviewed = f"{registered.states[0].__name__}.{name.rpartition('.')[2]}"
        budget = PUBLIC_EVENTS.get(reviewed) or REFLEX_EVENTS.get(reviewed)
        if budget is None:
            raise Refusal("not an event the browser may send", "not_allowed")
        if not self.limiter.allow(token, "any", ANY_EVENT):
            raise Refusal("too many events from this tab", "rate_limited")
        if budget.per_window and not self.limiter.allow(token, reviewed, budget):
            raise Refusal("too many of these events from this tab", "rate_limited")
        if reviewed in PUBLIC_EVENTS:
            arguments = self._arguments.get(name)
            if arguments is None:
                arguments = self._arguments[name] = _arguments(registered.handler.fn)
            checked = check_payload(event.payload, arguments, LONG_TEXTS.get(reviewed))
            event.payload.update(checked)
        return budget
