"""The metrics: each fact counted where it happens (the upstream client's requests, polls,
refused events, sign-ins), nothing a client sent as a label, and the endpoint served only to
whom it should be (its loopback port, or the app's port with the bearer token)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from prometheus_client import REGISTRY

from ftapp import metrics, metrics_server
from ftapp.upstream import Unavailable, UpstreamClient
from tests.helpers.servers import free_port, outside_address
from tests.helpers.sign_in import use_settings

BASE = "https://api.example.test/api"
TOKEN = "metrics-token-0123456789"


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_every_upstream_request_is_counted_by_operation_and_status() -> None:
    before_ok = value("ftapp_upstream_requests_total", operation="list_jobs", status="200")
    before_503 = value("ftapp_upstream_requests_total", operation="list_jobs", status="503")
    before_time = value("ftapp_upstream_request_duration_seconds_count", operation="list_jobs")
    with respx.mock(base_url=BASE) as api:
        route = api.get("/jobs")
        route.side_effect = [
            httpx.Response(503),
            httpx.Response(200, json={"jobs": [], "summary": {}}),
        ]
        async with UpstreamClient(
            BASE, "key", retry_backoff_seconds=0, observe=metrics.upstream_request
        ) as client:
            with contextlib.suppress(Exception):
                await client.list_jobs()
    # The retry is a request of its own: one 503, then one 200.
    assert value("ftapp_upstream_requests_total", operation="list_jobs", status="503") == (
        before_503 + 1
    )
    assert value("ftapp_upstream_requests_total", operation="list_jobs", status="200") == (
        before_ok + 1
    )
    assert value("ftapp_upstream_request_duration_seconds_count", operation="list_jobs") == (
        before_time + 2
    )


async def test_a_request_that_reaches_nobody_is_counted_as_unreachable() -> None:
    seen: list[tuple[str, str]] = []
    with respx.mock(base_url=BASE) as api:
        api.delete(url__regex=r".*/jobs/.*").side_effect = httpx.ConnectError("refused")
        async with UpstreamClient(
            BASE, "key", observe=lambda operation, status, _s: seen.append((operation, status))
        ) as client:
            with pytest.raises(Unavailable):
                await client.delete_job("job-1")
    assert seen == [("delete_job", "unreachable")]


def test_polls_and_the_last_good_list_per_workspace() -> None:
    before = value("ftapp_polls_total", workspace="team-m", outcome="failed")
    metrics.poll("team-m", ok=False)
    metrics.poll("team-m", ok=True, at=1234.5)
    assert value("ftapp_polls_total", workspace="team-m", outcome="failed") == before + 1
    assert value("ftapp_job_list_last_success_timestamp_seconds", workspace="team-m") == 1234.5


def test_sign_ins_only_by_known_ways_and_outcomes() -> None:
    before = value("ftapp_sign_ins_total", way="password", outcome="refused")
    metrics.sign_in("password", "refused")
    metrics.sign_in("carrier pigeon", "ok")
    assert value("ftapp_sign_ins_total", way="password", outcome="refused") == before + 1
    assert "carrier pigeon" not in metrics_server.exposition()[0].decode()


# --- the endpoint -------------------------------------------------------------------------


async def asgi_get(app: Any, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
        return await client.get(path, headers=headers or {})


async def passed_on(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 299, "headers": []})
    await send({"type": "http.response.body", "body": b"the app"})


async def test_the_apps_port_serves_metrics_only_with_the_bearer_token() -> None:
    route = metrics_server.MetricsRoute(passed_on)
    use_settings()
    assert (await asgi_get(route, "/metrics")).status_code == 299  # not served: the app's
    use_settings(metrics_token=TOKEN)
    assert (await asgi_get(route, "/metrics")).status_code == 401
    wrong = await asgi_get(route, "/metrics", {"authorization": "Bearer not-the-token-at-all"})
    assert wrong.status_code == 401
    assert wrong.headers["www-authenticate"] == "Bearer"
    good = await asgi_get(route, "/metrics", {"authorization": f"Bearer {TOKEN}"})
    assert good.status_code == 200
    assert "ftapp_upstream_requests_total" in good.text or "ftapp_polls_total" in good.text
    assert TOKEN not in good.text
    assert (await asgi_get(route, "/other")).status_code == 299


@contextlib.asynccontextmanager
async def metrics_port(**settings: str) -> AsyncIterator[int]:
    port = free_port()
    use_settings(metrics_port=str(port), **settings)
    task = asyncio.create_task(metrics_server.serve_metrics_port())
    try:
        async with httpx.AsyncClient() as client:
            for _ in range(100):
                with contextlib.suppress(httpx.TransportError):
                    await client.get(f"http://127.0.0.1:{port}/metrics")
                    break
                await asyncio.sleep(0.05)
        yield port
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_the_metrics_port_listens_on_loopback_only() -> None:
    async with metrics_port() as port, httpx.AsyncClient() as client:
        answer = await client.get(f"http://127.0.0.1:{port}/metrics")
        assert answer.status_code == 200
        assert "# TYPE ftapp_polls_total counter" in answer.text
        assert (await client.get(f"http://127.0.0.1:{port}/other")).status_code == 404
        if (address := outside_address()) is None:
            pytest.skip("this machine has no address but loopback")
        with pytest.raises(httpx.ConnectError):
            await client.get(f"http://{address}:{port}/metrics")


async def test_the_metrics_port_wants_the_token_when_one_is_set() -> None:
    async with metrics_port(metrics_token=TOKEN) as port, httpx.AsyncClient() as client:
        url = f"http://127.0.0.1:{port}/metrics"
        assert (await client.get(url)).status_code == 401
        assert (await client.get(url, headers={"authorization": "Bearer nope"})).status_code == 401
        answer = await client.get(url, headers={"authorization": f"Bearer {TOKEN}"})
        assert answer.status_code == 200


async def test_a_second_worker_waits_for_the_port() -> None:
    """Two workers of one start: one serves, the other keeps trying (and does not fail)."""
    async with metrics_port() as port:
        second = asyncio.create_task(metrics_server.serve_metrics_port())
        await asyncio.sleep(0.2)
        assert not second.done()  # waiting to take over, not crashed
        second.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await second
        async with httpx.AsyncClient() as client:
            assert (await client.get(f"http://127.0.0.1:{port}/metrics")).status_code == 200


# --- several workers, one scrape -----------------------------------------------------------

WORKER = """
import sys
from ftapp import metrics, metrics_server
if sys.argv[2] == "stops cleanly":
    metrics_server.forget_at_exit()
