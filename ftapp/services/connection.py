"""Wiring on the server: settings -> the upstream client and the workspace's feed.

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
from functools import cache

import httpx
from redis.asyncio import Redis
from starlette.applications import Starlette

from ftapp import startup
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
from ftapp.upstream import UpstreamClient


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


def _new_client() -> UpstreamClient:
    current = settings()
    transport = httpx.ASGITransport(app=sandbox_app()) if current.uses_sandbox else None
    return UpstreamClient(
        current.api_base_url or EMBEDDED_BASE_URL,
        current.api_key,
        timeout_seconds=current.api_timeout,
        read_retries=current.api_read_retries,
        transport=transport,
    )


# One client per event loop: its connection pool (and TLS sessions) serve every call, so a
# poll every 2 s does not pay a new handshake each time. Connections belong to a loop, hence
# the key (tests run each case in a loop of its own).
_clients: dict[asyncio.AbstractEventLoop, UpstreamClient] = {}
_redis_clients: dict[asyncio.AbstractEventLoop, Redis] = {}
_feeds = FeedRegistry()


def upstream() -> UpstreamClient:
    """The configured upstream's client for the running event loop (kept open for reuse)."""
    loop = asyncio.get_running_loop()
    client = _clients.get(loop)
    if client is None:
        for stale in [known for known in _clients if known.is_closed()]:
            del _clients[stale]
        client = _clients[loop] = _new_client()
    return client


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


async def _list_jobs():
    return await upstream().list_jobs()


async def _list_models():
    return await upstream().list_models()


async def _health():
    return await upstream().health()


async def _probe_create():
    return await upstream().probe_create_permission()


async def _probe_delete():
    return await upstream().probe_delete_permission()


_PROBES: dict[KeyPermission, Probe] = {"may_create": _probe_create, "may_delete": _probe_delete}


def workspace() -> str:
    """The configured workspace's identity (a hash of the API's URL and key, never the key):
    the name of its feed, and of its jobs in the history."""
    current = settings()
    return workspace_identity(
        current.api_base_url or EMBEDDED_BASE_URL, current.api_key.get_secret_value()
    )


def feed() -> WorkspaceFeed:
    """The shared live job list of the configured workspace: one poll loop per process, or
    per deployment when Reflex runs on Redis. The process that polls records what its polls
    see in the job history (:mod:`ftapp.history.recorder`)."""
    current = settings()
    identity = workspace()
    if current.redis_url is not None:
        return _feeds.get(
            identity,
            lambda: ClusterFeed(
                _list_jobs,
                PollIntervals.from_settings(current),
                redis=redis,
                identity=identity,
                lease_seconds=current.feed_lease_seconds,
                fetch_models=_list_models,
                probes=_PROBES,
                health=_health,
                recorder=recorder.for_workspace(identity),
            ),
        )
    return _feeds.get(
        identity,
        lambda: WorkspaceFeed(
            _list_jobs,
            PollIntervals.from_settings(current),
            fetch_models=_list_models,
            probes=_PROBES,
            health=_health,
            recorder=recorder.for_workspace(identity),
        ),
    )


async def stop_feeds() -> None:
    """Stop every live feed of this process, giving up any Redis lease (at a clean stop)."""
    await _feeds.stop_all()


def reset() -> None:
    """Forget the settings, every feed and every client (tests change the environment)."""
    use_settings(None)
    _sandbox.cache_clear()
    sandbox_app.cache_clear()
    public_sandbox_app.cache_clear()
    _feeds.clear()
    recorder.forget()
    _clients.clear()
    _redis_clients.clear()
