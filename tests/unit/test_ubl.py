"""Reading UBL invoices and credit notes: what collections needs, and refusals that say what is wrong."""

from __future__ import annotations

import datetime as dt

import pytest

from einvoice_samples import ACME_VAT, ubl
from recoup.adapters.formats.detect import read_einvoice
from recoup.adapters.formats.einvoice import DocumentKind, NotAnInvoiceError
from recoup.domain.errors import ImportRejectedError
from recoup.domain.money import Money


def read(data: bytes, name: str = "inv.xml"):  # type: ignore[no-untyped-def]
    return read_einvoice(data, name)


def refusal(data: bytes, name: str = "inv.xml") -> str:
    with pytest.raises(ImportRejectedError) as caught:
        read_einvoice(data, name)
    return "\n".join(caught.value.problems)


def test_an_invoice_gives_its_number_dates_amount_due_and_buyer() -> None:
    doc = read(ubl(prepaid="19.00"))
    assert (doc.number, doc.kind, doc.type_code, doc.syntax) == (
        "INV-1",
        DocumentKind.INVOICE,
        "380",
        "UBL Invoice",
    )
    assert (doc.issue_date, doc.due_date) == (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert doc.amount == Money("100.00", "EUR")  # 119.00 less 19.00 prepaid
    b = doc.buyer
    assert (b.name, b.tax_id, b.country, b.email, b.contact) == (
        "Acme GmbH",
        ACME_VAT,
        "DE",
        "ap@acme.example",
        "Petra Klein",
    )
    assert b.address == ("Hauptstr. 1", "10115 Berlin")


def test_a_credit_note_is_a_credit_of_its_positive_amount_on_the_invoice_it_references() -> None:
    doc = read(ubl(root="CreditNote", type_code="381", due=None, reference="INV-1"))
    assert (doc.kind, doc.amount, doc.invoice_reference) == (
        DocumentKind.CREDIT_NOTE,
        Money("119.00", "EUR"),
        "INV-1",
    )
    assert doc.type_name == "credit note (381)"


def test_an_invoice_with_a_negative_amount_is_a_credit_note_of_the_positive_amount() -> None:
    doc = read(ubl(line="-100.00", tax="-19.00", reference="INV-0"))
    assert (doc.kind, doc.amount) == (DocumentKind.CREDIT_NOTE, Money("119.00", "EUR"))
    assert "negative amount" in doc.type_name


def test_a_debit_note_is_a_claim_read_from_its_requested_monetary_total() -> None:
    data = ubl(root="Invoice", type_code=None).replace(b"LegalMonetaryTotal", b"RequestedMonetaryTotal")
    data = data.replace(b"Invoice", b"DebitNote")
    doc = read(data)
    assert (doc.syntax, doc.kind, doc.type_code, doc.amount) == (
        "UBL DebitNote",
        DocumentKind.INVOICE,
        "383",
        Money("119.00", "EUR"),
    )


@pytest.mark.parametrize(
    ("root", "what"),
    [
        ("Reminder", "a UBL Reminder (a payment reminder"),
        ("Statement", "a UBL Statement (a statement of account)"),
        ("RemittanceAdvice", "a UBL RemittanceAdvice (a payer's notice of what it paid)"),
        ("Order", "a UBL Order (a purchase order)"),
        ("Catalogue", "a UBL Catalogue"),
        ("TransportationStatus", "a UBL TransportationStatus document"),
    ],
)
def test_a_document_that_is_no_invoice_is_refused_saying_what_it_is(root: str, what: str) -> None:
    with pytest.raises(NotAnInvoiceError) as caught:
        read(ubl(root=root))
    assert caught.value.kind == f"UBL {root}"
    assert what in caught.value.problems[0]
    assert "not an invoice or credit note" in caught.value.problems[0]


def test_a_type_code_that_is_no_invoice_is_refused_naming_it() -> None:
    with pytest.raises(NotAnInvoiceError) as caught:
        read(ubl(type_code="325"))
    assert "pro-forma invoice (325)" in caught.value.problems[0]


def test_without_a_document_currency_the_currency_of_the_amounts_is_taken() -> None:
    doc = read(ubl(currency=None).replace(b'currencyID="EUR"', b'currencyID="CAD"'))
    assert doc.amount == Money("119.00", "CAD")


def test_without_any_currency_the_document_is_refused_naming_the_element() -> None:
    data = ubl(currency=None).replace(b' currencyID="EUR"', b"")
    assert "cbc:DocumentCurrencyCode: missing, and the amount due has no currencyID either" in refusal(data)


def test_an_amount_in_another_currency_than_the_document_is_refused() -> None:
    data = ubl().replace(b'<cbc:PayableAmount currencyID="EUR">', b'<cbc:PayableAmount currencyID="USD">')
    assert "cbc:PayableAmount: the amount due is in 'USD' but the document's currency is EUR" in refusal(data)


def test_an_amount_due_that_does_not_add_up_is_refused_with_the_sum_it_should_be() -> None:
    problems = refusal(ubl(payable="120.00"))
    assert (
        "inv.xml, line 1, cbc:PayableAmount: the amount due 120.00 is not TaxInclusiveAmount 119.00"
        in problems
    )
    assert "= 119.00 (EN 16931 BR-CO-16)" in problems


def test_a_total_with_tax_that_does_not_add_up_is_refused() -> None:
    data = ubl().replace(b">119.00</cbc:TaxInclusiveAmount>", b">118.00</cbc:TaxInclusiveAmount>")
    assert (
        "118.00 is not TaxExclusiveAmount 100.00 + TaxAmount 19.00 = 119.00 (EN 16931 BR-CO-15)"
        in refusal(data)
    )


def test_a_rounding_amount_may_sit_in_the_total_with_tax_as_the_ubl_examples_do() -> None:
    data = ubl(tax="18.70", payable="119.00").replace(
        b">118.70</cbc:TaxInclusiveAmount>", b">119.00</cbc:TaxInclusiveAmount>"
    )
    data = data.replace(
        b"<cbc:PayableAmount",
        b'<cbc:PayableRoundingAmount currencyID="EUR">0.30</cbc:PayableRoundingAmount><cbc:PayableAmount',
    )
    assert read(data).amount == Money("119.00", "EUR")


def test_xrechnung_third_party_payments_are_part_of_the_amount_due() -> None:
    extension = (
        "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
        "#conformant#urn:xeinkauf.de:kosit:extension:xrechnung_3.0"
    )
    data = (
        ubl(customization=extension, payable="129.00")
        .replace(
            b"<cac:TaxTotal>",
            b"<cac:PrepaidPayment><cbc:ID>Porto</cbc:ID>"
            b'<cbc:PaidAmount currencyID="EUR">10.00</cbc:PaidAmount></cac:PrepaidPayment><cac:TaxTotal>',
        )
        .replace(  # an XRechnung names the seller's contact and the buyer reference (BR-DE-2, BR-DE-15)
            b"<cac:AccountingSupplierParty><cac:Party>",
            b"<cbc:BuyerReference>991-01234-56</cbc:BuyerReference>"
            b"<cac:AccountingSupplierParty><cac:Party><cac:Contact><cbc:Name>Jo</cbc:Name></cac:Contact>",
        )
    )
    assert read(data).amount == Money("129.00", "EUR")


def test_an_amount_with_more_than_two_decimals_is_refused() -> None:
    data = ubl().replace(
        b">100.00</cbc:LineExtensionAmount></cac:InvoiceLine>",
        b">100.0049</cbc:LineExtensionAmount></cac:InvoiceLine>",
    )
    assert "line 1 net amount (BT-131) 100.0049 has more than two decimals (EN 16931 BR-DEC)" in refusal(data)


def test_an_amount_that_is_no_number_is_refused_naming_the_element() -> None:
    assert "cbc:PayableAmount: the amount due '1,19' is not an amount" in refusal(ubl(payable="1,19"))


def test_trailing_zeros_beyond_the_currency_are_no_extra_decimals() -> None:
    doc = read(
        ubl(currency="JPY", line="1000.00", tax="100.00").replace(b'currencyID="EUR"', b'currencyID="JPY"')
    )
    assert doc.amount == Money(1100, "JPY")


def test_the_due_date_may_come_from_the_payment_means_and_the_latest_counts() -> None:
    data = ubl(due=None).replace(
        b"<cac:TaxTotal>",
        b"<cac:PaymentMeans><cbc:PaymentMeansCode>30</cbc:PaymentMeansCode><cbc:PaymentDueDate>2026-11-15"
        b"</cbc:PaymentDueDate></cac:PaymentMeans><cac:PaymentMeans><cbc:PaymentMeansCode>58</cbc:PaymentMeansCode>"
        b"<cbc:PaymentDueDate>2026-11-30</cbc:PaymentDueDate></cac:PaymentMeans><cac:TaxTotal>",
    )
    assert read(data).due_date == dt.date(2026, 11, 30)


def test_an_en16931_invoice_without_due_date_or_payment_terms_is_refused() -> None:
    data = ubl(due=None).replace(
        b"<cac:PaymentTerms><cbc:Note>30 days net</cbc:Note></cac:PaymentTerms>", b""
    )
    assert "neither a due date (BT-9) nor payment terms (BT-20): EN 16931 BR-CO-25" in refusal(data)


def test_a_plain_ubl_invoice_without_due_date_or_terms_is_read_with_no_due_date() -> None:
    data = ubl(due=None, customization="").replace(b"<cbc:CustomizationID></cbc:CustomizationID>", b"")
    assert read(data).due_date is None


def test_a_date_that_is_no_day_is_refused_naming_the_element() -> None:
    assert "cbc:IssueDate: the issue date '2026-02-30' is not a date YYYY-MM-DD" in refusal(
        ubl(issue="2026-02-30")
    )


def test_missing_number_issue_date_and_buyer_name_are_all_listed_at_once() -> None:
    data = ubl(number="", buyer="").replace(b"<cbc:IssueDate>2026-10-01</cbc:IssueDate>", b"")
    problems = refusal(data)
    assert "cbc:ID: missing: the document number (BT-1) is required" in problems
    assert "cbc:IssueDate: missing: the issue date (BT-2) is required" in problems
    assert "the buyer's name (BT-44) is required" in problems


def test_the_trading_name_stands_in_for_a_missing_legal_name() -> None:
    data = ubl(buyer="").replace(
        b"<cac:PostalAddress>",
        b"<cac:PartyName><cbc:Name>Acme</cbc:Name></cac:PartyName><cac:PostalAddress>",
        1,
    )
    assert read(data).buyer.name == "Acme"


def test_a_malformed_buyer_email_is_left_out_with_a_note() -> None:
    doc = read(ubl(email="not an address"))
    assert doc.buyer.email == ""
    assert "the buyer's email 'not an address' is not an email address" in doc.notes[0]


def test_xml_that_declares_entities_is_refused_and_never_read() -> None:
    evil = b'<!DOCTYPE Invoice [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    data = ubl(head=evil.decode(), buyer="&x;")
    assert "declares a DTD" in refusal(data)


def test_malformed_xml_is_refused_saying_where() -> None:
    problems = refusal(ubl()[:-20])
    assert problems.startswith("inv.xml: not well-formed XML:")
    assert "line 1" in problems
