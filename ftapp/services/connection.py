"""Wiring on the server: a workspace -> its upstream client and its feed.

A workspace is named by its slug: ``default`` is the environment's (``FT_API_BASE_URL`` and
``FT_API_KEY``, or the embedded sandbox), the others are stored by an admin
(:mod:`ftapp.workspaces.store`, their keys encrypted). A stored workspace is read again at most
every :data:`RESOLVE_SECONDS`, so a key rotated or a workspace removed in another process
takes effect here without a restart; each has one client per event loop and key version, and
one feed per process (per deployment on Redis).

With ``FT_API_BASE_URL`` unset, ftapp talks to its own sandbox in-process (through an ASGI
transport, with the ``sandbox-demo-key``). Only with ``FT_SANDBOX_PUBLIC=1`` is the same
sandbox also served to others at ``/sandbox/api``, and then with unpublished keys only (the
configured ones, else a random key per start): the demo keys printed in the README work only
in-process.

With ``REFLEX_REDIS_URL`` set (Reflex on Redis, several workers), the feed is a
:class:`~ftapp.services.cluster.ClusterFeed`: one process polls for all of them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from functools import cache
from typing import Any

import httpx
from redis.asyncio import Redis
from starlette.applications import Starlette

from ftapp import database, metrics, startup
from ftapp.history.recorder import recorder
from ftapp.routes import SANDBOX_MOUNT
from ftapp.sandbox import Sandbox, SandboxConfig, create_app
from ftapp.sandbox.keys import configured_keys, public_keys
from ftapp.services.cluster import ClusterFeed, redis_client
from ftapp.services.feed import (
    FeedRegistry,
    KeyPermission,
    PollIntervals,
    Probe,
    WorkspaceFeed,
    workspace_identity,
)
from ftapp.settings import EMBEDDED_BASE_URL, Settings, current_settings, use_settings
from ftapp.upstream import UpstreamClient, UpstreamError
from ftapp.workspaces import store
from ftapp.workspaces.store import DEFAULT_SLUG, WorkspaceConfig, WorkspaceSummary

RESOLVE_SECONDS = 5.0
"""How long a stored workspace's settings are reused before the database is asked again: a
rotated key, a rename or a removal in another process is seen within this."""


class WorkspaceRemoved(UpstreamError):
    """The workspace was removed from ftapp (or never existed)."""

    default_message = "This workspace was removed from ftapp."


def settings() -> Settings:
    """The process's settings (:func:`ftapp.settings.current_settings`)."""
    return current_settings()


@cache
def _sandbox() -> Sandbox:
    """The embedded sandbox (one per process, sharing the SQLite file with any others)."""
    return Sandbox(SandboxConfig.from_settings(settings()))


@cache
def sandbox_app() -> Starlette:
    """The embedded sandbox as the app reaches it, in-process (every key it knows)."""
    return create_app(sandbox=_sandbox())


@cache
def public_sandbox_app() -> Starlette:
    """The same sandbox as others reach it at ``/sandbox/api`` (``FT_SANDBOX_PUBLIC=1``):
    unpublished keys only (:func:`ftapp.sandbox.keys.public_keys`)."""
    return create_app(sandbox=_sandbox(), keys=public_keys(settings(), startup.sandbox_key()))


def describe_upstream() -> list[str]:
    """Which API this app talks to, for the start banner (never the app's key); with a public
    sandbox, where it is and which key it takes."""
    current = settings()
    if not current.uses_sandbox:
        return [f"ftapp uses the Job Training API at {current.api_base_url}"]
    lines = [
        "ftapp uses its embedded sandbox API (demo workspace; set FT_API_BASE_URL and "
        "FT_API_KEY for the hosted one)"
    ]
    if current.mounts_sandbox:
        url = f"{current.public_origin}{SANDBOX_MOUNT}/api"
        if configured_keys(current):
            lines.append(f"Sandbox API for others: {url} (keys: FT_SANDBOX_KEYS)")
        else:
            lines.append(
                f"Sandbox API for others: {url} (key for this start: {startup.sandbox_key()})"
            )
    return lines


def transport_for(api_base_url: str) -> httpx.AsyncBaseTransport | None:
    """How to reach the API at ``api_base_url``: in-process to the embedded sandbox for its
    URL while this app runs it (an ASGI transport), else None (the network). The one place
    that choice is made, for the workspaces' clients and for checking a key before storing it
    (the admin page, ``ftapp workspaces``)."""
    if settings().uses_sandbox and api_base_url == EMBEDDED_BASE_URL:
        return httpx.ASGITransport(app=sandbox_app())
    return None


