"""Reports: aging with the bucket edges asked for, statutory interest on an invoice or a customer's
overdue invoices, and the collection policy as JSON."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from recoup.domain.aging import DEFAULT_EDGES, check_edges
from recoup.domain.customers import Customer
from recoup.domain.errors import DomainError, InvalidInputError, InvalidValueError
from recoup.domain.invoices import Invoice
from recoup.domain.money import Money, total
from recoup.entrypoints.web import schemas as s
from recoup.entrypoints.web.api_common import (
    AsOf,
    CustomerId,
    Limit,
    Offset,
    Reader,
    amount,
    owner_filter,
    page,
    sliced,
    today,
    visible_customer,
    visible_invoice,
)
from recoup.entrypoints.web.security import Ctx
from recoup.law.interest import InterestResult, clause_rate, compute, jurisdiction_for
from recoup.law.rates import RateBook
from recoup.policy.model import Policy
from recoup.services import reports
from recoup.services.policies import load_book, policy_json
from recoup.services.ports import UnitOfWork
from recoup.services.rates import load_rate_book

router = APIRouter(prefix="/api", tags=["reports"])

MAX_EDGE = 3650
MAX_EDGES = 20


def _edges(text: str | None) -> tuple[int, ...]:
    if not text:
        return DEFAULT_EDGES
    try:
        edges = [int(part) for part in text.split(",")]
    except ValueError:
        raise InvalidInputError(
            f"{text!r} is not a list of whole numbers of days, e.g. 0,30,60,90", field="edges"
        ) from None
    if len(edges) > MAX_EDGES or any(not 0 <= e <= MAX_EDGE for e in edges):
        raise InvalidInputError(f"at most {MAX_EDGES} edges, each 0 to {MAX_EDGE} days", field="edges")
    try:
        return check_edges(edges)
    except InvalidValueError as exc:
        raise InvalidInputError(str(exc), field="edges") from None


@router.get("/aging", response_model=s.AgingOut, summary="Aging: what is open, by days past due")
def aging(
    ctx: Reader,
    as_of: AsOf = None,
    edges: Annotated[
        str | None,
        Query(max_length=120, description="bucket edges in days past due, from 0, e.g. 0,30,60,90 (default)"),
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> s.AgingOut:
    """One row per customer and currency (a page of them) and the totals per currency of every row; a
    sales user's aging holds its own accounts only."""
    bounds = _edges(edges)
    with ctx.uow() as uow:
        report = reports.aging(uow, today(ctx, as_of), bounds)
        rows = list(report.rows)
        if owner_filter(ctx) is not None:
            owners = uow.customers.get_many({r.customer_id for r in rows})
            rows = [
                r
                for r in rows
                if r.customer_id in owners and ctx.user.sees(owners[r.customer_id].sales_owner)
            ]
    labels = list(report.labels)
    sums: dict[str, list[Money]] = {}
    for r in rows:
        current = sums.setdefault(r.currency, [Money.zero(r.currency)] * len(labels))
        sums[r.currency] = [a + b for a, b in zip(current, r.buckets, strict=True)]
    shown = [
        s.AgingRowOut(
            customer_id=r.customer_id,
            name=r.customer_name,
            currency=r.currency,
            buckets=dict(zip(labels, map(amount, r.buckets), strict=True)),
            total=amount(r.total),
        )
        for r in rows[offset : offset + limit]
    ]
    return s.AgingOut(
        as_of=report.as_of,
        edges=list(bounds),
        buckets=labels,
        rows=page(shown, len(rows), limit, offset),
        totals=[
            s.AgingTotalOut(
                currency=cur,
                buckets=dict(zip(labels, map(amount, parts), strict=True)),
                total=amount(total(parts, cur)),
            )
            for cur, parts in sorted(sums.items())
        ],
    )


# --- interest ------------------------------------------------------------------------------------


def _interest(
    uow: UnitOfWork, inv: Invoice, customer: Customer, until: dt.date, rates: RateBook
) -> InterestResult:
    """As ``recoup interest INVOICE``: on the amount from the due date, each allocation reducing it
    from the next day, at the contract's rate when its clause names one, else the statutory rate."""
    code = jurisdiction_for(customer)
    clause = clause_rate(customer.late_fee_clause)
    paid = [
        (a.applied_on, a.amount) for a in uow.queries.allocations_for([inv.number]) if a.applied_on <= until
    ]
    try:
        result = compute(
            inv.amount,
            inv.due_date,
            until,
            jurisdiction=code,
            consumer=customer.is_consumer,
            payments=paid,
            rates=rates,
            contract_rate=clause.rate,
        )
    except ArithmeticError:
        raise InvalidValueError(
            f"the interest on {inv.number} cannot be computed: the late-fee clause's rate "
            f"{clause.rate} % is out of range"
        ) from None
    if customer.late_fee_clause.strip():
        note = clause.note[0].upper() + clause.note[1:]
        rule = f"{result.rule} {note}" + ("." if clause.rate is not None else "")
        result = InterestResult(
            result.interest,
            result.compensation,
            result.total,
            result.segments,
            rule,
            result.sources,
            result.jurisdiction,
        )
    return result


