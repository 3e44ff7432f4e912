"""ftapp.job_display: rows, URL views, search, filter, sort and pages (pure functions)."""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import parse_qs, parse_qsl

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from ftapp.guard.text import VAR_OPENING_TAG
from ftapp.job_display import (
    DEFAULT_PAGE_SIZE,
    DEFAULT_SORT,
    PAGE_SIZES,
    SORT_COLUMNS,
    STATUS_FILTERS,
    JobRow,
    TableView,
    format_created,
    job_row,
    matching_rows,
    page_count,
    visible_page,
)
from ftapp.job_fields import format_decimal
from ftapp.timeago import ago
from ftapp.upstream import Job

LLAMA = "meta-llama/Llama-3.1-8B-Instruct"
MODELS = {LLAMA: "Llama 3.1 8B Instruct"}
T0 = datetime(2026, 11, 26, 4, 45, tzinfo=UTC)


def make_job(job_id: str = "job-1", name: str = "my job", **fields) -> Job:
    data = {
        "id": job_id,
        "name": name,
        "baseModel": LLAMA,
        "epochs": 3,
        "evaluationEpochs": 1,
        "warmupEpochs": 0,
        "learningRate": 0.0001,
        "status": "Running",
        **fields,
    }
    return Job.model_validate({k: v for k, v in data.items() if v is not None})


def make_row(job_id: str, name: str = "job", **fields) -> JobRow:
    return job_row(make_job(job_id, name, **fields), MODELS, now=T0.timestamp(), slug="default")


# --- formatting ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "text"),
    [
        (0, "0"),
        (0.0, "0"),
        (-0.0, "0"),
        (1, "1"),
        (0.5, "0.5"),
        (0.0001, "0.0001"),
        (2e-05, "0.00002"),
        (1e-5, "0.00001"),
        (1.5e-5, "0.000015"),
        (3e-4, "0.0003"),
        (1e-07, "1e-07"),
        (2.5e-06, "2.5e-06"),
        (12.25, "12.25"),
    ],
)
def test_format_decimal(rate: float, text: str) -> None:
    assert format_decimal(rate) == text


def test_format_created_of_an_aware_time_is_shown_in_utc() -> None:
    assert format_created(T0) == "2026-11-26 04:45 UTC"
    plus_two = timezone(timedelta(hours=2))
    assert format_created(datetime(2026, 11, 26, 6, 45, 59, tzinfo=plus_two)) == (
        "2026-11-26 04:45 UTC"
    )
    minus_five = timezone(timedelta(hours=-5))
    assert format_created(datetime(2026, 12, 31, 22, 0, tzinfo=minus_five)) == (
        "2027-01-01 03:00 UTC"
    )


def test_format_created_treats_a_naive_time_as_utc() -> None:
    assert format_created(datetime(2026, 11, 26, 4, 45)) == "2026-11-26 04:45 UTC"


def test_format_created_of_no_time_is_empty() -> None:
    assert format_created(None) == ""


# --- job_row -------------------------------------------------------------------------------


def test_job_row_copies_the_job_and_names_its_model() -> None:
    job = make_job(
        "job-42",
        "Fine llama",
        epochs=5,
        evaluationEpochs=2,
        warmupEpochs=1,
        learningRate=2e-05,
        status="Completed",
        createdAt="2026-11-26T04:45:00Z",
    )
    row = job_row(job, MODELS, now=T0.timestamp() + 120, slug="default")

    assert row == JobRow(
        id="job-42",
        name="Fine llama",
        href="/w/default/jobs/job-42",
        base_model=LLAMA,
        base_model_name="Llama 3.1 8B Instruct",
        epochs=5,
        evaluation_epochs=2,
        warmup_epochs=1,
        epochs_text="5 / 2 / 1",
        learning_rate=2e-05,
        learning_rate_text="0.00002",
        created_ts=T0.timestamp(),
        created_text="2026-11-26 04:45 UTC",
        created_ago="2 minutes ago",
        status="Completed",
    )


def test_job_row_falls_back_to_the_raw_model_id() -> None:
    row = job_row(make_job(baseModel="acme/unknown-7b"), MODELS, now=0, slug="default")
    assert row.base_model == row.base_model_name == "acme/unknown-7b"
    assert job_row(make_job(), {}, now=0, slug="default").base_model_name == LLAMA


