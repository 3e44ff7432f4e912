"""What a key may do, asked of the real sandbox app in-process (its built-in keys), of a closed
port, and of APIs that answer oddly; and that no answer ever holds the key."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from ftapp import settings
from ftapp.sandbox import SandboxConfig, create_app
from ftapp.settings import EMBEDDED_BASE_URL
from ftapp.workspaces import KeyCheck, check_key
from ftapp.workspaces.keycheck import MAY_NOT_LIST, REFUSED
from tests.helpers.servers import free_port
from tests.helpers.workspaces import API_URL, distinctive_key


@pytest.fixture
def sandbox(tmp_path: Path) -> httpx.ASGITransport:
    """The sandbox app with its built-in keys, reached in-process."""
    return httpx.ASGITransport(app=create_app(SandboxConfig(db_path=tmp_path / "keys.db")))


async def test_the_demo_key_may_read_create_and_delete(sandbox: httpx.ASGITransport) -> None:
    result = await check_key(EMBEDDED_BASE_URL, "sandbox-demo-key", transport=sandbox)
    assert result == KeyCheck(reads=True, creates=True, deletes=True, problem="")
    assert result.works
    assert result.summary == "This key may read, create and delete jobs."


async def test_the_readonly_key_may_only_read(sandbox: httpx.ASGITransport) -> None:
    result = await check_key(EMBEDDED_BASE_URL, "sandbox-readonly-key", transport=sandbox)
    assert result == KeyCheck(reads=True, creates=False, deletes=False, problem="")
    assert result.summary == "This key may read jobs only (not create or delete)."


async def test_the_probes_leave_the_workspace_as_it_was(sandbox: httpx.ASGITransport) -> None:
    headers = {"x-api-key": "sandbox-other-key"}
    async with httpx.AsyncClient(transport=sandbox, base_url=EMBEDDED_BASE_URL + "/") as client:
        before = (await client.get("jobs", headers=headers)).json()
        await check_key(EMBEDDED_BASE_URL, "sandbox-other-key", transport=sandbox)
        assert (await client.get("jobs", headers=headers)).json() == before


async def test_an_unknown_key_is_refused(sandbox: httpx.ASGITransport) -> None:
    key = distinctive_key()
    result = await check_key(EMBEDDED_BASE_URL, key, transport=sandbox)
    assert result == KeyCheck(reads=False, creates=None, deletes=None, problem=REFUSED)
    assert not result.works
    assert result.summary == "The API refused this key (401 Unauthorized)."


async def test_http_is_refused_before_any_request() -> None:
    def never(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"no request expected, got {request.url}")

    result = await check_key(
        "http://training.example.test/api", distinctive_key(), transport=httpx.MockTransport(never)
    )
    assert result.problem.startswith("The API URL must use https.")
    assert not result.reads


async def test_the_embedded_url_is_refused_with_a_hosted_api(
    monkeypatch: pytest.MonkeyPatch, sandbox: httpx.ASGITransport
) -> None:
    monkeypatch.setenv("FT_API_BASE_URL", API_URL)
    monkeypatch.setenv("FT_API_KEY", "sk-unit-hosted-1234")
    settings.use_settings(None)
    result = await check_key(EMBEDDED_BASE_URL, "sandbox-demo-key", transport=sandbox)
    assert "embedded sandbox" in result.problem


async def test_a_closed_port_cannot_be_reached() -> None:
    url = f"http://127.0.0.1:{free_port()}/api"
    result = await check_key(url, distinctive_key(), timeout_seconds=5)
    assert result.problem == f"The API at {url} cannot be reached (connection refused)."
    assert result.summary == result.problem


def answering(
    handler: Callable[[httpx.Request], httpx.Response],
) -> httpx.MockTransport:
    return httpx.MockTransport(handler)


def raising(error: type[httpx.TransportError]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        raise error("simulated", request=request)

    return httpx.MockTransport(handler)


@pytest.mark.parametrize(
    ("transport", "problem"),
    [
        (
            answering(lambda r: httpx.Response(403, json={"error": "forbidden"})),
            MAY_NOT_LIST,
        ),
        (
            raising(httpx.ConnectTimeout),
            f"The API at {API_URL} cannot be reached (no answer within 3 s).",
        ),
        (
            raising(httpx.ReadTimeout),
            f"The API at {API_URL} cannot be reached (no answer within 3 s).",
        ),
        (
            answering(lambda r: httpx.Response(503)),
            f"The API at {API_URL} cannot be reached (it answered HTTP 503).",
        ),
        (
            answering(lambda r: httpx.Response(404, json={"error": "not found"})),
            f"The API at {API_URL} has no job list (404 Not Found)",
        ),
        (
            answering(lambda r: httpx.Response(200, text="<html>a web page</html>")),
            f"The answer from {API_URL} (HTTP 200) is not the Job Training API's",
        ),
        (
            answering(lambda r: httpx.Response(200, json={"jobs": "not a list"})),
            f"The answer from {API_URL} (HTTP 200) is not the Job Training API's",
        ),
        (
            answering(lambda r: httpx.Response(418)),
            f"The answer from {API_URL} (HTTP 418) is not the Job Training API's",
        ),
    ],
)
async def test_what_goes_wrong_is_said_without_the_key(
    transport: httpx.MockTransport, problem: str
) -> None:
    key = distinctive_key()
    result = await check_key(API_URL, key, transport=transport, timeout_seconds=3)
    assert result.problem.startswith(problem)
    assert not result.reads
    assert key not in result.problem
    assert key not in repr(result)


async def test_a_probe_that_tells_nothing_leaves_its_answer_unknown() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, json={"jobs": [], "summary": {}})
        if request.method == "POST":
            return httpx.Response(500)
        return httpx.Response(403, json={"error": "read only"})

    result = await check_key(API_URL, distinctive_key(), transport=httpx.MockTransport(handler))
    assert result.problem == ""
    assert (result.reads, result.creates, result.deletes) == (True, None, False)
    assert result.summary == (
        "This key may read jobs (not delete); whether it may create them is unknown."
    )


async def test_a_key_that_could_not_travel_in_a_header_is_refused_unsent() -> None:
    def never(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request expected")

    result = await check_key(API_URL, "ключ with spaces", transport=httpx.MockTransport(never))
    assert result.problem.startswith("An API key must not hold spaces")
    assert "ключ" not in result.problem


@pytest.mark.parametrize(
    ("check", "summary"),
    [
        (KeyCheck(True, True, True), "This key may read, create and delete jobs."),
        (KeyCheck(True, False, False), "This key may read jobs only (not create or delete)."),
        (KeyCheck(True, True, False), "This key may read and create jobs (not delete)."),
        (KeyCheck(True, False, True), "This key may read and delete jobs (not create)."),
        (
            KeyCheck(True, None, None),
            "This key may read jobs; whether it may create or delete them is unknown.",
        ),
        (KeyCheck(False, None, None, "It failed."), "It failed."),
    ],
)
def test_summary(check: KeyCheck, summary: str) -> None:
    assert check.summary == summary
