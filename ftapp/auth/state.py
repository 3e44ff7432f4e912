"""Who is signed in, inside Reflex event handlers, and a session check before every event.

``state.router.headers.cookie`` is the server's copy of the WebSocket upgrade request's
Cookie header: Reflex overwrites the client-sent ``headers`` of every event with it, so the
browser cannot forge it (and the HttpOnly session cookie is never sent to the browser's
state). The session is looked up again on every call, so sign-out and expiry take effect on
an open socket at its next event.

Reflex keys state by the tab's token (sessionStorage), which survives a sign-out and a new
sign-in in the same tab: :class:`SessionBinding` remembers which sign-in built the state, and
a different one gets a fresh tab token instead of the previous person's state.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import reflex as rx
from reflex.middleware import Middleware
from reflex.state import BaseState, StateUpdate
from reflex_base.event import Event

from ftapp.auth import paths
from ftapp.auth.identity import Identity
from ftapp.auth.store import identity_from_cookie_header, sign_out

if TYPE_CHECKING:
    from reflex.app import App

__all__ = ["RequireSession", "SessionBinding", "current_user", "sign_out", "to_login_script"]


async def current_user(state: BaseState) -> Identity | None:
    """The signed-in person whose browser sent the event being handled, or None."""
    return await identity_from_cookie_header(state.router.headers.cookie)


class SessionBinding(rx.State):
    """Which sign-in session this tab's state belongs to (a backend-only var: never sent)."""

    _owner: str = ""


def to_login_script() -> str:
    """JavaScript that leaves the app for the sign-in page, coming back here afterwards."""
    login = json.dumps(f"{paths.LOGIN}?next=")
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
            return StateUpdate(events=Event.from_event_type(rx.call_script(to_login_script())))
        binding = await state.get_state(SessionBinding)
        if binding._owner != identity.session_key:
            if binding._owner:  # built under another sign-in (same tab, or a copied token)
                return StateUpdate(
                    events=Event.from_event_type(rx.call_script(NEW_TAB_STATE_SCRIPT))
                )
            binding._owner = identity.session_key
        return None
