"""Repositories on one SQLAlchemy connection: customers, contacts, invoices, payments, credit notes, log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import Connection, Table, bindparam, func, select, text, update

from recoup.adapters.db import rows
from recoup.adapters.db.tables import (
    activities,
    allocations,
    contacts,
    credit_notes,
    customers,
    invoices,
    payments,
)
from recoup.domain.activity import Activity
from recoup.domain.customers import Contact, Customer
from recoup.domain.invoices import Invoice
from recoup.domain.payments import Allocation, CreditNote, Payment
from recoup.services.ports import InvoiceChange

BULK_ROWS = 10_000
"""After adding this many rows at once, PostgreSQL's statistics of the table are refreshed."""


class _Repo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def _added(self, table: Table, count: int) -> None:
        """Refresh PostgreSQL's statistics after a bulk insert, inside the same transaction.

        psycopg prepares statements it runs often, and PostgreSQL then keeps a
        generic plan made from the statistics of that moment. A lookup planned
        while a table was empty (the existing-key check at the start of an
        import) would keep scanning the whole table once it holds a million
        rows, for every batch of keys: hours instead of seconds. ANALYZE
        invalidates those plans; autovacuum would do it too, but only later.
        """
        if count >= BULK_ROWS and self.conn.dialect.name == "postgresql":
            self.conn.execute(text(f"ANALYZE {table.name}"))


class SqlCustomers(_Repo):
    def get(self, customer_id: str) -> Customer | None:
        row = self.conn.execute(select(customers).where(customers.c.id == customer_id)).mappings().first()
        return rows.to_customer(row) if row else None

    def get_many(self, ids: Collection[str]) -> dict[str, Customer]:
        found: dict[str, Customer] = {}
        for batch in rows.chunks(list(ids)):
            query = select(customers).where(rows.member(self.conn, customers.c.id, batch))
            for r in self.conn.execute(query).mappings():
                found[r["id"]] = rows.to_customer(r)
        return found

    def add_many(self, items: Sequence[Customer]) -> None:
        for batch in rows.chunks(items):
            self.conn.execute(customers.insert(), [rows.customer_row(c) for c in batch])
        self._added(customers, len(items))

    def update_many(self, items: Sequence[Customer]) -> None:
        if not items:
            return
        columns = [k for k in rows.customer_row(items[0]) if k != "id"]
        stmt = (
            update(customers)
            .where(customers.c.id == bindparam("p_id"))
            .values({**{k: bindparam(f"p_{k}") for k in columns}, "version": customers.c.version + 1})
        )
        params = [{f"p_{k}": v for k, v in rows.customer_row(c).items()} for c in items]
        for batch in rows.chunks(params):
            self.conn.execute(stmt, batch)

    def list(self, *, offset: int = 0, limit: int | None = None) -> list[Customer]:
        query = select(customers).order_by(customers.c.id).offset(offset).limit(limit)
        return [rows.to_customer(r) for r in self.conn.execute(query).mappings()]

    def count(self) -> int:
        return int(self.conn.execute(select(func.count()).select_from(customers)).scalar_one())

    def find_by_tax_id(self, tax_id: str) -> list[Customer]:
        query = select(customers).where(customers.c.tax_id == tax_id)
        return [rows.to_customer(r) for r in self.conn.execute(query).mappings()]


class SqlContacts(_Repo):
    def for_customer(self, customer_id: str) -> list[Contact]:
        query = select(contacts).where(contacts.c.customer_id == customer_id).order_by(contacts.c.id)
        return [rows.to_contact(r) for r in self.conn.execute(query).mappings()]

    def for_customers(self, customer_ids: Collection[str]) -> dict[str, list[Contact]]:
        found: dict[str, list[Contact]] = {}
        for batch in rows.chunks(sorted(set(customer_ids))):
            query = select(contacts).where(rows.member(self.conn, contacts.c.customer_id, batch))
            query = query.order_by(contacts.c.id)
            for r in self.conn.execute(query).mappings():
                found.setdefault(r["customer_id"], []).append(rows.to_contact(r))
        return found

    def get_many(self, keys: Collection[tuple[str, str]]) -> dict[tuple[str, str], Contact]:
        wanted = set(keys)
        found: dict[tuple[str, str], Contact] = {}
        for batch in rows.chunks(sorted({cid for cid, _ in wanted})):
            for r in self.conn.execute(select(contacts).where(contacts.c.customer_id.in_(batch))).mappings():
                key = (r["customer_id"], r["name"])
                if key in wanted:
                    found[key] = rows.to_contact(r)
        return found

    def add_many(self, items: Sequence[Contact]) -> None:
        for batch in rows.chunks(items):
            self.conn.execute(contacts.insert(), [rows.contact_row(c) for c in batch])
        self._added(contacts, len(items))

    def update_many(self, items: Sequence[Contact]) -> None:
        stmt = (
            update(contacts)
            .where(contacts.c.customer_id == bindparam("cid"), contacts.c.name == bindparam("cname"))
            .values(
                role=bindparam("role"),
                email=bindparam("email"),
                phone=bindparam("phone"),
                valid=bindparam("valid"),
            )
        )
        params = [
            {
                "cid": c.customer_id,
                "cname": c.name,
                "role": c.role.value,
                "email": c.email,
                "phone": c.phone,
                "valid": c.valid,
            }
            for c in items
        ]
        for batch in rows.chunks(params):
            self.conn.execute(stmt, batch)


