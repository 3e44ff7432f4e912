"""Unit tests of the sandbox ASGI app, in-process over httpx.ASGITransport with a fake clock.

The fake clock proves the job lifecycle over HTTP without waiting: the test moves time on
and reads the job again.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from ftapp.rules import JobStatus
from ftapp.sandbox import SandboxConfig, create_app, lifecycle
from ftapp.sandbox.app import (
    BODY_TOO_LARGE_MESSAGE,
    MAX_BODY_BYTES,
    REFUSED_MODEL_MESSAGE,
    Sandbox,
)
from ftapp.sandbox.catalog import MODELS
from ftapp.sandbox.keys import BUILTIN_KEYS, READ, ApiKey
from ftapp.settings import DEFAULT_SANDBOX_DB, SANDBOX_DEMO_KEY, SettingsError
from tests.helpers.fakes import T0, FakeClock

T0_ISO = "2023-11-14T22:13:20Z"  # T0 from tests.helpers.fakes
DEMO_KEY = {"x-api-key": SANDBOX_DEMO_KEY}
OTHER_KEY = {"x-api-key": "sandbox-other-key"}  # its workspace starts empty
JOB_FIELDS = {
    "id",
    "name",
    "baseModel",
    "epochs",
    "evaluationEpochs",
    "warmupEpochs",
    "learningRate",
    "date",
    "createdAt",
    "createdAgo",
    "status",
}


def payload(name: str = "my-job", epochs: int = 3) -> dict[str, Any]:
    return {
        "name": name,
        "baseModel": "meta-llama/Llama-3.1-8B-Instruct",
        "epochs": epochs,
        "evaluationEpochs": 1 if epochs >= 2 else 0,
        "warmupEpochs": 1 if epochs >= 2 else 0,
        "learningRate": 0.0001,
    }


async def create(
    client: httpx.AsyncClient, body: dict[str, Any], headers: dict[str, str] = OTHER_KEY
) -> dict[str, Any]:
    response = await client.post("/api/jobs", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


ClientFactory = Callable[..., Any]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def make_client(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Callable[[float], Any]]:
    """Build a (client, sandbox) pair for a given speed; all share the fake clock."""
    clients: list[httpx.AsyncClient] = []

    def make(speed: float = 1.0) -> tuple[httpx.AsyncClient, Sandbox]:
        app = create_app(
            SandboxConfig(db_path=tmp_path / f"s-{len(clients)}.db", clock=clock, speed=speed)
        )
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://sandbox.test"
        )
        clients.append(client)
        return client, app.state.sandbox

    yield make
    for client in clients:
        await client.aclose()


@pytest.fixture
def client(make_client: Callable[[float], Any]) -> httpx.AsyncClient:
    return make_client(1.0)[0]


async def get_job(client: httpx.AsyncClient, job_id: str) -> dict[str, Any]:
    response = await client.get(f"/api/jobs/{job_id}", headers=OTHER_KEY)
    assert response.status_code == 200
    return response.json()


async def summary(client: httpx.AsyncClient, headers: dict[str, str] = OTHER_KEY) -> dict:
    response = await client.get("/api/jobs", headers=headers)
    assert response.status_code == 200
    return response.json()["summary"]


# --- a new job and its lifecycle ----------------------------------------------------------


async def test_new_workspace_is_empty(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/jobs", headers=OTHER_KEY)
    assert response.status_code == 200
    assert response.json() == {"jobs": [], "summary": {"completed": 0, "running": 0, "failed": 0}}


async def test_new_job_is_running(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/jobs", json=payload("fresh-job", 4), headers=OTHER_KEY)
    assert response.status_code == 201
    body = response.json()
    assert set(body) == JOB_FIELDS
    assert {k: body[k] for k in payload()} == payload("fresh-job", 4)
    assert body["status"] == JobStatus.RUNNING
    assert body["createdAt"] == body["date"] == T0_ISO
    assert body["createdAgo"] == "just now"
    assert await get_job(client, body["id"]) == body
    assert await summary(client) == {"completed": 0, "running": 1, "failed": 0}


async def test_job_reaches_its_outcome_after_its_duration(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    created = await create(client, payload(epochs=2))
    job_id = created["id"]
    duration = lifecycle.simulated_duration(job_id, 2)
    outcome = lifecycle.simulated_outcome(job_id)
    assert 64.0 <= duration < 96.0

    clock.now = T0 + duration - 0.01
    assert (await get_job(client, job_id))["status"] == JobStatus.RUNNING
    assert await summary(client) == {"completed": 0, "running": 1, "failed": 0}

    # Just past the end: (T0 + duration) - T0 may round below duration at T0's magnitude.
    clock.now = T0 + duration + 0.001
    finished = await get_job(client, job_id)
    assert finished["status"] == outcome
    assert finished["createdAt"] == T0_ISO  # the creation time does not move
    expected = {"completed": 0, "running": 0, "failed": 0}
    expected["completed" if outcome == JobStatus.COMPLETED else "failed"] = 1
    assert await summary(client) == expected

    clock.advance(10**6)
    assert (await get_job(client, job_id))["status"] == outcome


async def test_summary_follows_each_job_as_time_passes(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    jobs: list[tuple[float, float, str]] = []  # (created_at, duration, outcome)
    for i, epochs in enumerate((1, 3, 2, 5, 1, 4, 2, 1, 3, 2)):
        body = await create(client, payload(f"job-{i}", epochs))
        assert body["status"] == JobStatus.RUNNING
        jobs.append(
            (
                clock.now,
                lifecycle.simulated_duration(body["id"], epochs),
                lifecycle.simulated_outcome(body["id"]),
            )
        )
        clock.advance(7.0)

    for _ in range(30):
        counts = Counter(
            JobStatus.RUNNING if clock.now - created < duration else outcome
            for created, duration, outcome in jobs
        )
        assert await summary(client) == {
            "completed": counts[JobStatus.COMPLETED],
            "running": counts[JobStatus.RUNNING],
            "failed": counts[JobStatus.FAILED],
        }
        clock.advance(10.0)
    final = Counter(outcome for _, _, outcome in jobs)
    assert await summary(client) == {
        "completed": final[JobStatus.COMPLETED],
        "running": 0,
        "failed": final[JobStatus.FAILED],
    }


@pytest.mark.parametrize("speed", [60.0, 0.5])
async def test_speed_scales_the_lifecycle(
    make_client: Callable[[float], Any], clock: FakeClock, speed: float
) -> None:
    client, _ = make_client(speed)
    created = await create(client, payload(epochs=1))
    real_seconds = lifecycle.simulated_duration(created["id"], 1) / speed

    clock.now = T0 + real_seconds * 0.999
    assert (await get_job(client, created["id"]))["status"] == JobStatus.RUNNING
    clock.now = T0 + real_seconds * 1.001
    assert (await get_job(client, created["id"]))["status"] == lifecycle.simulated_outcome(
        created["id"]
    )


async def test_created_ago_follows_the_clock(client: httpx.AsyncClient, clock: FakeClock) -> None:
    created = await create(client, payload())
    assert created["createdAgo"] == "just now"
    for seconds, expected in [
        (9, "just now"),
        (10, "10 seconds ago"),
        (300, "5 minutes ago"),
        (2 * 3600, "2 hours ago"),
        (3 * 86400, "3 days ago"),
    ]:
        clock.now = T0 + seconds
        body = await get_job(client, created["id"])
        assert body["createdAgo"] == expected
        assert body["createdAt"] == T0_ISO


# --- the seeded demo workspace ------------------------------------------------------------


async def test_demo_workspace_is_seeded_and_runs_its_two_live_jobs_to_the_end(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    body = (await client.get("/api/jobs", headers=DEMO_KEY)).json()
    assert [(j["name"], j["status"], j["createdAgo"]) for j in body["jobs"]] == [
        ("chat-deepseek-ft", JobStatus.RUNNING, "1 minute ago"),
        ("math-tutor-qwq", JobStatus.RUNNING, "3 minutes ago"),
        ("summarizer-7", JobStatus.COMPLETED, "4 hours ago"),
        ("sql-distill-70b", JobStatus.COMPLETED, "9 hours ago"),
        ("qwq-reasoning-v2", JobStatus.FAILED, "2 days ago"),
        ("support-bot-llama", JobStatus.COMPLETED, "3 days ago"),
    ]
    assert body["summary"] == {"completed": 3, "running": 2, "failed": 1}
    assert body["jobs"][0]["createdAt"] == "2023-11-14T22:12:20Z"

    clock.advance(9 * 60)  # math-tutor-qwq (12 min, started 3 min ago) completes
    assert await summary(client, DEMO_KEY) == {"completed": 4, "running": 1, "failed": 1}
    clock.advance(10 * 60)  # chat-deepseek-ft (20 min, started 1 min ago) fails
    assert await summary(client, DEMO_KEY) == {"completed": 4, "running": 0, "failed": 2}


async def test_readonly_key_sees_the_demo_workspace(client: httpx.AsyncClient) -> None:
    created = await create(client, payload("shared"), DEMO_KEY)
    readonly = {"x-api-key": "sandbox-readonly-key"}
    body = (await client.get("/api/jobs", headers=readonly)).json()
    assert created["id"] in {j["id"] for j in body["jobs"]}
    assert len(body["jobs"]) == 7
    # ...but another workspace does not.
    response = await client.get(f"/api/jobs/{created['id']}", headers=OTHER_KEY)
    assert response.status_code == 404
    assert response.json() == {"error": "Job not found"}


# --- Sandbox.requests ---------------------------------------------------------------------


async def test_requests_counts_calls_per_operation(
    make_client: Callable[[float], Any],
) -> None:
    client, sandbox = make_client(1.0)
    assert sandbox.requests == Counter()
    for _ in range(3):
        await client.get("/api/jobs", headers=DEMO_KEY)
    assert sandbox.requests["list_jobs"] == 3

    created = await create(client, payload(), DEMO_KEY)
    await client.get(f"/api/jobs/{created['id']}", headers=DEMO_KEY)
    await client.get("/api/jobs", headers=OTHER_KEY)
    await client.get("/api/models", headers=DEMO_KEY)
    await client.delete(f"/api/jobs/{created['id']}", headers=DEMO_KEY)
    await client.get("/api/health")
    assert sandbox.requests == Counter(
        {"list_jobs": 4, "create_job": 1, "get_job": 1, "list_models": 1, "delete_job": 1}
    )


async def test_each_app_has_its_own_request_counter(
    make_client: Callable[[float], Any],
) -> None:
    first, first_sandbox = make_client(1.0)
    second, second_sandbox = make_client(1.0)
    await first.get("/api/jobs", headers=DEMO_KEY)
    await first.get("/api/jobs", headers=DEMO_KEY)
    await second.get("/api/jobs", headers=DEMO_KEY)
    assert first_sandbox.requests["list_jobs"] == 2
    assert second_sandbox.requests["list_jobs"] == 1


# --- SandboxConfig.from_env -----------------------------------------------------------------


def test_from_env_defaults() -> None:
    config = SandboxConfig.from_env({})
    assert config.db_path == DEFAULT_SANDBOX_DB
    assert config.speed == 1.0
    assert dict(config.keys) == BUILTIN_KEYS
    assert config.models == MODELS
    assert config.refused_models == frozenset()


def test_from_env_reads_refused_models() -> None:
    config = SandboxConfig.from_env(
        {"FT_SANDBOX_REFUSED_MODELS": " Qwen/QwQ-32B , ,meta-llama/Llama-3.1-8B-Instruct,"}
    )
    assert config.refused_models == {"Qwen/QwQ-32B", "meta-llama/Llama-3.1-8B-Instruct"}


async def test_a_refused_model_is_listed_but_refused_with_a_field_message(
    tmp_path: Path, clock: FakeClock
) -> None:
    refused = "Qwen/QwQ-32B"
    app = create_app(
        SandboxConfig(db_path=tmp_path / "r.db", clock=clock, refused_models=frozenset({refused}))
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox.test") as client:
        listed = (await client.get("/api/models", headers=OTHER_KEY)).json()
        assert refused in {model["id"] for model in listed}

        response = await client.post(
            "/api/jobs", json={**payload(), "baseModel": refused}, headers=OTHER_KEY
        )
        assert response.status_code == 400
        assert response.json() == {
            "error": "Validation failed",
            "fields": {"baseModel": REFUSED_MODEL_MESSAGE},
        }
        assert (await client.get("/api/jobs", headers=OTHER_KEY)).json()["jobs"] == []

        await create(client, payload())  # other models are still accepted


# --- bodies over the limit ----------------------------------------------------------------


class CountedChunks:
    """A request body sent in 1 KB chunks (``total`` bytes, or without end), counting how many
    the server asked for."""

    def __init__(self, total: int | None = None) -> None:
        self.total = total
        self.sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.total is None or self.sent * 1024 < self.total:
            self.sent += 1
            yield b" " * 1024


async def test_a_body_declared_over_64_kb_is_refused_without_reading_it(
    client: httpx.AsyncClient,
) -> None:
    body = CountedChunks(20 * 1024 * 1024)
    response = await client.post(
        "/api/jobs",
        content=body,
        headers={**OTHER_KEY, "content-length": str(20 * 1024 * 1024)},
    )
    assert response.status_code == 413
    assert response.json() == {"error": BODY_TOO_LARGE_MESSAGE}
    assert body.sent == 0
    assert (await client.get("/api/jobs", headers=OTHER_KEY)).json()["jobs"] == []


async def test_a_chunked_body_is_refused_as_soon_as_it_passes_64_kb(
    client: httpx.AsyncClient,
) -> None:
    body = CountedChunks()  # no Content-Length, and no end
    response = await client.post("/api/jobs", content=body, headers=OTHER_KEY)
    assert response.status_code == 413
    assert response.json() == {"error": BODY_TOO_LARGE_MESSAGE}
    assert body.sent == MAX_BODY_BYTES // 1024 + 1  # the chunk that passed the limit, no more


async def test_a_body_of_exactly_64_kb_is_read(client: httpx.AsyncClient) -> None:
    job = json.dumps(payload("at-the-limit")).encode()
    body = job + b" " * (MAX_BODY_BYTES - len(job))
    response = await client.post("/api/jobs", content=body, headers=OTHER_KEY)
    assert response.status_code == 201, response.text


def test_config_defaults() -> None:
    config = SandboxConfig()
    assert config.db_path == DEFAULT_SANDBOX_DB
    assert config.speed == 1.0
    assert dict(config.keys) == BUILTIN_KEYS


def test_from_env_reads_db_speed_and_keys(tmp_path: Path) -> None:
    config = SandboxConfig.from_env(
        {
            "FT_SANDBOX_DB": f"  {tmp_path / 'x.db'}  ",
            "FT_SANDBOX_SPEED": " 2.5 ",
            "FT_SANDBOX_KEYS": json.dumps({"k": {"workspace": "w", "permissions": ["read"]}}),
        }
    )
    assert config.db_path == tmp_path / "x.db"
    assert config.speed == 2.5
    assert config.keys["k"] == ApiKey("w", frozenset({READ}))
    assert config.keys[SANDBOX_DEMO_KEY] == BUILTIN_KEYS[SANDBOX_DEMO_KEY]


def test_from_env_reads_a_keys_file(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    path.write_text(json.dumps({"file-key": {"workspace": "f"}}))
    config = SandboxConfig.from_env({"FT_SANDBOX_KEYS_FILE": str(path)})
    assert config.keys["file-key"] == ApiKey("f")


def test_from_env_blank_values_use_defaults() -> None:
    config = SandboxConfig.from_env({"FT_SANDBOX_DB": "  ", "FT_SANDBOX_SPEED": " "})
    assert config.db_path == DEFAULT_SANDBOX_DB
    assert config.speed == 1.0


@pytest.mark.parametrize("speed", ["0", "0.0", "-1", "-0.5", "nan", "inf"])
def test_from_env_rejects_speed_not_above_zero(speed: str) -> None:
    with pytest.raises(ValueError, match=r"^FT_SANDBOX_SPEED must be greater than 0"):
        SandboxConfig.from_env({"FT_SANDBOX_SPEED": speed})


def test_from_env_rejects_non_numeric_speed() -> None:
    with pytest.raises(ValueError, match=r"^FT_SANDBOX_SPEED must be a number, got 'fast'$"):
        SandboxConfig.from_env({"FT_SANDBOX_SPEED": "fast"})


def test_from_env_overrides(tmp_path: Path) -> None:
    clock = FakeClock()
    config = SandboxConfig.from_env(
        {"FT_SANDBOX_SPEED": "2", "FT_SANDBOX_DB": "/ignored.db"},
        db_path=tmp_path / "o.db",
        speed=30.0,
        clock=clock,
    )
    assert (config.db_path, config.speed, config.clock) == (tmp_path / "o.db", 30.0, clock)


def test_from_env_none_overrides_keep_the_environment() -> None:
    config = SandboxConfig.from_env({"FT_SANDBOX_SPEED": "4"}, db_path=None, speed=None)
    assert (config.db_path, config.speed) == (DEFAULT_SANDBOX_DB, 4.0)


def test_from_env_rejects_an_override_speed_not_above_zero() -> None:
    with pytest.raises(ValueError, match="greater than 0"):
        SandboxConfig.from_env({"FT_SANDBOX_SPEED": "2"}, speed=0.0)


def test_from_env_reads_os_environ_by_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("FT_SANDBOX_KEYS", raising=False)
    monkeypatch.delenv("FT_SANDBOX_KEYS_FILE", raising=False)
    monkeypatch.setenv("FT_SANDBOX_DB", str(tmp_path / "env.db"))
    monkeypatch.setenv("FT_SANDBOX_SPEED", "7")
    config = SandboxConfig.from_env()
    assert (config.db_path, config.speed) == (tmp_path / "env.db", 7.0)


async def test_stats_report_requests_per_operation_to_a_key_holder(tmp_path: Path) -> None:
    app = create_app(SandboxConfig(db_path=tmp_path / "stats.db"))
    demo = {"x-api-key": SANDBOX_DEMO_KEY}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://sandbox.test"
    ) as client:
        for _ in range(3):
            await client.get("/api/jobs", headers=demo)
        await client.get("/api/models", headers=demo)
        anonymous = await client.get("/api/_sandbox/stats")
        stats = (await client.get("/api/_sandbox/stats", headers=demo)).json()
        again = (await client.get("/api/_sandbox/stats", headers=demo)).json()
    assert anonymous.status_code == 401
    assert stats["requests"] == {"list_jobs": 3, "list_models": 1}
    assert again == stats  # reading the counts does not count


async def test_stats_count_each_workspace_and_tell_a_key_only_its_own(tmp_path: Path) -> None:
    app = create_app(SandboxConfig(db_path=tmp_path / "stats.db"))
    readonly = {"x-api-key": "sandbox-readonly-key"}  # the demo workspace, read only
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://sandbox.test"
    ) as client:
        for _ in range(3):
            await client.get("/api/jobs", headers=DEMO_KEY)
        await client.get("/api/jobs", headers=OTHER_KEY)
        await client.delete("/api/jobs/nothing", headers=readonly)  # refused: still counted
        await client.get("/api/jobs", headers={"x-api-key": "no-such-key"})  # no workspace
        demo = (await client.get("/api/_sandbox/stats", headers=DEMO_KEY)).json()
        other = (await client.get("/api/_sandbox/stats", headers=OTHER_KEY)).json()
    assert demo["workspace_requests"] == {"list_jobs": 3, "delete_job": 1}
    assert other["workspace_requests"] == {"list_jobs": 1}
    assert demo["requests"] == other["requests"] == {"list_jobs": 5, "delete_job": 1}


def test_demo_keys_can_be_switched_off_for_keys_of_ones_own(tmp_path: Path) -> None:
    own = json.dumps({"team-key": {"workspace": "team"}})
    config = SandboxConfig.from_env({"FT_SANDBOX_DEMO_KEYS": "0", "FT_SANDBOX_KEYS": own})
    assert set(config.keys) == {"team-key"}
    with pytest.raises(SettingsError, match="FT_SANDBOX_DEMO_KEYS=0 needs keys of your own"):
        SandboxConfig.from_env({"FT_SANDBOX_DEMO_KEYS": "false"})


# --- the sandbox served to others --------------------------------------------------------


def test_others_get_configured_keys_or_a_generated_one_never_a_published_one() -> None:
    from ftapp.sandbox.keys import public_keys
    from ftapp.settings import load_settings

    generated = public_keys(load_settings({}), "sandbox-random-abc")
    assert generated == {"sandbox-random-abc": ApiKey("demo", ApiKey("demo").permissions, True)}
    own = json.dumps({"team-key": {"workspace": "team"}, SANDBOX_DEMO_KEY: {"workspace": "demo"}})
    configured = public_keys(load_settings({"FT_SANDBOX_KEYS": own}), "sandbox-random-abc")
    assert set(configured) == {"team-key"}
    assert not set(configured) & set(BUILTIN_KEYS)


async def test_two_apps_share_one_sandbox_with_their_own_keys(tmp_path: Path) -> None:
    sandbox = Sandbox(SandboxConfig(db_path=tmp_path / "jobs.db"))
    inside = create_app(sandbox=sandbox)
    outside = create_app(sandbox=sandbox, keys={"unpublished": ApiKey("demo", seed=True)})
    demo = {"x-api-key": SANDBOX_DEMO_KEY}
    async with (
        httpx.AsyncClient(transport=httpx.ASGITransport(app=inside), base_url="http://in") as a,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=outside), base_url="http://o") as b,
    ):
        assert (await a.get("/api/jobs", headers=demo)).status_code == 200
        assert (await b.get("/api/jobs", headers=demo)).status_code == 401
        for key in BUILTIN_KEYS:
            assert (await b.get("/api/jobs", headers={"x-api-key": key})).status_code == 401
        theirs = await b.get("/api/jobs", headers={"x-api-key": "unpublished"})
        assert theirs.json() == (await a.get("/api/jobs", headers=demo)).json()
    assert sandbox.requests["list_jobs"] == 2 + len(BUILTIN_KEYS) + 2  # one set of counts
