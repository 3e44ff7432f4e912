"""history order index: a job record's workspace, its time (created, else first seen), id

Revision ID: 9c4e7a1d2b36
Revises: 5b1f0c2a9d47
Create Date: 2026-12-07 10:00:00

Written by hand: an expression index (``ftapp.models.JobRecord``), so that a page of the
history in its default order (``ftapp.history.query``) reads its rows in index order, either
direction, instead of sorting every record of the workspace first.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "9c4e7a1d2b36"
down_revision: str | Sequence[str] | None = "5b1f0c2a9d47"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NAME = "ix_job_record_workspace_when"


def upgrade() -> None:
    """Upgrade schema."""
    op.create_index(
        _NAME,
        "job_record",
        ["workspace", sa.text("coalesce(created_at, first_seen_at)"), "id"],
        unique=False,
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(_NAME, table_name="job_record")
