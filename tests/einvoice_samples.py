"""Small UBL and CII documents written inline, and a Factur-X PDF around one, for the e-invoice tests.

Each builder takes only what a test is about; the rest is a consistent
invoice of 100.00 + 19.00 tax = 119.00 EUR to Acme GmbH (DE, VAT DE136695976).
"""

from __future__ import annotations

import io
from decimal import Decimal

ACME_VAT = "DE136695976"  # a valid German VAT number (python-stdnum's example)


def _party_ubl(name: str, vat: str, legal: str, country: str, email: str, contact: str) -> str:
    tax = (
        f"<cac:PartyTaxScheme><cbc:CompanyID>{vat}</cbc:CompanyID>"
        "<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>"
        if vat
        else ""
    )
    legal_id = f"<cbc:CompanyID>{legal}</cbc:CompanyID>" if legal else ""
    name_el = f"<cbc:RegistrationName>{name}</cbc:RegistrationName>" if name else ""
    person = (
        f"<cac:Contact><cbc:Name>{contact}</cbc:Name><cbc:ElectronicMail>{email}</cbc:ElectronicMail></cac:Contact>"
        if email
        else ""
    )
    return (
        "<cac:Party><cac:PostalAddress><cbc:StreetName>Hauptstr. 1</cbc:StreetName>"
        "<cbc:CityName>Berlin</cbc:CityName><cbc:PostalZone>10115</cbc:PostalZone>"
        f"<cac:Country><cbc:IdentificationCode>{country}</cbc:IdentificationCode></cac:Country>"
        f"</cac:PostalAddress>{tax}<cac:PartyLegalEntity>{name_el}{legal_id}</cac:PartyLegalEntity>"
        f"{person}</cac:Party>"
    )


def ubl(
    *,
    root: str = "Invoice",
    number: str = "INV-1",
    type_code: str | None = "380",
    issue: str = "2026-10-01",
    due: str | None = "2026-10-31",
    currency: str | None = "EUR",
    line: str = "100.00",
    tax: str = "19.00",
    prepaid: str | None = None,
    payable: str | None = None,
    buyer: str = "Acme GmbH",
    vat: str = ACME_VAT,
    legal: str = "",
    country: str = "DE",
    email: str = "ap@acme.example",
    contact: str = "Petra Klein",
    reference: str = "",
    customization: str = "urn:cen.eu:en16931:2017",
    head: str = "",
) -> bytes:
    """A UBL invoice (or ``root``) of ``line`` + ``tax`` less ``prepaid``; ``payable`` overrides the sum."""
    ns = f"urn:oasis:names:specification:ubl:schema:xsd:{root}-2"
    with_tax = Decimal(line) + Decimal(tax)
    due_amount = payable if payable is not None else str(with_tax - Decimal(prepaid or "0"))
    ccy_attr = f' currencyID="{currency or "EUR"}"'
    type_el = ""
    if type_code is not None:
        code_name = "CreditNoteTypeCode" if "CreditNote" in root else "InvoiceTypeCode"
        type_el = f"<cbc:{code_name}>{type_code}</cbc:{code_name}>"
    ref = (
        f"<cac:BillingReference><cac:InvoiceDocumentReference><cbc:ID>{reference}</cbc:ID>"
        "</cac:InvoiceDocumentReference></cac:BillingReference>"
        if reference
        else ""
    )
    line_el = "CreditNoteLine" if "CreditNote" in root else "InvoiceLine"
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{head}<{root} xmlns="{ns}" '
        'xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" '
        'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">'
        f"<cbc:CustomizationID>{customization}</cbc:CustomizationID>"
        f"<cbc:ID>{number}</cbc:ID><cbc:IssueDate>{issue}</cbc:IssueDate>"
        + (f"<cbc:DueDate>{due}</cbc:DueDate>" if due else "")
        + type_el
        + (f"<cbc:DocumentCurrencyCode>{currency}</cbc:DocumentCurrencyCode>" if currency else "")
        + ref
        + "<cac:AccountingSupplierParty><cac:Party><cac:PartyLegalEntity><cbc:RegistrationName>Seller AG"
        "</cbc:RegistrationName></cac:PartyLegalEntity></cac:Party></cac:AccountingSupplierParty>"
        f"<cac:AccountingCustomerParty>{_party_ubl(buyer, vat, legal, country, email, contact)}"
        "</cac:AccountingCustomerParty>"
        + (
            "<cac:PaymentTerms><cbc:Note>30 days net</cbc:Note></cac:PaymentTerms>"
            if due is None and customization
            else ""
        )
        + f"<cac:TaxTotal><cbc:TaxAmount{ccy_attr}>{tax}</cbc:TaxAmount></cac:TaxTotal>"
        "<cac:LegalMonetaryTotal>"
        f"<cbc:LineExtensionAmount{ccy_attr}>{line}</cbc:LineExtensionAmount>"
        f"<cbc:TaxExclusiveAmount{ccy_attr}>{line}</cbc:TaxExclusiveAmount>"
        f"<cbc:TaxInclusiveAmount{ccy_attr}>{with_tax}</cbc:TaxInclusiveAmount>"
        + (f"<cbc:PrepaidAmount{ccy_attr}>{prepaid}</cbc:PrepaidAmount>" if prepaid else "")
        + f"<cbc:PayableAmount{ccy_attr}>{due_amount}</cbc:PayableAmount></cac:LegalMonetaryTotal>"
        f"<cac:{line_el}><cbc:ID>1</cbc:ID>"
        f"<cbc:LineExtensionAmount{ccy_attr}>{line}</cbc:LineExtensionAmount></cac:{line_el}>"
        f"</{root}>"
    ).encode()


