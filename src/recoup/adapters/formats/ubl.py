"""Reading UBL 2.x invoices and credit notes: OASIS UBL 2.1, EN 16931 UBL, Peppol BIS Billing 3.0, XRechnung.

Invoice, CreditNote, DebitNote, FreightInvoice and the self-billed documents
are read; any other UBL document (Reminder, Statement, RemittanceAdvice,
Order...) is refused with a message saying what it is. Paths follow the
EN 16931 UBL binding; the amount due is the PayableAmount of the monetary
total (the RequestedMonetaryTotal of a DebitNote).
"""

from __future__ import annotations

import datetime as dt

from lxml import etree

from recoup.adapters.formats.conformance import check_exemption_codes, check_xrechnung
from recoup.adapters.formats.einvoice import (
    Buyer,
    EInvoice,
    NotAnInvoiceError,
    Read,
    Reader,
    Totals,
    address,
    check_totals,
    clean,
    email_of,
    finish,
    kind_of,
)
from recoup.domain.errors import ImportRejectedError
from recoup.domain.money import Money

UBL = "urn:oasis:names:specification:ubl:schema:xsd:"
CAC = UBL + "CommonAggregateComponents-2"
CBC = UBL + "CommonBasicComponents-2"

# root -> (type code when absent, type code element, monetary total, line)
DOCUMENTS = {
    "Invoice": ("380", "cbc:InvoiceTypeCode", "cac:LegalMonetaryTotal", "cac:InvoiceLine"),
    "CreditNote": ("381", "cbc:CreditNoteTypeCode", "cac:LegalMonetaryTotal", "cac:CreditNoteLine"),
    "DebitNote": ("383", "cbc:DebitNoteTypeCode", "cac:RequestedMonetaryTotal", "cac:DebitNoteLine"),
    "FreightInvoice": ("780", "cbc:InvoiceTypeCode", "cac:LegalMonetaryTotal", "cac:InvoiceLine"),
    "SelfBilledInvoice": ("389", "cbc:InvoiceTypeCode", "cac:LegalMonetaryTotal", "cac:InvoiceLine"),
    "SelfBilledCreditNote": ("261", "cbc:CreditNoteTypeCode", "cac:LegalMonetaryTotal", "cac:CreditNoteLine"),
}
OTHERS = {
    "Reminder": "a UBL Reminder (a payment reminder sent to a customer)",
    "Statement": "a UBL Statement (a statement of account)",
    "RemittanceAdvice": "a UBL RemittanceAdvice (a payer's notice of what it paid)",
    "Order": "a UBL Order (a purchase order)",
    "OrderResponse": "a UBL OrderResponse (an answer to a purchase order)",
    "DespatchAdvice": "a UBL DespatchAdvice (a delivery note)",
    "ReceiptAdvice": "a UBL ReceiptAdvice (a goods receipt)",
    "ApplicationResponse": "a UBL ApplicationResponse (a status message about another document)",
    "Quotation": "a UBL Quotation",
    "Catalogue": "a UBL Catalogue",
}
TOTAL_NAMES = {
    "line_total": "LineExtensionAmount",
    "allowances": "AllowanceTotalAmount",
    "charges": "ChargeTotalAmount",
    "without_tax": "TaxExclusiveAmount",
    "tax": "TaxAmount",
    "with_tax": "TaxInclusiveAmount",
    "prepaid": "PrepaidAmount",
    "rounding": "PayableRoundingAmount",
}


def is_ubl(root: etree._Element) -> bool:
    return (etree.QName(root).namespace or "").startswith(UBL)


def parse_ubl(root: etree._Element, file: str) -> EInvoice:
    """The invoice or credit note in a parsed UBL document; refused with every problem found."""
    qname = etree.QName(root)
    if not is_ubl(root):
        raise ImportRejectedError([f"{file}: root element {qname.localname} is not in a UBL namespace"])
    doc = qname.localname
    if doc not in DOCUMENTS:
        raise NotAnInvoiceError(file, f"UBL {doc}", OTHERS.get(doc, f"a UBL {doc} document"))
    default_code, code_path, total_path, line_path = DOCUMENTS[doc]
    r = Reader(root, file, {"cac": CAC, "cbc": CBC})
    syntax = f"UBL {doc}"
    code = r.text(code_path) or default_code
    kind = kind_of(code, file, syntax)
    number = r.required("cbc:ID", "the document number (BT-1)")
    issue_el = r.find("cbc:IssueDate")
    if issue_el is None:
        r.problem("cbc:IssueDate", "missing: the issue date (BT-2) is required")
    issued = r.date(issue_el, "the issue date")
    total = r.find(total_path)
    payable_el = r.find("cbc:PayableAmount", total) if total is not None else None
    currency = _currency(r, payable_el)
    if payable_el is None:
        r.problem(f"{total_path}/cbc:PayableAmount", "missing: the amount due (BT-115) is required")
    profile = r.text("cbc:CustomizationID")
    payable = None
    if currency and total is not None and payable_el is not None:
        payable = r.money(payable_el, currency, "the amount due")
        if payable is not None:
            extension = "kosit:extension:xrechnung" in profile
            required = "en16931" in profile.lower()
            _check_totals(r, total, payable_el, payable, extension=extension, required=required)
        for line in r.all(line_path):
            label = f"line {r.text('cbc:ID', line) or '?'} net amount (BT-131)"
            r.money(r.find("cbc:LineExtensionAmount", line), currency, label)
    check_exemption_codes(
        r, profile, r.all("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:TaxExemptionReasonCode")
    )
    check_xrechnung(
        r,
        profile,
        seller_contact="cac:AccountingSupplierParty/cac:Party/cac:Contact",
        buyer_reference="cbc:BuyerReference",
    )
    return finish(
        r,
        Read(
            syntax=syntax,
            number=number,
            kind=kind,
            type_code=code,
            issue_date=issued,
            due_dates=_due_dates(r),
            payable=payable,
            buyer=_buyer(r),
            buyer_path="cac:AccountingCustomerParty/cac:Party",
            invoice_reference=r.text("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID"),
            profile=profile,
            has_payment_terms=r.find("cac:PaymentTerms") is not None,
        ),
    )


