"""What the job page, the wizard and the dashboard make of ftapp's record (States driven
directly; background handlers run through their function, as in the wizard's tests)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import respx
from reflex.istate.data import ReflexURL, RouterData

from ftapp.pages.dashboard.state import DashboardState
from ftapp.pages.job.state import JobState
from ftapp.pages.new_job.form import DEFAULT_TEXTS
from ftapp.pages.new_job.state import NewJobState
from ftapp.pages.workspace_state import ModelOption
from ftapp.services import connection, job_records
from ftapp.services.feed import workspace_identity
from tests.helpers.hosted_api import API_BASE, SECRET_KEY
from tests.helpers.job_records import LLAMA, add_finished, add_record
from tests.helpers.reflex_states import run_background
from tests.unit.snapshots import job, snapshot

WS = workspace_identity(API_BASE, SECRET_KEY)


async def _no_feed(self, *_args: Any) -> AsyncIterator[Any]:
    """The feed the page follows after its first load: nothing here (the test ends)."""
    return
    yield


async def follow(state: JobState, monkeypatch: pytest.MonkeyPatch, job_id: str) -> None:
    """Run the job page's first load of ``job_id`` (the feed it then follows is empty)."""
    monkeypatch.setattr(JobState, "requested_id", property(lambda _self: job_id))
    monkeypatch.setattr(JobState, "_follow", _no_feed)
    await run_background(JobState.follow_job, state)


async def test_a_deleted_job_shows_its_record_read_only_with_clone(
    hosted_api: respx.MockRouter, app_db: str, monkeypatch
) -> None:
    add_record(
        app_db,
        WS,
        "gone-1",
        "old-run",
        epochs=9,
        deleted_at=1_800_003_000,
        deleted_by="bob",
        duration_seconds=2460,
        transitions=(("Running", 1_800_000_001, 2.0), ("Completed", 1_800_002_460, 5.0)),
    )
    hosted_api.get("/jobs/gone-1").respond(404, json={"error": "Job not found"})
    state = JobState()

    await follow(state, monkeypatch, "gone-1")

    assert state.not_found is False
    assert state.from_record is True
    assert (state.job.name, state.job.status) == ("old-run", "Completed")
    assert state.gone_text.startswith("Deleted by bob ")
    assert ("Epochs", "9") in [(row.label, row.value) for row in state.settings]
    assert state.run_text == "took 41 min"
    assert [entry.title for entry in state.timeline][-2:] == ["Completed", "Deleted by bob"]
    assert state.clone_href == "/w/default/jobs/new?clone=gone-1"


async def test_an_unknown_job_of_another_workspace_is_still_not_found(
    hosted_api: respx.MockRouter, app_db: str, monkeypatch
) -> None:
    add_record(app_db, "another-workspace", "theirs", "their-run")
    hosted_api.get("/jobs/theirs").respond(404, json={"error": "Job not found"})
    state = JobState()

    await follow(state, monkeypatch, "theirs")

    assert state.not_found is True
    assert state.from_record is False


async def test_a_running_job_shows_its_run_time_and_estimate(
    hosted_api: respx.MockRouter, app_db: str, monkeypatch
) -> None:
    add_finished(app_db, WS, "done", [600, 900, 1200], failed=1)
    hosted_api.get("/jobs/r1").respond(json=job("r1", "now-running"))
    state = JobState()

    await follow(state, monkeypatch, "r1")

    assert state.run_since > 0
    assert state.run_text.startswith("running for ")
    assert state.estimate_text == (
        "Similar jobs took 10 min to 20 min (median 15 min, from 3 jobs); 1 of 3 failed."
    )
    assert state.usual_end == state.job.created_ts + 900
    assert state.may_edit_notes is True


async def test_a_status_change_reads_the_record_again() -> None:
    state = JobState()
    state._apply_snapshot(snapshot(job("a", "alpha")), "a")
    state._record_status = "Running"
    assert state._apply_snapshot(snapshot(job("a", "alpha")), "a") is None
    events = state._apply_snapshot(snapshot(job("a", "alpha", "Completed")), "a")
    assert events == [JobState.refresh_record]


