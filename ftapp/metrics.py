"""What ftapp counts for Prometheus (``prometheus-client``), and the one call per fact.

Every label value comes from a short fixed list or from ftapp's own names (an operation, an
HTTP status, a workspace's slug, a refusal's reason), never from what a client sent: a crafted
event cannot add a series, and no key, session id or job name is ever a label.

With several worker processes (Reflex on Redis) each process writes its values to files in
the start's ``PROMETHEUS_MULTIPROC_DIR`` and one scrape sums them
(:mod:`ftapp.metrics_server`); gauges say how (summed over living processes, or the highest).
"""

from __future__ import annotations

import time

from prometheus_client import Counter, Gauge, Histogram

UPSTREAM_REQUESTS = Counter(
    "ftapp_upstream_requests",
    "Requests to the Job Training API, by operation and how they ended (HTTP status, timeout, "
    "unreachable, error).",
    ["operation", "status"],
)
UPSTREAM_SECONDS = Histogram(
    "ftapp_upstream_request_duration_seconds",
    "How long requests to the Job Training API took, by operation.",
    ["operation"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
POLLS = Counter(
    "ftapp_polls",
    "Job list polls of a workspace's live feed, by outcome (ok, failed).",
    ["workspace", "outcome"],
)
LAST_GOOD_LIST = Gauge(
    "ftapp_job_list_last_success_timestamp_seconds",
    "When a workspace's job list was last fetched successfully (the list's age is time() "
    "minus this).",
    ["workspace"],
    multiprocess_mode="max",
)
SOCKETS = Gauge(
    "ftapp_sockets_connected",
    "WebSocket connections open (one per browser tab).",
    multiprocess_mode="livesum",
)
TABS = Gauge(
    "ftapp_tabs_following",
    "Open tabs following a workspace's live job list.",
    multiprocess_mode="livesum",
)
EVENTS = Counter(
    "ftapp_events",
    "Events from browsers let through to their handler (past the event gate and the session "
    "check).",
)
EVENTS_REFUSED = Counter(
    "ftapp_events_refused",
    "Events from browsers refused before any handler ran, by reason.",
    ["reason"],
)
SIGN_INS = Counter(
    "ftapp_sign_ins",
    "Sign-in attempts by way (link, password, sso) and outcome.",
    ["way", "outcome"],
)
LEASE_HELD = Gauge(
    "ftapp_feed_lease_held",
    "1 while a process of this deployment holds a workspace's poll lease in Redis.",
    ["workspace"],
    multiprocess_mode="livemax",
)

REFUSAL_REASONS = (
    "unknown_event",
    "not_allowed",
    "rate_limited",
    "bad_arguments",
    "signed_out",
    "malformed",
)
SIGN_IN_WAYS = ("link", "password", "sso")
SIGN_IN_OUTCOMES = ("ok", "refused", "throttled", "disabled", "expired", "error")


def upstream_request(operation: str, status: str, seconds: float) -> None:
    """One request to the API (the upstream client's observer)."""
    UPSTREAM_REQUESTS.labels(operation, status).inc()
    UPSTREAM_SECONDS.labels(operation).observe(seconds)


def poll(workspace: str, *, ok: bool, at: float | None = None) -> None:
    """One poll of ``workspace``'s job list, and when a good one arrived."""
    POLLS.labels(workspace, "ok" if ok else "failed").inc()
    if ok:
        LAST_GOOD_LIST.labels(workspace).set(time.time() if at is None else at)


def lease(workspace: str, *, held: bool) -> None:
    """This process took or gave up ``workspace``'s poll lease."""
    LEASE_HELD.labels(workspace).set(1 if held else 0)


def connections(sockets: int, following: int) -> None:
    """This process's open sockets and tabs following a feed, as sampled now."""
    SOCKETS.set(sockets)
    TABS.set(following)


def event_handled() -> None:
    """An event passed the gate and the session check, to its handler."""
    EVENTS.inc()


def event_refused(reason: str) -> None:
    """An event refused at the gate; ``reason`` is one of :data:`REFUSAL_REASONS`."""
    EVENTS_REFUSED.labels(reason if reason in REFUSAL_REASONS else "not_allowed").inc()


def sign_in(way: str, outcome: str) -> None:
    """A sign-in attempt by ``way`` (:data:`SIGN_IN_WAYS`) and how it ended."""
    if way in SIGN_IN_WAYS and outcome in SIGN_IN_OUTCOMES:
        SIGN_INS.labels(way, outcome).inc()
