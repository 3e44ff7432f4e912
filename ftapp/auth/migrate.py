"""Apply the committed alembic revisions (``alembic/versions``) at start, under a lock.

Register :func:`upgrade_on_start` as a Reflex lifespan task. It is a plain (sync) function on
purpose: Reflex runs those inline before serving, whereas a coroutine would run in the
background while the first requests arrive. Every worker calls it; the lock (a file lock
beside a SQLite database, ``pg_advisory_lock`` on PostgreSQL) lets the first one migrate
while the others wait, and then find nothing to do.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import threading
from collections.abc import Iterator

import sqlalchemy as sa
from reflex import model
from reflex_base.environment import environment

from ftapp.auth import db, models  # noqa: F401  (the tables must be known before any check)
from ftapp.settings import PROJECT_ROOT

log = logging.getLogger(__name__)

ALEMBIC_INI = PROJECT_ROOT / "alembic.ini"
_PG_LOCK_KEY = 0x66746170  # "ftap": any app-wide constant
_memory_lock = threading.Lock()  # in-memory SQLite: one process only


def upgrade_on_start() -> None:
    """Bring the app database to the latest revision (same as ``reflex db migrate``)."""
    if not environment.ALEMBIC_CONFIG.is_set():
        # Reflex looks for alembic.ini in the working directory; ours is the project's.
        environment.ALEMBIC_CONFIG.set(ALEMBIC_INI)
    engine = db.engine()  # also creates a SQLite file's folder
    with migration_lock(engine):
        if not model.migrate():
            raise RuntimeError(f"{environment.ALEMBIC_CONFIG.get()} not found: cannot migrate")
        with model.get_engine().connect() as connection:
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
    path = db.sqlite_path(engine.url.render_as_string(hide_password=False))
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
