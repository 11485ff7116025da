"""Working a case by hand: promises, plans, disputes, holds, settlements, write-offs, logged contacts.

Each command takes an open unit of work (the caller commits), the wall-clock
time ``at`` (UTC), the business date ``on`` (default ``at.date()``) and the
``actor``. It checks everything first and raises a ``DomainError`` with a
sentence naming what is wrong before it writes anything, so a refused command
changes nothing even if the caller commits. Then it stores the record and one
entry in the activity log (kind, time, actor, customer, invoices, readable
text, data). The engine reads these records on its next run; nothing here
sends or plans a message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from recoup.domain.activity import Activity
from recoup.domain.cases import (
    DISPUTE_OUTCOMES,
    DISPUTE_REASONS,
    CaseKey,
    Dispute,
    DisputeStatus,
    Hold,
    Installment,
    PaymentPlan,
    Promise,
    Settlement,
    SettlementStatus,
)
from recoup.domain.checklist import QUESTIONS, check_question
from recoup.domain.contact_log import ContactKind, FollowUp, Outcome, Reason, follow_ups, is_conversation
from recoup.domain.customers import Contact, Customer
from recoup.domain.errors import (
    DomainError,
    DuplicateError,
    InvalidInputError,
    InvalidStateError,
    InvalidValueError,
    NotFoundError,
    PromiseExceedsBalanceError,
)
from recoup.domain.invoices import Invoice, InvoiceStatus
from recoup.domain.money import Money, check_currency, total
from recoup.domain.tasks import Task, TaskKind, TaskStatus
from recoup.services.adjustments import close_invoices
from recoup.services.ports import UnitOfWork

CALL_AGAIN_DAYS = 7
"""A reminder call comes seven days after the last attempt: persistent, never harassing."""
MAX_INSTALLMENTS = 120
MAX_EVERY_DAYS = 366
_HISTORY = 200  # how many of a customer's latest log entries are read to count failed attempts
_UNSUCCESSFUL = frozenset({Outcome.NO_ANSWER, Outcome.WRONG_NUMBER})
_ATTEMPTS = frozenset({ContactKind.CALL.value, ContactKind.VISIT.value})


# --- shared checks -----------------------------------------------------------------------------


def _when(at: dt.datetime, on: dt.date | None, actor: str) -> dt.date:
    """The business date, after checking the timestamp is UTC and the actor is named."""
    if at.tzinfo is None or at.utcoffset() != dt.timedelta(0):
        raise InvalidValueError("the time of an action must be timezone-aware UTC")
    if not actor.strip():
        raise InvalidInputError("an action needs an actor (who did it)", field="actor")
    return on if on is not None else at.date()


def _customer(uow: UnitOfWork, customer_id: str) -> Customer:
    found = uow.customers.get(customer_id)
    if found is None:
        raise NotFoundError(f"no customer {customer_id!r}")
    return found


def _currency(code: str) -> str:
    try:
        return check_currency(code)
    except DomainError as exc:
        raise InvalidInputError(str(exc), field="currency") from None


def _positive(amount: Money, what: str, field: str) -> None:
    if amount.amount <= 0:
        raise InvalidInputError(f"{what} must be positive, not {amount}", field=field)


def _not_before(day: dt.date, on: dt.date, what: str, field: str) -> None:
    if day < on:
        raise InvalidInputError(f"{what} ({day}) is before the business date {on}", field=field)


def _invoice(uow: UnitOfWork, number: str) -> Invoice:
    found = uow.invoices.get(number)
    if found is None:
        raise NotFoundError(f"no invoice {number!r}")
    return found


def _open_invoice(uow: UnitOfWork, number: str) -> Invoice:
    inv = _invoice(uow, number)
    if inv.status is not InvoiceStatus.OPEN:
        raise InvalidStateError(f"invoice {number} is {inv.status.value.replace('_', ' ')}, not open")
    return inv


def _own_invoices(uow: UnitOfWork, customer: Customer, invoices: Iterable[str]) -> list[Invoice]:
    """The named invoices, each existing and the customer's, in the order given, without repeats."""
    numbers = list(dict.fromkeys(n.strip() for n in invoices if n.strip()))
    found = uow.invoices.get_many(numbers)
    missing = [n for n in numbers if n not in found]
    if missing:
        raise NotFoundError(f"no invoice {', '.join(missing)}")
    for n in numbers:
        if found[n].customer_id != customer.id:
            raise InvalidInputError(
                f"invoice {n} belongs to customer {found[n].customer_id}, not {customer.id}", field="invoices"
            )
    return [found[n] for n in numbers]


@dataclass(frozen=True, slots=True)
class Covered:
    """What an arrangement covers: the case's currency and its open items."""

    currency: str
    items: tuple[Invoice, ...]
    named: bool  # the invoices were named (else: every open item of the currency)

    @property
    def balance(self) -> Money:
        return total((i.open_balance for i in self.items), self.currency)

    @property
    def numbers(self) -> tuple[str, ...]:
        return tuple(i.number for i in self.items) if self.named else ()

    def describe(self) -> str:
        if self.named:
            return ", ".join(self.numbers)
        return f"all open {self.currency} invoices"


