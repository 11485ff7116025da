"""``recoup letter CUSTOMER --kind ... --out FILE.pdf`` on the example ledger."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from test_cli import load_examples, recoup


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "letters.db")
    load_examples(path)
    return path


def text(path: Path) -> str:
    return re.sub(
        r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(path.read_bytes())).pages)
    )


def test_a_demand_letter_is_written_from_the_customers_overdue_invoices(db: str, tmp_path: Path) -> None:
    out = tmp_path / "letters" / "acme.pdf"
    code, stdout, err = recoup(
        "letter", "ACME-DE", "--kind", "demand-letter", "--out", str(out), "--as-of", "2026-11-23", "--db", db
    )
    assert code == 0, err
    assert "to be posted" in stdout
    assert out.read_bytes().startswith(b"%PDF")
    found = text(out)
    # ACME-DE is in Germany: a German letter, the next step of its policy after the demand letter.
    assert "Zahlungsaufforderung" in found
    assert "INV-1001" in found and "INV-1002" in found
    assert "Inkassounternehmen" in found


def test_the_letter_is_in_the_language_asked_for_with_the_amounts_of_the_locale(
    db: str, tmp_path: Path
) -> None:
    out = tmp_path / "acme-de.pdf"
    code, _stdout, err = recoup(
        "letter",
        "ACME-DE",
        "--kind",
        "final-notice",
        "--lang",
        "de",
        "--out",
        str(out),
        "--as-of",
        "2026-11-23",
        "--db",
        db,
    )
    assert code == 0, err
    found = text(out)
    assert "LetzteMahnung" in found
    for needle in ("INV-1001", "INV-1002", "12.000,00€", "7.000,00€", "5.000,00€", "4.500,50€", "9.500,50€"):
        assert needle in found
    assert "AcmeMaschinenbauGmbH" in found and "PetraKlein" in found
    assert "§288Abs.2,§247BGB" in found
    assert "7.Dezember2026" in found  # 14 days to pay


def test_a_statement_of_account_lists_the_payments_received(db: str, tmp_path: Path) -> None:
    out = tmp_path / "statement.pdf"
    code, _stdout, err = recoup(
        "letter", "ACME-DE", "--kind", "statement", "--out", str(out), "--as-of", "2026-11-23", "--db", db
    )
    assert code == 0, err
    found = text(out)
    assert "EingegangeneZahlungen" in found and "BANK-0001" in found and "7.000,00€" in found


def test_a_customer_with_nothing_overdue_or_unknown_fails_with_a_clear_message(
    db: str, tmp_path: Path
) -> None:
    out = tmp_path / "x.pdf"
    code, _out, err = recoup("letter", "NOBODY", "--kind", "demand-letter", "--out", str(out), "--db", db)
    assert code == 1 and "NOBODY" in err
    code, _out, err = recoup(
        "letter", "HANBIT", "--kind", "demand-letter", "--out", str(out), "--as-of", "2026-11-23", "--db", db
    )
    assert code == 1 and "HANBIT" in err
    assert not out.exists()


def test_an_unknown_language_or_kind_is_refused_naming_the_option(db: str, tmp_path: Path) -> None:
    out = str(tmp_path / "x.pdf")
    code, _out, err = recoup(
        "letter", "ACME-DE", "--kind", "demand-letter", "--lang", "xx", "--out", out, "--db", db
    )
    assert code == 2 and "--lang" in err
    code, _out, err = recoup("letter", "ACME-DE", "--kind", "poem", "--out", out, "--db", db)
    assert code == 2 and "--kind" in err