async def test_notes_are_saved_and_a_viewer_is_refused(
    hosted_api: respx.MockRouter, app_db: str, signed_in
) -> None:
    connection.feed().snapshot = snapshot(job("a", "alpha"))
    state = JobState()
    state._apply_snapshot(snapshot(job("a", "alpha")), "a")
    state.set_notes_draft("watch the loss")
    state.set_tags_draft("Baseline lr-1e4")
    assert state.notes_changed is True

    await run_background(JobState.save_notes, state)

    assert (state.notes, state.tags) == ("watch the loss", ["baseline", "lr-1e4"])
    assert state.tags_draft == "baseline, lr-1e4"
    assert state.notes_message == "Notes and tags saved."
    assert state.notes_changed is False

    signed_in("viewer", "vera")
    state.set_notes_draft("mine now")
    events = await run_background(JobState.save_notes, state)
    assert state.notes == "watch the loss"
    assert "Viewers may not edit notes or tags." in str(events)


async def test_bad_tags_show_under_the_field(hosted_api: respx.MockRouter, app_db: str) -> None:
    connection.feed().snapshot = snapshot(job("a", "alpha"))
    state = JobState()
    state._apply_snapshot(snapshot(job("a", "alpha")), "a")
    state.set_tags_draft("what?")
    await run_background(JobState.save_notes, state)
    assert state.tags_error == "Tag “what?” may contain only letters, digits, “-” and “_”."
    assert state.tags == []


async def test_clone_of_a_job_the_api_forgot_comes_from_the_record(
    hosted_api: respx.MockRouter, app_db: str
) -> None:
    add_record(app_db, WS, "gone-1", "old-run", epochs=9)
    hosted_api.get("/jobs/gone-1").respond(404, json={"error": "Job not found"})
    state = NewJobState()
    state.router = RouterData(url=ReflexURL("http://localhost:3000/jobs/new?clone=gone-1"))

    await state.open_step()

    assert state.texts["name"] == "old-run-copy"
    assert state.texts["epochs"] == "9"
    assert state.notice == "Settings copied from job old-run (from ftapp's record of it)."


async def test_the_review_step_says_how_long_similar_jobs_took(
    hosted_api: respx.MockRouter, app_db: str
) -> None:
    state = NewJobState()
    state.models = [ModelOption(id=LLAMA, display_name="Llama")]
    state.texts = {**DEFAULT_TEXTS, "name": "my-job", "baseModel": LLAMA}

    await run_background(NewJobState.load_estimate, state)
    assert state.review_estimate == (
        "Too few similar finished jobs of this model to estimate (0 so far)."
    )

    add_finished(app_db, WS, "done", [600, 900, 1200])
    await run_background(NewJobState.load_estimate, state)
    assert state.review_estimate.startswith("Similar jobs took 10 min to 20 min (median 15 min")

    state.texts = {**state.texts, "epochs": "lots"}
    await run_background(NewJobState.load_estimate, state)
    assert state.review_estimate == ""


async def test_the_dashboard_asks_for_estimates_only_when_the_running_jobs_change(
    hosted_api: respx.MockRouter, app_db: str
) -> None:
    job_records._finished_cache.clear()
    add_finished(app_db, WS, "done", [600, 900, 1200])
    feed = snapshot(job("r1", "one"), job("c1", "old", "Completed"))
    connection.feed().snapshot = feed
    state = DashboardState()

    assert DashboardState.load_estimates in state._apply_snapshot(feed)
    assert DashboardState.load_estimates not in state._apply_snapshot(feed)

    await run_background(DashboardState.load_estimates, state)
    assert state.usual_ends == {"r1": 1_767_225_600 + 900}
    assert state.usual_end_texts == {"r1": "running longer than usual"}
