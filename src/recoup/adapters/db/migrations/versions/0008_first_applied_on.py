"""invoices.first_applied_on: the earliest day of an amount applied to the invoice, so that aging on
a past day takes the whole amount of an invoice nothing was applied to by then instead of looking
up and summing its allocations

Revision ID: 0008
Revises: 0007

Filled here from the allocations (set-based) for the invoices with something applied, that is
those whose balance is below their amount; kept since by ``SqlInvoices.change_many``. The aging
index ``ix_invoices_closed_on`` gets the column (and on PostgreSQL the id, which SQLite's indexes
hold anyway) so that it still answers aging by itself.

It also gives the match keys the indexes ``tables.py`` declares: 0007 created them as
``ix_invoices_open_number_key`` / ``digits_key``, partial on SQLite too, but SQLite's lookups
(``bank_repos``, which read with '+closed_on') need them whole; they are
``ix_invoices_number_key`` / ``digits_key`` now, partial on PostgreSQL only.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_OPEN = sa.text("closed_on IS NULL")
_KEYS = ("number_key", "digits_key")
_AGING = ["closed_on", "issue_date", "customer_id", "currency", "due_date", "balance_minor", "amount_minor"]


def upgrade() -> None:
    op.add_column("invoices", sa.Column("first_applied_on", sa.Date(), nullable=True))
    op.execute(
        "UPDATE invoices SET first_applied_on = "
        "(SELECT min(allocations.applied_on) FROM allocations WHERE allocations.invoice_id = invoices.id) "
        "WHERE balance_minor < amount_minor"
    )
    op.drop_index("ix_invoices_closed_on", table_name="invoices")
    op.create_index(
        "ix_invoices_closed_on", "invoices", [*_AGING, "first_applied_on"], postgresql_include=["id"]
    )
    for column in _KEYS:
        op.drop_index(f"ix_invoices_open_{column}", table_name="invoices")
        op.create_index(f"ix_invoices_{column}", "invoices", [column], postgresql_where=_OPEN)


def downgrade() -> None:
    for column in _KEYS:
        op.drop_index(f"ix_invoices_{column}", table_name="invoices")
        op.create_index(
            f"ix_invoices_open_{column}", "invoices", [column], sqlite_where=_OPEN, postgresql_where=_OPEN
        )
    op.drop_index("ix_invoices_closed_on", table_name="invoices")
    op.create_index("ix_invoices_closed_on", "invoices", _AGING)
    op.execute("ALTER TABLE invoices DROP COLUMN first_applied_on")  # in place (SQLite 3.35+ too)
