"""A fault-injecting HTTP proxy between the app and its API, on loopback, driven from Python.

It forwards every request to ``upstream`` and lets a test decide, per request, what goes
wrong: answer as usual, answer 503 without asking the API, forward the request and then drop
the answer (the API did the work; the caller never hears), or hang. Runs its own event loop
in a thread, so sync tests (Playwright) and async ones can use it alike.

    with FaultProxy("http://127.0.0.1:8100") as proxy:
        proxy.rule = lambda method, path: Fault.DROP_ANSWER if method == "POST" else None
        app = start_app({"FT_API_BASE_URL": proxy.url + "/api", ...})
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from enum import Enum

import httpx


class Fault(Enum):
    """What happens to one request."""

    UNAVAILABLE = "unavailable"
    """Answer 503 at once; the API never sees the request."""
    DROP_ANSWER = "drop_answer"
    """Forward the request, wait for the API's answer, then close the connection instead."""
    HANG = "hang"
    """Never answer (until the proxy stops)."""
    SLOW = "slow"
    """Forward the request and answer, but only after :attr:`FaultProxy.slow_seconds`."""


Rule = Callable[[str, str], Fault | None]
"""``rule(method, path)``: the fault for a request, or None to pass it through."""

_MAX_HEAD = 64 * 1024


class FaultProxy:
    """An HTTP/1.1 reverse proxy on a free loopback port (see the module's doc)."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.rule: Rule = lambda _method, _path: None
        self.slow_seconds = 3.0
        self.seen: list[tuple[str, str, str]] = []
        """``(method, path, what happened)`` for every request, in order."""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.AbstractServer | None = None
        self._hung: list[asyncio.Future] = []
        self._connections: set[asyncio.Task] = set()
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    def __exit__(self, *_exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def count(self, method: str, path: str, outcome: str | None = None) -> int:
        """How many requests for ``method path`` were seen (with ``outcome``, if given)."""
        return sum(
            1
            for seen_method, seen_path, seen_outcome in list(self.seen)
            if (seen_method, seen_path) == (method, path)
            and (outcome is None or seen_outcome == outcome)
        )

    async def _start(self) -> None:
        self._client = httpx.AsyncClient(base_url=self.upstream, timeout=30)
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _stop(self) -> None:
        for future in self._hung:
            future.cancel()
        for task in list(self._connections):
            task.cancel()
        if self._connections:
            await asyncio.wait(self._connections, timeout=2)
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)
        await self._client.aclose()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            while await self._one_request(reader, writer):
                pass
        except (
            ConnectionError,
            asyncio.IncompleteReadError,
            asyncio.LimitOverrunError,
            asyncio.CancelledError,
        ):
            pass
        finally:
            self._connections.discard(task)
            writer.close()

    async def _one_request(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        """Serve one request; False when the connection is to be closed."""
        head = await reader.readuntil(b"\r\n\r\n")
        if len(head) > _MAX_HEAD:
            return False
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        method, target, _version = request_line.split(" ", 2)
        headers = [line.split(":", 1) for line in header_lines if ":" in line]
        length = next((int(v) for k, v in headers if k.strip().lower() == "content-length"), 0)
        body = await reader.readexactly(length) if length else b""
        path = target.split("?", 1)[0]
        fault = self.rule(method, path)
        if fault is Fault.UNAVAILABLE:
            self.seen.append((method, path, "unavailable"))
            await _answer(writer, 503, b'{"error": "Service Unavailable"}')
            return True
        if fault is Fault.HANG:
            self.seen.append((method, path, "hung"))
            hung = asyncio.get_running_loop().create_future()
            self._hung.append(hung)
            with contextlib.suppress(asyncio.CancelledError):
                await hung
            return False
        forwarded = {
            k.strip(): v.strip()
            for k, v in headers
            if k.strip().lower() not in ("host", "content-length", "connection")
        }
        response = await self._client.request(method, target, headers=forwarded, content=body)
        if fault is Fault.SLOW:
            await asyncio.sleep(self.slow_seconds)
        if fault is Fault.DROP_ANSWER:
            self.seen.append((method, path, "answer dropped"))
            return False  # the API did the work; the caller hears nothing
        self.seen.append((method, path, str(response.status_code)))
        await _answer(writer, response.status_code, response.content)
        return True


async def _answer(writer: asyncio.StreamWriter, status: int, body: bytes) -> None:
    head = (
        f"HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\n\r\n"
    )
    writer.write(head.encode() + body)
    await writer.drain()
