"""Migrations at start: a fresh database gets every table, the models match the committed
revisions, a second run does nothing, and concurrent workers are serialised by the lock
(SQLite file lock; PostgreSQL advisory lock when PostgreSQL is available). The stored
workspaces' tables work on both, members going with their workspace or account."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from reflex import model

from ftapp import database, settings
from ftapp.auth import accounts
from ftapp.auth.roles import Role
from ftapp.auth.sessions import DbSessionStore, SessionPolicy
from ftapp.database import ALEMBIC_INI, upgrade_on_start
from ftapp.settings import PROJECT_ROOT
from ftapp.workspaces import members, store
from tests.helpers.appdb import use_database
from tests.unit.auth.helpers import add_user

TABLES = {
    "activity",
    "alembic_version",
    "app_start",
    "auth_session",
    "auth_throttle",
    "auth_user",
    "job_record",
    "job_transition",
    "server_secret",
    "workspace",
    "workspace_member",
}


def head_revision() -> str:
    versions = list((PROJECT_ROOT / "alembic" / "versions").glob("*.py"))
    config = model._alembic_config()[1]
    head = config.get_current_head()
    assert head is not None
    assert versions
    return head


def current_revision() -> str | None:
    with database.engine().connect() as connection:
        return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def check_at_head_without_drift() -> None:
    assert set(sa.inspect(database.engine()).get_table_names()) >= TABLES
    assert current_revision() == head_revision()
    with model.get_engine().connect() as connection:
        assert model.alembic_autogenerate(connection, write_migration_scripts=False) is False


@pytest.fixture
def fresh_sqlite(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "nested" / "folder" / "app.db"  # folders that do not exist yet
    with use_database(f"sqlite:///{path}"):
        yield path


def test_alembic_ini_is_the_projects() -> None:
    assert ALEMBIC_INI == PROJECT_ROOT / "alembic.ini"
    assert ALEMBIC_INI.exists()


def test_a_fresh_sqlite_file_is_migrated_to_head(fresh_sqlite: Path) -> None:
    upgrade_on_start()
    assert fresh_sqlite.exists()
    check_at_head_without_drift()
    upgrade_on_start()  # idempotent
    check_at_head_without_drift()


def configured_db_url(**env: str) -> str:
    """rx.Config.db_url as a fresh process started in ``cwd`` sees it."""
    clean = {k: v for k, v in os.environ.items() if k != "REFLEX_DB_URL"}
    code = "from reflex_base.config import get_config; print(get_config().db_url)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]


def test_the_database_is_data_ftapp_db_unless_reflex_db_url_says_otherwise() -> None:
    assert configured_db_url() == f"sqlite:///{PROJECT_ROOT / 'data' / 'ftapp.db'}"
    other = "postgresql+psycopg://ftapp@database.example.test/ftapp"
    assert configured_db_url(REFLEX_DB_URL=other) == other


def _migrate_in_processes(url: str, count: int) -> list[subprocess.CompletedProcess[str]]:
    code = "from ftapp.database import upgrade_on_start; upgrade_on_start()"
    env = {**os.environ, "REFLEX_DB_URL": url}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", code],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return results


def test_concurrent_workers_migrate_one_after_another(fresh_sqlite: Path) -> None:
    results = _migrate_in_processes(f"sqlite:///{fresh_sqlite}", 4)
    assert [r.returncode for r in results] == [0, 0, 0, 0], [r.stderr[-2000:] for r in results]
    check_at_head_without_drift()


def test_postgresql_migrates_concurrently_and_holds_sessions(postgres_url: str) -> None:
    results = _migrate_in_processes(postgres_url, 3)
    assert [r.returncode for r in results] == [0, 0, 0], [r.stderr[-2000:] for r in results]
    with use_database(postgres_url):
        upgrade_on_start()
        check_at_head_without_drift()
        store = DbSessionStore(SessionPolicy(60, 3600))
        user_id = add_user("pg-user")

        async def round_trip() -> None:
            token = await store.create(user_id)
            identity = await store.get(token)
            assert identity is not None
            assert identity.username == "pg-user"

        asyncio.run(round_trip())
        check_workspace_tables(user_id, "pg-user")


def check_workspace_tables(user_id: int, username: str) -> None:
    """A workspace and a membership round trip; a removed account's memberships go with it
    (ON DELETE CASCADE), and so do a removed workspace's."""
    settings.use_settings(
        settings.load_settings({"FT_KEYS_SECRET": "migration-test-keys-secret-0123456789"})
    )
    try:
        store.add_workspace("Team", "https://training.example.test/api", "wsk-migration-key-1234")
        store.add_workspace("Other", "https://training.example.test/api", "wsk-migration-key-5678")
        config = store.resolve("team")
        assert config is not None
        assert config.api_key.get_secret_value() == "wsk-migration-key-1234"
        other_id = add_user("other-user")
        for slug in ("team", "other"):
            members.set_member_role(slug, user_id, Role.OPERATOR)
            members.set_member_role(slug, other_id, Role.VIEWER)
        accounts.remove_user("other-user")
        assert members.members_of("team") == [(username, Role.OPERATOR)]
        assert store.remove_workspace("other")
        assert members.roles_of(user_id) == {"team": Role.OPERATOR}
        with database.engine().connect() as connection:
            count = connection.execute(sa.text("SELECT count(*) FROM workspace_member")).scalar()
        assert count == 1
    finally:
        settings.use_settings(None)


def test_the_workspace_tables_on_sqlite(fresh_sqlite: Path) -> None:
    upgrade_on_start()
    check_workspace_tables(add_user("sqlite-user"), "sqlite-user")
