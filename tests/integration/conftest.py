"""Fixtures that run the standalone sandbox (``python -m ftapp.sandbox``) as a real process.

Every sandbox gets a free loopback port and its own SQLite file under ``tmp_path``; it runs in
its own process group and is stopped with SIGTERM (then SIGKILL) when the test ends.

- ``start_sandbox(speed=..., env=..., db_path=...)`` starts one and returns a
  :class:`SandboxProcess`; call ``.restart()`` on it to run a new process on the same db.
- ``sandbox`` is a default sandbox (speed 1); ``sandbox_url`` is its base URL with ``/api``.
- ``shared_sandbox`` is one sandbox per test module, for tests that change nothing.
- ``redis_server`` is a real ``redis-server`` per test module (the cluster tests').
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.servers import RedisProcess, SandboxLauncher, SandboxProcess, start_redis


@pytest.fixture
def start_sandbox(tmp_path: Path) -> Iterator[SandboxLauncher]:
    """Factory: ``start_sandbox(speed=1.0, env=None, keys=None, db_path=None)``.

    Starts a standalone sandbox (default database: a new file in ``tmp_path``); every one
    started is stopped after the test. ``keys`` is a shortcut for
    ``env={"FT_SANDBOX_KEYS": json.dumps(keys)}``.
    """
    launcher = SandboxLauncher(tmp_path)
    yield launcher
    launcher.stop_all()


@pytest.fixture
def sandbox(start_sandbox: SandboxLauncher) -> SandboxProcess:
    """A running sandbox at speed 1 with a fresh database."""
    return start_sandbox()


@pytest.fixture
def sandbox_url(sandbox: SandboxProcess) -> str:
    """Base URL of the running ``sandbox``, including ``/api`` (no trailing slash)."""
    return sandbox.api_url


@pytest.fixture(scope="module")
def shared_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    """One sandbox for a whole module, for tests that leave no trace (401s, 400s, reads)."""
    launcher = SandboxLauncher(tmp_path_factory.mktemp("shared-sandbox"))
    yield launcher()
    launcher.stop_all()


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisProcess]:
    """A redis-server of the test module's own, stopped after it."""
    server = start_redis(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()
