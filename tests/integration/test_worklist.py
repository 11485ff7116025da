"""The collector's worklist and a case's checklist through storage: fake, SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from builders import AT, contact, customer, eur, given, invoice, payment
from recoup.domain.activity import Activity
from recoup.domain.cases import CaseKey, Promise, PromiseStatus
from recoup.domain.tasks import Task, TaskKind, TaskStatus
from recoup.services.ports import UnitOfWorkFactory
from recoup.services.worklist import (
    checklist_for,
    checklist_view,
    record_answers,
    rescore,
    worklist,
    worklist_json,
    worklist_page,
)

AS_OF = dt.date(2026, 6, 30)
KIM = "kim@supplier.example"
LEE = "lee@supplier.example"


def task(kind: TaskKind, customer_id: str, due: str = "2026-06-30", **fields: object) -> Task:
    return Task(
        kind,
        customer_id,
        "EUR",
        dt.date.fromisoformat(due),
        f"{kind.value} for {customer_id}",
        key=str(fields.pop("key", "")),
        **fields,  # type: ignore[arg-type]
    )


def history_of_b() -> list[object]:
    """Six paid invoices of B, the 2nd and the 4th paid late (10 and 20 days)."""
    dues_and_payments = [
        ("2026-01-31", "2026-01-30"),
        ("2026-02-04", "2026-02-14"),
        ("2026-02-10", "2026-02-10"),
        ("2026-03-01", "2026-03-21"),
        ("2026-03-15", "2026-03-10"),
        ("2026-04-01", "2026-04-01"),
    ]
    records: list[object] = []
    for n, (due, paid_on) in enumerate(dues_and_payments, start=1):
        records.append(invoice(f"H-{n}", customer="B", amount="50.00", issued="2026-01-01", due=due))
        records.append(payment(f"P-{n}", customer="B", amount="50.00", on=paid_on, invoices=[f"H-{n}"]))
    return records


def ledger(uow_factory: UnitOfWorkFactory) -> None:
    """A: EUR 10,000.00 30 days late, no history. B: EUR 100.00 10 days late, 2 of 6 paid late,
    2 promises broken. C: nothing overdue."""
    given(
        uow_factory,
        customer("A", "Alpha GmbH"),
        customer("B", "Beta SA", country="FR"),
        customer("C", "Gamma AG"),
        contact("Bea", customer="B", email="ap@beta.example"),
        invoice("A-1", customer="A", amount="10000.00", issued="2026-05-01", due="2026-05-31"),
        replace(
            invoice("B-1", customer="B", amount="100.00", issued="2026-05-21", due="2026-06-20"),
            sent_to="ap@beta.example",
        ),
        invoice("C-1", customer="C", amount="500.00", issued="2026-06-15", due="2026-07-15"),
        *history_of_b(),  # type: ignore[arg-type]
    )
    with uow_factory() as uow:
        for status in (PromiseStatus.BROKEN, PromiseStatus.BROKEN, PromiseStatus.OPEN):
            uow.promises.add(
                Promise("B", eur("50.00"), dt.date(2026, 5, 1), dt.date(2026, 4, 20), status=status)
            )
        uow.tasks.add_many(
            [
                task(TaskKind.CHECKLIST, "A", step="demand-letter"),
                task(TaskKind.CALL, "A", step="call-1", assignee=KIM, invoices=("A-1",)),
                task(TaskKind.PROMISE_BROKEN, "B", due="2026-06-27"),
                task(TaskKind.REVIEW, "C", assignee=LEE),
                task(TaskKind.DISPUTE, "C", due="2026-07-05"),  # due later: not listed yet
                task(TaskKind.CALL, "B", key="closed"),  # closed below
            ]
        )
        closed = next(t for t in uow.tasks.open() if t.key == "closed")
        assert closed.id is not None
        uow.tasks.close(closed.id, TaskStatus.DONE, at=AT)
        uow.commit()


def listed(uow_factory: UnitOfWorkFactory, **kw: object) -> list[tuple[str, str]]:
    with uow_factory() as uow:
        return [(i.kind.value, i.customer_id) for i in worklist(uow, AS_OF, **kw)]  # type: ignore[arg-type]


def test_the_worklist_ranks_the_open_tasks_due_by_the_day_by_score(uow_factory: UnitOfWorkFactory) -> None:
    ledger(uow_factory)
    # A checklist: 40.0 amount + 5.0 age + 6 kind = 51.0; A call: 50.0 (kind 5);
    # B broken promise: 20.0 + 1.7 + 3.3 history + 10 promises + 10 kind + 3 late task = 48.0; C review: 6.
    assert listed(uow_factory) == [
        ("checklist", "A"),
        ("call", "A"),
        ("promise_broken", "B"),
        ("review", "C"),
    ]
    with uow_factory() as uow:
        scores = [round(i.score, 1) for i in worklist(uow, AS_OF)]
    assert scores == [51.0, 50.0, 48.0, 6.0]


def test_each_item_says_why_it_ranks_where_it_does(uow_factory: UnitOfWorkFactory) -> None:
    ledger(uow_factory)
    with uow_factory() as uow:
        items = {i.kind: i for i in worklist(uow, AS_OF)}
    b = items[TaskKind.PROMISE_BROKEN]
    assert b.reasons == (
        "a broken promise to follow up",
        "EUR 100.00 overdue",
        "oldest item 10 days past due",
        "2 of 6 invoices paid late, 15.0 days late on average",
        "2 promises broken",
        "task overdue by 3 days",
    )
    assert (b.overdue, b.oldest_days_past_due, b.paid, b.paid_late) == (eur("100.00"), 10, 6, 2)
    assert (b.promises_broken, b.task_days_late, b.customer_name) == (2, 3, "Beta SA")
    a = items[TaskKind.CALL]
    assert a.reasons == ("a call to make", "EUR 10,000.00 overdue", "oldest item 30 days past due")
    assert items[TaskKind.REVIEW].reasons == ("a review to decide",)


def test_the_json_gives_money_as_strings_and_the_score_to_one_decimal(uow_factory: UnitOfWorkFactory) -> None:
    ledger(uow_factory)
    with uow_factory() as uow:
        data = worklist_json(worklist(uow, AS_OF, limit=2))
    assert [(d["kind"], d["customer"], d["overdue"], d["score"]) for d in data] == [
        ("checklist", "A", "10000.00", 51.0),
        ("call", "A", "10000.00", 50.0),
    ]
    assert data[1]["invoices"] == ["A-1"] and data[1]["assignee"] == KIM


def test_a_collector_sees_their_own_tasks_and_the_unassigned_ones(uow_factory: UnitOfWorkFactory) -> None:
    ledger(uow_factory)
    assert listed(uow_factory, collector=KIM) == [("checklist", "A"), ("call", "A"), ("promise_broken", "B")]
    assert listed(uow_factory, collector=LEE) == [
        ("checklist", "A"),
        ("promise_broken", "B"),
        ("review", "C"),
    ]


def test_tasks_due_later_and_closed_tasks_are_not_listed(uow_factory: UnitOfWorkFactory) -> None:
    ledger(uow_factory)
    assert ("dispute", "C") not in listed(uow_factory)
    assert ("call", "B") not in listed(uow_factory)
    with uow_factory() as uow:
        later = [(i.kind.value, i.customer_id) for i in worklist(uow, dt.date(2026, 7, 5))]
    assert ("dispute", "C") in later and ("call", "B") not in later


def test_an_empty_store_has_an_empty_worklist(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        assert worklist(uow, AS_OF) == []


def answers(uow_factory: UnitOfWorkFactory, customer_id: str) -> dict[str, tuple[str | None, str]]:
    with uow_factory() as uow:
        return {r.id: (r.answer, r.source) for r in checklist_view(uow, customer_id, "EUR", AS_OF)}


def test_the_records_answer_the_pattern_when_two_of_the_last_six_were_paid_late(
    uow_factory: UnitOfWorkFactory,
) -> None:
    ledger(uow_factory)
    b = answers(uow_factory, "B")
    assert b["pattern"] == ("yes", "records")
    assert b["busy_season"] == ("no", "records")  # two late payments are too few to tell a season
    assert b["right_recipient"] == ("yes", "records")  # B-1 went to a valid billing contact
    assert b["owner_contacted"] == (None, "") and b["first_response"] == (None, "")
    assert b["plan_offered"] == (None, "")
    assert answers(uow_factory, "A")["pattern"] == ("no", "records")  # no history, no pattern


def test_the_collectors_recorded_answers_win_over_the_records(uow_factory: UnitOfWorkFactory) -> None:
    ledger(uow_factory)
    with uow_factory() as uow:
        record_answers(uow, "B", "EUR", {"pattern": False, "owner_contacted": True}, by=KIM, at=AT)
        uow.commit()
    b = answers(uow_factory, "B")
    assert b["pattern"] == ("no", "collector")
    assert b["owner_contacted"] == ("yes", "collector")
    assert b["right_recipient"] == ("yes", "records")
    with uow_factory() as uow:
        assert uow.checklists.answers([CaseKey("B", "EUR")])[CaseKey("B", "EUR")]["pattern"] is False


def test_the_records_answer_owner_contacted_and_first_response_from_the_log(
    uow_factory: UnitOfWorkFactory,
) -> None:
    at = dt.datetime(2026, 3, 20, 10, tzinfo=dt.UTC)
    given(
        uow_factory,
        customer("C9"),
        contact("Olga", customer="C9", email="owner@c9.example", role="owner"),
        Activity(
            "call",
            at,
            "col@s.example",
            "C9",
            "reached Olga",
            data={"contact": "Olga", "outcome": "reached", "conversation": True},
        ),
    )
    with uow_factory() as uow:
        c9 = uow.customers.get("C9")
        assert c9 is not None
        checklist = checklist_for(uow, c9, "EUR", dt.date(2026, 3, 25))
    assert checklist.answer("owner_contacted") is True
    assert checklist.answer("first_response") is True
    assert checklist.answer("right_recipient") is None


def test_the_day_is_ranked_once_and_a_page_shows_its_slice_of_the_same_order(
    uow_factory: UnitOfWorkFactory,
) -> None:
    with uow_factory() as uow:
        customers = [customer(f"C{n}", name=f"Customer {n}") for n in range(1, 6)]
        uow.customers.add_many(customers)
        uow.invoices.add_many(
            [
                invoice(f"INV-{n}", customer=f"C{n}", amount=f"{n}000.00", due="2026-06-01")
                for n in range(1, 6)
            ]
        )
        uow.tasks.add_many(
            [Task(TaskKind.CALL, f"C{n}", "EUR", AS_OF, f"call C{n}", key="c") for n in range(1, 6)]
        )
        uow.commit()
    with uow_factory() as uow:
        before, total = worklist_page(uow, AS_OF, offset=0, limit=None)
        assert total == 5 and [i.customer_id for i in before] == [
            "C5",
            "C4",
            "C3",
            "C2",
            "C1",
        ]  # most owed first
        assert rescore(uow, AS_OF) == 5
        uow.commit()
    with uow_factory() as uow:
        assert all(r.scored_on == AS_OF and r.score is not None for r in uow.tasks.ranking(due_by=AS_OF))
        page, total = worklist_page(uow, AS_OF, offset=1, limit=2)
        assert total == 5 and [i.customer_id for i in page] == ["C4", "C3"]
        assert [i.score for i in page] == [i.score for i in before[1:3]]
