"""Invoices and the status of each one.

An invoice's balance is its amount minus everything applied to it:
payments, credit notes, settlements and write-offs (see ``payments``).
Whether it is overdue is never stored: it follows from the due date and
the day one asks (``as_of``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from recoup.domain.errors import InvalidValueError
from recoup.domain.money import Money


class InvoiceStatus(StrEnum):
    OPEN = "open"  # balance left to collect (overdue or not is a matter of date)
    PAID = "paid"  # settled by payments and credit notes
    SETTLED = "settled"  # closed by an accepted settlement, the rest written off
    WRITTEN_OFF = "written_off"


CLOSED = frozenset({InvoiceStatus.PAID, InvoiceStatus.SETTLED, InvoiceStatus.WRITTEN_OFF})


@dataclass(frozen=True, slots=True)
class Invoice:
    """A claim on a customer.

    Fields:
        number: the supplier's invoice number (natural key).
        customer_id: who owes it.
        issue_date, due_date: business dates; due_date is never before issue_date.
        amount: the gross amount payable, in the invoice's currency.
        balance: what is still open; equals ``amount`` until something is applied.
        sent_to: email of the contact it was sent to ('' if unknown).
        status: open, paid, settled or written off.
        closed_on: the day the balance reached zero, None while open.
        id: storage id, None before it is stored.
        first_applied_on: the earliest day of an amount applied to it (payment, credit note,
            write-off or settlement), None while nothing has been. Aging on a past day reads
            it: an invoice nothing was applied to by then was open for its whole amount.
    """

    number: str
    customer_id: str
    issue_date: dt.date
    due_date: dt.date
    amount: Money
    balance: Money | None = None
    sent_to: str = ""
    status: InvoiceStatus = InvoiceStatus.OPEN
    closed_on: dt.date | None = None
    id: int | None = None
    first_applied_on: dt.date | None = None

    def __post_init__(self) -> None:
        if not self.number.strip():
            raise InvalidValueError("an invoice needs a number")
        if self.due_date < self.issue_date:
            raise InvalidValueError(
                f"invoice {self.number}: due date {self.due_date} is before issue date {self.issue_date}"
            )
        if self.amount.amount <= 0:
            raise InvalidValueError(f"invoice {self.number}: amount must be positive (use a credit note)")
        if self.balance is None:
            object.__setattr__(self, "balance", self.amount)
        elif self.balance.currency != self.amount.currency:
            raise InvalidValueError(f"invoice {self.number}: balance and amount differ in currency")

    @property
    def currency(self) -> str:
        return self.amount.currency

    @property
    def open_balance(self) -> Money:
        assert self.balance is not None
        return self.balance

    def days_past_due(self, as_of: dt.date) -> int:
        """Days since the due date; zero or negative while not yet due."""
        return (as_of - self.due_date).days

    def is_overdue(self, as_of: dt.date) -> bool:
        return self.status is InvoiceStatus.OPEN and self.days_past_due(as_of) > 0
