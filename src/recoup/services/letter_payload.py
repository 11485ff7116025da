"""The payload of a letter written from a customer's records: what ``recoup letter``, the desk's
"send a statement now" and the customer page's statement of account print.

The payload has the keys of an outbox item's (``services.run.payload``), built from the
customer's open invoices in one currency: for a final notice or a demand letter the
overdue ones, for a statement of account every open invoice and the payments received
in the last twelve months. The next step and its date come from the customer's policy.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from recoup.domain.customers import Customer
from recoup.domain.errors import NotFoundError
from recoup.domain.invoices import Invoice
from recoup.law.guards import consumer_notices
from recoup.law.limitation import customer_jurisdiction
from recoup.services.advice import jurisdiction
from recoup.services.letters import DEADLINE_DAYS
from recoup.services.policies import load_book
from recoup.services.ports import UnitOfWork


def letter_payload(
    uow: UnitOfWork,
    customer_id: str,
    kind: str,
    as_of: dt.date,
    *,
    currency: str | None = None,
    policies: Path | None = None,
) -> dict[str, Any]:
    """The payload of a letter ``kind`` for ``customer_id`` on ``as_of`` (the keys of ``run.payload``)."""
    customer = uow.customers.get(customer_id)
    if customer is None:
        raise NotFoundError(f"no customer {customer_id!r}")
    invoices = [i for i in uow.invoices.for_customer(customer_id) if i.open_balance.amount > 0]
    chosen = currency or _currency(customer, invoices, as_of)
    if chosen is None:
        raise NotFoundError(f"customer {customer_id!r} has no open invoice: there is nothing to write about")
    mine = sorted((i for i in invoices if i.currency == chosen), key=lambda i: (i.due_date, i.number))
    overdue = [i for i in mine if i.is_overdue(as_of)]
    listed = mine if kind == "statement" else overdue
    if not listed:
        raise NotFoundError(
            f"customer {customer_id!r} has nothing overdue in {chosen} on {as_of.isoformat()}"
        )
    contacts = [c for c in uow.contacts.for_customer(customer_id) if c.valid]
    billing = next((c for c in contacts if str(c.role) == "billing"), contacts[0] if contacts else None)
    next_step, next_on, next_kind = _next(customer, kind, overdue, as_of, policies)
    payments = (
        [
            {"date": p.date.isoformat(), "reference": p.reference, "amount": str(p.amount.amount)}
            for p in sorted(uow.payments.for_customer(customer_id), key=lambda p: (p.date, p.reference))
            if p.amount.currency == chosen and p.date > as_of - dt.timedelta(days=365)
        ]
        if kind == "statement"
        else []
    )

    def line(inv: Invoice) -> dict[str, Any]:
        return {
            "number": inv.number,
            "due_date": inv.due_date.isoformat(),
            "amount": str(inv.amount.amount),
            "balance": str(inv.open_balance.amount),
        }

    return {
        "customer": {
            "id": customer.id,
            "name": customer.name,
            "language": customer.language,
            "kind": str(customer.kind),
            "jurisdiction": jurisdiction(customer),
            "attention": billing.name if billing else "",
        },
        "currency": chosen,
        "step": kind,
        "action": "letter",
        "tone": "formal",
        "template": kind,
        "attach": [],
        "recipients": [billing.email] if billing and billing.email else [],
        "copies": [],
        "invoices": [line(i) for i in listed],
        "shown": [],
        "total": str(sum((i.open_balance.amount for i in mine), start=Decimal(0))),
        "overdue": str(sum((i.open_balance.amount for i in overdue), start=Decimal(0))),
        "next_step": next_step,
        "next_on": next_on.isoformat() if next_on else None,
        "next_kind": next_kind,
        "consumer": customer.is_consumer,
        "window": [],
        "terms": customer.contract_terms,
        "late_fee_clause": customer.late_fee_clause,
        "sales_owner": customer.sales_owner,
        "time_zone": customer.time_zone,
        "notices": [
            {"code": n.code, "text": n.text, "source": n.source}
            for n in consumer_notices(customer_jurisdiction(customer), consumer=customer.is_consumer)
        ],
        "payments": payments,
    }


def _currency(customer: Customer, invoices: list[Invoice], as_of: dt.date) -> str | None:
    """The customer's own currency when it has open invoices in it, else that of its oldest open invoice."""
    if any(i.currency == customer.currency for i in invoices):
        return customer.currency
    if not invoices:
        return None
    return min(invoices, key=lambda i: (not i.is_overdue(as_of), i.due_date, i.number)).currency


def _next(
    customer: Customer, kind: str, overdue: list[Invoice], as_of: dt.date, policies: Path | None
) -> tuple[str, dt.date | None, str]:
    """The step of the customer's policy after ``kind`` that applies to it, the day it is reached and
    what the customer would notice of it (Step.kind)."""
    if kind == "statement" or not overdue:
        return "", None, ""
    policy = load_book(policies).for_customer(customer.id, customer.segment)
    ids = [s.id for s in policy.steps]
    if kind not in ids:
        return "", None, ""
    for step in policy.steps[ids.index(kind) + 1 :]:
        if step.applies_to(str(customer.kind), customer.segment) and step.id != "writeoff-review":
            day = overdue[0].due_date + dt.timedelta(days=step.offset)
            on = max(day, as_of + dt.timedelta(days=DEADLINE_DAYS))  # not before the deadline
            return step.id, on, step.kind
    return "", None, ""
