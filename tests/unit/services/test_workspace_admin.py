"""Managing the stored workspaces through the services, on the real embedded sandbox: only an
admin of ftapp may; a key is asked of its API before it is stored (a refused key stores
nothing, or keeps the old one); each change takes effect in this process at once and is a
line of the default workspace's activity log, never with the key; an app database that is
away is a message."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
import sqlalchemy as sa

from ftapp import database, services
from ftapp.auth import accounts
from ftapp.auth.roles import Identity, Role
from ftapp.models import Activity
from ftapp.services import activity, connection
from ftapp.services.job_records import DATABASE_AWAY
from ftapp.settings import EMBEDDED_BASE_URL
from ftapp.workspaces import members, store
from ftapp.workspaces.keycheck import REFUSED
from tests.helpers.people import ADMIN, OPERATOR, VIEWER
from tests.helpers.workspaces import (
    embedded_workspaces,  # noqa: F401  (a fixture)
)

pytestmark = pytest.mark.usefixtures("app_db", "embedded_workspaces")

OTHER_KEY = "sandbox-other-key"  # the sandbox's workspace "other", every permission
READONLY_KEY = "sandbox-readonly-key"  # the demo workspace, read only
WRONG_KEY = "nope-not-a-key-1234"
ALL_PERMISSIONS = "This key may read, create and delete jobs."
READ_ONLY = "This key may read jobs only (not create or delete)."


async def added(name: str = "Team B", key: str = OTHER_KEY) -> services.AdminOutcome:
    outcome = await services.add_workspace(ADMIN, name, EMBEDDED_BASE_URL, key)
    assert outcome.done, outcome.message
    return outcome


async def log_details() -> list[tuple[str, str, str, str]]:
    """The default workspace's activity log, oldest first: (who, role, action, detail)."""
    await activity.flush()
    entries, _ = await activity.recent(1, 50)
    return [(e.username, e.role, e.action, e.detail) for e in reversed(entries)]


def every_activity_text() -> str:
    with database.session() as session:
        rows = session.exec(sa.select(Activity)).all()  # type: ignore[call-overload]
    return repr([tuple(row) for row in rows])


# --- who may --------------------------------------------------------------------------------


def every_change(slug: str) -> list[Any]:
    return [
        lambda who: services.add_workspace(who, "Team C", EMBEDDED_BASE_URL, OTHER_KEY),
        lambda who: services.rotate_workspace_key(who, slug, READONLY_KEY),
        lambda who: services.rename_workspace(who, slug, "Renamed"),
        lambda who: services.remove_workspace(who, slug),
        lambda who: services.set_workspace_member(who, slug, "ada", "viewer"),
        lambda who: services.remove_workspace_member(who, slug, "ada"),
    ]


@pytest.mark.parametrize("who", [VIEWER, OPERATOR, None], ids=["viewer", "operator", "nobody"])
async def test_only_an_admin_of_ftapp_manages_workspaces(who: Identity | None) -> None:
    team = await added()
    expected = "Sign in to continue." if who is None else "Only admins of ftapp manage workspaces."
    listing = await services.list_workspaces(who)
    assert (listing.refusal, listing.stored, listing.default) == (expected, [], None)
    members = await services.workspace_members(who, team.slug)
    assert (members.refusal, members.members) == (expected, [])
    for change in every_change(team.slug):
        outcome = await change(who)
        assert (outcome.done, outcome.message) == (False, expected)
    assert [(w.name, w.key_version) for w in store.list_workspaces()] == [("Team B", 1)]


async def test_an_operator_in_a_workspace_is_still_no_admin_of_ftapp() -> None:
    team = await added()
    there = OPERATOR.in_workspace(team.slug, Role.ADMIN)  # admin there, operator at home
    outcome = await services.remove_workspace(there, team.slug)
    assert not outcome.done
    assert store.get_workspace(team.slug) is not None


# --- adding ---------------------------------------------------------------------------------


async def test_a_good_key_adds_the_workspace_and_it_is_reachable_at_once() -> None:
    outcome = await services.add_workspace(ADMIN, " Team B ", EMBEDDED_BASE_URL + "/", OTHER_KEY)
    assert outcome.done
    assert (outcome.check, outcome.check_works, outcome.slug) == (ALL_PERMISSIONS, True, "team-b")
    assert outcome.message == "Added workspace Team B (team-b)."

    listing = await services.list_workspaces(ADMIN)
    assert listing.refusal == ""
    assert listing.stored == [
        services.WorkspaceListing("team-b", "Team B", EMBEDDED_BASE_URL, "-key", 0)
    ]
    assert listing.default is not None
    assert (listing.default.slug, listing.default.key_end) == ("default", "")
    assert listing.embedded_url == EMBEDDED_BASE_URL
    assert (await connection.upstream("team-b").list_jobs()).jobs == []  # workspace "other"
    assert OTHER_KEY not in repr(outcome) + repr(listing)