for _ in range(int(sys.argv[1])):
    metrics.sign_in("password", "ok")
metrics.connections(sockets=int(sys.argv[1]), following=0)
"""


def test_every_workers_counts_are_summed_in_one_scrape(tmp_path: Path) -> None:
    folder = tmp_path / "metrics"
    folder.mkdir()
    env = {**os.environ, metrics_server.MULTIPROCESS_ENV: str(folder)}
    for count, end in (("2", "stops cleanly"), ("3", "is still running")):
        subprocess.run([sys.executable, "-c", WORKER, count, end], env=env, check=True)
    scrape = """
from ftapp import metrics_server
print(metrics_server.exposition()[0].decode())
"""
    out = subprocess.run(
        [sys.executable, "-c", scrape], env=env, check=True, capture_output=True, text=True
    ).stdout
    assert 'ftapp_sign_ins_total{outcome="ok",way="password"} 5.0' in out  # both workers'
    # Open sockets are the running workers' only: the one that stopped took its 2 away.
    assert "ftapp_sockets_connected 3.0" in out


def test_only_reflex_run_makes_the_start_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(metrics_server.MULTIPROCESS_ENV, raising=False)
    root = tmp_path / "metrics"
    metrics_server.share_between_workers(root, ["ftapp", "users", "list"])
    assert metrics_server.MULTIPROCESS_ENV not in os.environ
    (root / "old-start").mkdir(parents=True)
    metrics_server.share_between_workers(root, ["/venv/bin/reflex", "run"])
    folder = Path(os.environ[metrics_server.MULTIPROCESS_ENV])
    assert folder.parent == root
    assert folder.is_dir()
    assert not (root / "old-start").exists()  # the previous start's counts are gone
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    monkeypatch.delenv(metrics_server.MULTIPROCESS_ENV)
