"""Use cases that change the ledger: invoices, payments and credit notes, with their log entries.

Amounts applied to invoices are computed in memory on the customers' open
invoices (so several payments on one invoice in one batch add up), then
written in one go through the unit of work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from recoup.domain.activity import Activity
from recoup.domain.invoices import Invoice, InvoiceStatus
from recoup.domain.money import Money
from recoup.domain.payments import (
    Allocation,
    AllocationKind,
    CreditNote,
    Payment,
    apply_amount,
    closed_status,
)
from recoup.services.ports import InvoiceChange, UnitOfWork


@dataclass
class Applied:
    """What applying a batch did."""

    allocations: list[Allocation] = field(default_factory=list)
    oldest_first: list[str] = field(default_factory=list)  # sources allocated without named invoices
    unapplied: dict[str, Money] = field(default_factory=dict)  # source -> unapplied rest


class _OpenBook:
    """The open invoices of some customers, updated as amounts are applied."""

    def __init__(self, uow: UnitOfWork, customer_ids: set[str]) -> None:
        self.uow = uow
        self.by_customer: dict[str, dict[str, Invoice]] = {}
        self.partly_paid: set[str] = set()  # invoices with allocations from earlier batches
        for inv in uow.invoices.open_for_customers(customer_ids):
            self.by_customer.setdefault(inv.customer_id, {})[inv.number] = inv
            if inv.open_balance != inv.amount:
                self.partly_paid.add(inv.number)
        self.changed: dict[str, InvoiceChange] = {}

    def apply(
        self,
        customer_id: str,
        amount: Money,
        named: Sequence[str],
        kind: AllocationKind,
        source: str,
        on: dt.date,
        applied: Applied,
    ) -> tuple[Money, tuple[Allocation, ...]]:
        book = self.by_customer.get(customer_id, {})
        if named:  # named invoices already closed are skipped: their money stays unapplied
            named = [n for n in named if n in book and book[n].status is InvoiceStatus.OPEN]
            candidates = [book[n] for n in named]
            if not named:
                return self._unapplied(amount, source, applied)
        else:
            candidates = list(book.values())
        result = apply_amount(amount, candidates, named=named, kind=kind, source=source, applied_on=on)
        closing = closed_status(kind)
        for alloc in result.allocations:
            inv = book[alloc.invoice_number]
            balance = inv.open_balance - alloc.amount
            status = closing if balance.is_zero() else InvoiceStatus.OPEN
            closed = on if balance.is_zero() else None
            first = on if inv.first_applied_on is None else min(inv.first_applied_on, on)
            if closed:
                del book[inv.number]  # the book holds open invoices only
            else:
                book[inv.number] = replace(inv, balance=balance, first_applied_on=first)
            self.changed[inv.number] = InvoiceChange(inv.number, balance, status.value, closed, first)
        applied.allocations.extend(result.allocations)
        if result.oldest_first and result.allocations:
            applied.oldest_first.append(source)
        if not result.unapplied.is_zero():
            applied.unapplied[source] = result.unapplied
        return result.unapplied, result.allocations

    def changes(self) -> list[InvoiceChange]:
        """The changed invoices; one closes on the date of its latest allocation.

        An amount recorded late but dated before one applied in an earlier
        batch must not close the invoice before the money that completed it.
        """
        closing = [n for n, c in self.changed.items() if c.closed_on and n in self.partly_paid]
        latest: dict[str, dt.date] = {}
        for a in self.uow.queries.allocations_for(closing) if closing else ():
            latest[a.invoice_number] = max(a.applied_on, latest.get(a.invoice_number, a.applied_on))
        for number, last in latest.items():
            change = self.changed[number]
            if change.closed_on is not None and last > change.closed_on:
                self.changed[number] = replace(change, closed_on=last)
        return list(self.changed.values())

    @staticmethod
    def _unapplied(amount: Money, source: str, applied: Applied) -> tuple[Money, tuple[Allocation, ...]]:
        applied.unapplied[source] = amount
        return amount, ()


def record_payments(uow: UnitOfWork, payments: Sequence[Payment], *, at: dt.datetime, actor: str) -> Applied:
    """Store payments, apply them in date order, and log one entry per payment."""
    applied = Applied()
    book = _OpenBook(uow, {p.customer_id for p in payments})
    stored = []
    log = []
    for p in sorted(payments, key=lambda p: (p.date, p.reference)):
        rest, mine = book.apply(
            p.customer_id, p.amount, p.invoices, AllocationKind.PAYMENT, p.reference, p.date, applied
        )
        stored.append(Payment(p.reference, p.customer_id, p.date, p.amount, rest, p.invoices, p.id))
        how = "" if p.invoices else " (oldest first)" if mine else ""
        text = f"Payment {p.reference} of {p.amount} received on {p.date}"
        if mine:
            text += ", applied to " + ", ".join(f"{a.invoice_number} ({a.amount.amount})" for a in mine) + how
        if not rest.is_zero():
            text += f"; {rest} kept as unapplied cash"
        log.append(
            Activity(
                "payment",
                at,
                actor,
                p.customer_id,
                text,
                invoices=tuple(a.invoice_number for a in mine),
                data={
                    "reference": p.reference,
                    "amount": str(p.amount.amount),
                    "currency": p.amount.currency,
                    "date": p.date.isoformat(),
                    "unapplied": str(rest.amount),
                },
            )
        )
    uow.payments.add_many(stored, applied.allocations)
    uow.invoices.change_many(book.changes())
    uow.activities.add_many(log)
    return applied


def record_credit_notes(
    uow: UnitOfWork, notes: Sequence[CreditNote], *, at: dt.datetime, actor: str
) -> Applied:
    """Store credit notes and apply each to the invoice it references (else oldest first)."""
    applied = Applied()
    book = _OpenBook(uow, {n.customer_id for n in notes})
    stored = []
    log = []
    for n in sorted(notes, key=lambda n: (n.date, n.number)):
        named = (n.invoice_number,) if n.invoice_number else ()
        rest, mine = book.apply(
            n.customer_id, n.amount, named, AllocationKind.CREDIT_NOTE, n.number, n.date, applied
        )
        stored.append(replace(n, unapplied=rest))
        log.append(
            Activity(
                "credit_note",
                at,
                actor,
                n.customer_id,
                f"Credit note {n.number} of {n.amount} dated {n.date}",
                invoices=tuple(a.invoice_number for a in mine),
                data={"number": n.number, "amount": str(n.amount.amount), "currency": n.amount.currency},
            )
        )
    uow.credit_notes.add_many(stored, applied.allocations)
    uow.invoices.change_many(book.changes())
    uow.activities.add_many(log)
    return applied
