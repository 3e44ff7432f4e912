"""The history's view in the URL: it round-trips, and every bad or huge parameter falls back
to something safe."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from ftapp.guard.text import VAR_OPENING_TAG
from ftapp.history.view import (
    ALL,
    DEFAULT_PAGE_SIZE,
    DELETED,
    MAX_PAGE,
    MAX_SEARCH,
    OUTSIDE_FTAPP,
    HistoryView,
    clean_search,
    page_count,
    parse_day,
)


def from_query(url: str) -> HistoryView:
    return HistoryView.from_params(parse_qs(urlsplit(url).query))


def test_the_default_view_has_no_query_and_is_newest_first() -> None:
    view = HistoryView()
    assert view.to_query() == ""
    assert (view.sort, view.descending, view.page, view.per_page) == ("created", True, 1, 25)
    assert view.path("default") == "/w/default/history"
    assert not view.filtered


def test_every_part_round_trips_through_the_url() -> None:
    view = HistoryView(
        search="llama 3",
        status=DELETED,
        model="meta-llama/Llama-3.1-8B-Instruct",
        creator=OUTSIDE_FTAPP,
        date_from="2026-01-02",
        date_to="2026-02-03",
        sort="name",
        descending=False,
        page=3,
        per_page=50,
    )
    assert from_query(view.path("default")) == view
    assert view.filtered
    assert "by=-outside" in view.to_query()


def test_export_paths_keep_the_filters_and_sort_but_not_the_page() -> None:
    view = HistoryView(status="Failed", sort="name", descending=False, page=4, per_page=10)
    path = view.export_path("default", "csv")
    assert path.startswith("/w/default/history/export.csv?")
    params = parse_qs(urlsplit(path).query)
    assert params == {"status": ["Failed"], "sort": ["name"], "dir": ["asc"]}
    assert HistoryView().export_path("team-b", "json") == "/w/team-b/history/export.json"


@pytest.mark.parametrize(
    "query",
    [
        "status=Bogus",
        "sort=password&dir=asc",
        "page=-3",
        "page=abc",
        "page=99999999999999999999",
        "per=7",
        "per=100000",
        "from=2026-02-30",
        "from=yesterday",
        "to=2026-1-1",
        "model=all",
        "by=all",
        "model=" + "m" * 300,
        "by=bo%0ab",
    ],
)
def test_bad_parameters_fall_back_to_the_default(query: str) -> None:
    assert from_query("/history?" + query) == HistoryView()


def test_huge_or_odd_values_are_bounded() -> None:
    view = from_query("/history?q=" + "x" * 5000 + "&page=1000000000")
    assert len(view.search) == MAX_SEARCH
    assert view.page == 1  # more than seven digits is not a page anyone asked for
    assert from_query(f"/history?page={MAX_PAGE + 5}").page == MAX_PAGE
    assert from_query("/history?q=%20a%00b%0a%20").search == "ab"
    assert from_query("/history?status=deleted&status=Running").status == DELETED


def test_a_reversed_date_range_is_the_range_meant() -> None:
    view = from_query("/history?from=2026-03-10&to=2026-03-01")
    assert (view.date_from, view.date_to) == ("2026-03-01", "2026-03-10")
    start, end = view.created_range()
    assert end - start == 10 * 24 * 3600  # both days included
    assert HistoryView().created_range() == (None, None)


def test_changing_a_filter_starts_again_from_page_one_and_clearing_keeps_the_sort() -> None:
    view = HistoryView(search="x", status="Failed", sort="name", descending=False, page=5)
    assert view.changed(status=ALL).page == 1
    assert view.changed(page=3).page == 3
    cleared = view.cleared()
    assert (cleared.search, cleared.status, cleared.sort, cleared.descending) == (
        "",
        ALL,
        "name",
        False,
    )
    assert not cleared.filtered
    assert not HistoryView(sort="name", per_page=100).filtered


def test_sorting_text_starts_a_to_z_and_times_newest_first_then_flips() -> None:
    view = HistoryView(page=4)
    by_name = view.toggled_sort("name")
    assert (by_name.sort, by_name.descending, by_name.page) == ("name", False, 1)
    assert by_name.toggled_sort("name").descending is True
    assert HistoryView(sort="name").toggled_sort("duration").descending is True
    assert HistoryView().toggled_sort("created").descending is False


def test_days_and_page_counts() -> None:
    assert parse_day(" 2026-12-07 ") == "2026-12-07"
    assert parse_day("2026-13-01") == ""
    assert parse_day("\uff12\uff10\uff12\uff16-01-01") == ""  # full-width digits
    assert page_count(0, DEFAULT_PAGE_SIZE) == 1
    assert page_count(26, 25) == 2


@pytest.mark.parametrize(
    "text",
    ["<reflex.Var>x</reflex.Var>", "<reflex\u200b.Var>x</reflex.Var>", "a <reflex_Var>b"],
)
def test_var_markup_never_comes_back_whole(text: str) -> None:
    """The event gate breaks Var markup with a zero-width space; dropping unprintable
    characters must not mend it, and markup from the URL is broken too."""
    assert VAR_OPENING_TAG not in clean_search(text)
    from_url = HistoryView.from_params(parse_qs(urlencode({"q": text, "model": text})))
    assert VAR_OPENING_TAG not in from_url.search
    assert VAR_OPENING_TAG not in from_url.model
