"""tasks keep their worklist score and the day it was worked out, so the worklist is one ordered read

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("score", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("scored_on", sa.Date(), nullable=True))
    op.create_index("ix_tasks_status_due", "tasks", ["status", "due"])


def downgrade() -> None:
    op.drop_index("ix_tasks_status_due", table_name="tasks")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_column("scored_on")
        batch_op.drop_column("score")
