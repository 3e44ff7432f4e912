"""history indexes: the default order (workspace, created else first seen, id), the choices

Revision ID: 9c4e7a1d2b36
Revises: 5b1f0c2a9d47
Create Date: 2026-12-07 10:00:00

Written by hand (``ftapp.models.JobRecord``): an expression index, so that a page of the
history in its default order (``ftapp.history.query``) reads its rows in index order, either
direction, instead of sorting every record of the workspace first; and (workspace, model),
(workspace, creator), so that the filters' choices are read from an index alone.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "9c4e7a1d2b36"
down_revision: str | Sequence[str] | None = "5b1f0c2a9d47"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEXES = {
    "ix_job_record_workspace_when": [
        "workspace",
        sa.text("coalesce(created_at, first_seen_at)"),
        "id",
    ],
    "ix_job_record_workspace_model": ["workspace", "base_model"],
    "ix_job_record_workspace_creator": ["workspace", "created_by"],
}


def upgrade() -> None:
    """Upgrade schema."""
    for name, columns in _INDEXES.items():
        op.create_index(name, "job_record", columns, unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    for name in reversed(_INDEXES):
        op.drop_index(name, table_name="job_record")
