"""The stored workspaces and their members, in the app database.

Blocking database work: call from a thread (``database.in_thread``) when on the event loop.
A key is kept only as a Fernet token (:mod:`ftapp.workspaces.cipher`) and its last four
characters; it comes back in clear only from :func:`resolve`, as a ``SecretStr``. A
workspace's ``identity`` (16 random hex digits) names its feed and its history records for
life: a new key or name keeps it, and removing the workspace leaves its history records.
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.exc
import sqlmodel
from pydantic import SecretStr

from ftapp import database
from ftapp.auth.accounts import bump_access_version
from ftapp.guard.text import one_line
from ftapp.models import WorkspaceMember, WorkspaceRow
from ftapp.workspaces.cipher import key_cipher
from ftapp.workspaces.validation import (
    DEFAULT_SLUG,
    WorkspaceError,
    check_api_key,
    check_api_url,
    check_name,
    check_slug,
    key_end,
    slug_for,
    with_suffix,
)

log = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_SLUG",
    "WorkspaceConfig",
    "WorkspaceError",
    "WorkspaceSummary",
    "add_workspace",
    "check_available",
    "get_workspace",
    "list_workspaces",
    "reencrypt_all",
    "remove_workspace",
    "rename_workspace",
    "resolve",
    "rotate_key",
    "slug_for",
]

_IDENTITY_BYTES = 8  # 16 hex digits


@dataclass(frozen=True)
class WorkspaceSummary:
    """A stored workspace as listed and shown: never its key, only the key's end."""

    slug: str
    name: str
    api_base_url: str
    key_last4: str
    identity: str
    key_version: int
    created_at: int
    updated_at: int


@dataclass(frozen=True)
class WorkspaceConfig:
    """What a connection to a stored workspace needs (the key hidden in every repr)."""

    slug: str
    name: str
    api_base_url: str
    api_key: SecretStr
    identity: str
    key_version: int


