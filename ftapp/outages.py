"""When Redis or the app database cannot be reached: a message and a 503, never a 500.

Every request that needs Redis (on Redis: sessions, and Reflex's own state) or the app
database (accounts, sessions, sign-in attempts) fails while that store is down, locked or
busy. :class:`Unavailable`, an ASGI layer around the sign-in gate and the sign-in routes,
answers such a request with ``503 Service Unavailable`` and ``Retry-After``: a short page for
a browser's navigation, one line of text otherwise. A WebSocket upgrade is refused: with that
503 where the server can send a body with the refusal, else with the server's 403 (granian).
It logs one WARNING line per request, without a traceback. An HTTP request also waits only
briefly for a locked SQLite database (:func:`ftapp.database.person_waiting`).

:func:`unreachable_store` is the one rule for which errors mean "a store cannot be reached
right now" (not a bug); the live pages and the event error handler use it too.
"""

from __future__ import annotations

import logging
from html import escape

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketClose

from ftapp import database
from ftapp.auth import pages
from ftapp.guard.text import one_line

log = logging.getLogger(__name__)

REDIS = "Redis"
DATABASE = "the app database"
RETRY_AFTER_SECONDS = 5
"""What a 503 asks the client to wait before trying again."""
_WHY = {
    REDIS: "ftapp cannot reach Redis, where it keeps sign-ins and open pages.",
    DATABASE: "ftapp cannot reach its database right now (it is down or busy).",
}


def unreachable_store(error: BaseException) -> str | None:
    """Which store ``error`` says cannot be reached right now (:data:`REDIS` or
    :data:`DATABASE`), or None when it says something else (a bug, a refusal)."""
    if isinstance(error, BaseExceptionGroup):
        found = (unreachable_store(inner) for inner in error.exceptions)
        return next((store for store in found if store is not None), None)
    if isinstance(error, RedisConnectionError | RedisTimeoutError):
        return REDIS
    if database.unreachable(error):
        return DATABASE
    return None


def explanation(store: str) -> str:
    """What a person is told while ``store`` cannot be reached."""
    return f"{_WHY[store]} Try again in a few seconds."


def unavailable_response(scope: Scope, store: str) -> Response:
    """The 503 for an HTTP request: a page for a browser's navigation, else one line."""
    headers = {"retry-after": str(RETRY_AFTER_SECONDS), "cache-control": "no-store"}
    if _is_navigation(scope):
        body = (
            f"<h1>ftapp is unavailable for a moment</h1><p>{escape(explanation(store))}</p>"
            '<a class="button" href="">Try again</a>'
        )
        response: Response = pages.page("Unavailable", body, status=503)
        response.headers.update(headers)
        return response
    return PlainTextResponse(explanation(store), status_code=503, headers=headers)


def _is_navigation(scope: Scope) -> bool:
    return scope.get("method") in ("GET", "HEAD", "POST") and "text/html" in Headers(
        scope=scope
    ).get("accept", "")


class Unavailable:
    """ASGI middleware: a request that fails because Redis or the app database cannot be
    reached gets a 503 with ``Retry-After`` (see the module) instead of a 500."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)  # lifespan
            return
        started = False

        async def watched_send(message: Message) -> None:
            nonlocal started
            if message["type"] in ("http.response.start", "websocket.accept"):
                started = True
            await send(message)

        try:
            if scope["type"] == "http":
                with database.person_waiting():
                    await self.app(scope, receive, watched_send)
            else:
                await self.app(scope, receive, watched_send)
        except Exception as error:
            store = unreachable_store(error)
            if store is None:
                raise
            answer = (
                f"503 for {scope['method']}" if scope["type"] == "http" else "refused WebSocket"
            )
            log.warning(
                "%s %s: %s cannot be reached (%s)",
                answer,
                one_line(scope.get("path", ""), 100),
                store,
                type(error).__name__,
            )
            if not started:  # otherwise the response is cut short: nothing more to say
                await _refuse(scope, receive, send, store)


async def _refuse(scope: Scope, receive: Receive, send: Send, store: str) -> None:
    response = unavailable_response(scope, store)
    if scope["type"] == "http":
        await response(scope, receive, send)
    elif "websocket.http.response" in scope.get("extensions", {}):
        await WebSocket(scope, receive, send).send_denial_response(response)
    else:  # closed before accept: the server answers the upgrade with HTTP 403
        await WebSocketClose(code=1013)(scope, receive, send)