class SqlInvoices(_Repo):
    def get(self, number: str) -> Invoice | None:
        row = self.conn.execute(select(invoices).where(invoices.c.number == number)).mappings().first()
        return rows.to_invoice(row) if row else None

    def get_many(self, numbers: Collection[str]) -> dict[str, Invoice]:
        found: dict[str, Invoice] = {}
        for batch in rows.chunks(list(numbers)):
            for r in self.conn.execute(select(invoices).where(invoices.c.number.in_(batch))).mappings():
                found[r["number"]] = rows.to_invoice(r)
        return found

    def add_many(self, items: Sequence[Invoice]) -> None:
        for batch in rows.chunks(items):
            self.conn.execute(invoices.insert(), [rows.invoice_row(i) for i in batch])
        self._added(invoices, len(items))

    def open_for_customers(self, customer_ids: Collection[str]) -> list[Invoice]:
        found: list[Invoice] = []
        for batch in rows.chunks(sorted(customer_ids)):
            query = (
                select(invoices)
                .where(invoices.c.customer_id.in_(batch), invoices.c.closed_on.is_(None))
                .order_by(invoices.c.due_date, invoices.c.issue_date, invoices.c.number)
            )
            found += [rows.to_invoice(r) for r in self.conn.execute(query).mappings()]
        return found

    def for_customer(self, customer_id: str) -> list[Invoice]:
        query = (
            select(invoices)
            .where(invoices.c.customer_id == customer_id)
            .order_by(invoices.c.due_date, invoices.c.number)
        )
        return [rows.to_invoice(r) for r in self.conn.execute(query).mappings()]

    def change_many(self, changes: Sequence[InvoiceChange]) -> None:
        rows.update_many(
            self.conn,
            invoices,
            "number",
            ("balance_minor", "status", "closed_on", "first_applied_on"),
            [(c.number, c.balance.minor, c.status, c.closed_on, c.first_applied_on) for c in changes],
        )

    def add_adjustments(self, allocs: Sequence[Allocation]) -> None:
        _add_allocations(self.conn, allocs, None, "payment_id")


ALLOCATION_COLUMNS = (
    *("invoice_id", "kind", "payment_id", "credit_note_id"),
    *("source", "currency", "amount_minor", "applied_on"),
)


def _add_allocations(conn: Connection, items: Sequence[Allocation], source: Any, source_column: str) -> None:
    """Store allocations; ``source`` is the id and key columns of the table of their sources
    (payments or credit notes), None for none. Invoice and source ids are looked up in SQL."""
    if not items:
        return
    payment = source_column == "payment_id"
    values = [
        (
            a.invoice_number,
            a.kind.value,
            a.source if payment and source is not None else None,
            a.source if not payment and source is not None else None,
            a.source,
            a.amount.currency,
            a.amount.minor,
            a.applied_on,
        )
        for a in items
    ]
    ids = {"invoice_id": (invoices.c.id, invoices.c.number)}
    if source is not None:
        ids[source_column] = source
    rows.insert_many(conn, allocations, ALLOCATION_COLUMNS, values, ids=ids)
    if len(items) >= BULK_ROWS and conn.dialect.name == "postgresql":
        conn.execute(text("ANALYZE allocations"))


