"""sign-in throttle: attempts per key, shared by every process

Revision ID: 74935db6e098
Revises: fd3e722bd251
Create Date: 2026-12-06 19:55:14

Written by hand (the table of ``ftapp.models.ThrottledKey``). ``auth_user.disabled``
needs no change: it has been there since the first revision.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "74935db6e098"
down_revision: str | Sequence[str] | None = "fd3e722bd251"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "auth_throttle",
        sa.Column("key_digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until_ms", sa.BigInteger(), nullable=False),
        sa.Column("last_attempt_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key_digest"),
    )
    with op.batch_alter_table("auth_throttle", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_auth_throttle_last_attempt_ms"), ["last_attempt_ms"], unique=False
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("auth_throttle", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auth_throttle_last_attempt_ms"))

    op.drop_table("auth_throttle")
