"""Index the activity log by kind and time: the daily run reads the recent calls and visits of every case.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_activities_kind_at", "activities", ["kind", "at"])


def downgrade() -> None:
    op.drop_index("ix_activities_kind_at", table_name="activities")
