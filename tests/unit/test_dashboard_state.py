"""DashboardState's handler against a mocked upstream (Reflex allows State() under pytest)."""

from __future__ import annotations

import json

import httpx
import respx

from ftapp.pages.dashboard import DashboardState, JobRow
from tests.unit.conftest import SECRET_KEY

JOB = {
    "id": "job-1",
    "name": "llama-ft",
    "baseModel": "meta-llama/Llama-3.1-8B-Instruct",
    "epochs": 3,
    "evaluationEpochs": 1,
    "warmupEpochs": 1,
    "learningRate": 0.0001,
    "date": "2026-01-01T00:00:00Z",
    "status": "Running",
}


async def _load(state: DashboardState) -> list[bool]:
    """Run the handler to the end; returns the ``loading`` flag seen at each yield."""
    seen = []
    async for _ in state.load_jobs():
        seen.append(state.loading)
    return seen


async def test_load_jobs_fills_the_rows(hosted_api: respx.MockRouter) -> None:
    hosted_api.get("/jobs").respond(json={"jobs": [JOB], "summary": {"running": 1}})
    state = DashboardState()

    assert await _load(state) == [True]

    assert state.jobs == [JobRow(id="job-1", name="llama-ft", status="Running", href="/jobs/job-1")]
    assert state.error == ""
    assert state.loading is False


async def test_unreachable_api_keeps_the_last_rows_and_says_why(
    hosted_api: respx.MockRouter,
) -> None:
    hosted_api.get("/jobs").respond(json={"jobs": [JOB], "summary": {}})
    state = DashboardState()
    await _load(state)

    hosted_api.get("/jobs").mock(side_effect=httpx.ConnectError("refused"))
    await _load(state)

    assert [row.name for row in state.jobs] == ["llama-ft"]
    assert "cannot be reached" in state.error
    assert state.loading is False


async def test_refused_key_is_reported_without_the_key(hosted_api: respx.MockRouter) -> None:
    hosted_api.get("/jobs").respond(401, json={"error": "Invalid API key"})
    state = DashboardState()

    await _load(state)

    assert "API key was refused" in state.error
    assert SECRET_KEY not in state.error


async def test_no_state_var_holds_the_key(hosted_api: respx.MockRouter) -> None:
    hosted_api.get("/jobs").respond(json={"jobs": [JOB], "summary": {}})
    state = DashboardState()
    await _load(state)

    assert hosted_api.calls.last.request.headers["x-api-key"] == SECRET_KEY
    assert SECRET_KEY not in json.dumps(state.dict(), default=str)
