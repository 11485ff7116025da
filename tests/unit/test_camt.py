"""camt.052/053/054 of every version: each field of a credit, batches, what is left aside, and
documents refused (XXE included) with the element and line."""

from __future__ import annotations

import datetime as dt

import pytest

from recoup.adapters.formats.camt import read_camt
from recoup.adapters.formats.statement_detect import read_statement
from recoup.domain.errors import ImportRejectedError
from recoup.domain.money import Money
from recoup.domain.statements import rf_reference

RF = rf_reference("INV1002")


def camt053(
    entries: str, *, version: str = "02", account: str = "<IBAN>DE89370400440532013000</IBAN>"
) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version}">
 <BkToCstmrStmt>
  <GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-11-20T10:00:00</CreDtTm></GrpHdr>
  <Stmt>
   <Id>S1</Id>
   <Acct><Id>{account}</Id></Acct>
   {entries}
  </Stmt>
 </BkToCstmrStmt>
</Document>""".encode()


def entry(
    amount: str = "4500.50",
    mark: str = "CRDT",
    status: str = "<Sts>BOOK</Sts>",
    details: str = "",
    currency: str = "EUR",
) -> str:
    return f"""<Ntry>
    <Amt Ccy="{currency}">{amount}</Amt><CdtDbtInd>{mark}</CdtDbtInd>{status}
    <BookgDt><Dt>2026-11-20</Dt></BookgDt><ValDt><Dt>2026-11-21</Dt></ValDt>
    <AcctSvcrRef>BANK-1</AcctSvcrRef>
    {details}
   </Ntry>"""


CREDIT_V02 = entry(
    details=f"""<NtryDtls><TxDtls>
     <Refs><EndToEndId>E2E-77</EndToEndId></Refs>
     <RltdPties><Dbtr><Nm>Acme Maschinenbau GmbH</Nm></Dbtr>
      <DbtrAcct><Id><IBAN>DE02120300000000202051</IBAN></Id></DbtrAcct></RltdPties>
     <RmtInf><Ustrd>Rechnung INV-1002</Ustrd><Ustrd>und Zinsen</Ustrd>
      <Strd><CdtrRefInf><Ref>{RF}</Ref></CdtrRefInf></Strd></RmtInf>
    </TxDtls></NtryDtls>"""
)


def refused(data: bytes) -> list[str]:
    with pytest.raises(ImportRejectedError) as caught:
        read_camt(data, "bad.xml")
    return caught.value.problems


def test_a_credit_gives_dates_amount_payer_remittance_and_references() -> None:
    statement = read_camt(camt053(CREDIT_V02), "nov.xml")
    (line,) = statement.lines
    assert statement.format == "camt.053"
    assert line.account == "DE89370400440532013000"
    assert (line.booking_date, line.value_date) == (dt.date(2026, 11, 20), dt.date(2026, 11, 21))
    assert line.amount == Money("4500.50", "EUR")
    assert (line.counterparty_name, line.counterparty_iban) == (
        "Acme Maschinenbau GmbH",
        "DE02120300000000202051",
    )
    assert line.remittance == "Rechnung INV-1002 und Zinsen"
    assert line.creditor_reference == RF
    assert line.end_to_end_id == "E2E-77"
    assert line.bank_reference == "BANK-1"


@pytest.mark.parametrize("version", ["02", "03", "04", "05", "06", "07", "08", "09", "10"])
def test_every_version_reads_the_same_credit(version: str) -> None:
    new_layout = int(version) >= 8  # Dbtr/Pty/Nm and Sts/Cd from 001.08 on
    credit = CREDIT_V02.replace(
        "<Sts>BOOK</Sts>", "<Sts><Cd>BOOK</Cd></Sts>" if new_layout else "<Sts>BOOK</Sts>"
    )
    if new_layout:
        credit = credit.replace(
            "<Dbtr><Nm>Acme Maschinenbau GmbH</Nm></Dbtr>",
            "<Dbtr><Pty><Nm>Acme Maschinenbau GmbH</Nm></Pty></Dbtr>",
        )
    (line,) = read_camt(camt053(credit, version=version), "nov.xml").lines
    assert (line.amount, line.counterparty_name, line.creditor_reference) == (
        Money("4500.50", "EUR"),
        "Acme Maschinenbau GmbH",
        RF,
    )


def test_a_batch_with_amounts_per_transaction_gives_a_line_per_credit() -> None:
    batch = entry(
        amount="6.30",
        mark="DBIT",
        details="""<NtryDtls><TxDtls><Amt Ccy="CHF">3.10</Amt><CdtDbtInd>CRDT</CdtDbtInd>
          <RmtInf><Ustrd>INV-1</Ustrd></RmtInf></TxDtls>
          <TxDtls><Amt Ccy="CHF">3.20</Amt><CdtDbtInd>DBIT</CdtDbtInd></TxDtls></NtryDtls>""",
    )
    statement = read_camt(camt053(batch), "batch.xml")
    assert (statement.entries, statement.debits) == (2, 1)
    assert [(line.amount, line.remittance) for line in statement.lines] == [(Money("3.10", "CHF"), "INV-1")]


def test_pending_and_zero_entries_are_read_but_left_aside() -> None:
    statement = read_camt(
        camt053(entry(status="<Sts>PDNG</Sts>") + entry(amount="0.00") + entry(mark="DBIT")), "nov.xml"
    )
    assert (statement.entries, len(statement.lines), statement.debits) == (3, 0, 1)


def test_notprovided_end_to_end_ids_and_remittance_are_dropped() -> None:
    credit = entry(
        details="""<NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
        <RmtInf><Ustrd>NOTPROVIDED</Ustrd></RmtInf></TxDtls></NtryDtls>"""
    )
    (line,) = read_camt(camt053(credit), "nov.xml").lines
    assert (line.end_to_end_id, line.remittance) == ("", "")


def test_an_rf_reference_in_the_free_text_is_the_creditor_reference() -> None:
    rf = rf_reference("539007547034")
    spaced = " ".join(rf[i : i + 4] for i in range(0, len(rf), 4))
    credit = entry(
        details=f"<NtryDtls><TxDtls><RmtInf><Ustrd>Ref {spaced} thanks</Ustrd></RmtInf></TxDtls></NtryDtls>"
    )
    (line,) = read_camt(camt053(credit), "nov.xml").lines
    assert line.creditor_reference == rf


def test_an_entry_without_dates_takes_the_statements_closing_day() -> None:
    closing = """<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">1</Amt>
      <Dt><Dt>2024-03-07</Dt></Dt></Bal>"""
    bare = '<Ntry><Amt Ccy="EUR">10.00</Amt><CdtDbtInd>CRDT</CdtDbtInd></Ntry>'
    (line,) = read_camt(camt053(closing + bare), "lt.xml").lines
    assert line.booking_date == dt.date(2024, 3, 7)


def test_an_account_given_by_another_id_than_an_iban_is_kept() -> None:
    statement = read_camt(camt053(CREDIT_V02, account="<Othr><Id>LT-SETTLEMENT-1</Id></Othr>"), "lt.xml")
    assert statement.accounts == ("LT-SETTLEMENT-1",)


def test_a_statement_message_without_statement_is_refused() -> None:
    data = b"""<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
