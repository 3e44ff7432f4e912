"""The workspaces' admin page's State: the workspaces as listed, the Add form's messages, and
the dialog open on one workspace (rename, new key, members, remove).

An API key arrives only as an event's argument, goes straight to the services and is never
kept here: a State var is sent to the browser (and, on Redis, stored). Every handler asks the
services, which refuse anyone but an admin of ftapp.
"""

from __future__ import annotations

import dataclasses
from typing import Literal

import reflex as rx

from ftapp import services
from ftapp.pages.browser_events import focus, focus_by_attribute, toast
from ftapp.pages.workspace_state import WorkspaceState

Dialog = Literal["rename", "rotate", "members", "remove"]
DIALOGS: tuple[Dialog, ...] = ("rename", "rotate", "members", "remove")
OPENER = "data-opener"
"""The attribute naming the button that opens a dialog (``rename:<slug>``): the focus goes
back there when the dialog closes."""
ADD_FORM_FIELDS = ("add-name", "add-key")
"""The Add form's fields cleared after an add (the URL stays, for the next one)."""
ADD_HEADING = "add-workspace-heading"
MEMBER_USERNAME = "member-username"
_ADD_FIELD_IDS = {"name": "add-name", "api_url": "add-url", "key": "add-key"}


@dataclasses.dataclass
class WorkspaceRow:
    """A workspace as the table shows it (never its key: only its end)."""

    slug: str = ""
    name: str = ""
    api_base_url: str = ""
    key_text: str = ""
    members_text: str = ""


@dataclasses.dataclass
class MemberRow:
    """A member of the workspace whose members are shown."""

    username: str = ""
    role: str = ""


def members_text(count: int) -> str:
    """E.g. "2 members"."""
    if count == 0:
        return "No members"
    return "1 member" if count == 1 else f"{count} members"


def workspace_row(listing: services.WorkspaceListing) -> WorkspaceRow:
    """The row of a stored workspace."""
    key_text = f"key …{listing.key_end}" if listing.key_end else "key (too short to show)"
    return WorkspaceRow(
        listing.slug, listing.name, listing.api_base_url, key_text, members_text(listing.members)
    )


