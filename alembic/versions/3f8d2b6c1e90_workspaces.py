"""workspaces: stored API workspaces (URL, encrypted key) and their members' roles

Revision ID: 3f8d2b6c1e90
Revises: 9c4e7a1d2b36
Create Date: 2026-12-08 10:00:00

Written by hand (``ftapp.models.WorkspaceRow`` and ``WorkspaceMember``). A member row goes
with its workspace or its account (``ON DELETE CASCADE``; SQLite enforces it because
ftapp.database turns ``foreign_keys`` on).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "3f8d2b6c1e90"
down_revision: str | Sequence[str] | None = "9c4e7a1d2b36"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STRING = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "workspace",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", _STRING(length=32), nullable=False),
        sa.Column("name", _STRING(length=64), nullable=False),
        sa.Column("api_base_url", _STRING(length=2048), nullable=False),
        sa.Column("key_ciphertext", _STRING(), nullable=False),
        sa.Column("key_last4", _STRING(length=4), nullable=False),
        sa.Column("identity", _STRING(length=16), nullable=False),
        sa.Column("key_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug", name="uq_workspace_slug"),
        sa.UniqueConstraint("identity", name="uq_workspace_identity"),
    )
    op.create_table(
        "workspace_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", _STRING(length=16), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["auth_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("workspace_id", "user_id", name="uq_workspace_member"),
    )
    op.create_index(
        op.f("ix_workspace_member_user_id"), "workspace_member", ["user_id"], unique=False
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f("ix_workspace_member_user_id"), table_name="workspace_member")
    op.drop_table("workspace_member")
    op.drop_table("workspace")
