"""The customer page: what one customer sees through its signed link, and what it may tell us there.

``customer_page`` reads that customer's open invoices with their states, its totals per
currency and the documents we sent it (emails and letters from its own log entries); nothing
of any other customer. The four actions each check everything first, raising a
``PortalInputError`` that names the field and carries a ``code`` the page words in the
customer's language, and then write through ``services.casework`` with the actor
``customer``, so the engine reads them as it reads a collector's:

- ``report_payment`` ("I have paid"): a promise covering the chosen invoices, made on the
  day paid and due today, so those invoices are not chased for the policy's grace days; it
  is kept as soon as a payment dated from the day paid reaches the ledger, and broken (the
  ladder resumes, with a task) if none has by then. A review task asks a collector to find
  the payment in the bank; a ``payment_claim`` entry keeps the customer's details.
- ``promise_payment`` ("I will pay on"): ``casework.record_promise`` for a date from today to
  the policy's ``promise_max_days`` ahead.
- ``dispute_invoice`` ("I dispute this invoice"): ``casework.open_dispute`` (the engine stops
  chasing the invoice; the sales owner gets the dispute task) and the customer's comment.
- ``request_plan`` ("a payment plan"): a ``plan_request`` entry and a review task for a
  collector, who offers the plan (``casework.offer_plan``) or answers.

Each runs in the caller's unit of work; the caller commits once, so an action is all or nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from recoup.domain.activity import Activity
from recoup.domain.cases import DISPUTE_REASONS, Dispute, Promise
from recoup.domain.customers import Customer
from recoup.domain.errors import InvalidInputError, NotFoundError
from recoup.domain.invoices import Invoice
from recoup.domain.money import Money, total
from recoup.domain.tasks import Task, TaskKind
from recoup.policy.model import Policy
from recoup.services import casework
from recoup.services.letter_payload import letter_payload
from recoup.services.letters import letter_pdf
from recoup.services.ports import UnitOfWork
from recoup.services.rates import load_rate_book
from recoup.settings import Settings

ACTOR = "customer"
"""Who the log entries written from the customer page are by (the entry names the customer)."""
VIA = "customer page"
MAX_TEXT = 2000
"""The longest comment or reference taken."""
MAX_PAID_AGO_DAYS = 365
PLAN_INSTALMENTS = (2, 36)
SENT_KINDS = ("email", "letter")
"""Log entries of what was sent to the customer (never ``notify_sales``: that went to our sales owner)."""
STATES = ("disputed", "plan", "promised", "overdue", "open")
"""An invoice's state on the page, the most telling first."""


