"""The app database's tables (accounts, sessions, the activity log, the secret key, starts,
the sign-in throttle, the job history, the stored workspaces and their members): plain
SQLModel models (``rx.Model`` is deprecated since Reflex 0.9.2).

Times are whole epoch seconds (UTC), portable between SQLite and PostgreSQL, except the sign-in
throttle's, which are epoch milliseconds (its shortest lock is one second). Secrets and their
hashes are kept out of every repr (``repr=False``).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class User(SQLModel, table=True):
    """An account: local (with a password hash), SSO (issuer + subject), or the local admin."""

    __tablename__ = "auth_user"
    # AUTOINCREMENT: SQLite must never hand a removed user's id to a new account (a session
    # kept in Redis names the user by id).
    __table_args__ = (
        sa.UniqueConstraint("oidc_issuer", "oidc_subject", name="uq_auth_user_oidc"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, index=True, max_length=254)
    """Stored lower-cased (see :func:`ftapp.auth.accounts.normalize_username`), so unique
    regardless of case."""
    password_hash: str | None = Field(default=None, repr=False)
    """argon2id; None for SSO accounts and the token-only local admin."""
    role: str = Field(default="viewer", max_length=16)
    oidc_issuer: str | None = Field(default=None, max_length=512)
    oidc_subject: str | None = Field(default=None, max_length=255)
    created_at: int = 0
    disabled: bool = False
    access_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    """One more at each change of the account's memberships of workspaces: the revocation
    sweep reloads the tabs of sockets opened under another version (as for a new role)."""


class AuthSession(SQLModel, table=True):
    """A signed-in browser. The cookie holds a random token; only its sha256 is stored."""

    __tablename__ = "auth_session"

    id: str = Field(primary_key=True, max_length=64, repr=False)
    """Hex sha256 of the cookie's token."""
    user_id: int = Field(foreign_key="auth_user.id", index=True)
    created_at: int
    last_seen_at: int
    expires_at: int = Field(index=True)
    """The absolute end (sign-in time + FT_SESSION_MAX_HOURS)."""


class Activity(SQLModel, table=True):
    """One create or delete attempt: who, from where, when, which job, and how it ended."""

    __tablename__ = "activity"

    id: int | None = Field(default=None, primary_key=True)
    at: int = Field(index=True)
    username: str = Field(max_length=254)
    role: str = Field(max_length=16)
    action: str = Field(max_length=16)
    """``create`` or ``delete``."""
    job_id: str = Field(default="", max_length=255)
    job_name: str = Field(default="", max_length=255)
    outcome: str = Field(max_length=32)
    """e.g. ``done``, ``refused_by_role``, ``refused_by_api``, ``failed``."""
    detail: str = ""
    workspace: str | None = Field(default=None, max_length=64, index=True)
    """The workspace's identity (as the history names it); None on lines written before
    there were workspaces: the default workspace's."""
    address: str = Field(default="", max_length=64, sa_column_kwargs={"server_default": ""})
    """The client's address the action came from ("" on lines written before it was kept)."""


class ServerSecret(SQLModel, table=True):
    """A value every worker and restart must share, generated once (e.g. the secret key)."""

    __tablename__ = "server_secret"

    name: str = Field(primary_key=True, max_length=64)
    value: str = Field(repr=False)
    created_at: int


class AppStart(SQLModel, table=True):
    """One start of the app (all its worker processes): who announced the sign-in link."""

    __tablename__ = "app_start"

    id: str = Field(primary_key=True, max_length=64)
    announced_at: int


class ThrottledKey(SQLModel, table=True):
    """The recent sign-in attempts against one key (a username or a client address), shared
    by every process: see :mod:`ftapp.auth.throttle`."""

    __tablename__ = "auth_throttle"

    key_digest: str = Field(primary_key=True, max_length=64)
    """Hex sha256 of the key (``user:<name>``, ``address:<ip>``): nothing typed is stored."""
    failures: int = 0
    """Attempts counted since the key was last quiet, the ones still being checked included."""
    locked_until_ms: int = Field(default=0, sa_type=sa.BigInteger)
    """Attempts before this moment are refused."""
    last_attempt_ms: int = Field(default=0, sa_type=sa.BigInteger, index=True)
    """When an attempt was last counted (the count is forgotten after a quiet spell)."""


