"""The history page's State, driven directly: the view from the URL, filters that narrow and
correct the address bar, rows that say who deleted a job, and a refusal for nobody signed in."""

from __future__ import annotations

import pytest
from reflex.istate.data import ReflexURL, RouterData

from ftapp import database
from ftapp.auth import state as auth_state
from ftapp.pages.history.state import HistoryState
from tests.helpers.history_records import DAY, MISTRAL, T0, Recorded, insert

JOBS = [
    Recorded("id-1", "first-job", created_by="bob"),
    Recorded("id-2", "second-job", "Failed", MISTRAL, T0 + DAY),
    Recorded(
        "id-3",
        "deleted-job",
        created_at=T0 + 2 * DAY,
        created_by="bob",
        deleted_by="bob",
        deleted_at=T0 + 3 * DAY,
        gone_at=T0 + 3 * DAY,
    ),
    Recorded("id-4", "vanished-job", created_at=T0 + 3 * DAY, gone_at=T0 + 4 * DAY),
]


@pytest.fixture(autouse=True)
def recorded(app_db: str) -> None:
    insert(database.engine(), JOBS)


def urls(events) -> list[str]:
    """The addresses the events put in the address bar."""
    items = events if isinstance(events, list) else [events]
    return [
        str(value)
        for event in items
        if event is not None and hasattr(event, "args")  # not a handler sent to run next
        for key, value in event.args
        if key._js_expr == "javascript_code"
    ]


async def opened(query: str = "") -> tuple[HistoryState, list[str]]:
    state = HistoryState()
    state.router = RouterData(url=ReflexURL(f"http://localhost:3000/history{query}"))
    return state, urls(await state.open_page())


async def test_every_recorded_job_newest_first_with_the_filters_choices() -> None:
    state, _ = await opened()
    assert [row.name for row in state.rows] == [
        "vanished-job",
        "deleted-job",
        "second-job",
        "first-job",
    ]
    assert (state.total, state.recorded, state.filtered) == (4, 4, False)
    assert [c.label for c in state.creator_choices] == ["outside ftapp", "bob"]
    assert [c.value for c in state.model_choices][1] == MISTRAL
    assert state.csv_href == "/w/default/history/export.csv"
    assert state.may_read_history


async def test_gone_rows_say_who_deleted_them_or_that_the_api_lost_them() -> None:
    state, _ = await opened()
    by_name = {row.name: row for row in state.rows}
    assert by_name["deleted-job"].gone_label == "Deleted by bob"
    assert by_name["vanished-job"].gone_label == "Gone from the API"
    assert by_name["first-job"].gone is False
    assert by_name["first-job"].href == "/w/default/jobs/id-1"
    assert by_name["first-job"].creator == "bob"
    assert by_name["second-job"].creator == "outside ftapp"
    assert by_name["first-job"].duration_text == "10 min"


async def test_filters_narrow_the_list_and_follow_in_the_address_bar() -> None:
    state, _ = await opened("?status=deleted")
    assert [row.name for row in state.rows] == ["vanished-job", "deleted-job"]
    moved = urls(await state.set_creator("bob"))
    assert [row.name for row in state.rows] == ["deleted-job"]
    assert any("by=bob" in url and "status=deleted" in url for url in moved)
    assert "by=bob" in state.csv_href
    await state.set_search("nothing-like-this")
    assert state.total == 0
    assert state.recorded == 4  # "No job matches these filters", not "nothing recorded"
    await state.clear_filters()
    assert state.total == 4
    assert not state.filtered


async def test_sort_page_size_dates_and_bad_values() -> None:
    state, _ = await opened()
    await state.sort_by("name")
    assert state.rows[0].name == "deleted-job"
    await state.sort_by("password")  # not a column: nothing changes
    assert state.sort == "name"
    await state.set_date_from("2026-05-29")
    await state.set_date_to("2026-05-30")
    assert sorted(row.name for row in state.rows) == ["deleted-job", "second-job"]
    await state.set_date_to("not a day")
    assert state.date_to == ""
    await state.set_per_page("7")
    assert state.per_page == 25
    await state.set_status_filter("Bogus")
    assert state.status_filter == "all"


async def test_a_page_past_the_end_shows_the_last_and_corrects_the_url() -> None:
    state, moved = await opened("?per=10&page=9")
    assert state.shown_page == 1
    assert any(url.endswith("/history?per=10") or "per=10" in url for url in moved)
    assert not any("page=9" in url for url in moved)


async def test_nobody_signed_in_is_told_to_sign_in(monkeypatch: pytest.MonkeyPatch) -> None:
    async def nobody(_state: object) -> None:
        return None

    monkeypatch.setattr(auth_state, "current_user", nobody)
    state, _ = await opened()
    assert state.refusal == "Sign in to continue."
    assert state.rows == []