def _new_client(config: WorkspaceConfig) -> UpstreamClient:
    current = settings()
    return UpstreamClient(
        config.api_base_url,
        config.api_key.get_secret_value(),
        timeout_seconds=current.api_timeout,
        read_retries=current.api_read_retries,
        transport=transport_for(config.api_base_url),
        observe=metrics.upstream_request,
    )


# One client per event loop and workspace key (its identity and key version: a slug removed
# and added again is another workspace): its connection pool (and TLS sessions) serve every
# call, so a poll every 2 s does not pay a new handshake each time. Connections belong to a
# loop, hence the key (tests run each case in a loop of its own).
_clients: dict[tuple[asyncio.AbstractEventLoop, str, int], UpstreamClient] = {}
_redis_clients: dict[asyncio.AbstractEventLoop, Redis] = {}
_feeds = FeedRegistry()
_closing: set[asyncio.Task] = set()
_resolved: dict[str, tuple[float, WorkspaceConfig | None]] = {}
_listed: tuple[float, list[WorkspaceSummary]] | None = None
"""The stored workspaces as last listed (monotonic time read, summaries)."""
"""Stored workspaces as last read: slug -> (monotonic time read, settings or None if gone)."""


@cache
def default_workspace() -> WorkspaceConfig:
    """The environment's workspace (``FT_API_BASE_URL`` and ``FT_API_KEY``, or the embedded
    sandbox's demo workspace); its identity is a hash of the URL and key, never the key."""
    current = settings()
    base_url = current.api_base_url or EMBEDDED_BASE_URL
    return WorkspaceConfig(
        slug=DEFAULT_SLUG,
        name=current.default_workspace_name,
        api_base_url=base_url,
        api_key=current.api_key,
        identity=workspace_identity(base_url, current.api_key.get_secret_value()),
        key_version=0,
    )


async def resolve(slug: str) -> WorkspaceConfig | None:
    """The workspace named ``slug`` (None when there is none), read from the database at most
    every :data:`RESOLVE_SECONDS`. A changed key drops the old clients and wakes the feed,
    so the new key is used at once."""
    if slug == DEFAULT_SLUG:
        return default_workspace()
    now = time.monotonic()
    known = _resolved.get(slug)
    if known is not None and now - known[0] < RESOLVE_SECONDS:
        return known[1]
    config = await database.in_thread(store.resolve, slug)
    if config is None and known is None:
        return None  # a name that never was one: nothing kept (crafted names cost no memory)
    _resolved[slug] = (now, config)
    previous = known[1] if known is not None else None
    if previous is not None and (
        config is None
        or (config.identity, config.key_version, config.api_base_url)
        != (previous.identity, previous.key_version, previous.api_base_url)
    ):
        _forget_clients(previous.identity)
        if (feed_of_slug := _feeds.find(previous.identity)) is not None:
            feed_of_slug.poke()
    return config


async def reload(slug: str) -> WorkspaceConfig | None:
    """Read stored workspace ``slug`` again now, not within :data:`RESOLVE_SECONDS`: after a
    change made in this process (a new key, a rename, a removal, a new workspace), its pages
    see it at once; a changed key drops the old clients and wakes the feed, as
    :func:`resolve` does for a change seen later."""
    global _listed
    _listed = None  # a name or a workspace may have changed: list them again too
    if slug == DEFAULT_SLUG:
        return default_workspace()
    known = _resolved.get(slug)
    if known is not None:
        _resolved[slug] = (float("-inf"), known[1])  # stale: the next resolve reads it
    return await resolve(slug)


async def stored_workspaces() -> list[WorkspaceSummary]:
    """Every stored workspace (the switcher's list), read from the database at most every
    :data:`RESOLVE_SECONDS` (at once after :func:`reload`)."""
    global _listed
    now = time.monotonic()
    if _listed is None or now - _listed[0] >= RESOLVE_SECONDS:
        _listed = (now, await database.in_thread(store.list_workspaces))
    return _listed[1]


def resolved(slug: str) -> WorkspaceConfig:
    """The workspace named ``slug`` as this process last read it (:func:`resolve` first);
    raises :class:`WorkspaceRemoved` when it is gone or was never read."""
    if slug == DEFAULT_SLUG:
        return default_workspace()
    known = _resolved.get(slug)
    if known is None or known[1] is None:
        raise WorkspaceRemoved()
    return known[1]


def _forget_clients(identity: str) -> None:
    """Drop the clients of workspace ``identity``'s old key; each is closed once a call under
    way with it has had its time (its connections would otherwise wait for the collector)."""
    for key in [key for key in _clients if key[1] == identity]:
        _close_later(key[0], _clients.pop(key))


