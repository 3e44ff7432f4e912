"""Sign-in for ftapp: accounts, sessions, the gate, and who is signed in inside handlers.

The modules, in the order a request meets them:

- ``gate``: ASGI middleware; every request and WebSocket upgrade needs a live session, except
  the public paths (:mod:`ftapp.routes`).
- ``endpoints``: the sign-in routes (form, link, sign-out, SSO callbacks, health), with the
  HTML of ``pages``, the cookies and cross-site checks of ``cookies`` and ``csrf``, the
  attempt ``throttle``, the sign-in link and secret key of ``access``, and ``oidc``.
- ``sessions``: the session store (``redis_sessions`` when Reflex runs on Redis, else the app
  database), starting, looking up and ending sessions.
- ``accounts`` (users, password hashes) and ``roles`` (roles, permissions, :class:`Identity`).
- ``state``: who is signed in inside event handlers, and closing the sockets of ended sessions.

The tables live in :mod:`ftapp.models`, the engine and migrations in :mod:`ftapp.database`.
Wiring (``ftapp/ftapp.py``):

    api_transformer=[..., with_routes(auth.sign_in_routes()), ..., auth.AuthGate, ...]
    app.add_middleware(auth.RequireSession())
    app.register_lifespan_task(database.upgrade_on_start)   # sync: before serving
    app.register_lifespan_task(auth.purge_sessions_periodically)
    app.register_lifespan_task(auth.end_revoked_sockets)

The names below are imported on first use, so ``ftapp.auth.roles`` stays cheap for the
settings and the pages.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "AuthGate": "gate",
    "SCOPE_KEY": "gate",
    "Identity": "roles",
    "Permission": "roles",
    "Role": "roles",
    "may": "roles",
    "refusal_reason": "roles",
    "RequireSession": "state",
    "SessionBinding": "state",
    "current_user": "state",
    "end_revoked_sockets": "state",
    "announce_sign_in_link": "access",
    "sign_in_link": "access",
    "sign_in_routes": "endpoints",
    "purge_sessions_periodically": "sessions",
    "sign_out": "sessions",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'ftapp.auth' has no attribute {name!r}")
    return getattr(importlib.import_module(f"ftapp.auth.{_EXPORTS[name]}"), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