<BkToCstmrStmt><GrpHdr><MsgId>M</MsgId></GrpHdr></BkToCstmrStmt></Document>"""
    assert refused(data) == [
        "bad.xml, line 2: <BkToCstmrStmt> holds no <Stmt> (a statement, report or notification)"
    ]


def test_an_amount_finer_than_the_currency_is_refused_with_its_line() -> None:
    problems = refused(camt053(entry(amount="8.855")))
    assert problems == ["bad.xml, line 8 (<Ntry>): '8.855' has more decimals than EUR allows"]


def test_trailing_zeros_beyond_the_cents_are_the_same_amount() -> None:
    (line,) = read_camt(camt053(entry(amount="8.850")), "nov.xml").lines
    assert line.amount == Money("8.85", "EUR")


def test_a_credit_debit_mark_that_is_neither_is_refused() -> None:
    assert refused(camt053(entry(mark="CREDIT"))) == [
        "bad.xml, line 8 (<Ntry>): <CdtDbtInd> must be CRDT or DBIT"
    ]


def test_broken_xml_is_refused_naming_the_line() -> None:
    problems = refused(b'<?xml version="1.0"?>\n<Document>\n<BkToCstmrStmt>\n</Document>')
    assert problems[0].startswith("bad.xml, line 4: not well-formed XML")


def test_a_document_with_an_external_entity_is_refused_and_no_file_is_read() -> None:
    evil = b"""<?xml version="1.0"?>
<!DOCTYPE Document [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt>
<Acct><Id><IBAN>DE89370400440532013000</IBAN></Id></Acct>
<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2026-11-20</Dt></BookgDt>
<NtryDtls><TxDtls><RmtInf><Ustrd>&secret;</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
</Stmt></BkToCstmrStmt></Document>"""
    problems = refused(evil)
    assert problems[0].startswith("bad.xml: a CAMT document has no DOCTYPE; refused")
    assert "root:" not in " ".join(problems)


def test_an_xml_invoice_is_not_taken_for_a_statement() -> None:
    invoice = (
        b'<?xml version="1.0"?><Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>'
    )
    with pytest.raises(ImportRejectedError) as caught:
        read_statement(invoice, "inv.xml")
    assert caught.value.problems == [
        "inv.xml: an XML document <Invoice> (urn:oasis:names:specification:ubl:schema:xsd:Invoice-2), "
        "not a bank statement (expected MT940/MT942, CAMT.052/.053/.054 or OFX/QFX)"
    ]


def test_an_rf_reference_failing_its_check_is_kept_as_text_not_as_reference() -> None:
    wrong = RF[:2] + ("00" if RF[2:4] != "00" else "01") + RF[4:]
    credit = entry(
        details=f"<NtryDtls><TxDtls><RmtInf><Strd><CdtrRefInf><Ref>{wrong}</Ref></CdtrRefInf></Strd>"
        "</RmtInf></TxDtls></NtryDtls>"
    )
    (line,) = read_camt(camt053(credit), "nov.xml").lines
    assert (line.creditor_reference, line.remittance) == ("", wrong)
