"""The ledger: invoices (with what was applied to them), payments (recorded and applied oldest first
unless the payer named invoices), write-offs."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from recoup.domain.errors import DuplicateError, InvalidInputError
from recoup.domain.payments import Payment
from recoup.entrypoints.web import schemas as s
from recoup.entrypoints.web.api_common import (
    AsOf,
    Bookkeeper,
    Filter,
    Limit,
    Offset,
    Reader,
    allocation_out,
    case_for,
    currency_in,
    dispute_out,
    invoice_fields,
    invoice_out,
    money_in,
    owner_filter,
    page,
    payment_fields,
    today,
    visible_customer,
    visible_invoice,
)
from recoup.entrypoints.web.security import Ctx
from recoup.services import casework, ledger, listing, versions
from recoup.services.ports import UnitOfWork

router = APIRouter(prefix="/api", tags=["ledger"])

CustomerFilter = Annotated[str | None, Query(max_length=64, pattern=s.NO_CONTROL, description="customer id")]
Currency = Annotated[str | None, Query(max_length=3, pattern=r"^[A-Za-z]{0,3}$")]


def _owner(uow: UnitOfWork, ctx: Ctx, customer_id: str | None) -> str | None:
    """The sales-owner filter; a sales user naming another's customer is refused."""
    if customer_id:
        visible_customer(uow, ctx, customer_id, "customer_id")
    return owner_filter(ctx)


@router.get("/invoices", response_model=s.Page[s.InvoiceOut], summary="Invoices, by due date")
def list_invoices(
    ctx: Reader,
    customer_id: CustomerFilter = None,
    status: Literal["open", "paid", "settled", "written_off"] | None = None,
    currency: Currency = None,
    overdue: Annotated[bool, Query(description="only open invoices past due on as_of")] = False,
    as_of: AsOf = None,
    q: Filter = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> s.Page[s.InvoiceOut]:
    with ctx.uow() as uow:
        found, total = listing.invoices(
            uow,
            customer_id=customer_id or None,
            status=status,
            currency=currency,
            overdue_as_of=today(ctx, as_of) if overdue else None,
            q=q,
            sales_owner=_owner(uow, ctx, customer_id),
            offset=offset,
            limit=limit,
        )
    return page([invoice_out(i) for i in found], total, limit, offset)


@router.get(
    "/invoices/{number:path}", response_model=s.InvoiceDetailOut, summary="One invoice with its allocations"
)
def get_invoice(
    number: Annotated[str, Path(min_length=1, max_length=64, pattern=s.NO_CONTROL, examples=["INV-1001"])],
    ctx: Reader,
    as_of: AsOf = None,
) -> s.InvoiceDetailOut:
    """Everything applied to it (payments, credit notes, settlements, write-offs) and its disputes."""
    with ctx.uow() as uow:
        inv = visible_invoice(uow, ctx, number)
        allocations = uow.queries.allocations_for([inv.number])
        disputes = [d for d in uow.disputes.for_customer(inv.customer_id) if d.invoice_number == inv.number]
    return s.InvoiceDetailOut.model_validate(
        {
            **invoice_fields(inv),
            "days_past_due": max(0, inv.days_past_due(today(ctx, as_of))) if inv.closed_on is None else 0,
            "allocations": [allocation_out(a) for a in allocations],
            "disputes": [dispute_out(d, inv.currency) for d in disputes],
        }
    )


@router.get("/payments", response_model=s.Page[s.PaymentOut], summary="Payments, the latest recorded first")
def list_payments(
    ctx: Reader,
    customer_id: CustomerFilter = None,
    currency: Currency = None,
    since: Annotated[s.Day | None, Query(description="received on or after, YYYY-MM-DD")] = None,
    until: Annotated[s.Day | None, Query(description="received on or before, YYYY-MM-DD")] = None,
    unapplied: Annotated[bool, Query(description="only payments with cash not applied")] = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> s.Page[s.PaymentOut]:
    with ctx.uow() as uow:
        found, total = listing.payments(
            uow,
            customer_id=customer_id or None,
            currency=currency,
            since=since,
            until=until,
            unapplied_only=unapplied,
            sales_owner=_owner(uow, ctx, customer_id),
            offset=offset,
            limit=limit,
        )
    return page([s.PaymentOut.model_validate(payment_fields(p)) for p in found], total, limit, offset)


@router.post("/payments", response_model=s.PaymentWritten, status_code=201, summary="Record a payment")
def record_payment(body: s.PaymentIn, ctx: Bookkeeper) -> s.PaymentWritten:
    """Applied to the invoices the payer named, in that order, else to the oldest open invoices in its
    currency; what is left stays on the customer as unapplied cash."""
    with ctx.uow() as uow:
        customer = case_for(uow, ctx, body.customer_id, body.version, "customer_id")
        currency = currency_in(body.currency) or customer.currency
        money = money_in(body.amount, currency, "amount")
        if money.amount <= 0:
            raise InvalidInputError(f"a payment must be positive, not {money}", field="amount")
        reference = body.reference.strip()
        if not reference:
            raise InvalidInputError("a payment needs a reference", field="reference")
        known = uow.payments.get_many([reference]).get(reference)
        if known is not None:
            raise DuplicateError(
                f"payment {reference} is already recorded "
                f"({known.amount} from {known.customer_id} on {known.date})"
            )
        named = tuple(dict.fromkeys(n.strip() for n in body.invoices if n.strip()))
        invoices = uow.invoices.get_many(named)
        for n in named:
            inv = invoices.get(n)
            if inv is None:
                raise InvalidInputError(f"no invoice {n!r}", field="invoices")
            if inv.customer_id != customer.id:
                raise InvalidInputError(
                    f"invoice {n} belongs to customer {inv.customer_id}", field="invoices"
                )
            if inv.currency != currency:
                raise InvalidInputError(
                    f"invoice {n} is in {inv.currency}, the payment in {currency}", field="invoices"
                )
        payment = Payment(reference, customer.id, body.date, money, invoices=named)
        applied = ledger.record_payments(uow, [payment], at=ctx.app.now(), actor=ctx.actor)
        stored = uow.payments.get_many([reference])[reference]
        mine = [a for a in applied.allocations if a.source == reference]
        answer = s.PaymentWritten.model_validate(
            {
                **payment_fields(stored),
                "allocations": [allocation_out(a) for a in mine],
                "oldest_first": reference in applied.oldest_first,
                "version": versions.version(uow, customer.id),
            }
        )
    return answer


@router.post("/write-offs", response_model=s.InvoiceWritten, summary="Write off an invoice's open balance")
def write_off(body: s.WriteOffIn, ctx: Bookkeeper) -> s.InvoiceWritten:
    """The invoice closes as written off, with a balance of zero, and leaves the aging."""
    with ctx.uow() as uow:
        inv = visible_invoice(uow, ctx, body.invoice, "invoice")
        case_for(uow, ctx, inv.customer_id, body.version)
        closed = casework.write_off(uow, inv.number, body.reason, at=ctx.app.now(), actor=ctx.actor)
        answer = s.InvoiceWritten.model_validate(
            {**invoice_fields(closed), "version": versions.version(uow, inv.customer_id)}
        )
    return answer
