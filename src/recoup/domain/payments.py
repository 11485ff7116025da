"""Payments, credit notes and how they are applied to invoices.

A payment or credit note is applied to invoices through allocations. Named
invoices are paid first, in the order given; without names the oldest open
invoices are paid first. Whatever is left stays on the customer as unapplied
cash: it is never lost and never invented.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from recoup.domain.errors import AllocationError, CurrencyMismatchError, InvalidValueError
from recoup.domain.invoices import Invoice, InvoiceStatus
from recoup.domain.money import Money


class AllocationKind(StrEnum):
    PAYMENT = "payment"
    CREDIT_NOTE = "credit_note"
    SETTLEMENT = "settlement"
    WRITE_OFF = "write_off"


@dataclass(frozen=True, slots=True)
class Payment:
    """Money received from a customer.

    Fields:
        reference: the bank or remittance reference (natural key).
        customer_id: who paid.
        date: the day the money arrived.
        amount: what arrived, positive.
        unapplied: what is not (yet) applied to any invoice.
        invoices: invoice numbers the payer named, in order ('' none).
        id: storage id, None before it is stored.
    """

    reference: str
    customer_id: str
    date: dt.date
    amount: Money
    unapplied: Money | None = None
    invoices: tuple[str, ...] = ()
    id: int | None = None

    def __post_init__(self) -> None:
        if not self.reference.strip():
            raise InvalidValueError("a payment needs a reference")
        if self.amount.amount <= 0:
            raise InvalidValueError(f"payment {self.reference}: amount must be positive")
        if self.unapplied is None:
            object.__setattr__(self, "unapplied", self.amount)


@dataclass(frozen=True, slots=True)
class CreditNote:
    """A credit the supplier gives; applied to invoices like a payment.

    Fields:
        number: the credit note's number (natural key).
        customer_id, date, amount: as for a payment; amount is positive.
        invoice_number: the invoice it corrects, '' if none.
        unapplied: what is not applied yet.
    """

    number: str
    customer_id: str
    date: dt.date
    amount: Money
    invoice_number: str = ""
    unapplied: Money | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        if self.amount.amount <= 0:
            raise InvalidValueError(f"credit note {self.number}: amount must be positive")
        if self.unapplied is None:
            object.__setattr__(self, "unapplied", self.amount)


@dataclass(frozen=True, slots=True)
class Allocation:
    """Part of a payment, credit note, settlement or write-off applied to one invoice.

    Fields:
        invoice_number: the invoice reduced.
        amount: by how much (positive, in the invoice's currency).
        kind: payment, credit_note, settlement or write_off.
        source: the payment reference or credit note number ('' for a write-off).
        applied_on: the business date it takes effect.
    """

    invoice_number: str
    amount: Money
    kind: AllocationKind
    source: str
    applied_on: dt.date


@dataclass(frozen=True, slots=True)
class Application:
    """The outcome of applying one amount: allocations and what is left over."""

    allocations: tuple[Allocation, ...]
    unapplied: Money
    oldest_first: bool


def oldest_first(invoices: Sequence[Invoice]) -> list[Invoice]:
    return sorted(invoices, key=lambda inv: (inv.due_date, inv.issue_date, inv.number))


def apply_amount(
    amount: Money,
    open_invoices: Sequence[Invoice],
    *,
    named: Sequence[str] = (),
    kind: AllocationKind,
    source: str,
    applied_on: dt.date,
) -> Application:
    """Apply ``amount`` to ``open_invoices``: the ``named`` ones in order, else oldest first.

    Never allocates more than an invoice's balance or more than ``amount``;
    the rest is returned as ``unapplied``.
    """
    by_number = {inv.number: inv for inv in open_invoices}
    for number in named:
        if number not in by_number:
            raise AllocationError(f"invoice {number} is not an open invoice of this customer")
    if named:
        targets = [by_number[n] for n in dict.fromkeys(named)]
    else:  # unnamed money pays the oldest open invoices in its own currency; others are not its to pay
        targets = oldest_first(
            [
                inv
                for inv in open_invoices
                if inv.status is InvoiceStatus.OPEN and inv.currency == amount.currency
            ]
        )
    left = amount
    allocations = []
    for inv in targets:
        if left.is_zero():
            break
        if inv.currency != amount.currency:
            raise CurrencyMismatchError(
                f"{source}: {amount.currency} cannot pay invoice {inv.number} in {inv.currency}"
            )
        part = min(left, inv.open_balance)
        if part.amount <= 0:
            continue
        allocations.append(Allocation(inv.number, part, kind, source, applied_on))
        left = left - part
    return Application(tuple(allocations), left, oldest_first=not named)


def closed_status(kind: AllocationKind) -> InvoiceStatus:
    """The status an invoice takes when an allocation of ``kind`` brings its balance to zero."""
    return {
        AllocationKind.SETTLEMENT: InvoiceStatus.SETTLED,
        AllocationKind.WRITE_OFF: InvoiceStatus.WRITTEN_OFF,
    }.get(kind, InvoiceStatus.PAID)
