"""Wiring on the server: settings -> an upstream client, hosted API or embedded sandbox.

With ``FT_API_BASE_URL`` unset, ftapp talks to its own sandbox in-process (through an ASGI
transport, with the ``sandbox-demo-key``) and the same sandbox is mounted on the backend at
``/sandbox/api`` for anyone who wants to curl it.
"""

from __future__ import annotations

from functools import cache

import httpx
from starlette.applications import Starlette

from ftapp.config import Settings, load_settings
from ftapp.sandbox import SandboxConfig, create_app
from ftapp.upstream import UpstreamClient

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


def open_client() -> UpstreamClient:
    """A client for the configured upstream; use it as ``async with open_client() as api``."""
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
