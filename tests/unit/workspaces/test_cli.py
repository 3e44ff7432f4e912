"""``ftapp workspaces ...`` in-process on a temporary app database, its keys checked against the
embedded sandbox (a key of its own configured with FT_SANDBOX_KEYS): what each action prints,
its exit status, and that no output ever holds a key."""

from __future__ import annotations

import io
import json
import sys

import pytest

from ftapp import cli, settings
from ftapp.auth import accounts
from ftapp.auth.roles import Role
from ftapp.services import connection
from ftapp.settings import EMBEDDED_BASE_URL
from ftapp.workspaces import get_workspace, list_workspaces, members_of, resolve
from tests.helpers.sign_in import FAST_HASHER
from tests.helpers.workspaces import KEYS_SECRET, NEW_KEYS_SECRET, database_bytes, holds_in_clear

TEAM_KEY = "team-key-0f1e2d3c4b5a-wxyz"
READER_KEY = "reader-key-9a8b7c6d5e4f-r3ad"
SANDBOX_KEYS = {
    TEAM_KEY: {"workspace": "team", "permissions": ["read", "create", "delete"]},
    READER_KEY: {"workspace": "team", "permissions": ["read"]},
}

pytestmark = pytest.mark.usefixtures("app_db")


class Terminal(io.StringIO):
    """A stdin that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def sandbox_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FT_SANDBOX_KEYS", json.dumps(SANDBOX_KEYS))
    monkeypatch.setattr(accounts, "_hasher", FAST_HASHER)
    connection.reset()


def run(monkeypatch: pytest.MonkeyPatch, *argv: str, stdin: str | io.StringIO = "") -> int:
    monkeypatch.setattr(
        sys, "stdin", stdin if isinstance(stdin, io.StringIO) else io.StringIO(stdin)
    )
    return cli.main(list(argv))


def add(monkeypatch: pytest.MonkeyPatch, name: str, key: str, *more: str) -> int:
    return run(
        monkeypatch,
        "workspaces",
        "add",
        name,
        "--api-url",
        EMBEDDED_BASE_URL,
        *more,
        stdin=key + "\n",
    )


def no_key_in(text: str) -> bool:
    return all(key not in text for key in (TEAM_KEY, READER_KEY, KEYS_SECRET))


def test_add_from_stdin_then_list(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert add(monkeypatch, "Team", TEAM_KEY) == 0
    out = capsys.readouterr().out
    assert out == (
        "Key check: This key may read, create and delete jobs.\n"
        "Added workspace team (Team), key ending in …wxyz.\n"
    )
    config = resolve("team")
    assert config is not None
    assert config.api_key.get_secret_value() == TEAM_KEY
    assert add(monkeypatch, "Readers", READER_KEY, "--slug", "ro") == 0
    assert capsys.readouterr().out == (
        "Key check: This key may read jobs only (not create or delete).\n"
        "Added workspace ro (Readers), key ending in …r3ad.\n"
    )
    assert run(monkeypatch, "workspaces", "list") == 0
    listed = capsys.readouterr().out
    assert [line.split() for line in listed.splitlines()] == [
        ["SLUG", "NAME", "API", "URL", "KEY", "MEMBERS"],
        ["ro", "Readers", EMBEDDED_BASE_URL, "…r3ad", "0"],
        ["team", "Team", EMBEDDED_BASE_URL, "…wxyz", "0"],
    ]
    assert no_key_in(out + listed)
    assert not holds_in_clear(TEAM_KEY, database_bytes())


def test_add_from_a_terminal_asks_without_echo(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    prompts: list[str] = []

    def getpass(prompt: str) -> str:
        prompts.append(prompt)
        return TEAM_KEY

    monkeypatch.setattr(cli.getpass, "getpass", getpass)
    argv = ("workspaces", "add", "Team", "--api-url", EMBEDDED_BASE_URL)
    assert run(monkeypatch, *argv, stdin=Terminal()) == 0
    assert prompts == ["API key: "]
    assert no_key_in(capsys.readouterr().out)


def test_a_key_the_api_refuses_is_not_stored_unless_forced(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    unknown = "unknown-key-5566778899-zzzz"
    assert add(monkeypatch, "Team", unknown) == 1
    captured = capsys.readouterr()
    assert captured.err == (
        "ftapp: The API refused this key (401 Unauthorized). "
        "Not stored (--force stores it anyway).\n"
    )
    assert captured.out == ""
    assert list_workspaces() == []
    assert add(monkeypatch, "Team", unknown, "--force") == 0
    out = capsys.readouterr().out
    assert out == (
        "Key check: The API refused this key (401 Unauthorized). Storing it anyway (--force).\n"
        "Added workspace team (Team), key ending in …zzzz.\n"
    )
    assert unknown not in out


def test_an_unreachable_api_is_not_stored_unless_forced(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.helpers.servers import free_port

    url = f"http://127.0.0.1:{free_port()}/api"
    argv = ("workspaces", "add", "Local", "--api-url", url)
    assert run(monkeypatch, *argv, stdin=TEAM_KEY) == 1
    assert capsys.readouterr().err == (
        f"ftapp: The API at {url} cannot be reached (connection refused). "
        "Not stored (--force stores it anyway).\n"
    )
    assert run(monkeypatch, *argv, "--force", stdin=TEAM_KEY) == 0
    assert get_workspace("local") is not None


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (
            ["add", "Team", "--api-url", "http://training.example.test/api"],
            TEAM_KEY,
            "The API URL must use https.",
        ),
        (["add", "", "--api-url", EMBEDDED_BASE_URL], TEAM_KEY, "A workspace needs a name."),
        (
            ["add", "Team", "--api-url", EMBEDDED_BASE_URL, "--slug", "default"],
            TEAM_KEY,
            "The slug 'default' is reserved",
        ),
        (
            ["add", "Team", "--api-url", EMBEDDED_BASE_URL],
            "",
            "No API key given (type it at the prompt, or pipe it on stdin).",
        ),
        (
            ["add", "Team", "--api-url", EMBEDDED_BASE_URL],
            "two words\n",
            "An API key must not hold spaces",
        ),
        (
            ["add", "existing", "--api-url", EMBEDDED_BASE_URL],
            TEAM_KEY,
            "A workspace named 'Existing' already exists.",
        ),
        (["rename", "absent", "Name"], "", "No workspace 'absent'."),
        (["rotate-key", "absent"], TEAM_KEY, "No workspace 'absent'."),
        (["remove", "absent"], "", "No workspace 'absent'."),
        (["members", "absent"], "", "No workspace 'absent'."),
        (["grant", "nobody", "existing", "viewer"], "", "No user named 'nobody'."),
        (["grant", "bob", "absent", "viewer"], "", "No workspace 'absent'."),
        (
            ["grant", "bob", "existing", "root"],
            "",
            "Unknown role 'root': use one of viewer, operator, admin.",
        ),
        (["revoke", "bob", "existing"], "", "bob is not a member of workspace existing."),
    ],
)
def test_bad_input_is_one_line_and_a_failure(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    stdin: str,
    message: str,
) -> None:
    assert add(monkeypatch, "Existing", TEAM_KEY) == 0
    accounts.add_local_user("bob", "correct horse battery", Role.VIEWER)
    capsys.readouterr()
    assert run(monkeypatch, "workspaces", *argv, stdin=stdin) == 1
    captured = capsys.readouterr()
    assert captured.err.startswith(f"ftapp: {message}")
    assert captured.err.count("\n") == 1
    assert captured.out == ""
    assert no_key_in(captured.err)
    assert [w.slug for w in list_workspaces()] == ["existing"]


def test_usage_errors_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    for argv in (["workspaces"], ["workspaces", "add", "Team"], ["workspaces", "grant", "bob"]):
        with pytest.raises(SystemExit) as raised:
            run(monkeypatch, *argv)
        assert raised.value.code == 2


def test_rename_rotate_key_and_remove(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert add(monkeypatch, "Team", TEAM_KEY) == 0
    before = get_workspace("team")
    assert run(monkeypatch, "workspaces", "rename", "team", "The Team") == 0
    assert run(monkeypatch, "workspaces", "rotate-key", "team", stdin=READER_KEY + "\n") == 0
    assert run(monkeypatch, "workspaces", "rotate-key", "team", stdin="bad-key-000000\n") == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines()[-3:] == [
        "Workspace team is now named The Team.",
        "Key check: This key may read jobs only (not create or delete).",
        "Workspace team has a new key ending in …r3ad (key version 2).",
    ]
    assert captured.err == (
        "ftapp: The API refused this key (401 Unauthorized). Not stored (--force stores it "
        "anyway).\n"
    )
    after = get_workspace("team")
    assert before is not None
    assert after is not None
    assert (after.name, after.key_version, after.identity) == ("The Team", 2, before.identity)
    config = resolve("team")
    assert config is not None
    assert config.api_key.get_secret_value() == READER_KEY
    assert run(monkeypatch, "workspaces", "remove", "team") == 0
    assert capsys.readouterr().out == (
        "Removed workspace team and its members (its job history stays).\n"
    )
    assert run(monkeypatch, "workspaces", "list") == 0
    assert capsys.readouterr().out == "No workspaces stored yet.\n"


def test_grant_members_and_revoke(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert add(monkeypatch, "Team", TEAM_KEY) == 0
    for name in ("bob", "alice"):
        accounts.add_local_user(name, "correct horse battery", Role.VIEWER)
    capsys.readouterr()
    assert run(monkeypatch, "workspaces", "members", "team") == 0
    assert capsys.readouterr().out == "Workspace team has no members yet.\n"
    assert run(monkeypatch, "workspaces", "grant", "BOB", "team", "operator") == 0
    assert run(monkeypatch, "workspaces", "grant", "alice", "team", "Admin") == 0
    assert run(monkeypatch, "workspaces", "grant", "bob", "team", "viewer") == 0
    assert capsys.readouterr().out == (
        "bob is operator in workspace team.\n"
        "alice is admin in workspace team.\n"
        "bob is viewer in workspace team.\n"
    )
    assert run(monkeypatch, "workspaces", "members", "team") == 0
    assert [line.split() for line in capsys.readouterr().out.splitlines()] == [
        ["USER", "ROLE"],
        ["alice", "admin"],
        ["bob", "viewer"],
    ]
    assert run(monkeypatch, "workspaces", "list") == 0
    assert capsys.readouterr().out.splitlines()[1].split()[-1] == "2"
    assert run(monkeypatch, "workspaces", "revoke", "bob", "team") == 0
    assert capsys.readouterr().out == "bob is no longer a member of workspace team.\n"
    assert members_of("team") == [("alice", Role.ADMIN)]


def test_reencrypt_after_a_secret_rotation(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert add(monkeypatch, "Team", TEAM_KEY) == 0
    assert add(monkeypatch, "Readers", READER_KEY) == 0
    monkeypatch.setenv("FT_KEYS_SECRET", NEW_KEYS_SECRET)
    settings.use_settings(None)
    capsys.readouterr()
    assert run(monkeypatch, "workspaces", "reencrypt") == 1  # the old secret is needed too
    assert "cannot be decrypted" in capsys.readouterr().err
    monkeypatch.setenv("FT_KEYS_SECRET_PREVIOUS", KEYS_SECRET)
    settings.use_settings(None)
    assert run(monkeypatch, "workspaces", "reencrypt") == 0
    assert capsys.readouterr().out == (
        "Re-encrypted 2 stored keys under the current secret; "
        "FT_KEYS_SECRET_PREVIOUS can now be dropped.\n"
    )
    monkeypatch.delenv("FT_KEYS_SECRET_PREVIOUS")
    settings.use_settings(None)
    config = resolve("team")
    assert config is not None
    assert config.api_key.get_secret_value() == TEAM_KEY


def test_no_secret_with_a_hosted_api_stops_before_asking_for_the_key(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("FT_KEYS_SECRET")
    monkeypatch.setenv("FT_API_BASE_URL", "https://api.example.test/api")
    monkeypatch.setenv("FT_API_KEY", "sk-unit-hosted-1234")
    settings.use_settings(None)
    stdin = io.StringIO(TEAM_KEY + "\n")
    argv = ("workspaces", "add", "Team", "--api-url", "https://training.example.test/api")
    assert run(monkeypatch, *argv, stdin=stdin) == 1
    assert capsys.readouterr().err.startswith("ftapp: No key-encryption secret: set FT_KEYS_SECRET")
    assert stdin.read() == TEAM_KEY + "\n"  # the key was never read
