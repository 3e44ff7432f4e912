"""Worker processes that build the live feed as the app does (``tests/integration/
cluster_worker.py``) and what each recorded, for the cluster feed's tests and benchmark."""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.servers import PROJECT_ROOT


class Worker:
    """A worker process and what it recorded (one JSON object per line), watching the
    workspaces named by ``workspaces`` (slugs; none: the environment's, ``default``).

    The readers below take a ``workspace`` (slug) to read its records only; without one,
    every workspace's."""

    def __init__(
        self, directory: Path, index: int, env: dict[str, str], workspaces: Sequence[str] = ()
    ) -> None:
        self.path = directory / f"worker-{index}.jsonl"
        self.log_path = directory / f"worker-{index}.log"
        self.workspaces = tuple(workspaces) or ("default",)
        command = [sys.executable, "-m", "tests.integration.cluster_worker", str(self.path)]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [*command, *self.workspaces],
                cwd=PROJECT_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def records(self, event: str, workspace: str | None = None) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        lines = self.path.read_text().splitlines()
        # The last line may be half written.
        return [
            r
            for r in map(_parse, lines)
            if r is not None
            and r["event"] == event
            and (workspace is None or r.get("workspace") == workspace)
        ]

    def snapshots(self, workspace: str | None = None) -> list[dict[str, Any]]:
        return self.records("snapshot", workspace)

    def status(self, workspace: str | None = None) -> dict[str, Any]:
        """The last status (of ``workspace``): whether it polls, and how many polls so far."""
        statuses = self.records("status", workspace)
        return statuses[-1] if statuses else {"holding": None, "polls": 0, "kind": None}

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def saw_job(self, name: str, workspace: str | None = None) -> bool:
        return any(name in snapshot["names"] for snapshot in self.snapshots(workspace))

    def stop(self) -> None:
        if self.alive:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)

    def describe(self) -> str:
        statuses = {workspace: self.status(workspace) for workspace in self.workspaces}
        return f"{self.path.name}: {statuses}\n{self.log_path.read_text()[-2000:]}"


def _parse(line: str) -> dict[str, Any] | None:
    with contextlib.suppress(ValueError):
        return json.loads(line)
    return None


def wait_until(predicate: Callable[[], object], timeout: float, what: str) -> float:
    """Seconds it took ``predicate()`` to hold; fails the test after ``timeout``."""
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > timeout:
            pytest.fail(f"not within {timeout} s: {what}")
        time.sleep(0.02)
    return time.monotonic() - start