def test_job_row_href_quotes_the_id() -> None:
    row = job_row(make_job("a/b c?d#e&f"), MODELS, now=0, slug="default")
    assert row.href == "/w/default/jobs/a%2Fb%20c%3Fd%23e%26f"


@pytest.mark.parametrize(
    "fields",
    [
        {"createdAt": "2026-11-26T04:45:00Z"},
        {"createdAt": "2026-11-26T06:45:00+02:00"},
        {"createdAt": "2026-11-26T04:45:00"},  # naive: UTC
        {"date": "2026-11-26T04:45:00Z"},  # no createdAt: falls back to date
        {"date": "2026-11-26T04:45:00"},
        {"createdAt": "2026-11-26T04:45:00Z", "date": "2020-01-01T00:00:00Z"},  # createdAt wins
    ],
)
def test_job_row_created_comes_from_created_at_then_date(fields: dict) -> None:
    row = job_row(make_job(**fields), MODELS, now=T0.timestamp() + 3 * 3600 + 59, slug="default")
    assert row.created_ts == T0.timestamp()
    assert row.created_text == "2026-11-26 04:45 UTC"
    assert row.created_ago == "3 hours ago"


@pytest.mark.parametrize("seconds", [0, 5, 61, 7200, 3 * 24 * 3600, 400 * 24 * 3600])
def test_job_row_created_ago_uses_timeago_with_the_given_now(seconds: int) -> None:
    row = job_row(
        make_job(createdAt="2026-11-26T04:45:00Z"),
        MODELS,
        now=T0.timestamp() + seconds,
        slug="default",
    )
    assert row.created_ago == ago(seconds)


def test_job_row_created_in_the_future_is_just_now() -> None:
    row = job_row(
        make_job(createdAt="2026-11-26T04:45:00Z"), MODELS, now=T0.timestamp() - 600, slug="default"
    )
    assert row.created_ago == "just now"


def test_job_row_without_a_time_uses_the_apis_created_ago() -> None:
    row = job_row(make_job(createdAgo="3 minutes ago"), MODELS, now=T0.timestamp(), slug="default")
    assert (row.created_ts, row.created_text, row.created_ago) == (0, "", "3 minutes ago")


def test_job_row_without_any_time_information() -> None:
    row = job_row(make_job(), MODELS, now=T0.timestamp(), slug="default")
    assert (row.created_ts, row.created_text, row.created_ago) == (0, "", "")


def test_job_row_prefers_its_own_created_ago_over_the_apis() -> None:
    job = make_job(createdAt="2026-11-26T04:45:00Z", createdAgo="ages ago")
    assert (
        job_row(job, MODELS, now=T0.timestamp() + 61, slug="default").created_ago == "1 minute ago"
    )


# --- TableView.from_params -----------------------------------------------------------------


def test_var_markup_in_the_address_bar_comes_out_broken() -> None:
    view = TableView.from_params({"q": "<reflex.Var>x</reflex.Var>"})
    assert VAR_OPENING_TAG not in view.search
    assert view.search.startswith("<reflex")


def test_from_params_of_nothing_is_the_default_view() -> None:
    view = TableView.from_params({})
    assert view == TableView()
    assert view == TableView(
        search="",
        status="all",
        sort=DEFAULT_SORT,
        descending=True,
        page=1,
        per_page=DEFAULT_PAGE_SIZE,
    )


def test_from_params_reads_every_param() -> None:
    params = {"q": "llama", "status": "Failed", "sort": "name", "dir": "asc", "page": "3"}
    view = TableView.from_params({**params, "per": "25"})
    assert view == TableView(
        search="llama", status="Failed", sort="name", descending=False, page=3, per_page=25
    )


@pytest.mark.parametrize("status", STATUS_FILTERS)
def test_from_params_accepts_every_status_filter(status: str) -> None:
    assert TableView.from_params({"status": status}).status == status


@pytest.mark.parametrize("status", ["", "running", "RUNNING", "Queued", "all ", "Completed,Failed"])
def test_from_params_unknown_status_means_all(status: str) -> None:
    assert TableView.from_params({"status": status}).status == "all"


@pytest.mark.parametrize("sort", sorted(SORT_COLUMNS))
def test_from_params_accepts_every_sort_column_in_both_directions(sort: str) -> None:
    assert TableView.from_params({"sort": sort, "dir": "asc"}).descending is False
    assert TableView.from_params({"sort": sort, "dir": "desc"}).descending is True
    view = TableView.from_params({"sort": sort})
    assert (view.sort, view.descending) == (sort, True)