async def test_a_refused_key_stores_nothing() -> None:
    outcome = await services.add_workspace(ADMIN, "Team B", EMBEDDED_BASE_URL, WRONG_KEY)
    assert not outcome.done
    assert (outcome.check, outcome.check_works) == (REFUSED, False)
    assert outcome.message == f"{REFUSED} Nothing was added."
    assert store.list_workspaces() == []
    assert WRONG_KEY not in repr(outcome)


async def test_each_wrong_field_is_said_under_it_and_no_key_is_asked() -> None:
    outcome = await services.add_workspace(ADMIN, "  ", "ftp://example.com/api", "a key")
    assert not outcome.done
    assert set(outcome.errors) == {"name", "api_url", "key"}
    assert outcome.errors["name"] == "A workspace needs a name."
    assert "https URL" in outcome.errors["api_url"]
    assert "spaces" in outcome.errors["key"]
    assert outcome.check == ""
    too_long = await services.add_workspace(ADMIN, "Team", EMBEDDED_BASE_URL, "k" * 513)
    assert too_long.errors == {"key": "An API key is at most 512 characters."}
    assert store.list_workspaces() == []


async def test_a_plain_http_url_elsewhere_is_refused() -> None:
    outcome = await services.add_workspace(
        ADMIN, "Team", "http://training.example.com/api", OTHER_KEY
    )
    assert list(outcome.errors) == ["api_url"]
    assert "must use https" in outcome.errors["api_url"]


async def test_a_taken_name_in_any_case_is_refused() -> None:
    await added()
    outcome = await services.add_workspace(ADMIN, "team b", EMBEDDED_BASE_URL, OTHER_KEY)
    assert outcome.errors == {"name": "A workspace named 'Team B' already exists."}
    assert len(store.list_workspaces()) == 1


async def test_an_unreachable_api_is_said_and_nothing_is_stored() -> None:
    outcome = await services.add_workspace(ADMIN, "Team", "http://127.0.0.1:9/api", OTHER_KEY)
    assert not outcome.done
    assert "cannot be reached" in outcome.check
    assert store.list_workspaces() == []


# --- a new key, a new name, removal ---------------------------------------------------------


async def test_a_new_key_is_checked_and_used_at_once() -> None:
    team = await added()
    assert (await connection.upstream(team.slug).list_jobs()).jobs == []
    outcome = await services.rotate_workspace_key(ADMIN, team.slug, READONLY_KEY)
    assert outcome.done, outcome.message
    assert (outcome.check, outcome.message) == (READ_ONLY, "Team B has a new key (key …-key).")
    assert store.get_workspace(team.slug).key_version == 2  # type: ignore[union-attr]
    # Not within RESOLVE_SECONDS: this process uses the new key now (the demo's six jobs).
    assert len((await connection.upstream(team.slug).list_jobs()).jobs) == 6


async def test_a_refused_new_key_keeps_the_old_one() -> None:
    team = await added()
    outcome = await services.rotate_workspace_key(ADMIN, team.slug, WRONG_KEY)
    assert not outcome.done
    assert outcome.message == f"{REFUSED} The old key is kept."
    config = store.resolve(team.slug)
    assert config is not None
    assert (config.api_key.get_secret_value(), config.key_version) == (OTHER_KEY, 1)
    empty = await services.rotate_workspace_key(ADMIN, team.slug, "")
    assert empty.errors == {"key": "No API key given."}


async def test_the_environments_workspace_cannot_be_changed_here() -> None:
    for outcome in [
        await services.rotate_workspace_key(ADMIN, "default", OTHER_KEY),
        await services.rename_workspace(ADMIN, "default", "Mine"),
        await services.remove_workspace(ADMIN, "default"),
        await services.set_workspace_member(ADMIN, "default", "ada", "viewer"),
    ]:
        assert not outcome.done
        assert outcome.message.startswith("There is no workspace 'default'")


async def test_a_rename_keeps_the_slug_and_is_seen_at_once() -> None:
    team = await added()
    await connection.resolve(team.slug)
    outcome = await services.rename_workspace(ADMIN, team.slug, "Research")
    assert (outcome.done, outcome.message) == (True, "Team B is now named Research.")
    assert connection.resolved(team.slug).name == "Research"
    await added("Other", OTHER_KEY)
    taken = await services.rename_workspace(ADMIN, team.slug, "other")
    assert taken.errors == {"name": "A workspace named 'Other' already exists."}
    empty = await services.rename_workspace(ADMIN, team.slug, " ")
    assert empty.errors == {"name": "A workspace needs a name."}


async def test_a_removed_workspace_is_gone_here_at_once() -> None:
    team = await added()
    await connection.resolve(team.slug)
    outcome = await services.remove_workspace(ADMIN, team.slug)
    assert (outcome.done, outcome.message) == (
        True,
        "Removed Team B. Its job history records are kept.",
    )
    assert await connection.resolve(team.slug) is None  # not within RESOLVE_SECONDS
    with pytest.raises(services.WorkspaceRemoved):
        connection.resolved(team.slug)
    again = await services.remove_workspace(ADMIN, team.slug)
    assert not again.done
    assert "There is no workspace 'team-b'" in again.message


