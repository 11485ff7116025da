"""The end-of-the-ladder advice for one customer, from the records (``law.advice`` decides).

One ``Advice`` per currency in which the customer has something overdue. The facts:
the overdue open invoices (each with whether its claim is time-barred, ``law.limitation``),
the customer's paid history in that currency (how many paid late) and broken promises,
and, when a rate book is given, statutory interest and fixed compensation to date
(``law.interest``, on each invoice's open balance from its due date). Without a rate
book, or when a rate is missing, the advice counts the principal only and says so.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from recoup.domain.cases import PromiseStatus
from recoup.domain.customers import Customer
from recoup.domain.errors import DomainError, NotFoundError
from recoup.domain.invoices import Invoice, InvoiceStatus
from recoup.domain.money import Money
from recoup.law.advice import Advice, Assumptions, CaseFacts, CaseItem, advise
from recoup.law.limitation import customer_jurisdiction, limitation_for
from recoup.law.rates import RateBook
from recoup.services.ports import UnitOfWork


def jurisdiction(customer: Customer) -> str:
    """The customer's jurisdiction for interest and costs (``law.interest.jurisdiction_for``), else
    the one for limitation (its own setting or its country)."""
    from recoup.law.interest import jurisdiction_for

    try:
        return jurisdiction_for(customer)
    except DomainError:
        return customer_jurisdiction(customer)


def case_facts(
    customer: Customer,
    currency: str,
    invoices: list[Invoice],
    broken_promises: int,
    as_of: dt.date,
    rates: RateBook | None = None,
) -> CaseFacts | None:
    """The facts of one case; None when nothing is overdue in ``currency``."""
    mine = [i for i in invoices if i.currency == currency]
    overdue = sorted((i for i in mine if i.is_overdue(as_of)), key=lambda i: (i.due_date, i.number))
    if not overdue:
        return None
    items = []
    for inv in overdue:
        found = limitation_for(customer, inv.due_date)
        items.append(
            CaseItem(inv.number, inv.due_date, inv.open_balance, bool(found and found.is_barred(as_of)))
        )
    paid = [i for i in mine if i.status is InvoiceStatus.PAID and i.closed_on is not None]
    late = [i for i in paid if i.closed_on is not None and i.closed_on > i.due_date]
    code = jurisdiction(customer)
    interest, compensation, note = _interest(customer, code, overdue, as_of, rates)
    return CaseFacts(
        customer_id=customer.id,
        currency=currency,
        as_of=as_of,
        jurisdiction=code,
        items=tuple(items),
        consumer=customer.is_consumer,
        interest=interest,
        compensation=compensation,
        paid=len(paid),
        paid_late=len(late),
        broken_promises=broken_promises,
        interest_note=note,
    )


def _interest(
    customer: Customer, code: str, overdue: list[Invoice], as_of: dt.date, rates: RateBook | None
) -> tuple[Money | None, Money | None, str]:
    if rates is None:
        return None, None, "statutory interest could not be computed (no rate tables): principal only"
    from recoup.law.interest import compute

    currency = overdue[0].currency
    interest, compensation = Money.zero(currency), Money.zero(currency)
    try:
        for inv in overdue:
            result = compute(
                inv.open_balance,
                inv.due_date,
                as_of,
                jurisdiction=code,
                consumer=customer.is_consumer,
                rates=rates,
            )
            interest, compensation = interest + result.interest, compensation + result.compensation
    except DomainError as exc:
        return None, None, f"statutory interest could not be computed ({exc}): principal only"
    return interest, compensation, ""


def advise_customer(
    uow: UnitOfWork,
    customer_id: str,
    as_of: dt.date,
    *,
    rates: RateBook | None = None,
    assumptions: Assumptions | None = None,
) -> list[Advice]:
    """One advice per currency in which ``customer_id`` has something overdue on ``as_of``."""
    customer = uow.customers.get(customer_id)
    if customer is None:
        raise NotFoundError(f"no customer {customer_id!r}")
    invoices = uow.invoices.for_customer(customer_id)
    broken = sum(1 for p in uow.promises.for_customer(customer_id) if p.status == PromiseStatus.BROKEN)
    found: list[Advice] = []
    for currency in sorted({i.currency for i in invoices if i.is_overdue(as_of)}):
        facts = case_facts(customer, currency, invoices, broken, as_of, rates)
        if facts is not None:
            found.append(advise(facts, assumptions))
    return found


def advice_json(advice: Advice) -> dict[str, Any]:
    """An advice for scripts: money as strings, an impossible option's expected value '-Infinity'."""

    def money(value: Any) -> str:
        return str(Money(value, advice.currency).amount) if value.is_finite() else str(value)

    return {
        "customer": advice.customer_id,
        "currency": advice.currency,
        "as_of": advice.as_of.isoformat(),
        "balance": str(advice.balance.amount),
        "days_past_due": advice.days_past_due,
        "options": [
            {
                "name": o.name,
                "expected": money(o.expected),
                "assumptions": dict(o.assumptions),
                "explanation": o.explanation,
            }
            for o in advice.options
        ],
        "recommended": advice.recommended,
        "why": advice.why,
        "settlement_amount": str(advice.settlement_amount.amount) if advice.settlement_amount else None,
        "notes": list(advice.notes),
    }


def summary(advice: Advice) -> str:
    """One sentence for a task: the recommendation, the expected values and the settlement."""
    values = ", ".join(
        f"{o.name} {Money(o.expected, advice.currency).amount if o.possible else 'impossible'}"
        for o in advice.options
    )
    settle = f"; settle for no less than {advice.settlement_amount}" if advice.settlement_amount else ""
    return f"advice: {advice.recommended} ({values} {advice.currency}){settle}"
