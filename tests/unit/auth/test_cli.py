"""``ftapp users add|list|remove|disable|enable``: in-process with a temporary database, and
once as a real process on a database that does not exist yet (a fresh clone)."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
from collections.abc import Awaitable
from pathlib import Path
from typing import TypeVar

import pytest
from reflex_base.config import reload_config

from ftapp import cli, database, settings
from ftapp.auth import accounts, sessions
from ftapp.auth.redis_sessions import RedisSessionStore
from ftapp.auth.roles import Role
from ftapp.auth.sessions import session_store
from ftapp.settings import PROJECT_ROOT
from tests.unit.auth.helpers import PASSWORD, add_user

T = TypeVar("T")


class Terminal(io.StringIO):
    """A stdin that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def run(
    argv: list[str], stdin: io.StringIO | None = None, monkeypatch: pytest.MonkeyPatch | None = None
) -> int:
    assert monkeypatch is not None
    monkeypatch.setattr(sys, "stdin", stdin or io.StringIO(""))
    return cli.main(argv)


def test_add_from_stdin_list_and_remove(
    app_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        run(
            ["users", "add", "Bob", "--role", "operator"], io.StringIO(PASSWORD + "\n"), monkeypatch
        )
        == 0
    )
    assert capsys.readouterr().out == "Added bob (operator).\n"
    assert accounts.authenticate("bob", PASSWORD) is not None
    accounts.provision_sso_user("https://login.example.test", "s1", ["alice"], Role.ADMIN)
    assert run(["users", "list"], monkeypatch=monkeypatch) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0].split() == ["NAME", "ROLE", "KIND", "CREATED"]
    assert listed[1].split()[:3] == ["alice", "admin", "SSO"]
    assert listed[2].split()[:3] == ["bob", "operator", "local"]
    assert listed[2].endswith("UTC")
    assert "argon2" not in "\n".join(listed)
    assert run(["users", "remove", "BOB"], monkeypatch=monkeypatch) == 0
    assert capsys.readouterr().out == "Removed bob; their sessions ended.\n"
    assert [a.username for a in accounts.list_accounts()] == ["alice"]


def test_add_from_a_terminal_asks_twice(
    app_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt: next(answers))
    assert run(["users", "add", "carol", "--role", "admin"], Terminal(), monkeypatch) == 0
    assert accounts.authenticate("carol", PASSWORD) is not None
    answers = iter([PASSWORD, PASSWORD + "x"])
    assert run(["users", "add", "dave", "--role", "admin"], Terminal(), monkeypatch) == 1
    assert capsys.readouterr().err == "ftapp: The passwords do not match.\n"


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (
            ["users", "add", "bob", "--role", "root"],
            PASSWORD,
            "Unknown role 'root': use one of viewer, operator, admin.",
        ),
        (
            ["users", "add", "bob", "--role", "viewer"],
            "short\n",
            "The password must be at least 8 characters.",
        ),
        (
            ["users", "add", "bob", "--role", "viewer"],
            "",
            "No password given (type it at the prompt, or pipe it on stdin).",
        ),
        (
            ["users", "add", "bob", "--role", "viewer"],
            "\n",
            "No password given (type it at the prompt, or pipe it on stdin).",
        ),
        (
            ["users", "add", "existing", "--role", "viewer"],
            PASSWORD,
            "A user named 'existing' already exists.",
        ),
        (
            ["users", "add", "bad name", "--role", "viewer"],
            PASSWORD,
            "A username is 1 to 64 characters: letters, digits and . _ @ + - "
            "(starting with a letter or digit).",
        ),
        (["users", "remove", "nobody"], "", "No user named 'nobody'."),
        (["users", "disable", "Nobody"], "", "No user named 'nobody'."),
        (["users", "enable", "nobody"], "", "No user named 'nobody'."),
    ],
)
def test_bad_input_is_one_line_and_a_failure(
    app_db: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    stdin: str,
    message: str,
) -> None:
    add_user("existing")
    assert run(argv, io.StringIO(stdin), monkeypatch) == 1
    captured = capsys.readouterr()
    assert captured.err == f"ftapp: {message}\n"
    assert captured.out == ""


def test_usage_errors_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    for argv in (["users"], ["users", "add", "bob"], ["users", "disable"], ["groups", "list"], []):
        with pytest.raises(SystemExit) as raised:
            run(argv, monkeypatch=monkeypatch)
        assert raised.value.code == 2


