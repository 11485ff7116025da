"""Paged, filtered lists in SQL: one statement for the page and one for the count, each set-based.

The filters push down to the database and the pages come from an index where
one fits: customers by id (the primary key), a customer's invoices and
activities through their customer indexes, the open balances of a page's
customers through the partial index of open invoices (``ix_invoices_open``).
Nothing reads the whole ledger to show fifty rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from sqlalchemy import BigInteger, Connection, Select, case, cast, exists, func, literal, select

from recoup.adapters.db import rows
from recoup.adapters.db.case_repos import to_task
from recoup.adapters.db.tables import activities, customers, invoices, payments, tasks
from recoup.domain.activity import Activity
from recoup.domain.customers import Customer
from recoup.domain.invoices import Invoice
from recoup.domain.money import Money
from recoup.domain.payments import Payment
from recoup.domain.tasks import Task


def _owner_is(column: Any, email: str) -> Any:
    return func.lower(func.trim(column)) == email.strip().lower()


def _owned(customer_id: Any, email: str) -> Any:
    """The record's customer has ``email`` as its sales owner."""
    return customer_id.in_(select(customers.c.id).where(_owner_is(customers.c.sales_owner, email)))


class SqlListings:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def _page(self, query: Select[Any], order: list[Any], offset: int, limit: int) -> tuple[list[Any], int]:
        total = self.conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        found = self.conn.execute(query.order_by(*order).offset(offset).limit(limit)).mappings().all()
        return list(found), int(total)

    def customers(
        self,
        *,
        q: str | None,
        country: str | None,
        sales_owner: str | None,
        overdue_as_of: dt.date | None,
        order: str,
        offset: int,
        limit: int,
    ) -> tuple[list[Customer], int]:
        c = customers.c
        query = select(customers)
        if q:
            query = query.where(c.id.icontains(q, autoescape=True) | c.name.icontains(q, autoescape=True))
        if country:
            query = query.where(c.country == country)
        if sales_owner is not None:
            query = query.where(_owner_is(c.sales_owner, sales_owner))
        if overdue_as_of is not None:
            inv = invoices.c
            late = exists().where(
                inv.customer_id == c.id, inv.closed_on.is_(None), inv.due_date < overdue_as_of
            )
            query = query.where(late)
        keys = [c.name, c.id] if order == "name" else [c.id]
        found, total = self._page(query, keys, offset, limit)
        return [rows.to_customer(r) for r in found], total

    def balances(
        self, customer_ids: Collection[str], as_of: dt.date
    ) -> dict[str, dict[str, tuple[Money, Money]]]:
        inv = invoices.c
        late = case((inv.due_date < as_of, inv.balance_minor), else_=literal(0))
        found: dict[str, dict[str, tuple[Money, Money]]] = {}
        for batch in rows.chunks(sorted(set(customer_ids))):
            query = (
                select(
                    inv.customer_id,
                    inv.currency,
                    cast(func.sum(inv.balance_minor), BigInteger),  # PostgreSQL sums bigint as numeric
                    cast(func.sum(late), BigInteger),
                )
                .where(rows.member(self.conn, inv.customer_id, batch))
                .where(inv.closed_on.is_(None), inv.issue_date <= as_of)
                .group_by(inv.customer_id, inv.currency)
                .order_by(inv.customer_id, inv.currency)
            )
            for cid, currency, owed, overdue in self.conn.execute(query):
                found.setdefault(cid, {})[currency] = (
                    Money.from_minor(int(owed), currency),
                    Money.from_minor(int(overdue), currency),
                )
        return found

    def invoices(
        self,
        *,
        customer_id: str | None,
        status: str | None,
        currency: str | None,
        overdue_as_of: dt.date | None,
        q: str | None,
        sales_owner: str | None,
        offset: int,
        limit: int,
    ) -> tuple[list[Invoice], int]:
        inv = invoices.c
        query = select(invoices)
        if customer_id is not None:
            query = query.where(inv.customer_id == customer_id)
        if status:
            query = query.where(inv.status == status)
        if currency:
            query = query.where(inv.currency == currency)
        if overdue_as_of is not None:
            query = query.where(inv.closed_on.is_(None), inv.due_date < overdue_as_of)
        if q:
            query = query.where(inv.number.icontains(q, autoescape=True))
        if sales_owner is not None:
            query = query.where(_owned(inv.customer_id, sales_owner))
        found, total = self._page(query, [inv.due_date, inv.number], offset, limit)
        return [rows.to_invoice(r) for r in found], total

    def payments(
        self,
        *,
        customer_id: str | None,
        currency: str | None,
        since: dt.date | None,
        until: dt.date | None,
        unapplied_only: bool,
        sales_owner: str | None,
        offset: int,
        limit: int,
    ) -> tuple[list[Payment], int]:
        p = payments.c
        query = select(payments)
        if customer_id is not None:
            query = query.where(p.customer_id == customer_id)
        if currency:
            query = query.where(p.currency == currency)
        if since is not None:
            query = query.where(p.date >= since)
        if until is not None:
            query = query.where(p.date <= until)
        if unapplied_only:
            query = query.where(p.unapplied_minor > 0)
        if sales_owner is not None:
            query = query.where(_owned(p.customer_id, sales_owner))
        # Latest recorded first: the primary key serves the page (no index orders payments by date).
        found, total = self._page(query, [p.id.desc()], offset, limit)
        return [rows.to_payment(r) for r in found], total

    def activities(
        self,
        customer_id: str,
        *,
        kinds: Collection[str] | None,
        since: dt.datetime | None,
        offset: int,
        limit: int,
    ) -> tuple[list[Activity], int]:
        a = activities.c
        query = select(activities).where(a.customer_id == customer_id)
        if kinds:
            query = query.where(a.kind.in_(sorted(set(kinds))))
        if since is not None:
            query = query.where(a.at >= since)
        found, total = self._page(query, [a.at.desc(), a.id.desc()], offset, limit)
        return [rows.to_activity(r) for r in found], total

    def tasks(
        self,
        *,
        status: str | None,
        customer_id: str | None,
        assignee: str | None,
        kind: str | None,
        due_by: dt.date | None,
        sales_owner: str | None,
        offset: int,
        limit: int,
    ) -> tuple[list[Task], int]:
        t = tasks.c
        query = select(tasks)
        if status:
            query = query.where(t.status == status)
        if customer_id is not None:
            query = query.where(t.customer_id == customer_id)
        if assignee is not None:
            query = query.where(t.assignee == assignee)
        if kind:
            query = query.where(t.kind == kind)
        if due_by is not None:
            query = query.where(t.due <= due_by)
        if sales_owner is not None:
            query = query.where(_owned(t.customer_id, sales_owner))
        found, total = self._page(query, [t.due, t.id], offset, limit)
        return [to_task(r) for r in found], total
