"""The workspaces' admin page's State, driven directly on the embedded sandbox: nothing for
anyone but an admin of ftapp, the table and the Add form's messages, the dialogs' actions,
and never an API key among the vars (they are sent to the browser) or the events."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from ftapp.auth import accounts
from ftapp.auth.roles import Identity, Role
from ftapp.pages.admin_workspaces.state import AdminWorkspacesState, MemberRow
from ftapp.settings import EMBEDDED_BASE_URL
from tests.helpers.workspaces import (
    embedded_workspaces,  # noqa: F401  (a fixture)
)

OTHER_KEY = "sandbox-other-key"
READONLY_KEY = "sandbox-readonly-key"
WRONG_KEY = "nope-not-a-key-1234"

pytestmark = pytest.mark.usefixtures("embedded_workspaces")


@pytest.fixture
def admin(signed_in: Callable[..., Identity]) -> Identity:
    return signed_in("admin", "ada")


async def run(handler: Any) -> list[Any]:
    """Every event a handler returned or yielded (a generator's, or a coroutine's)."""
    if hasattr(handler, "__anext__"):
        events = [event async for event in handler]
    else:
        events = [await handler]
    flat: list[Any] = []
    for event in events:
        flat.extend(event if isinstance(event, list) else [event])
    return [event for event in flat if event is not None]


def everything(state: AdminWorkspacesState, events: list[Any]) -> str:
    """What the browser could be sent: the State's vars and the events."""
    return json.dumps(state.dict(), default=str, ensure_ascii=False) + repr(events)


async def opened() -> AdminWorkspacesState:
    state = AdminWorkspacesState()
    await state.open_page()
    return state


@pytest.mark.parametrize("role", ["viewer", "operator"])
async def test_others_are_told_and_sent_nothing(
    signed_in: Callable[..., Identity], role: str
) -> None:
    admin_state = AdminWorkspacesState()
    signed_in("admin", "ada")
    await run(admin_state.add_workspace("Team B", EMBEDDED_BASE_URL, OTHER_KEY))

    signed_in(role, "vera")
    state = await opened()
    assert state.refusal == "Only admins of ftapp manage workspaces."
    assert (state.rows, state.embedded_url, state.default_row.name) == ([], "", "")
    assert not state.may_manage_workspaces
    assert "Team B" not in everything(state, [])
    await state.open_dialog("rename", "team-b")
    assert state.dialog == ""  # only a listed workspace's dialog opens
    await run(state.add_workspace("Team C", EMBEDDED_BASE_URL, OTHER_KEY))
    assert state.add_message == "Only admins of ftapp manage workspaces."


async def test_an_admin_sees_the_environments_workspace_first(admin: Identity) -> None:
    state = await opened()
    assert state.refusal == ""
    assert state.may_manage_workspaces
    assert (state.default_row.slug, state.default_row.api_base_url) == (
        "default",
        EMBEDDED_BASE_URL,
    )
    assert state.rows == []
    assert state.embedded_url == EMBEDDED_BASE_URL


async def test_an_added_workspace_is_listed_and_its_key_is_nowhere(admin: Identity) -> None:
    state = await opened()
    events = await run(state.add_workspace("Team B", EMBEDDED_BASE_URL, OTHER_KEY))
    assert state.add_check == "This key may read, create and delete jobs."
    assert (state.add_message, state.name_error, state.key_error, state.adding) == (
        "",
        "",
        "",
        False,
    )
    assert [(row.name, row.slug, row.key_text, row.members_text) for row in state.rows] == [
        ("Team B", "team-b", "key …-key", "No members")
    ]
    assert "Added workspace Team B (team-b)." in repr(events)
    shown = everything(state, events)
    assert "key …-key" in shown  # what the browser is sent holds the rows...
    assert OTHER_KEY not in shown  # ...and never the key


async def test_a_refused_key_is_said_and_nothing_is_listed(admin: Identity) -> None:
    state = await opened()
    events = await run(state.add_workspace("Team B", EMBEDDED_BASE_URL, WRONG_KEY))
    assert state.add_message == "The API refused this key (401 Unauthorized). Nothing was added."
    assert (state.add_check, state.rows) == ("", [])
    assert WRONG_KEY not in everything(state, events)


async def test_wrong_fields_are_said_under_them(admin: Identity) -> None:
    state = await opened()
    await run(state.add_workspace("", "ftp://x", "a b"))
    assert state.name_error == "A workspace needs a name."
    assert "https URL" in state.url_error
    assert "spaces" in state.key_error
    await run(state.add_workspace("Team B", EMBEDDED_BASE_URL, OTHER_KEY))
    assert (state.name_error, state.url_error, state.key_error) == ("", "", "")


async def test_the_dialogs_rename_rotate_and_remove(admin: Identity) -> None:
    state = await opened()
    await run(state.add_workspace("Team B", EMBEDDED_BASE_URL, OTHER_KEY))

    await state.open_dialog("rename", "team-b")
    assert (state.dialog, state.dialog_name) == ("rename", "Team B")
    await run(state.rename_workspace(" "))
    assert (state.dialog, state.field_error) == ("rename", "A workspace needs a name.")
    await run(state.rename_workspace("Research"))
    assert state.dialog == ""
    assert [row.name for row in state.rows] == ["Research"]

    await state.open_dialog("rotate", "team-b")
    events = await run(state.rotate_key(WRONG_KEY))
    assert state.dialog_error == "The API refused this key (401 Unauthorized). The old key is kept."
    events += await run(state.rotate_key(READONLY_KEY))
    assert (state.dialog_error, state.dialog_check) == (
        "",
        "This key may read jobs only (not create or delete).",
    )
    assert WRONG_KEY not in everything(state, events)
    assert READONLY_KEY not in everything(state, events)
    closing = state.set_dialog_open(False)
    assert state.dialog == ""
    assert "rotate:team-b" in repr(closing)  # the focus goes back to its button

    await state.open_dialog("remove", "team-b")
    events = await run(state.remove_workspace())
    assert (state.dialog, state.rows) == ("", [])
    assert "Removed Research. Its job history records are kept." in repr(events)


async def test_the_members_dialog(admin: Identity) -> None:
    accounts.add_local_user("bob", "correct horse battery", Role.VIEWER)
    state = await opened()
    await run(state.add_workspace("Team B", EMBEDDED_BASE_URL, OTHER_KEY))
    await state.open_dialog("members", "team-b")
    assert (state.dialog, state.members) == ("members", [])

    await run(state.add_member("nobody", "viewer"))
    assert state.field_error == "There is no account named 'nobody'."
    await run(state.add_member("bob", "operator"))
    assert state.field_error == ""
    assert state.members == [MemberRow("bob", "operator")]
    assert state.rows[0].members_text == "1 member"
    await run(state.remove_member("bob"))
    assert state.members == []
    assert state.rows[0].members_text == "No members"


async def test_crafted_dialogs_open_nothing(admin: Identity) -> None:
    state = await opened()
    await run(state.add_workspace("Team B", EMBEDDED_BASE_URL, OTHER_KEY))
    await state.open_dialog("drop-tables", "team-b")
    await state.open_dialog("remove", "default")
    assert state.dialog == ""
    assert await run(state.remove_workspace()) == []  # no dialog open: nothing happens
    assert [row.slug for row in state.rows] == ["team-b"]
