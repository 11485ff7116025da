"""The XML invoice inside a Factur-X / ZUGFeRD PDF (PDF/A-3 with an embedded file).

Factur-X and ZUGFeRD 2.x embed ``factur-x.xml`` (ZUGFeRD 2.0 ``zugferd-invoice.xml``,
ZUGFeRD 1.0 ``ZUGFeRD-invoice.xml``, XRechnung ``xrechnung.xml``) in the PDF's
EmbeddedFiles; recoup reads that XML and ignores the printed pages. A PDF
without such a file is a picture of an invoice, which recoup cannot read.
"""

from __future__ import annotations

import io
import logging

from recoup.adapters.formats.einvoice import MAX_BYTES
from recoup.domain.errors import ImportRejectedError

EMBEDDED_NAMES = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml")


def embedded_xml(data: bytes, file: str) -> tuple[str, bytes]:
    """The name and bytes of the e-invoice embedded in a PDF; refused when there is none."""
    from pypdf import PdfReader

    if len(data) > MAX_BYTES:
        raise ImportRejectedError([f"{file}: {len(data):,} bytes is more than an e-invoice may be (50 MB)"])
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # damaged PDFs make pypdf warn on every object
    try:
        attachments = PdfReader(io.BytesIO(data), strict=False).attachments
        names = sorted(attachments)
        chosen = _choose(names)
        content = attachments[chosen][0] if chosen else b""
    # pypdf raises many kinds of exceptions on damaged files (its own, KeyError, ValueError,
    # TypeError, RecursionError...); on a file from outside every one means "not readable".
    except Exception as exc:
        raise ImportRejectedError([f"{file}: not a readable PDF ({type(exc).__name__}: {exc})"]) from None
    if not chosen:
        attached = ", ".join(names) if names else "no embedded files"
        raise ImportRejectedError(
            [
                f"{file}: a PDF without an embedded e-invoice ({attached}); a Factur-X or ZUGFeRD PDF "
                f"carries {' or '.join(EMBEDDED_NAMES)}; a plain PDF invoice cannot be read"
            ]
        )
    return chosen, bytes(content)


def _choose(names: list[str]) -> str:
    for wanted in EMBEDDED_NAMES:
        for name in names:
            if name.lower() == wanted:
                return name
    return ""
