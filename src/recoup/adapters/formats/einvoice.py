"""The e-invoice as recoup reads it from UBL or CII, and the reading helpers both parsers share.

``EInvoice`` keeps what collections needs, named after EN 16931: the number
(BT-1), the kind (invoice or credit note, from the type code BT-3 and the
sign of the amount), the issue and due dates (BT-2, BT-9), the currency
(BT-5), the amount due after prepaid amounts (BT-115), the buyer (BG-7) and,
for a credit note, the invoice it corrects (BT-25).

XML is parsed without DTDs, entities or network access (no XXE, no entity
bombs); a file that declares a DTD is refused. Every problem names the file,
the line and the element, and says what was expected: ``Reader`` collects
them so one refusal lists everything wrong with a document.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from lxml import etree

from recoup.domain.errors import DomainError, ImportRejectedError
from recoup.domain.money import Money, check_currency, minor_digits

MAX_BYTES = 50 * 1024 * 1024  # the largest corpus file (an Italian invoice with a PDF inside) is 3.2 MB


class DocumentKind(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit note"


@dataclass(frozen=True, slots=True)
class Buyer:
    """The buyer (EN 16931 BG-7): whom recoup collects from.

    Fields:
        name: legal name (BT-44), whitespace collapsed.
        trading_name: another name the buyer goes by (BT-45), '' if none.
        tax_id: VAT identifier (BT-48), else a tax registration number, as written.
        legal_id: legal registration identifier (BT-47), '' if none.
        country: ISO 3166 alpha-2 country of the address (BT-55), '' if none.
        email: the buyer's contact email (BT-58, else an electronic address with scheme EM).
        contact: the contact person's name (BT-56), '' if none.
        address: the postal address lines, '' parts left out.
    """

    name: str
    trading_name: str = ""
    tax_id: str = ""
    legal_id: str = ""
    country: str = ""
    email: str = ""
    contact: str = ""
    address: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EInvoice:
    """One invoice or credit note read from an e-invoice file.

    Fields:
        file: the file it came from (for a PDF, with the embedded file's name).
        syntax: 'UBL Invoice', 'UBL CreditNote', 'CII', 'ZUGFeRD 1.0 CII', ...
        number: the document number (BT-1).
        kind: invoice or credit note: a credit type code (381...) or an invoice with a negative
            amount is a credit note; a credit note with a negative amount is a claim.
        type_code: the UNTDID 1001 code (BT-3), e.g. 380; the root's default when absent.
        type_name: what the document is, in words ('commercial invoice (380)').
        issue_date, due_date: BT-2 and BT-9; due_date None when the document gives none.
        amount: the amount due after prepaid amounts (BT-115), made positive; a credit note's credit.
        buyer: who owes it (or is credited).
        invoice_reference: the preceding invoice (BT-25), '' if none.
        profile: the specification identifier (BT-24), '' if none.
        has_payment_terms: the document states payment terms (BT-20 or structured terms).
        notes: remarks for the user that do not stop the import.
        deviations: departures from the specification the document claims that do not stop
            the import (``import invoices --strict`` refuses them), e.g. a ZUGFeRD 1.0 profile
            on a CII 2 document.
    """

    file: str
    syntax: str
    number: str
    kind: DocumentKind
    type_code: str
    type_name: str
    issue_date: dt.date
    due_date: dt.date | None
    amount: Money
    buyer: Buyer
    invoice_reference: str = ""
    profile: str = ""
    has_payment_terms: bool = False
    notes: tuple[str, ...] = ()
    deviations: tuple[str, ...] = ()

    @property
    def currency(self) -> str:
        return self.amount.currency


class NotAnInvoiceError(ImportRejectedError):
    """A well-formed business document that is not an invoice or credit note (a Reminder, a Statement...)."""

    def __init__(self, file: str, kind: str, what: str) -> None:
        self.kind = kind
        super().__init__(
            [f"{file}: this is {what}, not an invoice or credit note; nothing to import"],
            f"{file}: {kind} is not an invoice or credit note",
        )


# --- type codes (UNTDID 1001, the subset EN 16931 allows) -------------------------------------------

CREDIT_CODES = frozenset({"81", "83", "261", "262", "296", "308", "381", "396", "420", "458", "532"})
_INVOICE_CODES = (
    "71 80 82 84 102 202 203 204 211 218 219 295 326 331 380 382 383 384 385 386 387 388 389 390 "
    "393 394 395 456 457 527 553 575 623 633 780 817 870 875 876 877 935"
)
INVOICE_CODES = frozenset(_INVOICE_CODES.split())
TYPE_NAMES = {
    "71": "request for payment",
    "80": "debit note for goods or services",
    "81": "credit note for goods or services",
    "82": "metered services invoice",
    "83": "credit note for financial adjustments",
    "84": "debit note for financial adjustments",
    "130": "invoicing data sheet",
    "220": "order",
    "231": "purchase order response",
    "261": "self-billed credit note",
    "262": "consolidated credit note",
    "325": "pro-forma invoice",
    "326": "partial invoice",
    "351": "despatch advice",
    "380": "commercial invoice",
    "381": "credit note",
    "383": "debit note",
    "384": "corrected invoice",
    "386": "prepayment invoice",
    "389": "self-billed invoice",
    "393": "factored invoice",
    "396": "factored credit note",
    "751": "invoice information for accounting purposes (a booking aid)",
    "780": "freight invoice",
    "875": "partial construction invoice",
    "876": "partial final construction invoice",
    "877": "final construction invoice",
}


def type_name(code: str) -> str:
    name = TYPE_NAMES.get(code)
    return f"{name} ({code})" if name else f"type {code}"


def kind_of(code: str, file: str, syntax: str) -> DocumentKind:
    """Invoice or credit note for a type code; any other document is refused, saying what it is."""
    if code in CREDIT_CODES:
        return DocumentKind.CREDIT_NOTE
    if code in INVOICE_CODES:
        return DocumentKind.INVOICE
    if code in TYPE_NAMES:
        raise NotAnInvoiceError(file, f"{syntax} {code}", f"a {syntax} document of {type_name(code)}")
    raise NotAnInvoiceError(
        file, f"{syntax} {code}", f"a {syntax} document of type code {code!r}, which is no invoice type"
    )


# --- safe XML --------------------------------------------------------------------------------------


def parse_xml(data: bytes, file: str) -> etree._Element:
    """The root element of well-formed XML, parsed without DTDs, entities or network; else refused."""
    if len(data) > MAX_BYTES:
        raise ImportRejectedError([f"{file}: {len(data):,} bytes is more than an e-invoice may be (50 MB)"])
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, remove_pis=True
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ImportRejectedError([f"{file}: not well-formed XML: {exc}"]) from None
    except (ValueError, LookupError) as exc:  # an encoding lxml does not know, bytes it cannot decode
        raise ImportRejectedError([f"{file}: not readable XML: {exc}"]) from None
    if root is None:
        raise ImportRejectedError([f"{file}: not XML: no root element"])
    doctype = root.getroottree().docinfo
    if doctype.doctype or doctype.internalDTD is not None:
        raise ImportRejectedError(
            [
                f"{file}: the XML declares a DTD (<!DOCTYPE ...>); e-invoices never do, and DTD entities "
                "can smuggle in other files, so it is refused"
            ]
        )
    return root


def name_of(el: etree._Element) -> str:
    """The element's name as written, e.g. 'cbc:PayableAmount'."""
    local = etree.QName(el).localname
    return f"{el.prefix}:{local}" if el.prefix else local


_SPACES = re.compile(r"\s+")
_DECIMAL = re.compile(r"^[+-]?(\d{1,15})(?:\.(\d+))?$", re.ASCII)
_DAY = r"(\d{4})(\d{2})(\d{2})"
_DATE_FORMATS = {  # CII format codes (UNTDID 2379); '' for UBL's xs:date (a CII date may omit the code)
    "": (re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:Z|[+-]\d{2}:\d{2})?$", re.A), re.compile(f"^{_DAY}$", re.A)),
    "102": (re.compile(f"^{_DAY}$", re.A),),
    "203": (re.compile(f"^{_DAY}\\d{{4}}$", re.A),),
    "204": (re.compile(f"^{_DAY}\\d{{6}}$", re.A),),
}
_MAX_DECIMALS = 2  # EN 16931 BR-DEC: amounts carry at most two decimals


class Reader:
    """Reads one parsed document: paths relative to an element, and the problems found on the way."""

    def __init__(self, root: etree._Element, file: str, namespaces: dict[str, str]) -> None:
        self.root = root
        self.file = file
        self.ns = namespaces
        self.problems: list[str] = []
        self.notes: list[str] = []
        self.deviations: list[str] = []

    # lookups ------------------------------------------------------------------------------------------
    def all(self, path: str, at: etree._Element | None = None) -> list[etree._Element]:
        found = (self.root if at is None else at).xpath(path, namespaces=self.ns)
        return [e for e in found if isinstance(e, etree._Element)] if isinstance(found, list) else []

    def find(self, path: str, at: etree._Element | None = None) -> etree._Element | None:
        found = self.all(path, at)
        return found[0] if found else None

    def text(self, path: str, at: etree._Element | None = None) -> str:
        el = self.find(path, at)
        return clean(el) if el is not None else ""

    # problems -----------------------------------------------------------------------------------------
    def problem(self, where: etree._Element | str, message: str) -> None:
        if isinstance(where, str):
            self.problems.append(f"{self.file}: {where}: {message}")
        else:
            self.problems.append(f"{self.file}, line {where.sourceline}, {name_of(where)}: {message}")

    def reject(self) -> None:
        if self.problems:
            raise ImportRejectedError(list(self.problems))

    # values -------------------------------------------------------------------------------------------
    def required(self, path: str, what: str, at: etree._Element | None = None) -> str:
        value = self.text(path, at)
        if not value:
            self.problem(path, f"missing: {what} is required")
        return value

    def date(self, el: etree._Element | None, what: str) -> dt.date | None:
        """A day from 'YYYY-MM-DD' (UBL) or a CII DateTimeString (format 102 YYYYMMDD, 203 or 204)."""
        if el is None:
            return None
        text = clean(el)
        fmt = el.get("format")
        patterns = _DATE_FORMATS.get(fmt or "")
        if patterns is None:
            self.problem(el, f"{what} has date format {fmt!r}; a day is expected (format 102, YYYYMMDD)")
            return None
        for pattern in patterns:
            match = pattern.match(text)
            if match:
                try:
                    return dt.date(*(int(g) for g in match.groups()))
                except ValueError:
                    break
        expected = "a date YYYY-MM-DD" if not fmt else f"a date in format {fmt} (YYYYMMDD...)"
        self.problem(el, f"{what} {text!r} is not {expected}")
        return None

    def money(self, el: etree._Element | None, currency: str, what: str) -> Money | None:
        """An amount in ``currency``: a plain decimal with at most two decimals (EN 16931 BR-DEC)."""
        if el is None:
            return None
        text = clean(el)
        given = (el.get("currencyID") or "").strip()
        if given and given != currency:
            self.problem(el, f"{what} is in {given!r} but the document's currency is {currency}")
            return None
        match = _DECIMAL.match(text)
        if not match:
            self.problem(el, f"{what} {text!r} is not an amount (digits with a dot for decimals)")
            return None
        places = len((match.group(2) or "").rstrip("0"))  # 160.0000 is 160: only significant decimals count
        if places > _MAX_DECIMALS:
            self.problem(el, f"{what} {text} has more than two decimals (EN 16931 BR-DEC)")
            return None
        if places > minor_digits(currency):
            self.problem(el, f"{what} {text} has more decimals than {currency} allows")
            return None
        exact = Decimal(text).quantize(Decimal(1).scaleb(-places))
        return Money.parse(f"{exact:f}", currency)

    def currency(self, el: etree._Element | None, what: str, *, attribute: str = "") -> str:
        """An ISO 4217 code from the element's text (or from ``attribute``); '' after a problem."""
        if el is None:
            return ""
        code = ((el.get(attribute) or "") if attribute else clean(el)).strip().upper()
        try:
            return check_currency(code)
        except DomainError as exc:
            self.problem(el, f"{what}: {exc}")
            return ""


def clean(el: etree._Element) -> str:
    """The element's own text with runs of whitespace made one space."""
    return _SPACES.sub(" ", el.text or "").strip()


# --- the totals, checked where they make the amount due ---------------------------------------------


@dataclass(frozen=True, slots=True)
class Totals:
    """The document totals (BG-22) as read; None when absent. Each amount keeps its element for errors."""

    line_total: tuple[Money, etree._Element] | None
    allowances: tuple[Money, etree._Element] | None
    charges: tuple[Money, etree._Element] | None
    without_tax: tuple[Money, etree._Element] | None
    tax: Sequence[tuple[Money, etree._Element]]
    with_tax: tuple[Money, etree._Element] | None
    prepaid: tuple[Money, etree._Element] | None
    rounding: tuple[Money, etree._Element] | None
    payable: tuple[Money, etree._Element]


def check_totals(
    reader: Reader,
    t: Totals,
    names: dict[str, str],
    *,
    prepaid_optional: bool,
    third_party: Money | None = None,
    required: bool = False,
) -> None:
    """EN 16931 BR-CO-13, -15 and -16: the amounts that make the amount due add up.

    ``names`` gives each total's element name in the syntax. With ``prepaid_optional`` (the
    Factur-X MINIMUM profile, which has no prepaid amount) the amount due may be below the total.
    The rounding amount counts once: EN 16931 adds it to the amount due, UBL 2.1's own examples
    to the total with tax. ``third_party`` are payments the seller collects for others (the
    XRechnung extension's BT-DEX-002), added to the amount due. With ``required`` (a document that
    declares EN 16931) the totals the amount due is made of must be there (BR-12, -13, -14).
    """
    if required:
        for key, term in (
            ("line_total", "BT-106, BR-12"),
            ("without_tax", "BT-109, BR-13"),
            ("with_tax", "BT-112, BR-14"),
        ):
            if getattr(t, key) is None:
                reader.problem(
                    names[key], f"missing: EN 16931 requires this total ({term}) the amount due comes from"
                )
    currency = t.payable[0].currency
    zero = Money.zero(currency)

    def amount(item: tuple[Money, etree._Element] | None) -> Money:
        return item[0] if item else zero

    if t.line_total and t.without_tax:
        expected = t.line_total[0] - amount(t.allowances) + amount(t.charges)
        if expected != t.without_tax[0]:
            reader.problem(
                t.without_tax[1],
                f"{t.without_tax[0].amount} is not {names['line_total']} {t.line_total[0].amount} - "
                f"{names['allowances']} {amount(t.allowances).amount} + {names['charges']} "
                f"{amount(t.charges).amount} = {expected.amount} (EN 16931 BR-CO-13): "
                "the totals do not add up",
            )
    tax = sum((m for m, _ in t.tax), zero)
    rounding = amount(t.rounding)
    rounded_total = False  # True when the rounding is already in the total with tax (UBL 2.1 examples)
    if t.without_tax and t.with_tax and t.with_tax[0] != t.without_tax[0] + tax:
        rounded_total = not rounding.is_zero() and t.with_tax[0] == t.without_tax[0] + tax + rounding
        if not rounded_total:
            reader.problem(
                t.with_tax[1],
                f"{t.with_tax[0].amount} is not {names['without_tax']} {t.without_tax[0].amount} + "
                f"{names['tax']} {tax.amount} = {(t.without_tax[0] + tax).amount} (EN 16931 BR-CO-15): "
                "the totals do not add up",
            )
    if t.with_tax and not (prepaid_optional and t.prepaid is None):
        others = third_party or zero
        expected = t.with_tax[0] - amount(t.prepaid) + (zero if rounded_total else rounding) + others
        if expected != t.payable[0]:
            extra = f" + third-party payments {others.amount}" if third_party else ""
            reader.problem(
                t.payable[1],
                f"the amount due {t.payable[0].amount} is not {names['with_tax']} {t.with_tax[0].amount} - "
                f"{names['prepaid']} {amount(t.prepaid).amount} + {names['rounding']} "
                f"{rounding.amount}{extra} = {expected.amount} (EN 16931 BR-CO-16)",
            )


def signed_kind(kind: DocumentKind, amount: Money, type_label: str) -> tuple[DocumentKind, Money, str]:
    """A negative invoice is a credit note, a negative credit note a claim; the amount made positive."""
    if amount.amount >= 0:
        return kind, amount, type_label
    flipped = DocumentKind.CREDIT_NOTE if kind is DocumentKind.INVOICE else DocumentKind.INVOICE
    return flipped, -amount, f"{type_label} with a negative amount, so a {flipped.value}"


# --- the checks both syntaxes share -----------------------------------------------------------------

MAX_KEY = 64  # invoice numbers and customer ids are stored in 64 characters


@dataclass(frozen=True, slots=True)
class Read:
    """What a parser read, before the shared checks make it an ``EInvoice``."""

    syntax: str
    number: str
    kind: DocumentKind
    type_code: str
    issue_date: dt.date | None  # None when missing or unreadable (the parser said so)
    due_dates: Sequence[dt.date]
    payable: Money | None  # None when missing or unreadable (the parser said so)
    buyer: Buyer | None
    buyer_path: str
    invoice_reference: str = ""
    profile: str = ""
    has_payment_terms: bool = False


def finish(reader: Reader, read: Read) -> EInvoice:
    """Check what matters for collections (number, dates, buyer, terms) and build the ``EInvoice``."""
    issued = read.issue_date
    if len(read.number) > MAX_KEY:
        reader.problem("the document number", f"{read.number[:20]!r}... is longer than {MAX_KEY} characters")
    due = max(read.due_dates) if read.due_dates else None
    if read.buyer is None or not read.buyer.name:
        reader.problem(read.buyer_path, "missing: the buyer's name (BT-44) is required to know who owes it")
    if read.payable is None:  # the amount due is missing or unreadable: nothing more can be checked
        raise ImportRejectedError(reader.problems or [f"{reader.file}: no amount due"])
    kind, amount, label = signed_kind(read.kind, read.payable, type_name(read.type_code))
    conforms = "en16931" in read.profile.lower()
    due_or_terms = due is not None or read.has_payment_terms
    if conforms and kind is DocumentKind.INVOICE and amount.amount > 0 and not due_or_terms:
        reader.problem(
            "the payment terms",
            "neither a due date (BT-9) nor payment terms (BT-20): EN 16931 BR-CO-25 requires one "
            "when an amount is due",
        )
    reader.reject()
    if issued is None or read.buyer is None:  # a parser that forgot to say why
        raise ImportRejectedError([f"{reader.file}: no issue date or no buyer"])
    return EInvoice(
        file=reader.file,
        syntax=read.syntax,
        number=read.number,
        kind=kind,
        type_code=read.type_code,
        type_name=label,
        issue_date=issued,
        due_date=due,
        amount=amount,
        buyer=read.buyer,
        invoice_reference=read.invoice_reference,
        profile=read.profile,
        has_payment_terms=read.has_payment_terms,
        notes=tuple(reader.notes),
        deviations=tuple(reader.deviations),
    )


def address(*parts: str) -> tuple[str, ...]:
    return tuple(p for p in parts if p)


def email_of(reader: Reader, *candidates: str) -> str:
    """The first candidate that looks like an email address; a malformed one becomes a note."""
    for value in candidates:
        if not value:
            continue
        text = value.removeprefix("mailto:").strip()
        if "@" in text and " " not in text and len(text) <= 254:
            return text
        reader.notes.append(f"the buyer's email {value!r} is not an email address; it was left out")
    return ""
