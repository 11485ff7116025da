"""The e-invoice corpus (../shared/corpora/ubl and cii) against what its SOURCES.md says of each file.

Every valid and edge file imports into an empty ledger with the type, currency,
amount due and due date SOURCES.md gives, and a second import changes nothing.
Every 'other' document is refused saying what it is; every file under invalid/
is refused with its defect named; a refusal leaves the ledger empty. The
whole module skips when the corpus is not there.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from builders import AT, CORPORA
from einvoice_samples import facturx_pdf
from recoup.adapters.db.engine import make_engine, migrate
from recoup.adapters.db.uow import SqlUnitOfWorkFactory
from recoup.adapters.formats.detect import read_einvoice
from recoup.adapters.formats.einvoice import CREDIT_CODES, DocumentKind, NotAnInvoiceError
from recoup.domain.errors import ImportRejectedError
from recoup.domain.money import Money
from recoup.services.einvoices import import_einvoice_files

SOURCES = CORPORA / "SOURCES.md"
pytestmark = pytest.mark.skipif(not SOURCES.is_file(), reason=f"no e-invoice corpus at {CORPORA}")

# root -> its type code when the document has none (UBL documents may leave it out)
DEFAULT_CODES = {"Invoice": "380", "CreditNote": "381", "DebitNote": "383", "SelfBilledCreditNote": "261"}
CREDIT_ROOTS = {"CreditNote", "SelfBilledCreditNote"}
# SOURCES.md says "no ccy" for these; every UBL amount names its currency, which the import takes
CURRENCY_OF_AMOUNTS = {"UBL-Invoice-2.1-Example-Trivial.xml": "CAD"}
# What each invalid file's refusal must say: the defect SOURCES.md gives, as recoup words it.
INVALID_REASONS = {
    "cii/invalid/invalidV2.xml": ("the buyer's name (BT-44) is required", "BT-106, BR-12", "BR-CO-15"),
    "cii/invalid/invalidV2Root.xml": ("the root element rsm:myinvoice",),
    "cii/invalid/invalidV1TooMinimal.xml": ("the document number (BT-1) is required",),
    "cii/invalid/invalidV1addition.xml": (
        "1571.40 is not TaxBasisTotalAmount 2496.00 + TaxTotalAmount 75.04",
    ),
    "cii/invalid/invalidXRV30.xml": ("the amount due 336.91 is not GrandTotalAmount 336.90", "BR-CO-16"),
    "cii/invalid/invalidXRV30_BR-DEC-23.xml": ("288.7934 has more than two decimals (EN 16931 BR-DEC)",),
    "cii/invalid/FAIL_zugferd_2p1_MINIMUM_Rechnung_380.xml": ("only booking aids (type code 751)",),
    "cii/invalid/xml_invalid_1.xml": ("the root element <dummy> is neither UBL",),
    "cii/invalid/xml_invalid_2.xml": ("neither a table, XML nor a PDF (it starts 'Bad XML')",),
    "cii/invalid/invalidXRv2.xml": ("an XRechnung names the seller's contact (BG-6, XRechnung BR-DE-2)",),
    "cii/invalid/not_validating_full_invoice_based_onTest_EeISI_300_CENfullmodel.cii.xml": (
        "'Exemption reason code' is not a VAT exemption reason code of the VATEX list (EN 16931 BR-CL-22",
    ),
    "ubl/invalid/not_validating_full_invoice_based_onTest_EeISI_300_CENfullmodel.ubl.xml": (
        "'Exemption reason code' is not a VAT exemption reason code of the VATEX list (EN 16931 BR-CL-22",
    ),
}
# Invalid upstream for a departure a collections import can read past, which two files of the
# valid set (from the EN 16931 test suite) share: read by default, its deviation reported;
# refused by --strict, as are those two.
READ_PAST = {
    "cii/invalid/invalidV2Profile.xml": "the profile (BT-24) urn:ferd:CrossIndustryDocument:invoice:1p0:"
    "comfort names ZUGFeRD 1.0, but this is a CII 2 CrossIndustryInvoice",
}
STRICT_REFUSES_VALID = {"cii/CII-BR-CO-10-RoundingIssue.xml", "cii/CII_business_example_02.xml"}


@dataclass(frozen=True)
class Expected:
    """One file's row of SOURCES.md: its status and the facts of its 'auto' column."""

    path: str  # relative to the corpora folder
    status: str
    root: str
    code: str
    currency: str
    due: dt.date | None
    payable: Decimal | None


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text if "-" in text else f"{text[:4]}-{text[4:6]}-{text[6:]}")


