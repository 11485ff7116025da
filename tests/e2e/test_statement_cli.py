"""``recoup import statement`` as a user drives it: the examples' ledger, a camt.053 from the bank
paying one example invoice, the counts it prints, a second import, and a broken file."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from recoup.entrypoints.cli import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
runner = CliRunner()

CAMT = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
 <BkToCstmrStmt>
  <GrpHdr><MsgId>M-2026-11-20</MsgId><CreDtTm>2026-11-20T18:00:00</CreDtTm></GrpHdr>
  <Stmt>
   <Id>S-2026-11-20</Id>
   <Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>
   <Ntry>
    <Amt Ccy="EUR">4500.50</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
    <BookgDt><Dt>2026-11-20</Dt></BookgDt><ValDt><Dt>2026-11-20</Dt></ValDt>
    <AcctSvcrRef>2026112000017</AcctSvcrRef>
    <NtryDtls><TxDtls>
     <Refs><EndToEndId>ACME-PAY-0815</EndToEndId></Refs>
     <RltdPties><Dbtr><Pty><Nm>Acme Maschinenbau GmbH</Nm></Pty></Dbtr>
      <DbtrAcct><Id><IBAN>DE02120300000000202051</IBAN></Id></DbtrAcct></RltdPties>
     <RmtInf><Ustrd>Rechnung INV-1002 vom 15.09.2026</Ustrd></RmtInf>
    </TxDtls></NtryDtls>
   </Ntry>
   <Ntry>
    <Amt Ccy="EUR">35.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
    <BookgDt><Dt>2026-11-20</Dt></BookgDt>
    <NtryDtls><TxDtls><RltdPties><Dbtr><Pty><Nm>Unknown Sender Ltd</Nm></Pty></Dbtr></RltdPties>
     <RmtInf><Ustrd>donation</Ustrd></RmtInf></TxDtls></NtryDtls>
   </Ntry>
   <Ntry>
    <Amt Ccy="EUR">99.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
    <BookgDt><Dt>2026-11-20</Dt></BookgDt>
   </Ntry>
  </Stmt>
 </BkToCstmrStmt>
</Document>
"""


def recoup(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def ledger(tmp_path: Path) -> str:
    db = str(tmp_path / "recoup.db")
    for kind in ("customers", "contacts", "invoices", "payments"):
        code, _, err = recoup("import", kind, str(EXAMPLES / f"{kind}.csv"), "--db", db)
        assert code == 0, err
    return db


def bank_lines(db: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM bank_lines").fetchone()[0])


def test_a_camt_statement_paying_an_example_invoice_is_imported_and_matched(tmp_path: Path) -> None:
    db = ledger(tmp_path)
    statement = tmp_path / "statement-2026-11-20.xml"
    statement.write_text(CAMT, encoding="utf-8")
    code, out, err = recoup("import", "statement", str(statement), "--db", db)
    assert code == 0, err
    printed = [line.strip() for line in out.splitlines()]
    assert printed[0] == "statement-2026-11-20.xml (camt.053, account DE89370400440532013000)"
    assert "entries read: 3" in printed
    assert "credits: 2 (4535.50 EUR)" in printed
    assert "debits ignored: 1" in printed
    assert "already imported: 0" in printed
    assert "new lines: 2 (4535.50 EUR)" in printed
    assert "matched automatically: 1 (4500.50 EUR)" in printed
    assert any(line.startswith("to review: 1 (35.00 EUR)") for line in printed)
    code, out, _ = recoup("customer", "show", "ACME-DE", "--db", db, "--json", "--as-of", "2026-11-23")
    assert code == 0
    open_numbers = {i["number"] for i in json.loads(out)["open_invoices"]}
    assert "INV-1002" not in open_numbers and "INV-1001" in open_numbers


def test_importing_the_same_statement_again_creates_nothing(tmp_path: Path) -> None:
    db = ledger(tmp_path)
    statement = tmp_path / "statement.xml"
    statement.write_text(CAMT, encoding="utf-8")
    assert recoup("import", "statement", str(statement), "--db", db)[0] == 0
    code, out, _ = recoup("import", "statement", str(statement), "--db", db, "--json")
    assert code == 0
    result = json.loads(out)
    assert (result["entries"], result["credits"], result["debits_ignored"]) == (3, 2, 1)
    assert (result["already_imported"], result["new"], result["matched"]) == (2, 0, 0)
    assert result["credit_amounts"] == {"EUR": "4535.50"}
    assert bank_lines(db) == 2


def test_a_broken_statement_is_refused_naming_the_line_and_nothing_is_stored(tmp_path: Path) -> None:
    db = ledger(tmp_path)
    broken = tmp_path / "broken.xml"
    broken.write_text(
        CAMT.replace('<Amt Ccy="EUR">35.00</Amt>', '<Amt Ccy="EUR">35,00</Amt>'), encoding="utf-8"
    )
    code, _, err = recoup("import", "statement", str(broken), "--db", db)
    assert code == 1
    assert "broken.xml was not imported (1 problem); nothing was stored" in err
    assert "broken.xml, line 19 (<Ntry>): <Amt> '35,00' is not an amount (digits and a decimal point)" in err
    assert bank_lines(db) == 0


def test_the_threshold_setting_decides_what_is_applied_without_a_person(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    statement = EXAMPLES / "bank-statement.camt053.xml"  # line 2: ACME's name and INV-1001's amount (0.80)
    db = ledger(tmp_path)
    code, out, _ = recoup("import", "statement", str(statement), "--db", db, "--json")
    assert code == 0 and json.loads(out)["matched"] == 1
    monkeypatch.setenv("RECOUP_MATCH_THRESHOLD", "0.8")
    (tmp_path / "lower").mkdir()
    lower = ledger(tmp_path / "lower")
    code, out, _ = recoup("import", "statement", str(statement), "--db", lower, "--json")
    assert code == 0 and json.loads(out)["matched"] == 2
