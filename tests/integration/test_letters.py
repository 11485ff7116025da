"""PDF letters read back: every kind in every language states the debt, the interest and its rule,
the deadline and both parties; a Korean and a Turkish demand letter are rendered to PNG for a person."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from recoup.adapters.channels import pdf as pdf_adapter
from recoup.adapters.documents import DocumentStore
from recoup.domain.ladder import OutboxItem
from recoup.domain.money import Money
from recoup.law.guards import DE_FIRST_DEMAND, US_VALIDATION
from recoup.law.interest import compute
from recoup.services.formatting import day, money
from recoup.services.letters import CITATIONS, KINDS, LANGUAGES, LetterChannel, customer_details, letter_pdf
from recoup.services.rates import load_rate_book
from recoup.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]
AS_OF = dt.date(2026, 3, 16)  # within the shipped rate tables (checked to 2026-04-30)
PAY_BY = dt.date(2026, 3, 30)  # 14 days after the letter
# Each language with a jurisdiction and currency of a customer who writes it.
LAWS = {
    "en": ("GB", "GBP"),
    "de": ("DE", "EUR"),
    "fr": ("FR", "EUR"),
    "es": ("ES", "EUR"),
    "tr": ("TR", "TRY"),
    "ko": ("KR", "KRW"),
}
DEBTORS = {
    "en": "Blackwood Engineering Ltd",
    "de": "Acme Maschinenbau GmbH",
    "fr": "Dupont Logistique SAS",
    "es": "Construcciones Ibéricas S.L.",
    "tr": "Yıldız Makine Sanayi A.Ş.",
    "ko": "한빛전자 주식회사",
}


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_settings(
        creditor_name="Nordlicht Industriebedarf GmbH",
        creditor_address="Hafenstraße 12\n20457 Hamburg\nDeutschland",
        creditor_email="forderungen@nordlicht.example",
        creditor_phone="+49 40 1234567",
        iban="DE89370400440532013000",
        bic="COBADEFFXXX",
        bank_name="Commerzbank",
    )


@pytest.fixture(scope="module")
def rates() -> Any:
    return load_rate_book(None)


def payload(lang: str, kind: str = "demand-letter") -> dict[str, Any]:
    jurisdiction, currency = LAWS[lang]
    big = currency == "KRW"
    first = ("12000000", "5000000") if big else ("12000.00", "5000.00")
    second = "4500000" if big else "4500.50"
    total = str(Decimal(first[1]) + Decimal(second))
    return {
        "customer": {
            "id": f"CUST-{lang.upper()}",
            "name": DEBTORS[lang],
            "language": lang,
            "kind": "business",
            "jurisdiction": jurisdiction,
            "address": ["Industriestraße 5", "10115 Berlin"],
        },
        "currency": currency,
        "step": kind,
        "action": "letter",
        "tone": "formal",
        "invoices": [
            {"number": "INV-1001", "due_date": "2025-11-28", "amount": first[0], "balance": first[1]},
            {"number": "INV-1002", "due_date": "2026-01-15", "amount": second, "balance": second},
        ],
        "shown": [],
        "total": total,
        "overdue": total,
        "next_step": "agency-review" if kind == "demand-letter" else "demand-letter",
        "next_on": "2026-04-13",
        "terms": "",
        "late_fee_clause": "",
        "sales_owner": "",
        "notices": [],
        "payments": [
            {
                "date": "2025-12-20",
                "reference": "BANK-0001",
                "amount": str(Decimal(first[0]) - Decimal(first[1])),
            }
        ]
        if kind == "statement"
        else [],
    }


_RENDERED: dict[tuple[str, str], bytes] = {}


def rendered(lang: str, kind: str, settings: Settings, rates: Any) -> bytes:
    """The letter of the standard payload, rendered once per module (a Korean one takes seconds)."""
    if (lang, kind) not in _RENDERED:
        _RENDERED[lang, kind] = letter_pdf(
            kind, payload(lang, kind), settings=settings, rates=rates, as_of=AS_OF
        )
    return _RENDERED[lang, kind]


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def squeeze(text: str) -> str:
    """Without any whitespace: a line break inside a phrase or a no-break space must not matter."""
    return re.sub(r"\s+", "", text)


def expected_interest(data: dict[str, Any], rates: Any) -> Money:
    currency = data["currency"]
    total = Money.zero(currency)
    for line in data["invoices"]:
        result = compute(
            Money(line["balance"], currency),
            dt.date.fromisoformat(line["due_date"]),
            AS_OF,
            jurisdiction=data["customer"]["jurisdiction"],
            rates=rates,
        )
        total += result.interest
    return total


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_letter_states_each_invoice_the_amounts_interest_rule_deadline_and_both_parties(
    lang: str, kind: str, settings: Settings, rates: Any
) -> None:
    data = payload(lang, kind)
    currency = data["currency"]
    text = squeeze(text_of(rendered(lang, kind, settings, rates)))
    for line in data["invoices"]:
        assert line["number"] in text
        assert squeeze(day(line["due_date"], lang)) in text
        for amount in (line["amount"], line["balance"]):
            assert squeeze(money(Decimal(amount), currency, lang)) in text
    paid = Decimal(data["invoices"][0]["amount"]) - Decimal(data["invoices"][0]["balance"])
    assert squeeze(money(paid, currency, lang)) in text
    interest = expected_interest(data, rates)
    assert interest.amount > 0
    assert squeeze(money(interest.amount, currency, lang)) in text
    assert squeeze(CITATIONS[data["customer"]["jurisdiction"]]) in text
    assert squeeze(day(PAY_BY, lang)) in text
    assert squeeze(day(AS_OF, lang)) in text
    assert squeeze(settings.creditor_name) in text
    assert squeeze(DEBTORS[lang]) in text
    assert squeeze(settings.iban) in squeeze(text)


def test_a_demand_letter_names_what_follows_and_when(settings: Settings, rates: Any) -> None:
    text = squeeze(
        text_of(letter_pdf("demand-letter", payload("en"), settings=settings, rates=rates, as_of=AS_OF))
    )
    assert squeeze("collection agency on or after April 13, 2026") in text
    assert squeeze("formal demand for payment") in text


def test_without_a_rate_the_letter_claims_statutory_interest_names_the_rule_and_gives_no_amount(
    settings: Settings, rates: Any
) -> None:
    late = dt.date(2026, 11, 23)  # the shipped German base rate is known up to 2026-04-30 only
    text = squeeze(
        text_of(letter_pdf("demand-letter", payload("de"), settings=settings, rates=rates, as_of=late))
    )
    assert squeeze("Verzugszinsen nach § 288 Abs. 2, § 247 BGB in gesetzlicher Höhe") in text
    assert squeeze("nicht beziffert") in text
    assert squeeze("Bitte überweisen Sie 9.500,50 €") in text  # the principal, without interest


def test_a_statement_of_account_lists_the_payments_received(settings: Settings, rates: Any) -> None:
    for lang, heading in (("en", "Payments received"), ("de", "Eingegangene Zahlungen")):
        data = payload(lang, "statement")
        text = squeeze(text_of(letter_pdf("statement", data, settings=settings, rates=rates, as_of=AS_OF)))
        assert squeeze(heading) in text
        assert "BANK-0001" in text
        assert squeeze(money(Decimal("7000"), data["currency"], lang)) in text
        assert squeeze(day("2025-12-20", lang)) in text


def test_the_recipient_address_sits_in_the_window_of_a_din_5008_envelope(
    settings: Settings, rates: Any
) -> None:
    pdf = letter_pdf("demand-letter", payload("en"), settings=settings, rates=rates, as_of=AS_OF)
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    height, mm = float(page.mediabox.height), 72 / 25.4
    found: list[tuple[float, float]] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if DEBTORS["en"] in text:
            found.append((tm[4] * cm[0] + cm[4], height - (tm[5] * cm[3] + cm[5])))

    page.extract_text(visitor_text=visit)
    assert found, "the debtor's name is on the first page"
    x, from_top = found[0]
    assert round(height / mm) == 297  # A4
    assert 20 * mm <= x <= 105 * mm
    assert 45 * mm <= from_top <= 90 * mm


def test_a_korean_letter_without_a_cjk_font_says_which_font_is_missing(
    settings: Settings, rates: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pdf_adapter, "_families", lambda language: frozenset())
    text = squeeze(
        text_of(letter_pdf("demand-letter", payload("ko"), settings=settings, rates=rates, as_of=AS_OF))
    )
    assert squeeze("Font missing: Noto Sans CJK KR (Debian package fonts-noto-cjk)") in text


def test_a_korean_letter_on_a_machine_with_noto_cjk_has_no_font_warning(
    settings: Settings, rates: Any
) -> None:
    if pdf_adapter.missing_font("ko"):
        pytest.skip("fonts-noto-cjk is not installed here (make installs it when it can)")
    text = text_of(rendered("ko", "demand-letter", settings, rates))
    assert "Font missing" not in text
    assert "지급 최고서" in text


def test_the_letter_channel_keeps_the_pdf_and_reports_it_as_to_be_posted(
    settings: Settings, rates: Any, tmp_path: Path
) -> None:
    store = DocumentStore(tmp_path / "documents")
    item = OutboxItem(
        key="CUST-DE/EUR/demand-letter/INV-1001/letter",
        customer_id="CUST-DE",
        currency="EUR",
        step="demand-letter",
        action="letter",
        cycle="INV-1001",
        as_of=AS_OF,
        payload=payload("de"),
    )
    receipt = LetterChannel(store, settings=settings, rates=rates).send(item)
    assert "to be posted" in receipt.summary
    assert receipt.document.startswith("sha256:")
    assert receipt.data["kind"] == "demand-letter" and receipt.data["language"] == "de"
    assert isinstance(receipt.data["pages"], int) and receipt.data["pages"] >= 1
    stored = store.get(receipt.document)
    assert receipt.data["sha256"] in receipt.document
    assert "INV-1001" in text_of(stored)


@pytest.mark.parametrize("lang", ["ko", "tr"])
def test_a_korean_and_a_turkish_demand_letter_are_rendered_to_png_for_a_person_to_look_at(
    lang: str, settings: Settings, rates: Any
) -> None:
    tool = shutil.which("pdftoppm")
    if tool is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed: no PNG preview of the letters")
    folder = ROOT / "test-output" / "letters"
    folder.mkdir(parents=True, exist_ok=True)
    pdf = rendered(lang, "demand-letter", settings, rates)
    source = folder / f"demand-letter-{lang}.pdf"
    source.write_bytes(pdf)
    for old in folder.glob(f"demand-letter-{lang}-*.png"):
        old.unlink()
    subprocess.run([tool, "-png", "-r", "60", str(source), str(folder / f"demand-letter-{lang}")], check=True)
    pages = sorted(folder.glob(f"demand-letter-{lang}-*.png"))
    assert pages, "pdftoppm wrote the pages"
    assert all(p.stat().st_size > 5_000 for p in pages)


def test_the_letter_channel_takes_the_jurisdiction_and_contact_from_the_records(
    settings: Settings, rates: Any, tmp_path: Path
) -> None:
    from fakes import FakeUnitOfWorkFactory
    from recoup.domain.customers import Contact, Customer

    factory = FakeUnitOfWorkFactory()
    with factory() as uow:
        uow.customers.add_many([Customer("CUST-DE", DEBTORS["de"], country="DE", language="de")])
        uow.contacts.add_many([Contact("CUST-DE", "Petra Klein", email="buchhaltung@acme.example")])
        uow.commit()
    data = payload("de")
    data["customer"] = {k: v for k, v in data["customer"].items() if k != "jurisdiction"}
    item = OutboxItem(
        key="CUST-DE/EUR/final-notice/INV-1001/letter",
        customer_id="CUST-DE",
        currency="EUR",
        step="final-notice",
        action="letter",
        cycle="INV-1001",
        as_of=AS_OF,
        payload=data,
    )
    store = DocumentStore(tmp_path / "documents")
    channel = LetterChannel(store, settings=settings, rates=rates, customer_details=customer_details(factory))
    receipt = channel.send(item)
    assert receipt.data["kind"] == "final-notice"
    found = squeeze(text_of(store.get(receipt.document)))
    assert squeeze(CITATIONS["DE"]) in found
    assert squeeze("z. Hd. Petra Klein") in found


def consumer_letter(lang: str, jurisdiction: str, currency: str, notice: Any) -> dict[str, Any]:
    data = payload(lang, "final-notice")
    data["customer"] = {**data["customer"], "kind": "consumer", "jurisdiction": jurisdiction}
    data["currency"] = currency
    data["consumer"] = True
    data["notices"] = [{"code": notice.code, "text": notice.text, "source": notice.source}]
    return data


def consumer_interest(data: dict[str, Any], rates: Any) -> Decimal:
    currency = data["currency"]
    return sum(
        (
            compute(
                Money(line["balance"], currency),
                dt.date.fromisoformat(line["due_date"]),
                AS_OF,
                jurisdiction=data["customer"]["jurisdiction"],
                consumer=True,
                rates=rates,
            ).interest.amount
            for line in data["invoices"]
        ),
        Decimal(0),
    )


def test_a_german_consumer_letter_gives_the_interest_it_claims_in_its_notice_and_names_no_compensation(
    settings: Settings, rates: Any
) -> None:
    data = consumer_letter("de", "DE", "EUR", DE_FIRST_DEMAND)
    text = squeeze(text_of(letter_pdf("final-notice", data, settings=settings, rates=rates, as_of=AS_OF)))
    interest = consumer_interest(data, rates)
    assert interest > 0
    assert squeeze(f"Angaben nach § 13a RDG: Gläubiger ist {settings.creditor_name}") in text
    assert squeeze(f"Zinsen von {money(interest, 'EUR', 'de')}") in text
    assert squeeze("Zinsen werden nicht berechnet") not in text  # the email's words, where none is claimed
    assert squeeze(DE_FIRST_DEMAND.text) not in text
    assert "Pauschale" not in text and "Verzugspauschale" not in text
    business = squeeze(text_of(rendered("de", "final-notice", settings, rates)))
    assert "Verzugspauschale" in business


def test_an_american_consumer_letter_states_the_debt_with_its_interest_in_the_validation_notice(
    settings: Settings, rates: Any
) -> None:
    data = consumer_letter("en", "US-NY", "USD", US_VALIDATION)
    text = squeeze(text_of(letter_pdf("final-notice", data, settings=settings, rates=rates, as_of=AS_OF)))
    debt = Decimal(data["total"]) + consumer_interest(data, rates)
    assert squeeze(f"the amount of the debt is {money(debt, 'USD', 'en')}") in text
    assert squeeze(US_VALIDATION.text) not in text
    assert "compensation" not in text.lower()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_consumer_letter_claims_no_statutory_interest_where_the_law_gives_it_only_between_businesses(
    settings: Settings, lang: str
) -> None:
    data = payload(lang)
    data["customer"] = {**data["customer"], "kind": "consumer", "jurisdiction": "FR"}
    data["currency"] = "EUR"
    for rates_given in (None, load_rate_book(None)):  # with no rate tables, the amount is not computed
        text = squeeze(
            text_of(letter_pdf("demand-letter", data, settings=settings, rates=rates_given, as_of=AS_OF))
        )
        said = "no interest is claimed in this letter" if lang == "en" else "aucun intérêt n’est réclamé"
        assert squeeze(said) in text
        assert (
            squeeze("We claim statutory interest") not in text
            and squeeze("indemnité forfaitaire") not in text
        )
