"""invoices and customers carry the keys cash application finds them by, indexed: a small statement
looks its invoices and payers up instead of reading every open invoice and every customer

Revision ID: 0007
Revises: 0006

invoices.number_key and digits_key are ``matching.number_keys`` of the number (the number compacted,
then its digits without the letters in front, null when the same), indexed (on PostgreSQL for the
open invoices only);
customers.name_key is ``matching.name_key`` of the name and id_key the compacted id (``customer_rf``
is made of it). They are the domain's normalisations, worked out in Python: here for the rows
already stored, by ``rows.invoice_row`` and ``rows.customer_row`` for every row written since. A
change to those normalisations needs a migration that fills the columns again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import op

from recoup.adapters.db.rows import customer_keys, invoice_keys, update_many

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_BATCH = 50_000
_OPEN = sa.text("closed_on IS NULL")


def upgrade() -> None:
    op.add_column("invoices", sa.Column("number_key", sa.String(length=64), nullable=True))
    op.add_column("invoices", sa.Column("digits_key", sa.String(length=64), nullable=True))
    op.add_column("customers", sa.Column("name_key", sa.Text(), nullable=True))
    op.add_column("customers", sa.Column("id_key", sa.String(length=64), nullable=True))
    _fill(
        "invoices",
        sa.Integer(),
        "number",
        ("number_key", "digits_key"),
        lambda number, _: invoice_keys(number),
    )
    _fill(
        "customers", sa.String(), "name", ("name_key", "id_key"), lambda name, cid: customer_keys(cid, name)
    )
    for column in ("number_key", "digits_key"):
        op.create_index(
            f"ix_invoices_open_{column}", "invoices", [column], sqlite_where=_OPEN, postgresql_where=_OPEN
        )
    op.create_index("ix_customers_name_key", "customers", ["name_key"])
    op.create_index("ix_customers_id_key", "customers", ["id_key"])


def _fill(
    name: str,
    id_type: Any,
    source: str,
    columns: tuple[str, str],
    keys: Callable[[Any, Any], tuple[Any, ...]],
) -> None:
    """Work ``columns`` out of ``source`` and the id for every row, a batch at a time in id order."""
    conn = op.get_bind()
    key = "id"
    table = sa.table(
        name,
        sa.column(key, id_type),
        sa.column(source, sa.String()),
        *(sa.column(c, sa.String()) for c in columns),
    )
    last: Any = None
    while True:
        query = sa.select(table.c[key], table.c[source]).order_by(table.c[key]).limit(_BATCH)
        if last is not None:
            query = query.where(table.c[key] > last)
        found = conn.execute(query).all()
        if not found:
            return
        last = found[-1][0]
        update_many(conn, table, key, columns, [(k, *keys(value, k)) for k, value in found])


def downgrade() -> None:
    op.drop_index("ix_customers_id_key", table_name="customers")
    op.drop_index("ix_customers_name_key", table_name="customers")
    for column in ("digits_key", "number_key"):
        op.drop_index(f"ix_invoices_open_{column}", table_name="invoices")  # as upgrade names them
    for table, column in (
        ("invoices", "digits_key"),
        ("invoices", "number_key"),
        ("customers", "id_key"),
        ("customers", "name_key"),
    ):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")  # in place (SQLite 3.35+ too)
