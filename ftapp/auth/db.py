"""The app database: Reflex's ``db_url``, one engine per URL, sync work off the event loop.

The URL is ``rx.Config.db_url`` (rxconfig.py; ``REFLEX_DB_URL`` overrides it). The engine
uses Reflex's pool settings but hides bound parameters from SQL errors and logs, so a
session hash or password hash can never end up in a message.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
import sqlmodel
from reflex import model
from reflex_base.config import get_config

from ftapp.private_files import private_database

T = TypeVar("T")

_engines: dict[str, sa.Engine] = {}
_engines_lock = threading.Lock()


class DatabaseNotConfiguredError(RuntimeError):
    """rxconfig.py was not loaded (not run from the project root) and REFLEX_DB_URL is unset."""


def database_url() -> str:
    """The app database's SQLAlchemy URL."""
    url = get_config().db_url
    if not url:
        raise DatabaseNotConfiguredError(
            "No database configured: rxconfig.py sets db_url (REFLEX_DB_URL overrides it); "
            "run from the project root."
        )
    return url


def sqlite_path(url: str) -> Path | None:
    """The file of a file-backed SQLite URL; None for other databases and ``:memory:``."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def engine() -> sa.Engine:
    """The engine of :func:`database_url` (created on first use, then shared)."""
    url = database_url()
    with _engines_lock:
        if url not in _engines:
            _engines[url] = _create_engine(url)
        return _engines[url]


def _create_engine(url: str) -> sa.Engine:
    kwargs: dict[str, Any] = {**model.get_engine_args(url), "hide_parameters": True}
    if (path := sqlite_path(url)) is not None:
        private_database(path)  # owner-only: it holds password and session hashes
    created = sa.create_engine(url, **kwargs)
    if created.dialect.name == "sqlite":
        sa.event.listen(created, "connect", _sqlite_pragmas)
    return created


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    # WAL lets the workers read while one writes; the busy timeout waits for the writer.
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def session() -> sqlmodel.Session:
    """A new ORM session on the app database (use as a context manager)."""
    return sqlmodel.Session(engine(), expire_on_commit=False)


async def in_thread(function: Callable[..., T], *args: Any) -> T:
    """Run blocking database work in a worker thread, never on the event loop."""
    return await asyncio.to_thread(function, *args)


def dispose_engines() -> None:
    """Close every pooled connection (tests switch databases; the CLI exits)."""
    with _engines_lock:
        for created in _engines.values():
            created.dispose()
        _engines.clear()
