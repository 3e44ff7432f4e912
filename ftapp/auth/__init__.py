"""Sign-in for ftapp: accounts, sessions, the gate, and who is signed in inside handlers.

Integration (see README "Sign-in"):

    app = rx.App(api_transformer=[Starlette(routes=[*auth.routes(), <sandbox Mount>]),
                                  auth.AuthGate])
    app.add_middleware(auth.RequireSession())
    app.register_lifespan_task(auth.upgrade_on_start)        # sync: before serving
    app.register_lifespan_task(auth.announce_sign_in_link)   # sync: prints the link once
    app.register_lifespan_task(auth.purge_sessions_periodically)

Names are imported lazily, so ``ftapp.auth.roles`` stays cheap for the settings and pages.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ftapp.auth.access import announce_sign_in_link, sign_in_link
    from ftapp.auth.gate import SCOPE_KEY, AuthGate
    from ftapp.auth.identity import Identity
    from ftapp.auth.migrate import upgrade_on_start
    from ftapp.auth.roles import Permission, Role, may, refusal_reason
    from ftapp.auth.routes import routes
    from ftapp.auth.state import (
        RequireSession,
        SessionBinding,
        current_user,
        end_revoked_sockets,
    )
    from ftapp.auth.store import purge_sessions_periodically, sign_out

_EXPORTS = {
    "AuthGate": "gate",
    "SCOPE_KEY": "gate",
    "Identity": "identity",
    "Permission": "roles",
    "RequireSession": "state",
    "Role": "roles",
    "SessionBinding": "state",
    "announce_sign_in_link": "access",
    "current_user": "state",
    "end_revoked_sockets": "state",
    "may": "roles",
    "purge_sessions_periodically": "store",
    "refusal_reason": "roles",
    "routes": "routes",
    "sign_in_link": "access",
    "sign_out": "store",
    "upgrade_on_start": "migrate",
}
__all__ = [
    "SCOPE_KEY",
    "AuthGate",
    "Identity",
    "Permission",
    "RequireSession",
    "Role",
    "SessionBinding",
    "announce_sign_in_link",
    "current_user",
    "end_revoked_sockets",
    "may",
    "purge_sessions_periodically",
    "refusal_reason",
    "routes",
    "sign_in_link",
    "sign_out",
    "upgrade_on_start",
]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'ftapp.auth' has no attribute {name!r}")
    return getattr(importlib.import_module(f"ftapp.auth.{_EXPORTS[name]}"), name)
