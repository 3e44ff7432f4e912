"""The gate: ASGI middleware in front of everything the Reflex backend serves.

Added last in Reflex's ``api_transformer`` list, it sees every HTTP request and WebSocket
upgrade: pages, ``/assets/*``, ``/_event``, ``/_upload``, custom routes. Public paths pass
(:func:`ftapp.routes.is_public`); everything else needs a live session, re-checked on every request:

- a WebSocket upgrade without one is refused before accept (HTTP 403), as is one from another
  site's page (Origin);
- an HTML page request is sent to ``/login?next=...`` (303); anything else gets a bare 401;
- a path that is not canonical (dot segments, ``//``, backslashes) gets 400.

Gated responses carry ``Cache-Control: no-store`` (a signed-out browser must not show pages
from its cache), except hashed build assets, which may stay in the browser's private cache.
The identity is put in ``scope["ftapp.identity"]``.

A page pulls about 25 content-hashed build files at once, the same code for everyone and no
data: a session the gate checked in the last :data:`ASSET_PASS_SECONDS` fetches them without
another lookup (a session database query each, serialized on the server while the page
waits). Pages, events, uploads and WebSocket upgrades are checked every time.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections import OrderedDict
from collections.abc import Callable

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketClose

from ftapp import database, routes
from ftapp.auth import csrf
from ftapp.auth.roles import Identity
from ftapp.auth.sessions import identity_from_cookie_header
from ftapp.settings import current_settings

SCOPE_KEY = "ftapp.identity"
NO_STORE = b"no-store"
IMMUTABLE = b"private, max-age=31536000, immutable"
# Vite's content-hashed build files, e.g. /assets/root-BdRPQKd2.js(.gz)
_HASHED_ASSET = re.compile(r"/assets/[^/]+-[A-Za-z0-9_-]{8}\.[a-z0-9]+(\.(gz|br|zst))?")
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ASSET_PASS_SECONDS = 2.0


class RecentSessions:
    """Cookie headers that signed someone in, for ``seconds`` after the gate checked them
    (kept as digests; at most ``size``, the oldest forgotten first)."""

    def __init__(
        self, seconds: float, size: int = 1024, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.seconds = seconds
        self.size = size
        self.clock = clock
        self._checked: OrderedDict[str, tuple[float, Identity]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._checked)

    @staticmethod
    def _key(cookie_header: str) -> str:
        return hashlib.sha256(cookie_header.encode()).hexdigest()

    def get(self, cookie_header: str | None) -> Identity | None:
        """The identity ``cookie_header`` signed in, if checked recently enough."""
        if not cookie_header:
            return None
        found = self._checked.get(self._key(cookie_header))
        if found is None or self.clock() - found[0] > self.seconds:
            return None
        return found[1]

    def add(self, cookie_header: str, identity: Identity) -> None:
        key = self._key(cookie_header)
        self._checked.pop(key, None)
        self._checked[key] = (self.clock(), identity)
        while len(self._checked) > self.size:
            self._checked.popitem(last=False)


RECENT = RecentSessions(ASSET_PASS_SECONDS)


class AuthGate:
    """ASGI middleware: only signed-in browsers get past, except to public paths."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)  # lifespan
            return
        path: str = scope["path"]
        if not routes.is_canonical(path, scope.get("raw_path")):
            await _refuse(scope, receive, send, 400)
            return
        if routes.is_public(path):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        changes_state = scope["type"] == "websocket" or scope["method"] not in _SAFE_METHODS
        if changes_state and csrf.same_origin(headers, current_settings()) is False:
            await _refuse(scope, receive, send, 403)
            return
        cookie = headers.get("cookie")
        hashed_asset = scope["type"] == "http" and _HASHED_ASSET.fullmatch(path) is not None
        identity = RECENT.get(cookie) if hashed_asset else None
        if identity is None:
            with database.person_waiting():  # a person waits on every lookup (a WebSocket's too)
                identity = await identity_from_cookie_header(cookie)
            if identity is None:
                await _refuse(scope, receive, send, 401)
                return
            RECENT.add(cookie or "", identity)
        scope[SCOPE_KEY] = identity
        if scope["type"] == "http":
            send = _with_cache_control(send, IMMUTABLE if hashed_asset else NO_STORE)
        await self.app(scope, receive, send)


def _with_cache_control(send: Send, value: bytes) -> Send:
    async def send_with_header(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [
                (name, content)
                for name, content in message.get("headers", [])
                if name.lower() != b"cache-control"
            ]
            message = {**message, "headers": [*headers, (b"cache-control", value)]}
        await send(message)

    return send_with_header


async def _refuse(scope: Scope, receive: Receive, send: Send, status: int) -> None:
    if scope["type"] == "websocket":
        if "websocket.http.response" in scope.get("extensions", {}):
            denial = PlainTextResponse("Forbidden", 403, headers={"cache-control": "no-store"})
            await WebSocket(scope, receive, send).send_denial_response(denial)
        else:  # closed before accept: the server answers the upgrade with HTTP 403
            await WebSocketClose(code=1008)(scope, receive, send)
        return
    response: Response
    if status == 401 and _wants_a_page(scope):
        target = scope["path"]
        if query := scope.get("query_string", b"").decode("latin-1"):
            target += f"?{query}"
        response = RedirectResponse(routes.login_url(target), status_code=303)
    else:
        response = Response(status_code=status)
    response.headers["cache-control"] = "no-store"
    await response(scope, receive, send)


def _wants_a_page(scope: Scope) -> bool:
    headers = Headers(scope=scope)
    return scope["method"] in ("GET", "HEAD") and "text/html" in headers.get("accept", "")