def _summary(row: WorkspaceRow) -> WorkspaceSummary:
    return WorkspaceSummary(
        slug=row.slug,
        name=row.name,
        api_base_url=row.api_base_url,
        key_last4=row.key_last4,
        identity=row.identity,
        key_version=row.key_version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _now(now: int | float | None) -> int:
    return int(time.time() if now is None else now)


def _find(session: sqlmodel.Session, slug: str) -> WorkspaceRow | None:
    return session.exec(sqlmodel.select(WorkspaceRow).where(WorkspaceRow.slug == slug)).first()


def _existing(session: sqlmodel.Session, slug: str) -> WorkspaceRow:
    row = _find(session, slug)
    if row is None:
        raise WorkspaceError(f"No workspace {one_line(slug)!r}.", "slug")
    return row


def _check_name_free(session: sqlmodel.Session, name: str, *, besides: int | None = None) -> None:
    wanted = name.casefold()
    for row_id, taken in session.exec(sqlmodel.select(WorkspaceRow.id, WorkspaceRow.name)):
        if row_id != besides and taken.casefold() == wanted:
            raise WorkspaceError(f"A workspace named {taken!r} already exists.", "name")


def _free_slug(session: sqlmodel.Session, wanted: str) -> str:
    taken = set(session.exec(sqlmodel.select(WorkspaceRow.slug))) | {DEFAULT_SLUG}
    slug, number = wanted, 1
    while slug in taken:
        number += 1
        slug = with_suffix(wanted, number)
    return slug


def check_available(name: str, slug: str | None = None) -> None:
    """:class:`WorkspaceError` when ``name`` (or ``slug``) is bad or taken, as
    :func:`add_workspace` would say (which checks again): to refuse before asking for a key."""
    name = check_name(name)
    if slug is not None:
        slug = check_slug(slug.strip())
    with database.session() as session:
        _check_name_free(session, name)
        if slug is not None and _find(session, slug) is not None:
            raise _slug_taken(slug)


def _slug_taken(slug: str) -> WorkspaceError:
    return WorkspaceError(f"A workspace with the slug {slug!r} already exists.", "slug")


def add_workspace(
    name: str,
    api_base_url: str,
    api_key: str,
    *,
    slug: str | None = None,
    now: int | float | None = None,
) -> WorkspaceSummary:
    """Store a workspace, its key encrypted; :class:`WorkspaceError` for a bad or taken name,
    a bad URL or key, a bad or taken ``slug`` (without one, a free slug is derived from the
    name)."""
    name = check_name(name)
    url = check_api_url(api_base_url)
    key = check_api_key(api_key)
    if slug is not None:
        slug = check_slug(slug.strip())
    ciphertext = key_cipher().encrypt(key)
    at = _now(now)
    with database.session() as session:
        _check_name_free(session, name)
        if slug is None:
            slug = _free_slug(session, slug_for(name))
        elif _find(session, slug) is not None:
            raise _slug_taken(slug)
        row = WorkspaceRow(
            slug=slug,
            name=name,
            api_base_url=url,
            key_ciphertext=ciphertext,
            key_last4=key_end(key),
            identity=secrets.token_hex(_IDENTITY_BYTES),
            key_version=1,
            created_at=at,
            updated_at=at,
        )
        session.add(row)
        try:
            session.commit()
        except sqlalchemy.exc.IntegrityError:  # another admin took the slug meanwhile
            raise _slug_taken(slug) from None
        log.info("Workspace %s added (%s).", slug, one_line(url))
        return _summary(row)


def list_workspaces() -> list[WorkspaceSummary]:
    """Every stored workspace, by name (any case)."""
    with database.session() as session:
        rows = session.exec(sqlmodel.select(WorkspaceRow)).all()
    return sorted((_summary(row) for row in rows), key=lambda w: (w.name.casefold(), w.slug))


def get_workspace(slug: str) -> WorkspaceSummary | None:
    """The stored workspace ``slug``, or None."""
    with database.session() as session:
        row = _find(session, slug)
        return _summary(row) if row is not None else None


def resolve(slug: str) -> WorkspaceConfig | None:
    """The stored workspace ``slug`` with its key decrypted, or None; raises
    :class:`~ftapp.workspaces.cipher.KeyDecryptError` when the configured secrets cannot
    decrypt it, :class:`~ftapp.workspaces.cipher.KeysSecretMissing` when none is configured
    (a hosted API without ``FT_KEYS_SECRET``)."""
    with database.session() as session:
        row = _find(session, slug)
    if row is None:
        return None
    return WorkspaceConfig(
        slug=row.slug,
        name=row.name,
        api_base_url=row.api_base_url,
        api_key=SecretStr(key_cipher().decrypt(row.key_ciphertext)),
        identity=row.identity,
        key_version=row.key_version,
    )


def rename_workspace(slug: str, name: str, *, now: int | float | None = None) -> WorkspaceSummary:
    """Give workspace ``slug`` another name (its slug and identity stay)."""
    name = check_name(name)
    with database.session() as session:
        row = _existing(session, slug)
        _check_name_free(session, name, besides=row.id)
        row.name = name
        row.updated_at = _now(now)
        session.add(row)
        session.commit()
        log.info("Workspace %s renamed.", slug)
        return _summary(row)


def rotate_key(slug: str, api_key: str, *, now: int | float | None = None) -> WorkspaceSummary:
    """Replace workspace ``slug``'s key (its version goes up by one; the old one is gone)."""
    key = check_api_key(api_key)
    ciphertext = key_cipher().encrypt(key)
    with database.session() as session:
        row = _existing(session, slug)
        row.key_ciphertext = ciphertext
        row.key_last4 = key_end(key)
        row.key_version += 1
        row.updated_at = _now(now)
        session.add(row)
        session.commit()
        log.info("Workspace %s has a new key (version %d).", slug, row.key_version)
        return _summary(row)


def remove_workspace(slug: str) -> bool:
    """Forget workspace ``slug`` and its members (not its history records); False when there
    was none."""
    with database.session() as session:
        row = _find(session, slug)
        if row is None:
            return False
        members = session.exec(
            sqlmodel.select(WorkspaceMember.user_id).where(WorkspaceMember.workspace_id == row.id)
        ).all()
        session.execute(sa.delete(WorkspaceMember).where(WorkspaceMember.workspace_id == row.id))
        bump_access_version(session, members)
        session.delete(row)
        session.commit()
    log.info("Workspace %s removed.", slug)
    return True


def reencrypt_all() -> int:
    """Re-encrypt every stored key under the current secret (after a secret rotation, with
    the old one as ``FT_KEYS_SECRET_PREVIOUS``), in one transaction; returns how many. Raises
    :class:`~ftapp.workspaces.cipher.KeyDecryptError`, changing nothing, when a key was made
    under neither secret."""
    cipher = key_cipher()
    with database.session() as session:
        rows = session.exec(sqlmodel.select(WorkspaceRow)).all()
        for row in rows:
            row.key_ciphertext = cipher.reencrypt(row.key_ciphertext)
            session.add(row)
        session.commit()
    log.info("Re-encrypted %d stored workspace keys under the current secret.", len(rows))
    return len(rows)