def _currency(r: Reader, payable: etree._Element | None) -> str:
    """BT-5; a UBL amount always names its currency, so a document without BT-5 uses the amount's."""
    declared = r.find("cbc:DocumentCurrencyCode")
    if declared is not None:
        return r.currency(declared, "the document currency (BT-5)")
    if payable is not None and payable.get("currencyID"):
        return r.currency(payable, "the amount due's currencyID", attribute="currencyID")
    r.problem(
        "cbc:DocumentCurrencyCode",
        "missing, and the amount due has no currencyID either: the currency (BT-5) is required",
    )
    return ""


def _check_totals(
    r: Reader,
    total: etree._Element,
    payable_el: etree._Element,
    payable: Money,
    *,
    extension: bool,
    required: bool,
) -> None:
    currency = payable.currency

    def amount(name: str) -> tuple[Money, etree._Element] | None:
        el = r.find(f"cbc:{name}", total)
        money = r.money(el, currency, name)
        return (money, el) if money is not None and el is not None else None

    taxes = []
    for el in r.all("cac:TaxTotal/cbc:TaxAmount"):
        # a second TaxTotal may be in the tax currency (BT-111): only the document currency's counts
        if (el.get("currencyID") or currency).strip() == currency:
            money = r.money(el, currency, "the tax total")
            if money is not None:
                taxes.append((money, el))
    totals = Totals(
        line_total=amount("LineExtensionAmount"),
        allowances=amount("AllowanceTotalAmount"),
        charges=amount("ChargeTotalAmount"),
        without_tax=amount("TaxExclusiveAmount"),
        tax=taxes,
        with_tax=amount("TaxInclusiveAmount"),
        prepaid=amount("PrepaidAmount"),
        rounding=amount("PayableRoundingAmount"),
        payable=(payable, payable_el),
    )
    third_party = None
    if extension:  # XRechnung's third-party payments (BG-DEX-09) are added to the amount due
        paid = [
            r.money(el, currency, "a third-party payment")
            for el in r.all("cac:PrepaidPayment/cbc:PaidAmount")
        ]
        third_party = sum((m for m in paid if m is not None), Money.zero(currency))
    check_totals(r, totals, TOTAL_NAMES, prepaid_optional=False, third_party=third_party, required=required)


def _due_dates(r: Reader) -> list[dt.date]:
    """BT-9 (cbc:DueDate), else the payment means' due dates, else the payment terms' (the latest counts)."""
    for path in ("cbc:DueDate", "cac:PaymentMeans/cbc:PaymentDueDate", "cac:PaymentTerms/cbc:PaymentDueDate"):
        found = [d for d in (r.date(el, "the due date") for el in r.all(path)) if d is not None]
        if found:
            return found
    return []


def _buyer(r: Reader) -> Buyer | None:
    party = r.find("cac:AccountingCustomerParty/cac:Party")
    if party is None:
        return None
    legal_name = r.text("cac:PartyLegalEntity/cbc:RegistrationName", party)
    trading = r.text("cac:PartyName/cbc:Name", party)
    name = legal_name or trading
    vat = r.text("cac:PartyTaxScheme[normalize-space(cac:TaxScheme/cbc:ID)='VAT']/cbc:CompanyID", party)
    place = r.find("cac:PostalAddress", party)
    lines: list[str] = []
    if place is not None:
        lines += [r.text("cbc:StreetName", place), r.text("cbc:AdditionalStreetName", place)]
        lines += [clean(el) for el in r.all("cac:AddressLine/cbc:Line", place)]
        lines.append(f"{r.text('cbc:PostalZone', place)} {r.text('cbc:CityName', place)}".strip())
        lines.append(r.text("cbc:CountrySubentity", place))
    return Buyer(
        name=name,
        trading_name=trading if trading != name else "",
        tax_id=vat or r.text("cac:PartyTaxScheme/cbc:CompanyID", party),
        legal_id=r.text("cac:PartyLegalEntity/cbc:CompanyID", party),
        country=r.text("cac:PostalAddress/cac:Country/cbc:IdentificationCode", party).upper(),
        email=email_of(
            r,
            r.text("cac:Contact/cbc:ElectronicMail", party),
            r.text("cbc:EndpointID[normalize-space(@schemeID)='EM']", party),
        ),
        contact=r.text("cac:Contact/cbc:Name", party),
        address=address(*lines),
    )
