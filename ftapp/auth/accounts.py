"""Accounts: local users with a password, SSO users by (issuer, subject), the local admin.

Blocking database work: call from a thread (``database.in_thread``) when on the event loop.
Usernames are stored lower-cased, so they are unique regardless of case. A disabled account
cannot sign in any way (password, SSO, the sign-in link), and disabling it ends its sessions;
an SSO account is blocked by disabling it (a removed one is made again at its next sign-in).

Password hashes are argon2id (argon2-cffi's defaults, RFC 9106 low-memory profile).
Verification is slow on purpose (~0.1 s) and blocking: call it off the event loop. An unknown
user costs the same as a wrong password (a dummy hash is verified), and a hash made with older
parameters is replaced on the next successful sign-in.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import sqlalchemy as sa
import sqlalchemy.exc
import sqlmodel
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ftapp import database
from ftapp.auth.roles import Role, parse_role
from ftapp.guard.text import one_line
from ftapp.models import AuthSession, User

log = logging.getLogger(__name__)

LOCAL_ADMIN = "admin"
"""The account the access-token link signs in (created on first use, no password)."""
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._@+-]{0,63}")


class AccountError(ValueError):
    """A request about accounts cannot be done; the message is one line for a person."""


@dataclass(frozen=True)
class AccountSummary:
    """An account as listed: never its password hash."""

    username: str
    role: str
    kind: Literal["local", "SSO"]
    created_at: int
    disabled: bool


def normalize_username(name: str) -> str:
    """How a username is stored and compared: trimmed and lower-cased."""
    return name.strip().lower()


def check_new_username(name: str) -> str:
    """The normalized name, or :class:`AccountError` saying what is wrong with it."""
    normalized = normalize_username(name)
    if not _USERNAME.fullmatch(normalized):
        raise AccountError(
            "A username is 1 to 64 characters: letters, digits and . _ @ + - "
            "(starting with a letter or digit)."
        )
    return normalized


def check_new_password(password: str) -> None:
    """:class:`AccountError` when ``password`` is too short to use."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"The password must be at least {MIN_PASSWORD_LENGTH} characters.")


def find_user(session: sqlmodel.Session, username: str) -> User | None:
    """The account named ``username`` (any case), or None."""
    statement = sqlmodel.select(User).where(User.username == normalize_username(username))
    return session.exec(statement).first()


def bump_access_version(session: sqlmodel.Session, user_ids: Iterable[int]) -> None:
    """Note in ``session`` (committed with it) that the memberships of these accounts changed:
    their open tabs reload at the next revocation sweep (:mod:`ftapp.auth.state`)."""
    ids = sorted(set(user_ids))
    if ids:
        session.execute(
            sa.update(User)
            .where(User.id.in_(ids))  # type: ignore[union-attr]
            .values(access_version=User.access_version + 1)
        )


def add_local_user(username: str, password: str, role: Role | str) -> AccountSummary:
    """Create a local account with a password; :class:`AccountError` when it cannot be."""
    name = check_new_username(username)
    known_role = parse_role(role) if isinstance(role, str) else role
    if known_role is None:
        raise AccountError(f"Unknown role {role!r}: use one of {', '.join(Role)}.")
    check_new_password(password)
    user = User(
        username=name,
        password_hash=hash_password(password),
        role=known_role.value,
        created_at=int(time.time()),
    )
    with database.session() as session:
        if find_user(session, name) is not None:
            raise AccountError(f"A user named {name!r} already exists.")
        session.add(user)
        try:
            session.commit()
        except sqlalchemy.exc.IntegrityError:
            raise AccountError(f"A user named {name!r} already exists.") from None
        log.info("Account %s created with role %s.", name, known_role.value)
        return _summary(user)


def list_accounts() -> list[AccountSummary]:
    """Every account, by username."""
    with database.session() as session:
        users = session.exec(sqlmodel.select(User).order_by(User.username)).all()
        return [_summary(user) for user in users]


def remove_user(username: str) -> int:
    """Delete an account and its database sessions; returns its id (to end Redis sessions)."""
    with database.session() as session:
        user, user_id = _existing_user(session, username)
        _end_database_sessions(session, user_id)
        session.delete(user)
        session.commit()
        log.info("Account %s removed.", one_line(user.username))
        return user_id


def disable_user(username: str) -> int:
    """Stop an account from signing in and delete its database sessions; returns its id (to
    end Redis sessions). The account stays, so an SSO person is refused, not made again."""
    with database.session() as session:
        user, user_id = _existing_user(session, username)
        user.disabled = True
        session.add(user)
        _end_database_sessions(session, user_id)
        session.commit()
        log.info("Account %s disabled.", user.username)
        return user_id


def enable_user(username: str) -> None:
    """Let a disabled account sign in again (the sessions that ended stay ended)."""
    with database.session() as session:
        user, _user_id = _existing_user(session, username)
        user.disabled = False
        session.add(user)
        session.commit()
        log.info("Account %s enabled.", user.username)


