"""A job's record through the services: only the current workspace's, who may read and edit,
notes saved (the record made if missing) and logged, estimates read once per change."""

from __future__ import annotations

import pytest
import respx

from ftapp import services
from ftapp.history import estimate
from ftapp.services import connection, job_records
from ftapp.services.feed import workspace_identity
from tests.helpers.hosted_api import API_BASE, SECRET_KEY
from tests.helpers.job_records import add_finished, add_record, record_row
from tests.helpers.people import ADMIN, OPERATOR, VIEWER, log_lines
from tests.unit.snapshots import job, snapshot

WS = workspace_identity(API_BASE, SECRET_KEY)


def test_the_default_workspace_is_named_as_the_feed_names_it(
    hosted_api: respx.MockRouter,
) -> None:
    assert connection.workspace() == WS


async def test_a_recorded_job_is_found_only_in_its_own_workspace(
    hosted_api: respx.MockRouter, app_db: str
) -> None:
    add_record(
        app_db,
        WS,
        "gone-1",
        "old-run",
        deleted_at=1_800_000_500,
        deleted_by="bob",
        duration_seconds=400,
        transitions=(("Running", 1_800_000_001, 2.0), ("Completed", 1_800_000_400, 2.0)),
    )
    add_record(app_db, "another-workspace", "theirs-1", "their-run")

    history = await services.job_history("gone-1", VIEWER)
    assert history is not None
    assert (history.name, history.status, history.duration_seconds) == ("old-run", "Completed", 400)
    assert history.gone.startswith("Deleted by bob ")
    assert [entry.title for entry in history.timeline] == [
        "Created",
        "First seen by ftapp",
        "Running",
        "Completed",
        "Deleted by bob",
    ]
    assert history.values["epochs"] == 3
    assert await services.job_history("theirs-1", ADMIN) is None
    assert await services.job_history("", ADMIN) is None
    assert await services.job_history("gone-1", None) is None


async def test_recorded_values_are_what_a_clone_needs(
    hosted_api: respx.MockRouter, app_db: str
) -> None:
    add_record(app_db, WS, "gone-1", "old-run", epochs=9)
    values = await services.recorded_values("gone-1", OPERATOR)
    assert values is not None
    assert (values["name"], values["epochs"], values["baseModel"]) == (
        "old-run",
        9,
        "meta-llama/Llama-3.1-8B-Instruct",
    )


async def test_a_viewer_may_not_edit_notes_and_the_refusal_is_logged(
    hosted_api: respx.MockRouter, app_db: str
) -> None:
    add_record(app_db, WS, "j1", "alpha")
    outcome = await services.save_notes("j1", "mine", "a", VIEWER)
    assert (outcome.saved, outcome.message) == (False, "Viewers may not edit notes or tags.")
    assert await log_lines() == [("vera", "notes", "j1", "", "refused_by_role")]
    row = record_row(app_db, WS, "j1")
    assert row is not None
    assert row["notes"] == ""
    assert hosted_api.calls.call_count == 0


async def test_an_operators_note_on_a_listed_job_makes_its_record_and_is_logged(
    hosted_api: respx.MockRouter, app_db: str
) -> None:
    connection.feed().snapshot = snapshot(job("new-1", "fresh-job"))

    outcome = await services.save_notes("new-1", "lr too high?", "Baseline, sweep", OPERATOR)

    assert (outcome.saved, outcome.notes, outcome.tags) == (
        True,
        "lr too high?",
        ["baseline", "sweep"],
    )
    row = record_row(app_db, WS, "new-1")
    assert row is not None
    assert (row["name"], row["tags"], row["created_at"]) == (
        "fresh-job",
        "baseline,sweep",
        1_767_225_600,
    )
    assert await log_lines() == [("olga", "notes", "new-1", "fresh-job", "done")]
    history = await services.job_history("new-1", VIEWER)
    assert history is not None
    assert history.timeline[-1].title == "Notes edited by olga"

    again = await services.save_notes("new-1", "lr too high?", "baseline sweep", OPERATOR)
    assert (again.saved, again.message) == (True, "Nothing changed.")
    assert len(await log_lines()) == 1


async def test_bad_tags_are_not_saved(hosted_api: respx.MockRouter, app_db: str) -> None:
    add_record(app_db, WS, "j1", "alpha")
    outcome = await services.save_notes("j1", "fine", "no spaces! here", OPERATOR)
    assert outcome.saved is False
    assert set(outcome.errors) == {"tags"}
    assert await log_lines() == []


async def test_a_job_neither_listed_nor_recorded_gets_no_notes(
    hosted_api: respx.MockRouter, app_db: str
) -> None:
    hosted_api.get("/jobs/nope").respond(404, json={"error": "Job not found"})
    connection.feed().snapshot = snapshot(job("other", "other"))
    outcome = await services.save_notes("nope", "n", "", OPERATOR)
    assert (outcome.saved, outcome.message) == (False, "There is no such job in this workspace.")
    assert record_row(app_db, WS, "nope") is None


async def test_the_estimate_for_the_wizard(hosted_api: respx.MockRouter, app_db: str) -> None:
    add_finished(app_db, WS, "done", [600, 900, 1200])
    found = await services.estimate_for("meta-llama/Llama-3.1-8B-Instruct", 3)
    assert found is not None
    assert found.median_seconds == 900
    none_yet = await services.estimate_for("Qwen/QwQ-32B", 3)
    assert none_yet is not None
    assert none_yet.jobs == 0


async def test_running_estimates_read_each_model_once_until_its_listed_jobs_change(
    hosted_api: respx.MockRouter, app_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    job_records._finished_cache.clear()
    add_finished(app_db, WS, "done", [600, 900, 1200])
    reads: list[str] = []
    original = estimate.finished_jobs

    def counting(workspace: str, model: str):
        reads.append(model)
        return original(workspace, model)

    monkeypatch.setattr(estimate, "finished_jobs", counting)
    running = snapshot(job("r1", "one"), job("r2", "two"), job("c1", "old", "Completed"))
    jobs = running.job_list.jobs  # type: ignore[union-attr]

    found = await services.running_estimates(jobs)
    assert set(found) == {"r1", "r2"}
    assert found["r1"].median_seconds == 900
    await services.running_estimates(jobs)
    assert reads == ["meta-llama/Llama-3.1-8B-Instruct"]  # one query for both rows, then none

    finished = snapshot(
        job("r1", "one", "Completed"), job("r2", "two"), job("c1", "old", "Completed")
    )
    await services.running_estimates(finished.job_list.jobs)  # type: ignore[union-attr]
    assert len(reads) == 2
    started = snapshot(
        job("r1", "one", "Completed"),
        job("r2", "two"),
        job("c1", "old", "Completed"),
        job("r3", "new"),
    )
    await services.running_estimates(started.job_list.jobs)  # type: ignore[union-attr]
    assert len(reads) == 3  # a job that starts reads again (records may have come meanwhile)
    ends = services.usual_ends(jobs, found)
    assert ends["r1"] == 1_767_225_600 + 900
