"""memberships name their source (admin or SSO); accounts count their access changes

Revision ID: c8d4f1a2b7e3
Revises: 7a2c9e4b1d63
Create Date: 2026-12-07 05:00:00

Written by hand (``ftapp.models.WorkspaceMember.source``, ``ftapp.models.User.access_version``).
Memberships made before were all given by an admin; accounts start at version 0.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "c8d4f1a2b7e3"
down_revision: str | Sequence[str] | None = "7a2c9e4b1d63"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("workspace_member") as batch:
        batch.add_column(
            sa.Column(
                "source",
                sqlmodel.sql.sqltypes.AutoString(length=8),
                nullable=False,
                server_default="admin",
            )
        )
    with op.batch_alter_table("auth_user") as batch:
        batch.add_column(
            sa.Column("access_version", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("auth_user") as batch:
        batch.drop_column("access_version")
    with op.batch_alter_table("workspace_member") as batch:
        batch.drop_column("source")