class JobRecord(SQLModel, table=True):
    """What ftapp remembers of one job of one workspace, beyond the API's ten: written by the
    process that polls the workspace, kept after the job is deleted or gone."""

    __tablename__ = "job_record"
    __table_args__ = (
        sa.UniqueConstraint("workspace", "job_id", name="uq_job_record_job"),
        # The history's default order (ftapp.history.query.WHEN, then id), per workspace: a
        # page reads its rows from here in either direction instead of sorting them all.
        sa.Index(
            "ix_job_record_workspace_when",
            "workspace",
            sa.func.coalesce(sa.column("created_at"), sa.column("first_seen_at")),
            "id",
        ),
        # The filters' choices (the workspace's models and creators) read from an index alone.
        sa.Index("ix_job_record_workspace_model", "workspace", "base_model"),
        sa.Index("ix_job_record_workspace_creator", "workspace", "created_by"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace: str = Field(max_length=64, index=True)
    """The feed's workspace identity (a hash of the API's URL and key, never the key)."""
    job_id: str = Field(max_length=255)
    name: str = Field(max_length=255, index=True)
    base_model: str = Field(max_length=255, index=True)
    settings: str = ""
    """Every field of the job's request as JSON (wire names), so a new field needs no column."""
    status: str = Field(max_length=32, index=True)
    """The last status ftapp saw (Running, Completed, Failed, or what the API sent)."""
    created_at: int | None = Field(default=None, index=True)
    """The API's created time (epoch seconds), when it sent one."""
    first_seen_at: int
    """When ftapp first saw the job (epoch seconds)."""
    finished_at: int | None = None
    """When ftapp first saw the job finished (Completed or Failed)."""
    duration_seconds: int | None = None
    """Observed run time of a finished job: ``finished_at`` minus the created time."""
    created_by: str = Field(default="", max_length=254, index=True)
    """Who created it through ftapp ("" when it was created outside ftapp)."""
    deleted_by: str = Field(default="", max_length=254)
    """Who deleted it through ftapp ("" otherwise)."""
    deleted_at: int | None = None
    gone_at: int | None = Field(default=None, index=True)
    """When ftapp saw the job missing from the API's list (deleted here or elsewhere)."""
    notes: str = ""
    tags: str = Field(default="", max_length=1024)
    """Comma-separated, lower-case."""
    updated_at: int


class JobTransition(SQLModel, table=True):
    """One observed status of a job: the time ftapp saw it, and how late that can be."""

    __tablename__ = "job_transition"
    __table_args__ = (
        sa.UniqueConstraint("workspace", "job_id", "status", name="uq_job_transition_status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace: str = Field(max_length=64)
    job_id: str = Field(max_length=255)
    status: str = Field(max_length=32)
    observed_at: int
    """Epoch seconds of the poll that first saw this status."""
    poll_interval_seconds: float = 0.0
    """The interval of the polls then: the change happened at most this long before."""


class WorkspaceRow(SQLModel, table=True):
    """A workspace an admin added: an API's URL and its key, encrypted (see
    :mod:`ftapp.workspaces`). The environment's own workspace is never stored."""

    __tablename__ = "workspace"
    __table_args__ = (
        sa.UniqueConstraint("slug", name="uq_workspace_slug"),
        sa.UniqueConstraint("identity", name="uq_workspace_identity"),
    )

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=32)
    """Its name in URLs and commands (lower-case a-z, 0-9, '-'); never changes."""
    name: str = Field(max_length=64)
    """Unique regardless of case (checked by :mod:`ftapp.workspaces.store`)."""
    api_base_url: str = Field(max_length=2048)
    key_ciphertext: str = Field(repr=False)
    """The API key as a Fernet token under the key-encryption secret; never the key."""
    key_last4: str = Field(max_length=4)
    """The key's last four characters, all that is shown of it ("" for a short key)."""
    identity: str = Field(max_length=16)
    """16 random hex digits, for life: names the workspace's feed and its history records, so
    a new key or name keeps them."""
    key_version: int = 1
    """1, then one more at each new key."""
    created_at: int
    updated_at: int


class WorkspaceMember(SQLModel, table=True):
    """A person's role in one stored workspace."""

    __tablename__ = "workspace_member"
    __table_args__ = (sa.UniqueConstraint("workspace_id", "user_id", name="uq_workspace_member"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", ondelete="CASCADE")
    user_id: int = Field(foreign_key="auth_user.id", ondelete="CASCADE", index=True)
    """A removed account's memberships go with it."""
    role: str = Field(max_length=16)
    source: str = Field(default="admin", max_length=8, sa_column_kwargs={"server_default": "admin"})
    """Who gave it: ``admin`` (the CLI or the Workspaces page), or ``sso`` (the person's groups
    at their last SSO sign-in, ``FT_OIDC_WORKSPACE_ROLES``; set again at each)."""
