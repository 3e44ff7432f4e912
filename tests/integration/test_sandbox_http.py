"""The standalone sandbox over real HTTP: every status code and body the contract describes.

Each test talks to a ``python -m ftapp.sandbox`` process (see conftest.py) with httpx. Every
successful body, and every documented error body, is validated against the contract's own
schemas (``ftapp/sandbox/openapi.json``, used as is).
"""

from __future__ import annotations

import asyncio
import http.client
import json
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from ftapp.sandbox.app import BODY_TOO_LARGE_MESSAGE
from tests.helpers.servers import SandboxLauncher, SandboxProcess
from tests.integration.helpers import (
    DEMO_KEY,
    FINAL_STATUSES,
    JOB_LIMIT,
    OPENAPI_PATH,
    OTHER_KEY,
    READONLY_KEY,
    TOO_MANY_JOBS,
    assert_conforms,
    assert_job_shape,
    contract,
    keyed,
    valid_job,
)

DEMO_SEED_COUNT = 6
UNKNOWN_ID = "00000000-0000-0000-0000-000000000000"


# --- helpers ------------------------------------------------------------------------------


def client_for(sandbox: SandboxProcess, key: str | None = None) -> httpx.Client:
    return httpx.Client(base_url=sandbox.api_url, headers=keyed(key) if key else {}, timeout=10.0)


def list_jobs(client: httpx.Client) -> dict[str, Any]:
    response = client.get("/jobs")
    assert response.status_code == 200, response.text
    body = response.json()
    assert_conforms(body, "/jobs", "get", 200)
    for job in body["jobs"]:
        assert_job_shape(job)
    assert_summary_agrees(body)
    return body


def assert_summary_agrees(body: dict[str, Any]) -> None:
    counts = Counter(job["status"] for job in body["jobs"])
    assert body["summary"] == {
        "completed": counts["Completed"],
        "running": counts["Running"],
        "failed": counts["Failed"],
    }


def create(client: httpx.Client, **overrides: Any) -> dict[str, Any]:
    response = client.post("/jobs", json=valid_job(**overrides))
    assert response.status_code == 201, response.text
    job = response.json()
    assert_conforms(job, "/jobs", "post", 201)
    assert_job_shape(job)
    return job


