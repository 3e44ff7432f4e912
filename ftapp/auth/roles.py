"""Who may do what: three roles, nine permissions, one table; and who is signed in.

A viewer reads; an operator also creates, clones and deletes jobs; an admin also sees the
activity log, manages accounts and prunes the history; everyone reads the history, and an
operator edits a job's notes and tags. A role is held in a workspace: an account's own role
is its role in the default workspace, and an admin account (an admin of ftapp) is an admin in
every workspace and alone manages accounts and workspaces; in the others a person holds the
role of their membership. :class:`Identity` is what a session resolves to (it holds
no secret: safe to log and repr). Pure Python (no Reflex, no database), so the settings and
the pages can use it cheaply.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

from ftapp.routes import DEFAULT_WORKSPACE


class Role(StrEnum):
    """A signed-in person's role, lowest first."""

    VIEWER = "viewer"
    OPERATOR = "operator"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        """0 for viewer, 1 for operator, 2 for admin."""
        return list(Role).index(self)


class Permission(StrEnum):
    """Something a role may or may not do."""

    READ_JOBS = "read_jobs"
    CREATE_JOBS = "create_jobs"
    DELETE_JOBS = "delete_jobs"
    VIEW_ACTIVITY = "view_activity"
    MANAGE_ACCOUNTS = "manage_accounts"
    READ_HISTORY = "read_history"
    EDIT_NOTES = "edit_notes"
    PRUNE_HISTORY = "prune_history"
    MANAGE_WORKSPACES = "manage_workspaces"


ACCOUNT_WIDE = frozenset({Permission.MANAGE_ACCOUNTS, Permission.MANAGE_WORKSPACES})
"""Permissions of ftapp as a whole, held by an account's own role whatever the workspace."""


# The lowest role holding each permission (every higher role holds it too), and what a
# refused person is told.
_RULES: dict[Permission, tuple[Role, str]] = {
    Permission.READ_JOBS: (Role.VIEWER, ""),
    Permission.CREATE_JOBS: (Role.OPERATOR, "Viewers may not create jobs."),
    Permission.DELETE_JOBS: (Role.OPERATOR, "Viewers may not delete jobs."),
    Permission.VIEW_ACTIVITY: (Role.ADMIN, "Only admins see the activity log."),
    Permission.MANAGE_ACCOUNTS: (Role.ADMIN, "Only admins manage accounts."),
    Permission.READ_HISTORY: (Role.VIEWER, ""),
    Permission.EDIT_NOTES: (Role.OPERATOR, "Viewers may not edit notes or tags."),
    Permission.PRUNE_HISTORY: (Role.ADMIN, "Only admins prune the history."),
    Permission.MANAGE_WORKSPACES: (Role.ADMIN, "Only admins of ftapp manage workspaces."),
}


def parse_role(value: str) -> Role | None:
    """The role named ``value`` (case and surrounding spaces ignored), or None."""
    try:
        return Role(value.strip().lower())
    except ValueError:
        return None


def may(role: Role | str, permission: Permission) -> bool:
    """True when ``role`` holds ``permission``; an unknown role holds nothing."""
    known = parse_role(role) if isinstance(role, str) else role
    if known is None:
        return False
    lowest, _ = _RULES[permission]
    return known.rank >= lowest.rank


def refusal_reason(role: Role | str, permission: Permission) -> str:
    """One sentence saying why ``role`` may not do it; "" when it may."""
    if may(role, permission):
        return ""
    if (isinstance(role, str) and parse_role(role) is None) or permission in (
        Permission.READ_JOBS,
        Permission.READ_HISTORY,
    ):
        return "Your account has no role that allows this."
    return _RULES[permission][1]


def highest_role(names: Iterable[str]) -> Role | None:
    """The highest known role among ``names`` (unknown names ignored), or None."""
    roles = [role for name in names if (role := parse_role(name)) is not None]
    return max(roles, key=lambda role: role.rank) if roles else None


@dataclass(frozen=True)
class Identity:
    """A signed-in person, as resolved from a live session, in one workspace."""

    user_id: int
    username: str
    role: Role
    """The role in :attr:`workspace`."""
    session_key: str
    """A non-secret id of the session (16 hex digits of the token's sha256): for logs and for
    binding per-tab state; it cannot be turned back into the token."""
    expires_at: int
    """When the session ends at the latest (epoch seconds)."""
    workspace: str = DEFAULT_WORKSPACE
    """The slug of the workspace this identity acts in."""
    account_role: Role | None = None
    """The account's own role (its role in the default workspace, and whether it is an admin
    of ftapp); None: the same as :attr:`role`."""
    access_version: int = 0
    """How many times the account's memberships of workspaces have changed
    (:attr:`ftapp.models.User.access_version`)."""
    address: str = ""
    """The client's address this request came from (the activity log names it); "" when
    not known. Behind a proxy, read from X-Forwarded-For through the trusted hops only."""

    @property
    def own_role(self) -> Role:
        """The account's own role, whatever the workspace."""
        return self.account_role or self.role

    def may(self, permission: Permission) -> bool:
        """True when this person holds ``permission`` (in this workspace, or for ftapp-wide
        permissions by their account's own role)."""
        return may(self.own_role if permission in ACCOUNT_WIDE else self.role, permission)

    def refusal(self, permission: Permission) -> str:
        """Why this person may not do it ("" when they may)."""
        return refusal_reason(
            self.own_role if permission in ACCOUNT_WIDE else self.role, permission
        )

    def from_address(self, address: str) -> Identity:
        """The same person, their request having come from ``address``."""
        return replace(self, address=address)

    def in_workspace(self, slug: str, role: Role) -> Identity:
        """The same person acting in workspace ``slug`` with ``role`` there."""
        return replace(self, workspace=slug, role=role, account_role=self.own_role)


def role_in_workspace(own_role: Role, slug: str, memberships: Mapping[str, Role]) -> Role | None:
    """The role an account holds in workspace ``slug``: its own in the default workspace, admin
    everywhere for an admin of ftapp, else its membership's (None: not a member)."""
    if slug == DEFAULT_WORKSPACE or own_role is Role.ADMIN:
        return own_role
    return memberships.get(slug)
