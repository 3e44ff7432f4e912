"""Which workspaces a person may open, and their role in each.

Every page names its workspace (``/w/<slug>/...``); before a page shows anything of it or acts
in it, :func:`enter` turns the signed-in person into the same person acting in that workspace
with their role there (:meth:`ftapp.auth.roles.Identity.in_workspace`), or refuses: a slug
that names no workspace, or one the person is not a member of, is refused the same way (a
crafted URL or event learns nothing about which workspaces exist) and logged.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from ftapp import database, log_format
from ftapp.auth.roles import Identity, Role, role_in_workspace
from ftapp.guard.text import one_line
from ftapp.routes import DEFAULT_WORKSPACE, MAX_SLUG_LENGTH, is_slug
from ftapp.services import connection
from ftapp.workspaces import members

log = logging.getLogger(__name__)

NOT_A_MEMBER = "This workspace does not exist, or you are not a member of it."


@dataclass(frozen=True)
class WorkspaceChoice:
    """A workspace as the switcher lists it."""

    slug: str
    name: str
    role: Role


_MEMBERSHIPS_KEPT = 1024
_memberships_read: dict[tuple[int, int], tuple[float, dict[str, Role]]] = {}
"""(account, access version) -> (monotonic time read, its roles in stored workspaces)."""


async def _memberships(identity: Identity) -> dict[str, Role]:
    """The person's roles in stored workspaces, read again at most every
    ``connection.RESOLVE_SECONDS`` (and at once when their access version moved: a grant or
    a revocation)."""
    key = (identity.user_id, identity.access_version)
    now = time.monotonic()
    known = _memberships_read.get(key)
    if known is not None and now - known[0] < connection.RESOLVE_SECONDS:
        return known[1]
    roles = await database.in_thread(members.roles_of, identity.user_id)
    if len(_memberships_read) >= _MEMBERSHIPS_KEPT:
        _memberships_read.clear()  # a crowd of people: start again rather than grow
    _memberships_read[key] = (now, roles)
    return roles


def forget_memberships() -> None:
    """Read every person's memberships again at their next page (tests, changes here)."""
    _memberships_read.clear()


async def enter(identity: Identity | None, slug: str) -> Identity | None:
    """``identity`` acting in workspace ``slug`` with its role there; None when nobody is
    signed in, or the workspace does not exist or the person is not a member (logged)."""
    if identity is None:
        return None
    if slug == identity.workspace and slug == DEFAULT_WORKSPACE:
        log_format.bind(workspace=slug)
        return identity
    own = identity.own_role
    role = None
    if is_slug(slug) and await connection.resolve(slug) is not None:
        needs_membership = slug != DEFAULT_WORKSPACE and own is not Role.ADMIN
        memberships = await _memberships(identity) if needs_membership else {}
        role = role_in_workspace(own, slug, memberships)
    if role is None:
        log.warning(
            "Refused %s access to workspace %r (not a member, or no such workspace).",
            one_line(identity.username),
            one_line(str(slug)[:MAX_SLUG_LENGTH]),
            extra={"outcome": "refused"},
        )
        return None
    log_format.bind(workspace=slug)
    return identity.in_workspace(slug, role)


async def workspaces_of(identity: Identity | None) -> list[WorkspaceChoice]:
    """The workspaces ``identity`` may open, the default first, then by name."""
    if identity is None:
        return []
    own = identity.own_role
    default = connection.default_workspace()
    choices = [WorkspaceChoice(DEFAULT_WORKSPACE, default.name, own)]
    stored = await connection.stored_workspaces()
    memberships = {} if own is Role.ADMIN else await _memberships(identity)
    for summary in stored:
        role = role_in_workspace(own, summary.slug, memberships)
        if role is not None:
            choices.append(WorkspaceChoice(summary.slug, summary.name, role))
    return choices
