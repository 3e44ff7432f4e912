"""The app under measurement: production mode against a standalone sandbox on loopback."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ftapp.settings import SANDBOX_DEMO_KEY
from tests.helpers.servers import SandboxLauncher, SandboxProcess, ServerProcess, start_app


@contextlib.contextmanager
def app_on_a_sandbox(speed: float = 10.0) -> Iterator[tuple[ServerProcess, SandboxProcess]]:
    """Start a sandbox (time running ``speed`` times faster) and the app using it with the
    demo key; both stop when the block ends. Their logs go to a printed temporary folder."""
    workdir = Path(tempfile.mkdtemp(prefix="ftapp-bench-"))
    print(f"logs in {workdir}", file=sys.stderr)
    launcher = SandboxLauncher(workdir)
    try:
        sandbox = launcher(speed=speed)
        env = {"FT_API_BASE_URL": sandbox.api_url, "FT_API_KEY": SANDBOX_DEMO_KEY}
        app = start_app(env, workdir / "app.log")
        try:
            yield app, sandbox
        finally:
            app.stop()
    finally:
        launcher.stop_all()


def running_app(url: str) -> ServerProcess:
    """An app already running at ``url`` (e.g. from ``bench/serve.py``), to measure as is."""
    return ServerProcess(process=None, url=url.rstrip("/"), log_path=Path(os.devnull))
