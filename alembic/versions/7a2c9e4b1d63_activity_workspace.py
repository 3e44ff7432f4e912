"""activity per workspace: each line names its workspace's identity

Revision ID: 7a2c9e4b1d63
Revises: 3f8d2b6c1e90
Create Date: 2026-12-08 11:00:00

Written by hand (``ftapp.models.Activity.workspace``). Lines written before are left without
one (NULL): they belong to the default workspace, the only one there was, and its page reads
them with its own (``ftapp.services.activity``).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "7a2c9e4b1d63"
down_revision: str | Sequence[str] | None = "3f8d2b6c1e90"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("activity") as batch:
        batch.add_column(
            sa.Column("workspace", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch.create_index("ix_activity_workspace", ["workspace"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("activity") as batch:
        batch.drop_index("ix_activity_workspace")
        batch.drop_column("workspace")
