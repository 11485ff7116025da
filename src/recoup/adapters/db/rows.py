"""Conversions between table rows and domain records."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import Connection, any_, literal
from sqlalchemy.dialects.postgresql import ARRAY

from recoup.domain.activity import Activity
from recoup.domain.customers import Contact, ContactRole, Customer, CustomerKind
from recoup.domain.invoices import Invoice, InvoiceStatus
from recoup.domain.money import Money
from recoup.domain.payments import Allocation, AllocationKind, CreditNote, Payment

T = TypeVar("T")
CHUNK = 5000


def member(conn: Connection, column: Any, values: Sequence[Any]) -> Any:
    """``column IN values``; on PostgreSQL ``column = ANY(array)``: one parameter instead of thousands,
    which psycopg need not parse on every call (the long IN lists cost seconds a run)."""
    if conn.dialect.name == "postgresql":
        return column == any_(literal(list(values), ARRAY(column.type)))
    return column.in_(values)


def chunks(items: Sequence[T] | Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def customer_row(c: Customer) -> dict[str, Any]:
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
        "credit_limit_minor": c.credit_limit.minor if c.credit_limit is not None else None,
        "tax_id": c.tax_id,
        "contract_terms": c.contract_terms,
        "late_fee_clause": c.late_fee_clause,
        "jurisdiction": c.jurisdiction,
    }


def to_customer(r: Mapping[str, Any]) -> Customer:
    limit = r["credit_limit_minor"]
    return Customer(
        id=r["id"],
        name=r["name"],
        kind=CustomerKind(r["kind"]),
        country=r["country"],
        language=r["language"],
        time_zone=r["time_zone"],
        currency=r["currency"],
        segment=r["segment"],
        sales_owner=r["sales_owner"],
        payment_terms_days=r["payment_terms_days"],
        credit_limit=Money.from_minor(limit, r["currency"]) if limit is not None else None,
        tax_id=r["tax_id"],
        contract_terms=r["contract_terms"],
        late_fee_clause=r["late_fee_clause"],
        jurisdiction=r["jurisdiction"],
    )


def contact_row(c: Contact) -> dict[str, Any]:
    return {
        "customer_id": c.customer_id,
        "name": c.name,
        "role": c.role.value,
        "email": c.email,
        "phone": c.phone,
        "valid": c.valid,
    }


def to_contact(r: Mapping[str, Any]) -> Contact:
    return Contact(
        customer_id=r["customer_id"],
        name=r["name"],
        role=ContactRole(r["role"]),
        email=r["email"],
        phone=r["phone"],
        valid=bool(r["valid"]),
        id=r["id"],
    )


def invoice_row(i: Invoice) -> dict[str, Any]:
    return {
        "number": i.number,
        "customer_id": i.customer_id,
        "issue_date": i.issue_date,
        "due_date": i.due_date,
        "currency": i.currency,
        "amount_minor": i.amount.minor,
        "balance_minor": i.open_balance.minor,
        "sent_to": i.sent_to,
        "status": i.status.value,
        "closed_on": i.closed_on,
    }


def to_invoice(r: Mapping[str, Any]) -> Invoice:
    cur = r["currency"]
    return Invoice(
        number=r["number"],
        customer_id=r["customer_id"],
        issue_date=r["issue_date"],
        due_date=r["due_date"],
        amount=Money.from_minor(r["amount_minor"], cur),
        balance=Money.from_minor(r["balance_minor"], cur),
        sent_to=r["sent_to"],
        status=InvoiceStatus(r["status"]),
        closed_on=r["closed_on"],
        id=r["id"],
    )


def to_payment(r: Mapping[str, Any]) -> Payment:
    cur = r["currency"]
    return Payment(
        reference=r["reference"],
        customer_id=r["customer_id"],
        date=r["date"],
        amount=Money.from_minor(r["amount_minor"], cur),
        unapplied=Money.from_minor(r["unapplied_minor"], cur),
        invoices=tuple(n for n in r["invoices"].split(";") if n),
        id=r["id"],
    )


def to_credit_note(r: Mapping[str, Any]) -> CreditNote:
    cur = r["currency"]
    return CreditNote(
        number=r["number"],
        customer_id=r["customer_id"],
        date=r["date"],
        amount=Money.from_minor(r["amount_minor"], cur),
        invoice_number=r["invoice_number"],
        unapplied=Money.from_minor(r["unapplied_minor"], cur),
        id=r["id"],
    )


def to_allocation(r: Mapping[str, Any]) -> Allocation:
    return Allocation(
        invoice_number=r["number"],
        amount=Money.from_minor(r["amount_minor"], r["currency"]),
        kind=AllocationKind(r["kind"]),
        source=r["source"],
        applied_on=r["applied_on"],
    )


def activity_row(a: Activity) -> dict[str, Any]:
    return {
        "at": a.at,
        "kind": a.kind,
        "actor": a.actor,
        "customer_id": a.customer_id,
        "invoices": list(a.invoices),
        "text": a.text,
        "document": a.document,
        "data": a.data,
    }


def to_activity(r: Mapping[str, Any]) -> Activity:
    return Activity(
        kind=r["kind"],
        at=r["at"],
        actor=r["actor"],
        customer_id=r["customer_id"],
        text=r["text"],
        invoices=tuple(r["invoices"]),
        document=r["document"],
        data=dict(r["data"]),
        id=r["id"],
    )
