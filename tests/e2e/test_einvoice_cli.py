"""``recoup import invoices FILE|FOLDER``: tables and e-invoices told apart by content, as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from einvoice_samples import cii, facturx_pdf, ubl
from recoup.entrypoints.cli import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
runner = CliRunner()


def recoup(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def customers(db: str) -> list[dict[str, object]]:
    code, out, _ = recoup("customers", "--json", "--db", db)
    assert code == 0
    data = json.loads(out)
    return data["customers"] if isinstance(data, dict) else data


def folder(tmp_path: Path, files: dict[str, bytes]) -> Path:
    where = tmp_path / "inbox"
    where.mkdir()
    for name, data in files.items():
        (where / name).write_bytes(data)
    return where


def test_a_csv_table_of_invoices_still_imports_the_way_it_did(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'r.db'}"
    assert recoup("import", "customers", str(EXAMPLES / "customers.csv"), "--db", db)[0] == 0
    code, out, err = recoup("import", "invoices", str(EXAMPLES / "invoices.csv"), "--db", db)
    assert code == 0, err
    assert "invoices.csv" in out and "added" in out


def test_a_ubl_file_imports_with_a_new_customer_and_a_second_run_changes_nothing(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'r.db'}"
    path = tmp_path / "INV-1.xml"
    path.write_bytes(ubl())
    code, out, err = recoup("import", "invoices", str(path), "--create-customers", "--db", db)
    assert code == 0, err
    assert "INV-1.xml (UBL Invoice): added — invoice INV-1 (commercial invoice (380)) of 119.00 EUR" in out
    assert "customer DE136695976 (Acme GmbH, DE) created" in out
    code, out, _ = recoup("import", "invoices", str(path), "--db", db)
    assert code == 0
    assert "INV-1.xml (UBL Invoice): unchanged" in out
    assert "0 invoice(s) and 0 credit note(s) added, 1 unchanged" in out


def test_an_unknown_buyer_without_create_customers_is_refused_and_says_how(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'r.db'}"
    path = tmp_path / "x.xml"
    path.write_bytes(cii())
    code, _, err = recoup("import", "invoices", str(path), "--db", db)
    assert code == 1
    assert "x.xml: 1 problem(s); nothing was imported" in err
    assert "import it first, or import with --create-customers" in err
    assert customers(db) == []


def test_a_folder_of_ubl_cii_and_factur_x_imports_every_file_in_name_order(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'r.db'}"
    inbox = folder(
        tmp_path,
        {
            "c.pdf": facturx_pdf(cii(number="C-1")),
            "a.xml": ubl(number="A-1"),
            "b.xml": cii(number="B-1", type_code="381", reference="A-1", line="10.00", tax="1.90"),
        },
    )
    (inbox / "old").mkdir()
    code, out, err = recoup("import", "invoices", str(inbox), "--create-customers", "--json", "--db", db)
    assert code == 0, err
    result = json.loads(out)
    assert [(f["file"], f["syntax"], f["status"]) for f in result["files"]] == [
        ("a.xml", "UBL Invoice", "added"),
        ("b.xml", "CII", "added"),
        ("c.pdf (factur-x.xml)", "PDF with CII", "added"),
    ]
    assert (result["invoices_added"], result["credit_notes_added"], result["customers_added"]) == (
        2,
        1,
        ["DE136695976"],
    )
    assert "subfolder old/ left out (a folder import does not descend)" in result["messages"]


def test_one_bad_file_in_a_folder_imports_nothing_and_lists_every_problem(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'r.db'}"
    inbox = folder(
        tmp_path,
        {
            "1.xml": ubl(number="A-1"),
            "2.xml": ubl(root="Statement"),
            "3.xml": cii(number="M-1", profile="urn:factur-x.eu:1p0:minimum"),
            "4.txt": b"Bad XML",
        },
    )
    code, _, err = recoup("import", "invoices", str(inbox), "--create-customers", "--db", db)
    assert code == 1
    assert "inbox: 3 problem(s); nothing was imported" in err
    assert "2.xml: this is a UBL Statement (a statement of account)" in err
    # element names are printed as they are (Rich would make ':ID:' an emoji)
    assert (
        "3.xml: rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID: profile"
        in err
    )
    assert "4.txt: neither a table, XML nor a PDF (it starts 'Bad XML')" in err
    assert customers(db) == []


def test_a_folder_with_a_table_in_it_is_refused(tmp_path: Path) -> None:
    inbox = folder(tmp_path, {"a.xml": ubl(), "b.csv": (EXAMPLES / "invoices.csv").read_bytes()})
    code, _, err = recoup("import", "invoices", str(inbox), "--db", f"sqlite:///{tmp_path / 'r.db'}")
    assert code == 1
    assert "holds tables (b.csv); a folder import is for e-invoices" in err


def test_skip_invalid_is_for_tables_only(tmp_path: Path) -> None:
    path = tmp_path / "a.xml"
    path.write_bytes(ubl())
    code, _, err = recoup(
        "import", "invoices", str(path), "--skip-invalid", "--db", f"sqlite:///{tmp_path / 'r.db'}"
    )
    assert code == 1
    assert "--skip-invalid and --rejects are for CSV/XLSX tables" in err


def test_a_missing_path_is_a_clear_error(tmp_path: Path) -> None:
    code, _, err = recoup(
        "import", "invoices", str(tmp_path / "nope"), "--db", f"sqlite:///{tmp_path / 'r.db'}"
    )
    assert code == 1
    assert "no such file or folder" in err


def test_strict_refuses_a_deviation_that_a_plain_import_reads_past_and_reports(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'r.db'}"
    path = tmp_path / "zf.xml"
    path.write_bytes(cii(profile="urn:ferd:CrossIndustryDocument:invoice:1p0:comfort"))
    code, out, err = recoup("import", "invoices", str(path), "--create-customers", "--strict", "--db", db)
    assert code == 1
    assert (
        "zf.xml: the profile (BT-24) urn:ferd:CrossIndustryDocument:invoice:1p0:comfort names ZUGFeRD 1.0"
        in err
    )
    assert "(refused: --strict)" in err
    assert customers(db) == []
    code, out, err = recoup("import", "invoices", str(path), "--create-customers", "--db", db)
    assert code == 0, err
    assert "added" in out and "names ZUGFeRD 1.0, but this is a CII 2 CrossIndustryInvoice" in out


def test_strict_is_for_e_invoices_only(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'r.db'}"
    code, _, err = recoup("import", "invoices", str(EXAMPLES / "invoices.csv"), "--strict", "--db", db)
    assert code != 0
    assert "--strict is for e-invoices" in err
