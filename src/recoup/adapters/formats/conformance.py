"""EN 16931 and XRechnung rules beyond the amounts, for documents that claim them.

The amounts are checked in ``einvoice.check_totals``. Here are the rules of the
specification a document names in BT-24 that say whether it is what it claims:

- EN 16931 BR-CL-22: a VAT exemption reason code (BT-121) is a code of the VATEX
  list (``VATEX-EU-132-1A``, ``VATEX-FR-FRANCHISE``...), not words. OASIS UBL
  examples, which claim no EN 16931 specification, use other lists and are not held
  to it.
- XRechnung BR-DE-2 and BR-DE-15: an XRechnung names the seller's contact (BG-6) and
  the buyer reference (BT-10, the Leitweg-ID).

A departure that does not make the document unreadable or wrong in what it claims is a
*deviation*: the document is read, the deviation is reported with it, and
``import invoices --strict`` refuses it.
"""

from __future__ import annotations

import re

from lxml import etree

from recoup.adapters.formats.einvoice import Reader

VATEX = re.compile(r"VATEX-[A-Z]{2}-[A-Z0-9]+(?:-[A-Z0-9]+)*", re.IGNORECASE)


def claims_en16931(profile: str) -> bool:
    return "en16931" in profile.lower()


def claims_xrechnung(profile: str) -> bool:
    return "xrechnung" in profile.lower()


def check_exemption_codes(r: Reader, profile: str, codes: list[etree._Element]) -> None:
    """BR-CL-22 for documents that claim EN 16931; an empty element says nothing and passes."""
    if not claims_en16931(profile):
        return
    for el in codes:
        code = (el.text or "").strip()
        if code and not VATEX.fullmatch(code):
            r.problem(
                el,
                f"{code!r} is not a VAT exemption reason code of the VATEX list (EN 16931 BR-CL-22; "
                "e.g. VATEX-EU-132-1A): the document does not conform to the EN 16931 it claims",
            )


def check_xrechnung(r: Reader, profile: str, *, seller_contact: str, buyer_reference: str) -> None:
    """BR-DE-2 (seller contact) and BR-DE-15 (buyer reference) for a document that claims XRechnung."""
    if not claims_xrechnung(profile):
        return
    if r.find(seller_contact) is None:
        r.problem(
            seller_contact,
            "missing: an XRechnung names the seller's contact (BG-6, XRechnung BR-DE-2)",
        )
    if not r.text(buyer_reference):
        r.problem(
            buyer_reference,
            "missing: an XRechnung names the buyer reference (BT-10, the Leitweg-ID; XRechnung BR-DE-15)",
        )
