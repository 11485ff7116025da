"""The whole path: a ledger, the day's run, messages received by a real SMTP server, copies in the
log, and the case file exported and opened (issue 5's end-to-end test)."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader
from test_cli import load_examples, recoup

from smtp_server import smtp_server


@pytest.fixture
def smtp_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    with smtp_server() as server:
        monkeypatch.setenv("RECOUP_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("RECOUP_SMTP_PORT", str(server.port))
        monkeypatch.setenv("RECOUP_SMTP_TLS", "none")
        monkeypatch.setenv("RECOUP_DOCUMENTS", str(tmp_path / "documents"))
        monkeypatch.setenv("RECOUP_NOW", "2026-11-23T10:00:00+00:00")  # inside every sending window
        yield server


def test_a_run_sends_by_smtp_keeps_the_copies_and_the_case_file_holds_them(
    db_url: str,
    smtp_env,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    load_examples(db_url)
    code, out, err = recoup("run", "--as-of", "2026-11-23", "--json", "--db", db_url)
    assert code == 0, err
    emails = [a for a in json.loads(out)["actions"] if a["action"] == "email"]
    assert emails and all(a["status"] == "sent" for a in emails)
    received = smtp_env.received
    assert len(received) == len(emails)
    code, out, err = recoup("casefile", "ACME-DE", "--out", str(tmp_path / "acme.zip"), "--db", db_url)
    assert code == 0, err
    archive = zipfile.ZipFile(io.BytesIO((tmp_path / "acme.zip").read_bytes()))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["missing"] == []
    for name, digest in manifest["files"].items():
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest
    timeline = json.loads(archive.read("timeline.json"))
    sent = [e for e in timeline if e["kind"] == "email"]
    assert sent, "the email is on ACME's timeline"
    copies = [n for n in archive.namelist() if n.startswith("documents/") and n.endswith(".eml")]
    assert copies, "the copy of the message is in the case file"
    copy = archive.read(copies[0])
    assert copy.split(b"\r\n\r\n", 1)[0].count(b"Message-ID") == 1
    assert hashlib.sha256(copy).hexdigest() == copies[0].removeprefix("documents/").split(".")[0]
    summary = PdfReader(io.BytesIO(archive.read("summary.pdf")))
    text = "".join(page.extract_text() for page in summary.pages)
    assert "ACME-DE" in text and "INV-1001" in text
    for name in ("customer.json", "invoices.csv", "payments.csv", "interest.json", "checklist.json"):
        assert name in archive.namelist()


def test_a_case_file_needs_a_zip_or_pdf_name_and_a_known_customer(db_url: str, tmp_path: Path) -> None:
    load_examples(db_url)
    code, _, err = recoup("casefile", "ACME-DE", "--out", str(tmp_path / "x.txt"), "--db", db_url)
    assert code != 0 and "--out" in err
    code, _, err = recoup("casefile", "NOPE", "--out", str(tmp_path / "x.zip"), "--db", db_url)
    assert code == 1 and "NOPE" in err
