"""ftapp scraped by a real Prometheus (the Debian package), asked through Prometheus's own
query API: the series exist and move when a person signs in, a tab follows the dashboard, a job
is created through the wizard's events, a crafted event is refused, and the API fails (a
fault-injecting proxy answers 503) and comes back. The metrics port wants its bearer token,
listens on loopback only, and holds no key, session id or job name from a crafted event.
``/readyz`` says "degraded" while the API fails. The same app logs JSON lines
(``FT_LOG_FORMAT=json``): each names its request, tab, person, workspace and outcome.

The app runs against a standalone sandbox behind :mod:`tests.helpers.faultproxy`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from ftapp.pages.new_job.state import NewJobState
from tests.helpers.faultproxy import Fault, FaultProxy
from tests.helpers.prometheus import Prometheus
from tests.helpers.rawsocket import RawReflexClient
from tests.helpers.servers import (
    SESSION_COOKIE,
    SandboxLauncher,
    SandboxProcess,
    ServerProcess,
    free_port,
    outside_address,
    start_app,
)
from tests.integration.helpers import DEMO_KEY, REPO_ROOT, valid_job

TOKEN = "prometheus-bearer-token-0123456789"
POLL_SECONDS = 0.5
CRAFTED = "crafted-job-name-7f3a"
NEW_JOB = "/w/default/jobs/new"


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    launcher = SandboxLauncher(tmp_path_factory.mktemp("prometheus-sandbox"))
    yield launcher()
    launcher.stop_all()


@pytest.fixture(scope="module")
def proxy(sandbox: SandboxProcess) -> Iterator[FaultProxy]:
    with FaultProxy(sandbox.origin) as running:
        yield running


@pytest.fixture(scope="module")
def app(proxy: FaultProxy) -> Iterator[ServerProcess]:
    server = start_app(
        {
            "FT_API_BASE_URL": proxy.url + "/api",
            "FT_API_KEY": DEMO_KEY,
            "FT_API_READ_RETRIES": "0",
            "FT_POLL_RUNNING_SECONDS": str(POLL_SECONDS),
            "FT_POLL_IDLE_SECONDS": str(POLL_SECONDS),
            "FT_POLL_MAX_BACKOFF_SECONDS": "1",
            "FT_METRICS_PORT": str(free_port()),
            "FT_METRICS_TOKEN": TOKEN,
            "FT_LOG_FORMAT": "json",
        },
        REPO_ROOT / "test-artifacts" / "prometheus-app.log",
    )
    server.metrics_port = int(server.env["FT_METRICS_PORT"])  # type: ignore[attr-defined]
    yield server
    server.stop()


@pytest.fixture(scope="module")
def prometheus(
    app: ServerProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Prometheus]:
    running = Prometheus(
        tmp_path_factory.mktemp("prometheus"), f"127.0.0.1:{app.metrics_port}", TOKEN
    )
    yield running
    running.stop()


def metrics_text(app: ServerProcess) -> str:
    answer = httpx.get(
        f"http://127.0.0.1:{app.metrics_port}/metrics",
        headers={"authorization": f"Bearer {TOKEN}"},
        timeout=5,
    )
    answer.raise_for_status()
    return answer.text


async def create_through_the_wizard(client: RawReflexClient, name: str) -> None:
    """What the wizard sends for a new job: each field, Next twice, then Submit."""
    page = {"path": NEW_JOB, "query": {"workspace_slug": "default"}}
    await client.hydrate(NEW_JOB)
    await client.replies(within=3)
    for field, text in valid_job(name=name).items():
        await client.send(NewJobState, "set_field", {"name": field, "value": str(text)}, **page)
    await client.send(NewJobState, "go_next", {}, **page)
    await client.send(NewJobState, "go_next", {}, **page)
    await client.replies(within=1)
    await client.send(NewJobState, "submit", {}, **page)
    await client.replies(within=4)


async def test_prometheus_sees_the_series_move(
    app: ServerProcess, proxy: FaultProxy, prometheus: Prometheus, sandbox: SandboxProcess
) -> None:
    cookie = app.sign_in_cookie()
    prometheus.eventually('ftapp_sign_ins_total{way="link",outcome="ok"}', lambda v: v >= 1)
    async with RawReflexClient.connect(app.url, origin=app.url, cookie=cookie) as tab:
        await tab.hydrate("/w/default")
        await tab.replies(within=3)
        prometheus.eventually("ftapp_sockets_connected", lambda v: v >= 1)
        prometheus.eventually("ftapp_tabs_following", lambda v: v >= 1)
        prometheus.eventually("ftapp_events_total", lambda v: v >= 1)
        polls = prometheus.eventually(
            'ftapp_polls_total{workspace="default",outcome="ok"}', lambda v: v >= 2
        )
        prometheus.eventually(
            'ftapp_polls_total{workspace="default",outcome="ok"}', lambda v: v > polls + 2
        )
        age = 'time() - ftapp_job_list_last_success_timestamp_seconds{workspace="default"}'
        prometheus.eventually(age, lambda v: v < 5)

        # A job created through the wizard's events: one POST /jobs, answered 201.
        created = 'ftapp_upstream_requests_total{operation="create_job",status="201"}'
        before = prometheus.value(created) or 0
        async with RawReflexClient.connect(app.url, origin=app.url, cookie=cookie) as wizard:
            await create_through_the_wizard(wizard, "prometheus-made-job")
        assert sandbox.jobs_named("prometheus-made-job") == 1
        prometheus.eventually(created, lambda v: v == before + 1)

        # A crafted event is refused at the gate, counted by its reason, not by its name.
        await tab.send_named(f"state.{CRAFTED}", {"name": CRAFTED})
        prometheus.eventually(
            'ftapp_events_refused_total{reason="unknown_event"}', lambda v: v >= 1
        )

        # The API fails: polls fail, the 503s are counted, the last good list ages.
        proxy.rule = lambda _method, path: Fault.UNAVAILABLE if path.endswith("/jobs") else None
        try:
            prometheus.eventually(
                'ftapp_polls_total{workspace="default",outcome="failed"}', lambda v: v >= 2
            )
            prometheus.eventually(
                'ftapp_upstream_requests_total{operation="list_jobs",status="503"}',
                lambda v: v >= 2,
            )
            prometheus.eventually(age, lambda v: v > 3)
        finally:
            proxy.rule = lambda _method, _path: None
        prometheus.eventually(age, lambda v: v < 3)  # back: fresh lists again
        prometheus.eventually(
            'rate(ftapp_upstream_request_duration_seconds_count{operation="list_jobs"}[10s]) > 0',
            lambda v: v > 0,
        )

    text = metrics_text(app)
    assert CRAFTED not in text
    assert DEMO_KEY not in text
    token = cookie.removeprefix(f"{SESSION_COOKIE}=")
    assert token not in text
    assert "prometheus-made-job" not in text  # a job's name is never a label
    assert json.dumps(TOKEN)[1:-1] not in text


def test_the_metrics_port_wants_its_token_and_loopback(app: ServerProcess) -> None:
    url = f"http://127.0.0.1:{app.metrics_port}/metrics"
    assert httpx.get(url, timeout=5).status_code == 401
    assert httpx.get(url, headers={"authorization": "Bearer wrong"}, timeout=5).status_code == 401
    # Not on the app's port without the token either (and not behind a session).
    assert httpx.get(f"{app.url}/metrics", timeout=5).status_code == 401
    answer = httpx.get(
        f"{app.url}/metrics", headers={"authorization": f"Bearer {TOKEN}"}, timeout=5
    )
    assert answer.status_code == 200
    assert "ftapp_polls_total" in answer.text
    outside = outside_address()
    if outside is None:
        pytest.skip("this machine has no address but loopback")
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://{outside}:{app.metrics_port}/metrics", timeout=5)


async def test_readyz_says_degraded_while_the_api_fails(
    app: ServerProcess, proxy: FaultProxy
) -> None:
    async with httpx.AsyncClient(base_url=app.url, timeout=5) as http:
        ready = await http.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["checks"]["database"] == {"ok": True}
        proxy.rule = lambda _method, path: Fault.UNAVAILABLE if path.endswith("/jobs") else None
        cookie = app.sign_in_cookie()
        try:
            async with RawReflexClient.connect(app.url, origin=app.url, cookie=cookie) as tab:
                await tab.hydrate("/w/default")  # someone watches: the feed polls, and fails
                body: dict = {}
                for _ in range(40):
                    await tab.replies(within=0.25)
                    body = (await http.get("/readyz")).json()
                    if body["status"] == "degraded":
                        break
        finally:
            proxy.rule = lambda _method, _path: None
    assert body["status"] == "degraded", body  # still 200: the API is everyone's
    assert body["checks"]["upstream"]["ok"] is False
    assert "Unavailable" in body["checks"]["upstream"]["reason"]


async def test_json_log_lines_name_what_they_belong_to(app: ServerProcess) -> None:
    cookie = app.sign_in_cookie()
    async with RawReflexClient.connect(app.url, origin=app.url, cookie=cookie) as tab:
        await tab.hydrate("/w/no-such-team")  # refused: named in a line of its own
        await tab.replies(within=3)
    lines = [json.loads(line) for line in app.log().splitlines() if line.startswith("{")]
    human = [line for line in app.log().splitlines() if " INFO ftapp." in line]
    assert human == []  # ftapp's own lines are all JSON
    signed_in = [line for line in lines if line["event"].startswith("Signed in admin")]
    assert signed_in
    assert signed_in[-1]["outcome"] == "ok"
    assert signed_in[-1]["user"] == "admin"
    assert len(signed_in[-1]["request"]) == 16
    [refusal] = [line for line in lines if "'no-such-team'" in line["event"]]
    assert refusal["level"] == "WARNING"
    assert refusal["logger"] == "ftapp.services.membership"
    assert refusal["outcome"] == "refused"
    assert refusal["user"] == "admin"
    assert len(refusal["tab"]) == 12
    assert {"time", "level", "logger", "event"} <= set(lines[0])
    token = cookie.removeprefix(f"{SESSION_COOKIE}=")
    assert token not in app.log()
    assert DEMO_KEY not in app.log()
