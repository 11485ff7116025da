"""Reading UN/CEFACT CII invoices: EN 16931 CII, XRechnung CII, Factur-X / ZUGFeRD 2.x and ZUGFeRD 1.0.

Two dialects: the CrossIndustryInvoice D16B of EN 16931, Factur-X and
ZUGFeRD 2.x, and the older CrossIndustryDocument of ZUGFeRD 1.0, which names
the same things a little differently. A document whose type code is not an
invoice or credit note is refused, saying what it is. The Factur-X MINIMUM
profile has no prepaid amount, so there the amount due may be below the
total; a MINIMUM or BASIC WL document from a German seller is refused: in
Germany those profiles are booking aids, not invoices.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from recoup.adapters.formats.conformance import check_exemption_codes, check_xrechnung
from recoup.adapters.formats.einvoice import (
    Buyer,
    DocumentKind,
    EInvoice,
    Read,
    Reader,
    Totals,
    address,
    check_totals,
    email_of,
    finish,
    kind_of,
)
from recoup.domain.errors import ImportRejectedError
from recoup.domain.money import Money

_STD = "urn:un:unece:uncefact:data:standard:"


@dataclass(frozen=True, slots=True)
class Dialect:
    syntax: str
    root: str
    ns: dict[str, str]
    context: str
    document: str
    trade: str
    agreement: str
    settlement: str
    summation: str
    line_total: str


D16B = Dialect(
    syntax="CII",
    root="CrossIndustryInvoice",
    ns={
        "rsm": _STD + "CrossIndustryInvoice:100",
        "ram": _STD + "ReusableAggregateBusinessInformationEntity:100",
        "udt": _STD + "UnqualifiedDataType:100",
    },
    context="rsm:ExchangedDocumentContext",
    document="rsm:ExchangedDocument",
    trade="rsm:SupplyChainTradeTransaction",
    agreement="ram:ApplicableHeaderTradeAgreement",
    settlement="ram:ApplicableHeaderTradeSettlement",
    summation="ram:SpecifiedTradeSettlementHeaderMonetarySummation",
    line_total="ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation",
)
ZUGFERD1 = Dialect(
    syntax="ZUGFeRD 1.0 CII",
    root="CrossIndustryDocument",
    ns={
        "rsm": "urn:ferd:CrossIndustryDocument:invoice:1p0",
        "ram": _STD + "ReusableAggregateBusinessInformationEntity:12",
        "udt": _STD + "UnqualifiedDataType:15",
    },
    context="rsm:SpecifiedExchangedDocumentContext",
    document="rsm:HeaderExchangedDocument",
    trade="rsm:SpecifiedSupplyChainTradeTransaction",
    agreement="ram:ApplicableSupplyChainTradeAgreement",
    settlement="ram:ApplicableSupplyChainTradeSettlement",
    summation="ram:SpecifiedTradeSettlementMonetarySummation",
    line_total="ram:SpecifiedSupplyChainTradeSettlement/ram:SpecifiedTradeSettlementMonetarySummation",
)
DIALECTS = {d.ns["rsm"]: d for d in (D16B, ZUGFERD1)}
MINIMUM = ("urn:factur-x.eu:1p0:minimum", "urn:zugferd.de:2p0:minimum")
BOOKING_AIDS = (*MINIMUM, "urn:factur-x.eu:1p0:basicwl", "urn:zugferd.de:2p0:basicwl")
TOTAL_NAMES = {
    "line_total": "LineTotalAmount",
    "allowances": "AllowanceTotalAmount",
    "charges": "ChargeTotalAmount",
    "without_tax": "TaxBasisTotalAmount",
    "tax": "TaxTotalAmount",
    "with_tax": "GrandTotalAmount",
    "prepaid": "TotalPrepaidAmount",
    "rounding": "RoundingAmount",
}


def is_cii(root: etree._Element) -> bool:
    namespace = etree.QName(root).namespace or ""
    return namespace in DIALECTS or namespace.startswith(_STD) or namespace.startswith("urn:ferd:")


def parse_cii(root: etree._Element, file: str) -> EInvoice:
    """The invoice or credit note in a parsed CII document; refused with every problem found."""
    qname = etree.QName(root)
    d = DIALECTS.get(qname.namespace or "")
    if d is None or qname.localname != d.root:
        expected = " or ".join(f"rsm:{x.root}" for x in DIALECTS.values())
        shown = f"{root.prefix}:{qname.localname}" if root.prefix else qname.localname
        raise ImportRejectedError(
            [
                f"{file}, line {root.sourceline}: the root element {shown} "
                f"({qname.namespace or 'no namespace'}) is not {expected}: not a CII invoice"
            ]
        )
    r = Reader(root, file, d.ns)
    settlement = f"{d.trade}/{d.settlement}"
    code = r.text(f"{d.document}/ram:TypeCode")
    kind = kind_of(code, file, d.syntax) if code else DocumentKind.INVOICE
    if not code:
        r.problem(f"{d.document}/ram:TypeCode", "missing: the type code (BT-3) is required")
    number = r.required(f"{d.document}/ram:ID", "the document number (BT-1)")
    issue_path = f"{d.document}/ram:IssueDateTime/udt:DateTimeString"
    issue_el = r.find(issue_path)
    if issue_el is None:
        r.problem(issue_path, "missing: the issue date (BT-2) is required")
    issued = r.date(issue_el, "the issue date")
    payable_path = f"{settlement}/{d.summation}/ram:DuePayableAmount"
    payable_el = r.find(payable_path)
    currency = _currency(r, settlement, payable_el)
    if payable_el is None:
        r.problem(payable_path, "missing: the amount due (BT-115) is required")
    profile = r.text(f"{d.context}/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID")
    payable = None
    if currency and payable_el is not None:
        payable = r.money(payable_el, currency, "the amount due")
        if payable is not None:
            _check_totals(r, f"{settlement}/{d.summation}", payable_el, payable, profile)
        for line in r.all(f"{d.trade}/ram:IncludedSupplyChainTradeLineItem"):
            line_id = r.text("ram:AssociatedDocumentLineDocument/ram:LineID", line) or "?"
            label = f"line {line_id} net amount (BT-131)"
            for el in r.all(f"{d.line_total}/ram:LineTotalAmount", line):
                r.money(el, currency, label)
    _check_profile(r, d, profile)
    check_exemption_codes(r, profile, r.all(f"{settlement}/ram:ApplicableTradeTax/ram:ExemptionReasonCode"))
    check_xrechnung(
        r,
        profile,
        seller_contact=f"{d.trade}/{d.agreement}/ram:SellerTradeParty/ram:DefinedTradeContact",
        buyer_reference=f"{d.trade}/{d.agreement}/ram:BuyerReference",
    )
    terms = f"{settlement}/ram:SpecifiedTradePaymentTerms"
    due = [r.date(el, "the due date") for el in r.all(f"{terms}/ram:DueDateDateTime/udt:DateTimeString")]
    return finish(
        r,
        Read(
            syntax=d.syntax,
            number=number,
            kind=kind,
            type_code=code,
            issue_date=issued,
            due_dates=[x for x in due if x is not None],
            payable=payable,
            buyer=_buyer(r, f"{d.trade}/{d.agreement}/ram:BuyerTradeParty"),
            buyer_path=f"{d.trade}/{d.agreement}/ram:BuyerTradeParty/ram:Name",
            invoice_reference=r.text(f"{settlement}/ram:InvoiceReferencedDocument/ram:IssuerAssignedID"),
            profile=profile,
            has_payment_terms=r.find(terms) is not None,
        ),
    )


def _currency(r: Reader, settlement: str, payable: etree._Element | None) -> str:
    declared = r.find(f"{settlement}/ram:InvoiceCurrencyCode")
    if declared is not None:
        return r.currency(declared, "the invoice currency (BT-5)")
    if payable is not None and payable.get("currencyID"):
        return r.currency(payable, "the amount due's currencyID", attribute="currencyID")
    r.problem(
        f"{settlement}/ram:InvoiceCurrencyCode",
        "missing, and the amount due has no currencyID either: the currency (BT-5) is required",
    )
    return ""


def _check_totals(
    r: Reader, summation: str, payable_el: etree._Element, payable: Money, profile: str
) -> None:
    currency = payable.currency

    def amount(name: str) -> tuple[Money, etree._Element] | None:
        el = r.find(f"{summation}/ram:{name}")
        money = r.money(el, currency, name)
        return (money, el) if money is not None and el is not None else None

    taxes = []
    for el in r.all(f"{summation}/ram:TaxTotalAmount"):
        # a second TaxTotalAmount may be in the tax currency (BT-111): only the invoice currency's counts
        if (el.get("currencyID") or currency).strip() == currency:
            money = r.money(el, currency, "TaxTotalAmount")
            if money is not None:
                taxes.append((money, el))
    totals = Totals(
        line_total=amount("LineTotalAmount"),
        allowances=amount("AllowanceTotalAmount"),
        charges=amount("ChargeTotalAmount"),
        without_tax=amount("TaxBasisTotalAmount"),
        tax=taxes,
        with_tax=amount("GrandTotalAmount"),
        prepaid=amount("TotalPrepaidAmount"),
        rounding=amount("RoundingAmount"),
        payable=(payable, payable_el),
    )
    minimum = profile.strip().lower() in MINIMUM
    required = "en16931" in profile.lower()
    check_totals(r, totals, TOTAL_NAMES, prepaid_optional=minimum, required=required)


def _check_profile(r: Reader, d: Dialect, profile: str) -> None:
    seller = r.text(f"{d.trade}/{d.agreement}/ram:SellerTradeParty/ram:PostalTradeAddress/ram:CountryID")
    if profile.strip().lower() in BOOKING_AIDS and seller.upper() == "DE":
        r.problem(
            f"{d.context}/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID",
            f"profile {profile} from a German seller: in Germany the MINIMUM and BASIC WL profiles are "
            "only booking aids (type code 751), not invoices; ask for an EN 16931 (COMFORT) or a richer "
            "profile",
        )
    if d is D16B and profile.startswith("urn:ferd:"):
        r.deviations.append(
            f"the profile (BT-24) {profile} names ZUGFeRD 1.0, but this is a CII 2 CrossIndustryInvoice "
            "(ZUGFeRD 1.0 is a CrossIndustryDocument): read as EN 16931"
        )


def _buyer(r: Reader, path: str) -> Buyer | None:
    party = r.find(path)
    if party is None:
        return None
    name = r.text("ram:Name", party)
    trading = r.text("ram:SpecifiedLegalOrganization/ram:TradingBusinessName", party)
    place = r.find("ram:PostalTradeAddress", party)
    lines: list[str] = []
    if place is not None:
        lines = [r.text(f"ram:{x}", place) for x in ("LineOne", "LineTwo", "LineThree")]
        lines.append(f"{r.text('ram:PostcodeCode', place)} {r.text('ram:CityName', place)}".strip())
        lines.append(r.text("ram:CountrySubDivisionName", place))
    return Buyer(
        name=name,
        trading_name=trading if trading != name else "",
        tax_id=r.text("ram:SpecifiedTaxRegistration/ram:ID[normalize-space(@schemeID)='VA']", party)
        or r.text("ram:SpecifiedTaxRegistration/ram:ID", party),
        legal_id=r.text("ram:SpecifiedLegalOrganization/ram:ID", party),
        country=r.text("ram:PostalTradeAddress/ram:CountryID", party).upper(),
        email=email_of(
            r,
            r.text("ram:DefinedTradeContact/ram:EmailURIUniversalCommunication/ram:URIID", party),
            r.text("ram:URIUniversalCommunication/ram:URIID[normalize-space(@schemeID)='EM']", party),
        ),
        contact=r.text("ram:DefinedTradeContact/ram:PersonName", party),
        address=address(*lines),
    )


__all__ = ["D16B", "ZUGFERD1", "is_cii", "parse_cii"]