# --- members --------------------------------------------------------------------------------


async def test_members_are_added_changed_listed_and_removed() -> None:
    team = await added()
    accounts.add_local_user("bob", "correct horse battery", Role.VIEWER)
    accounts.add_local_user("cy", "correct horse battery", Role.VIEWER)

    outcome = await services.set_workspace_member(ADMIN, team.slug, " Bob ", "operator")
    assert (outcome.done, outcome.message) == (True, "bob is operator in Team B.")
    await services.set_workspace_member(ADMIN, team.slug, "cy", "viewer")
    await services.set_workspace_member(ADMIN, team.slug, "cy", "admin")
    members = await services.workspace_members(ADMIN, team.slug)
    assert members.members == [
        services.Member("bob", Role.OPERATOR),
        services.Member("cy", Role.ADMIN),
    ]
    assert (await services.list_workspaces(ADMIN)).stored[0].members == 2

    removed = await services.remove_workspace_member(ADMIN, team.slug, "bob")
    assert (removed.done, removed.message) == (True, "bob is no longer a member of Team B.")
    again = await services.remove_workspace_member(ADMIN, team.slug, "bob")
    assert again.errors == {"user": "bob is not a member of Team B."}
    assert [m.username for m in (await services.workspace_members(ADMIN, team.slug)).members] == [
        "cy"
    ]


@pytest.mark.parametrize(
    ("username", "role", "errors"),
    [
        ("nobody", "viewer", {"user": "There is no account named 'nobody'."}),
        ("", "viewer", {"user": "There is no account named ''."}),
        ("x" * 1000, "viewer", {"user": f"There is no account named '{'x' * 64}… [1000 chars]'."}),
        ("bob", "owner", {"role": "Choose a role: viewer, operator, admin."}),
    ],
)
async def test_a_member_must_be_an_account_with_a_role(
    username: str, role: str, errors: dict[str, str]
) -> None:
    team = await added()
    accounts.add_local_user("bob", "correct horse battery", Role.VIEWER)
    outcome = await services.set_workspace_member(ADMIN, team.slug, username, role)
    assert (outcome.done, outcome.errors) == (False, errors)
    assert members.members_of(team.slug) == []


# --- the activity log, the database away ----------------------------------------------------


async def test_each_change_is_logged_in_the_default_workspace_without_the_key() -> None:
    team = await added()
    accounts.add_local_user("bob", "correct horse battery", Role.VIEWER)
    await services.add_workspace(ADMIN, "Refused", EMBEDDED_BASE_URL, WRONG_KEY)  # no change
    await services.rotate_workspace_key(ADMIN, team.slug, READONLY_KEY)
    await services.rename_workspace(ADMIN, team.slug, "Research")
    await services.set_workspace_member(ADMIN, team.slug, "bob", "operator")
    await services.remove_workspace_member(ADMIN, team.slug, "bob")
    await services.remove_workspace(ADMIN, team.slug)

    assert await log_details() == [
        ("ada", "admin", "workspace", "added Team B (team-b, key …-key)"),
        ("ada", "admin", "workspace", "new key for Team B (team-b, key …-key, version 2)"),
        ("ada", "admin", "workspace", "renamed Team B (team-b) to Research"),
        ("ada", "admin", "member", "bob is operator in Research (team-b)"),
        ("ada", "admin", "member", "bob is no longer a member of Research (team-b)"),
        ("ada", "admin", "workspace", "removed Research (team-b); its history records are kept"),
    ]
    logged = every_activity_text()
    for key in (OTHER_KEY, READONLY_KEY, WRONG_KEY):
        assert key not in logged


async def test_a_database_away_is_a_message_not_a_crash(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    team = await added()

    async def locked(*_args: object) -> None:
        raise sa.exc.OperationalError("SELECT", {}, sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr(database, "in_thread", locked)
    assert (await services.list_workspaces(ADMIN)).refusal == DATABASE_AWAY
    assert (await services.workspace_members(ADMIN, team.slug)).refusal == DATABASE_AWAY
    for change in every_change(team.slug):
        outcome = await change(ADMIN)
        assert (outcome.done, outcome.message) == (False, DATABASE_AWAY)
    assert "The stored workspaces could not be read or changed: OperationalError" in caplog.text


async def test_without_a_secret_for_a_hosted_api_nothing_is_stored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FT_API_BASE_URL", "https://training.example.test/api")
    monkeypatch.setenv("FT_API_KEY", "the-servers-own-key-0000")
    monkeypatch.delenv("FT_KEYS_SECRET")
    connection.reset()
    outcome = await services.add_workspace(
        ADMIN, "Team", "https://other.example.test/api", OTHER_KEY
    )
    assert not outcome.done
    assert "No key-encryption secret: set FT_KEYS_SECRET" in outcome.message
    assert outcome.check == ""  # said before the key is sent anywhere
    assert store.list_workspaces() == []
    listing = await services.list_workspaces(ADMIN)
    assert listing.embedded_url == ""