async def test_remove_ends_the_users_sessions(app_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    user_id = add_user("bob")
    token = await session_store().create(user_id)
    assert await session_store().get(token) is not None
    assert run(["users", "remove", "bob"], monkeypatch=monkeypatch) == 0
    assert await session_store().get(token) is None


async def test_disable_ends_the_sessions_and_every_way_in_until_enabled(
    app_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bob_id = add_user("bob")
    bob_session = await session_store().create(bob_id)
    sso = ("https://login.example.test", "alice-subject")
    alice = accounts.provision_sso_user(*sso, ["alice"], Role.ADMIN)
    assert alice is not None
    assert alice.id is not None
    alice_session = await session_store().create(alice.id)

    assert run(["users", "disable", "BOB"], monkeypatch=monkeypatch) == 0
    assert run(["users", "disable", "alice"], monkeypatch=monkeypatch) == 0
    assert capsys.readouterr().out == (
        "Disabled bob; their sessions ended.\nDisabled alice; their sessions ended.\n"
    )
    assert await session_store().get(bob_session) is None
    assert await session_store().get(alice_session) is None
    assert accounts.authenticate("bob", PASSWORD) is None
    assert accounts.provision_sso_user(*sso, ["alice"], Role.ADMIN) is None  # not made again
    assert run(["users", "list"], monkeypatch=monkeypatch) == 0
    listed = [line.split()[:3] for line in capsys.readouterr().out.splitlines()[1:]]
    assert listed == [["alice", "(disabled)", "admin"], ["bob", "(disabled)", "operator"]]

    assert run(["users", "enable", "bob"], monkeypatch=monkeypatch) == 0
    assert run(["users", "enable", "alice"], monkeypatch=monkeypatch) == 0
    assert capsys.readouterr().out == "Enabled bob.\nEnabled alice.\n"
    assert accounts.authenticate("bob", PASSWORD) is not None
    again = accounts.provision_sso_user(*sso, ["alice"], Role.ADMIN)
    assert again is not None
    assert again.id == alice.id
    assert await session_store().get(bob_session) is None  # ended sessions stay ended
    assert await session_store().get(alice_session) is None
    assert [(a.username, a.disabled) for a in accounts.list_accounts()] == [
        ("alice", False),
        ("bob", False),
    ]


def test_disable_ends_redis_sessions_too(
    app_db: str, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REFLEX_REDIS_URL", redis_url)
    settings.use_settings(None)  # read the environment again, as a new process would
    reload_config()
    sessions.use_session_store(None)
    redis_store = session_store()
    assert isinstance(redis_store, RedisSessionStore)

    async def closing(call: Awaitable[T]) -> T:
        try:
            return await call
        finally:
            await redis_store.close()

    try:
        token = asyncio.run(closing(redis_store.create(add_user("bob"))))
        assert run(["users", "disable", "bob"], monkeypatch=monkeypatch) == 0
        accounts.enable_user("bob")  # the account may sign in again, the session may not
        assert asyncio.run(closing(redis_store.get(token))) is None
    finally:
        monkeypatch.delenv("REFLEX_REDIS_URL")
        settings.use_settings(None)
        reload_config()
        sessions.use_session_store(None)


def test_it_works_from_any_directory(
    app_db: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run(["users", "list"], monkeypatch=monkeypatch) == 0
    assert Path.cwd() == tmp_path


def test_a_fresh_clone_as_a_real_process(tmp_path: Path) -> None:
    db_file = tmp_path / "never-started" / "ftapp.db"
    env = {**os.environ, "REFLEX_DB_URL": f"sqlite:///{db_file}"}

    def ftapp(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "ftapp.cli", *args],
            cwd=tmp_path,  # not the project root
            env={**env, "PYTHONPATH": str(PROJECT_ROOT)},
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )

    added = ftapp("users", "add", "bob", "--role", "operator", stdin=f"{PASSWORD}\n")
    assert (added.returncode, added.stdout, added.stderr) == (0, "Added bob (operator).\n", "")
    assert db_file.exists()
    again = ftapp("users", "add", "bob", "--role", "operator", stdin=f"{PASSWORD}\n")
    assert (again.returncode, again.stderr) == (1, "ftapp: A user named 'bob' already exists.\n")
    listed = ftapp("users", "list")
    assert listed.returncode == 0
    assert listed.stdout.splitlines()[1].split()[:3] == ["bob", "operator", "local"]
    database.dispose_engines()
