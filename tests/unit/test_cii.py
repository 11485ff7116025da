"""Reading CII invoices (EN 16931, XRechnung, Factur-X / ZUGFeRD 2 and ZUGFeRD 1.0)."""

from __future__ import annotations

import datetime as dt

import pytest

from einvoice_samples import ACME_VAT, cii
from recoup.adapters.formats.detect import read_einvoice
from recoup.adapters.formats.einvoice import DocumentKind, NotAnInvoiceError
from recoup.domain.errors import ImportRejectedError
from recoup.domain.money import Money

ZUGFERD1 = b"""<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryDocument xmlns:rsm="urn:ferd:CrossIndustryDocument:invoice:1p0"
  xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:12"
  xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:15">
 <rsm:SpecifiedExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContextParameter>
  <ram:ID>urn:ferd:CrossIndustryDocument:invoice:1p0:comfort</ram:ID>
 </ram:GuidelineSpecifiedDocumentContextParameter></rsm:SpecifiedExchangedDocumentContext>
 <rsm:HeaderExchangedDocument><ram:ID>ZF1-7</ram:ID><ram:TypeCode>380</ram:TypeCode>
  <ram:IssueDateTime><udt:DateTimeString format="102">20130305</udt:DateTimeString></ram:IssueDateTime>
 </rsm:HeaderExchangedDocument>
 <rsm:SpecifiedSupplyChainTradeTransaction>
  <ram:ApplicableSupplyChainTradeAgreement><ram:BuyerTradeParty><ram:Name>Kunden AG</ram:Name>
   <ram:PostalTradeAddress><ram:CountryID>DE</ram:CountryID></ram:PostalTradeAddress>
  </ram:BuyerTradeParty></ram:ApplicableSupplyChainTradeAgreement>
  <ram:ApplicableSupplyChainTradeSettlement><ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
   <ram:SpecifiedTradePaymentTerms><ram:DueDateDateTime>
    <udt:DateTimeString format="102">20130404</udt:DateTimeString></ram:DueDateDateTime>
   </ram:SpecifiedTradePaymentTerms>
   <ram:SpecifiedTradeSettlementMonetarySummation>
    <ram:LineTotalAmount currencyID="EUR">473.00</ram:LineTotalAmount>
    <ram:TaxBasisTotalAmount currencyID="EUR">473.00</ram:TaxBasisTotalAmount>
    <ram:TaxTotalAmount currencyID="EUR">56.87</ram:TaxTotalAmount>
    <ram:GrandTotalAmount currencyID="EUR">529.87</ram:GrandTotalAmount>
    <ram:DuePayableAmount currencyID="EUR">529.87</ram:DuePayableAmount>
   </ram:SpecifiedTradeSettlementMonetarySummation>
  </ram:ApplicableSupplyChainTradeSettlement>
 </rsm:SpecifiedSupplyChainTradeTransaction>
</rsm:CrossIndustryDocument>"""


def read(data: bytes, name: str = "inv.xml"):  # type: ignore[no-untyped-def]
    return read_einvoice(data, name)


def refusal(data: bytes, name: str = "inv.xml") -> str:
    with pytest.raises(ImportRejectedError) as caught:
        read_einvoice(data, name)
    return "\n".join(caught.value.problems)


def test_a_cii_invoice_gives_its_number_dates_amount_due_and_buyer() -> None:
    doc = read(cii(prepaid="19.00", legal="HRB 1234"))
    assert (doc.number, doc.kind, doc.syntax, doc.profile) == (
        "INV-1",
        DocumentKind.INVOICE,
        "CII",
        "urn:cen.eu:en16931:2017",
    )
    assert (doc.issue_date, doc.due_date, doc.amount) == (
        dt.date(2026, 10, 1),
        dt.date(2026, 10, 31),
        Money("100.00", "EUR"),
    )
    b = doc.buyer
    assert (b.name, b.tax_id, b.legal_id, b.country, b.email, b.contact) == (
        "Acme GmbH",
        ACME_VAT,
        "HRB 1234",
        "DE",
        "ap@acme.example",
        "Petra Klein",
    )


def test_a_cii_credit_note_381_names_the_invoice_it_corrects() -> None:
    doc = read(cii(type_code="381", reference="INV-0"))
    assert (doc.kind, doc.amount, doc.invoice_reference) == (
        DocumentKind.CREDIT_NOTE,
        Money("119.00", "EUR"),
        "INV-0",
    )


def test_a_cii_invoice_with_a_negative_amount_is_a_credit_note() -> None:
    doc = read(cii(line="-100.00", tax="-19.00"))
    assert (doc.kind, doc.amount) == (DocumentKind.CREDIT_NOTE, Money("119.00", "EUR"))


def test_a_cii_credit_note_with_a_negative_amount_is_a_claim() -> None:
    doc = read(cii(type_code="381", line="-100.00", tax="-19.00"))
    assert (doc.kind, doc.amount) == (DocumentKind.INVOICE, Money("119.00", "EUR"))