def cii(
    *,
    number: str = "INV-1",
    type_code: str = "380",
    issue: str = "20261001",
    due: str | None = "20261031",
    currency: str = "EUR",
    line: str = "100.00",
    tax: str = "19.00",
    prepaid: str | None = None,
    payable: str | None = None,
    buyer: str = "Acme GmbH",
    vat: str = ACME_VAT,
    legal: str = "",
    country: str = "DE",
    email: str = "ap@acme.example",
    reference: str = "",
    profile: str = "urn:cen.eu:en16931:2017",
    seller_country: str = "DE",
    summation: bool = True,
) -> bytes:
    """A CII (Factur-X / ZUGFeRD 2 / EN 16931) invoice; ``summation=False`` leaves only the amount due."""
    with_tax = Decimal(line) + Decimal(tax)
    due_amount = payable if payable is not None else str(with_tax - Decimal(prepaid or "0"))
    totals = (
        f"<ram:LineTotalAmount>{line}</ram:LineTotalAmount><ram:TaxBasisTotalAmount>{line}</ram:TaxBasisTotalAmount>"
        f'<ram:TaxTotalAmount currencyID="{currency}">{tax}</ram:TaxTotalAmount>'
        f"<ram:GrandTotalAmount>{with_tax}</ram:GrandTotalAmount>"
        + (f"<ram:TotalPrepaidAmount>{prepaid}</ram:TotalPrepaidAmount>" if prepaid else "")
        if summation
        else ""
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" '
        'xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100" '
        'xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">'
        "<rsm:ExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContextParameter>"
        f"<ram:ID>{profile}</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter></rsm:ExchangedDocumentContext>"
        f"<rsm:ExchangedDocument><ram:ID>{number}</ram:ID><ram:TypeCode>{type_code}</ram:TypeCode>"
        f'<ram:IssueDateTime><udt:DateTimeString format="102">{issue}</udt:DateTimeString>'
        "</ram:IssueDateTime>"
        "</rsm:ExchangedDocument><rsm:SupplyChainTradeTransaction><ram:ApplicableHeaderTradeAgreement>"
        "<ram:SellerTradeParty><ram:Name>Seller AG</ram:Name><ram:PostalTradeAddress>"
        f"<ram:CountryID>{seller_country}</ram:CountryID></ram:PostalTradeAddress></ram:SellerTradeParty>"
        f"<ram:BuyerTradeParty><ram:Name>{buyer}</ram:Name>"
        + (
            f"<ram:SpecifiedLegalOrganization><ram:ID>{legal}</ram:ID></ram:SpecifiedLegalOrganization>"
            if legal
            else ""
        )
        + (
            "<ram:DefinedTradeContact><ram:PersonName>Petra Klein</ram:PersonName>"
            f"<ram:EmailURIUniversalCommunication><ram:URIID>{email}</ram:URIID></ram:EmailURIUniversalCommunication>"
            "</ram:DefinedTradeContact>"
            if email
            else ""
        )
        + "<ram:PostalTradeAddress><ram:PostcodeCode>10115</ram:PostcodeCode>"
        "<ram:LineOne>Hauptstr. 1</ram:LineOne>"
        f"<ram:CityName>Berlin</ram:CityName><ram:CountryID>{country}</ram:CountryID></ram:PostalTradeAddress>"
        + (
            f'<ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">{vat}</ram:ID>'
            "</ram:SpecifiedTaxRegistration>"
            if vat
            else ""
        )
        + "</ram:BuyerTradeParty></ram:ApplicableHeaderTradeAgreement><ram:ApplicableHeaderTradeDelivery/>"
        f"<ram:ApplicableHeaderTradeSettlement><ram:InvoiceCurrencyCode>{currency}</ram:InvoiceCurrencyCode>"
        + (
            "<ram:SpecifiedTradePaymentTerms><ram:DueDateDateTime>"
            f'<udt:DateTimeString format="102">{due}</udt:DateTimeString></ram:DueDateDateTime>'
            "</ram:SpecifiedTradePaymentTerms>"
            if due
            else "<ram:SpecifiedTradePaymentTerms><ram:Description>30 days net</ram:Description>"
            "</ram:SpecifiedTradePaymentTerms>"
        )
        + f"<ram:SpecifiedTradeSettlementHeaderMonetarySummation>{totals}"
        f"<ram:DuePayableAmount>{due_amount}</ram:DuePayableAmount>"
        "</ram:SpecifiedTradeSettlementHeaderMonetarySummation>"
        + (
            f"<ram:InvoiceReferencedDocument><ram:IssuerAssignedID>{reference}</ram:IssuerAssignedID>"
            "</ram:InvoiceReferencedDocument>"
            if reference
            else ""
        )
        + "</ram:ApplicableHeaderTradeSettlement></rsm:SupplyChainTradeTransaction>"
        "</rsm:CrossIndustryInvoice>"
    ).encode()


def facturx_pdf(xml: bytes | None, name: str = "factur-x.xml") -> bytes:
    """A one-page PDF carrying ``xml`` as an embedded file (none when ``xml`` is None)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if xml is not None:
        writer.add_attachment(name, xml)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
