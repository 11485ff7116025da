"""Customers and their contacts: list, read, create, change (with the case version), mark a contact invalid.

Creating or changing a customer or a contact is a change to the ledger (``Permission.LEDGER``)
and writes an entry in the customer's activity log with the user as its actor.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Query

from recoup.domain.activity import Activity
from recoup.domain.cases import DisputeStatus
from recoup.domain.customers import Contact, Customer, check_country, normalize_tax_id
from recoup.domain.errors import DomainError, DuplicateError, InvalidInputError, NotFoundError
from recoup.domain.invoices import Invoice
from recoup.domain.users import normal_email
from recoup.entrypoints.web import schemas as s
from recoup.entrypoints.web.api_common import (
    AsOf,
    Bookkeeper,
    CustomerId,
    Filter,
    Limit,
    Offset,
    Reader,
    RecordId,
    activity_out,
    amount,
    balances_out,
    case_for,
    contact_out,
    currency_in,
    customer_line,
    dispute_out,
    hold_out,
    money_in,
    owner_filter,
    page,
    plan_out,
    promise_out,
    settlement_out,
    sliced,
    today,
    visible_customer,
)
from recoup.entrypoints.web.security import Ctx
from recoup.services import casework, listing, reports, versions
from recoup.services.ports import UnitOfWork

router = APIRouter(prefix="/api", tags=["customers"])

RECENT = 20  # activity entries shown with a customer; the timeline has the rest


@router.get("/customers", response_model=s.Page[s.CustomerLineOut], summary="Customers with their balances")
def list_customers(
    ctx: Reader,
    q: Filter = None,
    country: Annotated[str | None, Query(max_length=2, pattern=r"^[A-Za-z]{0,2}$")] = None,
    sales_owner: Annotated[str | None, Query(max_length=254, pattern=s.NO_CONTROL)] = None,
    overdue: Annotated[bool, Query(description="only customers with something overdue")] = False,
    order: Literal["id", "name"] = "id",
    as_of: AsOf = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> s.Page[s.CustomerLineOut]:
    """Filtered by id or name (``q``), country, sales owner and overdue; a sales user sees its own only.

    Each customer comes with its open and overdue balance per currency on ``as_of``."""
    owner = owner_filter(ctx) or (sales_owner or None)
    with ctx.uow() as uow:
        rows, total = listing.customers(
            uow,
            today(ctx, as_of),
            q=q,
            country=country,
            sales_owner=owner,
            overdue_only=overdue,
            order=order,
            offset=offset,
            limit=limit,
        )
    return page([customer_line(r.customer, r.balances) for r in rows], total, limit, offset)


def _states(uow: UnitOfWork, customer: Customer, items: list[Invoice], as_of: Any) -> dict[str, list[str]]:
    """Why each open item is not chased today (disputed, promised, in a plan or settlement, on hold)."""
    ids = [customer.id]
    on_hold = any(h.active_on(as_of) for h in uow.holds.open_for(ids))
    disputed = {d.invoice_number for d in uow.disputes.open_for(ids) if d.status is DisputeStatus.OPEN}
    covers: list[tuple[str, str, tuple[str, ...]]] = []
    covers += [("promised", p.currency, p.invoices) for p in uow.promises.open_for(ids)]
    covers += [("in_plan", p.currency, p.invoices) for p in uow.plans.open_for(ids)]
    covers += [("in_settlement", x.currency, x.invoices) for x in uow.settlements.open_for(ids)]
    found: dict[str, list[str]] = {}
    for inv in items:
        states = ["disputed"] if inv.number in disputed else []
        for state, currency, numbers in covers:
            if state not in states and (inv.number in numbers or (not numbers and currency == inv.currency)):
                states.append(state)
        if on_hold:
            states.append("on_hold")
        found[inv.number] = states
    return found


@router.get("/customers/{customer_id}", response_model=s.CustomerOut, summary="One customer, all of its case")
def get_customer(customer_id: CustomerId, ctx: Reader, as_of: AsOf = None) -> s.CustomerOut:
    """Record, balances, contacts, open items with their states, arrangements in force, the latest
    activity, and the case's ``version`` (send it back with a change)."""
    day = today(ctx, as_of)
    with ctx.uow() as uow:
        c = visible_customer(uow, ctx, customer_id)
        o = reports.customer_overview(uow, c.id, day, timeline=RECENT)
        states = _states(uow, c, o.open_invoices, day)
        ids = [c.id]
        currency_of = {i.number: i.currency for i in o.open_invoices}
        answer = s.CustomerOut(
            **_record(c),
            as_of=day,
            version=versions.version(uow, c.id),
            balances=balances_out({k: listing.Balance(*v) for k, v in o.balances.items()}),
            unapplied=[s.BalanceOut(currency=k, open=amount(m), overdue="0") for k, m in o.unapplied.items()],
            contacts=[contact_out(x) for x in o.contacts],
            open_items=[
                s.OpenItemOut(
                    number=i.number,
                    issue_date=i.issue_date,
                    due_date=i.due_date,
                    currency=i.currency,
                    amount=amount(i.amount),
                    balance=amount(i.open_balance),
                    days_past_due=max(0, i.days_past_due(day)),
                    states=states[i.number],
                )
                for i in o.open_invoices
            ],
            promises=[promise_out(p) for p in uow.promises.open_for(ids)],
            plans=[plan_out(p) for p in uow.plans.open_for(ids)],
            disputes=[
                dispute_out(d, currency_of.get(d.invoice_number, "")) for d in uow.disputes.open_for(ids)
            ],
            holds=[hold_out(h) for h in uow.holds.open_for(ids)],
            settlements=[settlement_out(x) for x in uow.settlements.open_for(ids)],
            recent_activity=[activity_out(a) for a in o.timeline],
        )
    return answer


