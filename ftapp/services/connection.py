"""Wiring on the server: settings -> the upstream client and the workspace's feed.

With ``FT_API_BASE_URL`` unset, ftapp talks to its own sandbox in-process (through an ASGI
transport, with the ``sandbox-demo-key``) and the same sandbox is mounted on the backend at
``/sandbox/api`` for anyone who wants to curl it.

With ``REFLEX_REDIS_URL`` set (Reflex on Redis, several workers), the feed is a
:class:`~ftapp.services.cluster.ClusterFeed`: one process polls for all of them.
"""

from __future__ import annotations

import asyncio
from functools import cache

import httpx
from redis.asyncio import Redis
from starlette.applications import Starlette

from ftapp.sandbox import SandboxConfig, create_app
from ftapp.services.cluster import ClusterFeed, redis_client
from ftapp.services.feed import (
    FeedRegistry,
    Permission,
    PollIntervals,
    Probe,
    WorkspaceFeed,
    workspace_identity,
)
from ftapp.settings import Settings, load_settings
from ftapp.upstream import UpstreamClient

EMBEDDED_BASE_URL = "http://sandbox.embedded/api"


@cache
def settings() -> Settings:
    """The process's settings, read once from the environment."""
    return load_settings()


@cache
def sandbox_app() -> Starlette:
    """The embedded sandbox (one per process, sharing the SQLite file with any others)."""
    return create_app(SandboxConfig.from_settings(settings()))


def describe_upstream() -> str:
    """Which API this app talks to, in one line for the start banner (never the key)."""
    current = settings()
    if current.uses_sandbox:
        return (
            "ftapp uses its embedded sandbox API (demo workspace; set FT_API_BASE_URL and "
            "FT_API_KEY for the hosted one)"
        )
    return f"ftapp uses the Job Training API at {current.api_base_url}"


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


async def _probe_create():
    return await upstream().probe_create_permission()


async def _probe_delete():
    return await upstream().probe_delete_permission()


_PROBES: dict[Permission, Probe] = {"may_create": _probe_create, "may_delete": _probe_delete}


def feed() -> WorkspaceFeed:
    """The shared live job list of the configured workspace: one poll loop per process, or
    per deployment when Reflex runs on Redis."""
    current = settings()
    identity = workspace_identity(
        current.api_base_url or EMBEDDED_BASE_URL, current.api_key.get_secret_value()
    )
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
            ),
        )
    return _feeds.get(
        identity,
        lambda: WorkspaceFeed(
            _list_jobs,
            PollIntervals.from_settings(current),
            fetch_models=_list_models,
            probes=_PROBES,
        ),
    )


def reset() -> None:
    """Forget the settings, every feed and every client (tests change the environment)."""
    settings.cache_clear()
    sandbox_app.cache_clear()
    _feeds.clear()
    _clients.clear()
    _redis_clients.clear()
