"""Telling invoice files apart by content, and reading the XML inside a Factur-X PDF."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from einvoice_samples import cii, facturx_pdf, ubl
from recoup.adapters.formats.detect import Format, detect, detect_file, read_einvoice
from recoup.domain.errors import ImportRejectedError
from recoup.domain.money import Money


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["number", "customer_id", "issue_date", "amount"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "expected", "detail"),
    [
        (b"number,customer_id,issue_date,amount\nINV-1,ACME,2026-10-01,10.00\n", Format.CSV, "CSV table"),
        (b"\xef\xbb\xbfnumber;customer_id;issue_date;amount\n", Format.CSV, "CSV table"),
        (b"number\tcustomer_id\n", Format.CSV, "CSV table"),
        (ubl(), Format.UBL, "UBL Invoice"),
        (ubl(root="Reminder"), Format.UBL, "UBL Reminder"),
        (cii(), Format.CII, "CII CrossIndustryInvoice"),
        (b"\xef\xbb\xbf" + cii(), Format.CII, "CII CrossIndustryInvoice"),
        (b"<?xml version='1.0'?><dummy/>", Format.XML, "XML with root <dummy>"),
        (b"\n<<dummy/>", Format.XML, "XML that is not well-formed"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", Format.PDF, "PDF"),
        (
            b"PK\x03\x04" + b"\x00" * 26 + b"word/document.xml",
            Format.UNKNOWN,
            "a ZIP archive that is not an XLSX",
        ),
        (b"Bad XML", Format.UNKNOWN, "it starts 'Bad XML'"),
        (b"", Format.UNKNOWN, "neither a table, XML nor a PDF"),
    ],
)
def test_the_format_is_told_by_content(data: bytes, expected: Format, detail: str) -> None:
    found = detect(data)
    assert found.format is expected
    assert detail in found.detail


def test_an_xlsx_workbook_is_told_by_content_whatever_its_name(tmp_path: Path) -> None:
    path = tmp_path / "invoices.xml"  # a misleading name
    path.write_bytes(xlsx_bytes())
    assert detect_file(path).format is Format.XLSX


def test_a_ubl_file_named_csv_is_still_ubl(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(ubl())
    assert detect_file(path).format is Format.UBL


def test_the_root_is_found_after_a_long_leading_comment() -> None:
    data = b"<?xml version='1.0'?><!--" + b"x" * 200_000 + b"-->" + cii()[cii().index(b"<rsm:") :]
    assert detect(data).format is Format.CII


def test_a_factur_x_pdf_is_read_from_its_embedded_xml() -> None:
    doc = read_einvoice(facturx_pdf(cii(number="FX-1")), "invoice.pdf")
    assert (doc.number, doc.amount, doc.file, doc.syntax) == (
        "FX-1",
        Money("119.00", "EUR"),
        "invoice.pdf (factur-x.xml)",
        "PDF with CII",
    )


@pytest.mark.parametrize("name", ["zugferd-invoice.xml", "ZUGFeRD-invoice.xml", "xrechnung.xml"])
def test_zugferd_and_xrechnung_pdfs_carry_their_xml_under_other_names(name: str) -> None:
    assert read_einvoice(facturx_pdf(ubl(), name=name), "x.pdf").number == "INV-1"


def test_a_pdf_without_an_embedded_invoice_is_refused_as_a_plain_pdf() -> None:
    with pytest.raises(ImportRejectedError) as caught:
        read_einvoice(facturx_pdf(None), "scan.pdf")
    assert "scan.pdf: a PDF without an embedded e-invoice (no embedded files)" in caught.value.problems[0]


def test_a_pdf_with_other_attachments_names_them() -> None:
    with pytest.raises(ImportRejectedError) as caught:
        read_einvoice(facturx_pdf(b"hello", name="notes.txt"), "x.pdf")
    assert "(notes.txt)" in caught.value.problems[0]


def test_a_damaged_pdf_is_refused_as_unreadable() -> None:
    with pytest.raises(ImportRejectedError) as caught:
        read_einvoice(b"%PDF-1.7\n" + b"\x00garbage" * 50, "broken.pdf")
    assert caught.value.problems[0].startswith("broken.pdf: ")


def test_a_pdf_whose_embedded_xml_is_broken_is_refused_naming_both_files() -> None:
    with pytest.raises(ImportRejectedError) as caught:
        read_einvoice(facturx_pdf(b"<rsm:CrossIndustryInvoice"), "fx.pdf")
    assert caught.value.problems[0].startswith("fx.pdf (factur-x.xml): not well-formed XML")


def test_a_file_that_is_no_e_invoice_is_refused_saying_what_it_looks_like() -> None:
    with pytest.raises(ImportRejectedError) as caught:
        read_einvoice(b"Bad XML", "bad.xml")
    assert caught.value.problems == [
        "bad.xml: neither a table, XML nor a PDF (it starts 'Bad XML'); an e-invoice is UBL or CII XML, "
        "or a Factur-X PDF"
    ]


def test_xml_that_is_neither_ubl_nor_cii_is_refused_naming_its_root() -> None:
    with pytest.raises(ImportRejectedError) as caught:
        read_einvoice(b"<?xml version='1.0'?>\n<dummy/>", "d.xml")
    assert "d.xml, line 2: the root element <dummy> is neither UBL" in caught.value.problems[0]


def test_an_undeclared_namespace_prefix_is_malformed_xml_and_refused_as_such() -> None:
    data = b'<?xml version="1.0"?><rsm:CrossIndustryInvoice mlns:rsm="urn:x"/>'
    assert detect(data).format is Format.XML
    with pytest.raises(ImportRejectedError) as caught:
        read_einvoice(data, "n.xml")
    assert "n.xml: not well-formed XML: Namespace prefix" in caught.value.problems[0]
