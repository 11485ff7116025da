"""``recoup match`` as a collector drives it: matching the queue, the review queue, confirmations."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from test_cli import load_examples, recoup

from recoup import bootstrap
from recoup.domain.money import Money
from recoup.domain.statements import StatementLine
from recoup.entrypoints import match_cli

SMITH_IBAN = "GB33BUKB20201555555555"


def credit(
    amount: str, currency: str, remittance: str = "", *, name: str = "", iban: str = ""
) -> StatementLine:
    return StatementLine(
        "DE89370400440532013000",
        dt.date(2026, 11, 20),
        Money(amount, currency),
        counterparty_name=name,
        counterparty_iban=iban,
        remittance=remittance,
    )


@pytest.fixture
def db(tmp_path: Path) -> tuple[str, list[int]]:
    """The examples (open: ACME-DE's INV-1001 5,000.00 and INV-1002 4,500.50 EUR, SMITH's INV-1005
    420.00 GBP) and three credits not matched yet: ACME naming INV-1002, Jane Smith's 420.00 GBP
    without a reference from an IBAN recoup does not know, and a rent payment."""
    path = str(tmp_path / "match.db")
    load_examples(path)
    built = bootstrap.build(path)
    with built.uow() as uow:
        stored = uow.bank.add_new(
            [
                credit("4500.50", "EUR", "Rechnung inv-1002", name="ACME MASCHINENBAU GMBH"),
                credit("420.00", "GBP", name="JANE SMITH", iban=SMITH_IBAN),
                credit("99.00", "EUR", "Miete November", name="Hausverwaltung Nord"),
            ],
            at=built.now(),
        )
        uow.commit()
    built.engine.dispose()
    return path, [s.id for s in stored]


def test_matching_applies_the_sure_line_and_queues_the_others(db: tuple[str, list[int]]) -> None:
    path, (acme, smith, rent) = db
    code, out, err = recoup("match", "--actor", "carl@supplier.example", "--json", "--db", path)
    assert code == 0, err
    result = json.loads(out)
    assert result["matched"] == [acme] and result["review"] == [smith, rent] and result["unknown"] == [rent]
    assert result["amounts"] == {"matched": {"EUR": "4500.50"}, "review": {"EUR": "99.00", "GBP": "420.00"}}
    code, out, _ = recoup("customer", "show", "ACME-DE", "--json", "--db", path)
    shown = json.loads(out)
    assert [i["number"] for i in shown["open_invoices"]] == ["INV-1001"], "INV-1002 is paid"
    assert any(e["kind"] == "payment" and "INV-1002" in e["invoices"] for e in shown["timeline"])
    code, out, _ = recoup("match", "--review", "--json", "--db", path)
    queue = json.loads(out)
    assert [q["line_id"] for q in queue] == [smith, rent]
    first = queue[0]["suggestions"][0]
    assert (first["n"], first["customer_id"], first["invoices"], first["confidence"]) == (
        1,
        "SMITH",
        ["INV-1005"],
        0.8,
    )
    assert "payer's name" in first["reason"] and queue[1]["suggestions"] == []
    code, out, _ = recoup("match", "--review", "--db", path)
    assert code == 0 and f"Line {smith}" in out and "INV-1005" in out and "no suggestion" in out
    assert "recoup match --confirm LINE_ID --suggestion N" in out


def test_a_confirmation_applies_the_line_learns_the_iban_and_empties_the_queue(
    db: tuple[str, list[int]],
) -> None:
    path, (_, smith, rent) = db
    recoup("match", "--db", path)
    args = ("--actor", "carl@supplier.example", "--db", path)
    code, out, err = recoup("match", "--confirm", str(smith), "--suggestion", "1", "--json", *args)
    assert code == 0, err
    done = json.loads(out)
    assert (done["status"], done["customer_id"], done["invoices"], done["iban_learnt"]) == (
        "matched",
        "SMITH",
        ["INV-1005"],
        SMITH_IBAN,
    )
    code, out, err = recoup("match", "--confirm", str(rent), "--customer", "ACME-DE", "--unapplied", *args)
    assert code == 0, err
    assert "kept as unapplied cash" in out
    code, out, _ = recoup("match", "--review", "--json", "--db", path)
    assert json.loads(out) == []
    code, out, _ = recoup("customer", "show", "SMITH", "--json", "--db", path)
    shown = json.loads(out)
    assert shown["open_invoices"] == []
    assert any(
        e["kind"] == "cash_application" and e["actor"] == "carl@supplier.example" for e in shown["timeline"]
    )
    _, out, _ = recoup("customer", "show", "ACME-DE", "--json", "--db", path)
    assert json.loads(out)["unapplied"] == {"EUR": "99.00"}
    code, _, err = recoup("match", "--confirm", str(smith), "--suggestion", "1", *args)
    assert code == 1 and "already matched" in err


def test_the_review_asks_about_each_line_on_a_terminal(
    db: tuple[str, list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, (_, _, rent) = db
    recoup("match", "--db", path)
    monkeypatch.setattr(match_cli, "_interactive", lambda: True)
    from test_cli import runner

    from recoup.entrypoints.cli import app

    result = runner.invoke(app, ["match", "--review", "--actor", "carl", "--db", path], input="1\nq\n")
    assert result.exit_code == 0, result.stderr
    assert "420.00 GBP from SMITH applied to INV-1005" in result.stdout
    _, out, _ = recoup("match", "--review", "--json", "--db", path)
    assert [q["line_id"] for q in json.loads(out)] == [rent]


def test_wrong_options_are_refused_with_a_clear_message(db: tuple[str, list[int]]) -> None:
    path, (_, smith, _) = db
    code, _, err = recoup("match", "--suggestion", "1", "--db", path)
    assert code == 1 and "go with --confirm LINE_ID" in err
    code, _, err = recoup("match", "--confirm", str(smith), "--db", path)
    assert code == 1 and "--suggestion N, or --customer ID" in err
    code, _, err = recoup("match", "--confirm", "999", "--suggestion", "1", "--db", path)
    assert code == 1 and "no statement line 999" in err
    code, _, err = recoup(
        "match", "--confirm", str(smith), "--customer", "SMITH", "--invoices", "INV-1001", "--db", path
    )
    assert code == 1 and "INV-1001 is ACME-DE's, not SMITH's" in err
