"""The history's SQL: one page of a view and its total, the choices for the filters, and every
row of a view in batches (for export). SQLAlchemy Core expressions that run on SQLite and
PostgreSQL; blocking, so callers run them in a thread (:func:`ftapp.database.in_thread`).

A page costs a ``COUNT`` and one ``LIMIT``/``OFFSET`` query, each narrowed by indexed
columns (workspace, status, model, creator, gone); nothing loads the whole table. The export
is one query read in batches (``yield_per``): one sort, however many rows, and never more
than a batch in memory.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
import sqlmodel

from ftapp import database
from ftapp.history.view import ALL, DELETED, OUTSIDE_FTAPP, HistoryView, page_count
from ftapp.models import JobRecord

EXPORT_BATCH = 500
MAX_CHOICES = 500
"""The most models or creators a filter lists (the first in alphabetical order)."""

_T = JobRecord.__table__.c
WHEN = sa.func.coalesce(_T.created_at, _T.first_seen_at)
"""When a job is shown, filtered and sorted by: created, else first seen (as
:func:`ftapp.history.rows.when`). The index ``ix_job_record_workspace_when`` (workspace, this
very expression, id; ``ftapp.models.JobRecord``) serves the default order in both directions,
so a page reads its rows in index order instead of sorting the workspace's records."""
_COLUMNS: dict[str, sa.ColumnElement] = {
    "name": _T.name,
    "id": _T.job_id,
    "model": _T.base_model,
    "created": WHEN,
    "creator": _T.created_by,
    "duration": _T.duration_seconds,
    "status": _T.status,
}
"""Each sortable column of :data:`ftapp.history.view.SORT_COLUMNS`."""
_NULLABLE = frozenset({"duration"})


@dataclass(frozen=True)
class HistoryPage:
    """One page of a view: its records, how many match in all, the page actually shown
    (a page past the end shows the last) and the number of pages."""

    records: list[JobRecord]
    total: int
    page: int
    pages: int


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def conditions(workspace: str, view: HistoryView) -> list[sa.ColumnElement[bool]]:
    """The WHERE clauses of ``view`` in ``workspace``."""
    where: list[sa.ColumnElement[bool]] = [_T.workspace == workspace]
    if view.search:
        needle = _like_escaped(view.search.lower())
        where.append(
            sa.or_(
                sa.func.lower(_T.name).like(f"%{needle}%", escape="\\"),
                sa.func.lower(_T.job_id).like(f"{needle}%", escape="\\"),
                sa.func.lower(_T.base_model).like(f"%{needle}%", escape="\\"),
                sa.func.lower(_T.notes).like(f"%{needle}%", escape="\\"),
                sa.func.lower(_T.tags).like(f"%{needle}%", escape="\\"),
            )
        )
    if view.status == DELETED:
        where.append(sa.or_(_T.gone_at.is_not(None), _T.deleted_at.is_not(None)))
    elif view.status != ALL:
        where.append(_T.status == view.status)
    if view.model:
        where.append(_T.base_model == view.model)
    if view.creator:
        where.append(_T.created_by == ("" if view.creator == OUTSIDE_FTAPP else view.creator))
    start, end = view.created_range()
    if start is not None:
        where.append(start <= WHEN)
    if end is not None:
        where.append(end > WHEN)
    return where


def order_by(view: HistoryView) -> list[sa.ColumnElement]:
    """The view's order: its column (unknown values last either way), then the row id."""
    column = _COLUMNS[view.sort]
    ordered = column.desc() if view.descending else column.asc()
    if view.sort in _NULLABLE:
        ordered = ordered.nulls_last()
    return [ordered, _T.id.desc() if view.descending else _T.id.asc()]


def count(session: sqlmodel.Session, workspace: str, view: HistoryView) -> int:
    """How many records of ``workspace`` match ``view``."""
    statement = (
        sa.select(sa.func.count()).select_from(JobRecord).where(*conditions(workspace, view))
    )
    return int(session.execute(statement).scalar_one())


def recorded(workspace: str) -> int:
    """How many jobs ``workspace``'s history holds."""
    with database.session() as session:
        return count(session, workspace, HistoryView())


def page(workspace: str, view: HistoryView) -> HistoryPage:
    """The page of ``view`` (past the end: the last page) and the number of matches."""
    with database.session() as session:
        total = count(session, workspace, view)
        pages = page_count(total, view.per_page)
        shown = min(view.page, pages)
        statement = (
            sqlmodel.select(JobRecord)
            .where(*conditions(workspace, view))
            .order_by(*order_by(view))
            .offset((shown - 1) * view.per_page)
            .limit(view.per_page)
        )
        records = list(session.exec(statement).all())
    return HistoryPage(records=records, total=total, page=shown, pages=pages)


def distinct_statement(column: sa.ColumnElement, workspace: str) -> sa.Select:
    """The values of ``column`` in ``workspace``, sorted, at most :data:`MAX_CHOICES` (read
    from the index on the workspace and that column)."""
    return (
        sa.select(column).where(_T.workspace == workspace).group_by(column).order_by(column)
    ).limit(MAX_CHOICES)


def _distinct(session: sqlmodel.Session, column: sa.ColumnElement, workspace: str) -> list[str]:
    return [value for value in session.execute(distinct_statement(column, workspace)).scalars()]


def choices(workspace: str) -> tuple[list[str], list[str]]:
    """``(models, creators)`` recorded in ``workspace``, sorted; "" among the creators stands
    for jobs created outside ftapp."""
    with database.session() as session:
        return (
            _distinct(session, _T.base_model, workspace),
            _distinct(session, _T.created_by, workspace),
        )


def batches(
    workspace: str, view: HistoryView, batch_size: int = EXPORT_BATCH
) -> Iterator[Sequence[JobRecord]]:
    """Every record of ``view`` (all pages), in its order, ``batch_size`` at a time, from one
    query whose rows are fetched as they are wanted (a server-side cursor on PostgreSQL):
    memory stays small whatever the total. Close the iterator to end the query early."""
    statement = (
        sqlmodel.select(JobRecord)
        .where(*conditions(workspace, view))
        .order_by(*order_by(view))
        .execution_options(yield_per=batch_size)
    )
    with database.session() as session:
        yield from session.exec(statement).partitions()
