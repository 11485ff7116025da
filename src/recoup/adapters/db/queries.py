"""Read models computed in SQL: one set-based statement each, pushed down to the database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence

from sqlalchemy import Connection, and_, case, func, literal, select, union_all

from recoup.adapters.db import rows
from recoup.adapters.db.tables import allocations, customers, invoices
from recoup.domain.aging import AgingReport, AgingRow, bucket_labels, check_edges, due_date_thresholds
from recoup.domain.money import Money
from recoup.domain.payments import Allocation


class SqlQueries:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def _open_items(self, as_of: dt.date):  # type: ignore[no-untyped-def]
        """Open balance per invoice as of a date: a union of two index-friendly selects.

        Invoices still open today carry their balance; an amount applied after
        ``as_of`` was still owed on that day, so it is added back. Invoices
        closed after ``as_of`` were open then, with the same correction.
        """
        later = (
            select(func.coalesce(func.sum(allocations.c.amount_minor), 0))
            .where(allocations.c.invoice_id == invoices.c.id, allocations.c.applied_on > as_of)
            .scalar_subquery()
        )
        cols = (invoices.c.customer_id, invoices.c.currency, invoices.c.due_date)
        still_open = select(*cols, invoices.c.balance_minor.label("open_minor")).where(
            invoices.c.closed_on.is_(None), invoices.c.issue_date <= as_of
        )
        closed_later = select(*cols, later.label("open_minor")).where(
            invoices.c.closed_on > as_of, invoices.c.issue_date <= as_of
        )
        # Invoices still open with amounts applied after as_of: add those back too.
        reopened = (
            select(*cols, later.label("open_minor"))
            .where(invoices.c.closed_on.is_(None), invoices.c.issue_date <= as_of)
            .where(
                invoices.c.id.in_(select(allocations.c.invoice_id).where(allocations.c.applied_on > as_of))
            )
        )
        return union_all(still_open, closed_later, reopened).subquery("items")

    def aging(self, as_of: dt.date, edges: Sequence[int]) -> AgingReport:
        edges = check_edges(edges)
        labels = bucket_labels(edges)
        limits = due_date_thresholds(as_of, edges)
        items = self._open_items(as_of)
        # bucket i holds due dates in [limits[i], limits[i-1]); bucket 0 is due on or after as_of.
        sums = []
        for i in range(len(labels)):
            conds = []
            if i < len(limits):
                conds.append(items.c.due_date >= limits[i])
            if i > 0:
                conds.append(items.c.due_date < limits[i - 1])
            sums.append(func.sum(case((and_(*conds), items.c.open_minor), else_=literal(0))))
        per_case = (
            select(items.c.customer_id, items.c.currency, *sums)
            .group_by(items.c.customer_id, items.c.currency)
            .having(func.sum(items.c.open_minor) != 0)
            .subquery("per_case")
        )
        query = (
            select(per_case, customers.c.name)
            .join(customers, customers.c.id == per_case.c.customer_id)
            .order_by(per_case.c.customer_id, per_case.c.currency)
        )
        result = []
        for row in self.conn.execute(query):
            customer_id, currency, *amounts, name = row
            buckets = tuple(Money.from_minor(int(a or 0), currency) for a in amounts)
            result.append(AgingRow(customer_id, name, currency, buckets))
        return AgingReport(as_of, labels, tuple(result))

    def allocations_for(self, invoice_numbers: Collection[str]) -> list[Allocation]:
        found: list[Allocation] = []
        for batch in rows.chunks(sorted(invoice_numbers)):
            query = (
                select(allocations, invoices.c.number)
                .join(invoices, invoices.c.id == allocations.c.invoice_id)
                .where(invoices.c.number.in_(batch))
                .order_by(allocations.c.applied_on, allocations.c.id)
            )
            found += [rows.to_allocation(r) for r in self.conn.execute(query).mappings()]
        return found