@pytest.mark.parametrize("dir_", ["", "ASC", "ascending", "up", "0"])
def test_from_params_unknown_direction_means_descending(dir_: str) -> None:
    assert TableView.from_params({"sort": "name", "dir": dir_}).descending is True


@pytest.mark.parametrize("sort", ["", "Name", "bogus", "created_ts", "__class__"])
def test_from_params_unknown_sort_falls_back_to_the_default_sort(sort: str) -> None:
    view = TableView.from_params({"sort": sort, "dir": "asc"})
    assert (view.sort, view.descending) == (DEFAULT_SORT, True)


def test_from_params_direction_without_a_sort_is_ignored() -> None:
    assert TableView.from_params({"dir": "asc"}) == TableView()


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ("1", 1),
        ("2", 2),
        (" 7 ", 7),
        ("123456", 123456),
        ("0", 1),
        ("-3", 1),
        ("", 1),
        ("two", 1),
        ("2.5", 1),
        ("1e3", 1),
        ("9" * 5000, 1),  # longer than int() accepts
    ],
)
def test_from_params_page(page: str, expected: int) -> None:
    assert TableView.from_params({"page": page}).page == expected


@pytest.mark.parametrize(
    ("per", "expected"),
    [*((str(size), size) for size in PAGE_SIZES), ("0", 10), ("7", 10), ("100", 10), ("x", 10)],
)
def test_from_params_per_page(per: str, expected: int) -> None:
    assert TableView.from_params({"per": per}).per_page == expected


def test_from_params_trims_the_search() -> None:
    assert TableView.from_params({"q": "  llama 3  "}).search == "llama 3"
    assert TableView.from_params({"q": " \t\n "}).search == ""


def test_from_params_caps_the_search_at_100_characters() -> None:
    assert TableView.from_params({"q": "x" * 250}).search == "x" * 100
    assert TableView.from_params({"q": "  " + "y" * 100 + "z"}).search == "y" * 100


def test_from_params_capped_search_does_not_end_in_a_space() -> None:
    # Capping after trimming must not leave a trailing space that a reload would trim off.
    view = TableView.from_params({"q": "a" * 99 + " b"})
    assert view.search == "a" * 99


def test_from_params_takes_the_first_of_repeated_values() -> None:
    params = {
        "q": ["  llama  ", "mistral"],
        "status": ["Completed", "Failed"],
        "sort": ["epochs"],
        "dir": ["asc", "desc"],
        "page": ["4", "1"],
        "per": ["5"],
    }
    assert TableView.from_params(params) == TableView(
        search="llama", status="Completed", sort="epochs", descending=False, page=4, per_page=5
    )
    as_tuples = {key: tuple(value) for key, value in params.items()}
    assert TableView.from_params(as_tuples) == TableView.from_params(params)


def test_from_params_empty_lists_mean_defaults() -> None:
    params = {name: [] for name in ("q", "status", "sort", "dir", "page", "per")}
    assert TableView.from_params(params) == TableView()


def test_from_params_ignores_unknown_params() -> None:
    assert TableView.from_params({"clone": "x", "job_id": "1", "Q": "no"}) == TableView()


# --- TableView.to_query --------------------------------------------------------------------


def parse(query: str) -> dict[str, list[str]]:
    """What a query parser gives: repeated keys as lists."""
    assert query == "" or query.startswith("?")
    return parse_qs(query[1:])


def test_to_query_of_the_default_view_is_empty() -> None:
    assert TableView().to_query() == ""
    assert TableView(sort=DEFAULT_SORT, descending=True, page=1).to_query() == ""


def test_to_query_writes_only_what_differs_from_the_default() -> None:
    assert TableView(search="llama 3").to_query() == "?q=llama+3"
    assert TableView(page=2).to_query() == "?page=2"
    assert TableView(per_page=25).to_query() == "?per=25"
    assert TableView(status="Failed").to_query() == "?status=Failed"
    assert TableView(descending=False).to_query() == "?sort=created&dir=asc"
    assert TableView(sort="name", descending=True).to_query() == "?sort=name&dir=desc"
    full = TableView(search="a&b=c", status="Running", sort="id", descending=False, page=3)
    assert parse(full.to_query()) == {
        "q": ["a&b=c"],
        "status": ["Running"],
        "sort": ["id"],
        "dir": ["asc"],
        "page": ["3"],
    }


