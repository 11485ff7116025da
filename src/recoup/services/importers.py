"""One parser per kind of imported row: its columns, how a row becomes a record, how records are stored.

A parser is built once per file with the unit of work. The rows come in
chunks: ``prepare(rows)`` loads what a chunk's rows are compared against
(existing records, customers) in a few set-based reads, then ``parse`` turns
each row into ``Parsed(state, record)`` where state is ``new``, ``changed`` or
``same``, or raises ``RowError`` naming the column. Keys seen earlier in the
file are remembered across chunks, so a duplicate names the line it repeats.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from recoup.adapters.formats.tabular import Row
from recoup.domain.activity import Activity
from recoup.domain.customers import Contact, Customer
from recoup.domain.errors import DomainError
from recoup.domain.invoices import Invoice
from recoup.domain.money import check_currency
from recoup.domain.payments import CreditNote, Payment
from recoup.services import fields
from recoup.services.ports import UnitOfWork


class RowError(Exception):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(f"{column}: {message}")
        self.column = column
        self.message = message


@dataclass(frozen=True, slots=True)
class Parsed:
    state: str  # new, changed or same
    record: Any
    line: int


def _get(row: Row, column: str, parse: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return parse(row.values.get(column, ""), *args, **kwargs)
    except fields.FieldError as exc:
        raise RowError(column, str(exc)) from None
    except DomainError as exc:
        raise RowError(column, str(exc)) from None


class _Parser:
    required: ClassVar[tuple[str, ...]] = ()
    optional: ClassVar[tuple[str, ...]] = ()
    key: ClassVar[str] = ""

    def __init__(self, uow: UnitOfWork, defaults: dict[str, str]) -> None:
        self.uow = uow
        self.defaults = defaults
        self.seen: dict[str, int] = {}
        self.customers: dict[str, Customer] = {}
        self.existing: dict[Any, Any] = {}

    def prepare(self, rows: Sequence[Row]) -> None:
        """Load what ``rows`` (the next chunk of the file) are compared against."""
        keys = {row.values.get(self.key, "") for row in rows} - {""}
        ids = {row.values.get("customer_id", "") for row in rows} - {""}
        self.customers = dict(self.uow.customers.get_many(ids)) if ids else {}
        self.existing = self.load_existing(keys)

    def load_existing(self, keys: set[str]) -> dict[Any, Any]:
        return {}

    def once(self, row: Row, key: str) -> None:
        if key in self.seen:
            raise RowError(self.key, f"{key!r} appears again (first on line {self.seen[key]})")
        self.seen[key] = row.line

    def customer(self, row: Row) -> Customer:
        cid = _get(row, "customer_id", fields.text, required=True, max_len=64)
        customer = self.customers.get(cid)
        if customer is None:
            raise RowError("customer_id", f"no customer {cid!r}; import customers first")
        return customer

    def currency(self, row: Row, customer: Customer) -> str:
        code = row.values.get("currency", "").upper() or customer.currency
        try:
            return check_currency(code)
        except DomainError as exc:
            raise RowError("currency", str(exc)) from None

    def compare(self, key: Any, record: Any, line: int, *, updatable: bool, what: str) -> Parsed:
        old = self.existing.get(key)
        if old is None:
            return Parsed("new", record, line)
        if self.same(old, record):
            return Parsed("same", old, line)
        if updatable:
            return Parsed("changed", record, line)
        raise RowError(
            self.key, f"{what} {key!r} was already imported with other data ({self.describe(old)})"
        )

    def same(self, old: Any, new: Any) -> bool:
        return bool(old == new)

    def describe(self, old: Any) -> str:
        return str(old)

    def store(
        self, new: list[Any], changed: list[Any], *, at: dt.datetime, actor: str, file: str
    ) -> list[Activity]:
        return []


class CustomerParser(_Parser):
    required = ("id", "name")
    optional = (
        "kind",
        "country",
        "language",
        "timezone",
        "currency",
        "segment",
        "sales_owner",
        "payment_terms_days",
        "credit_limit",
        "tax_id",
        "contract_terms",
        "late_fee_clause",
        "jurisdiction",
    )
    key = "id"

    def load_existing(self, keys: set[str]) -> dict[Any, Any]:
        return dict(self.uow.customers.get_many(keys))

    def parse(self, row: Row) -> Parsed:
        cid = _get(row, "id", fields.text, required=True, max_len=64)
        self.once(row, cid)
        v = row.values
        terms = _get(row, "payment_terms_days", fields.integer, low=0, high=3650)
        values: dict[str, Any] = {
            "id": cid,
            "name": _get(row, "name", fields.text, required=True),
            "kind": _get(row, "kind", fields.choice, ("business", "consumer"), "business"),
            "country": v.get("country") or self.defaults.get("country", "DE"),
            "language": v.get("language", "").lower(),
            "time_zone": v.get("timezone", ""),
            "currency": v.get("currency", "").upper(),
            "segment": _get(row, "segment", fields.text, max_len=64),
            "sales_owner": _get(row, "sales_owner", fields.text, max_len=254),
            "payment_terms_days": 30 if terms is None else terms,  # 0 (due at once) stays 0
            "tax_id": v.get("tax_id", ""),
            "contract_terms": v.get("contract_terms", ""),
            "late_fee_clause": v.get("late_fee_clause", ""),
            "jurisdiction": v.get("jurisdiction", "").upper(),
        }
        if values["time_zone"]:
            _check_zone(values["time_zone"])
        try:
            customer = Customer(**values)
        except DomainError as exc:
            raise RowError(_column_of(str(exc)), str(exc)) from None
        if v.get("credit_limit"):
            limit = _get(row, "credit_limit", fields.amount, customer.currency)
            customer = dataclasses.replace(customer, credit_limit=limit)
        return self.compare(cid, customer, row.line, updatable=True, what="customer")

    def store(
        self, new: list[Any], changed: list[Any], *, at: dt.datetime, actor: str, file: str
    ) -> list[Activity]:
        self.uow.customers.add_many(new)
        self.uow.customers.update_many(changed)
        log = [Activity("customer", at, actor, c.id, f"Customer {c.name} created from {file}") for c in new]
        log += [
            Activity("customer", at, actor, c.id, f"Customer details updated from {file}") for c in changed
        ]
        return log


def _check_zone(name: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise RowError("timezone", f"{name!r} is not an IANA time zone (e.g. Europe/Berlin)") from None


def _column_of(message: str) -> str:
    for word, column in (
        ("tax id", "tax_id"),
        ("country", "country"),
        ("currency", "currency"),
        ("kind", "kind"),
        ("terms", "payment_terms_days"),
        ("email", "email"),
        ("role", "role"),
    ):
        if word in message:
            return column
    return ""


class ContactParser(_Parser):
    required = ("customer_id", "name")
    optional = ("role", "email", "phone")
    key = "name"

    def prepare(self, rows: Sequence[Row]) -> None:
        # The (customer, name) pairs of the rows: not every name crossed with every customer.
        self.pairs = {(row.values.get("customer_id", ""), row.values.get("name", "")) for row in rows}
        super().prepare(rows)

    def load_existing(self, keys: set[str]) -> dict[Any, Any]:
        return dict(self.uow.contacts.get_many({(c, n) for c, n in self.pairs if c and n}))

    def parse(self, row: Row) -> Parsed:
        customer = self.customer(row)
        name = _get(row, "name", fields.text, required=True)
        self.once(row, f"{customer.id}/{name}")
        try:
            contact = Contact(
                customer_id=customer.id,
                name=name,
                role=_get(row, "role", fields.choice, ("billing", "owner", "other"), "billing"),
                email=_get(row, "email", fields.text, max_len=254),
                phone=_get(row, "phone", fields.text, max_len=64),
            )
        except DomainError as exc:
            raise RowError(_column_of(str(exc)) or "email", str(exc)) from None
        old = self.existing.get((customer.id, name))
        if old is not None:  # a bounced address stays invalid until its email changes
            contact = dataclasses.replace(contact, valid=old.valid or old.email != contact.email, id=old.id)
        return self.compare((customer.id, name), contact, row.line, updatable=True, what="contact")

    def store(
        self, new: list[Any], changed: list[Any], *, at: dt.datetime, actor: str, file: str
    ) -> list[Activity]:
        self.uow.contacts.add_many(new)
        self.uow.contacts.update_many(changed)
        return [
            Activity("contact", at, actor, c.customer_id, f"Contact {c.name} ({c.role}) {verb} from {file}")
            for verb, items in (("added", new), ("updated", changed))
            for c in items
        ]


class InvoiceParser(_Parser):
    required = ("number", "customer_id", "issue_date", "amount")
    optional = ("due_date", "currency", "sent_to")
    key = "number"

    def load_existing(self, keys: set[str]) -> dict[Any, Any]:
        return dict(self.uow.invoices.get_many(keys))

    def parse(self, row: Row) -> Parsed:
        number = _get(row, "number", fields.text, required=True, max_len=64)
        self.once(row, number)
        customer = self.customer(row)
        issued = _get(row, "issue_date", fields.date)
        due = _get(row, "due_date", fields.date, required=False)
        if due is None:
            due = issued + dt.timedelta(days=customer.payment_terms_days)
        elif due < issued:
            raise RowError("due_date", f"{due} is before the issue date {issued}")
        currency = self.currency(row, customer)
        amount = _get(row, "amount", fields.amount, currency)
        sent_to = _get(row, "sent_to", fields.text, max_len=254)
        if sent_to and "@" not in sent_to:
            raise RowError("sent_to", f"{sent_to!r} is not an email address")
        invoice = Invoice(number, customer.id, issued, due, amount, sent_to=sent_to)
        return self.compare(number, invoice, row.line, updatable=False, what="invoice")

    def same(self, old: Any, new: Any) -> bool:
        keys = ("customer_id", "issue_date", "due_date", "amount", "sent_to")
        return all(getattr(old, k) == getattr(new, k) for k in keys)

    def describe(self, old: Any) -> str:
        return f"customer {old.customer_id}, {old.amount}, issued {old.issue_date}, due {old.due_date}"

    def store(
        self, new: list[Any], changed: list[Any], *, at: dt.datetime, actor: str, file: str
    ) -> list[Activity]:
        self.uow.invoices.add_many(new)
        return []  # the log gets one entry per customer for the whole file: see invoices_imported


def invoices_imported(
    customer_id: str, numbers: tuple[str, ...], *, at: dt.datetime, actor: str, file: str
) -> Activity:
    """The log entry for a customer's invoices imported from ``file``."""
    return Activity(
        "invoices",
        at,
        actor,
        customer_id,
        f"{len(numbers)} invoice(s) imported from {file}",
        invoices=numbers,
    )


