"""What the API's routers share: who may do what, who may see which customer, the case version,
pages, and the answer shapes built from domain records.

A sales user sees only the customers it owns (``User.sees``): lists are filtered to
them, and reading or changing another customer's records is refused with 403. Every
change to a case may carry the ``version`` the client read; it is checked in the same
transaction before anything is written (``services.versions``), and the answer carries
the new version.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Annotated, TypeVar

from fastapi import Depends, Path, Query

from recoup.domain.activity import Activity
from recoup.domain.cases import Dispute, Hold, PaymentPlan, Promise, Settlement
from recoup.domain.customers import Contact, Customer
from recoup.domain.errors import DomainError, InvalidInputError, NotFoundError
from recoup.domain.invoices import Invoice
from recoup.domain.money import Money, check_currency
from recoup.domain.payments import Allocation, Payment
from recoup.domain.tasks import Task
from recoup.domain.users import Permission, Role
from recoup.entrypoints.web import schemas as s
from recoup.entrypoints.web.security import Ctx, needs, reader
from recoup.services import versions
from recoup.services.listing import Balance
from recoup.services.ports import UnitOfWork

T = TypeVar("T")

Reader = Annotated[Ctx, Depends(reader)]
Noter = Annotated[Ctx, Depends(needs(Permission.NOTE))]
Disputer = Annotated[Ctx, Depends(needs(Permission.ANSWER_DISPUTES))]
Worker = Annotated[Ctx, Depends(needs(Permission.WORK_CASES))]
Bookkeeper = Annotated[Ctx, Depends(needs(Permission.LEDGER))]
Runner = Annotated[Ctx, Depends(needs(Permission.RUN))]

Limit = Annotated[int, Query(ge=1, le=500, description="page size, 1 to 500")]
Offset = Annotated[int, Query(ge=0, le=s.MAX_ID, description="where the page starts, 0 first")]
AsOf = Annotated[s.Day | None, Query(description="the business date, YYYY-MM-DD (default: today)")]
CustomerId = Annotated[
    str,
    Path(min_length=1, max_length=64, pattern=s.NO_CONTROL, description="customer id", examples=["ACME-DE"]),
]
RecordId = Annotated[int, Path(ge=1, le=s.MAX_ID, examples=[1])]
Filter = Annotated[str | None, Query(max_length=200, pattern=s.NO_CONTROL)]


# --- who sees what -------------------------------------------------------------------------------


def owner_filter(ctx: Ctx) -> str | None:
    """The sales owner lists are limited to: the signed-in sales user's email, else none."""
    return ctx.user.email if ctx.user.role is Role.SALES else None


def missing(message: str, field: str | None) -> DomainError:
    """A record named in the path is not found (404); one named in a body or a query is bad input (422)."""
    return InvalidInputError(message, field=field) if field else NotFoundError(message)


def visible_customer(uow: UnitOfWork, ctx: Ctx, customer_id: str, field: str | None = None) -> Customer:
    """The customer, if it exists (404, or 422 naming ``field``) and the user may see it (403)."""
    found = uow.customers.get(customer_id)
    if found is None:
        raise missing(f"no customer {customer_id!r}", field)
    ctx.user.require_sees(found.id, found.sales_owner)
    return found


def visible_invoice(uow: UnitOfWork, ctx: Ctx, number: str, field: str | None = None) -> Invoice:
    """The invoice, if it exists (404, or 422 naming ``field``) and the user may see its customer (403)."""
    found = uow.invoices.get(number)
    if found is None:
        raise missing(f"no invoice {number!r}", field)
    visible_customer(uow, ctx, found.customer_id)
    return found


def case_for(
    uow: UnitOfWork, ctx: Ctx, customer_id: str, version: int | None, field: str | None = None
) -> Customer:
    """The customer whose case is about to change, after the version check."""
    customer = visible_customer(uow, ctx, customer_id, field)
    versions.check(uow, customer.id, version)
    return customer


def named_invoices(uow: UnitOfWork, numbers: Sequence[str], field: str = "invoices") -> tuple[str, ...]:
    """The invoice numbers a client named, each existing (else 422 naming ``field``), without repeats."""
    wanted = tuple(dict.fromkeys(n.strip() for n in numbers if n.strip()))
    found = uow.invoices.get_many(wanted) if wanted else {}
    unknown = [n for n in wanted if n not in found]
    if unknown:
        raise InvalidInputError(f"no invoice {', '.join(unknown)}", field=field)
    return wanted


def today(ctx: Ctx, as_of: dt.date | None) -> dt.date:
    return as_of if as_of is not None else ctx.app.today()


# --- input ---------------------------------------------------------------------------------------


def currency_in(code: str | None, field: str = "currency") -> str | None:
    if not code:
        return None
    try:
        return check_currency(code.strip().upper())
    except DomainError as exc:
        raise InvalidInputError(str(exc), field=field) from None


def money_in(text: str, currency: str, field: str) -> Money:
    """An amount typed by the client, in ``currency``; an error names ``field``."""
    try:
        return Money.parse(text, currency)
    except DomainError as exc:
        raise InvalidInputError(f"{text!r}: {exc}", field=field) from None


