"""``recoup letter CUSTOMER --kind ... --out FILE.pdf``: a letter for posting, from the customer's records.

The payload has the keys of an outbox item's (``services.run.payload``), built from
the customer's open invoices in one currency: for a final notice or a demand letter
the overdue ones, for a statement of account every open invoice and the payments
received in the last twelve months. The next step and its date come from the customer's policy.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from recoup import bootstrap
from recoup.domain.customers import Customer
from recoup.domain.errors import DomainError, NotFoundError
from recoup.domain.invoices import Invoice
from recoup.entrypoints.options import AsOfOption, DbOption, fail, out, parse_day
from recoup.law.guards import consumer_notices
from recoup.law.limitation import customer_jurisdiction
from recoup.services.advice import jurisdiction
from recoup.services.letters import DEADLINE_DAYS, LANGUAGES, letter_pdf, page_count
from recoup.services.policies import load_book
from recoup.services.ports import UnitOfWork
from recoup.services.rates import load_rate_book


class Kind(StrEnum):
    FINAL_NOTICE = "final-notice"
    DEMAND_LETTER = "demand-letter"
    STATEMENT = "statement"


def letter(
    customer: Annotated[str, typer.Argument(help="The customer's id.")],
    kind: Annotated[Kind, typer.Option("--kind", help="Which letter.")],
    output: Annotated[Path, typer.Option("--out", help="Where to write the PDF.")],
    lang: Annotated[
        str | None,
        typer.Option("--lang", help=f"Language ({', '.join(LANGUAGES)}); default: the customer's."),
    ] = None,
    currency: Annotated[
        str | None, typer.Option("--currency", help="The case's currency when the customer has several.")
    ] = None,
    db: DbOption = None,
    as_of: AsOfOption = None,
) -> None:
    """Write a final notice, a demand letter or a statement of account as a PDF, ready to post."""
    if lang is not None and lang not in LANGUAGES:
        raise typer.BadParameter(f"{lang!r} is not one of {', '.join(LANGUAGES)}", param_hint="--lang")
    built = bootstrap.build(db)
    day = parse_day(as_of, "--as-of", built.today())
    try:
        with built.uow() as uow:
            data = letter_payload(
                uow, customer, str(kind), day, currency=currency, policies=built.settings.policies
            )
        rates = load_rate_book(built.settings.rates)
        pdf = letter_pdf(str(kind), data, settings=built.settings, rates=rates, as_of=day, language=lang)
    except DomainError as exc:
        fail(str(exc))
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(pdf)
    out.print(
        f"{kind} for {data['customer']['name']} ({len(data['invoices'])} invoice(s), {data['overdue']} "
        f"{data['currency']} overdue): {output} ({page_count(pdf)} page(s)), to be posted"
    )


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
