"""Workspace roles from single sign-on: a person's groups (an ID-token claim) mapped to their
roles in stored workspaces by ``FT_OIDC_WORKSPACE_ROLES``, and the memberships SSO gave set
from them at each sign-in (:func:`sync_sso_roles`).

A membership records who gave it (:attr:`ftapp.models.WorkspaceMember.source`): SSO changes
and ends only its own, never one an admin gave (``ftapp workspaces grant``, the Workspaces
page); an admin who changes an SSO membership makes it theirs.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import sqlalchemy.exc
import sqlmodel

from ftapp import database
from ftapp.auth.accounts import bump_access_version
from ftapp.auth.roles import Role
from ftapp.models import WorkspaceMember, WorkspaceRow

log = logging.getLogger(__name__)

BY_ADMIN = "admin"
BY_SSO = "sso"


def claim_strings(claims: Mapping[str, Any], name: str) -> list[str]:
    """The strings claim ``name`` holds: one string, or those of a list; a dotted name reaches
    into objects (``realm_access.roles``); [] when absent or of another shape."""
    value: Any = claims.get(name)
    if value is None and "." in name:
        value = claims
        for part in name.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [item for item in value if isinstance(item, str)]
    return []


def workspace_roles(
    groups: list[str], mapping: Mapping[str, Mapping[str, Role]]
) -> dict[str, Role]:
    """Workspace slug -> role that ``groups`` give by ``mapping`` (group -> slug -> role); the
    highest role wins where several groups name one workspace."""
    roles: dict[str, Role] = {}
    for group in groups:
        for slug, role in mapping.get(group, {}).items():
            if slug not in roles or role.rank > roles[slug].rank:
                roles[slug] = role
    return roles


def sync_sso_roles(user_id: int, wanted: Mapping[str, Role]) -> bool:
    """Set the memberships SSO gives account ``user_id`` to ``wanted`` (slug -> role, from its
    groups at this sign-in): each is made or changed, and one SSO gave before that its groups
    no longer give is ended. A membership an admin gave is left as it is, and a slug that names
    no stored workspace is skipped (logged). Returns True when anything changed."""
    try:
        changed = _sync(user_id, wanted)
    except sqlalchemy.exc.IntegrityError:  # a sign-in of the same person in another tab won
        changed = _sync(user_id, wanted)
    if changed:
        log.info("Account %d: workspace roles set from its SSO groups.", user_id)
    return changed


def _sync(user_id: int, wanted: Mapping[str, Role]) -> bool:
    changed = False
    with database.session() as session:
        rows = session.exec(
            sqlmodel.select(WorkspaceRow).where(
                WorkspaceRow.slug.in_(list(wanted))  # type: ignore[attr-defined]
            )
        ).all()
        workspaces = {row.slug: row.id for row in rows}
        for slug in sorted(set(wanted) - set(workspaces)):
            log.warning("FT_OIDC_WORKSPACE_ROLES names workspace %r, which is not stored.", slug)
        wanted_ids = {workspaces[slug]: role for slug, role in wanted.items() if slug in workspaces}
        held = session.exec(
            sqlmodel.select(WorkspaceMember).where(WorkspaceMember.user_id == user_id)
        ).all()
        by_workspace = {member.workspace_id: member for member in held}
        for member in held:
            if member.source == BY_SSO and member.workspace_id not in wanted_ids:
                session.delete(member)
                changed = True
        for workspace_id, role in wanted_ids.items():
            member = by_workspace.get(workspace_id)
            if member is None:
                member = WorkspaceMember(
                    workspace_id=workspace_id, user_id=user_id, role=role.value, source=BY_SSO
                )
            elif member.source != BY_SSO or member.role == role.value:
                continue
            member.role = role.value
            session.add(member)
            changed = True
        if changed:
            bump_access_version(session, [user_id])
        session.commit()
    return changed
