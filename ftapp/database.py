"""The app database: Reflex's ``db_url``, one engine per URL, sync work off the event loop.

The URL is ``rx.Config.db_url`` (rxconfig.py; ``REFLEX_DB_URL`` overrides it). The engine
uses Reflex's pool settings but hides bound parameters from SQL errors and logs, so a
session hash or password hash can never end up in a message.

A locked SQLite database is waited on: background work (the activity log, purges, the
``ftapp`` command, migrations) for :data:`BACKGROUND_WAIT_SECONDS`, work a person waits on
(:func:`person_waiting`: a sign-in, a page's session check) only for
:data:`PERSON_WAIT_SECONDS`, so that the person is told in seconds (a 503, see
:mod:`ftapp.outages`) and gives way to the background writers. :func:`unreachable` says
which errors mean the database cannot be had right now.

:func:`upgrade_on_start` applies the committed alembic revisions (``alembic/versions``) at
start, under a lock. It is a plain (sync) function on purpose: Reflex runs such lifespan tasks
inline before serving, whereas a coroutine would run while the first requests arrive. Every
worker calls it; the lock (a file lock beside a SQLite database, ``pg_advisory_lock`` on
PostgreSQL) lets the first migrate while the others wait, and then find nothing to do.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import sqlite3
import threading
import warnings
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
import sqlmodel
from reflex import model
from reflex_base.config import get_config
from reflex_base.environment import environment
from sqlalchemy.dialects import postgresql, sqlite

from ftapp import models  # noqa: F401  (the tables must be known before any check)
from ftapp.private_files import private_database
from ftapp.settings import PROJECT_ROOT

T = TypeVar("T")

BACKGROUND_WAIT_SECONDS = 10.0
"""How long background work waits for a locked SQLite database before it fails."""
PERSON_WAIT_SECONDS = 3.0
"""How long work a person waits on waits for a locked SQLite database before it fails."""
_wait_seconds: ContextVar[float] = ContextVar("ftapp_db_wait", default=BACKGROUND_WAIT_SECONDS)
_SQLITE_BUSY = ("locked", "busy", "unable to open", "disk i/o")
"""What SQLite says when its file cannot be had right now (not a bug such as a missing table)."""

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
        # A file does not drop connections as a server does: no "SELECT 1" before each use
        # (every event's session lookup would pay it).
        kwargs["pool_pre_ping"] = False
    created = sa.create_engine(url, **kwargs)
    if created.dialect.name == "sqlite":
        sa.event.listen(created, "connect", _sqlite_pragmas)
        sa.event.listen(created, "checkout", _sqlite_wait)
    return created


def _sqlite_pragmas(connection: Any, record: Any) -> None:
    # WAL lets the workers read while one writes; the busy timeout waits for the writer.
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    _set_busy_timeout(cursor, record, _wait_seconds.get())  # before the next pragma waits
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _sqlite_wait(connection: Any, record: Any, _proxy: Any) -> None:
    """At each checkout: wait as long as the work at hand may (see :func:`person_waiting`)."""
    seconds = _wait_seconds.get()
    if record.info.get("busy_seconds") != seconds:
        cursor = connection.cursor()
        _set_busy_timeout(cursor, record, seconds)
        cursor.close()


def _set_busy_timeout(cursor: Any, record: Any, seconds: float) -> None:
    cursor.execute(f"PRAGMA busy_timeout={round(seconds * 1000)}")
    record.info["busy_seconds"] = seconds


@contextlib.contextmanager
def person_waiting() -> Iterator[None]:
    """Within this block, and in the threads :func:`in_thread` starts from it, a locked SQLite
    database is waited on for :data:`PERSON_WAIT_SECONDS` only."""
    token = _wait_seconds.set(PERSON_WAIT_SECONDS)
    try:
        yield
    finally:
        _wait_seconds.reset(token)


def unreachable(error: BaseException) -> bool:
    """True when ``error`` means the app database cannot be had right now (SQLite locked past
    the wait, its file unavailable; PostgreSQL down or refusing; no pooled connection free),
    as opposed to a bug in a query."""
    if isinstance(error, sa.exc.TimeoutError):  # the pool had no connection to give
        return True
    if not isinstance(error, sa.exc.OperationalError):
        return False
    if isinstance(error.orig, sqlite3.OperationalError):
        message = str(error.orig).lower()
        return any(sign in message for sign in _SQLITE_BUSY)
    return True  # PostgreSQL: connection failures and lock timeouts (not syntax or schema)


def session() -> sqlmodel.Session:
    """A new ORM session on the app database (use as a context manager)."""
    return sqlmodel.Session(engine(), expire_on_commit=False)


async def in_thread(function: Callable[..., T], *args: Any) -> T:
    """Run blocking database work in a worker thread, never on the event loop."""
    return await asyncio.to_thread(function, *args)


_CONFLICT_INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def conflict_insert(table: sa.Table, dialect: str) -> Any:
    """An ``INSERT`` into ``table`` that can say what to do on a conflict (``ON CONFLICT DO
    NOTHING`` / ``DO UPDATE``), for the dialect ``dialect`` (SQLite or PostgreSQL)."""
    if dialect not in _CONFLICT_INSERTS:
        raise RuntimeError(f"ftapp's app database must be SQLite or PostgreSQL, not {dialect}.")
    return _CONFLICT_INSERTS[dialect](table)


def dispose_engines() -> None:
    """Close every pooled connection (tests switch databases; the CLI exits)."""
    with _engines_lock:
        for created in _engines.values():
            created.dispose()
        _engines.clear()


log = logging.getLogger(__name__)

ALEMBIC_INI = PROJECT_ROOT / "alembic.ini"
_PG_LOCK_KEY = 0x66746170  # "ftap": any app-wide constant
_memory_lock = threading.Lock()  # in-memory SQLite: one process only
EXPRESSION_INDEX_WARNING = r".*expression-based index"
"""What SQLAlchemy and Alembic say when they skip comparing an expression index."""


def upgrade_on_start() -> None:
    """Bring the app database to the latest revision (same as ``reflex db migrate``)."""
    if not environment.ALEMBIC_CONFIG.is_set():
        # Reflex looks for alembic.ini in the working directory; ours is the project's.
        environment.ALEMBIC_CONFIG.set(ALEMBIC_INI)
    app_engine = engine()  # also creates a SQLite file's folder
    with migration_lock(app_engine):
        if not model.migrate():
            raise RuntimeError(f"{environment.ALEMBIC_CONFIG.get()} not found: cannot migrate")
        with model.get_engine().connect() as connection, warnings.catch_warnings():
            # SQLite cannot reflect an expression index (the history's order), so the check
            # leaves it out, saying so at every start; its migration creates it.
            warnings.filterwarnings("ignore", EXPRESSION_INDEX_WARNING)
            if model.alembic_autogenerate(connection, write_migration_scripts=False):
                log.error(
                    "The database models differ from the migrations: "
                    "run `reflex db makemigrations --message <what changed>` and commit it."
                )
    log.info("App database is at the latest revision.")


@contextlib.contextmanager
def migration_lock(engine: sa.Engine) -> Iterator[None]:
    """Hold the app-wide migration lock (across processes) for the ``with`` block."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": _PG_LOCK_KEY})
            try:
                yield
            finally:
                connection.execute(
                    sa.text("SELECT pg_advisory_unlock(:key)"), {"key": _PG_LOCK_KEY}
                )
                connection.commit()
        return
    path = sqlite_path(engine.url.render_as_string(hide_password=False))
    if path is None:
        with _memory_lock:
            yield
        return
    with open(path.with_name(path.name + ".migrate-lock"), "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)
