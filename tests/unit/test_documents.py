"""The document store: content-addressed, written once, checked on read."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from recoup.adapters.documents import DocumentError, DocumentStore


def test_a_document_is_stored_under_its_sha256_and_read_back(tmp_path: Path) -> None:
    store = DocumentStore(tmp_path / "docs")
    data = b"From: a@b.example\r\n\r\nhello\r\n"
    ref = store.put(data, suffix="eml")
    digest = hashlib.sha256(data).hexdigest()
    assert ref == f"sha256:{digest}.eml"
    assert store.path(ref) == tmp_path / "docs" / digest[:2] / f"{digest}.eml"
    assert store.path(ref).read_bytes() == data
    assert store.get(ref) == data


def test_storing_the_same_bytes_again_changes_nothing(tmp_path: Path) -> None:
    store = DocumentStore(tmp_path)
    ref = store.put(b"letter", suffix=".pdf")
    before = store.path(ref).stat()
    assert store.put(b"letter", suffix="pdf") == ref
    after = store.path(ref).stat()
    assert (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert files == [store.path(ref)]  # no temporary file left behind


def test_a_copy_changed_after_the_fact_is_reported_not_returned(tmp_path: Path) -> None:
    store = DocumentStore(tmp_path)
    ref = store.put(b"amount due: 150.00 EUR", suffix="eml")
    target = store.path(ref)
    os.chmod(target, 0o644)
    target.write_bytes(b"amount due: 15.00 EUR")
    with pytest.raises(DocumentError, match="changed"):
        store.get(ref)


def test_a_missing_or_malformed_reference_is_an_error(tmp_path: Path) -> None:
    store = DocumentStore(tmp_path)
    with pytest.raises(DocumentError, match="no stored document"):
        store.get("sha256:" + "0" * 64 + ".eml")
    with pytest.raises(DocumentError, match="not a document reference"):
        store.get("outbox:C1/EUR/reminder-1/INV-1/email")
    with pytest.raises(DocumentError, match="not a document reference"):
        store.path("sha256:../../etc/passwd.eml")
