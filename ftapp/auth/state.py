"""Who is signed in, inside Reflex event handlers, and a session check before every event.

``state.router.headers.cookie`` is the server's copy of the WebSocket upgrade request's
Cookie header: Reflex overwrites the client-sent ``headers`` of every event with it, so the
browser cannot forge it (and the HttpOnly session cookie is never sent to the browser's
state); so is ``state.router.session.client_ip``, the socket's address. The session is looked
up again on every call, so sign-out and expiry take effect on an open socket at its next event.

Reflex keys state by the tab's token (sessionStorage), which survives a sign-out and a new
sign-in in the same tab: :class:`SessionBinding` remembers which sign-in built the state, and
a different one gets a fresh tab token instead of the previous person's state.

An open socket may send nothing and still receive the live job list, so the check before
each event is not enough: :func:`end_revoked_sockets` looks at every socket of the process
every :data:`REVOCATION_CHECK_SECONDS` and closes those whose session ended (sign-out, idle
or absolute expiry, account removed or disabled, sessions ended by an admin; with Redis,
wherever that happened) after telling the page to go to the sign-in page, and those whose
person's role changed since they connected, after telling the page to reload.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import reflex as rx
from reflex.middleware import Middleware
from reflex.state import BaseState, StateUpdate
from reflex_base.event import Event
from starlette.datastructures import Headers

from ftapp import log_format, metrics, routes
from ftapp.auth.cookies import session_token
from ftapp.auth.roles import Identity, Role
from ftapp.auth.sessions import identity_from_cookie_header, session_store, sign_out
from ftapp.settings import current_settings
from ftapp.sockets import close_socket, send_event

if TYPE_CHECKING:
    from reflex.app import App

__all__ = [
    "RequireSession",
    "SessionBinding",
    "current_user",
    "end_revoked_sockets",
    "sign_out",
    "to_login_script",
]

log = logging.getLogger(__name__)
REVOCATION_CHECK_SECONDS = 2.0
"""How often every open socket's session is checked: an ended session's sockets stop
receiving within this (plus one store round trip)."""


async def current_user(state: BaseState) -> Identity | None:
    """The signed-in person whose browser sent the event being handled, or None; with the
    address of their WebSocket, which Reflex resolves when it opens (``client_ip``: through
    ``trusted_proxy_hops`` of X-Forwarded-For, as :func:`ftapp.auth.throttle.client_address`
    does for the sign-in routes)."""
    identity = await identity_from_cookie_header(state.router.headers.cookie)
    return identity.from_address(state.router.session.client_ip) if identity else None


class SessionBinding(rx.State):
    """Which sign-in session this tab's state belongs to (a backend-only var: never sent)."""

    _owner: str = ""


def to_login_script() -> str:
    """JavaScript that leaves the app for the sign-in page, coming back here afterwards."""
    login = json.dumps(f"{routes.LOGIN}?next=")
    return (
        f"window.location.assign({login} + "
        "encodeURIComponent(window.location.pathname + window.location.search))"
    )


# Drop the tab's state token and reload: Reflex then builds new state for this sign-in.
NEW_TAB_STATE_SCRIPT = "window.sessionStorage.removeItem('token'); window.location.reload()"


class RequireSession(Middleware):
    """Reflex event middleware (``app.add_middleware(RequireSession())``): before every event,
    hydrate included, the session must still be live and own this tab's state; otherwise the
    handler does not run and the browser goes to the sign-in page (or gets new state)."""

    async def preprocess(self, app: App, state: BaseState, event: Event) -> StateUpdate | None:
        identity = await current_user(state)
        if identity is None:
            metrics.event_refused("signed_out")
            return StateUpdate(events=Event.from_event_type(rx.call_script(to_login_script())))
        binding = await state.get_state(SessionBinding)
        if binding._owner != identity.session_key:
            if binding._owner:  # built under another sign-in (same tab, or a copied token)
                return StateUpdate(
                    events=Event.from_event_type(rx.call_script(NEW_TAB_STATE_SCRIPT))
                )
            binding._owner = identity.session_key
        log_format.bind(user=identity.username)
        metrics.event_handled()
        return None