# Text a browser can put in a URL: anything but lone surrogates.
url_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=120)
views = st.builds(
    TableView,
    search=url_text.map(lambda text: text.strip()[:100].strip()),
    status=st.sampled_from(STATUS_FILTERS),
    sort=st.sampled_from(sorted(SORT_COLUMNS)),
    descending=st.booleans(),
    page=st.integers(min_value=1, max_value=10**9),
    per_page=st.sampled_from(PAGE_SIZES),
)


@given(views)
@example(TableView())
@example(TableView(search="100% a+b & c=d #x ?y", status="Completed", page=2, per_page=5))
@example(TableView(search="ünïcödé 日本 🦙", sort="learning_rate", descending=False))
def test_to_query_round_trips_through_from_params(view: TableView) -> None:
    query = view.to_query()
    assert TableView.from_params(parse(query)) == view
    assert TableView.from_params(dict(parse_qsl(query[1:]))) == view  # single-valued form
    assert (query == "") == (view == TableView())


@given(
    st.dictionaries(
        st.sampled_from(["q", "status", "sort", "dir", "page", "per", "other"]),
        url_text | st.lists(url_text, max_size=3),
    )
)
@example({"q": "a" * 99 + " b"})
@example({"q": " " * 50 + "x" * 60 + " " * 50})
def test_from_params_gives_a_view_that_survives_a_reload(params: dict) -> None:
    view = TableView.from_params(params)
    assert TableView.from_params(parse(view.to_query())) == view


# --- toggled_sort --------------------------------------------------------------------------


@pytest.mark.parametrize("column", sorted(SORT_COLUMNS))
def test_toggled_sort_on_the_current_column_flips_the_direction(column: str) -> None:
    view = TableView(search="x", status="Failed", sort=column, descending=True, page=4, per_page=5)
    flipped = view.toggled_sort(column)
    assert flipped == dataclasses.replace(view, descending=False, page=1)
    assert flipped.toggled_sort(column) == dataclasses.replace(view, page=1)


@pytest.mark.parametrize(
    ("column", "descending"),
    [
        ("name", False),
        ("id", False),
        ("model", False),
        ("status", False),
        ("epochs", True),
        ("learning_rate", True),
        ("created", True),
    ],
)
def test_toggled_sort_on_a_new_column_starts_in_its_natural_direction(
    column: str, descending: bool
) -> None:
    other = "created" if column != "created" else "name"
    for current_direction in (True, False):
        view = TableView(
            search="q", status="Running", sort=other, descending=current_direction, page=9
        )
        assert view.toggled_sort(column) == dataclasses.replace(
            view, sort=column, descending=descending, page=1
        )


def test_every_sort_column_has_a_natural_direction() -> None:
    for column in SORT_COLUMNS:
        toggled = TableView(sort="__none__").toggled_sort(column)
        assert toggled.sort == column
        assert toggled.page == 1


# --- matching_rows -------------------------------------------------------------------------


def sample_rows() -> list[JobRow]:
    models = {**MODELS, "acme/gemma": "gemma 2", "acme/mistral": "Mistral 7B"}
    jobs = [
        make_job(
            "c3",
            "beta run",
            baseModel="acme/mistral",
            epochs=3,
            evaluationEpochs=1,
            learningRate=0.001,
            createdAt="2026-11-26T10:00:00Z",
            status="Running",
        ),
        make_job(
            "a1",
            "Alpha",
            baseModel=LLAMA,
            epochs=3,
            evaluationEpochs=2,
            learningRate=0.01,
            createdAt="2026-11-25T10:00:00Z",
            status="Completed",
        ),
        make_job(
            "d4",
            "GAMMA",
            baseModel="acme/gemma",
            epochs=1,
            evaluationEpochs=5,
            learningRate=0.0001,
            date="2026-11-27T10:00:00Z",
            status="Failed",
        ),
        make_job(
            "b2",
            "alpha two",
            baseModel="zzz/raw-id",  # no display name: sorts by its raw id
            epochs=10,
            evaluationEpochs=0,
            learningRate=2e-05,
            status="Running",  # no time at all: created_ts 0
        ),
    ]
    return [job_row(job, models, now=T0.timestamp(), slug="default") for job in jobs]


def ids(rows: list[JobRow]) -> list[str]:
    return [row.id for row in rows]