def covered(
    uow: UnitOfWork, customer_id: str, invoices: Iterable[str] = (), currency: str | None = None
) -> Covered:
    """The currency and open items an arrangement of ``customer_id`` covers.

    Named invoices must exist, be the customer's, be open and share one currency
    (``currency``, when given, must be that one). With none named, the case is the
    customer's open items in ``currency`` (default: the customer's currency). The CLI
    uses this to learn in which currency to read an amount.
    """
    customer = _customer(uow, customer_id)
    items = _own_invoices(uow, customer, invoices)
    if items:
        closed = [i.number for i in items if i.status is not InvoiceStatus.OPEN]
        if closed:
            raise InvalidInputError(f"invoice {', '.join(closed)} is not open", field="invoices")
        currencies = sorted({i.currency for i in items})
        if len(currencies) > 1:
            raise InvalidInputError(
                f"invoices {', '.join(i.number for i in items)} are in different currencies "
                f"({', '.join(currencies)}); an arrangement covers one currency",
                field="invoices",
            )
        if currency and currency != currencies[0]:
            raise InvalidInputError(
                f"currency {currency} is not the currency of the invoices ({currencies[0]})", field="currency"
            )
        return Covered(currencies[0], tuple(items), named=True)
    code = _currency(currency) if currency else customer.currency
    open_items = [i for i in uow.invoices.open_for_customers([customer.id]) if i.currency == code]
    return Covered(code, tuple(open_items), named=False)


def _require_items(cover: Covered, customer_id: str) -> None:
    if not cover.items:
        raise InvalidInputError(
            f"customer {customer_id} has no open {cover.currency} invoice", field="invoices"
        )


def _same_currency(amount: Money, cover: Covered, field: str) -> None:
    if amount.currency != cover.currency:
        raise InvalidInputError(
            f"the amount is in {amount.currency} but {cover.describe()} are in {cover.currency}", field=field
        )


def _log(
    uow: UnitOfWork,
    kind: str,
    *,
    at: dt.datetime,
    actor: str,
    customer_id: str,
    text: str,
    invoices: Sequence[str] = (),
    data: dict[str, Any] | None = None,
) -> Activity:
    entry = Activity(kind, at, actor, customer_id, text, invoices=tuple(invoices), data=data or {})
    uow.activities.add_many([entry])
    return entry


def _raise_tasks(uow: UnitOfWork, customer_id: str, tasks: Sequence[Task]) -> list[Task]:
    """Store the tasks that have no open twin (same kind, case and key); return them as stored."""
    if not tasks:
        return []
    before = {t.unique_key for t in uow.tasks.open(customer_ids=[customer_id])}
    fresh = [t for t in dict((t.unique_key, t) for t in tasks).values() if t.unique_key not in before]
    if not fresh:
        return []
    uow.tasks.add_many(fresh)
    wanted = {t.unique_key for t in fresh}
    return [t for t in uow.tasks.open(customer_ids=[customer_id]) if t.unique_key in wanted]


def _money(m: Money | None) -> str | None:
    return None if m is None else str(m.amount)


# --- promises and plans --------------------------------------------------------------------------


def _check_promise(
    uow: UnitOfWork,
    customer_id: str,
    amount: Money,
    date: dt.date,
    invoices: Iterable[str],
    currency: str | None,
    on: dt.date,
    *,
    amount_field: str = "amount",
    date_field: str = "date",
) -> tuple[Promise, Covered]:
    cover = covered(uow, customer_id, invoices, currency)
    _require_items(cover, customer_id)
    _same_currency(amount, cover, amount_field)
    _positive(amount, "a promised amount", amount_field)
    _not_before(date, on, "the promise date", date_field)
    if amount > cover.balance:
        raise PromiseExceedsBalanceError(
            f"the promised amount {amount} is above the open balance {cover.balance} of {cover.describe()}",
            field=amount_field,
        )
    return Promise(customer_id, amount, date, made_on=on, invoices=cover.numbers), cover


def _store_promise(uow: UnitOfWork, promise: Promise, cover: Covered, at: dt.datetime, actor: str) -> Promise:
    stored = uow.promises.add(promise)
    _log(
        uow,
        "promise",
        at=at,
        actor=actor,
        customer_id=promise.customer_id,
        text=f"Promise {stored.id}: pays {promise.amount} by {promise.date} for {cover.describe()}",
        invoices=promise.invoices,
        data={
            "promise_id": stored.id,
            "amount": _money(promise.amount),
            "currency": promise.currency,
            "date": promise.date.isoformat(),
            "made_on": promise.made_on.isoformat(),
        },
    )
    return stored


