"""Reading the history (every job ftapp has recorded in the configured workspace) for those
whose role may: a page of a view with the filters' choices, and the view's every row as a
download. A refusal is a message, never an exception, as for the activity log.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import AsyncIterator, Callable, Generator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ftapp import database
from ftapp.auth.roles import Identity, Permission
from ftapp.history import export, query
from ftapp.history.view import EXPORT_FORMATS, HistoryView
from ftapp.models import JobRecord
from ftapp.services import connection, workspace
from ftapp.services.job_records import DATABASE_AWAY

log = logging.getLogger(__name__)
T = TypeVar("T")

SIGN_IN = "Sign in to continue."


@dataclass(frozen=True)
class HistoryResult:
    """One page of a view of the history, the choices its filters offer, or why it may not
    be seen."""

    records: list[JobRecord] = field(default_factory=list)
    total: int = 0
    page: int = 1
    pages: int = 1
    recorded: int = 0
    """How many jobs the workspace's history holds, whatever the view (0: nothing yet)."""
    models: list[str] = field(default_factory=list)
    creators: list[str] = field(default_factory=list)
    """Usernames, and "" for jobs created outside ftapp."""
    model_names: Mapping[str, str] = field(default_factory=dict)
    """Model id -> display name, as far as the live feed knows them."""
    refusal: str = ""


def refusal(actor: Identity | None) -> str:
    """Why ``actor`` may not read the history ("" when they may)."""
    if actor is None:
        return SIGN_IN
    return actor.refusal(Permission.READ_HISTORY)


def _read(workspace: str, view: HistoryView, with_choices: bool) -> HistoryResult:
    found = query.page(workspace, view)
    models, creators = query.choices(workspace) if with_choices else ([], [])
    recorded = found.total if not view.filtered else query.recorded(workspace)
    return HistoryResult(
        records=found.records,
        total=found.total,
        page=found.page,
        pages=found.pages,
        recorded=recorded,
        models=models,
        creators=creators,
    )


async def history_page(
    actor: Identity | None, view: HistoryView, *, with_choices: bool = True
) -> HistoryResult:
    """The page of ``view`` (past the end: the last) for ``actor``, with the filters'
    choices unless told not to (they cost a scan of the workspace's records)."""
    if reason := refusal(actor):
        return HistoryResult(refusal=reason)
    result = await read_history(_read, connection.workspace(actor.workspace), view, with_choices)
    if result is None:
        return HistoryResult(refusal=DATABASE_AWAY)
    return dataclasses.replace(result, model_names=workspace.current(actor.workspace).models)


async def read_history(read: Callable[..., T], *args: Any) -> T | None:
    """``read(*args)`` in a worker thread, as a person waits on it; None (and one WARNING
    line) when the app database is away or locked: the page says so, nothing crashes."""
    try:
        with database.person_waiting():
            return await database.in_thread(read, *args)
    except Exception as error:
        if not database.unreachable(error):
            raise
        log.warning("The history could not be read: %s", type(error).__name__)
        return None


async def export_chunks(
    actor: Identity | None, view: HistoryView, export_format: str
) -> AsyncIterator[str]:
    """Every row of ``view`` as ``export_format`` (``csv`` or ``json``), piece by piece: each
    batch is read in a worker thread when the download wants it. Raises ``PermissionError``
    (with the reason) for someone who may not read the history, ``ValueError`` for an
    unknown format, before anything is read."""
    if reason := refusal(actor):
        raise PermissionError(reason)
    if export_format not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {export_format!r}")
    pieces = export.chunks(
        export_format, query.batches(connection.workspace(actor.workspace), view)
    )
    return _in_threads(pieces)


async def _in_threads(pieces: Generator[str]) -> AsyncIterator[str]:
    """``pieces``, each made in a worker thread; closed (its query ended) however the
    download ends, a client that went away included."""
    try:
        while (piece := await database.in_thread(next, pieces, None)) is not None:
            yield piece
    finally:
        await database.in_thread(pieces.close)