def _record(c: Customer) -> dict[str, Any]:
    return {
        "id": c.id,
        "name": c.name,
        "kind": c.kind.value,
        "country": c.country,
        "language": c.language,
        "time_zone": c.time_zone,
        "currency": c.currency,
        "segment": c.segment,
        "sales_owner": c.sales_owner,
        "payment_terms_days": c.payment_terms_days,
        "credit_limit": amount(c.credit_limit) if c.credit_limit is not None else None,
        "tax_id": c.tax_id,
        "contract_terms": c.contract_terms,
        "late_fee_clause": c.late_fee_clause,
        "jurisdiction": c.jurisdiction,
    }


def _line(uow: UnitOfWork, ctx: Ctx, c: Customer) -> s.CustomerLineOut:
    sums = uow.listings.balances([c.id], ctx.app.today()).get(c.id, {})
    return customer_line(c, {k: listing.Balance(*v) for k, v in sorted(sums.items())})


def _checked(values: dict[str, Any], limit_text: str | None, sent: set[str] | None = None) -> Customer:
    """A customer from the client's values, each checked with an error naming its field (of the
    fields ``sent``, None: all; the others were checked when they were stored)."""
    values = dict(values)
    try:
        values["country"] = check_country(values["country"])
    except DomainError as exc:
        raise InvalidInputError(str(exc), field="country") from None
    if values.get("currency"):
        values["currency"] = currency_in(values["currency"])
    if values.get("time_zone"):
        try:
            ZoneInfo(values["time_zone"])
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise InvalidInputError(
                f"{values['time_zone']!r} is not an IANA time zone (e.g. Europe/Berlin)", field="time_zone"
            ) from None
    if values.get("sales_owner") and (sent is None or "sales_owner" in sent):
        values["sales_owner"] = normal_email(values["sales_owner"], field="sales_owner")
    if values.get("tax_id"):
        try:
            values["tax_id"] = normalize_tax_id(values["tax_id"], values["country"])
        except DomainError as exc:
            raise InvalidInputError(str(exc), field="tax_id") from None
    values["jurisdiction"] = (values.get("jurisdiction") or "").upper()
    try:
        customer = Customer(**values)
    except DomainError as exc:
        raise InvalidInputError(str(exc), field="") from None
    if limit_text is not None:
        limit = money_in(limit_text, customer.currency, "credit_limit")
        customer = dataclasses.replace(customer, credit_limit=limit)
    return customer


