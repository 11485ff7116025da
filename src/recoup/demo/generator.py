"""The synthetic ledger: realistic customers, contacts, invoices and payments, from a seed.

One generator serves the demo, the tests and the benchmarks. It streams the
ledger in batches of customers, so it scales to millions of invoices with
flat memory. Each customer has a payment ``Profile`` (how often and how late
it pays, whether it pays in parts, whether it has stopped paying); the same
profile predicts when the invoices still open will be paid, which the
simulation uses. Everything is decided by ``seed`` and ``as_of``: the same
arguments always give the same ledger. Email domains end in ``.example``
(RFC 2606), so no message can reach a real person.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from recoup.demo.names import COUNTRIES, company_name, person_name, slug
from recoup.domain.customers import Contact, ContactRole, Customer, CustomerKind
from recoup.domain.invoices import Invoice
from recoup.domain.money import Money
from recoup.domain.payments import Payment

SALES_PEOPLE = tuple(f"{n}@supplier.example" for n in ("anna.weber", "tom.baker", "lucia.ortiz", "emre.kaya"))


@dataclass(frozen=True, slots=True)
class Profile:
    """How a customer pays.

    Fields:
        on_time: share of invoices paid by the due date.
        mean_late_days: average delay of a late payment.
        partial: share of invoices paid in two parts.
        stopped_on: the day the customer stopped paying (hard times), None if it pays.
    """

    customer_id: str
    on_time: float
    mean_late_days: float
    partial: float
    stopped_on: dt.date | None = None

    def days_late(self, rng: random.Random) -> int:
        """Days after the due date an invoice is paid (negative: early)."""
        if rng.random() < self.on_time:
            return -rng.randint(0, 5)
        return max(1, round(rng.expovariate(1 / self.mean_late_days)))


@dataclass
class Batch:
    """Part of the ledger: some customers with everything that belongs to them."""

    customers: list[Customer] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    invoices: list[Invoice] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    profiles: list[Profile] = field(default_factory=list)


def _amount(rng: random.Random, scale: float, currency: str) -> Money:
    value = rng.lognormvariate(0, 0.8) * scale
    digits = 0 if currency in ("KRW", "JPY") else 2
    return Money(Decimal(round(value, digits)).quantize(Decimal(1).scaleb(-digits)), currency)


def _customer(rng: random.Random, n: int, consumer: bool) -> tuple[Customer, list[Contact]]:
    country = rng.choices([c.code for c in COUNTRIES], weights=[c.weight for c in COUNTRIES])[0]
    cid = f"C{n:06d}"
    if consumer:
        name = person_name(rng, country)
        kind = CustomerKind.CONSUMER
        segment = "consumer"
    else:
        name = company_name(rng, country)
        kind = CustomerKind.BUSINESS
        segment = rng.choices(["key-account", "standard", "small"], weights=[1, 6, 3])[0]
    terms = rng.choice([30, 30, 30, 60]) if not consumer else 14
    customer = Customer(
        id=cid,
        name=name,
        kind=kind,
        country=country,
        segment=segment,
        sales_owner=rng.choice(SALES_PEOPLE),
        payment_terms_days=terms,
        contract_terms=f"Net {terms} days from the invoice date.",
    )
    domain = slug(name)[:30] + ".example"
    contacts = []
    if consumer:
        contacts.append(Contact(cid, name, ContactRole.OWNER, f"{slug(name)}@mail.example", _phone(rng)))
    else:
        for role in (ContactRole.BILLING, ContactRole.OWNER, ContactRole.OTHER)[: rng.randint(2, 3)]:
            person = person_name(rng, country)
            while any(c.name == person for c in contacts):
                person = person_name(rng, country)
            local = {"billing": "accounts", "owner": slug(person).split("-")[0]}.get(role.value, "purchasing")
            contacts.append(Contact(cid, person, role, f"{local}@{domain}", _phone(rng)))
    return customer, contacts


def _phone(rng: random.Random) -> str:
    return f"+{rng.randint(1, 89)} {rng.randint(100, 999)} {rng.randint(1000000, 9999999)}"


def _profile(rng: random.Random, cid: str, as_of: dt.date) -> Profile:
    troubled = rng.random() < 0.08
    return Profile(
        customer_id=cid,
        on_time=rng.uniform(0.35, 0.95),
        mean_late_days=rng.uniform(4, 45),
        partial=rng.uniform(0.0, 0.15),
        stopped_on=as_of - dt.timedelta(days=rng.randint(20, 200)) if troubled else None,
    )


def generate(
    *,
    customers: int = 200,
    seed: int = 1,
    as_of: dt.date,
    years: int = 3,
    invoices_per_month: float = 2.0,
    batch_size: int = 500,
) -> Iterator[Batch]:
    """Stream the ledger as of ``as_of`` in batches of ``batch_size`` customers.

    Each customer gets about ``invoices_per_month`` invoices a month over
    ``years`` years (so 200 customers give about 14,000 invoices, and
    100,000 customers with 10 a year over one year give about a million).
    """
    rng = random.Random(seed)
    start = as_of - dt.timedelta(days=365 * years)
    batch = Batch()
    number = 0
    for n in range(1, customers + 1):
        customer, contacts = _customer(rng, n, consumer=rng.random() < 0.05)
        profile = _profile(rng, customer.id, as_of)
        scale = {"KRW": 1_500_000, "JPY": 150_000, "TRY": 40_000}.get(customer.currency, 1_200) * (
            5 if customer.segment == "key-account" else 0.3 if customer.is_consumer else 1
        )
        batch.customers.append(customer)
        batch.contacts += contacts
        batch.profiles.append(profile)
        day = start + dt.timedelta(days=rng.randint(0, 30))
        paid_seq = 0
        while day <= as_of:
            number += 1
            currency = customer.currency
            amount = _amount(rng, scale, currency)
            invoice = Invoice(
                number=f"INV-{day.year}-{number:08d}",
                customer_id=customer.id,
                issue_date=day,
                due_date=day + dt.timedelta(days=customer.payment_terms_days),
                amount=amount,
                sent_to=contacts[0].email,
            )
            batch.invoices.append(invoice)
            for pay_day, part in _payments_for(rng, invoice, profile, as_of):
                paid_seq += 1
                batch.payments.append(
                    Payment(
                        f"PAY-{customer.id}-{paid_seq:05d}",
                        customer.id,
                        pay_day,
                        part,
                        invoices=(invoice.number,),
                    )
                )
            day += dt.timedelta(days=max(1, round(rng.expovariate(invoices_per_month / 30.4))))
        if len(batch.customers) >= batch_size:
            yield batch
            batch = Batch()
    if batch.customers:
        yield batch


def _payments_for(
    rng: random.Random, invoice: Invoice, profile: Profile, as_of: dt.date
) -> list[tuple[dt.date, Money]]:
    """The payments made for ``invoice`` up to ``as_of`` (none, one, or two parts)."""
    when = invoice.due_date + dt.timedelta(days=profile.days_late(rng))
    when = max(when, invoice.issue_date)
    if profile.stopped_on is not None and when >= profile.stopped_on:
        return []
    if rng.random() < profile.partial:
        first, second = invoice.amount.allocate([rng.randint(3, 7), 10])
        later = when + dt.timedelta(days=rng.randint(7, 45))
        return [(d, m) for d, m in ((when, first), (later, second)) if d <= as_of]
    return [(when, invoice.amount)] if when <= as_of else []


def predicted_payment(profile: Profile, invoice: Invoice, seed: int) -> dt.date | None:
    """When the customer of ``profile`` will pay ``invoice`` in full, or None if it will not.

    Deterministic for a given seed and invoice, so a simulation can be replayed.
    """
    if profile.stopped_on is not None:
        return None
    rng = random.Random(f"{seed}/{invoice.number}")
    return max(invoice.issue_date, invoice.due_date + dt.timedelta(days=profile.days_late(rng)))
