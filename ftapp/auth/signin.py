"""Starting a session after a successful sign-in, whichever way in (token, password, SSO)."""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ftapp.auth import cookies
from ftapp.auth.models import User
from ftapp.auth.pages import SECURITY_HEADERS
from ftapp.auth.sessions import session_key_of, token_digest
from ftapp.auth.store import session_store
from ftapp.guard.text import one_line
from ftapp.settings import Settings

log = logging.getLogger(__name__)


async def start_session(
    request: Request, user: User, next_path: str, settings: Settings, *, method: str
) -> Response:
    """A fresh session for ``user`` (any session this browser had is ended first: no
    fixation), its cookie, and a 303 to ``next_path`` (already checked by the caller)."""
    assert user.id is not None
    store = session_store()
    if old := cookies.session_token(request.headers.get("cookie"), settings):
        await store.revoke(old)
    token = await store.create(user.id)
    response = RedirectResponse(next_path, status_code=303, headers=SECURITY_HEADERS)
    cookies.set_cookie(response, cookies.SESSION, token, settings.session_max_seconds, settings)
    log.info(
        "Signed in %s (%s, role %s, session %s).",
        one_line(user.username),
        method,
        user.role,
        session_key_of(token_digest(token)),
    )
    return response