class _MoneyInParser(_Parser):
    """Shared by payments and credit notes: a dated positive amount from a customer."""

    invoice_column: ClassVar[str] = ""

    def prepare(self, rows: Sequence[Row]) -> None:
        super().prepare(rows)
        named = {n.strip() for row in rows for n in row.values.get(self.invoice_column, "").split(";")}
        self.named = self.uow.invoices.get_many(named - {""})

    def dated_amount(self, row: Row) -> tuple[Customer, dt.date, Any]:
        customer = self.customer(row)
        when = _get(row, "date", fields.date)
        currency = self.currency(row, customer)
        return customer, when, _get(row, "amount", fields.amount, currency)

    def check_invoices(
        self, row: Row, column: str, numbers: tuple[str, ...], customer: Customer, currency: str
    ) -> None:
        for n in numbers:
            inv = self.named.get(n)
            if inv is None:
                raise RowError(column, f"no invoice {n!r}")
            if inv.customer_id != customer.id:
                raise RowError(
                    column, f"invoice {n} belongs to customer {inv.customer_id}, not {customer.id}"
                )
            if inv.currency != currency:
                raise RowError(column, f"invoice {n} is in {inv.currency}, the row in {currency}")

    def same(self, old: Any, new: Any) -> bool:
        return bool(old.customer_id == new.customer_id and old.date == new.date and old.amount == new.amount)

    def describe(self, old: Any) -> str:
        return f"customer {old.customer_id}, {old.amount} on {old.date}"