def record_promise(
    uow: UnitOfWork,
    customer_id: str,
    amount: Money,
    date: dt.date,
    invoices: Iterable[str] = (),
    *,
    currency: str | None = None,
    at: dt.datetime,
    on: dt.date | None = None,
    actor: str,
) -> Promise:
    """Record a promise to pay ``amount`` by ``date`` for ``invoices``.

    With no invoices named the promise covers every open item of the case in
    ``currency`` (default: the customer's currency). The amount is in the covered
    items' currency, positive and at most their open balance
    (``PromiseExceedsBalanceError`` otherwise); the date is not before ``on``. The
    engine pauses the covered items until the date plus the policy's grace days.
    """
    day = _when(at, on, actor)
    promise, cover = _check_promise(uow, customer_id, amount, date, invoices, currency, day)
    return _store_promise(uow, promise, cover, at, actor)


def offer_plan(
    uow: UnitOfWork,
    customer_id: str,
    *,
    installments: int,
    every_days: int,
    first: dt.date | None = None,
    invoices: Iterable[str] = (),
    currency: str | None = None,
    at: dt.datetime,
    on: dt.date | None = None,
    actor: str,
) -> PaymentPlan:
    """Agree a plan: the open balance of the covered items in ``installments`` parts, ``every_days`` apart.

    The parts are as equal as the minor unit allows, the larger first, and add up
    exactly to the balance (100.00 in 3: 33.34, 33.33, 33.33). The first falls due on
    ``first`` (default ``on`` plus ``every_days``), which is not before ``on``.
    """
    day = _when(at, on, actor)
    if not 1 <= installments <= MAX_INSTALLMENTS:
        raise InvalidInputError(
            f"a plan has 1 to {MAX_INSTALLMENTS} instalments, not {installments}", field="installments"
        )
    if not 1 <= every_days <= MAX_EVERY_DAYS:
        raise InvalidInputError(
            f"instalments are 1 to {MAX_EVERY_DAYS} days apart, not {every_days}", field="every_days"
        )
    start = first if first is not None else day + dt.timedelta(days=every_days)
    _not_before(start, day, "the first instalment", "first")
    cover = covered(uow, customer_id, invoices, currency)
    _require_items(cover, customer_id)
    balance = cover.balance
    parts = balance.split(installments)
    if any(p.is_zero() for p in parts):
        raise InvalidInputError(
            f"{balance} cannot be split into {installments} instalments", field="installments"
        )
    schedule = tuple(
        Installment(start + dt.timedelta(days=k * every_days), part) for k, part in enumerate(parts)
    )
    stored = uow.plans.add(PaymentPlan(customer_id, schedule, made_on=day, invoices=cover.numbers))
    _log(
        uow,
        "plan",
        at=at,
        actor=actor,
        customer_id=customer_id,
        text=(
            f"Payment plan {stored.id}: {balance} for {cover.describe()} in {installments} instalment(s) "
            f"every {every_days} days from {start}: "
            + ", ".join(f"{i.amount.amount} on {i.due}" for i in schedule)
        ),
        invoices=cover.numbers,
        data={
            "plan_id": stored.id,
            "currency": cover.currency,
            "total": _money(balance),
            "installments": [{"due": i.due.isoformat(), "amount": _money(i.amount)} for i in schedule],
        },
    )
    return stored


# --- disputes ------------------------------------------------------------------------------------


def _check_dispute(
    uow: UnitOfWork, invoice_number: str, reason: str, amount: Money | None
) -> tuple[Invoice, Customer]:
    inv = _open_invoice(uow, invoice_number)
    if reason not in DISPUTE_REASONS:
        raise InvalidInputError(
            f"dispute reason {reason!r} is not one of {', '.join(DISPUTE_REASONS)}", field="reason"
        )
    if amount is not None:
        if amount.currency != inv.currency:
            raise InvalidInputError(
                f"the disputed amount is in {amount.currency} but invoice {inv.number} is in {inv.currency}",
                field="amount",
            )
        _positive(amount, "a disputed amount", "amount")
        if amount > inv.open_balance:
            raise InvalidInputError(
                f"the disputed amount {amount} is above the open balance {inv.open_balance} of {inv.number}",
                field="amount",
            )
    for d in uow.disputes.open_for([inv.customer_id]):
        if d.invoice_number == inv.number:
            raise DuplicateError(
                f"invoice {inv.number} already has an open dispute ({d.id}, opened on {d.opened_on}); "
                "resolve it first"
            )
    return inv, _customer(uow, inv.customer_id)


