"""Which bank statement format a file is, told by its content (never by its name), and the
reader for it: MT940/MT942, ISO 20022 camt.052/053/054, OFX/QFX."""

from __future__ import annotations

import re
from collections.abc import Callable

from lxml import etree

from recoup.adapters.formats.camt import kind_of, read_camt
from recoup.adapters.formats.mt940 import read_mt940
from recoup.adapters.formats.ofx import looks_like_ofx, read_ofx
from recoup.adapters.formats.statement_common import decode_text, rejected
from recoup.domain.statements import Statement

FORMATS = "MT940/MT942, CAMT.052/.053/.054 or OFX/QFX"
_MT940 = re.compile(r"(?m)^:(20|25|28C?|60[FM]|61|86|NS):|\{1:F01[A-Z0-9]+\}\{2:[IO]94[02]")
_READERS: dict[str, Callable[[bytes, str], Statement]] = {
    "mt940": read_mt940,
    "camt": read_camt,
    "ofx": read_ofx,
}


def statement_format(data: bytes) -> str | None:
    """'mt940', 'camt', 'ofx', or None when the content is none of them."""
    head = decode_text(data[:65536]).lstrip("\ufeff \t\r\n")
    if looks_like_ofx(head):
        return "ofx"
    if head.startswith("<"):
        return "camt" if kind_of(data) else None
    if _MT940.search(head):
        return "mt940"
    return None


def read_statement(data: bytes, source: str) -> Statement:
    """The statement in ``data`` read by the reader of its format; a file of no known format is
    refused with what it looks like instead."""
    if not data.strip():
        raise rejected(source, [f"{source}: the file is empty (expected {FORMATS})"])
    kind = statement_format(data)
    if kind is None:
        raise rejected(source, [f"{source}: {_what(data)}, not a bank statement (expected {FORMATS})"])
    return _READERS[kind](data, source)


def _what(data: bytes) -> str:
    head = decode_text(data[:65536]).lstrip("\ufeff \t\r\n")
    if head.startswith("<"):
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, recover=False)
        try:
            root = etree.fromstring(data, parser)
        except (etree.XMLSyntaxError, ValueError):
            return "markup that is not well-formed XML"
        child = next((c for c in root if isinstance(c.tag, str)), None)
        document = etree.QName(root).localname == "Document" and child is not None
        inner = f" holding <{etree.QName(child).localname}>" if document and child is not None else ""
        namespace = etree.QName(root).namespace
        return f"an XML document <{etree.QName(root).localname}>{inner}" + (
            f" ({namespace})" if namespace else ""
        )
    first = next((line.strip() for line in head.splitlines() if line.strip()), "")
    return f"a text file starting {first[:40]!r}"
