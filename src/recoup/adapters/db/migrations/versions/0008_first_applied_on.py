"""invoices.first_applied_on: the earliest day of an amount applied to the invoice, so that aging on
a past day takes the whole amount of an invoice nothing was applied to by then instead of looking
up and summing its allocations one invoice at a time

Revision ID: 0008
Revises: 0007

Filled here from the allocations (set-based) for the invoices with something applied, that is
those whose balance is below their amount; kept since by ``SqlInvoices.change_many``. The aging
index ``ix_invoices_closed_on`` gets the column so that it still answers aging by itself.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_AGING = ["closed_on", "issue_date", "customer_id", "currency", "due_date", "balance_minor", "amount_minor"]


def upgrade() -> None:
    op.add_column("invoices", sa.Column("first_applied_on", sa.Date(), nullable=True))
    op.execute(
        "UPDATE invoices SET first_applied_on = "
        "(SELECT min(allocations.applied_on) FROM allocations WHERE allocations.invoice_id = invoices.id) "
        "WHERE balance_minor < amount_minor"
    )
    op.drop_index("ix_invoices_closed_on", table_name="invoices")
    op.create_index("ix_invoices_closed_on", "invoices", [*_AGING, "first_applied_on"])


def downgrade() -> None:
    op.drop_index("ix_invoices_closed_on", table_name="invoices")
    op.create_index("ix_invoices_closed_on", "invoices", _AGING)
    op.execute("ALTER TABLE invoices DROP COLUMN first_applied_on")  # in place (SQLite 3.35+ too)
