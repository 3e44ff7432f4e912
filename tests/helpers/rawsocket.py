"""A raw Socket.IO client for Reflex's ``/_event`` WebSocket: what an attacker's script speaks.

Engine.IO v4 over one WebSocket (wsproto, no browser): the client picks its own tab token,
hydrates, and sends any event name with any payload, as a browser never would. Replies are
decoded into :class:`Reply` objects (state deltas and the events the server asks the browser
to run).

    async with RawReflexClient.connect(app_url, origin=app_url) as client:
        await client.hydrate("/w/default")
        await client.send(DashboardState, "sort_by", {"column": "name"})
        replies = await client.replies(within=2)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import ssl
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    CloseConnection,
    Message,
    RejectConnection,
    RejectData,
    Request,
    TextMessage,
)

NAMESPACE = "/_event"
ROOT_STATE = "reflex___state____state"


class Refused(Exception):
    """The server refused the WebSocket upgrade."""

    def __init__(self, status_code: int, body: bytes) -> None:
        super().__init__(f"WebSocket refused: HTTP {status_code}")
        self.status_code = status_code
        self.body = body


@dataclass
class Reply:
    """One ``event`` message from the server: a state delta and events for the browser."""

    delta: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)

    def var(self, name: str) -> Any:
        """The value of var ``name`` in this delta (any state), or KeyError."""
        for changes in self.delta.values():
            if f"{name}_rx_state_" in changes:
                return changes[f"{name}_rx_state_"]
        raise KeyError(name)


def handler_name(state: Any, handler: str) -> str:
    """The wire name of ``state``'s handler, e.g. ``reflex___state____state.….sort_by``."""
    return f"{state.get_full_name()}.{handler}"


