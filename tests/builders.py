"""Small helpers to write a ledger inline, readable like a specification.

    given(uow_factory,
          customer("ACME"),
          invoice("INV-1", customer="ACME", amount="100.00", issued="2026-01-01", due="2026-01-31"),
          payment("PAY-1", customer="ACME", amount="40.00", on="2026-02-03", invoices=["INV-1"]))

Amounts are strings (exact decimals), dates ISO strings; everything has a
default so a test names only what it is about. ``given`` stores the records
through the same services an import uses and commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from recoup.domain.activity import Activity
from recoup.domain.customers import Contact, Customer, CustomerKind
from recoup.domain.invoices import Invoice
from recoup.domain.money import Money
from recoup.domain.payments import CreditNote, Payment
from recoup.services import ledger
from recoup.services.ports import UnitOfWork, UnitOfWorkFactory

AT = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
# The third-party corpora (../shared/corpora): tests that read them skip when it is absent.
CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
"""The wall-clock time of every recorded action (the same as conftest.AT)."""

DateLike = dt.date | str


def day(value: DateLike) -> dt.date:
    """A date from an ISO string ('2026-03-31') or a date."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def money(amount: str | int | Decimal, currency: str = "EUR") -> Money:
    return Money(amount, currency)


def eur(amount: str | int) -> Money:
    return Money(amount, "EUR")


def customer(
    id: str = "C1",
    name: str | None = None,
    *,
    country: str = "DE",
    consumer: bool = False,
    terms: int = 30,
    **fields: Any,
) -> Customer:
    return Customer(
        id=id,
        name=name or f"Customer {id}",
        kind=CustomerKind.CONSUMER if consumer else CustomerKind.BUSINESS,
        country=country,
        payment_terms_days=terms,
        **fields,
    )


def contact(name: str, *, customer: str = "C1", email: str = "", role: str = "billing") -> Contact:
    return Contact(customer_id=customer, name=name, role=role, email=email)  # type: ignore[arg-type]


def invoice(
    number: str,
    *,
    customer: str = "C1",
    amount: str | int = "100.00",
    currency: str = "EUR",
    issued: DateLike = "2026-01-01",
    due: DateLike | None = None,
    terms: int = 30,
) -> Invoice:
    """An open invoice; without ``due`` it is due ``terms`` days after ``issued``."""
    issue_date = day(issued)
    due_date = day(due) if due is not None else issue_date + dt.timedelta(days=terms)
    return Invoice(number, customer, issue_date, due_date, Money(amount, currency))


def payment(
    reference: str,
    *,
    customer: str = "C1",
    amount: str | int = "100.00",
    currency: str = "EUR",
    on: DateLike = "2026-02-01",
    invoices: Iterable[str] = (),
) -> Payment:
    """A payment received ``on`` a day, naming ``invoices`` (none: applied oldest first)."""
    return Payment(reference, customer, day(on), Money(amount, currency), invoices=tuple(invoices))


def credit_note(
    number: str,
    *,
    customer: str = "C1",
    amount: str | int = "10.00",
    currency: str = "EUR",
    on: DateLike = "2026-02-01",
    invoice: str = "",
) -> CreditNote:
    return CreditNote(number, customer, day(on), Money(amount, currency), invoice_number=invoice)


def note(text: str, *, customer: str = "C1", kind: str = "note", at: dt.datetime = AT) -> Activity:
    return Activity(kind, at, "tester@supplier.example", customer, text)


Record = Customer | Contact | Invoice | Payment | CreditNote | Activity


def add(uow: UnitOfWork, *records: Record) -> ledger.Applied:
    """Store ``records`` in ``uow`` in dependency order; payments and credit notes are applied.

    Returns what applying the payments did (credit notes are applied in a
    second step, after the payments).
    """

    def of(kind: type) -> list[Any]:
        return [r for r in records if isinstance(r, kind)]

    uow.customers.add_many(of(Customer))
    uow.contacts.add_many(of(Contact))
    uow.invoices.add_many(of(Invoice))
    uow.activities.add_many(of(Activity))
    applied = ledger.Applied()
    if of(Payment):
        applied = ledger.record_payments(uow, of(Payment), at=AT, actor="tester")
    if of(CreditNote):
        ledger.record_credit_notes(uow, of(CreditNote), at=AT, actor="tester")
    return applied


def given(uow_factory: UnitOfWorkFactory, *records: Record) -> ledger.Applied:
    """Store ``records`` in one committed transaction (see ``add``)."""
    with uow_factory() as uow:
        applied = add(uow, *records)
        uow.commit()
    return applied
