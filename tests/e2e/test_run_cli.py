"""``recoup run``, ``dispatch`` and ``simulate`` as a user drives them, on the example ledger."""

from __future__ import annotations

import json

import pytest
from test_cli import load_examples, recoup


@pytest.fixture
def db(db_url: str) -> str:
    load_examples(db_url)
    return db_url


def test_a_dry_run_lists_the_plan_and_a_real_run_sends_it_once(db: str) -> None:
    code, out, err = recoup("run", "--as-of", "2026-11-23", "--dry-run", "--json", "--db", db)
    assert code == 0, err
    dry = json.loads(out)
    assert dry["dry_run"] is True and dry["actions"]
    assert {a["status"] for a in dry["actions"]} == {"planned"}
    code, out, _ = recoup("run", "--as-of", "2026-11-23", "--json", "--db", db)
    real = json.loads(out)
    assert [(a["customer"], a["step"], a["action"]) for a in real["actions"]] == [
        (a["customer"], a["step"], a["action"]) for a in dry["actions"]
    ]
    # Emails wait for the customer's local hours (08:00-21:00): this test runs at any hour.
    statuses = {a["status"] for a in real["actions"]}
    assert statuses <= {"sent", "task", "waiting"}
    for key in ("as_of", "actions", "skipped", "diagnostics"):
        assert key in real
    code, out, _ = recoup("run", "--as-of", "2026-11-23", "--json", "--db", db)
    assert json.loads(out)["actions"] == []
    code, out, _ = recoup("customer", "show", "ACME-DE", "--json", "--db", db)
    kinds = [entry["kind"] for entry in json.loads(out)["timeline"]]
    if "sent" in statuses:
        assert "email" in kinds or "letter" in kinds


def test_dispatch_with_nothing_pending_sends_nothing(db: str) -> None:
    code, out, _ = recoup("dispatch", "--json", "--db", db)
    assert code == 0
    assert json.loads(out) == {"sent": [], "failed": [], "retrying": [], "review": []}


def test_a_bad_run_date_is_refused_naming_the_option(db: str) -> None:
    code, _, err = recoup("run", "--as-of", "2026-13-01", "--db", db)
    assert code != 0 and "--as-of" in err


def test_a_simulation_works_on_a_copy_and_leaves_the_database_untouched(db: str) -> None:
    code, out, err = recoup("simulate", "--days", "40", "--from", "2026-11-23", "--json", "--db", db)
    assert code == 0, err
    summary = json.loads(out)
    assert summary["days"] == 40 and sum(summary["messages_per_step"].values()) > 0
    code, out, _ = recoup("run", "--as-of", "2026-11-23", "--dry-run", "--json", "--db", db)
    assert json.loads(out)["actions"], "the simulation changed the real database"
