"""``recoup template preview``: a message as the run would write it, in the customer's language or another."""

from __future__ import annotations

import pytest
from test_cli import load_examples, recoup


@pytest.fixture
def db(db_url: str) -> str:
    load_examples(db_url)
    return db_url


def test_a_preview_is_written_in_the_customers_language_with_its_invoices(db: str) -> None:
    code, out, err = recoup("template", "preview", "reminder-2", "--customer", "ACME-DE", "--db", db)
    assert code == 0, err
    assert "Subject:" in out and "Language: de" in out
    assert "INV-1001" in out and "IBAN" in out


def test_a_preview_in_korean_formats_the_amounts_for_korea(db: str) -> None:
    code, out, err = recoup(
        "template", "preview", "final-notice", "--customer", "ACME-DE", "--lang", "ko", "--db", db
    )
    assert code == 0, err
    assert "Language: ko" in out and "INV-1001" in out


def test_an_unknown_step_is_refused_with_the_known_ones(db: str) -> None:
    code, _, err = recoup("template", "preview", "reminder-9", "--customer", "ACME-DE", "--db", db)
    assert code == 1 and "reminder-9" in err and "reminder-2" in err