def _existing_user(session: sqlmodel.Session, username: str) -> tuple[User, int]:
    user = find_user(session, username)
    if user is None or user.id is None:
        raise AccountError(f"No user named {normalize_username(username)!r}.")
    return user, user.id


def _end_database_sessions(session: sqlmodel.Session, user_id: int) -> None:
    session.exec(sqlmodel.delete(AuthSession).where(AuthSession.user_id == user_id))  # type: ignore[call-overload]


def authenticate(username: str, password: str) -> User | None:
    """The local account these credentials sign in, or None (same time either way)."""
    with database.session() as session:
        user = find_user(session, username) if username.strip() else None
        usable = user is not None and not user.disabled and user.password_hash is not None
        ok, new_hash = check_password(user.password_hash if usable and user else None, password)
        if not ok or user is None:
            return None
        if new_hash is not None:
            user.password_hash = new_hash  # parameters changed since it was made
            session.add(user)
            session.commit()
        return user


def ensure_local_admin() -> User:
    """The local admin account (created on first use, promoted to admin if it was not).

    :class:`AccountError` when the name is held by an SSO account or the account is disabled.
    """
    with database.session() as session:
        user = find_user(session, LOCAL_ADMIN)
        if user is None:
            user = User(username=LOCAL_ADMIN, role=Role.ADMIN.value, created_at=int(time.time()))
            session.add(user)
            try:
                session.commit()
            except sqlalchemy.exc.IntegrityError:  # another worker made it first
                session.rollback()
                user = find_user(session, LOCAL_ADMIN)
                assert user is not None
            log.info("Local admin account %r created.", LOCAL_ADMIN)
        if user.oidc_subject is not None:
            raise AccountError(f"The name {LOCAL_ADMIN!r} belongs to an SSO account.")
        if user.disabled:
            raise AccountError(f"The account {LOCAL_ADMIN!r} is disabled.")
        if user.role != Role.ADMIN.value:
            user.role = Role.ADMIN.value
            session.add(user)
            session.commit()
            log.warning("Account %r promoted to admin by the access token.", LOCAL_ADMIN)
        return user


def provision_sso_user(
    issuer: str, subject: str, names: Iterable[str | None], role: Role
) -> User | None:
    """The account of an SSO person, created or updated (role) from the ID token.

    ``names`` are username candidates in order of preference (preferred_username, email,
    sub); the first free one is used, with a numeric suffix if all are taken. None when the
    account is disabled.
    """
    with database.session() as session:
        statement = sqlmodel.select(User).where(
            User.oidc_issuer == issuer, User.oidc_subject == subject
        )
        user = session.exec(statement).first()
        if user is None:
            user = User(
                username=_free_username(session, names),
                role=role.value,
                oidc_issuer=issuer,
                oidc_subject=subject,
                created_at=int(time.time()),
            )
            log.info("SSO account %s created with role %s.", one_line(user.username), role.value)
        elif user.disabled:
            return None
        elif user.role != role.value:
            log.info(
                "SSO account %s: role %s -> %s.", one_line(user.username), user.role, role.value
            )
            user.role = role.value
        session.add(user)
        session.commit()
        return user


def _free_username(session: sqlmodel.Session, names: Iterable[str | None]) -> str:
    # The local admin's name is kept for the access-token link.
    candidates = [normalize_username(n)[:200] for n in names if n and n.strip()]
    candidates = [c for c in candidates if c != LOCAL_ADMIN] or ["sso-user"]
    for candidate in candidates:
        if find_user(session, candidate) is None:
            return candidate
    suffix = 2
    while find_user(session, f"{candidates[0]}-{suffix}") is not None:
        suffix += 1
    return f"{candidates[0]}-{suffix}"


def _summary(user: User) -> AccountSummary:
    kind: Literal["local", "SSO"] = "SSO" if user.oidc_subject is not None else "local"
    return AccountSummary(user.username, user.role, kind, user.created_at, user.disabled)


MIN_PASSWORD_LENGTH = 8
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """A new argon2id hash of ``password`` (salted; never the same twice)."""
    return _hasher.hash(password)


def check_password(stored_hash: str | None, password: str) -> tuple[bool, str | None]:
    """Whether ``password`` matches ``stored_hash``, and a replacement hash when the stored one
    uses outdated parameters. A missing hash or empty password takes as long and fails."""
    if not stored_hash or not password:
        spend_equal_time(password)
        return False, None
    try:
        _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False, None
    if _hasher.check_needs_rehash(stored_hash):
        return True, _hasher.hash(password)
    return True, None


def spend_equal_time(password: str) -> None:
    """Verify against a dummy hash, so "no such user" costs as much as a wrong password."""
    with contextlib.suppress(VerificationError, InvalidHashError):
        _hasher.verify(_dummy_hash(_hasher), password or "-")


@functools.cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    return hasher.hash("ftapp: no such account")