def assert_error_body(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert isinstance(body, dict)
    assert isinstance(body.get("error"), str)
    assert body["error"]
    return body


# --- no key needed ------------------------------------------------------------------------


def test_health_answers_ok_without_a_key(shared_sandbox: SandboxProcess) -> None:
    with client_for(shared_sandbox) as client:
        response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert_conforms(response.json(), "/health", "get", 200)


def test_openapi_document_is_served_byte_for_byte(shared_sandbox: SandboxProcess) -> None:
    with client_for(shared_sandbox) as client:
        response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.content == OPENAPI_PATH.read_bytes()
    assert response.json() == contract()
    assert_conforms(response.json(), "/openapi.json", "get", 200)


def test_routes_live_under_api(shared_sandbox: SandboxProcess) -> None:
    with httpx.Client(base_url=shared_sandbox.origin, headers=keyed(DEMO_KEY)) as client:
        assert client.get("/jobs").status_code == 404
        assert client.get("/health").status_code == 404
        assert client.get("/api/jobs").status_code == 200


# --- 401 ----------------------------------------------------------------------------------

AUTHENTICATED_REQUESTS = [
    ("GET", "/jobs", None),
    ("POST", "/jobs", valid_job()),
    ("GET", f"/jobs/{UNKNOWN_ID}", None),
    ("DELETE", f"/jobs/{UNKNOWN_ID}", None),
    ("GET", "/models", None),
]


@pytest.mark.parametrize(("method", "path", "body"), AUTHENTICATED_REQUESTS)
@pytest.mark.parametrize(
    "headers",
    [{}, {"x-api-key": ""}, keyed("not-a-real-key"), {"authorization": f"Bearer {DEMO_KEY}"}],
    ids=["missing", "empty", "unknown", "wrong-header"],
)
def test_requests_without_a_known_key_get_401(
    shared_sandbox: SandboxProcess,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    headers: dict[str, str],
) -> None:
    with client_for(shared_sandbox) as client:
        response = client.request(method, path, json=body, headers=headers)
    assert_error_body(response, 401)


# --- models -------------------------------------------------------------------------------


def test_models_lists_the_three_contract_models(shared_sandbox: SandboxProcess) -> None:
    with client_for(shared_sandbox, READONLY_KEY) as client:
        response = client.get("/models")
    assert response.status_code == 200
    models = response.json()
    assert_conforms(models, "/models", "get", 200)
    contract_ids = contract()["components"]["schemas"]["JobInput"]["properties"]["baseModel"]
    assert sorted(model["id"] for model in models) == sorted(contract_ids["enum"])
    assert all(isinstance(m["displayName"], str) and m["displayName"].strip() for m in models)


# --- list, create, get, delete ------------------------------------------------------------


def test_demo_workspace_is_seeded_with_six_jobs(sandbox: SandboxProcess) -> None:
    with client_for(sandbox, DEMO_KEY) as client:
        body = list_jobs(client)
    assert len(body["jobs"]) == DEMO_SEED_COUNT
    # At speed 1 two seeded jobs are still running (see ftapp/sandbox/seeds.py).
    assert body["summary"] == {"completed": 3, "running": 2, "failed": 1}
    created = [datetime.fromisoformat(job["createdAt"]) for job in body["jobs"]]
    assert created == sorted(created, reverse=True), "jobs are listed newest first"
    assert {job["createdAgo"] for job in body["jobs"]} >= {"3 days ago", "1 minute ago"}


def test_create_get_delete_round_trip(sandbox: SandboxProcess) -> None:
    with client_for(sandbox, DEMO_KEY) as client:
        before = time.time()
        job = create(client, name="round-trip-1", epochs=5, learningRate=0.5)
        assert {k: job[k] for k in valid_job()} == valid_job(
            name="round-trip-1", epochs=5, learningRate=0.5
        )
        assert job["status"] == "Running"
        assert job["createdAgo"] == "just now"
        created = datetime.fromisoformat(job["createdAt"]).timestamp()
        assert before - 2 <= created <= time.time() + 2

        response = client.get(f"/jobs/{job['id']}")
        assert response.status_code == 200
        fetched = response.json()
        assert_conforms(fetched, "/jobs/{id}", "get", 200)
        assert_job_shape(fetched)
        assert fetched == job

        listed = list_jobs(client)
        assert len(listed["jobs"]) == DEMO_SEED_COUNT + 1
        assert listed["jobs"][0] == job  # newest first
        assert listed["summary"]["running"] == 3

        response = client.delete(f"/jobs/{job['id']}")
        assert response.status_code == 200
        assert response.json() == {"message": "Job deleted successfully"}
        assert_conforms(response.json(), "/jobs/{id}", "delete", 200)

        assert_error_body(client.get(f"/jobs/{job['id']}"), 404)
        assert_error_body(client.delete(f"/jobs/{job['id']}"), 404)
        assert len(list_jobs(client)["jobs"]) == DEMO_SEED_COUNT


@pytest.mark.parametrize(
    "overrides",
    [
        {"name": "abc"},
        {"name": "-leading-dash-is-allowed"},
        {"name": "A" * 50},
        {"learningRate": 0},
        {"learningRate": 1},
        {"learningRate": 1e-9},
        {"epochs": 2, "evaluationEpochs": 1, "warmupEpochs": 1},
        {"epochs": 1, "evaluationEpochs": 0, "warmupEpochs": 0},
        {"baseModel": "deepseek-ai/DeepSeek-R1-Distill-Llama-70B"},
        {"baseModel": "Qwen/QwQ-32B"},
        {"unknownField": "ignored"},
    ],
    ids=repr,
)
def test_create_accepts_every_valid_edge(
    shared_sandbox: SandboxProcess, overrides: dict[str, Any]
) -> None:
    with client_for(shared_sandbox, OTHER_KEY) as client:
        job = create(client, **overrides)
        expected = {k: v for k, v in valid_job(**overrides).items() if k in job}
        assert {k: job[k] for k in expected} == expected
        assert "unknownField" not in job
        assert client.delete(f"/jobs/{job['id']}").status_code == 200


def test_a_whole_float_counts_as_an_integer(shared_sandbox: SandboxProcess) -> None:
    with client_for(shared_sandbox, OTHER_KEY) as client:
        job = create(client, epochs=4.0, evaluationEpochs=1.0, warmupEpochs=0.0)
        assert (job["epochs"], job["evaluationEpochs"], job["warmupEpochs"]) == (4, 1, 0)
        assert all(type(job[k]) is int for k in ("epochs", "evaluationEpochs", "warmupEpochs"))
        assert client.delete(f"/jobs/{job['id']}").status_code == 200


# --- 400 ----------------------------------------------------------------------------------

_FIELDS = list(valid_job())


def _without(field: str) -> dict[str, Any]:
    body = valid_job()
    del body[field]
    return body


def _raw_job(**raw_values: str) -> bytes:
    """A JSON body with some values spelled out verbatim (e.g. numbers json.dumps can't)."""
    parts = {name: json.dumps(value) for name, value in valid_job().items()}
    parts.update(raw_values)
    return ("{" + ",".join(f'"{name}":{value}' for name, value in parts.items()) + "}").encode()


# (id, request body: dict/list/... sent as JSON or bytes sent verbatim, field expected in fields)
BAD_BODIES: list[tuple[str, Any, str]] = [
    *[(f"missing-{field}", _without(field), field) for field in _FIELDS],
    *[(f"null-{field}", valid_job(**{field: None}), field) for field in _FIELDS],
    ("name-number", valid_job(name=123), "name"),
    ("name-too-short", valid_job(name="ab"), "name"),
    ("name-empty", valid_job(name=""), "name"),
    ("name-too-long", valid_job(name="a" * 51), "name"),
    ("name-ends-with-dash", valid_job(name="my-job-"), "name"),
    ("name-space", valid_job(name="my job"), "name"),
    ("name-underscore", valid_job(name="my_job"), "name"),
    ("name-non-ascii", valid_job(name="jöb-name"), "name"),
    ("name-padded", valid_job(name=" my-job "), "name"),
    ("model-unknown", valid_job(baseModel="gpt-4"), "baseModel"),
    ("model-empty", valid_job(baseModel=""), "baseModel"),
    ("model-list", valid_job(baseModel=["Qwen/QwQ-32B"]), "baseModel"),
    ("epochs-zero", valid_job(epochs=0, evaluationEpochs=0, warmupEpochs=0), "epochs"),
    ("epochs-negative", valid_job(epochs=-1), "epochs"),
    ("epochs-string", valid_job(epochs="3"), "epochs"),
    ("epochs-bool", valid_job(epochs=True), "epochs"),
    ("epochs-fraction", valid_job(epochs=2.5), "epochs"),
    ("epochs-object", valid_job(epochs={}), "epochs"),
    ("evaluation-negative", valid_job(evaluationEpochs=-1), "evaluationEpochs"),
    ("warmup-negative", valid_job(warmupEpochs=-1), "warmupEpochs"),
    ("warmup-string", valid_job(warmupEpochs="1"), "warmupEpochs"),
    ("epoch-budget", valid_job(epochs=2, evaluationEpochs=2, warmupEpochs=1), "evaluationEpochs"),
    (
        "epoch-budget-warmup",
        valid_job(epochs=1, evaluationEpochs=0, warmupEpochs=2),
        "warmupEpochs",
    ),
    ("rate-above-one", valid_job(learningRate=1.0001), "learningRate"),
    ("rate-negative", valid_job(learningRate=-0.1), "learningRate"),
    ("rate-string", valid_job(learningRate="0.1"), "learningRate"),
    ("rate-bool", valid_job(learningRate=False), "learningRate"),
    ("rate-nan", _raw_job(learningRate="NaN"), "learningRate"),
    ("rate-infinity", _raw_job(learningRate="Infinity"), "learningRate"),
    ("rate-overflows-to-infinity", _raw_job(learningRate="1e400"), "learningRate"),
    ("rate-huge-integer", _raw_job(learningRate="1" * 400), "learningRate"),
    ("integer-beyond-digit-limit", _raw_job(epochs="9" * 5000), "body"),
    ("body-list", [valid_job()], "body"),
    ("body-string", "job", "body"),
    ("body-number", 3, "body"),
    ("body-null", None, "body"),
    ("body-empty", b"", "body"),
    ("body-malformed", b'{"name": "abc",', "body"),
    ("body-not-utf8", b"\xff\xfe\x00", "body"),
    ("body-deeply-nested", b"[" * 30_000 + b"]" * 30_000, "body"),  # 60 KB: under 413
]


@pytest.mark.parametrize(
    ("payload", "field"),
    [pytest.param(payload, field, id=name) for name, payload, field in BAD_BODIES],
)
def test_invalid_bodies_get_400_with_field_messages(
    shared_sandbox: SandboxProcess, payload: Any, field: str
) -> None:
    with client_for(shared_sandbox, OTHER_KEY) as client:
        before = len(list_jobs(client)["jobs"])
        if isinstance(payload, bytes):
            response = client.post(
                "/jobs", content=payload, headers={"content-type": "application/json"}
            )
        else:
            response = client.post("/jobs", json=payload)
        body = assert_error_body(response, 400)
        assert body["error"] == "Validation failed"
        assert_conforms(body, "/jobs", "post", 400)
        assert isinstance(body["fields"], dict)
        assert field in body["fields"], body["fields"]
        assert all(isinstance(m, str) and m for m in body["fields"].values())
        assert len(list_jobs(client)["jobs"]) == before, "a rejected body created a job"


def test_400_reports_every_broken_field_at_once(shared_sandbox: SandboxProcess) -> None:
    with client_for(shared_sandbox, OTHER_KEY) as client:
        response = client.post("/jobs", json={"name": "x", "epochs": "three"})
    body = assert_error_body(response, 400)
    assert set(body["fields"]) == set(_FIELDS)


# --- 413 ----------------------------------------------------------------------------------


def test_a_body_declared_over_64_kb_gets_413_before_it_is_sent(
    shared_sandbox: SandboxProcess,
) -> None:
    parts = urlsplit(shared_sandbox.api_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        # Only the headers: a server that waited for the 20 MB body would time out here.
        connection.putrequest("POST", f"{parts.path}/jobs")
        for name, value in {
            **keyed(OTHER_KEY),
            "content-type": "application/json",
            "content-length": str(20 * 1024 * 1024),
        }.items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        status, body = response.status, json.loads(response.read())
    finally:
        connection.close()
    assert status == 413
    assert body == {"error": BODY_TOO_LARGE_MESSAGE}


def test_a_chunked_body_over_64_kb_gets_413(shared_sandbox: SandboxProcess) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: sent chunked
        yield b'{"name": "too-big", "padding": "'
        for _ in range(80):
            yield b"x" * 1024
        yield b'"}'

    with client_for(shared_sandbox, OTHER_KEY) as client:
        before = len(list_jobs(client)["jobs"])
        response = client.post("/jobs", content=chunks())
        assert "content-length" not in response.request.headers
        assert_error_body(response, 413)
        assert response.json() == {"error": BODY_TOO_LARGE_MESSAGE}
        assert len(list_jobs(client)["jobs"]) == before


# --- 403 ----------------------------------------------------------------------------------


def test_readonly_key_reads_but_may_not_create_or_delete(sandbox: SandboxProcess) -> None:
    with client_for(sandbox, READONLY_KEY) as client:
        jobs = list_jobs(client)["jobs"]
        assert len(jobs) == DEMO_SEED_COUNT
        response = client.get(f"/jobs/{jobs[0]['id']}")
        assert response.status_code == 200
        assert_conforms(response.json(), "/jobs/{id}", "get", 200)

        response = client.post("/jobs", json=valid_job())
        assert response.status_code == 403
        assert response.json() == {"error": "Insufficient permissions to create jobs"}
        assert_conforms(response.json(), "/jobs", "post", 403)

        response = client.delete(f"/jobs/{jobs[0]['id']}")
        assert response.status_code == 403
        assert response.json() == {"error": "Insufficient permissions to delete jobs"}
        assert_conforms(response.json(), "/jobs/{id}", "delete", 403)

        # permissions are checked before the body or the id is looked at
        response = client.post("/jobs", json={"name": "x"})
        assert response.status_code == 403
        assert client.delete(f"/jobs/{UNKNOWN_ID}").status_code == 403

        assert [job["id"] for job in list_jobs(client)["jobs"]] == [job["id"] for job in jobs]


def test_keys_from_ft_sandbox_keys(start_sandbox: SandboxLauncher) -> None:
    sandbox = start_sandbox(
        keys={
            "team-writer": {"workspace": "team", "permissions": ["read", "create"]},
            "team-reader": {"workspace": "team", "permissions": ["read"]},
        }
    )
    with client_for(sandbox, "team-writer") as writer, client_for(sandbox, "team-reader") as reader:
        assert list_jobs(writer)["jobs"] == []  # not seeded
        job = create(writer, name="team-job")
        assert [j["id"] for j in list_jobs(reader)["jobs"]] == [job["id"]]
        response = writer.delete(f"/jobs/{job['id']}")
        assert response.status_code == 403
        assert response.json() == {"error": "Insufficient permissions to delete jobs"}
        assert reader.post("/jobs", json=valid_job()).json() == {
            "error": "Insufficient permissions to create jobs"
        }
    with client_for(sandbox, DEMO_KEY) as demo:  # built-in keys still work
        assert job["id"] not in {j["id"] for j in list_jobs(demo)["jobs"]}


# --- 404 and workspace isolation ----------------------------------------------------------


@pytest.mark.parametrize("job_id", [UNKNOWN_ID, "no-such-job", "a b", "%2e%2e"])
def test_unknown_job_is_404(shared_sandbox: SandboxProcess, job_id: str) -> None:
    with client_for(shared_sandbox, DEMO_KEY) as client:
        assert_error_body(client.get(f"/jobs/{job_id}"), 404)
        assert_error_body(client.delete(f"/jobs/{job_id}"), 404)


def test_workspaces_are_isolated(sandbox: SandboxProcess) -> None:
    with client_for(sandbox, DEMO_KEY) as demo, client_for(sandbox, OTHER_KEY) as other:
        demo_jobs = list_jobs(demo)["jobs"]
        assert len(demo_jobs) == DEMO_SEED_COUNT

        other_list = list_jobs(other)
        assert other_list == {"jobs": [], "summary": {"completed": 0, "running": 0, "failed": 0}}
        for job in demo_jobs:
            assert_error_body(other.get(f"/jobs/{job['id']}"), 404)
            assert_error_body(other.delete(f"/jobs/{job['id']}"), 404)
        assert [j["id"] for j in list_jobs(demo)["jobs"]] == [j["id"] for j in demo_jobs]

        mine = create(other, name="other-workspace-job")
        assert [j["id"] for j in list_jobs(other)["jobs"]] == [mine["id"]]
        assert mine["id"] not in {j["id"] for j in list_jobs(demo)["jobs"]}
        assert_error_body(demo.get(f"/jobs/{mine['id']}"), 404)
        assert_error_body(demo.delete(f"/jobs/{mine['id']}"), 404)
        assert other.get(f"/jobs/{mine['id']}").status_code == 200


# --- 429 ----------------------------------------------------------------------------------


def test_the_eleventh_job_gets_429_and_deleting_frees_a_slot(sandbox: SandboxProcess) -> None:
    with client_for(sandbox, OTHER_KEY) as client:
        jobs = [create(client, name=f"limit-job-{i}") for i in range(JOB_LIMIT)]
        response = client.post("/jobs", json=valid_job(name="one-too-many"))
        assert response.status_code == 429
        assert response.json() == TOO_MANY_JOBS
        assert_conforms(response.json(), "/jobs", "post", 429)
        assert len(list_jobs(client)["jobs"]) == JOB_LIMIT

        assert client.delete(f"/jobs/{jobs[3]['id']}").status_code == 200
        create(client, name="fits-again")
        assert client.post("/jobs", json=valid_job()).json() == TOO_MANY_JOBS
        assert len(list_jobs(client)["jobs"]) == JOB_LIMIT


def test_seeded_jobs_count_towards_the_limit(sandbox: SandboxProcess) -> None:
    with client_for(sandbox, DEMO_KEY) as client:
        for i in range(JOB_LIMIT - DEMO_SEED_COUNT):
            create(client, name=f"demo-extra-{i}")
        response = client.post("/jobs", json=valid_job())
        assert response.status_code == 429
        assert response.json() == TOO_MANY_JOBS


async def test_concurrent_creates_never_exceed_the_limit(sandbox: SandboxProcess) -> None:
    attempts = 2 * JOB_LIMIT
    limits = httpx.Limits(max_connections=attempts)
    async with httpx.AsyncClient(
        base_url=sandbox.api_url, headers=keyed(OTHER_KEY), timeout=30.0, limits=limits
    ) as client:
        responses = await asyncio.gather(
            *(client.post("/jobs", json=valid_job(name=f"race-{i}")) for i in range(attempts))
        )
    statuses = Counter(response.status_code for response in responses)
    assert statuses == {201: JOB_LIMIT, 429: JOB_LIMIT}
    created = {r.json()["id"] for r in responses if r.status_code == 201}
    assert len(created) == JOB_LIMIT
    assert all(r.json() == TOO_MANY_JOBS for r in responses if r.status_code == 429)
    with client_for(sandbox, OTHER_KEY) as client:
        assert {job["id"] for job in list_jobs(client)["jobs"]} == created


# --- persistence and lifecycle ------------------------------------------------------------


def test_jobs_persist_across_a_restart(sandbox: SandboxProcess) -> None:
    with client_for(sandbox, DEMO_KEY) as demo, client_for(sandbox, OTHER_KEY) as other:
        seeded = list_jobs(demo)["jobs"]
        assert demo.delete(f"/jobs/{seeded[-1]['id']}").status_code == 200
        kept = [create(other, name=f"persisted-{i}") for i in range(JOB_LIMIT)]

    sandbox.restart()

    with client_for(sandbox, DEMO_KEY) as demo, client_for(sandbox, OTHER_KEY) as other:
        stable = ("id", "name", "baseModel", "epochs", "learningRate", "date", "createdAt")
        after = list_jobs(other)["jobs"]
        assert sorted(tuple(j[k] for k in stable) for j in after) == sorted(
            tuple(j[k] for k in stable) for j in kept
        )
        # the limit still holds, and the demo workspace is not seeded a second time
        assert other.post("/jobs", json=valid_job()).json() == TOO_MANY_JOBS
        assert [j["id"] for j in list_jobs(demo)["jobs"]] == [j["id"] for j in seeded[:-1]]
        response = demo.get(f"/jobs/{seeded[0]['id']}")
        assert response.status_code == 200


def test_a_new_job_runs_then_finishes_at_high_speed(start_sandbox: SandboxLauncher) -> None:
    sandbox = start_sandbox(speed=10_000)
    with client_for(sandbox, OTHER_KEY) as client:
        # 25 epochs last 800-1200 simulated seconds: 80-120 ms at this speed
        job = create(client, name="fast-job", epochs=25)
        assert job["status"] == "Running"
        started = time.monotonic()
        status = job["status"]
        while status == "Running" and time.monotonic() - started < 5:
            time.sleep(0.05)
            response = client.get(f"/jobs/{job['id']}")
            assert response.status_code == 200
            status = response.json()["status"]
        assert status in FINAL_STATUSES
        assert time.monotonic() - started < 2
        time.sleep(0.1)
        assert client.get(f"/jobs/{job['id']}").json()["status"] == status  # final is final
        body = list_jobs(client)
        assert body["summary"] == {
            "completed": int(status == "Completed"),
            "running": 0,
            "failed": int(status == "Failed"),
        }
    with client_for(sandbox, DEMO_KEY) as demo:
        # the two seeded jobs still running at speed 1 have long finished at this speed
        assert list_jobs(demo)["summary"] == {"completed": 4, "running": 0, "failed": 2}


def test_dates_are_iso_8601_utc(shared_sandbox: SandboxProcess) -> None:
    with client_for(shared_sandbox, DEMO_KEY) as client:
        for job in list_jobs(client)["jobs"]:
            created = datetime.fromisoformat(job["createdAt"])
            assert created.utcoffset() == UTC.utcoffset(None)
            assert created <= datetime.now(UTC)