@router.post("/customers", response_model=s.CustomerWritten, status_code=201, summary="Add a customer")
def create_customer(body: s.CustomerIn, ctx: Bookkeeper) -> s.CustomerWritten:
    values = body.model_dump(exclude={"credit_limit"})
    customer = _checked(values, body.credit_limit)
    with ctx.uow() as uow:
        if uow.customers.get(customer.id) is not None:
            raise DuplicateError(f"customer {customer.id} exists already")
        uow.customers.add_many([customer])
        uow.activities.add_many(
            [Activity("customer", ctx.app.now(), ctx.actor, customer.id, f"Customer {customer.name} created")]
        )
        answer = s.CustomerWritten(
            version=versions.version(uow, customer.id), customer=_line(uow, ctx, customer)
        )
    return answer


def _shown(value: Any) -> str:
    if value is None:
        return "none"
    return str(getattr(value, "value", value))


@router.patch("/customers/{customer_id}", response_model=s.CustomerWritten, summary="Change a customer")
def change_customer(customer_id: CustomerId, body: s.CustomerChange, ctx: Bookkeeper) -> s.CustomerWritten:
    """Only the fields sent change (``credit_limit`` null removes the limit); nothing sent, nothing
    changes. A changed currency needs the credit limit in the new currency (or null)."""
    sent = body.model_fields_set - {"version"}
    with ctx.uow() as uow:
        old = case_for(uow, ctx, customer_id, body.version)
        values = _record(old)
        values.pop("credit_limit")
        values.update(
            {k: v for k, v in body.model_dump(include=sent - {"credit_limit"}).items() if v is not None}
        )
        limit = body.credit_limit if "credit_limit" in sent else _limit_text(old)
        new_currency = "currency" in sent and values["currency"].upper() != old.currency
        if new_currency and old.credit_limit is not None and "credit_limit" not in sent:
            raise InvalidInputError(
                f"the credit limit {old.credit_limit} is in the old currency: send it in "
                f"{values['currency'].upper()} (or null) with the new currency",
                field="credit_limit",
            )
        new = _checked(values, limit, sent)
        changed = {
            f.name: (getattr(old, f.name), getattr(new, f.name))
            for f in dataclasses.fields(Customer)
            if getattr(old, f.name) != getattr(new, f.name)
        }
        if changed:
            uow.customers.update_many([new])
            said = "; ".join(f"{k}: {_shown(a)} -> {_shown(b)}" for k, (a, b) in changed.items())
            uow.activities.add_many(
                [
                    Activity(
                        "customer",
                        ctx.app.now(),
                        ctx.actor,
                        new.id,
                        f"Customer details changed: {said}",
                        data={"changed": {k: [_shown(a), _shown(b)] for k, (a, b) in changed.items()}},
                    )
                ]
            )
        answer = s.CustomerWritten(version=versions.version(uow, new.id), customer=_line(uow, ctx, new))
    return answer


def _limit_text(c: Customer) -> str | None:
    return str(c.credit_limit.amount) if c.credit_limit is not None else None


# --- contacts ------------------------------------------------------------------------------------


@router.get(
    "/customers/{customer_id}/contacts", response_model=s.Page[s.ContactOut], summary="A customer's contacts"
)
def list_contacts(
    customer_id: CustomerId, ctx: Reader, limit: Limit = 50, offset: Offset = 0
) -> s.Page[s.ContactOut]:
    with ctx.uow() as uow:
        c = visible_customer(uow, ctx, customer_id)
        found = [contact_out(x) for x in uow.contacts.for_customer(c.id)]
    return sliced(found, limit, offset)


