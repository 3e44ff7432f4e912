"""The ASGI layers around the Reflex app (its ``api_transformer``): they see every page, asset,
WebSocket upgrade and API request before Reflex does.

- :class:`SecurityHeaders`: CSP (:mod:`ftapp.csp`), frame and sniffing protection on every
  HTTP response;
- :class:`OriginGuard`: a request or WebSocket that names another site as its Origin is
  refused (Reflex's own allowed-origins check covers only ``/_event``);
- :class:`OnPageRequest`: runs a callback when a browser asks for a page (e.g. to load the
  page's data while the browser loads its scripts);
- :func:`mount` and :func:`with_routes`: extra ASGI apps under a path (the embedded sandbox)
  and plain HTTP routes (sign-in), without the CORS headers Reflex would add to a Starlette
  transformer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse
from starlette.routing import BaseRoute, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocketClose

from ftapp import csp
from ftapp.guard.text import one_line

log = logging.getLogger("ftapp.requests")

SECURITY_HEADERS: dict[str, str] = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"
_LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")


def allowed_origins(public_origin: str) -> list[str]:
    """The origins that may open the WebSocket: the public one, and when that is a loopback
    address, its other spellings on the same port (``localhost`` and ``127.0.0.1``)."""
    parts = urlsplit(public_origin)
    if parts.hostname not in ("localhost", "127.0.0.1", "::1"):
        return [public_origin]
    port = f":{parts.port}" if parts.port else ""
    return [f"{parts.scheme}://{name}{port}" for name in _LOOPBACK_NAMES]


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS`, a Content-Security-Policy (and HSTS over https) to every
    HTTP response that has none of its own.

    An HTML response gets ``page_policy()`` (e.g. :class:`ftapp.csp.PagePolicy`, naming the
    built pages' inline scripts); anything else the policy that lets no inline script run.
    """

    def __init__(
        self, app: ASGIApp, *, hsts: bool = False, page_policy: Callable[[], str] = csp.policy
    ) -> None:
        self.app = app
        self.page_policy = page_policy
        self.headers = dict(SECURITY_HEADERS)
        if hsts:
            self.headers["strict-transport-security"] = HSTS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
                if "content-security-policy" not in headers:
                    is_page = headers.get("content-type", "").startswith("text/html")
                    policy = self.page_policy() if is_page else csp.NO_INLINE_SCRIPTS
                    headers["content-security-policy"] = policy
            await send(message)

        await self.app(scope, receive, send_with_headers)


class OriginGuard:
    """Refuses a request or WebSocket whose ``Origin`` header names another site.

    Browsers send ``Origin`` on every WebSocket and on cross-site fetches and form posts, so
    a page elsewhere cannot drive ftapp through its visitor's browser. A request without
    ``Origin`` (a navigation, a script's own request) passes: it is not a browser acting
    for another site, and the sign-in gate still applies to it.
    """

    def __init__(self, app: ASGIApp, *, origins: Iterable[str]) -> None:
        self.app = app
        self.origins = frozenset(origin.lower() for origin in origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            origin = Headers(scope=scope).get("origin")
            if origin is not None and origin.lower() not in self.origins:
                log.warning(
                    "refused a %s from another origin: %s", scope["type"], one_line(origin, 100)
                )
                if scope["type"] == "websocket":
                    # Closing before accepting answers the upgrade with HTTP 403.
                    await WebSocketClose(code=1008)(scope, receive, send)
                else:
                    await PlainTextResponse("Cross-site request refused.", status_code=403)(
                        scope, receive, send
                    )
                return
        await self.app(scope, receive, send)


MAX_SEGMENT = 200
"""Path segments longer than this are not looked up as files (a filesystem refuses names over
255 bytes, and Starlette then answers a bare "Not Found")."""


class ShortPaths:
    """Serves a page whose address has a very long segment (e.g. a pasted 5,000-character job
    id) as it serves any other: the long segment is not looked up on disk, the browser keeps
    the address, and the app's router shows the right page (a job page, or the 404 page)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and any(
            len(segment) > MAX_SEGMENT for segment in scope.get("path", "").split("/")
        ):
            path = "/".join(
                "_" if len(segment) > MAX_SEGMENT else segment
                for segment in scope["path"].split("/")
            )
            scope = dict(scope, path=path, raw_path=path.encode())
        await self.app(scope, receive, send)


class LegacyPaths:
    """Redirects (307) a GET for a path of the pages before workspaces to where that page is
    now (``target(path, query, last workspace)``: ``/`` to the workspace this browser used
    last, ``/jobs/...`` and the others to the default workspace's), so old links work."""

    def __init__(
        self, app: ASGIApp, target: Callable[[str, str, str | None], str | None], cookie: str
    ) -> None:
        self.app = app
        self.target = target
        self.cookie = cookie

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            last = Request(scope).cookies.get(self.cookie)
            query = scope.get("query_string", b"").decode("latin-1")
            location = self.target(scope["path"], query, last)
            if location is not None:
                response = RedirectResponse(location, status_code=307)
                response.headers["cache-control"] = "no-store"
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class OnPageRequest:
    """Calls ``callback(path)`` when a browser asks for a page whose path ``wanted`` accepts
    (a GET for HTML), then serves it as usual. The callback must be quick and must not fail
    the page: an exception is logged, not raised."""

    def __init__(
        self, app: ASGIApp, wanted: Callable[[str], bool], callback: Callable[[str], None]
    ) -> None:
        self.app = app
        self.wanted = wanted
        self.callback = callback

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] == "GET"
            and self.wanted(scope["path"])
            and "text/html" in Headers(scope=scope).get("accept", "")
        ):
            try:
                self.callback(scope["path"])
            except Exception:
                log.exception("page request hook failed")
        await self.app(scope, receive, send)


async def not_found(scope: Scope, receive: Receive, send: Send) -> None:
    """A bare 404 for every request (e.g. what is mounted where nothing is served)."""
    if scope["type"] == "websocket":
        await WebSocketClose(code=1008)(scope, receive, send)
        return
    response = PlainTextResponse("Not found.", status_code=404)
    response.headers["cache-control"] = "no-store"
    await response(scope, receive, send)


def mount(prefix: str, mounted: ASGIApp) -> Callable[[ASGIApp], ASGIApp]:
    """A transformer serving ``mounted`` under ``prefix`` (as Starlette's Mount does: the
    prefix moves into ``root_path``) and everything else from the app it wraps."""

    def transform(app: ASGIApp) -> ASGIApp:
        async def dispatch(scope: Scope, receive: Receive, send: Send) -> None:
            path = scope.get("path", "")
            if scope["type"] in ("http", "websocket") and (
                path == prefix or path.startswith(prefix + "/")
            ):
                child = dict(scope, root_path=scope.get("root_path", "") + prefix)
                await mounted(child, receive, send)
                return
            await app(scope, receive, send)

        return dispatch

    return transform


def with_routes(routes: list[BaseRoute]) -> Callable[[ASGIApp], ASGIApp]:
    """A transformer answering ``routes`` itself and passing everything else on."""

    def transform(app: ASGIApp) -> ASGIApp:
        return Router(routes=routes, redirect_slashes=False, default=app)

    return transform
