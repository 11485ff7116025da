"""``recoup advise CUSTOMER`` on the example ledger."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli import load_examples, recoup


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "advise.db")
    load_examples(path)
    return path


def test_advise_prints_every_option_the_recommendation_and_that_sunk_costs_are_ignored(db: str) -> None:
    code, out, err = recoup("advise", "ACME-DE", "--as-of", "2027-03-01", "--db", db)
    assert code == 0, err
    for name in ("keep_chasing", "offer_plan", "settle", "agency", "litigate", "write_off"):
        assert name in out
    assert "sunk costs are ignored" in out


def test_advise_json_gives_the_documented_fields_with_money_as_strings(db: str) -> None:
    code, out, err = recoup("advise", "ACME-DE", "--as-of", "2027-03-01", "--json", "--db", db)
    assert code == 0, err
    found = json.loads(out)
    assert found, "ACME-DE has something overdue"
    advice = found[0]
    assert set(advice) >= {
        "customer",
        "currency",
        "as_of",
        "balance",
        "days_past_due",
        "options",
        "recommended",
        "why",
        "settlement_amount",
    }
    assert advice["customer"] == "ACME-DE" and advice["as_of"] == "2027-03-01"
    assert isinstance(advice["balance"], str)
    assert {o["name"] for o in advice["options"]} >= {"settle", "litigate", "write_off"}
    assert all(
        isinstance(o["expected"], str) and isinstance(o["assumptions"], dict) for o in advice["options"]
    )
    assert advice["recommended"] in {o["name"] for o in advice["options"]}


def test_advise_on_an_unknown_customer_fails_with_a_clear_message(db: str) -> None:
    code, _out, err = recoup("advise", "NOBODY", "--db", db)
    assert code == 1
    assert "NOBODY" in err