@pytest.mark.parametrize(
    ("code", "what"),
    [("220", "order (220)"), ("751", "booking aid"), ("325", "pro-forma invoice (325)"), ("999", "'999'")],
)
def test_a_cii_document_whose_type_is_no_invoice_is_refused_saying_what_it_is(code: str, what: str) -> None:
    with pytest.raises(NotAnInvoiceError) as caught:
        read(cii(type_code=code))
    assert what in caught.value.problems[0]
    assert "not an invoice or credit note" in caught.value.problems[0]


def test_the_latest_due_date_of_several_payment_terms_counts() -> None:
    data = cii().replace(
        b"</ram:SpecifiedTradePaymentTerms>",
        b"</ram:SpecifiedTradePaymentTerms><ram:SpecifiedTradePaymentTerms><ram:DueDateDateTime>"
        b'<udt:DateTimeString format="102">20261015</udt:DateTimeString></ram:DueDateDateTime>'
        b"</ram:SpecifiedTradePaymentTerms>",
    )
    assert read(data).due_date == dt.date(2026, 10, 31)


def test_payment_terms_without_a_date_leave_the_due_date_to_the_customer() -> None:
    doc = read(cii(due=None))
    assert (doc.due_date, doc.has_payment_terms) == (None, True)


def test_an_amount_due_that_does_not_add_up_is_refused_naming_element_and_line() -> None:
    problems = refusal(cii(payable="119.01"))
    assert (
        "inv.xml, line 1, ram:DuePayableAmount: the amount due 119.01 is not GrandTotalAmount 119.00"
        in problems
    )
    assert "(EN 16931 BR-CO-16)" in problems


def test_totals_that_do_not_add_up_are_refused_each_with_its_rule() -> None:
    data = cii().replace(b">100.00</ram:TaxBasisTotalAmount>", b">1100.00</ram:TaxBasisTotalAmount>")
    problems = refusal(data)
    assert "ram:TaxBasisTotalAmount: 1100.00 is not LineTotalAmount 100.00" in problems
    assert "(EN 16931 BR-CO-13)" in problems
    assert "(EN 16931 BR-CO-15)" in problems


def test_an_en16931_document_needs_the_totals_the_amount_due_comes_from() -> None:
    assert "EN 16931 requires this total (BT-106, BR-12)" in refusal(cii(summation=False))


def test_the_minimum_profile_may_owe_less_than_its_total_since_it_has_no_prepaid_amount() -> None:
    data = cii(profile="urn:factur-x.eu:1p0:minimum", seller_country="FR", payable="100.00")
    assert read(data).amount == Money("100.00", "EUR")


def test_a_minimum_profile_from_a_german_seller_is_refused_as_a_booking_aid() -> None:
    problems = refusal(cii(profile="urn:factur-x.eu:1p0:minimum", seller_country="DE"))
    assert "in Germany the MINIMUM and BASIC WL profiles are only booking aids" in problems


def test_a_zugferd_1_document_is_read_in_its_own_dialect() -> None:
    doc = read(ZUGFERD1)
    assert (doc.syntax, doc.number, doc.amount, doc.due_date, doc.buyer.name) == (
        "ZUGFeRD 1.0 CII",
        "ZF1-7",
        Money("529.87", "EUR"),
        dt.date(2013, 4, 4),
        "Kunden AG",
    )


def test_a_zugferd_1_profile_on_a_cii_2_document_is_read_with_the_deviation_reported() -> None:
    doc = read(cii(profile="urn:ferd:CrossIndustryDocument:invoice:1p0:comfort"))
    assert "names ZUGFeRD 1.0, but this is a CII 2 CrossIndustryInvoice" in doc.deviations[0]
    assert doc.notes == ()


def test_a_wrong_root_element_is_refused_naming_it() -> None:
    data = cii().replace(b"rsm:CrossIndustryInvoice", b"rsm:myinvoice")
    assert "the root element rsm:myinvoice" in refusal(data)
    assert "not a CII invoice" in refusal(data)


def test_a_date_in_another_format_than_a_day_is_refused() -> None:
    data = cii().replace(b'format="102">20261001', b'format="610">202610')
    assert "the issue date has date format '610'; a day is expected" in refusal(data)


def test_a_day_that_does_not_exist_is_refused() -> None:
    assert "the issue date '20260231' is not a date in format 102" in refusal(cii(issue="20260231"))


def test_an_unknown_currency_is_refused_naming_the_element() -> None:
    problems = refusal(cii(currency="EUX"))
    assert (
        "ram:InvoiceCurrencyCode: the invoice currency (BT-5): 'EUX' is not an ISO 4217 currency code"
        in problems
    )


def test_a_missing_amount_due_is_refused_with_its_path() -> None:
    data = cii().replace(b"<ram:DuePayableAmount>119.00</ram:DuePayableAmount>", b"")
    assert "ram:DuePayableAmount: missing: the amount due (BT-115) is required" in refusal(data)
