"""Managing the stored workspaces, for admins of ftapp: list them, add one (its key asked of
its API first), rename it, give it a new key, remove it, and say who is a member with which
role.

Every function takes the person acting and refuses, with a message, anyone who may not
manage workspaces (``Permission.MANAGE_WORKSPACES``, held by an admin account); nothing here
raises for a refusal, a wrong value, a key the API refuses, or an app database that is away.
A key is never kept, logged or put in a message: only its last four characters (the store's
rule). Each change is a line of the default workspace's activity log, and takes effect in
this process at once (:func:`ftapp.services.connection.reload`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ftapp import database
from ftapp.auth.accounts import normalize_username
from ftapp.auth.roles import Identity, Permission, Role, parse_role
from ftapp.guard.text import one_line
from ftapp.routes import DEFAULT_WORKSPACE
from ftapp.services import activity, connection
from ftapp.services.activity import Action, Outcome
from ftapp.services.job_records import DATABASE_AWAY
from ftapp.settings import EMBEDDED_BASE_URL, SettingsError
from ftapp.workspaces import (
    KeyCheck,
    KeyDecryptError,
    KeysSecretMissing,
    check_key,
    members,
    store,
)
from ftapp.workspaces.cipher import key_cipher
from ftapp.workspaces.store import WorkspaceSummary
from ftapp.workspaces.validation import (
    WorkspaceError,
    check_api_key,
    check_api_url,
    check_name,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

SIGN_IN = "Sign in to continue."
NOT_ADDED = "Nothing was added."
OLD_KEY_KEPT = "The old key is kept."
MAX_USERNAME = 254
"""Longer names are no account's (the accounts' column): refused before the database is
asked."""


@dataclass(frozen=True)
class WorkspaceListing:
    """A workspace as the admin page lists it: never its key, only the key's end."""

    slug: str
    name: str
    api_base_url: str
    key_end: str
    """The key's last four characters ("" for a key too short to show any, and for the
    environment's workspace, whose key is the server's)."""
    members: int


@dataclass(frozen=True)
class WorkspacesListing:
    """The environment's workspace, the stored ones by name, or why they may not be seen."""

    default: WorkspaceListing | None = None
    stored: list[WorkspaceListing] = field(default_factory=list)
    embedded_url: str = ""
    """The embedded sandbox's API URL while this app runs it ("" with a hosted API)."""
    refusal: str = ""


@dataclass(frozen=True)
class Member:
    """An account's membership of a workspace."""

    username: str
    role: Role


@dataclass(frozen=True)
class MembersResult:
    """A workspace's members by username, or why they may not be seen."""

    members: list[Member] = field(default_factory=list)
    refusal: str = ""


@dataclass(frozen=True)
class AdminOutcome:
    """What a change came to: done (``message`` says what) or not (``message`` says why,
    ``errors`` which field was wrong: ``name``, ``api_url``, ``key``, ``user``, ``role``)."""

    done: bool
    message: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    check: str = ""
    """What the key may do, or why it fails, as the API answered ("" when no key was asked)."""
    check_works: bool = False
    slug: str = ""
    """The workspace changed (the new one's, after an add)."""


