"""A real Prometheus (the Debian package's ``prometheus``) on loopback for the metrics tests:
it scrapes one target every second, and the test asks it through its own query API."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers.servers import free_port

SCRAPE_SECONDS = 1


def binary() -> str | None:
    """The prometheus program, if installed."""
    return shutil.which("prometheus") or (
        "/usr/bin/prometheus" if Path("/usr/bin/prometheus").exists() else None
    )


class Prometheus:
    """A Prometheus process scraping ``target`` (``host:port``), with ``token`` as a bearer
    token when given."""

    def __init__(self, folder: Path, target: str, token: str | None = None) -> None:
        program = binary()
        if program is None:
            pytest.fail("prometheus is not installed (.ci/run installs it from apt)")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = folder / "prometheus.yml"
        auth = f"\n    authorization:\n      credentials: {token}" if token else ""
        config.write_text(
            "global:\n"
            f"  scrape_interval: {SCRAPE_SECONDS}s\n"
            f"  scrape_timeout: {SCRAPE_SECONDS}s\n"
            "scrape_configs:\n"
            "  - job_name: ftapp\n"
            f"    static_configs:\n      - targets: ['{target}']{auth}\n"
        )
        self.log_path = folder / "prometheus.log"
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    program,
                    f"--config.file={config}",
                    f"--storage.tsdb.path={folder / 'data'}",
                    f"--web.listen-address=127.0.0.1:{self.port}",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"prometheus stopped:\n{self.log_path.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/-/ready", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        pytest.fail(f"prometheus not ready:\n{self.log_path.read_text()[-3000:]}")

    def query(self, promql: str) -> list[dict[str, Any]]:
        """The instant vector ``promql`` gives now (through Prometheus's HTTP API)."""
        answer = httpx.get(f"{self.url}/api/v1/query", params={"query": promql}, timeout=5)
        answer.raise_for_status()
        body = answer.json()
        assert body["status"] == "success", body
        return body["data"]["result"]

    def value(self, promql: str) -> float | None:
        """The single value ``promql`` gives now, or None when it gives nothing."""
        result = self.query(promql)
        if not result:
            return None
        assert len(result) == 1, result
        return float(result[0]["value"][1])

    def target_health(self) -> str:
        targets = httpx.get(f"{self.url}/api/v1/targets", timeout=5).json()
        active = targets["data"]["activeTargets"]
        return active[0]["health"] if active else "none"

    def eventually(self, promql: str, predicate: Any, timeout: float = 20) -> float:
        """Wait until ``promql``'s value satisfies ``predicate``; returns it."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            last = self.value(promql)
            if last is not None and predicate(last):
                return last
            time.sleep(0.5)
        pytest.fail(f"{promql} stayed {last} (target {self.target_health()})")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