def _store_dispute(
    uow: UnitOfWork,
    inv: Invoice,
    customer: Customer,
    reason: str,
    amount: Money | None,
    day: dt.date,
    at: dt.datetime,
    actor: str,
) -> Dispute:
    stored = uow.disputes.add(Dispute(inv.number, customer.id, reason, day, amount=amount))
    part = f"{amount} of it" if amount is not None else "the whole invoice"
    _log(
        uow,
        "dispute",
        at=at,
        actor=actor,
        customer_id=customer.id,
        text=f"Dispute {stored.id} opened on {inv.number} ({reason}), {part}; not chased while it is open",
        invoices=(inv.number,),
        data={"dispute_id": stored.id, "reason": reason, "amount": _money(amount), "currency": inv.currency},
    )
    owner = customer.sales_owner
    _raise_tasks(
        uow,
        customer.id,
        [
            Task(
                TaskKind.DISPUTE,
                customer.id,
                inv.currency,
                day,
                f"Dispute {stored.id} on {inv.number} ({reason}): clear it up with the customer"
                + ("" if owner else " (the customer has no sales owner on file)"),
                key=f"dispute:{stored.id}",
                invoices=(inv.number,),
                assignee=owner,
                data={"dispute_id": stored.id},
            )
        ],
    )
    return stored


def open_dispute(
    uow: UnitOfWork,
    invoice_number: str,
    reason: str,
    amount: Money | None = None,
    *,
    at: dt.datetime,
    on: dt.date | None = None,
    actor: str,
) -> Dispute:
    """Open a dispute on an open invoice (``amount`` None: all of it) and give the sales owner a task.

    One open dispute per invoice (a second is a ``DuplicateError``); the amount is in
    the invoice's currency and at most its open balance.
    """
    day = _when(at, on, actor)
    inv, customer = _check_dispute(uow, invoice_number, reason, amount)
    return _store_dispute(uow, inv, customer, reason, amount, day, at, actor)


def resolve_dispute(
    uow: UnitOfWork,
    dispute_id: int,
    outcome: str,
    *,
    credit_note_number: str | None = None,
    at: dt.datetime,
    on: dt.date | None = None,
    actor: str,
) -> Dispute:
    """Resolve an open dispute with one of DISPUTE_OUTCOMES; the invoice is chased again (unless paid).

    ``credited`` may name the customer's credit note that settled it. The dispute's
    open task is closed.
    """
    day = _when(at, on, actor)
    dispute = uow.disputes.get(dispute_id)
    if dispute is None:
        raise NotFoundError(f"no dispute {dispute_id}")
    if dispute.status is not DisputeStatus.OPEN:
        raise InvalidStateError(
            f"dispute {dispute_id} was already resolved on {dispute.resolved_on} ({dispute.outcome})"
        )
    if outcome not in DISPUTE_OUTCOMES:
        raise InvalidInputError(
            f"outcome {outcome!r} is not one of {', '.join(DISPUTE_OUTCOMES)}", field="outcome"
        )
    _not_before(day, dispute.opened_on, "the resolution date", "on")
    note = (credit_note_number or "").strip()
    if note:
        if outcome != "credited":
            raise InvalidInputError(
                f"a credit note is named only when the outcome is 'credited', not {outcome!r}",
                field="credit_note_number",
            )
        found = uow.credit_notes.get_many([note]).get(note)
        if found is None:
            raise NotFoundError(f"no credit note {note!r}")
        if found.customer_id != dispute.customer_id:
            raise InvalidInputError(
                f"credit note {note} belongs to customer {found.customer_id}, not {dispute.customer_id}",
                field="credit_note_number",
            )
    resolved = replace(dispute, status=DisputeStatus.RESOLVED, outcome=outcome, resolved_on=day)
    uow.disputes.replace(resolved)
    for task in uow.tasks.open(customer_ids=[dispute.customer_id]):
        if task.kind is TaskKind.DISPUTE and task.key == f"dispute:{dispute_id}" and task.id is not None:
            uow.tasks.close(task.id, TaskStatus.DONE, at=at)
    _log(
        uow,
        "dispute_resolved",
        at=at,
        actor=actor,
        customer_id=dispute.customer_id,
        text=f"Dispute {dispute_id} on {dispute.invoice_number} resolved on {day}: {outcome}"
        + (f" (credit note {note})" if note else ""),
        invoices=(dispute.invoice_number,),
        data={"dispute_id": dispute_id, "outcome": outcome, "credit_note": note or None},
    )
    return resolved


# --- holds ---------------------------------------------------------------------------------------


def place_hold(
    uow: UnitOfWork,
    customer_id: str,
    until: dt.date,
    reason: str,
    *,
    at: dt.datetime,
    on: dt.date | None = None,
    actor: str,
) -> Hold:
    """Stop chasing a customer from ``on`` to ``until`` (inclusive), for a reason given in words."""
    day = _when(at, on, actor)
    _customer(uow, customer_id)
    if not reason.strip():
        raise InvalidInputError("a hold needs a reason", field="reason")
    _not_before(until, day, "the end of the hold", "until")
    stored = uow.holds.add(Hold(customer_id, until, reason.strip(), placed_on=day))
    _log(
        uow,
        "hold",
        at=at,
        actor=actor,
        customer_id=customer_id,
        text=f"Hold {stored.id}: no chasing from {day} to {until}: {stored.reason}",
        data={"hold_id": stored.id, "until": until.isoformat(), "reason": stored.reason},
    )
    return stored