class RawReflexClient:
    """One tab's connection, driven by hand."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.ws = WSConnection(ConnectionType.CLIENT)
        self.messages: asyncio.Queue[str] = asyncio.Queue()
        self.closed = asyncio.Event()
        self._partial = ""
        self._pump: asyncio.Task | None = None
        self.token = ""

    @classmethod
    @contextlib.asynccontextmanager
    async def connect(
        cls,
        app_url: str,
        *,
        origin: str | None = None,
        token: str | None = None,
        cookie: str | None = None,
        tls: ssl.SSLContext | None = None,
        local_address: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> AsyncIterator[RawReflexClient]:
        """Open ``/_event`` on ``app_url``; raises :class:`Refused` if the upgrade fails.

        ``tls``: for an ``https`` URL (the context that trusts its certificate);
        ``local_address``: the address to connect from (any 127.x.x.x on loopback);
        ``headers``: more headers for the upgrade request (e.g. a forged X-Forwarded-For).
        """
        parts = urlsplit(app_url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        reader, writer = await asyncio.open_connection(
            parts.hostname,
            port,
            ssl=tls if parts.scheme == "https" else None,
            local_addr=(local_address, 0) if local_address else None,
        )
        client = cls(reader, writer)
        extra = [(name.encode(), value.encode()) for name, value in (headers or {}).items()]
        try:
            await client._upgrade(parts.netloc, token or str(uuid.uuid4()), origin, cookie, extra)
            yield client
        finally:
            await client.close()

    async def _upgrade(
        self,
        host: str,
        token: str,
        origin: str | None,
        cookie: str | None,
        extra: list[tuple[bytes, bytes]],
    ) -> None:
        self.token = token
        headers = list(extra)
        if origin is not None:
            headers.append((b"origin", origin.encode()))
        if cookie is not None:
            headers.append((b"cookie", cookie.encode()))
        target = f"{NAMESPACE}/?EIO=4&transport=websocket&token={token}"
        await self._write(self.ws.send(Request(host=host, target=target, extra_headers=headers)))
        while True:
            data = await asyncio.wait_for(self.reader.read(65536), 10)
            if not data:
                raise Refused(0, b"connection closed")
            self.ws.receive_data(data)
            events = list(self.ws.events())
            for index, event in enumerate(events):
                if isinstance(event, RejectConnection):
                    body = b"".join(e.data for e in events if isinstance(e, RejectData))
                    raise Refused(event.status_code, body)
                if isinstance(event, AcceptConnection):
                    for rest in events[index + 1 :]:
                        await self._handle(rest)
                    self._pump = asyncio.create_task(self._read_forever())
                    opening = await self._next_message(10)
                    assert opening.startswith("0{"), opening  # Engine.IO OPEN
                    return

    async def _write(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def _handle(self, event: object) -> None:
        if isinstance(event, TextMessage):
            self._partial += event.data
            if event.message_finished:
                text, self._partial = self._partial, ""
                if text == "2":  # Engine.IO ping: answer, or the server drops the socket
                    await self.send_raw("3")
                else:
                    await self.messages.put(text)
        elif isinstance(event, CloseConnection):
            self.closed.set()

    async def _read_forever(self) -> None:
        try:
            while data := await self.reader.read(1 << 20):
                self.ws.receive_data(data)
                for event in self.ws.events():
                    await self._handle(event)
        except (ConnectionError, OSError):
            pass
        finally:
            self.closed.set()

    async def _next_message(self, seconds: float) -> str:
        return await asyncio.wait_for(self.messages.get(), seconds)

    async def send_raw(self, text: str) -> None:
        """Send one Engine.IO text frame as it is (malformed ones included)."""
        await self._write(self.ws.send(Message(data=text)))

    async def hydrate(self, path: str = "/") -> None:
        """Join the namespace with the browser's boot event (hydrate and the page's on_load)."""
        boot = {
            "name": f"{ROOT_STATE}.hydrate_and_load",
            "payload": {},
            "router_data": _router_data(path),
        }
        await self.send_raw(f"40{NAMESPACE}," + json.dumps({"event": boot}))

    async def send_named(
        self, name: str, payload: Any, path: str = "/", query: dict[str, str] | None = None
    ) -> None:
        """Send an event by its wire name with any payload; ``query``: what the browser says
        of its page's parameters (a dynamic route's segments too, e.g. the workspace)."""
        router_data: dict[str, Any] = {"pathname": path, "asPath": path}
        if query is not None:
            router_data["query"] = query
        event = {"name": name, "payload": payload, "router_data": router_data}
        await self.send_raw(f"42{NAMESPACE}," + json.dumps(["event", event]))

    async def send(
        self,
        state: Any,
        handler: str,
        payload: Any,
        path: str = "/",
        query: dict[str, str] | None = None,
    ) -> None:
        """Send ``state``'s ``handler`` with ``payload`` (any JSON, as a script would)."""
        await self.send_named(handler_name(state, handler), payload, path, query)

    async def replies(self, within: float = 2.0, until: Any = None) -> list[Reply]:
        """The replies that arrive within ``within`` seconds (or until ``until(reply)``)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        found: list[Reply] = []
        while (left := deadline - loop.time()) > 0:
            try:
                text = await self._next_message(left)
            except TimeoutError:
                break
            reply = _decode(text)
            if reply is None:
                continue
            found.append(reply)
            if until is not None and until(reply):
                break
        return found

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self._write(self.ws.send(CloseConnection(code=1000)))
        if self._pump is not None:
            self._pump.cancel()
            with contextlib.suppress(BaseException):
                await self._pump
        self.writer.close()
        with contextlib.suppress(Exception):
            await self.writer.wait_closed()


def _router_data(path: str) -> dict[str, Any]:
    """What the browser says about its page: the path, the full path and the query (with the
    route's parameters, as the browser's router adds them: the workspace of ``/w/<slug>``)."""
    parts = urlsplit(path)
    query = dict(parse_qsl(parts.query))
    if parts.path.startswith("/w/"):
        query["workspace_slug"] = parts.path.split("/")[2]
    return {"pathname": parts.path, "asPath": path, "query": query}


def _decode(text: str) -> Reply | None:
    prefix = f"42{NAMESPACE},"
    if not text.startswith(prefix):
        return None
    name, *args = json.loads(text[len(prefix) :])
    if name != "event" or not args or not isinstance(args[0], dict):
        return None
    return Reply(delta=args[0].get("delta") or {}, events=args[0].get("events") or [])