class AdminWorkspacesState(WorkspaceState):
    """The stored workspaces for an admin of ftapp, or why this person may not see them."""

    refusal: str = ""
    loading: bool = True
    default_row: WorkspaceRow = WorkspaceRow()
    rows: list[WorkspaceRow] = []
    embedded_url: str = ""
    """The embedded sandbox's URL while the app runs it: the Add form's URL starts there."""
    # The Add form
    name_error: str = ""
    url_error: str = ""
    key_error: str = ""
    add_message: str = ""
    """Why nothing was added ("" after an add, or before any)."""
    add_check: str = ""
    """What the last key added may do."""
    adding: bool = False
    # The dialog open on one workspace
    dialog: str = ""
    dialog_slug: str = ""
    dialog_name: str = ""
    dialog_url: str = ""
    dialog_busy: bool = False
    dialog_error: str = ""
    field_error: str = ""
    """Under the dialog's field: the new name, the key, or the member's username."""
    dialog_check: str = ""
    """What the new key may do, once stored."""
    members: list[MemberRow] = []

    @rx.event
    async def open_page(self):
        """on_load: who is asking, then the workspaces (nothing at all for others)."""
        await self._open_ftapp_page()
        await self._load()

    async def _load(self) -> None:
        listing = await services.list_workspaces(await self._account())
        self.loading = False
        self.refusal = listing.refusal
        if listing.refusal:
            self.rows, self.default_row, self.embedded_url = [], WorkspaceRow(), ""
            return
        if listing.default is not None:
            self.default_row = WorkspaceRow(
                listing.default.slug, listing.default.name, listing.default.api_base_url
            )
        self.rows = [workspace_row(stored) for stored in listing.stored]
        self.embedded_url = listing.embedded_url

    @rx.event
    async def add_workspace(self, name: str, api_url: str, key: str):
        """The Add form: ask the key's API, then store the workspace (or say why not)."""
        self.adding = True
        self.add_message = self.add_check = ""
        yield
        outcome = await services.add_workspace(await self._account(), name, api_url, key)
        self.adding = False
        self.name_error = outcome.errors.get("name", "")
        self.url_error = outcome.errors.get("api_url", "")
        self.key_error = outcome.errors.get("key", "")
        if not outcome.done:
            self.add_message = outcome.message
            yield focus(_first_invalid(outcome.errors))
            return
        self.add_check = outcome.check
        await self._load()
        yield [toast(services.Level.SUCCESS, outcome.message)] + [
            rx.set_value(field_id, "") for field_id in ADD_FORM_FIELDS
        ]

    @rx.event
    async def open_dialog(self, kind: str, slug: str):
        """Open the ``kind`` dialog (rename, rotate, members, remove) on workspace ``slug``."""
        row = next((row for row in self.rows if row.slug == slug), None)
        if kind not in DIALOGS or row is None:
            return
        self._close_dialog()
        self.dialog, self.dialog_slug = kind, row.slug
        self.dialog_name, self.dialog_url = row.name, row.api_base_url
        if kind == "members":
            await self._load_members()

    @rx.event
    def set_dialog_open(self, is_open: bool):
        """The dialog closed (Cancel, Close, Escape): the focus goes back to its button."""
        if is_open or not self.dialog:
            return None
        opener = f"{self.dialog}:{self.dialog_slug}"
        self._close_dialog()
        return focus_by_attribute(OPENER, opener)

    def _close_dialog(self) -> None:
        self.dialog = self.dialog_slug = self.dialog_name = self.dialog_url = ""
        self.dialog_error = self.field_error = self.dialog_check = ""
        self.dialog_busy = False
        self.members = []

    @rx.event
    async def rename_workspace(self, name: str):
        """The Rename dialog's new name."""
        if self.dialog != "rename":
            return None
        outcome = await services.rename_workspace(await self._account(), self.dialog_slug, name)
        if not outcome.done:
            self._show_failure(outcome, "name")
            return None
        opener = f"rename:{self.dialog_slug}"
        self._close_dialog()
        await self._load()
        return [toast(services.Level.SUCCESS, outcome.message), focus_by_attribute(OPENER, opener)]

    @rx.event
    async def rotate_key(self, key: str):
        """The New key dialog's key: asked of the workspace's API, stored only if it works."""
        if self.dialog != "rotate":
            return
        self.dialog_busy = True
        self.dialog_error = self.field_error = self.dialog_check = ""
        yield
        outcome = await services.rotate_workspace_key(await self._account(), self.dialog_slug, key)
        self.dialog_busy = False
        if not outcome.done:
            self._show_failure(outcome, "key")
            return
        self.dialog_check = outcome.check
        await self._load()
        yield toast(services.Level.SUCCESS, outcome.message)

    async def _load_members(self) -> None:
        result = await services.workspace_members(await self._account(), self.dialog_slug)
        self.dialog_error = result.refusal
        self.members = [MemberRow(m.username, m.role.value) for m in result.members]

    @rx.event
    async def add_member(self, username: str, role: str):
        """The Members dialog's form: make an account a member with a role (or change it)."""
        if self.dialog != "members":
            return None
        outcome = await services.set_workspace_member(
            await self._account(), self.dialog_slug, username, role
        )
        return await self._after_member_change(outcome, clear_username=True)

    @rx.event
    async def remove_member(self, username: str):
        """A member's Remove button in the Members dialog."""
        if self.dialog != "members":
            return None
        outcome = await services.remove_workspace_member(
            await self._account(), self.dialog_slug, username
        )
        return await self._after_member_change(outcome, clear_username=False)

    async def _after_member_change(self, outcome: services.AdminOutcome, *, clear_username: bool):
        if not outcome.done:
            self._show_failure(outcome, "user")
            return focus(MEMBER_USERNAME) if "user" in outcome.errors else None
        self.dialog_error = self.field_error = ""
        await self._load_members()
        await self._load()
        events = [toast(services.Level.SUCCESS, outcome.message)]
        if clear_username:
            events.append(rx.set_value(MEMBER_USERNAME, ""))
        return events

    @rx.event
    async def remove_workspace(self):
        """The Remove dialog's Remove: forget the workspace (its history records stay)."""
        if self.dialog != "remove":
            return None
        outcome = await services.remove_workspace(await self._account(), self.dialog_slug)
        if not outcome.done:
            self._show_failure(outcome, "")
            return None
        self._close_dialog()
        await self._load()
        return [toast(services.Level.SUCCESS, outcome.message), focus(ADD_HEADING)]

    def _show_failure(self, outcome: services.AdminOutcome, field: str) -> None:
        """The dialog's field message when the field was wrong, else its callout."""
        self.field_error = outcome.errors.get(field, "")
        self.dialog_error = "" if self.field_error else outcome.message


def _first_invalid(errors: dict[str, str]) -> str:
    """The Add form's first field with a message (else its key field, to try another)."""
    return next((_ADD_FIELD_IDS[name] for name in _ADD_FIELD_IDS if name in errors), "add-key")
