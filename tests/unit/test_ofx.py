"""OFX 1.x (SGML), OFX 2.x (XML) and QFX: each field of a credit, the bank's error answers and
broken transactions refused with the element and line."""

from __future__ import annotations

import datetime as dt

import pytest

from recoup.adapters.formats.ofx import read_ofx
from recoup.domain.errors import ImportRejectedError
from recoup.domain.money import Money

SGML_HEADER = "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:USASCII\nCHARSET:1252\n\n"


def sgml(transactions: str, *, currency: str = "USD", status: str = "<CODE>0<SEVERITY>INFO") -> bytes:
    return (
        SGML_HEADER
        + f"""<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS>
<DTSERVER>20261123<LANGUAGE>ENG</SONRS></SIGNONMSGSRSV1>
<BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS>{status}</STATUS>
<STMTRS><CURDEF>{currency}
<BANKACCTFROM><BANKID>121000248<ACCTID>4417 8800<ACCTTYPE>CHECKING</BANKACCTFROM>
<BANKTRANLIST><DTSTART>20261101<DTEND>20261123
{transactions}
</BANKTRANLIST><LEDGERBAL><BALAMT>100.00<DTASOF>20261123</LEDGERBAL>
</STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>
"""
    ).encode("cp1252")


CREDIT = """<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20261120120000.000[-5:EST]<DTAVAIL>20261121
<TRNAMT>420.00<FITID>20261120-0001<NAME>JANE SMITH<MEMO>Invoice INV-1005 &amp; thanks</STMTTRN>"""
DEBIT = "<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20261121<TRNAMT>-34.51<FITID>2<NAME>ELECTRIC BILL</STMTTRN>"


def refused(data: bytes) -> list[str]:
    with pytest.raises(ImportRejectedError) as caught:
        read_ofx(data, "bad.ofx")
    return caught.value.problems


def test_an_sgml_credit_gives_dates_amount_payer_memo_and_the_banks_id() -> None:
    statement = read_ofx(sgml(CREDIT + DEBIT), "nov.ofx")
    (line,) = statement.lines
    assert (statement.entries, statement.debits, statement.accounts) == (2, 1, ("44178800",))
    assert line.account == "44178800"
    assert (line.booking_date, line.value_date) == (dt.date(2026, 11, 20), dt.date(2026, 11, 21))
    assert line.amount == Money("420.00", "USD")
    assert line.counterparty_name == "JANE SMITH"
    assert line.counterparty_iban == ""
    assert line.remittance == "Invoice INV-1005 & thanks"
    assert line.bank_reference == "20261120-0001"


def test_an_ofx_2_xml_statement_reads_the_same() -> None:
    xml = b"""<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<?OFX OFXHEADER="200" VERSION="211" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>
<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS></SONRS>
</SIGNONMSGSRSV1><CREDITCARDMSGSRSV1><CCSTMTTRNRS><STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>
<CCSTMTRS><CURDEF>AUD</CURDEF><CCACCTFROM><ACCTID>1234</ACCTID></CCACCTFROM><BANKTRANLIST>
<STMTTRN><TRNTYPE>CREDIT</TRNTYPE><DTPOSTED>20261120</DTPOSTED><TRNAMT>+12.30</TRNAMT>
<FITID>A1</FITID><MEMO>Refund</MEMO></STMTTRN></BANKTRANLIST></CCSTMTRS></CCSTMTTRNRS>
</CREDITCARDMSGSRSV1></OFX>"""
    (line,) = read_ofx(xml, "cc.qfx").lines
    assert (line.account, line.amount, line.remittance) == ("1234", Money("12.30", "AUD"), "Refund")


def test_empty_elements_and_a_currency_given_by_the_transaction_are_read() -> None:
    data = sgml(
        "<STMTTRN><TRNTYPE>Credit</TRNTYPE><DTPOSTED>20180507</DTPOSTED><TRNAMT>12.34</TRNAMT>"
        "<FITID></FITID><NAME></NAME><MEMO>CBA:Transfer</MEMO>"
        "<CURRENCY><CURRATE>1.0000</CURRATE><CURSYM>AUD</CURSYM></CURRENCY></STMTTRN>",
        currency="",
    )
    (line,) = read_ofx(data, "empty.ofx").lines
    assert (line.amount, line.counterparty_name, line.bank_reference) == (Money("12.34", "AUD"), "", "")


def test_entities_escaped_twice_read_as_the_characters() -> None:
    data = sgml(CREDIT.replace("<NAME>JANE SMITH", "<NAME>TPAY &amp;lt;DEFTPYMT&amp;gt;"))
    assert read_ofx(data, "x.qfx").lines[0].counterparty_name == "TPAY <DEFTPYMT>"


def test_a_decimal_comma_amount_is_read() -> None:
    data = sgml(CREDIT.replace("<TRNAMT>420.00", "<TRNAMT>420,50"))
    assert read_ofx(data, "x.ofx").lines[0].amount == Money("420.50", "USD")


def test_an_investment_statement_gives_no_payment() -> None:
    data = (
        SGML_HEADER
        + """<OFX><INVSTMTMSGSRSV1><INVSTMTTRNRS><STATUS><CODE>0<SEVERITY>INFO</STATUS><INVSTMTRS>
<CURDEF>USD<INVACCTFROM><BROKERID>broker.example<ACCTID>X1</INVACCTFROM><INVTRANLIST><INVBANKTRAN>
<STMTTRN><TRNTYPE>DEP<DTPOSTED>20261120<TRNAMT>115.8331<FITID>1</STMTTRN><SUBACCTFUND>CASH</INVBANKTRAN>
</INVTRANLIST></INVSTMTRS></INVSTMTTRNRS></INVSTMTMSGSRSV1></OFX>"""
    ).encode()
    statement = read_ofx(data, "broker.ofx")
    assert (statement.entries, statement.lines, statement.accounts) == (0, (), ("X1",))


def test_a_bank_error_answer_is_refused_with_its_code_and_message() -> None:
    problems = refused(sgml("", status="<CODE>2000<SEVERITY>ERROR<MESSAGE>General Server Error"))
    assert problems == [
        "bad.ofx, line 10 (<STATUS>): the bank answered with an error, not a statement "
        "(code 2000: General Server Error)"
    ]


def test_a_transaction_without_date_is_refused_naming_its_line() -> None:
    problems = refused(sgml("<STMTTRN><TRNTYPE>OTHER<TRNAMT>120<FITID>9</STMTTRN>"))
    assert problems == ["bad.ofx, line 14 (<STMTTRN>): no posting date (<DTPOSTED>)"]


def test_an_amount_with_a_currency_sign_is_refused() -> None:
    problems = refused(sgml("<STMTTRN><TRNTYPE>OTHER<DTPOSTED>20261120<TRNAMT>$120<FITID>9</STMTTRN>"))
    assert problems == ["bad.ofx, line 14 (<STMTTRN>): <TRNAMT> '$120' is not an amount"]


def test_a_file_without_the_ofx_header_is_refused() -> None:
    data = sgml(CREDIT).split(b"\n\n", 1)[1]
    assert refused(data) == [
        "bad.ofx, line 1: no OFX header (expected 'OFXHEADER:100' or '<?OFX OFXHEADER=\"200\"?>')"
    ]
