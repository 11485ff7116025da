"""Read-side use cases: aging, the customer list and one customer's overview."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from recoup.domain.activity import Activity
from recoup.domain.aging import DEFAULT_EDGES, AgingReport, bucket_index, bucket_labels
from recoup.domain.customers import Contact, Customer
from recoup.domain.errors import NotFoundError
from recoup.domain.invoices import Invoice
from recoup.domain.money import Money, total
from recoup.services.ports import UnitOfWork


def aging(uow: UnitOfWork, as_of: dt.date, edges: Sequence[int] = DEFAULT_EDGES) -> AgingReport:
    return uow.queries.aging(as_of, edges)


def money_json(m: Money) -> str:
    """Money in JSON: a string with the exact decimal amount (never a float)."""
    return str(m.amount)


def aging_json(report: AgingReport) -> dict[str, Any]:
    return {
        "as_of": report.as_of.isoformat(),
        "buckets": list(report.labels),
        "rows": [
            {
                "customer": r.customer_id,
                "name": r.customer_name,
                "currency": r.currency,
                "buckets": dict(zip(report.labels, map(money_json, r.buckets), strict=True)),
                "total": money_json(r.total),
            }
            for r in report.rows
        ],
        "totals": {
            cur: {
                "buckets": dict(zip(report.labels, map(money_json, amounts), strict=True)),
                "total": money_json(total(amounts, cur)),
            }
            for cur, amounts in report.totals().items()
        },
    }


@dataclass(frozen=True)
class CustomerOverview:
    customer: Customer
    contacts: list[Contact]
    open_invoices: list[Invoice]
    balances: dict[str, tuple[Money, Money]]  # currency -> (open, overdue)
    unapplied: dict[str, Money]
    timeline: list[Activity]
    as_of: dt.date


def customer_overview(
    uow: UnitOfWork, customer_id: str, as_of: dt.date, *, timeline: int = 100
) -> CustomerOverview:
    customer = uow.customers.get(customer_id)
    if customer is None:
        raise NotFoundError(f"no customer {customer_id!r}")
    open_invoices = uow.invoices.open_for_customers([customer_id])
    open_invoices = [i for i in open_invoices if i.issue_date <= as_of]
    balances: dict[str, tuple[Money, Money]] = {}
    for inv in open_invoices:
        zero = Money.zero(inv.currency)
        owed, late = balances.get(inv.currency, (zero, zero))
        late = late + inv.open_balance if inv.is_overdue(as_of) else late
        balances[inv.currency] = (owed + inv.open_balance, late)
    unapplied: dict[str, Money] = {}
    for source in [*uow.payments.for_customer(customer_id), *uow.credit_notes.for_customer(customer_id)]:
        rest = source.unapplied
        if rest is not None and not rest.is_zero():
            unapplied[rest.currency] = unapplied.get(rest.currency, Money.zero(rest.currency)) + rest
    return CustomerOverview(
        customer,
        uow.contacts.for_customer(customer_id),
        open_invoices,
        dict(sorted(balances.items())),
        dict(sorted(unapplied.items())),
        uow.activities.for_customer(customer_id, limit=timeline),
        as_of,
    )


def overview_json(o: CustomerOverview) -> dict[str, Any]:
    c = o.customer
    labels = bucket_labels(DEFAULT_EDGES)
    return {
        "as_of": o.as_of.isoformat(),
        "customer": {
            "id": c.id,
            "name": c.name,
            "kind": c.kind.value,
            "country": c.country,
            "language": c.language,
            "timezone": c.time_zone,
            "currency": c.currency,
            "segment": c.segment,
            "sales_owner": c.sales_owner,
            "payment_terms_days": c.payment_terms_days,
            "credit_limit": money_json(c.credit_limit) if c.credit_limit else None,
            "tax_id": c.tax_id,
            "contract_terms": c.contract_terms,
            "late_fee_clause": c.late_fee_clause,
        },
        "balances": {
            cur: {"open": money_json(o_), "overdue": money_json(late)}
            for cur, (o_, late) in o.balances.items()
        },
        "unapplied": {cur: money_json(m) for cur, m in o.unapplied.items()},
        "open_invoices": [
            {
                "number": i.number,
                "issue_date": i.issue_date.isoformat(),
                "due_date": i.due_date.isoformat(),
                "currency": i.currency,
                "amount": money_json(i.amount),
                "balance": money_json(i.open_balance),
                "days_past_due": max(0, i.days_past_due(o.as_of)),
                "bucket": labels[bucket_index(i.days_past_due(o.as_of))],
            }
            for i in o.open_invoices
        ],
        "contacts": [
            {"name": x.name, "role": x.role.value, "email": x.email, "phone": x.phone, "valid": x.valid}
            for x in o.contacts
        ],
        "timeline": [
            {
                "at": a.at.isoformat(),
                "kind": a.kind,
                "actor": a.actor,
                "text": a.text,
                "invoices": list(a.invoices),
            }
            for a in o.timeline
        ],
    }


@dataclass(frozen=True)
class CustomerLine:
    customer: Customer
    balances: dict[str, tuple[Money, Money]]  # currency -> (open, overdue)


def customer_list(
    uow: UnitOfWork, as_of: dt.date, *, offset: int = 0, limit: int | None = None
) -> list[CustomerLine]:
    """Customers in id order with their open and overdue balance per currency (from the aging query)."""
    customers = uow.customers.list(offset=offset, limit=limit)
    wanted = {c.id for c in customers}
    balances: dict[str, dict[str, tuple[Money, Money]]] = {}
    for row in uow.queries.aging(as_of, DEFAULT_EDGES).rows:
        if row.customer_id in wanted:
            overdue = total(row.buckets[1:], row.currency)
            balances.setdefault(row.customer_id, {})[row.currency] = (row.total, overdue)
    return [CustomerLine(c, balances.get(c.id, {})) for c in customers]


def customer_list_json(lines: list[CustomerLine], as_of: dt.date) -> dict[str, Any]:
    return {
        "as_of": as_of.isoformat(),
        "customers": [
            {
                "id": line.customer.id,
                "name": line.customer.name,
                "kind": line.customer.kind.value,
                "country": line.customer.country,
                "currency": line.customer.currency,
                "segment": line.customer.segment,
                "sales_owner": line.customer.sales_owner,
                "balances": {
                    cur: {"open": money_json(o), "overdue": money_json(late)}
                    for cur, (o, late) in line.balances.items()
                },
            }
            for line in lines
        ],
    }
