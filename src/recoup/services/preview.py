"""The payload the day's run would build for one customer and one step, for previews and letters.

It takes the customer's open invoices in one currency as the items of the
case (all of them chased: a preview shows the full message) and the step as
the policy defines it, and builds the same payload as ``services.run``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from recoup.domain.cases import CaseKey
from recoup.domain.customers import ContactRole
from recoup.domain.errors import InvalidValueError, NotFoundError
from recoup.domain.money import Money
from recoup.policy.model import Action, Policy
from recoup.policy.snapshot import CaseSnapshot, Item, PlannedAction
from recoup.services.ports import UnitOfWork
from recoup.services.run import payload


def preview_payload(
    uow: UnitOfWork,
    policy: Policy,
    customer_id: str,
    step_id: str,
    as_of: dt.date,
    *,
    currency: str | None = None,
) -> dict[str, Any]:
    """The payload of ``step_id`` for the open invoices of ``customer_id`` (in ``currency``)."""
    customer = uow.customers.get(customer_id)
    if customer is None:
        raise NotFoundError(f"no customer {customer_id!r}")
    try:
        step = policy.step(step_id)
    except KeyError:
        known = ", ".join(s.id for s in policy.steps)
        raise InvalidValueError(f"no step {step_id!r} in policy {policy.name!r} (known: {known})") from None
    invoices = uow.invoices.open_for_customers([customer_id])
    wanted = currency or (invoices[0].currency if invoices else customer.currency)
    items = tuple(
        Item(i.number, i.due_date, i.amount, i.open_balance, i.sent_to)
        for i in invoices
        if i.currency == wanted
    )
    contacts = tuple(uow.contacts.for_customer(customer_id))
    snap = CaseSnapshot(customer=customer, currency=wanted, items=items, contacts=contacts)
    billing = [c.email for c in contacts if c.valid and c.email and c.role == ContactRole.BILLING]
    zero = Money.zero(wanted)
    total = sum((i.balance for i in items), zero)
    overdue = sum((i.balance for i in items if i.days_past_due(as_of) > 0), zero)
    rank = policy.rank(step.id)
    following = policy.steps[rank + 1] if rank + 1 < len(policy.steps) else None
    first_due = min((i.due_date for i in items), default=as_of)
    action = PlannedAction(
        case=CaseKey(customer_id, wanted),
        step=step.id,
        action=next((a for a in step.actions if a in (Action.EMAIL, Action.LETTER)), step.actions[0]),
        cycle=items[0].number if items else "",
        invoices=tuple(i.number for i in items),
        shown=(),
        recipients=tuple(billing[:1] if customer.kind == "consumer" else billing),
        copies=(),
        tone=step.tone,
        template=step.template or step.id,
        attach=step.attach,
        total=total,
        overdue=overdue,
        next_step=following.id if following else "",
        next_on=first_due + dt.timedelta(days=following.offset) if following else None,
        next_kind=following.kind if following else "",
        consumer=customer.kind == "consumer",
    )
    return payload(action, {i.number: i for i in items}, snap)
