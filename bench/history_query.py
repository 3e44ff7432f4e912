"""The history's page query at 100,000 records, with and without its order index.

A migrated app database (SQLite in a temporary folder; with ``--postgres``, a private
PostgreSQL server too) gets ``--records`` records of one workspace (and 10,000 of another),
then the page query of :mod:`ftapp.history.query` (the rows of one page, and its count) is
timed for the default order (newest first, oldest first, a deep page) and a filtered view,
in rounds that drop and create ``ix_job_record_workspace_when`` in turn, so both sides see
the same machine load. Prints medians per side, their ratio, and each query's plan.

    .venv/bin/python bench/history_query.py [--records 100000] [--rounds 7] [--postgres]
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
import sqlmodel

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import machine, publish
from ftapp import database
from ftapp.database import upgrade_on_start
from ftapp.history import query
from ftapp.history.view import HistoryView
from ftapp.models import JobRecord
from tests.helpers import postgres
from tests.helpers.appdb import use_database
from tests.helpers.history_records import SANDBOX_WORKSPACE, insert, many

INDEX = "ix_job_record_workspace_when"
CREATE_INDEX = (
    f"CREATE INDEX {INDEX} ON job_record (workspace, coalesce(created_at, first_seen_at), id)"
)
VIEWS = {
    "newest first, page 1": HistoryView(),
    "oldest first, page 1": HistoryView(descending=False),
    "newest first, page 2,000 of 4,000": HistoryView(page=2_000),
    "Failed only, newest first, page 1": HistoryView(status="Failed"),
}


def rows_statement(view: HistoryView) -> sa.Select:
    """The statement :func:`ftapp.history.query.page` runs for ``view``'s rows."""
    return (
        sqlmodel.select(JobRecord)
        .where(*query.conditions(SANDBOX_WORKSPACE, view))
        .order_by(*query.order_by(view))
        .offset((view.page - 1) * view.per_page)
        .limit(view.per_page)
    )


def plan(view: HistoryView) -> str:
    engine = database.engine()
    explain = "EXPLAIN QUERY PLAN" if engine.dialect.name == "sqlite" else "EXPLAIN"
    with engine.connect() as connection:
        compiled = rows_statement(view).compile(connection, compile_kwargs={"literal_binds": True})
        rows = connection.execute(sa.text(f"{explain} {compiled}")).all()
    return "; ".join(str(row[-1]).strip() for row in rows)


def timed(view: HistoryView) -> tuple[float, float]:
    """Milliseconds for the page's rows, and for its count."""
    with database.session() as session:
        started = time.perf_counter()
        list(session.exec(rows_statement(view)).all())
        rows = time.perf_counter() - started
        started = time.perf_counter()
        query.count(session, SANDBOX_WORKSPACE, view)
        counted = time.perf_counter() - started
    return rows * 1000, counted * 1000


def set_index(present: bool) -> None:
    with database.engine().begin() as connection:
        connection.execute(sa.text(f"DROP INDEX IF EXISTS {INDEX}"))
        if present:
            connection.execute(sa.text(CREATE_INDEX))
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("ANALYZE job_record"))
    # New connections: SQLite's statement cache would keep EXPLAIN's plan of the old schema.
    database.dispose_engines()


def measure(url: str, records: int, rounds: int) -> list[str]:
    with use_database(url):
        upgrade_on_start()
        engine = database.engine()
        insert(engine, many(records, prefix="q"), transitions=False)
        others = many(10_000, prefix="o")
        for job in others:
            job.workspace = "another-workspace"
        insert(engine, others, transitions=False)
        times: dict[tuple[str, bool], list[tuple[float, float]]] = {}
        plans: dict[tuple[str, bool], str] = {}
        for round_number in range(rounds + 1):
            for present in (False, True) if round_number % 2 else (True, False):
                set_index(present)
                for label, view in VIEWS.items():
                    timed(view)  # the pages the database caches are the same on both sides
                    measured = timed(view)
                    if round_number:  # round 0 warms up
                        times.setdefault((label, present), []).append(measured)
                    plans[(label, present)] = plan(view)
        set_index(True)
        database.dispose_engines()
    lines = [
        f"| {engine.dialect.name} ({records:,} records) | rows without / with the index | "
        "ratio | count without / with |",
        "| --- | --- | --- | --- |",
    ]
    for label in VIEWS:
        without = times[(label, False)]
        with_index = times[(label, True)]
        rows_before = statistics.median(t[0] for t in without)
        rows_after = statistics.median(t[0] for t in with_index)
        lines.append(
            f"| {label} | {rows_before:.1f} / {rows_after:.1f} ms | "
            f"{rows_after / rows_before:.2f} | {statistics.median(t[1] for t in without):.1f} / "
            f"{statistics.median(t[1] for t in with_index):.1f} ms |"
        )
    lines += ["", "Plans (without -> with the index):", ""]
    for label in VIEWS:
        lines.append(f"- {label}: `{plans[(label, False)]}` -> `{plans[(label, True)]}`")
    return lines


@contextlib.contextmanager
def databases(with_postgres: bool) -> Iterator[list[str]]:
    folder = Path(tempfile.mkdtemp(prefix="ftapp-history-query-"))
    urls = [f"sqlite:///{folder / 'app.db'}"]
    if not with_postgres:
        yield urls
        return
    if (reason := postgres.unavailable_reason()) is not None:
        raise SystemExit(f"--postgres: {reason}")
    with postgres.temporary_postgres() as url:
        yield [*urls, url]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    lines = [
        machine(),
        "",
        f"Medians of {args.rounds} rounds, {HistoryView().per_page} rows a page.",
        "",
    ]
    with databases(args.postgres) as urls:
        for url in urls:
            lines += [*measure(url, args.records, args.rounds), ""]
    publish("\n".join(lines), args.out)


if __name__ == "__main__":
    main()