# --- answers -------------------------------------------------------------------------------------


def page(items: Sequence[T], total: int, limit: int, offset: int) -> s.Page[T]:
    return s.Page(items=list(items), total=total, limit=limit, offset=offset)


def sliced(items: Sequence[T], limit: int, offset: int) -> s.Page[T]:
    """A page of a list held in memory (short lists: contacts, policies, the worklist)."""
    return page(items[offset : offset + limit], len(items), limit, offset)


def amount(m: Money) -> str:
    return str(m.amount)


def balances_out(balances: dict[str, Balance]) -> list[s.BalanceOut]:
    return [
        s.BalanceOut(currency=c, open=amount(b.open), overdue=amount(b.overdue)) for c, b in balances.items()
    ]


def customer_line(c: Customer, balances: dict[str, Balance]) -> s.CustomerLineOut:
    return s.CustomerLineOut(
        id=c.id,
        name=c.name,
        kind=c.kind.value,
        country=c.country,
        currency=c.currency,
        segment=c.segment,
        sales_owner=c.sales_owner,
        balances=balances_out(balances),
    )


def contact_out(c: Contact) -> s.ContactOut:
    return s.ContactOut(
        id=c.id or 0,
        customer_id=c.customer_id,
        name=c.name,
        role=c.role.value,
        email=c.email,
        phone=c.phone,
        valid=c.valid,
    )


def promise_out(p: Promise) -> s.PromiseOut:
    return s.PromiseOut(
        id=p.id or 0,
        customer_id=p.customer_id,
        amount=amount(p.amount),
        currency=p.currency,
        date=p.date,
        made_on=p.made_on,
        invoices=list(p.invoices),
        status=p.status.value,
    )


def plan_out(p: PaymentPlan) -> s.PlanOut:
    return s.PlanOut(
        id=p.id or 0,
        customer_id=p.customer_id,
        currency=p.currency,
        total=amount(p.total),
        installments=[s.InstallmentOut(due=i.due, amount=amount(i.amount)) for i in p.installments],
        made_on=p.made_on,
        invoices=list(p.invoices),
        status=p.status.value,
    )


def dispute_out(d: Dispute, currency: str = "") -> s.DisputeOut:
    return s.DisputeOut(
        id=d.id or 0,
        invoice=d.invoice_number,
        customer_id=d.customer_id,
        reason=d.reason,
        amount=amount(d.amount) if d.amount is not None else None,
        currency=d.amount.currency if d.amount is not None else currency,
        opened_on=d.opened_on,
        status=d.status.value,
        outcome=d.outcome,
        resolved_on=d.resolved_on,
    )


def hold_out(h: Hold) -> s.HoldOut:
    return s.HoldOut(
        id=h.id or 0,
        customer_id=h.customer_id,
        until=h.until,
        reason=h.reason,
        placed_on=h.placed_on,
        released_on=h.released_on,
    )


def settlement_out(x: Settlement) -> s.SettlementOut:
    return s.SettlementOut(
        id=x.id or 0,
        customer_id=x.customer_id,
        amount=amount(x.amount),
        currency=x.currency,
        deadline=x.deadline,
        offered_on=x.offered_on,
        invoices=list(x.invoices),
        status=x.status.value,
    )


def activity_out(a: Activity) -> s.ActivityOut:
    return s.ActivityOut(
        id=a.id,
        at=a.at,
        kind=a.kind,
        actor=a.actor,
        customer_id=a.customer_id,
        invoices=list(a.invoices),
        text=a.text,
        document=a.document,
        data=a.data,
    )


def invoice_fields(i: Invoice) -> dict[str, object]:
    return {
        "number": i.number,
        "customer_id": i.customer_id,
        "issue_date": i.issue_date,
        "due_date": i.due_date,
        "currency": i.currency,
        "amount": amount(i.amount),
        "balance": amount(i.open_balance),
        "status": i.status.value,
        "closed_on": i.closed_on,
        "sent_to": i.sent_to,
    }


def invoice_out(i: Invoice) -> s.InvoiceOut:
    return s.InvoiceOut.model_validate(invoice_fields(i))


def allocation_out(a: Allocation) -> s.AllocationOut:
    return s.AllocationOut(
        kind=a.kind.value,
        source=a.source,
        amount=amount(a.amount),
        currency=a.amount.currency,
        applied_on=a.applied_on,
    )


def payment_fields(p: Payment) -> dict[str, object]:
    return {
        "reference": p.reference,
        "customer_id": p.customer_id,
        "date": p.date,
        "amount": amount(p.amount),
        "currency": p.amount.currency,
        "unapplied": amount(p.unapplied or Money.zero(p.amount.currency)),
        "invoices": list(p.invoices),
    }


def task_fields(t: Task) -> dict[str, object]:
    return {
        "id": t.id or 0,
        "kind": t.kind.value,
        "customer_id": t.customer_id,
        "currency": t.currency,
        "due": t.due,
        "reason": t.reason,
        "step": t.step,
        "invoices": list(t.invoices),
        "assignee": t.assignee,
        "status": t.status.value,
    }


def task_out(t: Task) -> s.TaskOut:
    return s.TaskOut.model_validate(task_fields(t))