def _contact(uow: UnitOfWork, customer_id: str, contact_id: int) -> Contact:
    for found in uow.contacts.for_customer(customer_id):
        if found.id == contact_id:
            return found
    raise NotFoundError(f"customer {customer_id} has no contact {contact_id}")


def _log(uow: UnitOfWork, ctx: Ctx, customer_id: str, text: str, **data: Any) -> None:
    uow.activities.add_many([Activity("contact", ctx.app.now(), ctx.actor, customer_id, text, data=data)])


def _valid_contact(**values: Any) -> Contact:
    try:
        return Contact(**values)
    except DomainError as exc:
        raise InvalidInputError(str(exc), field="email" if "email" in str(exc) else "") from None


@router.post(
    "/customers/{customer_id}/contacts",
    response_model=s.ContactWritten,
    status_code=201,
    summary="Add a contact",
)
def add_contact(customer_id: CustomerId, body: s.ContactIn, ctx: Bookkeeper) -> s.ContactWritten:
    with ctx.uow() as uow:
        c = case_for(uow, ctx, customer_id, body.version)
        name = body.name.strip()
        if not name:
            raise InvalidInputError("a contact needs a name", field="name")
        contact = _valid_contact(
            customer_id=c.id, name=name, role=body.role, email=body.email.strip(), phone=body.phone.strip()
        )
        if uow.contacts.get_many([(c.id, name)]):
            raise DuplicateError(f"customer {c.id} already has a contact named {name!r}")
        uow.contacts.add_many([contact])
        stored = uow.contacts.get_many([(c.id, name)])[(c.id, name)]
        _log(uow, ctx, c.id, f"Contact {name} ({body.role}) added", contact=name, email=contact.email)
        answer = s.ContactWritten(**contact_out(stored).model_dump(), version=versions.version(uow, c.id))
    return answer


@router.patch(
    "/customers/{customer_id}/contacts/{contact_id}",
    response_model=s.ContactWritten,
    summary="Change a contact",
)
def change_contact(
    customer_id: CustomerId, contact_id: RecordId, body: s.ContactChange, ctx: Bookkeeper
) -> s.ContactWritten:
    """A new email makes a contact marked invalid (bounced) valid again."""
    with ctx.uow() as uow:
        c = case_for(uow, ctx, customer_id, body.version)
        old = _contact(uow, c.id, contact_id)
        email = body.email.strip() if body.email is not None else old.email
        new = _valid_contact(
            customer_id=c.id,
            name=old.name,
            role=body.role or old.role,
            email=email,
            phone=body.phone.strip() if body.phone is not None else old.phone,
            valid=old.valid or email != old.email,
            id=old.id,
        )
        changed = [f for f in ("role", "email", "phone", "valid") if getattr(old, f) != getattr(new, f)]
        if changed:
            uow.contacts.update_many([new])
            said = ", ".join(f"{f} {_shown(getattr(old, f))} -> {_shown(getattr(new, f))}" for f in changed)
            _log(uow, ctx, c.id, f"Contact {old.name} changed: {said}", contact=old.name)
        answer = s.ContactWritten(**contact_out(new).model_dump(), version=versions.version(uow, c.id))
    return answer


@router.post(
    "/customers/{customer_id}/contacts/{contact_id}/invalid",
    response_model=s.ContactWritten,
    summary="Mark a contact invalid (a message bounced)",
)
def mark_invalid(
    customer_id: CustomerId, contact_id: RecordId, ctx: Bookkeeper, body: s.VersionIn | None = None
) -> s.ContactWritten:
    """The contact is kept, marked invalid, and a skip-tracing task asks for one that works."""
    with ctx.uow() as uow:
        c = case_for(uow, ctx, customer_id, body.version if body else None)
        old = _contact(uow, c.id, contact_id)
        new = casework.mark_contact_invalid(uow, c.id, old.name, at=ctx.app.now(), actor=ctx.actor)
        answer = s.ContactWritten(**contact_out(new).model_dump(), version=versions.version(uow, c.id))
    return answer