@pytest.mark.parametrize(
    ("sort", "ascending_ids"),
    [
        ("name", ["a1", "b2", "c3", "d4"]),  # Alpha, alpha two, beta run, GAMMA
        ("id", ["a1", "b2", "c3", "d4"]),
        ("model", ["d4", "a1", "c3", "b2"]),  # gemma 2, Llama, Mistral, zzz/raw-id
        ("epochs", ["d4", "c3", "a1", "b2"]),  # (1,5), (3,1), (3,2), (10,0)
        ("learning_rate", ["b2", "d4", "c3", "a1"]),
        ("created", ["b2", "a1", "c3", "d4"]),  # no time first, then oldest
        ("status", ["a1", "d4", "b2", "c3"]),  # Completed, Failed, Running (b2 < c3)
    ],
)
def test_matching_rows_sorts_by_every_column_both_ways(sort: str, ascending_ids: list) -> None:
    rows = sample_rows()
    up = matching_rows(rows, TableView(sort=sort, descending=False))
    down = matching_rows(rows, TableView(sort=sort, descending=True))
    assert ids(up) == ascending_ids
    assert ids(down) == ascending_ids[::-1]


def test_matching_rows_does_not_change_its_input() -> None:
    rows = sample_rows()
    before = list(rows)
    matching_rows(rows, TableView(sort="name", descending=False))
    assert rows == before


@pytest.mark.parametrize("sort", sorted(SORT_COLUMNS))
@pytest.mark.parametrize("descending", [False, True])
def test_matching_rows_breaks_ties_by_id_whatever_the_input_order(
    sort: str, descending: bool
) -> None:
    # Rows equal in every sort column but the id.
    rows = [
        make_row(job_id, "same", createdAt="2026-11-26T04:45:00Z")
        for job_id in ("job-3", "job-1", "job-4", "job-2", "job-0")
    ]
    expected = ["job-0", "job-1", "job-2", "job-3", "job-4"]
    if descending:
        expected.reverse()
    view = TableView(sort=sort, descending=descending)
    shuffler = random.Random(1234)
    for _ in range(10):
        shuffler.shuffle(rows)
        assert ids(matching_rows(rows, view)) == expected


def test_matching_rows_name_ties_are_case_insensitive() -> None:
    rows = [make_row("b", "Llama"), make_row("a", "LLAMA"), make_row("c", "llama")]
    assert ids(matching_rows(rows, TableView(sort="name", descending=False))) == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("", ["a1", "b2", "c3", "d4"]),
        ("alpha", ["a1", "b2"]),
        ("ALPHA", ["a1", "b2"]),
        ("Alpha T", ["b2"]),
        ("gamma", ["d4"]),
        ("a", ["a1", "b2", "c3", "d4"]),
        (" run", ["c3"]),
        ("c3", ["c3"]),  # a pasted id
        ("mistral", ["c3"]),  # a model's display name
        ("acme/", ["c3", "d4"]),  # a model's id
        ("raw-id", ["b2"]),
        ("zeta", []),
    ],
)
def test_matching_rows_searches_names_ids_and_models_case_insensitively(
    search: str, expected: list
) -> None:
    view = TableView(search=search, sort="id", descending=False)
    assert ids(matching_rows(sample_rows(), view)) == expected


def test_matching_rows_search_folds_case_beyond_ascii() -> None:
    rows = [make_row("1", "Straße tuning"), make_row("2", "ÉCOLE")]
    assert ids(matching_rows(rows, TableView(search="STRASSE"))) == ["1"]
    assert ids(matching_rows(rows, TableView(search="école"))) == ["2"]


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("all", ["a1", "b2", "c3", "d4"]),
        ("Running", ["b2", "c3"]),
        ("Completed", ["a1"]),
        ("Failed", ["d4"]),
    ],
)
def test_matching_rows_filters_by_status(status: str, expected: list) -> None:
    view = TableView(status=status, sort="id", descending=False)
    assert ids(matching_rows(sample_rows(), view)) == expected


def test_matching_rows_combines_search_and_status() -> None:
    view = TableView(search="alpha", status="Running", sort="id", descending=False)
    assert ids(matching_rows(sample_rows(), view)) == ["b2"]
    view = TableView(search="gamma", status="Running")
    assert matching_rows(sample_rows(), view) == []


def test_matching_rows_of_nothing() -> None:
    assert matching_rows([], TableView(search="x", status="Failed")) == []


