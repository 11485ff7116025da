"""The snapshot of one case that the engine decides on, and what it decides.

A snapshot is everything the engine may look at for one customer in one
currency on one day: the open items, the contacts, the steps already taken,
the arrangements in force (promises, plans, disputes, holds, settlements),
the money received lately, and when the case was last written to or called.
The service builds it from storage in bulk; the engine never reads storage.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from recoup.domain.cases import CaseKey, Dispute, Hold, PaymentPlan, Promise, Settlement
from recoup.domain.customers import Contact, Customer
from recoup.domain.ladder import StepRecord
from recoup.domain.money import Money
from recoup.domain.tasks import Task
from recoup.policy.model import Action, Tone


@dataclass(frozen=True, slots=True)
class Item:
    """One open invoice of the case.

    Fields:
        number: the invoice number.
        due_date: when it fell or falls due.
        amount: the invoice's amount; balance: what is still open.
        sent_to: the email it was sent to ('' if unknown).
    """

    number: str
    due_date: dt.date
    amount: Money
    balance: Money
    sent_to: str = ""

    def days_past_due(self, as_of: dt.date) -> int:
        return (as_of - self.due_date).days


@dataclass(frozen=True, slots=True)
class CaseSnapshot:
    """One case as the engine sees it.

    Fields:
        customer: the customer (kind, country, segment, sales owner, time zone).
        currency: the case's currency.
        items: its open invoices.
        contacts: the customer's contacts, valid or not.
        steps: the ladder steps already taken or skipped for these invoices.
        promises, plans, disputes, holds, settlements: the records still in force.
        receipts: (date, amount) of money received in the currency since the oldest
            arrangement in force was made (what keeps a promise or a plan).
        last_message_on: the day of the last email or letter planned for the case.
        last_call_on: the day of the last call planned or logged.
        call_attempts: the days of call attempts (for the consumer guard's count).
        last_conversation_on: the day someone last spoke with the customer.
        checklist_complete: the demand-letter checklist is answered.
        approvals: step ids a person approved for this case and not yet used.
        barred_on: invoice number -> the first day its claim is time-barred (``law.limitation``);
            items of an unknown jurisdiction are left out.
        limitation_rule: the limitation rule of the customer's jurisdiction, named in the review task.
    """

    customer: Customer
    currency: str
    items: tuple[Item, ...]
    contacts: tuple[Contact, ...] = ()
    steps: tuple[StepRecord, ...] = ()
    promises: tuple[Promise, ...] = ()
    plans: tuple[PaymentPlan, ...] = ()
    disputes: tuple[Dispute, ...] = ()
    holds: tuple[Hold, ...] = ()
    settlements: tuple[Settlement, ...] = ()
    receipts: tuple[tuple[dt.date, Money], ...] = ()
    last_message_on: dt.date | None = None
    last_call_on: dt.date | None = None
    call_attempts: tuple[dt.date, ...] = ()
    last_conversation_on: dt.date | None = None
    checklist_complete: bool = False
    approvals: frozenset[str] = frozenset()
    barred_on: dict[str, dt.date] = field(default_factory=dict, hash=False)
    limitation_rule: str = ""

    @property
    def key(self) -> CaseKey:
        return CaseKey(self.customer.id, self.currency)

    @property
    def consumer(self) -> bool:
        return self.customer.kind == "consumer"

    def barred(self, number: str, as_of: dt.date) -> bool:
        """True when the item's claim is time-barred on ``as_of``."""
        day = self.barred_on.get(number)
        return day is not None and as_of >= day


@dataclass(frozen=True, slots=True)
class PlannedAction:
    """One thing the run will do for a case: a message, a notice to sales, a call or a review task.

    Fields:
        case: the customer and currency.
        step: the ladder step leading it (the highest step due among its items).
        action: email, letter, notify_sales, call or a review.
        cycle: the invoice whose cycle it leads (the oldest newly at this step).
        invoices: the items chased, oldest first.
        shown: paused items listed as such: (invoice number, state).
        recipients, copies: addresses (emails; the customer's name for a letter).
        tone, template, attach: how it is written and what goes with it.
        total: the balance of the items chased; overdue: of those past due.
        next_step, next_on: what follows if nothing is paid, and when ('' / None at the end).
        next_kind: what the customer would notice of that step (Step.kind: 'call', 'letter', ...).
        consumer: the consumer guard applies.
        window: the local hours it may go out (from, until).
    """

    case: CaseKey
    step: str
    action: Action
    cycle: str
    invoices: tuple[str, ...]
    shown: tuple[tuple[str, str], ...]
    recipients: tuple[str, ...]
    copies: tuple[str, ...]
    tone: Tone
    template: str
    attach: tuple[str, ...]
    total: Money
    overdue: Money
    next_step: str = ""
    next_on: dt.date | None = None
    next_kind: str = ""
    consumer: bool = False
    window: tuple[int, int] = (8, 21)

    @property
    def key(self) -> str:
        """Unique per (case, step, cycle) and action: the outbox key."""
        return f"{self.case.customer_id}/{self.case.currency}/{self.step}/{self.cycle}/{self.action}"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """Why something was not done (or what else the engine noticed), for a person to read.

    Fields:
        case: the case.
        code: a stable short code ('disputed', 'promised', 'cadence', 'gated', ...).
        message: a sentence.
        step: the step concerned, '' if none.
        invoices: the invoices concerned.
    """

    case: CaseKey
    code: str
    message: str
    step: str = ""
    invoices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened to an arrangement, found on this day (past tense).

    Fields:
        kind: promise_kept, promise_broken, plan_completed, plan_defaulted,
            settlement_paid, settlement_lapsed.
        case: the case.
        record_id: the promise's, plan's or settlement's storage id.
        text: a sentence for the activity log.
    """

    kind: str
    case: CaseKey
    record_id: int | None
    text: str


@dataclass(frozen=True, slots=True)
class Decision:
    """Everything ``decide`` returns for one case on one day."""

    case: CaseKey
    actions: tuple[PlannedAction, ...] = ()
    steps: tuple[StepRecord, ...] = ()
    tasks: tuple[Task, ...] = ()
    events: tuple[Event, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = field(default=())