def _expected() -> list[Expected]:
    if not SOURCES.is_file():
        return []
    rows, folder = [], ""
    for line in SOURCES.read_text(encoding="utf-8").splitlines():
        if line.startswith("### "):
            folder = "ubl" if "(`ubl/`)" in line else "cii" if "(`cii/`)" in line else ""
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not folder or not line.startswith("| `") or cells[1] not in ("valid", "edge", "other"):
            continue
        facts = [f.strip() for f in cells[-1].split(";")]
        root, _, code = facts[0].partition(" ")
        currency = next((f.split("/")[0] for f in facts if re.fullmatch(r"[A-Z]{3}(/[A-Z]{3})?", f)), "")
        due = next((_day(f[4:]) for f in facts if f.startswith("due ")), None)
        payable = next((Decimal(f[8:]) for f in facts if f.startswith("payable ")), None)
        rows.append(Expected(f"{folder}/{cells[0].strip('`')}", cells[1], root, code, currency, due, payable))
    return rows


EXPECTED = _expected()
VALID = [e for e in EXPECTED if e.status in ("valid", "edge")]
OTHER = [e for e in EXPECTED if e.status == "other"]
INVALID = sorted(
    str(p.relative_to(CORPORA)) for folder in ("ubl", "cii") for p in (CORPORA / folder / "invalid").glob("*")
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty migrated SQLite ledger, copied for each test (migrating once is much faster)."""
    path = tmp_path_factory.mktemp("corpus") / "empty.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()
    return path


@pytest.fixture
def ledger(template: Path, tmp_path: Path) -> SqlUnitOfWorkFactory:
    path = tmp_path / "ledger.db"
    shutil.copy(template, path)
    return SqlUnitOfWorkFactory(make_engine(f"sqlite:///{path}"))


def counts(uow_factory: SqlUnitOfWorkFactory) -> tuple[int, int, int]:
    with uow_factory() as uow:
        ids = [c.id for c in uow.customers.list()]
        invoices = sum(len(uow.invoices.for_customer(c)) for c in ids)
        notes = sum(len(uow.credit_notes.for_customer(c)) for c in ids)
    return len(ids), invoices, notes


def test_the_corpus_lists_every_file_it_holds() -> None:
    on_disk = {
        str(p.relative_to(CORPORA)) for f in ("ubl", "cii") for p in (CORPORA / f).glob("*") if p.is_file()
    }
    assert {e.path for e in EXPECTED} == on_disk
    assert (len(VALID), len(OTHER), len(INVALID)) == (70, 3, 13)


@pytest.mark.parametrize("expected", VALID, ids=lambda e: e.path)
def test_every_valid_and_edge_invoice_imports_as_sources_md_describes_it(
    expected: Expected, ledger: SqlUnitOfWorkFactory
) -> None:
    path = CORPORA / expected.path
    doc = read_einvoice(path.read_bytes(), path.name)
    code = expected.code or DEFAULT_CODES[expected.root]
    credit = (code in CREDIT_CODES or expected.root in CREDIT_ROOTS) != (
        expected.payable is not None and expected.payable < 0
    )
    assert doc.type_code == code
    assert doc.kind is (DocumentKind.CREDIT_NOTE if credit else DocumentKind.INVOICE)
    assert doc.currency == (expected.currency or CURRENCY_OF_AMOUNTS[path.name])
    assert expected.payable is not None
    assert doc.amount == Money(abs(expected.payable), doc.currency)
    assert doc.due_date == expected.due

    first = import_einvoice_files(ledger, [path], at=AT, create_customers=True)
    again = import_einvoice_files(ledger, [path], at=AT)
    with ledger() as uow:
        stored_invoice = uow.invoices.get(doc.number)
        stored_note = uow.credit_notes.get_many([doc.number]).get(doc.number)
    if doc.amount.is_zero():
        assert first.files[0].status == "nothing to collect"
        assert counts(ledger) == (0, 0, 0)
    elif doc.kind is DocumentKind.INVOICE:
        assert stored_invoice is not None and stored_note is None
        due = expected.due or doc.issue_date + dt.timedelta(days=30)
        assert (stored_invoice.amount, stored_invoice.issue_date) == (doc.amount, doc.issue_date)
        assert stored_invoice.due_date == max(due, doc.issue_date)
    else:
        assert stored_note is not None and stored_invoice is None
        assert (stored_note.amount, stored_note.date) == (doc.amount, doc.issue_date)
    assert [f.status for f in again.files] == ["nothing to collect" if doc.amount.is_zero() else "unchanged"]


@pytest.mark.parametrize("expected", OTHER, ids=lambda e: e.path)
def test_every_document_that_is_no_invoice_is_refused_saying_what_it_is(
    expected: Expected, ledger: SqlUnitOfWorkFactory
) -> None:
    path = CORPORA / expected.path
    with pytest.raises(NotAnInvoiceError) as read:
        read_einvoice(path.read_bytes(), path.name)
    assert read.value.kind == f"UBL {expected.root}"
    with pytest.raises(ImportRejectedError) as caught:
        import_einvoice_files(ledger, [path], at=AT, create_customers=True)
    assert caught.value.problems == [f"{path.name}: this is {read.value.problems[0].split('this is ')[1]}"]
    assert f"this is a UBL {expected.root} (" in caught.value.problems[0]
    assert counts(ledger) == (0, 0, 0)


@pytest.mark.parametrize(
    ("relative", "strict"),
    [(p, False) for p in INVALID if p not in READ_PAST] + [(p, True) for p in INVALID],
)
def test_every_invalid_file_is_refused_naming_its_defect_and_nothing_is_stored(
    relative: str, strict: bool, ledger: SqlUnitOfWorkFactory
) -> None:
    path = CORPORA / relative
    with pytest.raises(ImportRejectedError) as caught:
        import_einvoice_files(ledger, [path], at=AT, create_customers=True, strict=strict)
    problems = "\n".join(caught.value.problems)
    assert problems.startswith(path.name)
    for reason in (
        (READ_PAST[relative], "(refused: --strict)") if relative in READ_PAST else INVALID_REASONS[relative]
    ):
        assert reason in problems
    assert counts(ledger) == (0, 0, 0)


@pytest.mark.parametrize("relative", sorted(READ_PAST))
def test_a_departure_recoup_reads_past_is_reported_with_the_import(
    relative: str, ledger: SqlUnitOfWorkFactory
) -> None:
    path = CORPORA / relative
    result = import_einvoice_files(ledger, [path], at=AT, create_customers=True)
    assert [f.status for f in result.files] == ["added"]
    assert READ_PAST[relative] in result.files[0].text
    assert counts(ledger) == (1, 1, 0)


def test_strict_refuses_of_the_valid_set_only_the_files_that_share_that_departure() -> None:
    refused = set()
    for expected in VALID:
        path = CORPORA / expected.path
        if read_einvoice(path.read_bytes(), path.name).deviations:
            refused.add(expected.path)
    assert refused == STRICT_REFUSES_VALID


def test_the_swedish_credit_note_closes_the_invoice_it_references(ledger: SqlUnitOfWorkFactory) -> None:
    ubl = CORPORA / "ubl"
    files = [
        ubl / "BIS_Billing_30-Kreditering_(urspr_faktura).xml",
        ubl / "BIS_Billing_30-Kreditering_med_kreditnota.xml",
    ]
    result = import_einvoice_files(ledger, files, at=AT, create_customers=True)
    assert (result.invoices_added, result.credit_notes_added) == (1, 1)
    with ledger() as uow:
        original = uow.invoices.get("2018133")
    assert original is not None
    assert (original.amount, original.open_balance, original.closed_on) == (
        Money("10000", "SEK"),
        Money(0, "SEK"),
        dt.date(2018, 2, 10),
    )


def test_the_french_avoir_as_a_negative_invoice_credits_the_invoice_it_names(
    ledger: SqlUnitOfWorkFactory,
) -> None:
    cii = CORPORA / "cii"
    files = [cii / "facturFrMinimum.xml", cii / "valid_Avoir_FR_type380_minimum_factur-x.xml"]
    import_einvoice_files(ledger, files, at=AT, create_customers=True)
    with ledger() as uow:
        invoice = uow.invoices.get("FA-2017-0010")
        customer = uow.customers.get("78787878400035")
    assert invoice is not None and customer is not None
    assert invoice.open_balance == Money("236.68", "EUR")  # 470.15 - 233.47
    assert (customer.name, customer.country, customer.tax_id) == ("Ma jolie boutique", "FR", "FR19787878784")


def test_a_corpus_invoice_inside_a_factur_x_pdf_imports_as_its_xml_does(
    ledger: SqlUnitOfWorkFactory, tmp_path: Path
) -> None:
    pdf = tmp_path / "RE-20201121-508.pdf"
    pdf.write_bytes(facturx_pdf((CORPORA / "cii" / "factur-x.xml").read_bytes()))
    result = import_einvoice_files(ledger, [pdf], at=AT, create_customers=True)
    assert result.files[0].file == "RE-20201121-508.pdf (factur-x.xml)"
    with ledger() as uow:
        invoice = uow.invoices.get("RE-20201121/508")
    assert invoice is not None
    assert (invoice.amount, invoice.due_date) == (Money("571.04", "EUR"), dt.date(2020, 12, 12))
