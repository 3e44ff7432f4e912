"""The history's SQL on a real app database: filters, search, sort, pages and totals, the
filters' choices, and the export's batches (which must give every row once, in order)."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from ftapp import database
from ftapp.database import upgrade_on_start
from ftapp.history import query
from ftapp.history.view import DELETED, OUTSIDE_FTAPP, HistoryView
from tests.helpers.appdb import use_database
from tests.helpers.history_records import (
    DAY,
    LLAMA,
    MISTRAL,
    SANDBOX_WORKSPACE,
    T0,
    Recorded,
    insert,
    many,
    names,
)

WS = SANDBOX_WORKSPACE

JOBS = [
    Recorded(
        "a1b2c3d4-0001",
        "llama-old",
        created_at=T0,
        created_by="bob",
        notes="Baseline for the Q3 summariser",
        tags="baseline,q3",
    ),
    Recorded("a1b2c3d4-0002", "mistral-fails", "Failed", MISTRAL, T0 + DAY, created_by="alice"),
    Recorded("e5f6-0003", "llama-running", "Running", LLAMA, T0 + 2 * DAY),
    Recorded(
        "e5f6-0004",
        "gone-by-bob",
        created_at=T0 + 3 * DAY,
        created_by="bob",
        deleted_by="bob",
        deleted_at=T0 + 4 * DAY,
        gone_at=T0 + 4 * DAY,
    ),
    Recorded(
        "e5f6-0005",
        "gone-elsewhere",
        "Failed",
        created_at=None,
        first_seen_at=T0 + 5 * DAY,
        gone_at=T0 + 6 * DAY,
    ),
    Recorded("other-ws-0006", "llama-elsewhere", workspace="another-workspace"),
    Recorded("e5f6-0007", "100%_odd", created_at=T0 + 7 * DAY),
]


@pytest.fixture
def recorded(app_db: str) -> str:
    insert(database.engine(), JOBS)
    return app_db


def shown(view: HistoryView) -> list[str]:
    return names(query.page(WS, view).records)


def test_newest_first_by_created_or_first_seen_in_this_workspace_only(recorded: str) -> None:
    found = query.page(WS, HistoryView())
    assert names(found.records) == [
        "100%_odd",
        "gone-elsewhere",  # first seen on day 5 (its created time is unknown)
        "gone-by-bob",
        "llama-running",
        "mistral-fails",
        "llama-old",
    ]
    assert (found.total, found.page, found.pages) == (6, 1, 1)
    assert query.recorded(WS) == 6
    assert query.recorded("nobody") == 0


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        (
            HistoryView(search="LLAMA"),
            ["100%_odd", "gone-elsewhere", "gone-by-bob", "llama-running", "llama-old"],
        ),
        (HistoryView(search="a1b2"), ["mistral-fails", "llama-old"]),
        (HistoryView(search="q3 summariser"), ["llama-old"]),  # in its notes
        (HistoryView(search="BASELINE"), ["llama-old"]),  # a tag
        (HistoryView(search="0003"), []),  # an id matches from its start only
        (HistoryView(search="mistralai/"), ["mistral-fails"]),
        (HistoryView(search="100%"), ["100%_odd"]),  # % and _ are not wildcards
        (HistoryView(search="_"), ["100%_odd"]),
        (HistoryView(status="Failed"), ["gone-elsewhere", "mistral-fails"]),
        (HistoryView(status=DELETED), ["gone-elsewhere", "gone-by-bob"]),
        (HistoryView(model=MISTRAL), ["mistral-fails"]),
        (HistoryView(creator="bob"), ["gone-by-bob", "llama-old"]),
        (HistoryView(creator=OUTSIDE_FTAPP), ["100%_odd", "gone-elsewhere", "llama-running"]),
        (
            HistoryView(date_from="2026-05-30", date_to="2026-05-31"),
            ["gone-by-bob", "llama-running"],
        ),
        (HistoryView(date_to="2026-05-28"), ["llama-old"]),
        (HistoryView(search="llama", creator=OUTSIDE_FTAPP, status="Running"), ["llama-running"]),
    ],
    ids=repr,
)
def test_search_and_filters(recorded: str, view: HistoryView, expected: list[str]) -> None:
    assert shown(view) == expected
    assert query.page(WS, view).total == len(expected)


def test_sorts_with_unknown_values_last_either_way(recorded: str) -> None:
    assert shown(HistoryView(sort="name", descending=False))[:3] == [
        "100%_odd",
        "gone-by-bob",
        "gone-elsewhere",
    ]
    assert shown(HistoryView(sort="created", descending=False))[0] == "llama-old"
    assert shown(HistoryView(sort="created", descending=False))[-1] == "100%_odd"
    running_last = shown(HistoryView(sort="duration", descending=True))
    assert running_last[-1] == "llama-running"  # no duration: last, ascending too
    assert shown(HistoryView(sort="duration", descending=False))[-1] == "llama-running"
    by_creator = shown(HistoryView(sort="creator", descending=True))
    assert by_creator[:3] == ["gone-by-bob", "llama-old", "mistral-fails"]


def test_pages_and_a_page_past_the_end(recorded: str) -> None:
    second = query.page(WS, HistoryView(per_page=10, page=1))
    assert second.pages == 1
    jobs = many(57, prefix="p")
    insert(database.engine(), jobs)
    page_2 = query.page(WS, HistoryView(per_page=25, page=2))
    assert (page_2.total, page_2.page, page_2.pages) == (63, 2, 3)
    assert len(page_2.records) == 25
    past = query.page(WS, HistoryView(per_page=25, page=40))
    assert past.page == 3
    assert len(past.records) == 13
    everything = [n for p in (1, 2, 3) for n in shown(HistoryView(per_page=25, page=p))]
    assert len(set(everything)) == 63


def test_choices_are_the_recorded_models_and_creators(recorded: str) -> None:
    models, creators = query.choices(WS)
    assert models == [LLAMA, MISTRAL]
    assert creators == ["", "alice", "bob"]


@pytest.mark.parametrize("sort", ["created", "name", "duration", "status", "creator", "id"])
@pytest.mark.parametrize("descending", [True, False])
def test_batches_give_every_row_once_in_the_pages_order(
    recorded: str, sort: str, descending: bool
) -> None:
    insert(database.engine(), many(23, prefix="b"))
    view = HistoryView(sort=sort, descending=descending, per_page=100)
    batches = list(query.batches(WS, view, batch_size=4))
    assert all(len(batch) == 4 for batch in batches[:-1])
    assert names([r for batch in batches for r in batch]) == shown(view)


def test_batches_of_a_filtered_view(recorded: str) -> None:
    view = HistoryView(status=DELETED)
    assert names([r for b in query.batches(WS, view, batch_size=1) for r in b]) == shown(view)
    assert list(query.batches("nobody", HistoryView())) == []


def test_a_hundred_thousand_records_cost_a_count_and_a_page(app_db: str) -> None:
    """Not a benchmark (the time bound is loose for shared machines): the page and the total
    come back without reading the table into memory, and the export walks it in batches."""
    engine = database.engine()
    insert(engine, many(100_000, prefix="k"), transitions=False)
    started = time.perf_counter()
    found = query.page(WS, HistoryView(page=2000, per_page=50))
    filtered = query.page(WS, HistoryView(status="Failed", search="k-job-09", per_page=25))
    elapsed = time.perf_counter() - started
    print(f"two pages and their totals of 100,000 records: {elapsed * 1000:.0f} ms")
    assert found.total == 100_000
    assert len(found.records) == 50
    assert filtered.total == 3_333
    assert elapsed < 5, f"a page of 100,000 records took {elapsed:.2f} s"
    batches = query.batches(WS, HistoryView(), batch_size=5_000)
    first = next(batches)
    assert len(first) == 5_000
    assert first[0].name == "k-job-099999"


def test_postgresql_runs_the_same_queries(postgres_url: str) -> None:
    with use_database(postgres_url):
        upgrade_on_start()
        engine = database.engine()
        with engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM job_transition"))
            connection.execute(sa.text("DELETE FROM job_record"))
        insert(engine, [*JOBS, *many(30, prefix="pg")])
        assert shown(HistoryView(search="LLAMA-R")) == ["llama-running"]  # any case
        assert shown(HistoryView(search="A1B2")) == ["mistral-fails", "llama-old"]
        assert shown(HistoryView(search="100%")) == ["100%_odd"]
        assert shown(HistoryView(status=DELETED, search="gone")) == [
            "gone-elsewhere",
            "gone-by-bob",
        ]
        for sort in ("created", "duration", "name"):
            for descending in (True, False):
                view = HistoryView(sort=sort, descending=descending, per_page=100)
                walked = [r for b in query.batches(WS, view, batch_size=7) for r in b]
                assert names(walked) == shown(view)
        assert shown(HistoryView(per_page=100))[-2:] == ["pg-job-000000", "llama-old"]
        assert query.choices(WS)[1] == ["", "alice", "bob"]
