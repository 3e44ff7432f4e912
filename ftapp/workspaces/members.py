"""Who is a member of which stored workspace, with which role, and who gave it.

A membership is given by an admin (``ftapp workspaces grant``, the Workspaces page) or by
single sign-on: with ``FT_OIDC_WORKSPACE_ROLES``, each SSO sign-in sets the memberships SSO
gave from the person's groups (:mod:`ftapp.auth.sso_roles`) and leaves an admin's alone. Every
change counts one more on the account's access version, so its open tabs reload
(:func:`ftapp.auth.accounts.bump_access_version`).

Blocking database work: call from a thread (``database.in_thread``) when on the event loop.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
import sqlmodel

from ftapp import database
from ftapp.auth.accounts import bump_access_version, find_user
from ftapp.auth.roles import Role, parse_role
from ftapp.auth.sso_roles import BY_ADMIN
from ftapp.guard.text import one_line
from ftapp.models import User, WorkspaceMember, WorkspaceRow
from ftapp.workspaces.store import _existing, _find
from ftapp.workspaces.validation import WorkspaceError

log = logging.getLogger(__name__)


def _role(role: Role | str) -> Role:
    known = parse_role(role) if isinstance(role, str) else role
    if known is None:
        raise WorkspaceError(
            f"Unknown role {one_line(str(role))!r}: use one of {', '.join(Role)}.", "role"
        )
    return known


def _membership(
    session: sqlmodel.Session, workspace_id: int, user_id: int
) -> WorkspaceMember | None:
    return session.exec(
        sqlmodel.select(WorkspaceMember).where(
            WorkspaceMember.workspace_id == workspace_id, WorkspaceMember.user_id == user_id
        )
    ).first()


def set_member_role(slug: str, user_id: int, role: Role | str) -> None:
    """Make account ``user_id`` a member of workspace ``slug`` with ``role`` (or change its
    role there), as an admin's decision: SSO sign-ins leave it alone from now on."""
    role = _role(role)
    with database.session() as session:
        row = _existing(session, slug)
        if session.get(User, user_id) is None:
            raise WorkspaceError(f"No account with id {user_id}.", "user")
        member = _membership(session, row.id, user_id) or WorkspaceMember(
            workspace_id=row.id, user_id=user_id, role=role.value
        )
        if member.id is None or member.role != role.value or member.source != BY_ADMIN:
            bump_access_version(session, [user_id])
        member.role, member.source = role.value, BY_ADMIN
        session.add(member)
        session.commit()
    log.info("Account %d is %s in workspace %s.", user_id, role.value, slug)


def remove_member(slug: str, user_id: int) -> bool:
    """End account ``user_id``'s membership of workspace ``slug``; False when it had none."""
    with database.session() as session:
        row = _find(session, slug)
        if row is None:
            return False
        result = session.execute(
            sa.delete(WorkspaceMember).where(
                WorkspaceMember.workspace_id == row.id, WorkspaceMember.user_id == user_id
            )
        )
        if result.rowcount:
            bump_access_version(session, [user_id])
        session.commit()
    return bool(result.rowcount)


def members_of(slug: str) -> list[tuple[str, Role]]:
    """The members of workspace ``slug`` (username, role), by username; [] for none or no
    such workspace."""
    with database.session() as session:
        rows = session.exec(
            sqlmodel.select(User.username, WorkspaceMember.role)
            .join(WorkspaceMember, WorkspaceMember.user_id == User.id)
            .join(WorkspaceRow, WorkspaceRow.id == WorkspaceMember.workspace_id)
            .where(WorkspaceRow.slug == slug)
            .order_by(User.username)
        ).all()
    return [(username, Role(role)) for username, role in rows]


def roles_of(user_id: int) -> dict[str, Role]:
    """Account ``user_id``'s role in each stored workspace it is a member of (slug -> role)."""
    with database.session() as session:
        rows = session.exec(
            sqlmodel.select(WorkspaceRow.slug, WorkspaceMember.role)
            .join(WorkspaceMember, WorkspaceMember.workspace_id == WorkspaceRow.id)
            .where(WorkspaceMember.user_id == user_id)
        ).all()
    return {slug: Role(role) for slug, role in rows}


def member_counts() -> dict[str, int]:
    """How many members each stored workspace has (slug -> count; none: absent)."""
    with database.session() as session:
        rows = session.exec(
            sqlmodel.select(WorkspaceRow.slug, sa.func.count(WorkspaceMember.id))
            .join(WorkspaceMember, WorkspaceMember.workspace_id == WorkspaceRow.id)
            .group_by(WorkspaceRow.slug)
        ).all()
    return dict(rows)


def user_id_of(username: str) -> int | None:
    """The id of the account named ``username`` (any case), or None."""
    with database.session() as session:
        user = find_user(session, username)
        return user.id if user is not None else None