class _Refused(Exception):
    """A change or a read that cannot be done now; the message is for the admin."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def refusal(actor: Identity | None) -> str:
    """Why ``actor`` may not manage workspaces ("" when they may)."""
    if actor is None:
        return SIGN_IN
    return actor.refusal(Permission.MANAGE_WORKSPACES)


async def _stored(function: Callable[..., T], *args: Any) -> T:
    """``function(*args)`` (store work) in a worker thread, as a person waits on it. An app
    database that is away or locked, or no usable key-encryption secret, raises
    :class:`_Refused` with what to tell the admin; a :class:`WorkspaceError` passes."""
    try:
        with database.person_waiting():
            return await database.in_thread(function, *args)
    except (KeysSecretMissing, KeyDecryptError, SettingsError) as error:
        raise _Refused(str(error)) from None
    except Exception as error:
        if not database.unreachable(error):
            raise
        log.warning("The stored workspaces could not be read or changed: %s", type(error).__name__)
        raise _Refused(DATABASE_AWAY) from None


def _record(actor: Identity, action: Action, detail: str) -> None:
    """A line in the default workspace's activity log, by the account (its own role), from
    the address it acted from."""
    account = actor.in_workspace(DEFAULT_WORKSPACE, actor.own_role)
    activity.record_soon(account, action, "", "", Outcome.DONE, detail)


def _key_text(key_end: str) -> str:
    return f"key …{key_end}" if key_end else "key too short to show its end"


def _no_such(slug: str) -> str:
    return f"There is no workspace {one_line(slug, 64)!r} (it may have just been removed)."


async def _check(api_base_url: str, key: str) -> KeyCheck:
    """What ``key`` may do at ``api_base_url`` (the embedded sandbox in-process)."""
    return await check_key(
        api_base_url,
        key,
        transport=connection.transport_for(api_base_url),
        timeout_seconds=connection.settings().api_timeout,
    )


def _listing(summary: WorkspaceSummary, members: int) -> WorkspaceListing:
    return WorkspaceListing(
        summary.slug, summary.name, summary.api_base_url, summary.key_last4, members
    )


def _read_all() -> tuple[list[WorkspaceSummary], dict[str, int]]:
    return store.list_workspaces(), members.member_counts()


async def list_workspaces(actor: Identity | None) -> WorkspacesListing:
    """The environment's workspace first, then the stored ones by name, with their members'
    counts."""
    if reason := refusal(actor):
        return WorkspacesListing(refusal=reason)
    try:
        summaries, counts = await _stored(_read_all)
    except _Refused as refused:
        return WorkspacesListing(refusal=refused.message)
    environment = connection.default_workspace()
    return WorkspacesListing(
        default=WorkspaceListing(
            environment.slug, environment.name, environment.api_base_url, "", 0
        ),
        stored=[_listing(summary, counts.get(summary.slug, 0)) for summary in summaries],
        embedded_url=EMBEDDED_BASE_URL if connection.settings().uses_sandbox else "",
    )


def _new_workspace_errors(name: str, api_url: str, key: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    for check, value in ((check_name, name), (check_api_url, api_url), (check_api_key, key)):
        try:
            check(value)
        except WorkspaceError as error:
            errors[error.field] = str(error)
    return errors


async def add_workspace(actor: Identity | None, name: str, api_url: str, key: str) -> AdminOutcome:
    """Store a workspace named ``name`` at ``api_url`` with ``key``, once its API says the key
    lists jobs (nothing is stored otherwise)."""
    if reason := refusal(actor):
        return AdminOutcome(False, reason)
    assert actor is not None
    errors = _new_workspace_errors(name, api_url, key)
    try:
        if "name" not in errors:
            await _stored(store.check_available, name)
    except WorkspaceError as error:
        errors[error.field] = str(error)
    except _Refused as refused:
        return AdminOutcome(False, refused.message)
    if errors:
        return AdminOutcome(False, f"{NOT_ADDED} Correct the fields marked.", errors)
    try:
        await _stored(key_cipher)  # no secret to encrypt it under: say so before asking
    except _Refused as refused:
        return AdminOutcome(False, refused.message)
    checked = await _check(api_url.strip().rstrip("/"), key)
    if not checked.works:
        return AdminOutcome(False, f"{checked.summary} {NOT_ADDED}", check=checked.summary)
    try:
        added = await _stored(store.add_workspace, name, api_url, key)
    except WorkspaceError as error:  # taken meanwhile
        return AdminOutcome(
            False, f"{NOT_ADDED} Correct the fields marked.", {error.field: str(error)}
        )
    except _Refused as refused:
        return AdminOutcome(False, refused.message, check=checked.summary, check_works=True)
    await connection.reload(added.slug)
    _record(
        actor, Action.WORKSPACE, f"added {added.name} ({added.slug}, {_key_text(added.key_last4)})"
    )
    return AdminOutcome(
        True,
        f"Added workspace {added.name} ({added.slug}).",
        check=checked.summary,
        check_works=True,
        slug=added.slug,
    )


async def _existing(slug: str) -> WorkspaceSummary:
    found = await _stored(store.get_workspace, slug)
    if found is None:
        raise _Refused(_no_such(slug))
    return found


async def rotate_workspace_key(actor: Identity | None, slug: str, key: str) -> AdminOutcome:
    """Give workspace ``slug`` the key ``key``, once its API says the key lists jobs (the old
    key is kept otherwise); this process uses the new key at once."""
    if reason := refusal(actor):
        return AdminOutcome(False, reason)
    assert actor is not None
    try:
        check_api_key(key)
    except WorkspaceError as error:
        return AdminOutcome(False, f"{error} {OLD_KEY_KEPT}", {"key": str(error)})
    try:
        current = await _existing(slug)
        await _stored(key_cipher)
    except _Refused as refused:
        return AdminOutcome(False, refused.message)
    checked = await _check(current.api_base_url, key)
    if not checked.works:
        return AdminOutcome(False, f"{checked.summary} {OLD_KEY_KEPT}", check=checked.summary)
    try:
        rotated = await _stored(store.rotate_key, current.slug, key)
    except WorkspaceError:
        return AdminOutcome(False, _no_such(slug), check=checked.summary, check_works=True)
    except _Refused as refused:
        return AdminOutcome(False, refused.message, check=checked.summary, check_works=True)
    await connection.reload(rotated.slug)
    key_text = _key_text(rotated.key_last4)
    _record(
        actor,
        Action.WORKSPACE,
        f"new key for {rotated.name} ({rotated.slug}, {key_text}, version {rotated.key_version})",
    )
    return AdminOutcome(
        True,
        f"{rotated.name} has a new key ({key_text}).",
        check=checked.summary,
        check_works=True,
        slug=rotated.slug,
    )


async def rename_workspace(actor: Identity | None, slug: str, name: str) -> AdminOutcome:
    """Give workspace ``slug`` the name ``name`` (its slug, key and history stay)."""
    if reason := refusal(actor):
        return AdminOutcome(False, reason)
    assert actor is not None
    try:
        current = await _existing(slug)
        renamed = await _stored(store.rename_workspace, current.slug, name)
    except WorkspaceError as error:
        return AdminOutcome(False, str(error), {error.field: str(error)})
    except _Refused as refused:
        return AdminOutcome(False, refused.message)
    await connection.reload(renamed.slug)
    if renamed.name == current.name:
        return AdminOutcome(True, f"{renamed.name} keeps its name.", slug=renamed.slug)
    _record(actor, Action.WORKSPACE, f"renamed {current.name} ({slug}) to {renamed.name}")
    return AdminOutcome(True, f"{current.name} is now named {renamed.name}.", slug=renamed.slug)


async def remove_workspace(actor: Identity | None, slug: str) -> AdminOutcome:
    """Forget workspace ``slug`` and its members (its job history records stay); its pages
    in this process see it gone at once."""
    if reason := refusal(actor):
        return AdminOutcome(False, reason)
    assert actor is not None
    try:
        current = await _existing(slug)
        removed = await _stored(store.remove_workspace, current.slug)
    except _Refused as refused:
        return AdminOutcome(False, refused.message)
    if not removed:
        return AdminOutcome(False, _no_such(slug))
    await connection.reload(current.slug)
    _record(
        actor,
        Action.WORKSPACE,
        f"removed {current.name} ({current.slug}); its history records are kept",
    )
    return AdminOutcome(
        True, f"Removed {current.name}. Its job history records are kept.", slug=current.slug
    )


async def workspace_members(actor: Identity | None, slug: str) -> MembersResult:
    """The members of workspace ``slug`` by username, with their roles there."""
    if reason := refusal(actor):
        return MembersResult(refusal=reason)
    try:
        current = await _existing(slug)
        listed = await _stored(members.members_of, current.slug)
    except _Refused as refused:
        return MembersResult(refusal=refused.message)
    return MembersResult(members=[Member(username, role) for username, role in listed])


async def _account(username: str) -> tuple[int | None, str]:
    name = normalize_username(username)
    if not name or len(name) > MAX_USERNAME:
        return None, name
    return await _stored(members.user_id_of, name), name


def _no_account(name: str) -> AdminOutcome:
    message = f"There is no account named {one_line(name, 64)!r}."
    return AdminOutcome(False, message, {"user": message})


async def set_workspace_member(
    actor: Identity | None, slug: str, username: str, role: str
) -> AdminOutcome:
    """Make account ``username`` a member of workspace ``slug`` with ``role`` (viewer,
    operator or admin), or change its role there."""
    if reason := refusal(actor):
        return AdminOutcome(False, reason)
    assert actor is not None
    known = parse_role(role)
    if known is None:
        message = f"Choose a role: {', '.join(Role)}."
        return AdminOutcome(False, message, {"role": message})
    try:
        current = await _existing(slug)
        user_id, name = await _account(username)
        if user_id is None:
            return _no_account(name)
        await _stored(members.set_member_role, current.slug, user_id, known)
    except WorkspaceError as error:
        return AdminOutcome(False, str(error), {error.field: str(error)})
    except _Refused as refused:
        return AdminOutcome(False, refused.message)
    _record(actor, Action.MEMBER, f"{name} is {known.value} in {current.name} ({current.slug})")
    return AdminOutcome(True, f"{name} is {known.value} in {current.name}.", slug=current.slug)


async def remove_workspace_member(actor: Identity | None, slug: str, username: str) -> AdminOutcome:
    """End account ``username``'s membership of workspace ``slug``."""
    if reason := refusal(actor):
        return AdminOutcome(False, reason)
    assert actor is not None
    try:
        current = await _existing(slug)
        user_id, name = await _account(username)
        if user_id is None:
            return _no_account(name)
        removed = await _stored(members.remove_member, current.slug, user_id)
    except _Refused as refused:
        return AdminOutcome(False, refused.message)
    if not removed:
        message = f"{name} is not a member of {current.name}."
        return AdminOutcome(False, message, {"user": message})
    _record(
        actor, Action.MEMBER, f"{name} is no longer a member of {current.name} ({current.slug})"
    )
    return AdminOutcome(True, f"{name} is no longer a member of {current.name}.", slug=current.slug)