def release_hold(
    uow: UnitOfWork, hold_id: int, *, at: dt.datetime, on: dt.date | None = None, actor: str
) -> Hold:
    """Lift a hold early: the ladder resumes on its next run."""
    day = _when(at, on, actor)
    hold = uow.holds.get(hold_id)
    if hold is None:
        raise NotFoundError(f"no hold {hold_id}")
    if hold.released_on is not None:
        raise InvalidStateError(f"hold {hold_id} was already released on {hold.released_on}")
    _not_before(day, hold.placed_on, "the release date", "on")
    released = replace(hold, released_on=day)
    uow.holds.replace(released)
    _log(
        uow,
        "hold_released",
        at=at,
        actor=actor,
        customer_id=hold.customer_id,
        text=f"Hold {hold_id} (until {hold.until}) released on {day}",
        data={"hold_id": hold_id},
    )
    return released


# --- settlements ---------------------------------------------------------------------------------


def offer_settlement(
    uow: UnitOfWork,
    customer_id: str,
    amount: Money,
    deadline: dt.date,
    invoices: Iterable[str] = (),
    *,
    currency: str | None = None,
    at: dt.datetime,
    on: dt.date | None = None,
    actor: str,
) -> Settlement:
    """Offer to close the covered items for ``amount``, less than their open balance, paid by ``deadline``.

    One settlement in force (offered or accepted) per case: a second is a ``DuplicateError``.
    """
    day = _when(at, on, actor)
    cover = covered(uow, customer_id, invoices, currency)
    _require_items(cover, customer_id)
    _same_currency(amount, cover, "amount")
    _positive(amount, "a settlement amount", "amount")
    if amount >= cover.balance:
        raise InvalidInputError(
            f"a settlement is for less than is owed: {amount} is not below the open balance "
            f"{cover.balance} of {cover.describe()}",
            field="amount",
        )
    _not_before(deadline, day, "the settlement deadline", "deadline")
    for s in uow.settlements.open_for([customer_id]):
        if s.currency == cover.currency:
            raise DuplicateError(
                f"customer {customer_id} already has settlement {s.id} {s.status.value} in {s.currency}; "
                "accept or decline it first"
            )
    stored = uow.settlements.add(Settlement(customer_id, amount, deadline, day, invoices=cover.numbers))
    _log(
        uow,
        "settlement_offered",
        at=at,
        actor=actor,
        customer_id=customer_id,
        text=f"Settlement {stored.id} offered: {amount} by {deadline} closes {cover.describe()} "
        f"(open {cover.balance})",
        invoices=cover.numbers,
        data={
            "settlement_id": stored.id,
            "amount": _money(amount),
            "currency": cover.currency,
            "balance": _money(cover.balance),
            "deadline": deadline.isoformat(),
        },
    )
    return stored


def _settlement(uow: UnitOfWork, settlement_id: int, doing: str, day: dt.date) -> Settlement:
    found = uow.settlements.get(settlement_id)
    if found is None:
        raise NotFoundError(f"no settlement {settlement_id}")
    if found.status is not SettlementStatus.OFFERED:
        raise InvalidStateError(
            f"settlement {settlement_id} is {found.status.value}; only an offered settlement can be {doing}"
        )
    if day > found.deadline:
        raise InvalidStateError(f"settlement {settlement_id} lapsed after its deadline {found.deadline}")
    _not_before(day, found.offered_on, "the date", "on")
    return found


def accept_settlement(
    uow: UnitOfWork, settlement_id: int, *, at: dt.datetime, on: dt.date | None = None, actor: str
) -> Settlement:
    """The customer accepted the offer: once paid, the run writes off the rest."""
    day = _when(at, on, actor)
    found = _settlement(uow, settlement_id, "accepted", day)
    accepted = replace(found, status=SettlementStatus.ACCEPTED)
    uow.settlements.replace(accepted)
    _log(
        uow,
        "settlement_accepted",
        at=at,
        actor=actor,
        customer_id=found.customer_id,
        text=f"Settlement {settlement_id} accepted on {day}: {found.amount} due by {found.deadline}",
        invoices=found.invoices,
        data={"settlement_id": settlement_id},
    )
    return accepted


def decline_settlement(
    uow: UnitOfWork, settlement_id: int, *, at: dt.datetime, on: dt.date | None = None, actor: str
) -> Settlement:
    """The customer declined the offer: the ladder goes on."""
    day = _when(at, on, actor)
    found = _settlement(uow, settlement_id, "declined", day)
    declined = replace(found, status=SettlementStatus.DECLINED)
    uow.settlements.replace(declined)
    _log(
        uow,
        "settlement_declined",
        at=at,
        actor=actor,
        customer_id=found.customer_id,
        text=f"Settlement {settlement_id} declined on {day}",
        invoices=found.invoices,
        data={"settlement_id": settlement_id},
    )
    return declined


