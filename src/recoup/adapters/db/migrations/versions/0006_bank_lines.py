"""bank statement lines (credits) with their matching state, and the payers' IBANs recoup has learnt

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from recoup.adapters.db.tables import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bank_lines",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("booking_date", sa.Date(), nullable=False),
        sa.Column("value_date", sa.Date(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("counterparty_name", sa.String(length=200), server_default="", nullable=False),
        sa.Column("counterparty_iban", sa.String(length=34), server_default="", nullable=False),
        sa.Column("remittance", sa.Text(), server_default="", nullable=False),
        sa.Column("creditor_reference", sa.String(length=64), server_default="", nullable=False),
        sa.Column("end_to_end_id", sa.String(length=64), server_default="", nullable=False),
        sa.Column("bank_reference", sa.String(length=64), server_default="", nullable=False),
        sa.Column("source", sa.String(length=300), server_default="", nullable=False),
        sa.Column("sequence", sa.Integer(), server_default="0", nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=True),
        sa.Column("payment_reference", sa.String(length=64), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("suggestions", sa.JSON(), nullable=False),
        sa.Column("imported_at", UTCDateTime(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("decided_by", sa.String(length=254), server_default="", nullable=False),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_bank_lines_amount_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_lines")),
        sa.UniqueConstraint("key", name=op.f("uq_bank_lines_key")),
    )
    op.create_index("ix_bank_lines_status", "bank_lines", ["status", "booking_date"])
    op.create_table(
        "payer_ibans",
        sa.Column("iban", sa.String(length=34), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("learnt_by", sa.String(length=254), nullable=False),
        sa.Column("learnt_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_payer_ibans_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("iban", "customer_id", name=op.f("pk_payer_ibans")),
    )


def downgrade() -> None:
    op.drop_table("payer_ibans")
    op.drop_index("ix_bank_lines_status", table_name="bank_lines")
    op.drop_table("bank_lines")