RELOAD_SCRIPT = "window.location.reload()"
FLUSH_SECONDS = 0.3


@dataclass(frozen=True)
class OpenSocket:
    """A socket of this process, as the sweep sees it."""

    sid: str
    session_token: str | None
    """From the Cookie header of its upgrade request (fixed for the socket's life)."""
    role_at_connect: Role | None
    """The role the gate found when the socket opened."""
    access_at_connect: int | None = None
    """The account's access version (its memberships of workspaces) then."""


def verdict(socket: OpenSocket, now: Identity | None) -> str | None:
    """The script to send before closing ``socket`` given who its session signs in ``now``:
    to the sign-in page when it ended, a reload when the role or the memberships of
    workspaces changed (the page then shows, or refuses, what the person may now do); None to
    keep it."""
    if now is None:
        return to_login_script()
    if socket.role_at_connect is not None and now.role != socket.role_at_connect:
        return RELOAD_SCRIPT
    if socket.access_at_connect is not None and now.access_version != socket.access_at_connect:
        return RELOAD_SCRIPT
    return None


def open_sockets(namespace: Any) -> list[OpenSocket]:
    """Every socket the Reflex event namespace of this process holds."""
    from ftapp.auth.gate import SCOPE_KEY

    settings, found = current_settings(), []
    for sid in list(namespace.sid_to_token):
        try:
            environ = namespace.server.get_environ(sid, namespace=namespace.namespace) or {}
        except KeyError:  # gone since the list was taken
            continue
        scope: Mapping[str, Any] = environ.get("asgi.scope") or {}
        identity = scope.get(SCOPE_KEY)
        cookie = Headers(scope=scope).get("cookie") if "headers" in scope else None
        known = identity if isinstance(identity, Identity) else None
        found.append(
            OpenSocket(
                sid,
                session_token(cookie, settings),
                known.role if known else None,
                known.access_version if known else None,
            )
        )
    return found


async def sweep_sockets(namespace: Any) -> int:
    """Close the sockets whose session ended or whose role or memberships changed; returns how
    many."""
    sockets = open_sockets(namespace)
    if not sockets:
        return 0
    tokens = {socket.session_token for socket in sockets if socket.session_token}
    live = await session_store().check(tokens)
    closing = []
    for socket in sockets:
        now = live.get(socket.session_token) if socket.session_token else None
        if (script := verdict(socket, now)) is None:
            continue
        await send_event(namespace, socket.sid, rx.call_script(script))
        closing.append(socket.sid)
    if not closing:
        return 0
    await asyncio.sleep(FLUSH_SECONDS)  # let the scripts leave before the sockets close
    for sid in closing:
        await close_socket(namespace, sid)
    log.info(
        "Closed %d socket(s) whose session ended or whose role or memberships changed.",
        len(closing),
    )
    return len(closing)


async def end_revoked_sockets(app: App, interval_seconds: float = REVOCATION_CHECK_SECONDS) -> None:
    """Sweep this process's sockets every ``interval_seconds``, forever (an async Reflex
    lifespan task). A store that cannot be reached is logged when the sweeps start failing
    and when they work again, not at every sweep."""
    failing = False
    while True:
        await asyncio.sleep(interval_seconds)
        if (namespace := app.event_namespace) is None:
            continue
        try:
            await sweep_sockets(namespace)
        except Exception as error:  # the store may be unreachable for a while
            if not failing:
                log.warning(
                    "Could not check open sockets' sessions (%s); retrying every %g s.",
                    type(error).__name__,
                    interval_seconds,
                )
            failing = True
            continue
        if failing:
            log.warning("Open sockets' sessions are checked again.")
            failing = False