# --- write-off -----------------------------------------------------------------------------------


def write_off(
    uow: UnitOfWork,
    invoice_number: str,
    reason: str,
    *,
    at: dt.datetime,
    on: dt.date | None = None,
    actor: str,
) -> Invoice:
    """Write off an open invoice's balance: it closes as written off, with a balance of zero."""
    day = _when(at, on, actor)
    inv = _open_invoice(uow, invoice_number)
    if not reason.strip():
        raise InvalidInputError("a write-off needs a reason", field="reason")
    _not_before(day, inv.issue_date, "the write-off date", "on")
    close_invoices(uow, [inv.number], on=day, settled=False, reason=reason.strip(), at=at, actor=actor)
    return _invoice(uow, inv.number)


# --- contacts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactLogged:
    """What logging a contact did: the log entry, the tasks raised, a promise and disputes recorded."""

    activity: Activity
    follow_ups: tuple[FollowUp, ...]
    tasks: list[Task] = field(default_factory=list)
    promise: Promise | None = None
    disputes: list[Dispute] = field(default_factory=list)


def _enum(enum: type[Any], value: Any, what: str, field_name: str) -> Any:
    try:
        return enum(value)
    except ValueError:
        choices = ", ".join(m.value for m in enum)
        raise InvalidInputError(f"{what} {value!r} is not one of {choices}", field=field_name) from None


def _unsuccessful(kind: str, outcome: str | None, reason: str | None) -> bool:
    if kind not in _ATTEMPTS:
        return False
    return outcome in {o.value for o in _UNSUCCESSFUL} or reason == Reason.UNREACHABLE.value


def unreachable_streak(uow: UnitOfWork, customer_id: str) -> int:
    """How many of the customer's latest attempts (calls and visits) in a row reached nobody.

    Notes are not attempts and are passed over; the first attempt that reached
    someone ends the count.
    """
    streak = 0
    for entry in uow.activities.for_customer(customer_id, limit=_HISTORY):
        if entry.kind not in _ATTEMPTS:
            continue
        if not _unsuccessful(entry.kind, entry.data.get("outcome"), entry.data.get("reason")):
            break
        streak += 1
    return streak


def log_contact(
    uow: UnitOfWork,
    customer_id: str,
    kind: ContactKind | str,
    *,
    contact_name: str = "",
    outcome: Outcome | str | None = None,
    reason: Reason | str = Reason.NONE,
    notes: str = "",
    invoices: Iterable[str] = (),
    promise_date: dt.date | None = None,
    promise_amount: Money | None = None,
    dispute_reason: str = "other",
    at: dt.datetime,
    on: dt.date | None = None,
    actor: str,
) -> ContactLogged:
    """Log a call, a visit or a note and do what it leads to (``contact_log.follow_ups``).

    A call or a visit needs an outcome; a note needs notes. The entry's data holds the
    outcome, the reason, the contact and whether it was a conversation. The follow-ups:
    a task to fix the contact and resend (not received); a dispute per named invoice,
    or a dispute task when none is named; a task for the sales owner; a review task to
    offer a plan; the promise when ``promise_date`` and ``promise_amount`` are given (for
    any reason), else a task to get them; skip tracing after SKIP_TRACING_AFTER attempts
    in a row reached nobody or on a wrong number; a review for insolvency or a refusal;
    another call in seven days.
    """
    day = _when(at, on, actor)
    customer = _customer(uow, customer_id)
    how = _enum(ContactKind, kind, "contact kind", "kind")
    why = _enum(Reason, reason, "reason", "reason")
    result = None if outcome is None or outcome == "" else _enum(Outcome, outcome, "outcome", "outcome")
    if result is None and how is not ContactKind.NOTE:
        raise InvalidInputError(
            f"a {how.value} needs an outcome: one of {', '.join(o.value for o in Outcome)}", field="outcome"
        )
    if how is ContactKind.NOTE and not notes.strip():
        raise InvalidInputError("a note needs some notes", field="notes")
    if dispute_reason not in DISPUTE_REASONS:
        raise InvalidInputError(
            f"dispute reason {dispute_reason!r} is not one of {', '.join(DISPUTE_REASONS)}",
            field="dispute_reason",
        )
    name = contact_name.strip()
    known = {c.name for c in uow.contacts.for_customer(customer.id)}
    items = _own_invoices(uow, customer, invoices)
    numbers = tuple(i.number for i in items)
    currencies = {i.currency for i in items}
    currency = currencies.pop() if len(currencies) == 1 else ""

    if (promise_date is None) != (promise_amount is None):
        missing = "promise_amount" if promise_amount is None else "promise_date"
        raise InvalidInputError("a promise needs both a date and an amount", field=missing)
    promise: tuple[Promise, Covered] | None = None
    if promise_date is not None and promise_amount is not None:
        promise = _check_promise(
            uow,
            customer.id,
            promise_amount,
            promise_date,
            numbers,
            None if numbers else promise_amount.currency,
            day,
            amount_field="promise_amount",
            date_field="promise_date",
        )

    failed = _unsuccessful(how.value, result.value if result else None, why.value)
    streak = (unreachable_streak(uow, customer.id) + 1) if failed else 0
    if how is ContactKind.NOTE and why is Reason.UNREACHABLE:
        streak = unreachable_streak(uow, customer.id)
    todo = follow_ups(how, result or Outcome.REACHED, why, unreachable_streak=streak)

    disputes: list[tuple[Invoice, Customer]] = []
    if FollowUp.OPEN_DISPUTE in todo and items:
        disputes = [_check_dispute(uow, n, dispute_reason, None) for n in numbers]

    # Everything is checked: from here on, write.
    who = f" with {name}" if name else ""
    said = f"; reason: {why.value.replace('_', ' ')}" if why is not Reason.NONE else ""
    got = f": {result.value.replace('_', ' ')}" if result else ""
    text = f"{how.value.capitalize()}{who}{got}{said}" + (f". {notes.strip()}" if notes.strip() else "")
    entry = _log(
        uow,
        how.value,
        at=at,
        actor=actor,
        customer_id=customer.id,
        text=text,
        invoices=numbers,
        data={
            "outcome": result.value if result else None,
            "reason": why.value,
            "contact": name,
            "known_contact": name in known,
            "conversation": is_conversation(result) if result else False,
            "notes": notes.strip(),
            "unreachable_streak": streak,
            "follow_ups": [f.value for f in todo],
        },
    )
    stored_promise = _store_promise(uow, *promise, at, actor) if promise else None
    stored_disputes = [
        _store_dispute(uow, inv, cust, dispute_reason, None, day, at, actor) for inv, cust in disputes
    ]
    tasks = _follow_up_tasks(customer, currency, numbers, todo, day, name, promised=promise is not None)
    raised = _raise_tasks(uow, customer.id, tasks)
    return ContactLogged(
        entry,
        todo,
        raised,
        stored_promise,
        stored_disputes,
    )


