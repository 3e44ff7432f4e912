"""Unit tests of the async upstream client, with the Job Training API mocked by respx."""

from __future__ import annotations

import gzip
import json
import logging
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import respx
from pydantic import SecretStr

from ftapp.job_fields import JobInput
from ftapp.rules import JobStatus
from ftapp.upstream import (
    Deleted,
    Job,
    JobLimitReached,
    JobList,
    Model,
    NotFound,
    PermissionDenied,
    ProtocolError,
    Unauthorized,
    Unavailable,
    UpstreamClient,
    UpstreamError,
    ValidationFailed,
)
from ftapp.upstream.client import MAX_BODY_BYTES, MAX_JOBS_LISTED, TOO_LARGE

BASE = "https://api.example.test/api"
SECRET = "sk-test-SECRET-1234"

JOB: dict[str, Any] = {
    "id": "job-1",
    "name": "llama-fine-tune-1",
    "baseModel": "meta-llama/Llama-3.1-8B-Instruct",
    "epochs": 3,
    "evaluationEpochs": 1,
    "warmupEpochs": 1,
    "learningRate": 0.0001,
    "status": "Running",
    "date": "2025-04-24T10:00:00Z",
    "createdAt": "2025-04-08T09:55:20Z",
    "createdAgo": "2 weeks ago",
}
JOB_LIST = {"jobs": [JOB], "summary": {"completed": 4, "running": 1, "failed": 2}}
MODELS = [{"id": "Qwen/QwQ-32B", "displayName": "QwQ 32B"}]
DELETED = {"message": "Job deleted successfully"}
HEALTH = {"status": "ok"}

JOB_INPUT = JobInput(
    name="llama-fine-tune-1",
    base_model="meta-llama/Llama-3.1-8B-Instruct",
    epochs=3,
    evaluation_epochs=1,
    warmup_epochs=1,
    learning_rate=0.0001,
)

Call = Callable[[UpstreamClient], Awaitable[Any]]

# name -> (HTTP method, path under BASE, the call, a valid 2xx answer)
OPERATIONS: dict[str, tuple[str, str, Call, httpx.Response]] = {
    "list_jobs": ("GET", "/jobs", lambda c: c.list_jobs(), httpx.Response(200, json=JOB_LIST)),
    "get_job": ("GET", "/jobs/job-1", lambda c: c.get_job("job-1"), httpx.Response(200, json=JOB)),
    "list_models": ("GET", "/models", lambda c: c.list_models(), httpx.Response(200, json=MODELS)),
    "health": ("GET", "/health", lambda c: c.health(), httpx.Response(200, json=HEALTH)),
    "create_job": (
        "POST",
        "/jobs",
        lambda c: c.create_job(JOB_INPUT),
        httpx.Response(201, json=JOB),
    ),
    "delete_job": (
        "DELETE",
        "/jobs/job-1",
        lambda c: c.delete_job("job-1"),
        httpx.Response(200, json=DELETED),
    ),
}
READS = ["list_jobs", "get_job", "list_models", "health"]
WRITES = ["create_job", "delete_job"]


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        yield router


@pytest.fixture
async def client() -> Any:
    async with UpstreamClient(BASE, SECRET, retry_backoff_seconds=0) as upstream:
        yield upstream


def route_for(api: respx.MockRouter, name: str) -> respx.Route:
    method, path, _, _ = OPERATIONS[name]
    return api.route(method=method, path=path)


async def call(client: UpstreamClient, name: str) -> Any:
    return await OPERATIONS[name][2](client)