def _interest_out(inv: Invoice, until: dt.date, r: InterestResult) -> s.InterestOut:
    return s.InterestOut(
        invoice=inv.number,
        customer_id=inv.customer_id,
        currency=inv.currency,
        as_of=until,
        jurisdiction=r.jurisdiction,
        interest=amount(r.interest),
        compensation=amount(r.compensation),
        total=amount(r.total),
        rule=r.rule,
        sources=list(r.sources),
        segments=[
            s.InterestSegmentOut(
                start=x.start,
                end=x.end,
                days=x.days,
                rate=str(x.rate),
                amount=amount(x.amount),
                principal=amount(x.principal) if x.principal is not None else None,
                basis=x.basis,
            )
            for x in r.segments
        ],
    )


def _rates(ctx: Ctx) -> RateBook:
    try:
        return load_rate_book(ctx.app.settings.rates)
    except DomainError:
        raise
    except (OSError, ValueError) as exc:
        raise InvalidValueError(f"the rate tables cannot be read: {exc}") from None


@router.get("/interest", response_model=s.InterestOut, summary="Statutory interest on an invoice")
def invoice_interest(
    ctx: Reader,
    invoice: Annotated[str, Query(min_length=1, max_length=64, pattern=s.NO_CONTROL)],
    as_of: AsOf = None,
) -> s.InterestOut:
    """Late-payment interest and fixed compensation up to ``as_of``, with the rule and its sources."""
    until = today(ctx, as_of)
    with ctx.uow() as uow:
        inv = visible_invoice(uow, ctx, invoice, "invoice")
        customer = visible_customer(uow, ctx, inv.customer_id)
        result = _interest(uow, inv, customer, until, _rates(ctx))
    return _interest_out(inv, until, result)


@router.get(
    "/customers/{customer_id}/interest",
    response_model=s.CustomerInterestOut,
    summary="Statutory interest on a customer's overdue invoices",
)
def customer_interest(customer_id: CustomerId, ctx: Reader, as_of: AsOf = None) -> s.CustomerInterestOut:
    """Each open invoice past due on ``as_of``, and the sums per currency."""
    until = today(ctx, as_of)
    with ctx.uow() as uow:
        customer = visible_customer(uow, ctx, customer_id)
        overdue = [i for i in uow.invoices.open_for_customers([customer.id]) if i.is_overdue(until)]
        rates = _rates(ctx) if overdue else None
        found = [(i, _interest(uow, i, customer, until, rates)) for i in overdue if rates is not None]
    sums: dict[str, tuple[Money, Money]] = {}
    for inv, r in found:
        zero = Money.zero(inv.currency)
        interest, compensation = sums.get(inv.currency, (zero, zero))
        sums[inv.currency] = (interest + r.interest, compensation + r.compensation)
    return s.CustomerInterestOut(
        customer_id=customer.id,
        as_of=until,
        invoices=[_interest_out(i, until, r) for i, r in found],
        totals=[
            s.InterestTotalOut(currency=cur, interest=amount(i), compensation=amount(c), total=amount(i + c))
            for cur, (i, c) in sorted(sums.items())
        ],
    )


# --- the policy ----------------------------------------------------------------------------------


def _policy_out(policy: Policy) -> s.PolicyOut:
    return s.PolicyOut.model_validate(policy_json(policy))


@router.get("/policies", response_model=s.Page[s.PolicyOut], summary="Every collection policy in force")
def list_policies(ctx: Reader, limit: Limit = 50, offset: Offset = 0) -> s.Page[s.PolicyOut]:
    """The default policy first, then the policies some segments or customers follow."""
    book = load_book(ctx.app.settings.policies)
    return sliced([_policy_out(p) for p in book.policies], limit, offset)


@router.get(
    "/policy", response_model=s.PolicyOut, summary="The policy a customer follows (default: the default)"
)
def get_policy(
    ctx: Reader,
    customer_id: Annotated[str | None, Query(max_length=64, pattern=s.NO_CONTROL)] = None,
) -> s.PolicyOut:
    book = load_book(ctx.app.settings.policies)
    if not customer_id:
        return _policy_out(book.default)
    with ctx.uow() as uow:
        customer = visible_customer(uow, ctx, customer_id, "customer_id")
    return _policy_out(book.for_customer(customer.id, customer.segment))
