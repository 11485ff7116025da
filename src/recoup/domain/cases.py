"""What resolves or pauses a collection case: promises, plans, disputes, holds, settlements.

A *case* is one customer in one currency. Its open invoices are chased as a
whole, except the items that are disputed, promised, in a plan, under a
settlement or on hold: those are paused, and the pause ends by itself (a
promise date passes, an instalment is missed, a dispute is resolved, a hold
expires). Each object here is an immutable value; its ``status_on`` tells what
it is on a given day from the money received, so no clock is read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from recoup.domain.errors import InvalidValueError
from recoup.domain.money import Money


@dataclass(frozen=True, slots=True)
class CaseKey:
    """One customer in one currency."""

    customer_id: str
    currency: str

    def __str__(self) -> str:
        return f"{self.customer_id}/{self.currency}"


class PromiseStatus(StrEnum):
    OPEN = "open"
    KEPT = "kept"
    BROKEN = "broken"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Promise:
    """A customer's promise to pay ``amount`` by ``date``.

    Fields:
        customer_id: who promised.
        amount: how much, in the case's currency.
        date: by when; the items stay paused until ``date`` plus the policy's grace days.
        invoices: the invoice numbers it covers (all open items of the case if empty).
        made_on: the day it was given.
        status: open, kept, broken or cancelled.
        id: storage id, None before it is stored.
    """

    customer_id: str
    amount: Money
    date: dt.date
    made_on: dt.date
    invoices: tuple[str, ...] = ()
    status: PromiseStatus = PromiseStatus.OPEN
    id: int | None = None

    def __post_init__(self) -> None:
        if self.amount.amount <= 0:
            raise InvalidValueError("a promise needs a positive amount")
        if self.date < self.made_on:
            raise InvalidValueError(
                f"a promise cannot be due ({self.date}) before it was made ({self.made_on})"
            )

    @property
    def currency(self) -> str:
        return self.amount.currency

    def status_on(self, as_of: dt.date, received: Money, grace_days: int) -> PromiseStatus:
        """Kept once ``received`` (paid since it was made) covers it; broken after date plus grace."""
        if self.status != PromiseStatus.OPEN:
            return self.status
        if received.amount >= self.amount.amount:
            return PromiseStatus.KEPT
        if as_of > self.date + dt.timedelta(days=grace_days):
            return PromiseStatus.BROKEN
        return PromiseStatus.OPEN


class PlanStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    DEFAULTED = "defaulted"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Installment:
    due: dt.date
    amount: Money


@dataclass(frozen=True, slots=True)
class PaymentPlan:
    """An agreed schedule of instalments for some of a case's invoices.

    Fields:
        customer_id: whose plan.
        installments: due dates and amounts; the amounts add up to the plan's total.
        made_on: the day it was agreed.
        invoices: the invoice numbers it covers (all open items of the case if empty).
        status: active, completed, defaulted or cancelled.
        id: storage id, None before it is stored.
    """

    customer_id: str
    installments: tuple[Installment, ...]
    made_on: dt.date
    invoices: tuple[str, ...] = ()
    status: PlanStatus = PlanStatus.ACTIVE
    id: int | None = None

    def __post_init__(self) -> None:
        if not self.installments:
            raise InvalidValueError("a payment plan needs at least one instalment")
        currencies = {i.amount.currency for i in self.installments}
        if len(currencies) != 1:
            raise InvalidValueError("a payment plan's instalments must share one currency")
        dues = [i.due for i in self.installments]
        if dues != sorted(dues) or len(set(dues)) != len(dues):
            raise InvalidValueError("instalment dates must be distinct and in order")

    @property
    def currency(self) -> str:
        return self.installments[0].amount.currency

    @property
    def total(self) -> Money:
        return sum((i.amount for i in self.installments), Money.zero(self.currency))

    def status_on(self, as_of: dt.date, received: Money, grace_days: int) -> PlanStatus:
        """Completed when ``received`` covers the total; defaulted when an instalment is missed.

        An instalment is missed when, ``grace_days`` after its due date, what was
        received since the plan was agreed is below the sum of the instalments due
        so far.
        """
        if self.status != PlanStatus.ACTIVE:
            return self.status
        if received.amount >= self.total.amount:
            return PlanStatus.COMPLETED
        owed = Money.zero(self.currency)
        for installment in self.installments:
            owed = owed + installment.amount
            if as_of > installment.due + dt.timedelta(days=grace_days) and received.amount < owed.amount:
                return PlanStatus.DEFAULTED
        return PlanStatus.ACTIVE


class DisputeStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


DISPUTE_REASONS = ("goods", "service", "price", "quantity", "not_received", "duplicate", "other")
DISPUTE_OUTCOMES = ("credited", "rejected", "corrected", "withdrawn")


@dataclass(frozen=True, slots=True)
class Dispute:
    """A disagreement about (part of) an invoice; the invoice is not chased while it is open.

    Fields:
        invoice_number: the invoice in dispute.
        customer_id: whose invoice.
        reason: one of DISPUTE_REASONS.
        amount: the disputed part, None for the whole invoice.
        opened_on: the day it was raised.
        status: open or resolved; outcome and resolved_on once resolved.
        id: storage id, None before it is stored.
    """

    invoice_number: str
    customer_id: str
    reason: str
    opened_on: dt.date
    amount: Money | None = None
    status: DisputeStatus = DisputeStatus.OPEN
    outcome: str = ""
    resolved_on: dt.date | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        if self.reason not in DISPUTE_REASONS:
            raise InvalidValueError(
                f"dispute reason {self.reason!r} is not one of {', '.join(DISPUTE_REASONS)}"
            )
        if self.amount is not None and self.amount.amount <= 0:
            raise InvalidValueError("a disputed amount must be positive")
        if self.outcome and self.outcome not in DISPUTE_OUTCOMES:
            raise InvalidValueError(f"outcome {self.outcome!r} is not one of {', '.join(DISPUTE_OUTCOMES)}")


@dataclass(frozen=True, slots=True)
class Hold:
    """No chasing for a customer until a date (e.g. a key account in talks).

    Fields:
        customer_id: whose case.
        until: the last day of the hold.
        reason: why, in words.
        placed_on: the day it was placed.
        released_on: the day it was lifted early, None otherwise.
        id: storage id, None before it is stored.
    """

    customer_id: str
    until: dt.date
    reason: str
    placed_on: dt.date
    released_on: dt.date | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise InvalidValueError("a hold needs a reason")
        if self.until < self.placed_on:
            raise InvalidValueError(f"a hold cannot end ({self.until}) before it starts ({self.placed_on})")

    def active_on(self, as_of: dt.date) -> bool:
        return self.released_on is None and self.placed_on <= as_of <= self.until


class SettlementStatus(StrEnum):
    OFFERED = "offered"
    ACCEPTED = "accepted"
    PAID = "paid"
    LAPSED = "lapsed"
    DECLINED = "declined"


@dataclass(frozen=True, slots=True)
class Settlement:
    """An offer to close a case for less than its balance.

    Fields:
        customer_id: whose case.
        amount: what the customer pays to settle.
        deadline: by when it must be paid.
        offered_on: the day it was offered.
        invoices: the invoice numbers it settles (all open items of the case if empty).
        status: offered, accepted, paid (the rest written off), lapsed or declined.
        id: storage id, None before it is stored.
    """

    customer_id: str
    amount: Money
    deadline: dt.date
    offered_on: dt.date
    invoices: tuple[str, ...] = ()
    status: SettlementStatus = SettlementStatus.OFFERED
    id: int | None = None

    def __post_init__(self) -> None:
        if self.amount.amount <= 0:
            raise InvalidValueError("a settlement needs a positive amount")
        if self.deadline < self.offered_on:
            raise InvalidValueError("a settlement's deadline cannot be before the offer")

    @property
    def currency(self) -> str:
        return self.amount.currency

    def status_on(self, as_of: dt.date, received: Money) -> SettlementStatus:
        """Paid once an accepted offer is covered by what was received; lapsed after the deadline."""
        if self.status not in (SettlementStatus.OFFERED, SettlementStatus.ACCEPTED):
            return self.status
        if self.status == SettlementStatus.ACCEPTED and received.amount >= self.amount.amount:
            return SettlementStatus.PAID
        if as_of > self.deadline:
            return SettlementStatus.LAPSED
        return self.status
