"""EN 16931 code lists and XRechnung rules, held against documents that claim them (conformance.py)."""

from __future__ import annotations

import pytest

from einvoice_samples import cii, ubl
from recoup.adapters.formats.detect import read_einvoice
from recoup.domain.errors import ImportRejectedError

XRECHNUNG = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
SELLER = b"<ram:SellerTradeParty><ram:Name>Seller AG</ram:Name>"
SELLER_CONTACT = (
    SELLER + b"<ram:DefinedTradeContact><ram:PersonName>Jo</ram:PersonName></ram:DefinedTradeContact>"
)
AGREEMENT = b"<ram:ApplicableHeaderTradeAgreement>"
BUYER_REFERENCE = AGREEMENT + b"<ram:BuyerReference>04011000-12345-34</ram:BuyerReference>"


def refused(data: bytes) -> str:
    with pytest.raises(ImportRejectedError) as caught:
        read_einvoice(data, "x.xml")
    return "\n".join(caught.value.problems)


def with_exemption(data: bytes, code: str) -> bytes:
    """A UBL document with one VAT breakdown whose exemption reason code is ``code``."""
    subtotal = (
        "<cac:TaxSubtotal><cac:TaxCategory><cbc:ID>E</cbc:ID>"
        f"<cbc:TaxExemptionReasonCode>{code}</cbc:TaxExemptionReasonCode></cac:TaxCategory></cac:TaxSubtotal>"
    )
    return data.replace(
        b"</cbc:TaxAmount></cac:TaxTotal>", f"</cbc:TaxAmount>{subtotal}</cac:TaxTotal>".encode()
    )


@pytest.mark.parametrize(
    "code", ["VATEX-EU-132-1A", "vatex-eu-132-1g", "VATEX-EU-D", "VATEX-FR-FRANCHISE", ""]
)
def test_a_vatex_code_in_any_case_or_an_empty_element_passes(code: str) -> None:
    assert read_einvoice(with_exemption(ubl(), code), "x.xml").number == "INV-1"


def test_words_where_en16931_wants_a_vatex_code_are_refused_naming_the_element_and_the_rule() -> None:
    problems = refused(with_exemption(ubl(), "Exemption reason code"))
    assert (
        "x.xml, line 1, cbc:TaxExemptionReasonCode: 'Exemption reason code' is not a VAT exemption"
        in problems
    )
    assert "(EN 16931 BR-CL-22" in problems


def test_a_ubl_document_that_claims_no_en16931_may_use_another_code_list() -> None:
    doc = read_einvoice(with_exemption(ubl(customization=""), "AAM"), "x.xml")
    assert doc.deviations == ()


def test_a_cii_exemption_reason_in_words_is_refused_too() -> None:
    tax = (
        b"<ram:ApplicableTradeTax><ram:TypeCode>VAT</ram:TypeCode>"
        b"<ram:ExemptionReasonCode>tax free</ram:ExemptionReasonCode></ram:ApplicableTradeTax>"
    )
    data = cii().replace(b"<ram:SpecifiedTradePaymentTerms>", tax + b"<ram:SpecifiedTradePaymentTerms>", 1)
    assert "'tax free' is not a VAT exemption reason code of the VATEX list" in refused(data)


def test_an_xrechnung_without_seller_contact_and_buyer_reference_is_refused_naming_both_rules() -> None:
    problems = refused(cii(profile=XRECHNUNG))
    assert (
        "SellerTradeParty/ram:DefinedTradeContact: missing: an XRechnung names the seller's contact"
        in problems
    )
    assert "(BG-6, XRechnung BR-DE-2)" in problems
    assert "ram:BuyerReference: missing: an XRechnung names the buyer reference (BT-10" in problems


def test_an_xrechnung_with_both_imports_and_the_same_document_without_the_claim_needs_neither() -> None:
    data = cii(profile=XRECHNUNG).replace(SELLER, SELLER_CONTACT).replace(AGREEMENT, BUYER_REFERENCE)
    assert read_einvoice(data, "x.xml").profile == XRECHNUNG
    assert read_einvoice(cii(), "x.xml").deviations == ()


def test_a_ubl_xrechnung_needs_the_supplier_contact() -> None:
    problems = refused(ubl(customization=XRECHNUNG))
    assert "cac:AccountingSupplierParty/cac:Party/cac:Contact: missing" in problems
    assert "cbc:BuyerReference: missing" in problems