class SqlPayments(_Repo):
    def get_many(self, references: Collection[str]) -> dict[str, Payment]:
        found: dict[str, Payment] = {}
        for batch in rows.chunks(list(references)):
            for r in self.conn.execute(select(payments).where(payments.c.reference.in_(batch))).mappings():
                found[r["reference"]] = rows.to_payment(r)
        return found

    def add_many(self, items: Sequence[Payment], allocs: Sequence[Allocation]) -> None:
        columns = (
            "reference",
            "customer_id",
            "date",
            "currency",
            "amount_minor",
            "unapplied_minor",
            "invoices",
        )
        values = [
            (
                p.reference,
                p.customer_id,
                p.date,
                p.amount.currency,
                p.amount.minor,
                p.unapplied.minor if p.unapplied else 0,
                ";".join(p.invoices),
            )
            for p in items
        ]
        rows.insert_many(self.conn, payments, columns, values)
        self._added(payments, len(items))
        _add_allocations(self.conn, allocs, (payments.c.id, payments.c.reference), "payment_id")

    def for_customer(self, customer_id: str) -> list[Payment]:
        query = select(payments).where(payments.c.customer_id == customer_id).order_by(payments.c.date)
        return [rows.to_payment(r) for r in self.conn.execute(query).mappings()]


class SqlCreditNotes(_Repo):
    def get_many(self, numbers: Collection[str]) -> dict[str, CreditNote]:
        found: dict[str, CreditNote] = {}
        for batch in rows.chunks(list(numbers)):
            query = select(credit_notes).where(credit_notes.c.number.in_(batch))
            for r in self.conn.execute(query).mappings():
                found[r["number"]] = rows.to_credit_note(r)
        return found

    def add_many(self, items: Sequence[CreditNote], allocs: Sequence[Allocation]) -> None:
        for batch in rows.chunks(items):
            self.conn.execute(
                credit_notes.insert(),
                [
                    {
                        "number": n.number,
                        "customer_id": n.customer_id,
                        "date": n.date,
                        "currency": n.amount.currency,
                        "amount_minor": n.amount.minor,
                        "unapplied_minor": n.unapplied.minor if n.unapplied else 0,
                        "invoice_number": n.invoice_number,
                    }
                    for n in batch
                ],
            )
        self._added(credit_notes, len(items))
        _add_allocations(self.conn, allocs, (credit_notes.c.id, credit_notes.c.number), "credit_note_id")

    def for_customer(self, customer_id: str) -> list[CreditNote]:
        query = select(credit_notes).where(credit_notes.c.customer_id == customer_id)
        return [
            rows.to_credit_note(r) for r in self.conn.execute(query.order_by(credit_notes.c.date)).mappings()
        ]


class SqlActivities(_Repo):
    def add_many(self, items: Sequence[Activity]) -> None:
        columns = ("at", "kind", "actor", "customer_id", "invoices", "text", "document", "data")
        values = [
            (a.at, a.kind, a.actor, a.customer_id, list(a.invoices), a.text, a.document, a.data)
            for a in items
        ]
        rows.insert_many(self.conn, activities, columns, values)

    def recent(
        self, customer_ids: Collection[str] | None, kinds: Collection[str], since: dt.datetime
    ) -> list[Activity]:
        base = select(activities).where(activities.c.kind.in_(sorted(set(kinds))), activities.c.at >= since)
        base = base.order_by(activities.c.at, activities.c.id)
        if customer_ids is None:
            return [rows.to_activity(r) for r in self.conn.execute(base).mappings()]
        wanted = set(customer_ids)
        if len(wanted) > rows.CHUNK:  # many customers: the recent entries of these kinds are few; filter here
            return [
                rows.to_activity(r) for r in self.conn.execute(base).mappings() if r["customer_id"] in wanted
            ]
        query = base.where(activities.c.customer_id.in_(sorted(wanted)))
        return [rows.to_activity(r) for r in self.conn.execute(query).mappings()]

    def last_id(self, customer_id: str) -> int:
        query = select(func.max(activities.c.id)).where(activities.c.customer_id == customer_id)
        return int(self.conn.execute(query).scalar() or 0)

    def for_customer(self, customer_id: str, *, limit: int | None = None) -> list[Activity]:
        query = (
            select(activities)
            .where(activities.c.customer_id == customer_id)
            .order_by(activities.c.at.desc(), activities.c.id.desc())
            .limit(limit)
        )
        return [rows.to_activity(r) for r in self.conn.execute(query).mappings()]
