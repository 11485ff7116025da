"""``recoup worklist`` and ``recoup checklist`` as a collector drives them, on the example ledger."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from test_cli import load_examples, recoup

from recoup import bootstrap
from recoup.domain.tasks import Task, TaskKind


@pytest.fixture
def db(tmp_path: Path) -> str:
    """The examples on SQLite, with three tasks: ACME's call 3 days late, Smith's call due on
    2026-11-23, and a review of Dupont due a week later."""
    path = str(tmp_path / "work.db")
    load_examples(path)
    built = bootstrap.build(path)
    with built.uow() as uow:
        uow.tasks.add_many(
            [
                Task(TaskKind.CALL, "ACME-DE", "EUR", dt.date(2026, 11, 20), "call-1: call the customer"),
                Task(TaskKind.CALL, "SMITH", "GBP", dt.date(2026, 11, 23), "call-1: call the customer"),
                Task(TaskKind.REVIEW, "DUPONT", "EUR", dt.date(2026, 11, 30), "decide on the agency"),
            ]
        )
        uow.commit()
    built.engine.dispose()
    return path


def test_the_worklist_lists_the_tasks_due_most_urgent_first(db: str) -> None:
    code, out, err = recoup("worklist", "--as-of", "2026-11-23", "--json", "--db", db)
    assert code == 0, err
    items = json.loads(out)
    assert [(i["customer"], i["kind"], i["overdue"]) for i in items] == [
        ("ACME-DE", "call", "9500.50"),
        ("SMITH", "call", "420.00"),
    ]
    acme = items[0]
    assert acme["oldest_days_past_due"] == 115 and acme["task_days_late"] == 3
    assert "EUR 9,500.50 overdue" in acme["reasons"] and "task overdue by 3 days" in acme["reasons"]
    assert isinstance(acme["score"], float)
    code, out, _ = recoup("worklist", "--as-of", "2026-11-23", "--limit", "1", "--db", db)
    assert code == 0 and "ACME-DE" in out and "SMITH" not in out and "oldest item 115 days past due" in out


def test_checklist_answers_are_recorded_and_shown_with_where_they_come_from(db: str) -> None:
    args = ("checklist", "ACME-DE", "--as-of", "2026-11-23", "--json", "--db", db)
    code, out, err = recoup(*args, "--answer", "owner_contacted=yes", "--answer", "first_response=No")
    assert code == 0, err
    shown = {q["id"]: (q["answer"], q["source"]) for q in json.loads(out)["questions"]}
    assert shown["owner_contacted"] == ("yes", "collector")
    assert shown["first_response"] == ("no", "collector")
    assert shown["right_recipient"] == ("yes", "records")  # both invoices went to the billing contact
    code, out, _ = recoup(*args)
    again = json.loads(out)
    assert again["currency"] == "EUR" and again["missing"] == ["plan_offered"]
    assert {q["id"]: q["answer"] for q in again["questions"]}["owner_contacted"] == "yes"


@pytest.mark.parametrize("bad", ["owner=yes", "pattern=maybe", "pattern"])
def test_a_bad_answer_exits_1_naming_the_option(db: str, bad: str) -> None:
    code, _, err = recoup("checklist", "ACME-DE", "--answer", bad, "--db", db)
    assert code == 1
    assert "--answer" in err and repr(bad) in err


def test_the_checklist_of_an_unknown_customer_is_a_clear_error(db: str) -> None:
    code, _, err = recoup("checklist", "NOBODY", "--db", db)
    assert code == 1 and "NOBODY" in err
