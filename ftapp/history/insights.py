"""The SQL behind comparing recorded jobs and the history's charts: the records of a few ids,
and the charts' aggregates over the records of a view (the same filters as its page). Runs
on SQLite and PostgreSQL; blocking, so callers run it in a thread.

The settings a chart needs (epochs, learning rate) are read from each record's JSON in SQL
(``json_extract`` on SQLite, ``jsonb`` on PostgreSQL), and only aggregates leave the
database: a few thousand groups at most, whatever the number of records.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from sqlalchemy.dialects.postgresql import JSONB

from ftapp import database
from ftapp.history import charts
from ftapp.history.query import conditions
from ftapp.history.view import HistoryView
from ftapp.models import JobRecord

_T = JobRecord.__table__.c
_KEY = re.compile(r"[A-Za-z][A-Za-z0-9]*")


def records_with_ids(workspace: str, ids: Sequence[str]) -> list[JobRecord]:
    """The records of ``workspace`` among ``ids`` (any order; unknown ids have none)."""
    if not ids:
        return []
    statement = sqlmodel.select(JobRecord).where(
        _T.workspace == workspace, _T.job_id.in_(list(ids))
    )
    with database.session() as session:
        return list(session.exec(statement).all())


def setting_number(key: str, dialect: str) -> sa.ColumnElement:
    """A number in a record's settings JSON (wire name ``key``); NULL where the settings are
    unreadable or the value is not a number."""
    if not _KEY.fullmatch(key):
        raise ValueError(f"not a setting's name: {key!r}")
    column = _T.settings
    if dialect == "postgresql":
        document = sa.cast(column, JSONB)
        number = sa.case(
            (
                sa.func.jsonb_typeof(document[key]) == "number",
                sa.cast(document[key].astext, sa.Float),
            )
        )
        return sa.case((column.like("{%"), number))
    path = f"$.{key}"
    is_number = sa.func.json_type(column, path).in_(("integer", "real"))
    number = sa.case((is_number, sa.func.json_extract(column, path)))
    return sa.case((sa.func.json_valid(column) == 1, number))


def rate_bucket_sql(rate: sa.ColumnElement) -> sa.ColumnElement:
    """The learning-rate bucket of :func:`ftapp.history.charts.rate_bucket`, in SQL."""
    edges = charts.RATE_EDGES
    return sa.case(*[(rate < edge, index) for index, edge in enumerate(edges)], else_=len(edges))


def _dialect(session: sqlmodel.Session) -> str:
    return session.get_bind().dialect.name


def duration_groups(workspace: str, view: HistoryView) -> tuple[list[charts.DurationGroup], int]:
    """``(groups, models)``: finished jobs of ``view`` with a known duration, counted and
    their run times summed per model and epoch count, for the :data:`charts.MAX_MODELS`
    models with the most such jobs; and how many models the view has such jobs of."""
    with database.session() as session:
        epochs = setting_number("epochs", _dialect(session))
        finished = (
            sa.select(_T.base_model.label("model"), epochs.label("epochs"), _T.duration_seconds)
            .where(*conditions(workspace, view), _T.duration_seconds.is_not(None))
            .subquery()
        )
        known = finished.c.epochs.is_not(None)
        jobs = sa.func.count()
        ranked = (
            sa.select(finished.c.model)
            .where(known)
            .group_by(finished.c.model)
            .order_by(jobs.desc(), finished.c.model)
            .limit(charts.MAX_MODELS)
        )
        top = list(session.execute(ranked).scalars())
        if not top:
            return [], 0
        models = session.execute(
            sa.select(sa.func.count(sa.distinct(finished.c.model))).where(known)
        ).scalar_one()
        grouped = (
            sa.select(
                finished.c.model,
                finished.c.epochs,
                jobs,
                sa.func.sum(finished.c.duration_seconds),
            )
            .where(known, finished.c.model.in_(top))
            .group_by(finished.c.model, finished.c.epochs)
        )
        groups = [
            charts.DurationGroup(model, int(count_epochs), int(count), int(total))
            for model, count_epochs, count, total in session.execute(grouped)
        ]
    return groups, int(models)


def outcome_counts(workspace: str, view: HistoryView) -> dict[tuple[int, str], int]:
    """Finished jobs of ``view`` with a learning rate, per ``(rate bucket, status)``."""
    with database.session() as session:
        rate = setting_number("learningRate", _dialect(session))
        finished = (
            sa.select(rate.label("rate"), _T.status.label("status"))
            .where(*conditions(workspace, view), _T.status.in_(charts.FINISHED))
            .subquery()
        )
        bucketed = (
            sa.select(rate_bucket_sql(finished.c.rate).label("bucket"), finished.c.status)
            .where(finished.c.rate.is_not(None))
            .subquery()
        )
        statement = sa.select(bucketed.c.bucket, bucketed.c.status, sa.func.count()).group_by(
            bucketed.c.bucket, bucketed.c.status
        )
        return {
            (int(index), status): int(count) for index, status, count in session.execute(statement)
        }
