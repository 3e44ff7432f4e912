"""The dashboard's State, driven directly (Reflex allows State() under pytest)."""

from __future__ import annotations

import json

import pytest
import respx
from reflex_base.utils.format import json_dumps

from ftapp.pages.dashboard.state import DashboardState
from ftapp.services import Snapshot
from tests.helpers.hosted_api import SECRET_KEY
from tests.unit.snapshots import job, snapshot


def apply(state: DashboardState, current: Snapshot) -> None:
    """What the page's feed subscription does with each snapshot."""
    state._apply_workspace(current)
    state._apply_snapshot(current)


def test_a_snapshot_fills_rows_cards_and_quota() -> None:
    state = DashboardState()
    apply(
        state,
        snapshot(job("a", "alpha"), job("b", "beta", "Completed"), job("c", "gamma", "Failed")),
    )

    assert [row.name for row in state._rows] == ["alpha", "beta", "gamma"]
    assert state._rows[0].base_model_name == "Llama 3.1 8B Instruct"
    assert (state.completed, state.running, state.failed, state.total) == (1, 1, 1, 3)
    assert state.quota_text == "3 of 10 jobs"
    assert state.quota_percent == 30
    assert state.loading is False
    assert state.feed_error == ""
    assert state.updated_at == 1_800_000_000.0
    assert state.create_blocked_reason == ""


def test_a_failed_poll_keeps_the_last_rows_and_shows_why() -> None:
    state = DashboardState()
    apply(state, snapshot(job("a", "alpha")))
    good = snapshot(job("a", "alpha"))
    failed = Snapshot(
        version=2,
        job_list=good.job_list,
        fetched_at=good.fetched_at,
        error="The Job Training API cannot be reached right now. Try again shortly.",
        failures=1,
    )

    apply(state, failed)

    assert [row.name for row in state._rows] == ["alpha"]
    assert "cannot be reached" in state.feed_error


def test_a_first_poll_that_fails_ends_loading_with_the_error() -> None:
    state = DashboardState()
    apply(state, Snapshot(version=1, error="The API key was refused.", failures=1))
    assert state.loading is False
    assert state._rows == []
    assert state.feed_error == "The API key was refused."


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
    apply(
        state,
        snapshot(
            *[job(str(i), f"job-{i}", "Completed") for i in range(jobs)], may_create=may_create
        ),
    )
    assert state.create_blocked_reason == reason


def _script_of(event) -> str:
    return json.dumps(event.args if hasattr(event, "args") else str(event), default=str)


def test_search_filters_rows_resets_the_page_and_updates_the_url() -> None:
    state = DashboardState()
    apply(state, snapshot(*[job(str(i), f"job-{i:02d}") for i in range(12)], job("x", "llama-x")))
    state.page = 2

    event = state.set_search("LLAMA-X")

    assert [row.name for row in state.visible_rows] == ["llama-x"]
    assert state.page == 1
    assert "?q=LLAMA-X" in _script_of(event)


def test_sorting_paging_and_filtering() -> None:
    state = DashboardState()
    jobs = [job(f"id{i}", f"job-{i}", "Completed" if i % 2 else "Failed") for i in range(7)]
    apply(state, snapshot(*jobs))

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
    apply(state, snapshot(job("a", "alpha")))
    state.ask_delete("a")
    assert (state.confirm_id, state.confirm_name) == ("a", "alpha")
    state.ask_delete("not-listed")  # a crafted id names no job: the dialog stays as it was
    assert state.confirm_id == "a"
    state.set_confirm_open(False)
    assert state.confirm_id == ""


async def test_no_state_var_holds_the_key(hosted_api: respx.MockRouter) -> None:
    state = DashboardState()
    apply(state, snapshot(job("a", "alpha")))
    assert SECRET_KEY not in json.dumps(state.dict(), default=str)


def test_total_counts_every_listed_job_even_with_an_unknown_status() -> None:
    state = DashboardState()
    apply(
        state,
        snapshot(
            job("a", "alpha"),
            job("q", "queued-one", "Queued"),
            summary={"completed": 0, "running": 1, "failed": 0},
        ),
    )
    assert state.total == 2
    assert state.running == 1
    assert [row.status for row in state._rows] == ["Running", "Queued"]


def test_only_the_visible_page_of_rows_goes_to_the_browser() -> None:
    state = DashboardState()
    names = [f"job-{number:02d}" for number in range(25)]
    apply(state, snapshot(*[job(str(number), name) for number, name in enumerate(names)]))

    sent = json_dumps(state.dict())  # every var a delta could carry, as Reflex serializes it

    assert len(state._rows) == 25
    assert len(state.visible_rows) == 10
    assert sum(f'"{name}"' in sent for name in names) == 10
    assert (state.total, state.matching_count, state.page_total) == (25, 25, 3)


def test_an_unchanged_snapshot_sends_no_rows_again() -> None:
    state = DashboardState()
    apply(state, snapshot(job("a", "alpha"), job("b", "beta")))
    state._clean()
    apply(state, snapshot(job("a", "alpha"), job("b", "beta")))
    assert state.dirty_vars == set()


def test_a_page_past_the_end_is_corrected_in_the_url_once_the_rows_are_known() -> None:
    state = DashboardState()
    state._adopt(state._view().__class__(page=99))
    events = state._apply_snapshot(snapshot(*[job(str(n), f"job-{n:02d}") for n in range(12)]))
    assert state.page == 2
    assert state.shown_page == 2
    assert "?page=2" in _script_of(events[0])
    assert state._apply_snapshot(snapshot(*[job(str(n), f"job-{n:02d}") for n in range(12)])) == []


def test_clear_filters_shows_every_job_and_cleans_the_url() -> None:
    state = DashboardState()
    apply(state, snapshot(job("a", "alpha"), job("b", "beta", "Completed")))
    state.set_search("zzz")
    state.set_status_filter("Failed")
    assert (state.matching_count, state.filtered) == (0, True)
    assert state.view_query == "?q=zzz&status=Failed"

    event = state.clear_filters()

    assert (state.matching_count, state.filtered, state.view_query) == (2, False, "")
    assert "?" not in _script_of(event)  # the URL is the plain dashboard again


def test_a_pasted_job_id_finds_its_job() -> None:
    state = DashboardState()
    apply(state, snapshot(job("5f0c9a2e-1b7d", "first"), job("a2e5f0c9-77aa", "second")))
    state.set_search("5f0c9a2e-1b7d")
    assert [row.name for row in state.visible_rows] == ["first"]


def test_closing_the_dialog_without_deleting_gives_the_focus_back_to_its_opener() -> None:
    state = DashboardState()
    apply(state, snapshot(job("a", "alpha")))
    state.ask_delete("a")
    event = state.set_confirm_open(False)
    assert state.confirm_id == ""
    assert "data-delete-job" in _script_of(event)
    assert "CSS.escape(" in _script_of(event)
    assert state.set_confirm_open(False) is None  # already closed: nothing to do