# --- page_count and visible_page -----------------------------------------------------------


@pytest.mark.parametrize(
    ("matching", "per_page", "pages"),
    [(0, 10, 1), (1, 10, 1), (10, 10, 1), (11, 10, 2), (25, 5, 5), (26, 5, 6), (100, 25, 4)],
)
def test_page_count(matching: int, per_page: int, pages: int) -> None:
    assert page_count(matching, per_page) == pages


def numbered_rows(count: int) -> list[JobRow]:
    return [make_row(f"job-{n:03d}", f"job {n}") for n in range(count)]


def by_id(**fields) -> TableView:
    return TableView(sort="id", descending=False, **fields)


def test_visible_page_slices_pages() -> None:
    rows = numbered_rows(23)
    first, matching, page = visible_page(rows, by_id(page=1))
    assert (ids(first), matching, page) == ([f"job-{n:03d}" for n in range(10)], 23, 1)
    second, _, page = visible_page(rows, by_id(page=2))
    assert (ids(second), page) == ([f"job-{n:03d}" for n in range(10, 20)], 2)
    last, _, page = visible_page(rows, by_id(page=3))
    assert (ids(last), page) == (["job-020", "job-021", "job-022"], 3)


@pytest.mark.parametrize("per_page", PAGE_SIZES)
def test_visible_page_covers_every_row_once(per_page: int) -> None:
    rows = numbered_rows(23)
    pages = page_count(len(rows), per_page)
    seen = []
    for number in range(1, pages + 1):
        shown, matching, page = visible_page(rows, by_id(page=number, per_page=per_page))
        assert (matching, page) == (23, number)
        assert 1 <= len(shown) <= per_page
        seen += ids(shown)
    assert seen == ids(rows)


@pytest.mark.parametrize("page", [4, 5, 1000])
def test_visible_page_past_the_end_shows_the_last_page(page: int) -> None:
    shown, matching, shown_page = visible_page(numbered_rows(23), by_id(page=page))
    assert (ids(shown), matching, shown_page) == (["job-020", "job-021", "job-022"], 23, 3)


def test_visible_page_after_deleting_the_last_row_of_the_last_page() -> None:
    shown, matching, page = visible_page(numbered_rows(20), by_id(page=3))
    assert (len(shown), matching, page) == (10, 20, 2)


@pytest.mark.parametrize("page", [1, 2, 50])
def test_visible_page_of_no_results_is_page_one(page: int) -> None:
    assert visible_page([], by_id(page=page)) == ([], 0, 1)
    assert visible_page(numbered_rows(12), by_id(search="nothing", page=page)) == ([], 0, 1)


def test_visible_page_counts_and_pages_only_matching_rows() -> None:
    rows = numbered_rows(30)  # names "job 0".."job 29"; "job 1" matches 1, 10..19
    shown, matching, page = visible_page(rows, by_id(search="job 1", page=2, per_page=5))
    assert (matching, page) == (11, 2)
    assert ids(shown) == ["job-014", "job-015", "job-016", "job-017", "job-018"]
    shown, matching, page = visible_page(rows, by_id(search="job 1", page=7, per_page=5))
    assert (ids(shown), matching, page) == (["job-019"], 11, 3)


def test_search_ignores_surrounding_spaces() -> None:
    rows = [
        job_row(
            Job.model_validate({**_JOB_FOR_SEARCH, "id": "1", "name": "llama-x"}), {}, 0, "default"
        ),
        job_row(
            Job.model_validate({**_JOB_FOR_SEARCH, "id": "2", "name": "qwq"}), {}, 0, "default"
        ),
    ]
    assert [r.name for r in matching_rows(rows, TableView(search="llama "))] == ["llama-x"]


_JOB_FOR_SEARCH = {
    "baseModel": "m",
    "epochs": 1,
    "evaluationEpochs": 0,
    "warmupEpochs": 0,
    "learningRate": 0.1,
    "status": "Running",
}


def test_a_job_is_found_by_the_start_of_its_id_not_its_middle() -> None:
    rows = [make_row("5f0c9a2e-1b7d", "first"), make_row("a2e5f0c9-77aa", "second")]
    assert ids(matching_rows(rows, TableView(search=" 5F0C "))) == ["5f0c9a2e-1b7d"]
    assert ids(matching_rows(rows, TableView(search="1b7d"))) == []