def _follow_up_tasks(
    customer: Customer,
    currency: str,
    numbers: tuple[str, ...],
    todo: Sequence[FollowUp],
    day: dt.date,
    contact: str,
    *,
    promised: bool,
) -> list[Task]:
    """The tasks for people that the follow-ups call for (a dispute or promise recorded needs none)."""
    who = contact or "the contact"
    owner = customer.sales_owner
    no_owner = "" if owner else " (the customer has no sales owner on file: find out who it is)"

    def task(kind: TaskKind, key: str, reason: str, *, due: dt.date = day, assignee: str = "") -> Task:
        return Task(kind, customer.id, currency, due, reason, key=key, invoices=numbers, assignee=assignee)

    found: list[Task] = []
    for f in todo:
        if f is FollowUp.RESEND_TO_NEW_CONTACT:
            found.append(
                task(
                    TaskKind.BOUNCED_CONTACT,
                    "resend",
                    f"The invoices did not reach the right person ({who} says): fix the contact and resend",
                )
            )
        elif f is FollowUp.OPEN_DISPUTE and not numbers:
            found.append(
                task(
                    TaskKind.DISPUTE,
                    "complaint",
                    f"{contact or 'The customer'} complained about the goods or the service: "
                    "find the invoices concerned and open a dispute on them",
                )
            )
        elif f is FollowUp.NOTIFY_SALES:
            found.append(
                task(
                    TaskKind.REVIEW,
                    "notify-sales",
                    f"Tell the sales owner what {who} said: the account may have a pending problem{no_owner}",
                    assignee=owner,
                )
            )
        elif f is FollowUp.OFFER_PLAN:
            found.append(task(TaskKind.REVIEW, "offer-plan", "Cash-flow difficulty: offer a payment plan"))
        elif f is FollowUp.RECORD_PROMISE and not promised:
            found.append(
                task(
                    TaskKind.REVIEW,
                    "record-promise",
                    "The customer says it will pay: get a date and an amount and record the promise",
                )
            )
        elif f is FollowUp.SKIP_TRACING:
            found.append(
                task(
                    TaskKind.SKIP_TRACING,
                    "skip-tracing",
                    "The customer cannot be reached: research its contact data again (skip tracing)",
                )
            )
        elif f is FollowUp.REVIEW_LEGAL:
            found.append(
                task(
                    TaskKind.REVIEW,
                    "legal-review",
                    "Insolvency: review the claim (file it with the administrator); do not chase",
                )
            )
        elif f is FollowUp.ESCALATE:
            found.append(
                task(TaskKind.REVIEW, "escalate", "The customer refuses to pay: review the next step up")
            )
        elif f is FollowUp.CALL_AGAIN:
            found.append(
                task(
                    TaskKind.CALL,
                    "call-again",
                    "Call again",
                    due=day + dt.timedelta(days=CALL_AGAIN_DAYS),
                )
            )
    return found


