"""activity lines name the client's address

Revision ID: e5a9c3f7d210
Revises: c8d4f1a2b7e3
Create Date: 2026-12-10 09:00:00

Written by hand (``ftapp.models.Activity.address``). Lines written before keep an empty one:
where they came from was not recorded.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "e5a9c3f7d210"
down_revision: str | Sequence[str] | None = "c8d4f1a2b7e3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("activity") as batch:
        batch.add_column(
            sa.Column(
                "address",
                sqlmodel.sql.sqltypes.AutoString(length=64),
                nullable=False,
                server_default="",
            )
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("activity") as batch:
        batch.drop_column("address")