class PaymentParser(_MoneyInParser):
    required = ("reference", "customer_id", "date", "amount")
    optional = ("currency", "invoices")
    key = "reference"
    invoice_column = "invoices"

    def load_existing(self, keys: set[str]) -> dict[Any, Any]:
        return dict(self.uow.payments.get_many(keys))

    def parse(self, row: Row) -> Parsed:
        ref = _get(row, "reference", fields.text, required=True, max_len=140)
        self.once(row, ref)
        customer, when, amount = self.dated_amount(row)
        named = tuple(
            dict.fromkeys(n.strip() for n in row.values.get("invoices", "").split(";") if n.strip())
        )
        self.check_invoices(row, "invoices", named, customer, amount.currency)
        payment = Payment(ref, customer.id, when, amount, invoices=named)
        return self.compare(ref, payment, row.line, updatable=False, what="payment")


class CreditNoteParser(_MoneyInParser):
    required = ("number", "customer_id", "date", "amount")
    optional = ("currency", "invoice")
    key = "number"
    invoice_column = "invoice"

    def load_existing(self, keys: set[str]) -> dict[Any, Any]:
        return dict(self.uow.credit_notes.get_many(keys))

    def parse(self, row: Row) -> Parsed:
        number = _get(row, "number", fields.text, required=True, max_len=64)
        self.once(row, number)
        customer, when, amount = self.dated_amount(row)
        invoice = row.values.get("invoice", "")
        if invoice:
            self.check_invoices(row, "invoice", (invoice,), customer, amount.currency)
        note = CreditNote(number, customer.id, when, amount, invoice_number=invoice)
        return self.compare(number, note, row.line, updatable=False, what="credit note")


PARSERS: dict[str, type[Any]] = {
    "customers": CustomerParser,
    "contacts": ContactParser,
    "invoices": InvoiceParser,
    "payments": PaymentParser,
    "credit-notes": CreditNoteParser,
}
