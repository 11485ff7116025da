"""The command line as a user drives it: the README's walk-through, bad input, JSON shapes."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from recoup.entrypoints.cli import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
runner = CliRunner()


def recoup(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def load_examples(db: str) -> None:
    for kind in ("customers", "contacts", "invoices", "payments"):
        code, _, err = recoup("import", kind, str(EXAMPLES / f"{kind}.csv"), "--db", db)
        assert code == 0, err


@pytest.fixture
def db(db_url: str) -> str:
    load_examples(db_url)
    return db_url


def test_the_examples_import_and_the_aging_adds_up_to_the_open_balance(db: str) -> None:
    code, out, _ = recoup("aging", "--as-of", "2026-11-23", "--json", "--db", db)
    assert code == 0
    report = json.loads(out)
    assert report["buckets"] == ["not_due", "1-30", "31-60", "61-90", "91+"]
    # INV-1001 12000.00 less 7000.00 paid, due 2026-07-31: 115 days late; INV-1002 due 2026-10-15: 39 days.
    assert report["totals"]["EUR"]["buckets"] == {
        "not_due": "0.00",
        "1-30": "0.00",
        "31-60": "4500.50",
        "61-90": "0.00",
        "91+": "5000.00",
    }
    assert report["totals"]["EUR"]["total"] == "9500.50"
    # Jane Smith's invoice of 2026-10-20 on 14-day terms is 20 days late; KRW was overpaid, so it is gone.
    assert report["totals"]["GBP"]["buckets"]["1-30"] == "420.00"
    assert set(report["totals"]) == {"EUR", "GBP"}
    for row in report["rows"]:
        assert sum(Decimal(v) for v in row["buckets"].values()) == Decimal(row["total"])


def test_a_payment_naming_no_invoice_is_applied_oldest_first_and_the_import_says_so(tmp_path: Path) -> None:
    db = str(tmp_path / "r.db")
    for kind in ("customers", "contacts", "invoices"):
        recoup("import", kind, str(EXAMPLES / f"{kind}.csv"), "--db", db)
    code, out, _ = recoup("import", "payments", str(EXAMPLES / "payments.csv"), "--db", db, "--json")
    assert code == 0
    result = json.loads(out)
    assert result["allocated_oldest_first"] == ["BANK-0002"]
    assert result["unapplied"] == {"BANK-0003": "200000 KRW"}
    assert any("oldest first" in m for m in result["messages"])


def test_importing_the_same_files_twice_changes_nothing(db: str) -> None:
    for kind in ("customers", "contacts", "invoices", "payments"):
        code, out, _ = recoup("import", kind, str(EXAMPLES / f"{kind}.csv"), "--db", db, "--json")
        assert code == 0
        result = json.loads(out)
        assert (result["added"], result["updated"], result["unchanged"]) == (0, 0, result["rows"])


def test_a_bad_date_on_line_7_names_the_line_and_column_and_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    load_examples(str(db))
    before = sqlite3.connect(db).execute("select count(*), sum(amount_minor) from invoices").fetchone()
    code, _, err = recoup("import", "invoices", str(EXAMPLES / "invoices-bad-date.csv"), "--db", str(db))
    assert code == 1
    assert "line 7" in err and "issue_date" in err and "'2026-31-10'" in err
    assert "nothing was imported" in err
    after = sqlite3.connect(db).execute("select count(*), sum(amount_minor) from invoices").fetchone()
    assert after == before


def test_skip_invalid_imports_the_good_rows_and_writes_the_rejected_ones(tmp_path: Path) -> None:
    db = str(tmp_path / "r.db")
    load_examples(db)
    source = tmp_path / "bad.csv"
    shutil.copy(EXAMPLES / "invoices-bad-date.csv", source)
    code, out, _ = recoup("import", "invoices", str(source), "--db", db, "--skip-invalid", "--json")
    assert code == 0
    result = json.loads(out)
    assert (result["added"], len(result["rejected"])) == (6, 1)
    rejects = (tmp_path / "bad.rejected.csv").read_text(encoding="utf-8").splitlines()
    assert rejects[0].startswith("line,number,")
    assert rejects[1].startswith("7,INV-2006,") and "is not a date" in rejects[1]


def test_customer_show_gives_balances_invoices_contacts_and_timeline(db: str) -> None:
    code, out, _ = recoup("customer", "show", "ACME-DE", "--as-of", "2026-11-23", "--json", "--db", db)
    assert code == 0
    shown = json.loads(out)
    assert shown["customer"]["tax_id"] == "DE136695976"
    assert shown["balances"] == {"EUR": {"open": "9500.50", "overdue": "9500.50"}}
    assert [(i["number"], i["balance"], i["days_past_due"]) for i in shown["open_invoices"]] == [
        ("INV-1001", "5000.00", 115),
        ("INV-1002", "4500.50", 39),
    ]
    assert {c["role"] for c in shown["contacts"]} == {"billing", "owner"}
    assert any("BANK-0001" in a["text"] for a in shown["timeline"])


def test_an_unknown_customer_is_a_clear_error(db: str) -> None:
    code, _, err = recoup("customer", "show", "NOBODY", "--db", db)
    assert code == 1 and "no customer 'NOBODY'" in err


def test_a_bad_as_of_date_names_the_option(tmp_path: Path) -> None:
    code, _, err = recoup("aging", "--as-of", "2026-02-30", "--db", str(tmp_path / "r.db"))
    assert code == 2 and "--as-of" in err and "'2026-02-30'" in err


def test_the_demo_builds_a_fresh_ledger_and_prints_the_aging_report(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    code, out, err = recoup(
        "demo", "--customers", "12", "--seed", "7", "--db", str(db), "--as-of", "2026-11-23"
    )
    assert code == 0, err
    assert "Aging as of 2026-11-23" in out and str(db) in out
    code, out, _ = recoup("aging", "--as-of", "2026-11-23", "--json", "--db", str(db))
    totals = json.loads(out)["totals"]
    con = sqlite3.connect(db)
    open_by_currency = dict(
        con.execute(
            "select currency, sum(balance_minor) from invoices where closed_on is null group by currency"
        ).fetchall()
    )
    digits = {"KRW": 0, "JPY": 0}
    for currency, minor in open_by_currency.items():
        expected = Decimal(minor).scaleb(-digits.get(currency, 2))
        assert Decimal(totals[currency]["total"]) == expected
    code, _, err = recoup("demo", "--customers", "3", "--db", str(db))
    assert code == 2 and "--force" in err


def test_the_recoup_command_is_installed() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "recoup", "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and "aging" in done.stdout


@pytest.mark.parametrize(
    ("buckets", "says"),
    [
        ("0,thirty", "'0,thirty' is not a list of whole numbers"),
        ("0,60,30", "aging edges must start at 0 and increase strictly, got [0, 60, 30]"),
    ],
)
def test_aging_refuses_bad_buckets_naming_the_option_and_the_value(db: str, buckets: str, says: str) -> None:
    code, out, err = recoup("aging", "--buckets", buckets, "--db", db)
    assert code == 2 and out == ""
    said = " ".join(err.replace("│", " ").split())  # the error box wraps long lines
    assert "--buckets" in said and says in said
