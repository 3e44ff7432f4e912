"""Serve a checkout of ftapp for side-by-side benchmarks, until interrupted.

Starts a standalone sandbox (optionally behind a proxy that delays every call, as a hosted
API far away would) and the app of ``--checkout`` (this one by default) in production mode,
signed in with the tests' access token; prints the app's URL. Compare two commits with
``bench/first_data.py --url A --url B``:

    git worktree add /tmp/before ce02183
    .venv/bin/python bench/serve.py --checkout /tmp/before --url-file /tmp/before.url &
    .venv/bin/python bench/serve.py --url-file /tmp/after.url &
    .venv/bin/python bench/first_data.py --url "$(cat /tmp/before.url)" \\
        --url "$(cat /tmp/after.url)" --label before --label after
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

HERE = Path(__file__).resolve().parent.parent


def latency_proxy(origin: str, delay_seconds: float) -> Starlette:
    """Forwards every request to the same path at ``origin``, ``delay_seconds`` later."""
    client = httpx.AsyncClient(base_url=origin, timeout=30)

    async def forward(request: Request) -> Response:
        await asyncio.sleep(delay_seconds)
        upstream = await client.request(
            request.method,
            request.url.path,
            params=request.query_params,
            headers={k: v for k, v in request.headers.items() if k.lower() != "host"},
            content=await request.body(),
        )
        headers = {
            k: v
            for k, v in upstream.headers.items()
            if k.lower() not in ("content-length", "content-encoding", "transfer-encoding")
        }
        return Response(upstream.content, upstream.status_code, headers)

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
    return Starlette(routes=[Route("/{path:path}", forward, methods=methods)])


def serve_in_thread(app: Starlette, port: int) -> None:
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    threading.Thread(target=uvicorn.Server(config).run, daemon=True).start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=30)  # the proxy delays it too
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError("the latency proxy did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkout", type=Path, default=HERE, help="an ftapp checkout")
    parser.add_argument("--upstream-latency-ms", type=float, default=0.0)
    parser.add_argument(
        "--poll-seconds", type=float, help="the feed's poll interval, running and idle alike"
    )
    parser.add_argument("--url-file", type=Path, help="also write the app's URL here")
    args = parser.parse_args()

    checkout = args.checkout.resolve()
    if not (checkout / ".venv").exists():
        (checkout / ".venv").symlink_to(HERE / ".venv")  # its tests start `.venv/bin/reflex`
    sys.path.insert(0, str(checkout))  # that checkout's own helpers start its own app
    try:  # where that checkout keeps its helpers (tests/servers.py before tests/helpers/)
        servers = importlib.import_module("tests.helpers.servers")
    except ModuleNotFoundError:
        servers = importlib.import_module("tests.servers")
    demo_key = importlib.import_module("ftapp.settings").SANDBOX_DEMO_KEY

    workdir = Path(tempfile.mkdtemp(prefix="ftapp-serve-"))
    launcher = servers.SandboxLauncher(workdir)
    sandbox = launcher(speed=10.0)
    api_url = sandbox.api_url
    if args.upstream_latency_ms > 0:
        port = servers.free_port()
        origin = httpx.URL(api_url).copy_with(path="/")
        serve_in_thread(latency_proxy(str(origin), args.upstream_latency_ms / 1000), port)
        api_url = f"http://127.0.0.1:{port}{httpx.URL(api_url).path}"
    app = None
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        env = {"FT_API_BASE_URL": api_url, "FT_API_KEY": demo_key, "PYTHONPATH": str(checkout)}
        if args.poll_seconds:
            env["FT_POLL_RUNNING_SECONDS"] = env["FT_POLL_IDLE_SECONDS"] = str(args.poll_seconds)
        app = servers.start_app(env, workdir / "app.log")
        print(app.url, flush=True)
        if args.url_file:
            args.url_file.write_text(app.url)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        if app is not None:
            app.stop()
        launcher.stop_all()


if __name__ == "__main__":
    main()