def chain(exc: BaseException | None) -> Iterator[BaseException]:
    """The exception and every exception it was raised from or during."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def assert_no_secret(exc: BaseException, caplog: pytest.LogCaptureFixture) -> None:
    for link in chain(exc):
        assert SECRET not in str(link)
        assert SECRET not in repr(link)
        assert SECRET not in repr(link.args)
    for record in caplog.records:
        assert SECRET not in record.getMessage()
    assert SECRET not in caplog.text


# --- operations -------------------------------------------------------------------------


async def test_list_jobs(api: respx.MockRouter, client: UpstreamClient) -> None:
    route = api.get("/jobs").respond(200, json=JOB_LIST)
    result = await client.list_jobs()
    assert isinstance(result, JobList)
    assert route.call_count == 1
    assert route.calls.last.request.url == f"{BASE}/jobs"
    (job,) = result.jobs
    assert job.id == "job-1"
    assert job.name == "llama-fine-tune-1"
    assert job.base_model == "meta-llama/Llama-3.1-8B-Instruct"
    assert (job.epochs, job.evaluation_epochs, job.warmup_epochs) == (3, 1, 1)
    assert job.learning_rate == pytest.approx(0.0001)
    assert job.status == JobStatus.RUNNING
    assert job.is_running
    assert job.created == datetime(2025, 4, 8, 9, 55, 20, tzinfo=UTC)
    assert job.created_ago is None  # the wording is dropped when the API sends a time
    assert (result.summary.completed, result.summary.running, result.summary.failed) == (4, 1, 2)
    assert result.summary.total == 7


async def test_list_jobs_without_summary(api: respx.MockRouter, client: UpstreamClient) -> None:
    api.get("/jobs").respond(200, json={"jobs": []})
    result = await client.list_jobs()
    assert result.jobs == []
    assert result.summary.total == 0


async def test_get_job(api: respx.MockRouter, client: UpstreamClient) -> None:
    route = api.get("/jobs/job-1").respond(200, json={**JOB, "status": JobStatus.COMPLETED})
    job = await client.get_job("job-1")
    assert isinstance(job, Job)
    assert job.id == "job-1"
    assert job.status == JobStatus.COMPLETED
    assert not job.is_running
    assert route.calls.last.request.method == "GET"


@pytest.mark.parametrize(
    ("job_id", "raw_path"),
    [
        ("job-1", b"/api/jobs/job-1"),
        ("a/b c?d#e", b"/api/jobs/a%2Fb%20c%3Fd%23e"),
        ("caf\u00e9", b"/api/jobs/caf%C3%A9"),
        ("%2F", b"/api/jobs/%252F"),
        (".", b"/api/jobs/%2E"),
        ("..", b"/api/jobs/%2E%2E"),
    ],
)
@pytest.mark.parametrize("operation", ["get_job", "delete_job"])
async def test_job_id_is_url_quoted(
    api: respx.MockRouter, client: UpstreamClient, operation: str, job_id: str, raw_path: bytes
) -> None:
    method = OPERATIONS[operation][0]
    body = JOB if operation == "get_job" else DELETED
    route = api.route(method=method).respond(200, json=body)
    await getattr(client, operation)(job_id)
    assert route.call_count == 1
    request = route.calls.last.request
    assert request.method == method
    assert request.url.raw_path == raw_path
    assert request.url.host == "api.example.test"


@pytest.mark.parametrize("operation", ["get_job", "delete_job"])
async def test_empty_job_id_is_not_found_without_a_call(
    api: respx.MockRouter, client: UpstreamClient, operation: str
) -> None:
    route = api.route().respond(200, json=JOB_LIST)
    with pytest.raises(NotFound):
        await getattr(client, operation)("")
    assert route.call_count == 0


async def test_create_job_posts_camel_case_body(
    api: respx.MockRouter, client: UpstreamClient
) -> None:
    route = api.post("/jobs").respond(201, json=JOB)
    job = await client.create_job(JOB_INPUT)
    assert isinstance(job, Job)
    assert job.id == "job-1"
    assert route.call_count == 1
    request = route.calls.last.request
    assert request.url == f"{BASE}/jobs"
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {
        "name": "llama-fine-tune-1",
        "baseModel": "meta-llama/Llama-3.1-8B-Instruct",
        "epochs": 3,
        "evaluationEpochs": 1,
        "warmupEpochs": 1,
        "learningRate": 0.0001,
    }


async def test_delete_job(api: respx.MockRouter, client: UpstreamClient) -> None:
    route = api.delete("/jobs/job-1").respond(200, json=DELETED)
    result = await client.delete_job("job-1")
    assert isinstance(result, Deleted)
    assert result.message == "Job deleted successfully"
    assert route.call_count == 1


async def test_list_models(api: respx.MockRouter, client: UpstreamClient) -> None:
    api.get("/models").respond(200, json=MODELS)
    models = await client.list_models()
    assert models == [Model(id="Qwen/QwQ-32B", display_name="QwQ 32B")]


@pytest.mark.parametrize(
    ("body", "healthy"),
    [({"status": "ok"}, True), ({"status": "degraded"}, False), (["ok"], False), ("ok", False)],
)
async def test_health(
    api: respx.MockRouter, client: UpstreamClient, body: Any, healthy: bool
) -> None:
    api.get("/health").respond(200, json=body)
    assert await client.health() is healthy


@pytest.mark.parametrize("operation", list(OPERATIONS))
async def test_every_operation_sends_the_key_header(
    api: respx.MockRouter, client: UpstreamClient, operation: str
) -> None:
    method, path, _, response = OPERATIONS[operation]
    route = route_for(api, operation).mock(return_value=response)
    await call(client, operation)
    assert route.call_count == 1
    request = route.calls.last.request
    assert request.method == method
    assert request.url == BASE + path
    assert request.headers["x-api-key"] == SECRET
    assert request.headers["accept"] == "application/json"
    assert SECRET not in str(request.url)


async def test_secret_str_key_and_trailing_slash(api: respx.MockRouter) -> None:
    route = api.get("/health").respond(200, json=HEALTH)
    async with UpstreamClient(BASE + "/", SecretStr(SECRET)) as upstream:
        assert await upstream.health() is True
        assert upstream.base_url == BASE
    assert route.calls.last.request.headers["x-api-key"] == SECRET
    assert route.calls.last.request.url == f"{BASE}/health"


# --- the contract's quirks --------------------------------------------------------------


@pytest.mark.parametrize(
    ("missing", "created", "created_ago"),
    [
        (("createdAt",), datetime(2025, 4, 24, 10, 0, tzinfo=UTC), None),
        (("createdAt", "date"), None, "2 weeks ago"),
        (("createdAgo",), datetime(2025, 4, 8, 9, 55, 20, tzinfo=UTC), None),
        (("createdAt", "createdAgo"), datetime(2025, 4, 24, 10, 0, tzinfo=UTC), None),
        (("createdAt", "createdAgo", "date"), None, None),
    ],
)
async def test_job_missing_creation_fields(
    api: respx.MockRouter,
    client: UpstreamClient,
    missing: tuple[str, ...],
    created: datetime | None,
    created_ago: str | None,
) -> None:
    job = {k: v for k, v in JOB.items() if k not in missing}
    api.get("/jobs/job-1").respond(200, json=job)
    api.get("/jobs").respond(200, json={"jobs": [job]})
    for result in (await client.get_job("job-1"), (await client.list_jobs()).jobs[0]):
        assert result.created == created
        assert result.created_ago == created_ago


async def test_job_accepts_snake_case_created_ago(
    api: respx.MockRouter, client: UpstreamClient
) -> None:
    timeless = {k: v for k, v in JOB.items() if k not in ("createdAgo", "createdAt", "date")}
    job = timeless | {"created_ago": "just now"}
    api.get("/jobs/job-1").respond(200, json=job)
    assert (await client.get_job("job-1")).created_ago == "just now"


async def test_a_job_polled_again_with_new_wording_is_the_same_job(
    api: respx.MockRouter, client: UpstreamClient
) -> None:
    """ "2 weeks ago" then "3 weeks ago": nothing a page shows changed, so neither did the job."""
    api.get("/jobs").mock(
        side_effect=[
            httpx.Response(200, json={"jobs": [JOB]}),
            httpx.Response(200, json={"jobs": [JOB | {"createdAgo": "3 weeks ago"}]}),
        ]
    )
    assert await client.list_jobs() == await client.list_jobs()


async def test_unknown_fields_are_ignored(api: respx.MockRouter, client: UpstreamClient) -> None:
    api.get("/jobs").respond(
        200,
        json={
            "jobs": [{**JOB, "gpu": "H100", "owner": {"id": 7}}],
            "summary": {"completed": 0, "running": 1, "failed": 0, "queued": 9},
            "nextPage": None,
        },
    )
    result = await client.list_jobs()
    assert result.jobs[0].id == "job-1"
    assert not hasattr(result.jobs[0], "gpu")
    assert result.summary.total == 1


async def test_unknown_status_is_kept(api: respx.MockRouter, client: UpstreamClient) -> None:
    api.get("/jobs/job-1").respond(200, json={**JOB, "status": "Queued"})
    job = await client.get_job("job-1")
    assert job.status == "Queued"
    assert not job.is_running


# --- errors -----------------------------------------------------------------------------

ErrorCase = tuple[str, Any, type[UpstreamError]]

# (operation, respx side effect or response, expected exception)
ERROR_CASES: dict[str, ErrorCase] = {
    "400 fields": (
        "create_job",
        httpx.Response(
            400,
            json={"error": "Validation failed", "fields": {"name": "Job name is too short"}},
        ),
        ValidationFailed,
    ),
    "400 no fields": ("create_job", httpx.Response(400, json={"error": "Bad"}), ValidationFailed),
    "400 not json": ("create_job", httpx.Response(400, text="bad request"), ValidationFailed),
    "401": ("list_jobs", httpx.Response(401, json={"error": "Unauthorized"}), Unauthorized),
    "401 write": ("delete_job", httpx.Response(401), Unauthorized),
    "403": (
        "create_job",
        httpx.Response(403, json={"error": "Read-only API key"}),
        PermissionDenied,
    ),
    "403 delete": ("delete_job", httpx.Response(403, json={}), PermissionDenied),
    "404 get": ("get_job", httpx.Response(404, json={"error": "Job not found"}), NotFound),
    "404 delete": ("delete_job", httpx.Response(404, json={"error": "Job not found"}), NotFound),
    "429 create": (
        "create_job",
        httpx.Response(429, json={"error": "Too many", "message": "Limit of 10 jobs reached"}),
        JobLimitReached,
    ),
    "429 read": ("list_jobs", httpx.Response(429), Unavailable),
    "500": ("list_jobs", httpx.Response(500), Unavailable),
    "502": ("get_job", httpx.Response(502, text="<html>Bad Gateway</html>"), Unavailable),
    "503": ("list_models", httpx.Response(503), Unavailable),
    "503 create": ("create_job", httpx.Response(503), Unavailable),
    "503 delete": ("delete_job", httpx.Response(503), Unavailable),
    "418": ("health", httpx.Response(418, json={"error": "teapot"}), ProtocolError),
    "418 create": ("create_job", httpx.Response(418), ProtocolError),
    "read timeout": ("list_jobs", httpx.ReadTimeout, Unavailable),
    "connect timeout": ("get_job", httpx.ConnectTimeout, Unavailable),
    "create timeout": ("create_job", httpx.ReadTimeout, Unavailable),
    "connect error": ("list_jobs", httpx.ConnectError, Unavailable),
    "connect error delete": ("delete_job", httpx.ConnectError, Unavailable),
    "remote protocol error": ("health", httpx.RemoteProtocolError, Unavailable),
    "not json": ("list_jobs", httpx.Response(200, text="<html>hello</html>"), ProtocolError),
    "empty body": ("delete_job", httpx.Response(200), ProtocolError),
    "bad utf-8": ("get_job", httpx.Response(200, content=b'{"id": "\xff"}'), ProtocolError),
    "health not json": ("health", httpx.Response(200, text="OK"), ProtocolError),
    "jobs not a list": ("list_jobs", httpx.Response(200, json={"jobs": "nope"}), ProtocolError),
    "list is not an object": ("list_jobs", httpx.Response(200, json=[JOB]), ProtocolError),
    "listed job lacks name": (
        "list_jobs",
        httpx.Response(200, json={"jobs": [{k: v for k, v in JOB.items() if k != "name"}]}),
        ProtocolError,
    ),
    "job lacks name": (
        "get_job",
        httpx.Response(200, json={k: v for k, v in JOB.items() if k != "name"}),
        ProtocolError,
    ),
    "created job lacks name": (
        "create_job",
        httpx.Response(201, json={k: v for k, v in JOB.items() if k != "name"}),
        ProtocolError,
    ),
    "models not a list": ("list_models", httpx.Response(200, json={"models": []}), ProtocolError),
    "deleted not an object": ("delete_job", httpx.Response(200, json=["ok"]), ProtocolError),
}


def mock_error(api: respx.MockRouter, operation: str, effect: Any) -> respx.Route:
    route = route_for(api, operation)
    if isinstance(effect, httpx.Response):
        return route.mock(return_value=effect)
    return route.mock(side_effect=effect)


@pytest.mark.parametrize(("operation", "effect", "expected"), ERROR_CASES.values(), ids=ERROR_CASES)
async def test_errors_are_typed_and_keep_the_secret(
    api: respx.MockRouter,
    client: UpstreamClient,
    caplog: pytest.LogCaptureFixture,
    operation: str,
    effect: Any,
    expected: type[UpstreamError],
) -> None:
    caplog.set_level(logging.DEBUG)
    mock_error(api, operation, effect)
    with pytest.raises(UpstreamError) as info:
        await call(client, operation)
    exc = info.value
    assert type(exc) is expected or (expected is Unavailable and isinstance(exc, Unavailable))
    assert exc.message
    assert str(exc) == exc.message
    if isinstance(effect, httpx.Response):
        assert exc.status_code == effect.status_code
    else:
        assert exc.status_code is None
        assert isinstance(exc.__cause__, effect)
    assert_no_secret(exc, caplog)
    assert SECRET not in repr(client)


async def test_validation_failed_carries_fields(
    api: respx.MockRouter, client: UpstreamClient
) -> None:
    fields = {"name": "Job name is too short", "learningRate": "Must be between 0 and 1"}
    api.post("/jobs").respond(400, json={"error": "Validation failed", "fields": fields})
    with pytest.raises(ValidationFailed) as info:
        await client.create_job(JOB_INPUT)
    assert info.value.fields == fields
    assert info.value.status_code == 400
    assert info.value.message == "Validation failed"


@pytest.mark.parametrize(
    "body", [{"error": "Bad request"}, {"fields": "nope"}, {}, None, "oops", [1]]
)
async def test_validation_failed_without_fields(
    api: respx.MockRouter, client: UpstreamClient, body: Any
) -> None:
    api.post("/jobs").respond(400, json=body)
    with pytest.raises(ValidationFailed) as info:
        await client.create_job(JOB_INPUT)
    assert info.value.fields == {}
    assert info.value.message


async def test_validation_failed_stringifies_field_messages(
    api: respx.MockRouter, client: UpstreamClient
) -> None:
    api.post("/jobs").respond(400, json={"fields": {"epochs": 5}})
    with pytest.raises(ValidationFailed) as info:
        await client.create_job(JOB_INPUT)
    assert info.value.fields == {"epochs": "5"}
    assert info.value.message == ValidationFailed.default_message


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"error": "Read-only API keys cannot create jobs"},
            "Read-only API keys cannot create jobs",
        ),
        ({"message": "Forbidden here"}, "Forbidden here"),
        ({"error": "  "}, PermissionDenied.default_message),
        (None, PermissionDenied.default_message),
    ],
)
async def test_permission_denied_carries_the_api_error(
    api: respx.MockRouter, client: UpstreamClient, body: Any, message: str
) -> None:
    api.post("/jobs").respond(403, json=body)
    with pytest.raises(PermissionDenied) as info:
        await client.create_job(JOB_INPUT)
    assert info.value.message == message
    assert str(info.value) == message
    assert info.value.status_code == 403


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"error": "Too Many Requests", "message": "Maximum of 10 jobs reached"},
            "Maximum of 10 jobs reached",
        ),
        ({"error": "Job limit reached"}, "Job limit reached"),
        ({}, JobLimitReached.default_message),
    ],
)
async def test_job_limit_reached_carries_the_api_message(
    api: respx.MockRouter, client: UpstreamClient, body: Any, message: str
) -> None:
    api.post("/jobs").respond(429, json=body)
    with pytest.raises(JobLimitReached) as info:
        await client.create_job(JOB_INPUT)
    assert info.value.message == message
    assert info.value.status_code == 429


async def test_unexpected_status_names_it(api: respx.MockRouter, client: UpstreamClient) -> None:
    api.get("/jobs").respond(418)
    with pytest.raises(ProtocolError, match="HTTP 418"):
        await client.list_jobs()


async def test_redirects_are_not_followed(api: respx.MockRouter, client: UpstreamClient) -> None:
    api.get("/jobs").respond(302, headers={"location": "https://elsewhere.test/steal"})
    other = respx.get("https://elsewhere.test/steal").respond(200, json=JOB_LIST)
    with pytest.raises(ProtocolError):
        await client.list_jobs()
    assert other.call_count == 0


# --- retries ----------------------------------------------------------------------------

TRANSIENT: dict[str, Any] = {
    "connect error": httpx.ConnectError,
    "read error": httpx.ReadError,
    "500": httpx.Response(500),
    "502": httpx.Response(502),
    "503": httpx.Response(503),
}


@pytest.mark.parametrize("failure", TRANSIENT.values(), ids=TRANSIENT)
@pytest.mark.parametrize("operation", READS)
async def test_reads_retry_transient_failures(
    api: respx.MockRouter, client: UpstreamClient, operation: str, failure: Any
) -> None:
    ok = OPERATIONS[operation][3]
    route = route_for(api, operation).mock(side_effect=[failure, failure, ok])
    result = await call(client, operation)
    assert result is not None
    assert route.call_count == 3


@pytest.mark.parametrize("failure", TRANSIENT.values(), ids=TRANSIENT)
@pytest.mark.parametrize("operation", READS)
async def test_reads_give_up_after_read_retries(
    api: respx.MockRouter, client: UpstreamClient, operation: str, failure: Any
) -> None:
    ok = OPERATIONS[operation][3]
    route = route_for(api, operation).mock(side_effect=[failure, failure, failure, ok])
    with pytest.raises(Unavailable):
        await call(client, operation)
    assert route.call_count == client.read_retries + 1 == 3


@pytest.mark.parametrize(("retries", "calls"), [(0, 1), (1, 2), (4, 5), (-1, 1)])
async def test_read_retries_is_configurable(
    api: respx.MockRouter, retries: int, calls: int
) -> None:
    route = api.get("/jobs").respond(503)
    async with UpstreamClient(
        BASE, SECRET, read_retries=retries, retry_backoff_seconds=0
    ) as upstream:
        with pytest.raises(Unavailable):
            await upstream.list_jobs()
    assert route.call_count == calls


async def test_retry_backs_off_exponentially(
    api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    delays: list[float] = []

    async def fake_sleep(delay: float) -> None:
        delays.append(delay)

    monkeypatch.setattr("ftapp.upstream.client.asyncio.sleep", fake_sleep)
    caplog.set_level(logging.DEBUG)
    route = api.get("/models").respond(503)
    async with UpstreamClient(BASE, SECRET, read_retries=3, retry_backoff_seconds=0.5) as upstream:
        with pytest.raises(Unavailable) as info:
            await upstream.list_models()
    assert route.call_count == 4
    assert delays == [0.5, 1.0, 2.0]
    assert "retrying" in caplog.text
    assert_no_secret(info.value, caplog)


NOT_RETRIED: dict[str, Any] = {
    "read timeout": httpx.ReadTimeout,
    "connect timeout": httpx.ConnectTimeout,
    "pool timeout": httpx.PoolTimeout,
    "400": httpx.Response(400),
    "401": httpx.Response(401),
    "403": httpx.Response(403),
    "404": httpx.Response(404),
    "418": httpx.Response(418),
    "429": httpx.Response(429),
    "not json": httpx.Response(200, text="nope"),
}


@pytest.mark.parametrize("failure", NOT_RETRIED.values(), ids=NOT_RETRIED)
@pytest.mark.parametrize("operation", READS)
async def test_reads_do_not_retry_timeouts_or_4xx(
    api: respx.MockRouter, client: UpstreamClient, operation: str, failure: Any
) -> None:
    ok = OPERATIONS[operation][3]
    route = route_for(api, operation).mock(side_effect=[failure, ok])
    with pytest.raises(UpstreamError):
        await call(client, operation)
    assert route.call_count == 1


@pytest.mark.parametrize(
    "failure",
    [*TRANSIENT.values(), httpx.ReadTimeout, httpx.ConnectTimeout],
    ids=[*TRANSIENT, "read timeout", "connect timeout"],
)
@pytest.mark.parametrize("operation", WRITES)
async def test_writes_are_never_retried(
    api: respx.MockRouter, client: UpstreamClient, operation: str, failure: Any
) -> None:
    ok = OPERATIONS[operation][3]
    route = route_for(api, operation).mock(side_effect=[failure, ok])
    with pytest.raises(Unavailable):
        await call(client, operation)
    assert route.call_count == 1


# --- the secret -------------------------------------------------------------------------


async def test_secret_not_in_client_repr() -> None:
    for key in (SECRET, SecretStr(SECRET)):
        async with UpstreamClient(BASE, key) as upstream:
            assert SECRET not in repr(upstream)
            assert SECRET not in str(upstream)
            assert BASE in repr(upstream)


@pytest.mark.parametrize("operation", list(OPERATIONS))
async def test_secret_not_logged_on_success(
    api: respx.MockRouter,
    client: UpstreamClient,
    caplog: pytest.LogCaptureFixture,
    operation: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    route_for(api, operation).mock(return_value=OPERATIONS[operation][3])
    await call(client, operation)
    assert SECRET not in caplog.text
    assert all(SECRET not in str(record.args) for record in caplog.records)


async def test_secret_not_logged_across_retries(
    api: respx.MockRouter, client: UpstreamClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    route = api.get("/jobs").mock(
        side_effect=[httpx.ConnectError, httpx.Response(503), httpx.Response(200, json=JOB_LIST)]
    )
    await client.list_jobs()
    assert route.call_count == 3
    assert "retrying" in caplog.text
    assert SECRET not in caplog.text
    assert all(SECRET not in str(record.args) for record in caplog.records)


# --- bounded answers ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(OPERATIONS))
async def test_an_answer_past_the_size_bound_is_refused_unread(
    api: respx.MockRouter, client: UpstreamClient, name: str
) -> None:
    huge = b'{"pad": "' + b"x" * MAX_BODY_BYTES + b'"}'
    route_for(api, name).respond(200, content=huge, headers={"content-type": "application/json"})
    with pytest.raises(ProtocolError) as raised:
        await call(client, name)
    assert raised.value.message == TOO_LARGE


async def test_a_compressed_answer_is_bounded_by_its_decoded_size(
    api: respx.MockRouter, client: UpstreamClient
) -> None:
    bomb = gzip.compress(b" " * (MAX_BODY_BYTES + 1))  # a few kilobytes on the wire
    assert len(bomb) < 10_000
    api.get("/jobs").respond(200, content=bomb, headers={"content-encoding": "gzip"})
    with pytest.raises(ProtocolError, match="larger than 4 MB"):
        await client.list_jobs()


async def test_a_compressed_answer_under_the_bound_is_read(
    api: respx.MockRouter, client: UpstreamClient
) -> None:
    body = gzip.compress(json.dumps(JOB_LIST).encode())
    api.get("/jobs").respond(200, content=body, headers={"content-encoding": "gzip"})
    assert (await client.list_jobs()).jobs[0].name == "llama-fine-tune-1"


async def test_a_list_of_more_jobs_than_ftapp_handles_is_refused_with_the_bound(
    api: respx.MockRouter, client: UpstreamClient
) -> None:
    jobs = [{**JOB, "id": f"job-{n}"} for n in range(MAX_JOBS_LISTED + 1)]
    api.get("/jobs").respond(200, json={"jobs": jobs, "summary": {}})
    with pytest.raises(ProtocolError) as raised:
        await client.list_jobs()
    assert raised.value.message == (
        "The Job Training API listed 1,001 jobs; ftapp shows at most 1,000."
    )


async def test_a_list_at_the_bound_is_read(api: respx.MockRouter, client: UpstreamClient) -> None:
    jobs = [{**JOB, "id": f"job-{n}"} for n in range(MAX_JOBS_LISTED)]
    api.get("/jobs").respond(200, json={"jobs": jobs, "summary": {}})
    assert len((await client.list_jobs()).jobs) == MAX_JOBS_LISTED


# --- permission probes ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "allowed"), [(400, True), (429, True), (403, False), (404, None), (409, None)]
)
async def test_the_create_probe_reads_the_status_without_creating(
    api: respx.MockRouter, client: UpstreamClient, status: int, allowed: bool | None
) -> None:
    route = api.post("/jobs").respond(status, json={"error": "x"})
    assert await client.probe_create_permission() is allowed
    assert json.loads(route.calls.last.request.content) == {}  # a body no workspace accepts


@pytest.mark.parametrize(
    ("status", "allowed"), [(404, True), (403, False), (400, None), (405, None)]
)
async def test_the_delete_probe_deletes_an_id_that_names_no_job(
    api: respx.MockRouter, client: UpstreamClient, status: int, allowed: bool | None
) -> None:
    route = api.delete(path__regex=r"/jobs/[0-9a-f-]{36}$").respond(status, json={"error": "x"})
    assert await client.probe_delete_permission() is allowed
    assert await client.probe_delete_permission() is allowed
    first, second = (call.request.url.path for call in route.calls)
    assert first != second  # a fresh random id each time, never one a job could hold


@pytest.mark.parametrize("probe", ["probe_create_permission", "probe_delete_permission"])
@pytest.mark.parametrize(("status", "error"), [(401, Unauthorized), (503, Unavailable)])
async def test_a_probe_raises_for_a_refused_key_or_an_api_down(
    api: respx.MockRouter, client: UpstreamClient, probe: str, status: int, error: type
) -> None:
    api.route(path__regex=r"/jobs").respond(status)
    with pytest.raises(error):
        await getattr(client, probe)()
