"""Where Prometheus reads ftapp's metrics (:mod:`ftapp.metrics`), and how every worker's
count reaches one scrape.

- **Its own port** (``FT_METRICS_PORT``, 9464; ``0`` off) on ``FT_METRICS_ADDRESS``
  (127.0.0.1): not the app's public port, so a proxy that publishes the app does not publish
  it. Every worker process tries to listen there; one does, the others try again every
  :data:`RETRY_SECONDS` (so another takes over when it stops). With ``FT_METRICS_TOKEN`` it
  also wants ``Authorization: Bearer <token>``.
- **The app's port**, only with ``FT_METRICS_TOKEN``: ``/metrics`` with that bearer token
  (:class:`MetricsRoute`, outside the sign-in gate); without the token it is not served there.

Several workers (Reflex on Redis) write their values to files in one folder per start,
``data/metrics/<start id>`` (prometheus-client's multiprocess mode, set up by ``rxconfig.py``
through :func:`share_between_workers` before any worker exists); whichever serves a scrape
sums them. Without a start (tests, the command line) one process counts in memory.
"""

from __future__ import annotations

import asyncio
import atexit
import hmac
import logging
import os
import shutil
import socket
import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

from ftapp.settings import Settings, current_settings
from ftapp.startup import is_reflex_run, start_id

log = logging.getLogger(__name__)

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
PATH = "/metrics"
RETRY_SECONDS = 10.0
"""How often a worker that does not serve the metrics port tries to take it over."""
SAMPLE_SECONDS = 2.0
"""How often each worker counts its open sockets and following tabs."""


def share_between_workers(root: Path, argv: list[str] | None = None) -> None:
    """In ``reflex run``, before its workers exist: a fresh folder under ``root`` for this
    start's metrics, named in the environment every worker inherits (the previous start's
    folder is removed: one app runs per checkout)."""
    if MULTIPROCESS_ENV in os.environ or not is_reflex_run(sys.argv if argv is None else argv):
        return
    shutil.rmtree(root, ignore_errors=True)
    folder = root / start_id()
    folder.mkdir(parents=True, mode=0o700)
    os.environ[MULTIPROCESS_ENV] = str(folder)


def registry() -> Any:
    """What a scrape reads: every worker's values summed, or this process's."""
    from prometheus_client import REGISTRY, CollectorRegistry, multiprocess

    if not os.environ.get(MULTIPROCESS_ENV):
        return REGISTRY
    summed = CollectorRegistry()
    multiprocess.MultiProcessCollector(summed)
    return summed


def exposition() -> tuple[bytes, str]:
    """The metrics in Prometheus' text format, and its content type."""
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

    return generate_latest(registry()), CONTENT_TYPE_LATEST


def bearer_ok(header: str | None, settings: Settings) -> bool:
    """True when no token is configured, or ``header`` is ``Bearer <the token>``."""
    if settings.metrics_token is None:
        return True
    expected = f"Bearer {settings.metrics_token.get_secret_value()}".encode()
    return hmac.compare_digest((header or "").encode(), expected)


# --- the metrics port ----------------------------------------------------------------------


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Scrapes every few seconds would fill the log."""


def _wsgi_app(settings: Settings) -> Callable[..., Iterable[bytes]]:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != PATH or environ.get("REQUEST_METHOD") not in (
            "GET",
            "HEAD",
        ):
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"Not found\n"]
        if not bearer_ok(environ.get("HTTP_AUTHORIZATION"), settings):
            start_response(
                "401 Unauthorized",
                [("Content-Type", "text/plain"), ("WWW-Authenticate", "Bearer")],
            )
            return [b"A bearer token is needed\n"]
        body, content_type = exposition()
        start_response("200 OK", [("Content-Type", content_type), ("Cache-Control", "no-store")])
        return [body]

    return app


def _server_class(address: str) -> type:
    from prometheus_client.exposition import ThreadingWSGIServer

    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    return type("MetricsServer", (ThreadingWSGIServer,), {"address_family": family})


async def serve_metrics_port() -> None:
    """Serve ``/metrics`` on ``FT_METRICS_PORT`` for as long as the app runs (an async Reflex
    lifespan task), or keep trying to, should another worker serve it."""
    settings = current_settings()
    if not settings.metrics_port:
        return
    app, announced = _wsgi_app(settings), False
    while True:
        try:
            server = make_server(
                settings.metrics_address,
                settings.metrics_port,
                app,
                server_class=_server_class(settings.metrics_address),
                handler_class=_Quiet,
            )
        except OSError:  # another worker serves it (or another program holds the port)
            if not announced:
                log.info(
                    "Metrics: port %d is taken (another worker serves it); trying again "
                    "every %g s.",
                    settings.metrics_port,
                    RETRY_SECONDS,
                )
                announced = True
            await asyncio.sleep(RETRY_SECONDS)
            continue
        break
    thread = threading.Thread(target=server.serve_forever, name="metrics", daemon=True)
    thread.start()
    log.info(
        "Metrics at http://%s:%d%s%s.",
        settings.metrics_address,
        settings.metrics_port,
        PATH,
        " (bearer token required)" if settings.metrics_token else "",
    )
    try:
        await asyncio.Event().wait()  # until the app stops
    finally:
        server.shutdown()
        server.server_close()


# --- the app's own port --------------------------------------------------------------------


class MetricsRoute:
    """ASGI layer: ``/metrics`` on the app's port with ``FT_METRICS_TOKEN`` as a bearer token
    (401 without it); everything else, and ``/metrics`` when no token is set, passes on."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        settings = current_settings()
        if scope["type"] != "http" or scope.get("path") != PATH or settings.metrics_token is None:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        authorization = headers.get(b"authorization", b"").decode("latin-1")
        if not bearer_ok(authorization, settings):
            await _answer(send, 401, b"A bearer token is needed\n", b"text/plain")
            return
        body, content_type = await asyncio.to_thread(exposition)
        await _answer(send, 200, body, content_type.encode())


async def _answer(send: Any, status: int, body: bytes, content_type: bytes) -> None:
    headers = [(b"content-type", content_type), (b"cache-control", b"no-store")]
    if status == 401:
        headers.append((b"www-authenticate", b"Bearer"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


# --- what each worker samples ----------------------------------------------------------------


def forget_at_exit() -> None:
    """When this worker process ends, its live counts (sockets, tabs, leases) leave the sums."""
    if os.environ.get(MULTIPROCESS_ENV):
        from prometheus_client import multiprocess

        atexit.register(multiprocess.mark_process_dead, os.getpid())


async def sample_connections(app: Any) -> None:
    """Count this worker's open sockets and following tabs every :data:`SAMPLE_SECONDS` (an
    async Reflex lifespan task); a worker that stops takes its counts with it."""
    from ftapp import metrics
    from ftapp.guard import subscriptions

    forget_at_exit()
    while True:
        namespace = app.event_namespace
        sockets = len(namespace.sid_to_token) if namespace is not None else 0
        metrics.connections(sockets, subscriptions.active_count())
        await asyncio.sleep(SAMPLE_SECONDS)
