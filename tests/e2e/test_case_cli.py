"""Working a case from the command line, on the example ledger in a SQLite file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_cli import load_examples, recoup

DAY = ("--as-of", "2026-11-23")


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "case.db")
    load_examples(path)
    return path


def ok(*args: str) -> Any:
    """Run a command that prints JSON and must succeed."""
    code, out, err = recoup(*args, "--json")
    assert code == 0, err
    return json.loads(out)


def timeline(db: str, customer: str = "ACME-DE") -> list[dict[str, Any]]:
    return ok("customer", "show", customer, "--db", db)["timeline"]  # type: ignore[no-any-return]


def test_a_promise_is_recorded_and_shows_in_the_customers_timeline(db: str) -> None:
    promise = ok(
        "promise", "ACME-DE", "--amount", "2500.00", "--date", "2026-12-04", "--invoices", "INV-1001", *DAY,
        "--actor", "cora", "--db", db,
    )  # fmt: skip
    assert promise["amount"] == "2500.00" and promise["currency"] == "EUR"
    assert promise["invoices"] == ["INV-1001"] and promise["status"] == "open"
    [entry] = [e for e in timeline(db) if e["kind"] == "promise"]
    assert entry["actor"] == "cora" and entry["invoices"] == ["INV-1001"]


def test_a_bad_amount_is_refused_naming_the_option_and_nothing_is_written(db: str) -> None:
    before = timeline(db)
    code, _, err = recoup(
        "promise", "ACME-DE", "--amount", "2.500,00", "--date", "2026-12-04", *DAY, "--db", db
    )
    assert code == 1
    assert "--amount" in err and "not a number" in err
    code, _, err = recoup(
        "promise", "ACME-DE", "--amount", "99999.00", "--date", "2026-12-04", *DAY, "--db", db
    )
    assert code == 1
    assert "--amount" in err and "99999.00 EUR" in err and "9500.50 EUR" in err
    code, _, err = recoup("promise", "ACME-DE", "--amount", "10.00", "--date", "4.12.2026", *DAY, "--db", db)
    assert code == 1 and "--date" in err
    assert timeline(db) == before


def test_a_dispute_is_opened_by_its_short_form_and_resolved(db: str) -> None:
    dispute = ok("dispute", "INV-1002", "--reason", "price", "--amount", "500.00", *DAY, "--db", db)
    assert dispute["invoice"] == "INV-1002" and dispute["amount"] == "500.00" and dispute["status"] == "open"
    code, _, err = recoup("dispute", "open", "INV-1002", "--reason", "goods", *DAY, "--db", db)
    assert code == 1 and "already has an open dispute" in err
    resolved = ok("dispute", "resolve", str(dispute["id"]), "--outcome", "rejected", *DAY, "--db", db)
    assert resolved["status"] == "resolved" and resolved["outcome"] == "rejected"
    code, _, err = recoup("dispute", "resolve", str(dispute["id"]), "--outcome", "fine", *DAY, "--db", db)
    assert code == 1 and "already resolved" in err


def test_three_unanswered_calls_raise_skip_tracing_and_the_task_can_be_closed(db: str) -> None:
    for day in ("2026-11-16", "2026-11-19"):
        ok(
            "log",
            "call",
            "DUPONT",
            "--contact",
            "Claire Dupont",
            "--outcome",
            "no_answer",
            "--as-of",
            day,
            "--db",
            db,
        )
    logged = ok("log", "call", "DUPONT", "--outcome", "no_answer", *DAY, "--db", db)
    assert logged["activity"]["data"]["unreachable_streak"] == 3
    [task] = [t for t in logged["tasks"] if t["kind"] == "skip_tracing"]
    done = ok("task", "done", str(task["id"]), "--db", db)
    assert done["status"] == "done"
    code, _, err = recoup("task", "done", str(task["id"]), "--db", db)
    assert code == 1 and "already done" in err


def test_a_call_without_an_outcome_is_refused_naming_the_option(db: str) -> None:
    code, _, err = recoup("log", "call", "ACME-DE", "--reason", "forgot", *DAY, "--db", db)
    assert code == 1 and "--outcome" in err


def test_a_hold_a_settlement_and_an_approval_from_the_command_line(db: str) -> None:
    hold = ok(
        "hold", "ACME-DE", "--until", "2026-12-31", "--reason", "key account in talks", *DAY, "--db", db
    )
    assert hold["until"] == "2026-12-31"
    released = ok("hold", "release", str(hold["id"]), *DAY, "--db", db)
    assert released["released_on"] == "2026-11-23"
    offer = ok(
        "settle", "ACME-DE", "--amount", "4000.00", "--deadline", "2026-12-15", "--invoices", "INV-1001",
        *DAY, "--db", db,
    )  # fmt: skip
    assert offer["status"] == "offered"
    assert ok("settle", "accept", str(offer["id"]), *DAY, "--db", db)["status"] == "accepted"
    approval = ok("approve", "ACME-DE", "agency-review", *DAY, "--db", db)
    assert approval["data"] == {"step": "agency-review", "currency": "EUR"}
    code, _, err = recoup("approve", "ACME-DE", "agency-reveiw", *DAY, "--db", db)
    assert code == 1 and "STEP" in err and "agency-review" in err


def test_a_written_off_invoice_leaves_the_aging(db: str) -> None:
    inv = ok("writeoff", "INV-1005", "--reason", "the customer moved abroad", *DAY, "--db", db)
    assert (inv["status"], inv["balance"]) == ("written_off", "0.00")
    aging = ok("aging", *DAY, "--db", db)
    assert "GBP" not in aging["totals"]
    code, _, err = recoup("writeoff", "INV-1005", "--reason", "again", *DAY, "--db", db)
    assert code == 1 and "INV-1005 is written off" in err


def test_a_plan_prints_its_instalments(db: str) -> None:
    plan = ok(
        "plan", "ACME-DE", "--installments", "3", "--every", "30", "--invoices", "INV-1002", *DAY, "--db", db
    )
    assert [i["amount"] for i in plan["installments"]] == ["1500.17", "1500.17", "1500.16"]
    assert plan["installments"][0]["due"] == "2026-12-23"
    code, _, err = recoup("plan", "ACME-DE", "--installments", "three", "--every", "30", "--db", db)
    assert code == 1 and "--installments" in err
