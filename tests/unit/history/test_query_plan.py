"""The history's default order is read from its index (workspace, created else first seen,
id), in both directions, on SQLite and PostgreSQL: a page never sorts the workspace's records.

The models == migrations check cannot compare an expression index on SQLite (it cannot be
reflected there), so these tests are what keeps the migration, the model and the query's
ORDER BY in step."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
import sqlmodel

from ftapp import database
from ftapp.database import upgrade_on_start
from ftapp.history import query
from ftapp.history.view import HistoryView
from ftapp.models import JobRecord
from tests.helpers.appdb import use_database
from tests.helpers.history_records import SANDBOX_WORKSPACE, insert, many

INDEX = "ix_job_record_workspace_when"


def page_statement(view: HistoryView) -> sa.Select:
    """The statement :func:`ftapp.history.query.page` runs for ``view``'s rows."""
    return (
        sqlmodel.select(JobRecord)
        .where(*query.conditions(SANDBOX_WORKSPACE, view))
        .order_by(*query.order_by(view))
        .offset((view.page - 1) * view.per_page)
        .limit(view.per_page)
    )


def plan(connection: sa.Connection, statement: sa.Select, explain: str) -> str:
    compiled = statement.compile(connection, compile_kwargs={"literal_binds": True})
    rows = connection.execute(sa.text(f"{explain} {compiled}")).all()
    return "\n".join(str(row[-1]) for row in rows)


def test_the_migration_creates_the_index(app_db: str) -> None:
    with database.engine().connect() as connection:
        sql = connection.execute(
            sa.text("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = :name"),
            {"name": INDEX},
        ).scalar_one()
    assert "(workspace, coalesce(created_at, first_seen_at), id)" in sql


@pytest.mark.parametrize("descending", [True, False])
@pytest.mark.parametrize("page", [1, 40])
def test_sqlite_reads_a_page_in_index_order(app_db: str, descending: bool, page: int) -> None:
    insert(database.engine(), many(200, prefix="p"), transitions=False)
    view = HistoryView(descending=descending, page=page, per_page=25)
    with database.engine().connect() as connection:
        found = plan(connection, page_statement(view), "EXPLAIN QUERY PLAN")
    assert f"USING INDEX {INDEX}" in found, found
    assert "TEMP B-TREE" not in found, found  # no sort step


@pytest.mark.parametrize("descending", [True, False])
def test_postgresql_reads_a_page_in_index_order(postgres_url: str, descending: bool) -> None:
    with use_database(postgres_url):
        upgrade_on_start()
        engine = database.engine()
        with engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM job_transition"))
            connection.execute(sa.text("DELETE FROM job_record"))
        insert(engine, many(3_000, prefix="pg"), transitions=False)
        view = HistoryView(descending=descending, page=2, per_page=50)
        with engine.begin() as connection:
            connection.execute(sa.text("ANALYZE job_record"))
            # A small table may well be cheaper to sort: ask whether the index can serve it.
            connection.execute(sa.text("SET LOCAL enable_sort = off"))
            found = plan(connection, page_statement(view), "EXPLAIN")
        assert f"Index Scan{' Backward' if descending else ''} using {INDEX}" in found, found
        assert "Sort" not in found, found


@pytest.mark.parametrize(
    ("column", "index"),
    [
        ("base_model", "ix_job_record_workspace_model"),
        ("created_by", "ix_job_record_workspace_creator"),
    ],
)
def test_sqlite_reads_the_filters_choices_from_an_index_alone(
    app_db: str, column: str, index: str
) -> None:
    insert(database.engine(), many(200, prefix="c"), transitions=False)
    table = JobRecord.__table__.c
    statement = query.distinct_statement(table[column], SANDBOX_WORKSPACE)
    with database.engine().connect() as connection:
        found = plan(connection, statement, "EXPLAIN QUERY PLAN")
    assert f"USING COVERING INDEX {index}" in found, found
    assert "TEMP B-TREE" not in found, found
