"""The dashboard's and job page's State, driven directly (Reflex allows State() under pytest)."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from ftapp import backend
from ftapp.live import Snapshot
from ftapp.pages.dashboard import DashboardState
from ftapp.pages.job import JobState
from ftapp.upstream import JobList
from tests.unit.conftest import SECRET_KEY


def _job(job_id: str, name: str, status: str = "Running", **extra) -> dict:
    return {
        "id": job_id,
        "name": name,
        "baseModel": "meta-llama/Llama-3.1-8B-Instruct",
        "epochs": 3,
        "evaluationEpochs": 1,
        "warmupEpochs": 1,
        "learningRate": 0.0001,
        "createdAt": "2026-01-01T00:00:00Z",
        "status": status,
        **extra,
    }


def _snapshot(*jobs: dict, summary: dict | None = None, **fields) -> Snapshot:
    counts = summary or {
        "completed": sum(j["status"] == "Completed" for j in jobs),
        "running": sum(j["status"] == "Running" for j in jobs),
        "failed": sum(j["status"] == "Failed" for j in jobs),
    }
    return Snapshot(
        version=1,
        job_list=JobList.model_validate({"jobs": list(jobs), "summary": counts}),
        fetched_at=1_800_000_000.0,
        models={"meta-llama/Llama-3.1-8B-Instruct": "Llama 3.1 8B Instruct"},
        **fields,
    )


def test_a_snapshot_fills_rows_cards_and_quota() -> None:
    state = DashboardState()
    state.apply_snapshot(
        _snapshot(_job("a", "alpha"), _job("b", "beta", "Completed"), _job("c", "gamma", "Failed"))
    )

    assert [row.name for row in state.rows] == ["alpha", "beta", "gamma"]
    assert state.rows[0].base_model_name == "Llama 3.1 8B Instruct"
    assert (state.completed, state.running, state.failed, state.total) == (1, 1, 1, 3)
    assert state.quota_text == "3 of 10 jobs"
    assert state.quota_percent == 30
    assert state.loading is False
    assert state.error == ""
    assert state.updated_at == 1_800_000_000.0
    assert state.create_blocked_reason == ""


def test_a_failed_poll_keeps_the_last_rows_and_shows_why() -> None:
    state = DashboardState()
    state.apply_snapshot(_snapshot(_job("a", "alpha")))
    good = _snapshot(_job("a", "alpha"))
    failed = Snapshot(
        version=2,
        job_list=good.job_list,
        fetched_at=good.fetched_at,
        error="The Job Training API cannot be reached right now. Try again shortly.",
        failures=1,
    )

    state.apply_snapshot(failed)

    assert [row.name for row in state.rows] == ["alpha"]
    assert "cannot be reached" in state.error


def test_a_first_poll_that_fails_ends_loading_with_the_error() -> None:
    state = DashboardState()
    state.apply_snapshot(Snapshot(version=1, error="The API key was refused.", failures=1))
    assert state.loading is False
    assert state.rows == []
    assert state.error == "The API key was refused."


@pytest.mark.parametrize(
    ("jobs", "may_create", "reason"),
    [
        (
            10,
            True,
            "Your workspace holds 10 of 10 jobs, the maximum. Delete a job to create another.",
        ),
        (3, False, "This API key may not create jobs (it is read-only)."),
        (9, None, ""),
    ],
)
def test_new_job_is_blocked_with_a_reason(jobs: int, may_create: bool | None, reason: str) -> None:
    state = DashboardState()
    state.apply_snapshot(
        _snapshot(
            *[_job(str(i), f"job-{i}", "Completed") for i in range(jobs)], may_create=may_create
        )
    )
    assert state.create_blocked_reason == reason


def _script_of(event) -> str:
    return json.dumps(event.args if hasattr(event, "args") else str(event), default=str)


def test_search_filters_rows_resets_the_page_and_updates_the_url() -> None:
    state = DashboardState()
    state.apply_snapshot(
        _snapshot(*[_job(str(i), f"job-{i:02d}") for i in range(12)], _job("x", "llama-x"))
    )
    state.page = 2

    event = state.set_search("LLAMA")

    assert [row.name for row in state.visible_rows] == ["llama-x"]
    assert state.page == 1
    assert "?q=LLAMA" in _script_of(event)


def test_sorting_paging_and_filtering() -> None:
    state = DashboardState()
    jobs = [_job(f"id{i}", f"job-{i}", "Completed" if i % 2 else "Failed") for i in range(7)]
    state.apply_snapshot(_snapshot(*jobs))

    state.sort_by("name")
    assert [row.name for row in state.visible_rows][:3] == ["job-0", "job-1", "job-2"]
    state.sort_by("name")
    assert state.visible_rows[0].name == "job-6"

    state.set_per_page("5")
    assert len(state.visible_rows) == 5
    assert state.page_total == 2
    state.go_to_page(2)
    assert [row.name for row in state.visible_rows] == ["job-1", "job-0"]

    state.set_status_filter("Failed")
    assert state.shown_page == 1
    assert {row.status for row in state.visible_rows} == {"Failed"}
    assert state.matching_count == 4

    assert state.sort_by("not-a-column") is None


def test_delete_dialog_opens_for_one_job_and_cancel_forgets_it() -> None:
    state = DashboardState()
    state.ask_delete("a", "alpha")
    assert (state.confirm_id, state.confirm_name) == ("a", "alpha")
    state.set_confirm_open(False)
    assert state.confirm_id == ""


def test_job_page_follows_its_job_and_notices_a_deletion_elsewhere() -> None:
    state = JobState()
    state._apply_snapshot(_snapshot(_job("a", "alpha"), _job("b", "beta")), "a")
    assert state.job.name == "alpha"
    assert state.job.status == "Running"

    state._apply_snapshot(_snapshot(_job("a", "alpha", "Completed")), "a")
    assert state.job.status == "Completed"
    assert state.deleted_elsewhere is False

    state._apply_snapshot(_snapshot(_job("b", "beta")), "a")
    assert state.deleted_elsewhere is True


# --- deleting through the backend (the handlers' logic), against a mocked hosted API ----


@pytest.fixture
def fresh_feed(hosted_api: respx.MockRouter):
    """A feed for the mocked API that already knows two jobs."""
    feed = backend.feed()
    feed.snapshot = _snapshot(_job("a", "alpha"), _job("b", "beta", "Completed"))
    return feed


async def test_delete_removes_the_job_from_the_shared_feed(
    hosted_api: respx.MockRouter, fresh_feed
) -> None:
    route = hosted_api.delete("/jobs/a").respond(json={"message": "Job deleted successfully"})

    gone, outcome = await backend.delete_job("a", "alpha")

    assert route.call_count == 1
    assert route.calls.last.request.headers["x-api-key"] == SECRET_KEY
    assert gone is True
    assert (outcome.level, outcome.message) == ("success", "Deleted “alpha”.")
    assert [job.id for job in fresh_feed.snapshot.job_list.jobs] == ["b"]
    assert fresh_feed.snapshot.summary.running == 0


async def test_delete_of_a_job_already_gone_removes_its_row(
    hosted_api: respx.MockRouter, fresh_feed
) -> None:
    hosted_api.delete("/jobs/a").respond(404, json={"error": "Job not found"})
    gone, outcome = await backend.delete_job("a", "alpha")
    assert gone is True
    assert outcome.level == "info"
    assert "already deleted" in outcome.message
    assert [job.id for job in fresh_feed.snapshot.job_list.jobs] == ["b"]


@pytest.mark.parametrize(
    ("response", "message"),
    [
        (
            httpx.Response(403, json={"error": "Insufficient permissions to delete jobs"}),
            "This API key may not delete jobs.",
        ),
        (httpx.Response(503), "Could not delete “alpha”. The Job Training API cannot be reached"),
    ],
)
async def test_a_refused_delete_keeps_the_job(
    hosted_api: respx.MockRouter, fresh_feed, response: httpx.Response, message: str
) -> None:
    hosted_api.delete("/jobs/a").mock(return_value=response)
    gone, outcome = await backend.delete_job("a", "alpha")
    assert gone is False
    assert outcome.level == "error"
    assert outcome.message.startswith(message)
    assert SECRET_KEY not in outcome.message
    assert [job.id for job in fresh_feed.snapshot.job_list.jobs] == ["a", "b"]


async def test_no_state_var_holds_the_key(hosted_api: respx.MockRouter) -> None:
    state = DashboardState()
    state.apply_snapshot(_snapshot(_job("a", "alpha")))
    assert SECRET_KEY not in json.dumps(state.dict(), default=str)


def test_total_counts_every_listed_job_even_with_an_unknown_status() -> None:
    state = DashboardState()
    state.apply_snapshot(
        _snapshot(
            _job("a", "alpha"),
            _job("q", "queued-one", "Queued"),
            summary={"completed": 0, "running": 1, "failed": 0},
        )
    )
    assert state.total == 2
    assert state.running == 1
    assert [row.status for row in state.rows] == ["Running", "Queued"]