def _close_later(loop: asyncio.AbstractEventLoop, client: UpstreamClient) -> None:
    if loop.is_closed():
        return

    def close() -> None:
        task = loop.create_task(client.aclose())
        _closing.add(task)
        task.add_done_callback(_closing.discard)

    loop.call_soon_threadsafe(loop.call_later, close_delay(), close)


def close_delay() -> float:
    """How long a dropped client stays open: the longest a call with it can take (its
    timeout for each try) and a little more."""
    current = settings()
    return current.api_timeout * (current.api_read_retries + 2) + 1.0


def upstream(slug: str = DEFAULT_SLUG) -> UpstreamClient:
    """The client of workspace ``slug`` (as last resolved) for the running event loop, kept
    open for reuse."""
    config = resolved(slug)
    loop = asyncio.get_running_loop()
    key = (loop, config.identity, config.key_version)
    client = _clients.get(key)
    if client is None:
        for stale in [known for known in _clients if known[0].is_closed()]:
            del _clients[stale]
        client = _clients[key] = _new_client(config)
    return client


async def current_upstream(slug: str) -> UpstreamClient:
    """The client of workspace ``slug``, its settings read again if they may be stale (what a
    poll uses, so a rotated key reaches a feed nobody pokes)."""
    if await resolve(slug) is None:
        raise WorkspaceRemoved()
    return upstream(slug)


def redis() -> Redis:
    """A client of Reflex's Redis (``REFLEX_REDIS_URL``) for the running event loop."""
    url = settings().redis_url
    if url is None:
        raise RuntimeError("REFLEX_REDIS_URL is not set")
    loop = asyncio.get_running_loop()
    client = _redis_clients.get(loop)
    if client is None:
        for stale in [known for known in _redis_clients if known.is_closed()]:
            del _redis_clients[stale]
        client = _redis_clients[loop] = redis_client(url.get_secret_value())
    return client


def _calls(slug: str) -> dict[str, Callable[[], Awaitable[Any]]]:
    """The upstream calls a feed of workspace ``slug`` makes, each through its current client."""

    def call(name: str) -> Callable[[], Awaitable[Any]]:
        async def run() -> Any:
            return await getattr(await current_upstream(slug), name)()

        return run

    return {
        name: call(name)
        for name in (
            "list_jobs",
            "list_models",
            "health",
            "probe_create_permission",
            "probe_delete_permission",
        )
    }


def workspace(slug: str = DEFAULT_SLUG) -> str:
    """The identity of workspace ``slug`` (never its key): the name of its feed, and of its
    jobs in the history and the activity log."""
    return resolved(slug).identity


def feed(slug: str = DEFAULT_SLUG) -> WorkspaceFeed:
    """The shared live job list of workspace ``slug``: one poll loop per process, or per
    deployment when Reflex runs on Redis. The process that polls records what its polls see
    in the job history (:mod:`ftapp.history.recorder`)."""
    # By identity, not slug: a workspace removed and added again under the same slug is
    # another workspace (another key, another history), with a feed of its own.
    identity = workspace(slug)
    existing = _feeds.find(identity)
    if existing is not None:
        return existing
    current = settings()
    calls = _calls(slug)
    probes: dict[KeyPermission, Probe] = {
        "may_create": calls["probe_create_permission"],
        "may_delete": calls["probe_delete_permission"],
    }
    intervals = PollIntervals.from_settings(current)
    if current.redis_url is not None:
        return _feeds.get(
            identity,
            lambda: ClusterFeed(
                calls["list_jobs"],
                intervals,
                redis=redis,
                identity=identity,
                lease_seconds=current.feed_lease_seconds,
                fetch_models=calls["list_models"],
                probes=probes,
                health=calls["health"],
                recorder=recorder.for_workspace(identity),
                name=slug,
            ),
        )
    return _feeds.get(
        identity,
        lambda: WorkspaceFeed(
            calls["list_jobs"],
            intervals,
            fetch_models=calls["list_models"],
            probes=probes,
            health=calls["health"],
            recorder=recorder.for_workspace(identity),
            name=slug,
        ),
    )


def watched_feeds() -> list[WorkspaceFeed]:
    """The live feeds of this process that someone watches (for the readiness check)."""
    return _feeds.watched()


async def stop_feeds() -> None:
    """Stop every live feed of this process, giving up any Redis lease (at a clean stop)."""
    await _feeds.stop_all()


def reset() -> None:
    """Forget the settings, every feed and every client (tests change the environment)."""
    use_settings(None)
    _sandbox.cache_clear()
    sandbox_app.cache_clear()
    public_sandbox_app.cache_clear()
    default_workspace.cache_clear()
    _feeds.clear()
    _resolved.clear()
    global _listed
    _listed = None
    recorder.forget()
    _clients.clear()
    _redis_clients.clear()
