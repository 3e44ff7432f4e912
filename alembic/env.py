"""Alembic environment for the plain ``alembic`` command (``alembic current``, ``alembic
history``). Reflex's ``reflex db ...`` commands and the app's start-up upgrade do not use it."""

from alembic import context
from sqlmodel import SQLModel

from ftapp import database, models  # noqa: F401  (registers the tables)

if context.is_offline_mode():
    raise SystemExit("Offline (--sql) migrations are not supported: run them on a database.")

with database.engine().connect() as connection:
    context.configure(
        connection=connection, target_metadata=SQLModel.metadata, render_as_batch=True
    )
    with context.begin_transaction():
        context.run_migrations()
