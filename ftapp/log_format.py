"""How ftapp's log lines look: a line a person reads (the default), or one JSON object per
line for a log system (``FT_LOG_FORMAT=json``).

Each line says when, how grave, which part of ftapp, and what happened; a JSON line also
carries what it happened to, when known: the HTTP request's id, the browser tab (a short
hash of its token, never the token), the signed-in person, the workspace, and the outcome a
call site gives (``extra={"outcome": "refused"}``). Those come from :func:`bind`, called where
a request or an event starts (:class:`RequestIds`, the event gate, the session check) and
where a workspace is entered. Nothing secret is ever bound: no key, session token, cookie or
password; messages are made safe where they are written (``ftapp.guard.text.one_line``).
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import logging
import secrets
import sys
from datetime import UTC, datetime
from typing import Any

_context: contextvars.ContextVar[dict[str, str]] = contextvars.ContextVar("ftapp_log_context")
FIELDS = ("request", "tab", "user", "workspace")
"""What :func:`bind` may set, in the order a JSON line lists them."""
_MARK = "_ftapp_handler"


def bind(**fields: str | None) -> None:
    """Add these facts (of :data:`FIELDS`) to every line the current request or event logs
    from now on; None removes one."""
    current = dict(_context.get({}))
    for name, value in fields.items():
        if name not in FIELDS:
            raise ValueError(f"not a log context field: {name}")
        if value is None:
            current.pop(name, None)
        else:
            current[name] = value
    _context.set(current)


def start(**fields: str | None) -> None:
    """Forget what an earlier request or event of this task bound, then :func:`bind`."""
    _context.set({})
    bind(**fields)


def tab_id(client_token: str) -> str:
    """A short id of a browser tab for the log: a hash of its token, not the token."""
    return hashlib.sha256(client_token.encode()).hexdigest()[:12]


def new_request_id() -> str:
    """A random id for one HTTP request."""
    return secrets.token_hex(8)


class JsonLines(logging.Formatter):
    """One JSON object per record: time, level, logger, event, then the bound facts, the
    outcome and the error, when there are."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "event": record.getMessage(),
        }
        line.update(_context.get({}))
        if isinstance(outcome := getattr(record, "outcome", None), str):
            line["outcome"] = outcome
        if record.exc_info and record.exc_info[0] is not None:
            line["error"] = record.exc_info[0].__name__
            line["traceback"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure(log_format: str) -> None:
    """Send log lines to standard error in ``log_format`` (``text`` or ``json``): ftapp's
    from INFO, other libraries' from WARNING. Calling it again replaces the handler."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, _MARK, False)]:
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    setattr(handler, _MARK, True)
    handler.setFormatter(JsonLines() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > logging.WARNING:
        root.setLevel(logging.WARNING)
    ftapp_logger = logging.getLogger("ftapp")
    if ftapp_logger.level == logging.NOTSET:
        ftapp_logger.setLevel(logging.INFO)


class RequestIds:
    """ASGI layer: each HTTP request and WebSocket gets an id in the log context (and the
    response an ``X-Request-ID`` header, to find its lines)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id = new_request_id()
        start(request=request_id)

        async def send_with_id(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_id if scope["type"] == "http" else send)