def mark_contact_invalid(
    uow: UnitOfWork,
    customer_id: str,
    contact_name: str,
    *,
    at: dt.datetime,
    on: dt.date | None = None,
    actor: str,
) -> Contact:
    """A message to the contact bounced: it is kept, marked invalid, and its data is researched again."""
    day = _when(at, on, actor)
    customer = _customer(uow, customer_id)
    key = (customer.id, contact_name.strip())
    found = uow.contacts.get_many([key]).get(key)
    if found is None:
        names = ", ".join(c.name for c in uow.contacts.for_customer(customer.id)) or "none"
        raise NotFoundError(f"customer {customer.id} has no contact {contact_name!r} (its contacts: {names})")
    if not found.valid:
        raise InvalidStateError(f"contact {found.name} of {customer.id} is already marked invalid")
    invalid = replace(found, valid=False)
    uow.contacts.update_many([invalid])
    _log(
        uow,
        "contact_invalid",
        at=at,
        actor=actor,
        customer_id=customer.id,
        text=f"Contact {found.name} marked invalid (a message bounced); kept for the record",
        data={"contact": found.name, "email": found.email},
    )
    _raise_tasks(
        uow,
        customer.id,
        [
            Task(
                TaskKind.SKIP_TRACING,
                customer.id,
                "",
                day,
                f"A message to {found.name} bounced: research the contact data and add one that works",
                key=f"contact:{found.name}",
                data={"contact": found.name},
            )
        ],
    )
    return invalid


# --- approvals, checklists, tasks ------------------------------------------------------------------


def approve_step(
    uow: UnitOfWork,
    customer_id: str,
    currency: str,
    step: str,
    *,
    steps: Collection[str] | None = None,
    at: dt.datetime,
    on: dt.date | None = None,
    actor: str,
) -> Activity:
    """A person approves a gated step (agency, litigation, settlement, write-off review) for a case.

    ``steps``, when given, are the step ids of the customer's policy; another id is refused.
    Approving a step that is approved and not yet taken is a ``DuplicateError``.
    """
    _when(at, on, actor)
    customer = _customer(uow, customer_id)
    code = _currency(currency)
    step = step.strip()
    if not step:
        raise InvalidInputError("name the step to approve", field="step")
    if steps is not None and step not in steps:
        raise InvalidInputError(
            f"step {step!r} is not in the customer's policy (its steps: {', '.join(steps)})", field="step"
        )
    case = CaseKey(customer.id, code)
    if step in uow.approvals.unused([case]).get(case, set()):
        raise DuplicateError(f"step {step!r} is already approved for {case} and not yet taken")
    uow.approvals.add(case, step, by=actor, at=at)
    return _log(
        uow,
        "approval",
        at=at,
        actor=actor,
        customer_id=customer.id,
        text=f"Step {step} approved for {case} by {actor}",
        data={"step": step, "currency": code},
    )


def answer_checklist(
    uow: UnitOfWork,
    customer_id: str,
    currency: str,
    question: str,
    answer: bool,
    *,
    at: dt.datetime,
    on: dt.date | None = None,
    actor: str,
) -> Activity:
    """The collector answers one question of a case's checklist (a later answer wins)."""
    _when(at, on, actor)
    customer = _customer(uow, customer_id)
    code = _currency(currency)
    try:
        check_question(question)
    except InvalidValueError as exc:
        raise InvalidInputError(str(exc), field="question") from None
    case = CaseKey(customer.id, code)
    uow.checklists.record(case, question, answer, by=actor, at=at)
    return _log(
        uow,
        "checklist",
        at=at,
        actor=actor,
        customer_id=customer.id,
        text=f"Checklist {case}: {dict(QUESTIONS)[question]} {'Yes' if answer else 'No'}",
        data={"question": question, "answer": answer, "currency": code},
    )


def close_task(
    uow: UnitOfWork,
    task_id: int,
    status: TaskStatus | str = TaskStatus.DONE,
    *,
    at: dt.datetime,
    on: dt.date | None = None,
    actor: str,
) -> Task:
    """Mark an open task done or cancelled."""
    _when(at, on, actor)
    closing = _enum(TaskStatus, status, "task status", "status")
    if closing is TaskStatus.OPEN:
        raise InvalidInputError("a task is closed as done or cancelled, not open", field="status")
    task = uow.tasks.get(task_id)
    if task is None or task.id is None:
        raise NotFoundError(f"no task {task_id}")
    if task.status is not TaskStatus.OPEN:
        raise InvalidStateError(f"task {task_id} is already {task.status.value}")
    uow.tasks.close(task.id, closing, at=at)
    _log(
        uow,
        "task_closed",
        at=at,
        actor=actor,
        customer_id=task.customer_id,
        text=f"Task {task_id} ({task.kind.value}) {closing.value}: {task.reason}",
        invoices=task.invoices,
        data={"task_id": task_id, "kind": task.kind.value, "status": closing.value},
    )
    return replace(task, status=closing)
