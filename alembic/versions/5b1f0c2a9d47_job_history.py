"""job history: a record per job and its observed statuses, beyond the API's ten jobs

Revision ID: 5b1f0c2a9d47
Revises: 74935db6e098
Create Date: 2026-12-06 22:50:00

Written by hand (the tables of ``ftapp.models.JobRecord`` and ``JobTransition``).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "5b1f0c2a9d47"
down_revision: str | Sequence[str] | None = "74935db6e098"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STRING = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "job_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace", _STRING(length=64), nullable=False),
        sa.Column("job_id", _STRING(length=255), nullable=False),
        sa.Column("name", _STRING(length=255), nullable=False),
        sa.Column("base_model", _STRING(length=255), nullable=False),
        sa.Column("settings", _STRING(), nullable=False),
        sa.Column("status", _STRING(length=32), nullable=False),
        sa.Column("created_at", sa.Integer(), nullable=True),
        sa.Column("first_seen_at", sa.Integer(), nullable=False),
        sa.Column("finished_at", sa.Integer(), nullable=True),
        sa.Column("duration_seconds", sa.Integer(), nullable=True),
        sa.Column("created_by", _STRING(length=254), nullable=False),
        sa.Column("deleted_by", _STRING(length=254), nullable=False),
        sa.Column("deleted_at", sa.Integer(), nullable=True),
        sa.Column("gone_at", sa.Integer(), nullable=True),
        sa.Column("notes", _STRING(), nullable=False),
        sa.Column("tags", _STRING(length=1024), nullable=False),
        sa.Column("updated_at", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("workspace", "job_id", name="uq_job_record_job"),
    )
    with op.batch_alter_table("job_record", schema=None) as batch_op:
        for column in ("workspace", "name", "base_model", "status", "created_at", "created_by"):
            batch_op.create_index(batch_op.f(f"ix_job_record_{column}"), [column], unique=False)
        batch_op.create_index(batch_op.f("ix_job_record_gone_at"), ["gone_at"], unique=False)

    op.create_table(
        "job_transition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace", _STRING(length=64), nullable=False),
        sa.Column("job_id", _STRING(length=255), nullable=False),
        sa.Column("status", _STRING(length=32), nullable=False),
        sa.Column("observed_at", sa.Integer(), nullable=False),
        sa.Column("poll_interval_seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("workspace", "job_id", "status", name="uq_job_transition_status"),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("job_transition")
    with op.batch_alter_table("job_record", schema=None) as batch_op:
        for column in (
            "gone_at",
            "created_by",
            "created_at",
            "status",
            "base_model",
            "name",
            "workspace",
        ):
            batch_op.drop_index(batch_op.f(f"ix_job_record_{column}"))
    op.drop_table("job_record")
