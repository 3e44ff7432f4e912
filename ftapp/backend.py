"""Wiring on the server: settings -> an upstream client, hosted API or embedded sandbox.

With ``FT_API_BASE_URL`` unset, ftapp talks to its own sandbox in-process (through an ASGI
transport, with the ``sandbox-demo-key``) and the same sandbox is mounted on the backend at
``/sandbox/api`` for anyone who wants to curl it.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import cache

import httpx
from starlette.applications import Starlette

from ftapp.config import Settings, load_settings
from ftapp.live import FeedRegistry, PollIntervals, WorkspaceFeed, workspace_identity
from ftapp.sandbox import SandboxConfig, create_app
from ftapp.upstream import NotFound, PermissionDenied, UpstreamClient, UpstreamError

_EMBEDDED_BASE_URL = "http://sandbox.embedded/api"


@cache
def settings() -> Settings:
    """The process's settings, read once from the environment."""
    return load_settings()


@cache
def sandbox_app() -> Starlette:
    """The embedded sandbox (one per process, sharing the SQLite file with any others)."""
    current = settings()
    return create_app(
        SandboxConfig.from_env(db_path=current.sandbox_db, speed=current.sandbox_speed)
    )


def _new_client() -> UpstreamClient:
    current = settings()
    if current.uses_sandbox:
        return UpstreamClient(
            _EMBEDDED_BASE_URL,
            current.api_key,
            timeout_seconds=current.timeout_seconds,
            read_retries=current.read_retries,
            transport=httpx.ASGITransport(app=sandbox_app()),
        )
    assert current.api_base_url is not None
    return UpstreamClient(
        current.api_base_url,
        current.api_key,
        timeout_seconds=current.timeout_seconds,
        read_retries=current.read_retries,
    )


# One client per event loop: its connection pool (and TLS sessions) serve every call, so a
# poll every 2 s does not pay a new handshake each time. Connections belong to a loop, hence
# the key (tests run each case in a loop of its own).
_clients: dict[asyncio.AbstractEventLoop, UpstreamClient] = {}


@asynccontextmanager
async def open_client() -> AsyncIterator[UpstreamClient]:
    """The configured upstream's client: ``async with open_client() as api: ...``."""
    loop = asyncio.get_running_loop()
    client = _clients.get(loop)
    if client is None:
        for stale in [known for known in _clients if known.is_closed()]:
            del _clients[stale]
        client = _clients[loop] = _new_client()
    yield client


_feeds = FeedRegistry()


async def _list_jobs():
    async with open_client() as api:
        return await api.list_jobs()


async def _list_models():
    async with open_client() as api:
        return await api.list_models()


async def _probe_create():
    async with open_client() as api:
        return await api.probe_create_permission()


def reset_feeds() -> None:
    """Forget every feed and client (tests change the settings between cases)."""
    _feeds.clear()
    _clients.clear()


def feed() -> WorkspaceFeed:
    """The shared live job list of the configured workspace (one poll loop per process)."""
    current = settings()
    identity = workspace_identity(
        current.api_base_url or _EMBEDDED_BASE_URL, current.api_key.get_secret_value()
    )
    return _feeds.get(
        identity,
        lambda: WorkspaceFeed(
            _list_jobs,
            PollIntervals.from_env(os.environ),
            fetch_models=_list_models,
            probe_create=_probe_create,
        ),
    )


@dataclass(frozen=True)
class Outcome:
    """What an action did, in words for a toast."""

    ok: bool
    message: str
    level: str = "success"
    """``success``, ``info`` or ``error``."""


async def delete_job(job_id: str, name: str) -> tuple[bool, Outcome]:
    """Delete a job and update the live feed; returns ``(gone, outcome)``.

    ``gone`` is True when the job no longer exists (deleted now, or already deleted
    elsewhere), so pages remove it.
    """
    try:
        async with open_client() as api:
            await api.delete_job(job_id)
    except NotFound:
        await feed().forget_job(job_id)
        return True, Outcome(True, f"“{name}” was already deleted.", "info")
    except PermissionDenied:
        return False, Outcome(False, "This API key may not delete jobs.", "error")
    except UpstreamError as exc:
        return False, Outcome(False, f"Could not delete “{name}”. {exc.message}", "error")
    await feed().forget_job(job_id)
    return True, Outcome(True, f"Deleted “{name}”.")
