"""Importing e-invoices (UBL, CII, Factur-X / ZUGFeRD PDFs) into the ledger, all or nothing per run.

Each document's buyer is matched to a customer by its VAT or tax id (normalised
as customers store it), else by its legal registration id (a customer whose id
is that number: customers created here get it as their id), else by its exact
name, case ignored. An unknown buyer is refused unless ``create_customers``;
then it is created from the document with its country's defaults. An invoice
without a due date is due after the customer's payment terms. A credit note
(type 381..., or an invoice with a negative amount) is recorded through the
ledger on the invoice it references. The buyer's email becomes a billing
contact when the customer has no contact with it.

A run is all or nothing: every file is read and matched first, and one
problem in any file refuses the whole run with every problem listed by file.
Importing the same files again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from recoup.adapters.formats.detect import read_einvoice
from recoup.adapters.formats.einvoice import DocumentKind, EInvoice
from recoup.domain.activity import Activity
from recoup.domain.customers import Contact, Customer, check_country, normalize_tax_id
from recoup.domain.errors import DomainError, ImportRejectedError
from recoup.domain.invoices import Invoice
from recoup.domain.payments import CreditNote
from recoup.services import ledger
from recoup.services.ports import UnitOfWork, UnitOfWorkFactory


@dataclass
class FileOutcome:
    """What one file did: ``status`` is added, unchanged or nothing to collect."""

    file: str
    syntax: str
    status: str
    text: str


@dataclass
class EInvoiceImport:
    """What a run did; ``messages`` are sentences for the user."""

    files: list[FileOutcome] = field(default_factory=list)
    customers_added: list[str] = field(default_factory=list)
    contacts_added: int = 0
    invoices_added: int = 0
    credit_notes_added: int = 0
    unchanged: int = 0
    messages: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": [vars(f) for f in self.files],
            "customers_added": self.customers_added,
            "contacts_added": self.contacts_added,
            "invoices_added": self.invoices_added,
            "credit_notes_added": self.credit_notes_added,
            "unchanged": self.unchanged,
            "messages": self.messages,
        }


def read_files(paths: Sequence[Path]) -> tuple[list[EInvoice], list[str]]:
    """The documents in ``paths`` and the problems of those that could not be read."""
    documents: list[EInvoice] = []
    problems: list[str] = []
    for path in paths:
        try:
            documents.append(read_einvoice(path.read_bytes(), path.name))
        except ImportRejectedError as exc:
            problems.extend(exc.problems)
        except OSError as exc:
            problems.append(f"{path.name}: cannot be read ({exc.strerror or exc})")
    return documents, problems


def import_einvoice_files(
    uow_factory: UnitOfWorkFactory,
    paths: Sequence[Path],
    *,
    at: dt.datetime,
    create_customers: bool = False,
    defaults: dict[str, str] | None = None,
    actor: str = "import",
    strict: bool = False,
) -> EInvoiceImport:
    """Read every file and import them in one transaction; any problem refuses them all."""
    documents, problems = read_files(paths)
    return import_einvoices(
        uow_factory,
        documents,
        at=at,
        create_customers=create_customers,
        defaults=defaults,
        actor=actor,
        problems=problems,
        strict=strict,
    )


def import_einvoices(
    uow_factory: UnitOfWorkFactory,
    documents: Sequence[EInvoice],
    *,
    at: dt.datetime,
    create_customers: bool = False,
    defaults: dict[str, str] | None = None,
    actor: str = "import",
    problems: Sequence[str] = (),
    strict: bool = False,
) -> EInvoiceImport:
    """Match and check every document, then store them all in one transaction, or nothing.

    ``strict`` refuses a document that departs from the specification it claims in a way
    the readers otherwise report and read past (``EInvoice.deviations``).
    """
    if strict:
        problems = [
            *problems,
            *(f"{d.file}: {x} (refused: --strict)" for d in documents for x in d.deviations),
        ]
    with uow_factory() as uow:
        plan = _Plan(uow, documents, create_customers=create_customers, defaults=defaults or {})
        for doc in documents:
            plan.add(doc)
        found = [*problems, *plan.problems]
        if found:
            raise ImportRejectedError(found)
        try:
            plan.store(at=at, actor=actor)
        except DomainError as exc:
            raise ImportRejectedError([f"the ledger refused the import: {exc}"]) from exc
        uow.commit()
    return plan.result


_NOT_WORD = re.compile(r"\W+")
_MAX_NAME = 300


def tax_key(tax_id: str, country: str) -> tuple[str, bool]:
    """The tax id as customers store it and whether it is valid; an invalid one compacted."""
    raw = tax_id.strip()
    if not raw:
        return "", False
    prefix = raw[:2].upper()
    where = country or (prefix if prefix.isalpha() else "")
    try:
        return normalize_tax_id(raw, check_country(where)), True
    except DomainError:
        return _NOT_WORD.sub("", raw).upper(), False


class _Plan:
    """The customers, contacts, invoices and credit notes a run will store, and its problems."""

    def __init__(
        self,
        uow: UnitOfWork,
        documents: Sequence[EInvoice],
        *,
        create_customers: bool,
        defaults: dict[str, str],
    ) -> None:
        self.uow = uow
        self.create = create_customers
        self.home = defaults.get("country", "DE")
        self.problems: list[str] = []
        self.result = EInvoiceImport()
        self.customers: dict[str, Customer] = {}  # new ones, by id
        self.index: dict[tuple[str, str], Customer] = {}  # ('tax'|'legal'|'name', key) -> new customer
        self.invoices: dict[str, tuple[Invoice, EInvoice]] = {}
        self.notes: dict[str, tuple[CreditNote, EInvoice]] = {}
        self.contacts: list[Contact] = []
        self.log: list[tuple[str, str, str, tuple[str, ...]]] = []  # kind, customer, text, invoices
        numbers = {d.number for d in documents if d.kind is DocumentKind.INVOICE}
        referenced = {d.invoice_reference for d in documents if d.invoice_reference}
        self.known = uow.invoices.get_many((numbers | referenced) - {""})
        notes = {d.number for d in documents if d.kind is DocumentKind.CREDIT_NOTE}
        self.known_notes = uow.credit_notes.get_many(notes - {""})

    # one document -------------------------------------------------------------------------------------
    def add(self, doc: EInvoice) -> None:
        if doc.amount.is_zero():
            self._outcome(doc, "nothing to collect", f"{self._what(doc)}: nothing to collect")
            return
        customer = self._customer(doc)
        if customer is None:
            return
        if doc.kind is DocumentKind.INVOICE:
            self._invoice(doc, customer)
        else:
            self._credit_note(doc, customer)

    def _invoice(self, doc: EInvoice, customer: Customer) -> None:
        due = doc.due_date or doc.issue_date + dt.timedelta(days=customer.payment_terms_days)
        notes = [*doc.notes, *doc.deviations]
        if doc.due_date is None:
            notes.append(f"no due date: due after {customer.payment_terms_days} days, on {due}")
        elif due < doc.issue_date:
            notes.append(f"the due date {due} is before the issue date: taken as due on issue")
            due = doc.issue_date
        try:
            invoice = Invoice(
                doc.number, customer.id, doc.issue_date, due, doc.amount, sent_to=doc.buyer.email
            )
        except DomainError as exc:
            self.problems.append(f"{doc.file}: {exc}")
            return
        old = self.known.get(doc.number) or self.invoices.get(doc.number, (None, None))[0]
        if old is not None:
            same = (old.customer_id, old.issue_date, old.amount) == (customer.id, doc.issue_date, doc.amount)
            if same and (doc.due_date is None or old.due_date == due):
                self.result.unchanged += 1
                self._outcome(doc, "unchanged", f"{self._what(doc)} for {customer.id} was already imported")
                return
            self.problems.append(
                f"{doc.file}: invoice {doc.number} was already imported with other data (customer "
                f"{old.customer_id}, {old.amount}, issued {old.issue_date}, due {old.due_date})"
            )
            return
        self.invoices[doc.number] = (invoice, doc)
        self._contact(doc, customer)
        text = f"{self._what(doc)} for {customer.id} ({customer.name}), due {due}"
        self._outcome(doc, "added", "; ".join([text, *notes]))
        text = f"Invoice {doc.number} of {doc.amount} imported from {doc.file} ({doc.syntax})"
        self.log.append(("invoices", customer.id, text, (doc.number,)))

    def _credit_note(self, doc: EInvoice, customer: Customer) -> None:
        ref = doc.invoice_reference if len(doc.invoice_reference) <= 64 else ""
        target = (self.known.get(ref) or self.invoices.get(ref, (None, None))[0]) if ref else None
        if target is not None and target.customer_id != customer.id:
            self.problems.append(
                f"{doc.file}: credit note {doc.number} is for {customer.id} but the invoice it corrects, "
                f"{ref}, belongs to customer {target.customer_id}"
            )
            return
        if target is not None and target.currency != doc.currency:
            self.problems.append(
                f"{doc.file}: credit note {doc.number} is in {doc.currency} "
                f"but invoice {ref} in {target.currency}"
            )
            return
        note = CreditNote(doc.number, customer.id, doc.issue_date, doc.amount, invoice_number=ref)
        old = self.known_notes.get(doc.number) or self.notes.get(doc.number, (None, None))[0]
        if old is not None:
            if (old.customer_id, old.date, old.amount) == (note.customer_id, note.date, note.amount):
                self.result.unchanged += 1
                self._outcome(doc, "unchanged", f"{self._what(doc)} for {customer.id} was already imported")
                return
            self.problems.append(
                f"{doc.file}: credit note {doc.number} was already imported with other data "
                f"(customer {old.customer_id}, {old.amount} on {old.date})"
            )
            return
        self.notes[doc.number] = (note, doc)
        self._contact(doc, customer)
        if target is not None:
            on = f"on invoice {ref}"
        elif ref:
            on = f"on invoice {ref}, which recoup does not know: kept as unapplied credit"
        else:
            on = "naming no invoice: applied to the oldest open invoices"
        self._outcome(
            doc,
            "added",
            "; ".join([f"{self._what(doc)} for {customer.id} {on}", *doc.notes, *doc.deviations]),
        )

    # the buyer ----------------------------------------------------------------------------------------
    def _customer(self, doc: EInvoice) -> Customer | None:
        buyer = doc.buyer
        country = self._country(buyer.country)
        tax, _ = tax_key(buyer.tax_id, country)
        if tax:
            found = {c.id: c for c in [*self.uow.customers.find_by_tax_id(tax), *self._new("tax", tax)]}
            if len(found) > 1:
                ids = ", ".join(sorted(found))
                self.problems.append(
                    f"{doc.file}: the buyer's tax id {tax} belongs to several customers: {ids}"
                )
                return None
            for customer in found.values():
                return customer
        if buyer.legal_id:
            by_id = [*self._new("legal", buyer.legal_id), self.uow.customers.get(buyer.legal_id)]
            for known in by_id:
                if known is not None:
                    return known
        for name in (buyer.name, buyer.trading_name):
            named = self._by_name(name)
            if len(named) > 1:
                ids = ", ".join(sorted(c.id for c in named))
                self.problems.append(
                    f"{doc.file}: the buyer's name {name!r} fits several customers ({ids}); "
                    "give the customers their tax ids"
                )
                return None
            if named:
                return self._same_company(doc, named[0], tax)
        if self.create:
            return self._create(doc, country, tax)
        known_by = [f"tax id {buyer.tax_id}"] * bool(buyer.tax_id)
        known_by += [f"legal id {buyer.legal_id}"] * bool(buyer.legal_id)
        said = f" ({', '.join(known_by)})" if known_by else ""
        self.problems.append(
            f"{doc.file}: the buyer {buyer.name!r}{said} is no customer; "
            "import it first, or import with --create-customers"
        )
        return None

    def _new(self, key: str, value: str) -> list[Customer]:
        found = self.index.get((key, value.casefold() if key == "name" else value))
        return [found] if found else []

    def _by_name(self, name: str) -> list[Customer]:
        """The customers with exactly this name, case and runs of spaces ignored."""
        if not name:
            return []
        wanted = name.casefold()
        matches = {c.id: c for c in self._new("name", name)}
        offset, total = 0, 1
        while offset < total:
            page, total = self.uow.listings.customers(
                q=name,
                country=None,
                sales_owner=None,
                overdue_as_of=None,
                order="id",
                offset=offset,
                limit=500,
            )
            matches.update({c.id: c for c in page if " ".join(c.name.split()).casefold() == wanted})
            offset += 500
        return list(matches.values())

    def _same_company(self, doc: EInvoice, customer: Customer, tax: str) -> Customer | None:
        """A customer found by name whose stored tax id is another company's is not the buyer."""
        if tax and customer.tax_id and tax_key(tax, customer.country)[0] != customer.tax_id:
            self.problems.append(
                f"{doc.file}: the buyer {doc.buyer.name!r} has tax id {tax} but customer {customer.id} of "
                f"that name has {customer.tax_id}: not the same company?"
            )
            return None
        return customer

    def _country(self, code: str) -> str:
        try:
            return check_country(code) if code else ""
        except DomainError:
            return ""

    def _create(self, doc: EInvoice, country: str, tax: str) -> Customer | None:
        buyer = doc.buyer
        valid_tax, valid = tax_key(buyer.tax_id, country or self.home)
        base = (
            buyer.legal_id
            or (valid_tax if valid else "")
            or _NOT_WORD.sub("-", buyer.name).strip("-").upper()
        )
        if len(buyer.name) > _MAX_NAME:
            self.problems.append(f"{doc.file}: the buyer's name is longer than {_MAX_NAME} characters")
            return None
        try:
            customer = Customer(
                id=self._free_id(base[:60] or "CUSTOMER"),
                name=buyer.name,
                country=country or self.home,
                tax_id=valid_tax if valid else "",
            )
        except DomainError as exc:
            self.problems.append(f"{doc.file}: the buyer cannot become a customer: {exc}")
            return None
        self.customers[customer.id] = customer
        for key, value in (("tax", tax), ("legal", buyer.legal_id), ("name", buyer.name.casefold())):
            if value:
                self.index[(key, value)] = customer
        self.result.customers_added.append(customer.id)
        said = [f"customer {customer.id} ({customer.name}, {customer.country}) created"]
        if not country:
            said.append(f"the buyer gives no country: {self.home} taken")
        if buyer.tax_id and not valid:
            said.append(f"its tax id {buyer.tax_id!r} is not valid, so it was left out")
        self.result.messages.append(f"{doc.file}: " + "; ".join(said))
        text = f"Customer {customer.name} created from {doc.file} ({doc.syntax})"
        self.log.append(("customer", customer.id, text, ()))
        return customer

    def _free_id(self, base: str) -> str:
        candidate, n = base, 1
        while candidate in self.customers or self.uow.customers.get(candidate) is not None:
            n += 1
            candidate = f"{base}-{n}"
        return candidate

    def _contact(self, doc: EInvoice, customer: Customer) -> None:
        email = doc.buyer.email
        if not email:
            return
        known = [] if customer.id in self.customers else self.uow.contacts.for_customer(customer.id)
        known += [c for c in self.contacts if c.customer_id == customer.id]
        if any(c.email.casefold() == email.casefold() for c in known):
            return
        names = {c.name for c in known}
        name = next((n for n in (doc.buyer.contact, email) if n and n not in names), "")
        if not name or len(name) > _MAX_NAME:
            return
        self.contacts.append(Contact(customer.id, name, email=email))
        self.result.messages.append(f"{doc.file}: billing contact {name} <{email}> added to {customer.id}")
        self.log.append(("contact", customer.id, f"Contact {name} (billing) added from {doc.file}", ()))

    # results ------------------------------------------------------------------------------------------
    def _what(self, doc: EInvoice) -> str:
        kind = "credit note" if doc.kind is DocumentKind.CREDIT_NOTE else "invoice"
        return f"{kind} {doc.number} ({doc.type_name}) of {doc.amount}"

    def _outcome(self, doc: EInvoice, status: str, text: str) -> None:
        self.result.files.append(FileOutcome(doc.file, doc.syntax, status, text))

    def store(self, *, at: dt.datetime, actor: str) -> None:
        self.uow.customers.add_many(list(self.customers.values()))
        self.uow.contacts.add_many(self.contacts)
        self.uow.invoices.add_many([inv for inv, _ in self.invoices.values()])
        self.result.contacts_added = len(self.contacts)
        self.result.invoices_added = len(self.invoices)
        self.result.credit_notes_added = len(self.notes)
        if self.notes:
            applied = ledger.record_credit_notes(
                self.uow, [n for n, _ in self.notes.values()], at=at, actor=actor
            )
            for source, rest in applied.unapplied.items():
                self.result.messages.append(
                    f"credit note {source}: {rest} left as unapplied credit on the customer"
                )
        self.uow.activities.add_many(
            [Activity(kind, at, actor, cid, text, invoices=numbers) for kind, cid, text, numbers in self.log]
        )
