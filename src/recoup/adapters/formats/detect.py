"""Which kind of invoice file this is, told by its content, never by its name.

CSV and XLSX tables go to the table importer; UBL and CII XML, and PDFs
(Factur-X / ZUGFeRD carry the XML inside), go to the e-invoice readers.
``read_einvoice`` reads any of the e-invoice kinds into an ``EInvoice``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from lxml import etree

from recoup.adapters.formats import facturx
from recoup.adapters.formats.cii import is_cii, parse_cii
from recoup.adapters.formats.einvoice import EInvoice, name_of, parse_xml
from recoup.adapters.formats.ubl import is_ubl, parse_ubl
from recoup.domain.errors import ImportRejectedError


class Format(StrEnum):
    CSV = "CSV"
    XLSX = "XLSX"
    UBL = "UBL"
    CII = "CII"
    PDF = "PDF"
    XML = "XML"  # XML that is neither UBL nor CII, or not well-formed
    UNKNOWN = "unknown"

    @property
    def is_einvoice(self) -> bool:
        return self in (Format.UBL, Format.CII, Format.PDF, Format.XML)


@dataclass(frozen=True, slots=True)
class Detected:
    """The format and, in words, what was seen ('UBL Invoice', 'XML root <dummy>', ...)."""

    format: Format
    detail: str


_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_HEAD = 65536


def detect(data: bytes) -> Detected:
    """Tell CSV, XLSX, UBL, CII and PDF apart by their first bytes."""
    head = data[:_HEAD]
    if head.startswith(b"PK\x03\x04"):
        if b"xl/" in head:  # the zip's local headers name its parts in clear
            return Detected(Format.XLSX, "XLSX workbook")
        return Detected(Format.UNKNOWN, "a ZIP archive that is not an XLSX workbook")
    if b"%PDF-" in head[:1024]:
        return Detected(Format.PDF, "PDF")
    stripped = head
    for bom in _BOMS:
        stripped = stripped.removeprefix(bom)
    if stripped.lstrip(b" \t\r\n").startswith(b"<") or _utf16_xml(head):
        return _xml_kind(data)
    return _text_kind(stripped)


def _utf16_xml(head: bytes) -> bool:
    return head[:4] in (b"<\x00?\x00", b"\x00<\x00?") or head[:2] in (b"\xff\xfe", b"\xfe\xff")


def _xml_kind(data: bytes) -> Detected:
    """The root element, read with a pull parser that stops at the first element."""
    parser = etree.XMLPullParser(
        events=("start",), resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    root = None
    try:
        for start in range(0, len(data), _HEAD):
            parser.feed(data[start : start + _HEAD])
            for _, element in parser.read_events():
                root = element
                break
            if root is not None:
                break
    except (etree.XMLSyntaxError, ValueError, LookupError):
        pass
    if root is None or not isinstance(root.tag, str) or ":" in root.tag.rpartition("}")[2]:
        return Detected(Format.XML, "XML that is not well-formed")  # ':' left in a tag: an undeclared prefix
    kind = etree.QName(root).localname
    if is_ubl(root):
        return Detected(Format.UBL, f"UBL {kind}")
    if is_cii(root):
        return Detected(Format.CII, f"CII {kind}")
    return Detected(Format.XML, f"XML with root <{name_of(root)}>")


def _text_kind(head: bytes) -> Detected:
    text = head[:4096].decode("utf-8", errors="replace")
    first = text.splitlines()[0] if text.strip() else ""
    if any(sep in first for sep in (",", ";", "\t")) and "\ufffd" not in first and "\x00" not in first:
        return Detected(Format.CSV, "CSV table")
    shown = first[:40].encode("ascii", "backslashreplace").decode()
    return Detected(Format.UNKNOWN, f"neither a table, XML nor a PDF (it starts {shown!r})")


def detect_file(path: Path) -> Detected:
    return detect(path.read_bytes())


def read_einvoice(data: bytes, file: str) -> EInvoice:
    """The invoice or credit note in a UBL or CII file or a Factur-X / ZUGFeRD PDF; else refused."""
    found = detect(data)
    if found.format is Format.PDF:
        name, xml = facturx.embedded_xml(data, file)
        doc = _read_xml(xml, f"{file} ({name})")
        return dataclasses.replace(doc, syntax=f"PDF with {doc.syntax}")
    if found.format.is_einvoice:
        return _read_xml(data, file)
    raise ImportRejectedError([f"{file}: {found.detail}; an e-invoice is UBL or CII XML, or a Factur-X PDF"])


def _read_xml(data: bytes, file: str) -> EInvoice:
    root = parse_xml(data, file)
    if is_ubl(root):
        return parse_ubl(root, file)
    if is_cii(root):
        return parse_cii(root, file)
    raise ImportRejectedError(
        [
            f"{file}, line {root.sourceline}: the root element <{name_of(root)}> is neither UBL "
            "(Invoice, CreditNote...) nor CII (CrossIndustryInvoice): not an e-invoice"
        ]
    )