class PortalInputError(InvalidInputError):
    """Something the customer entered that cannot be taken: ``field``, a ``code`` the page words in the
    customer's language, and the ``params`` the wording needs."""

    def __init__(self, code: str, field: str, message: str, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(message, field=field)


@dataclass(frozen=True)
class Line:
    """An open invoice as the customer sees it: ``state`` is one of STATES, ``until`` a promise's date."""

    invoice: Invoice
    state: str
    until: dt.date | None = None

    @property
    def number(self) -> str:
        return self.invoice.number


@dataclass(frozen=True)
class Document:
    """A copy of something we sent: when, the log entry's kind, the file's reference, and its name (an
    attachment's file name, a message's subject)."""

    at: dt.datetime
    kind: str
    ref: str
    name: str

    @property
    def suffix(self) -> str:
        return self.ref.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class CustomerPage:
    customer: Customer
    as_of: dt.date
    lines: tuple[Line, ...]
    totals: dict[str, tuple[Money, Money]]  # currency -> (open, overdue)
    documents: tuple[Document, ...]
    promise_max_days: int

    @property
    def currencies(self) -> list[str]:
        return list(self.totals)

    @property
    def disputable(self) -> list[Line]:
        return [line for line in self.lines if line.state != "disputed"]

    @property
    def last_promise_day(self) -> dt.date:
        return self.as_of + dt.timedelta(days=self.promise_max_days)


def _customer(uow: UnitOfWork, customer_id: str) -> Customer:
    found = uow.customers.get(customer_id)
    if found is None:
        raise NotFoundError(f"no customer {customer_id!r}")
    return found


def _open(uow: UnitOfWork, customer_id: str, as_of: dt.date) -> list[Invoice]:
    found = [i for i in uow.invoices.open_for_customers([customer_id]) if i.issue_date <= as_of]
    return sorted(found, key=lambda i: (i.currency, i.due_date, i.number))


def _covers(record: Promise | Any, invoice: Invoice) -> bool:
    return invoice.number in record.invoices if record.invoices else record.currency == invoice.currency


def _lines(uow: UnitOfWork, customer_id: str, invoices: list[Invoice], as_of: dt.date) -> tuple[Line, ...]:
    disputed = {d.invoice_number for d in uow.disputes.open_for([customer_id])}
    plans = uow.plans.open_for([customer_id])
    promises = uow.promises.open_for([customer_id])
    lines = []
    for inv in invoices:
        promised = [p.date for p in promises if _covers(p, inv)]
        if inv.number in disputed:
            lines.append(Line(inv, "disputed"))
        elif any(_covers(p, inv) for p in plans):
            lines.append(Line(inv, "plan"))
        elif promised:
            lines.append(Line(inv, "promised", max(promised)))
        else:
            lines.append(Line(inv, "overdue" if inv.is_overdue(as_of) else "open"))
    return tuple(lines)


def _documents(uow: UnitOfWork, customer_id: str) -> tuple[Document, ...]:
    found: list[Document] = []
    for entry in uow.activities.for_customer(customer_id):
        if entry.kind not in SENT_KINDS:
            continue
        if entry.document.startswith("sha256:"):
            found.append(Document(entry.at, entry.kind, entry.document, str(entry.data.get("subject") or "")))
        for attached in entry.data.get("attachments") or ():
            ref = str(attached.get("document", "")) if isinstance(attached, dict) else ""
            if ref.startswith("sha256:"):
                found.append(Document(entry.at, "attachment", ref, str(attached.get("name") or "")))
    unique = {d.ref: d for d in sorted(found, key=lambda d: d.at)}  # a copy sent twice: its latest
    return tuple(sorted(unique.values(), key=lambda d: d.at, reverse=True))


def customer_page(uow: UnitOfWork, customer_id: str, as_of: dt.date, *, policy: Policy) -> CustomerPage:
    """What the customer's page shows on ``as_of``: its own records only."""
    customer = _customer(uow, customer_id)
    invoices = _open(uow, customer_id, as_of)
    totals: dict[str, tuple[Money, Money]] = {}
    for inv in invoices:
        zero = Money.zero(inv.currency)
        owed, late = totals.get(inv.currency, (zero, zero))
        totals[inv.currency] = (
            owed + inv.open_balance,
            late + inv.open_balance if inv.is_overdue(as_of) else late,
        )
    return CustomerPage(
        customer,
        as_of,
        _lines(uow, customer_id, invoices, as_of),
        dict(sorted(totals.items())),
        _documents(uow, customer_id),
        policy.promise_max_days,
    )


def statement_pdf(
    uow: UnitOfWork, customer_id: str, currency: str, *, settings: Settings, as_of: dt.date
) -> bytes:
    """The customer's statement of account in ``currency`` as a PDF, as ``recoup letter --kind statement``
    writes it (every open invoice, the payments of the last twelve months, in its language)."""
    if currency not in {i.currency for i in _open(uow, customer_id, as_of)}:
        raise NotFoundError(f"no open invoice in {currency!r}")
    payload = letter_payload(
        uow, customer_id, "statement", as_of, currency=currency, policies=settings.policies
    )
    rates = load_rate_book(settings.rates)
    return letter_pdf("statement", payload, settings=settings, rates=rates, as_of=as_of)


def document_belongs(uow: UnitOfWork, customer_id: str, ref: str) -> bool:
    """Whether ``ref`` is a copy of something sent to this customer (its own log entries only)."""
    return any(d.ref == ref for d in _documents(uow, customer_id))


# --- checks shared by the actions -------------------------------------------------------------------


def _text(value: str, field: str) -> str:
    value = value.strip()
    if len(value) > MAX_TEXT:
        raise PortalInputError(
            "too_long", field, f"{field} is longer than {MAX_TEXT} characters", limit=MAX_TEXT
        )
    return value


def _chosen(
    uow: UnitOfWork, customer_id: str, numbers: list[str], as_of: dt.date, field: str = "invoices"
) -> tuple[str, list[Invoice]]:
    """The customer's open invoices named, all in one currency: (currency, invoices)."""
    mine = {i.number: i for i in _open(uow, customer_id, as_of)}
    wanted = list(dict.fromkeys(n.strip() for n in numbers if n.strip()))
    if not wanted:
        raise PortalInputError("invoices_required", field, "choose at least one invoice")
    strangers = [n for n in wanted if n not in mine]
    if strangers:
        raise PortalInputError(
            "invoice_unknown",
            field,
            f"{', '.join(strangers)}: not an open invoice of this customer",
            numbers=", ".join(strangers),
        )
    currencies = sorted({mine[n].currency for n in wanted})
    if len(currencies) > 1:
        raise PortalInputError(
            "one_currency", field, f"the invoices are in {', '.join(currencies)}: choose one currency"
        )
    return currencies[0], [mine[n] for n in wanted]


def _amount(amount: Decimal | None, currency: str, balance: Money, field: str = "amount") -> Money:
    if amount is None:
        raise PortalInputError("amount_required", field, "enter the amount")
    exponent = amount.as_tuple().exponent
    digits = Money.zero(currency).amount.as_tuple().exponent
    if isinstance(exponent, int) and isinstance(digits, int) and exponent < digits:
        raise PortalInputError(
            "amount_decimals",
            field,
            f"{amount} has more decimals than {currency} has",
            currency=currency,
            digits=-digits,
        )
    money = Money(amount, currency)
    if money.amount <= 0:
        raise PortalInputError("amount_positive", field, "the amount must be more than zero")
    if money > balance:
        raise PortalInputError(
            "amount_above_balance",
            field,
            f"{money} is more than the open balance {balance}",
            balance=balance,
        )
    return money


def _log(uow: UnitOfWork, kind: str, customer_id: str, at: dt.datetime, text: str, **extra: Any) -> None:
    invoices = tuple(extra.pop("invoices", ()))
    entry = Activity(kind, at, ACTOR, customer_id, text, invoices=invoices, data={"via": VIA, **extra})
    uow.activities.add_many([entry])


# --- the actions -----------------------------------------------------------------------------------


def report_payment(
    uow: UnitOfWork,
    customer_id: str,
    *,
    paid_on: dt.date | None,
    amount: Decimal | None,
    reference: str,
    invoices: list[str],
    at: dt.datetime,
    today: dt.date,
    policy: Policy,
) -> Promise:
    """ "I have paid": the invoices are not chased while a collector looks for the payment."""
    _customer(uow, customer_id)
    reference = _text(reference, "reference")
    if paid_on is None:
        raise PortalInputError("date_required", "paid_on", "enter the day you paid")
    if paid_on > today:
        raise PortalInputError("paid_in_future", "paid_on", f"{paid_on} is after today ({today})")
    if paid_on < today - dt.timedelta(days=MAX_PAID_AGO_DAYS):
        raise PortalInputError(
            "paid_too_long_ago", "paid_on", f"{paid_on} is more than a year ago", days=MAX_PAID_AGO_DAYS
        )
    currency, items = _chosen(uow, customer_id, invoices, today)
    money = _amount(amount, currency, total((i.open_balance for i in items), currency))
    numbers = [i.number for i in items]
    promise = casework.record_promise(uow, customer_id, money, today, numbers, at=at, on=paid_on, actor=ACTOR)
    until = today + dt.timedelta(days=policy.promise_grace_days)
    said = f"paid {money} on {paid_on} for {', '.join(numbers)}" + (
        f" (reference: {reference})" if reference else ""
    )
    _log(
        uow,
        "payment_claim",
        customer_id,
        at,
        f"The customer says it {said}, on the customer page; not chased until {until} while we check",
        invoices=numbers,
        paid_on=paid_on.isoformat(),
        amount=str(money.amount),
        currency=currency,
        reference=reference,
        promise_id=promise.id,
    )
    uow.tasks.add_many(
        [
            Task(
                TaskKind.REVIEW,
                customer_id,
                currency,
                today,
                f"The customer says it {said}: find the payment in the bank and record it "
                f"(its invoices are not chased until {until})",
                key=f"payment-claim:{promise.id}",
                invoices=tuple(numbers),
                data={"promise_id": promise.id, "via": VIA},
            )
        ]
    )
    return promise


def promise_payment(
    uow: UnitOfWork,
    customer_id: str,
    *,
    pay_on: dt.date | None,
    amount: Decimal | None,
    currency: str,
    at: dt.datetime,
    today: dt.date,
    policy: Policy,
) -> Promise:
    """ "I will pay on": a promise for every open invoice of ``currency``, within the policy's limit."""
    customer = _customer(uow, customer_id)
    if pay_on is None:
        raise PortalInputError("date_required", "pay_on", "enter the day you will pay")
    last = today + dt.timedelta(days=policy.promise_max_days)
    if pay_on < today:
        raise PortalInputError("promise_past", "pay_on", f"{pay_on} is before today ({today})")
    if pay_on > last:
        raise PortalInputError(
            "promise_too_far",
            "pay_on",
            f"{pay_on} is more than {policy.promise_max_days} days ahead: the latest is {last}",
            days=policy.promise_max_days,
            last=last,
        )
    items = [i for i in _open(uow, customer_id, today) if i.currency == (currency or customer.currency)]
    if not items:
        raise PortalInputError("currency_unknown", "currency", f"no open invoice in {currency!r}")
    code = items[0].currency
    money = _amount(amount, code, total((i.open_balance for i in items), code))
    return casework.record_promise(
        uow, customer_id, money, pay_on, currency=code, at=at, on=today, actor=ACTOR
    )


def dispute_invoice(
    uow: UnitOfWork,
    customer_id: str,
    *,
    invoice: str,
    reason: str,
    comment: str,
    at: dt.datetime,
    today: dt.date,
) -> Dispute:
    """ "I dispute this invoice": the invoice is not chased while the dispute is open."""
    comment = _text(comment, "comment")
    if not invoice.strip():
        raise PortalInputError("invoice_required", "invoice", "choose the invoice you dispute")
    item = _chosen(uow, customer_id, [invoice], today, "invoice")[1][0]
    if reason not in DISPUTE_REASONS:
        raise PortalInputError("reason_required", "reason", f"choose one of {', '.join(DISPUTE_REASONS)}")
    if any(d.invoice_number == item.number for d in uow.disputes.open_for([customer_id])):
        raise PortalInputError(
            "already_disputed", "invoice", f"invoice {item.number} is already disputed", number=item.number
        )
    if reason == "other" and not comment:
        raise PortalInputError("comment_required", "comment", "say what is wrong with the invoice")
    dispute = casework.open_dispute(uow, item.number, reason, at=at, on=today, actor=ACTOR)
    if comment:
        _log(
            uow,
            "customer_comment",
            customer_id,
            at,
            f"The customer's comment on dispute {dispute.id} ({item.number}): {comment}",
            invoices=[item.number],
            dispute_id=dispute.id,
            comment=comment,
        )
    return dispute


def request_plan(
    uow: UnitOfWork,
    customer_id: str,
    *,
    instalments: int | None,
    comment: str,
    at: dt.datetime,
    today: dt.date,
) -> Task:
    """ "A payment plan, please": a review task for a collector, who offers the plan or answers."""
    customer = _customer(uow, customer_id)
    comment = _text(comment, "comment")
    low, high = PLAN_INSTALMENTS
    if instalments is None or not low <= instalments <= high:
        raise PortalInputError(
            "instalments_range", "instalments", f"choose {low} to {high} instalments", low=low, high=high
        )
    open_items = _open(uow, customer_id, today)
    if not open_items:
        raise PortalInputError("nothing_open", "instalments", "there is no open invoice to pay in parts")
    owed = ", ".join(
        str(total((i.open_balance for i in open_items if i.currency == c), c))
        for c in sorted({i.currency for i in open_items})
    )
    asked = f"a payment plan in {instalments} instalments for {owed}" + (f": {comment}" if comment else "")
    _log(
        uow,
        "plan_request",
        customer_id,
        at,
        f"The customer asks for {asked} (customer page)",
        instalments=instalments,
        comment=comment,
    )
    task = Task(
        TaskKind.REVIEW,
        customer.id,
        "",
        today,
        f"The customer asks for {asked}: offer a plan or answer",
        key="plan-request",
        data={"instalments": instalments, "via": VIA},
    )
    uow.tasks.add_many([task])
    return task
