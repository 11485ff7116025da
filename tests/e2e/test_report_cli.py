"""``recoup report --out FILE.html|FILE.pdf``: the figures of the hand-worked ledger
(tests/report_world.py) in the page and in the PDF's text, and bad options refused with nothing written."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from recoup.adapters.db.engine import make_engine, migrate
from recoup.adapters.db.uow import SqlUnitOfWorkFactory
from recoup.entrypoints.cli import app
from report_world import build

runner = CliRunner()
AS_OF = "2026-06-30"
# What the page must say about the ledger of report_world (its docstring works each one out).
FIGURES = [
    "Receivables report",
    "2026-06-30",
    "198.0 d",  # EUR DSO
    "162.0 d",  # EUR ADD
    "€1,100.00",  # EUR open
    "€600.00",  # EUR 91+ and Alpha GmbH's past due
    "$100.00",  # USD open
    "Alpha GmbH",
    "Beta AG",
    "€50.00",  # the broken promise
    "Jun 10, 2026",  # the day it was promised for
]


def recoup(*args: str) -> tuple[int, str, str]:
    """Exit code, output and errors; the error box is wide enough that a long path is not broken."""
    result = runner.invoke(app, list(args), env={"COLUMNS": "400"})
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('report') / 'ledger.db'}"
    engine = make_engine(url)
    migrate(engine)
    build(SqlUnitOfWorkFactory(engine))
    engine.dispose()
    return url


def words(html: str) -> str:
    """The page's text with the tags dropped and spaces folded (as a reader sees it)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_html_report_holds_the_figures_and_needs_nothing_else(db: str, tmp_path: Path) -> None:
    target = tmp_path / "ar.html"
    code, out, err = recoup("report", "--db", db, "--as-of", AS_OF, "--out", str(target))
    assert code == 0, err
    assert "ar.html" in out and "HTML" in out and "as of 2026-06-30" in out
    assert f"{target.stat().st_size:,} bytes" in out
    html = target.read_text(encoding="utf-8")
    text = words(html)
    for figure in FIGURES:
        assert figure in text, figure
    assert html.count("<svg") >= 1 + 2 * 2 + 2  # aging, history and trend per currency, forecasts
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)  # nothing fetched from elsewhere
    assert "<link" not in html and "<script" not in html
    again = tmp_path / "again.htm"
    assert recoup("report", "--db", db, "--as-of", AS_OF, "--out", str(again))[0] == 0
    assert again.read_bytes() == target.read_bytes()  # the same day gives the same page


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")
def test_the_pdf_report_is_a_pdf_whose_text_holds_the_figures(db: str, tmp_path: Path) -> None:
    target = tmp_path / "ar.PDF"
    code, out, err = recoup("report", "--db", db, "--as-of", AS_OF, "--out", str(target))
    assert code == 0, err
    assert "PDF" in out
    assert target.read_bytes().startswith(b"%PDF-")
    done = subprocess.run(
        ["pdftotext", "-layout", str(target), "-"], capture_output=True, text=True, check=True
    )
    text = re.sub(r"\s+", " ", done.stdout)
    for figure in FIGURES:
        assert figure in text, figure


@pytest.mark.parametrize(
    ("name", "complaint"),
    [
        ("report.txt", "is neither .html, .htm nor .pdf"),
        ("report", "is neither .html, .htm nor .pdf"),
        ("missing/report.html", "does not exist"),
    ],
)
def test_a_bad_out_is_refused_naming_the_option_and_nothing_is_written(
    db: str, tmp_path: Path, name: str, complaint: str
) -> None:
    code, _, err = recoup("report", "--db", db, "--out", str(tmp_path / name))
    assert code == 2
    assert "--out" in err and complaint in err and f"'{tmp_path / name}'" in err
    assert list(tmp_path.iterdir()) == []


def test_a_folder_as_out_or_a_file_as_folder_is_refused(db: str, tmp_path: Path) -> None:
    folder = tmp_path / "ar.html"
    folder.mkdir()
    code, _, err = recoup("report", "--db", db, "--out", str(folder))
    assert code == 2 and "is a folder" in err
    (tmp_path / "plain").write_text("x")
    code, _, err = recoup("report", "--db", db, "--out", str(tmp_path / "plain" / "ar.html"))
    assert code == 2 and "does not exist" in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write to any folder")
def test_a_folder_that_cannot_be_written_is_refused(db: str, tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    code, _, err = recoup("report", "--db", db, "--out", str(locked / "ar.html"))
    assert code == 2 and "cannot be written" in err


@pytest.mark.parametrize(
    ("option", "value", "complaint"),
    [
        ("--as-of", "2026-13-01", "is not a date"),
        ("--buckets", "0,thirty", "is not a list of whole numbers"),
        ("--buckets", "0,60,30", "must start at 0 and increase strictly"),
    ],
)
def test_a_bad_day_or_bad_buckets_are_refused_and_an_old_report_is_left_alone(
    db: str, tmp_path: Path, option: str, value: str, complaint: str
) -> None:
    target = tmp_path / "ar.html"
    target.write_text("yesterday's report")
    code, _, err = recoup("report", "--db", db, "--out", str(target), option, value)
    assert code == 2
    assert option in err and complaint in err and value in err
    assert target.read_text() == "yesterday's report"
    assert [p.name for p in tmp_path.iterdir()] == ["ar.html"]  # no half-written file left


def test_out_is_required(db: str) -> None:
    code, _, err = recoup("report", "--db", db)
    assert code == 2 and "Missing option '--out'" in err
