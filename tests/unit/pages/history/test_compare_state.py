"""Comparing from the history page's State and on the compare page's State: choosing 2 to 4
listed jobs (a fifth refused with a note), the compare link, the table, unknown ids and
limits, the charts of the view's filters, and a refusal for nobody signed in."""

from __future__ import annotations

import pytest
from reflex.istate.data import ReflexURL, RouterData

from ftapp import database
from ftapp.auth import state as auth_state
from ftapp.pages.history.compare_state import CompareState
from ftapp.pages.history.state import HistoryState
from tests.helpers.history_records import DAY, MISTRAL, T0, Recorded, insert
from tests.helpers.reflex_states import run_background

JOBS = [
    Recorded(f"id-{n}", f"job-{n}", settings={"epochs": 1 + n % 2}, created_at=T0 + n * DAY)
    for n in range(1, 6)
] + [Recorded("id-6", "job-6", "Failed", MISTRAL, T0 + 6 * DAY, settings={"learningRate": 0.2})]


@pytest.fixture(autouse=True)
def recorded(app_db: str) -> None:
    insert(database.engine(), JOBS)


def scripts(events) -> list[str]:
    items = events if isinstance(events, list) else [events]
    return [
        str(value)
        for event in items
        if event is not None
        for key, value in event.args
        if key._js_expr in ("javascript_code", "path")
    ]


async def history(query: str = "") -> HistoryState:
    state = HistoryState()
    state.router = RouterData(url=ReflexURL(f"http://localhost:3000/history{query}"))
    await state.open_page()
    await run_background(HistoryState.load_charts, state)  # sent by the page after its rows
    return state


async def compared(ids: str) -> CompareState:
    state = CompareState()
    state.router = RouterData(url=ReflexURL(f"http://localhost:3000/history/compare?ids={ids}"))
    await state.open_page()
    return state


async def test_two_to_four_listed_jobs_are_chosen_and_a_fifth_is_refused() -> None:
    state = await history()
    assert state.compare_selected() is None
    assert "Choose 2 to 4 jobs" in state.selection_note
    for n in (1, 2):
        state.toggle_selected(f"id-{n}", True)
    assert state.selected == ["id-1", "id-2"]
    assert state.selection_note == ""
    assert any("/history/compare?ids=id-1,id-2" in s for s in scripts(state.compare_selected()))
    state.toggle_selected("id-3", True)
    state.toggle_selected("id-4", True)
    state.toggle_selected("id-5", True)
    assert state.selected == ["id-1", "id-2", "id-3", "id-4"]
    assert state.selection_note == (
        "You can compare at most 4 jobs: clear one before choosing another."
    )
    state.toggle_selected("id-2", False)
    assert state.selected == ["id-1", "id-3", "id-4"]
    assert state.selection_note == ""
    state.toggle_selected("not-listed", True)  # an id the page does not show
    state.toggle_selected("id-1", True)  # already chosen
    assert state.selected == ["id-1", "id-3", "id-4"]
    await state.set_search("job-6")  # the choice survives a new filter
    assert state.selected == ["id-1", "id-3", "id-4"]
    state.clear_selection()
    assert state.selected == []


async def test_the_history_shows_charts_of_its_filters() -> None:
    state = await history()
    assert [series.model for series in state.duration_series] == [
        "meta-llama/Llama-3.1-8B-Instruct",
        MISTRAL,
    ]
    assert state.duration_summary.startswith("Average run time by epochs, 6 finished jobs")
    assert [(bar.bucket, bar.completed, bar.failed) for bar in state.outcome_bars] == [
        ("0.0001 to 0.001", 5, 0),
        ("≥ 0.1", 0, 1),
    ]
    await state.set_status_filter("Failed")
    await run_background(HistoryState.load_charts, state)
    assert [(bar.completed, bar.failed) for bar in state.outcome_bars] == [(0, 1)]
    assert state.outcome_summary == "Finished jobs by learning rate. ≥ 0.1: 0 completed, 1 failed."
    await state.set_status_filter("Running")
    await run_background(HistoryState.load_charts, state)
    assert state.duration_series == []
    assert state.outcome_bars == []
    assert state.outcome_summary.startswith("No finished job")


async def test_the_compare_page_marks_the_rows_that_differ() -> None:
    state = await compared("id-1,id-2,id-1")
    assert [column.name for column in state.columns] == ["job-1", "job-2"]
    assert state.columns[1].href == "/w/default/jobs/id-2"
    rows = {row.label: row for row in state.rows}
    assert rows["Epochs"].cells == ["2", "1"]
    assert rows["Epochs"].differs
    assert not rows["Base model"].differs
    assert state.differing == sum(row.differs for row in state.rows)
    assert state.message == ""
    assert state.refusal == ""
    assert not state.loading


async def test_unknown_ids_are_named_and_limits_refused() -> None:
    state = await compared("id-1,ghost,id-6")
    assert [column.job_id for column in state.columns] == ["id-1", "id-6"]
    assert state.message == "No recorded job has the id ghost: it is left out."
    only_one = await compared("id-1,ghost")
    assert only_one.columns == []
    assert "ghost" in only_one.message
    assert "Choose 2 to 4 jobs" in only_one.message
    too_many = await compared("id-1,id-2,id-3,id-4,id-5")
    assert too_many.columns == []
    assert too_many.message == "Compare at most 4 jobs at once: this link names 5."
    too_long = await compared("x" * 5000)
    assert "too long" in too_long.message
    nothing = await compared("")
    assert "Choose 2 to 4 jobs" in nothing.message


async def test_another_workspace_s_jobs_are_unknown_here() -> None:
    insert(database.engine(), [Recorded("id-x", "elsewhere", workspace="another")])
    state = await compared("id-1,id-x")
    assert state.columns == []
    assert "id-x" in state.message


async def test_nobody_signed_in_is_told_to_sign_in(monkeypatch: pytest.MonkeyPatch) -> None:
    async def nobody(_state: object) -> None:
        return None

    monkeypatch.setattr(auth_state, "current_user", nobody)
    state = await compared("id-1,id-2")
    assert state.refusal == "Sign in to continue."
    assert state.columns == []
    page = await history()
    assert page.duration_series == []
