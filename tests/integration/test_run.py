"""The day's run and the dispatcher through storage: fake, SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from builders import contact, customer, given, invoice, payment
from recoup.adapters.channels.recording import RecordingChannel
from recoup.domain.activity import Activity
from recoup.domain.calendar import WeekendsOnly
from recoup.domain.cases import CaseKey
from recoup.domain.errors import ConcurrentRunError
from recoup.domain.ladder import OutboxItem, OutboxStatus
from recoup.domain.tasks import TaskKind
from recoup.services.dispatch import dispatch
from recoup.services.policies import PolicyBook, default_policy
from recoup.services.ports import Receipt, TransientChannelError, UnitOfWorkFactory
from recoup.services.run import plan_run

BOOK = PolicyBook(default_policy())
CAL = WeekendsOnly()


def at(day: str, hour: int = 9) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=dt.UTC)


def channels() -> dict[str, RecordingChannel]:
    ch = RecordingChannel()
    return {"email": ch, "letter": ch, "notify_sales": ch}


def ledger(uow_factory: UnitOfWorkFactory) -> None:
    given(
        uow_factory,
        customer("C1", sales_owner="sam@supplier.example", time_zone="UTC"),
        contact("Bea", customer="C1", email="ap@c1.example"),
        contact("Olga", customer="C1", email="owner@c1.example", role="owner"),
        invoice("INV-1", customer="C1", amount="100.00", issued="2026-02-02", due="2026-03-04"),
        invoice("INV-2", customer="C1", amount="50.00", issued="2026-02-07", due="2026-03-09"),
    )


def run(uow_factory: UnitOfWorkFactory, day: str, **kw: object) -> dict[str, object]:
    result = plan_run(
        uow_factory, book=BOOK, calendar=CAL, as_of=dt.date.fromisoformat(day), at=at(day), **kw
    )  # type: ignore[arg-type]
    return result.as_dict()


def test_a_run_plans_one_consolidated_message_and_a_second_run_lists_nothing(
    uow_factory: UnitOfWorkFactory,
) -> None:
    ledger(uow_factory)
    first = run(uow_factory, "2026-03-05")
    assert [(a["step"], a["action"], a["invoices"]) for a in first["actions"]] == [  # type: ignore[index]
        ("reminder-1", "email", ["INV-1", "INV-2"])
    ]
    assert first["actions"][0]["recipients"] == ["ap@c1.example"]  # type: ignore[index]
    assert run(uow_factory, "2026-03-05")["actions"] == []
    with uow_factory() as uow:
        (item,) = uow.outbox.for_customer("C1")
        assert (item.step, item.status, item.key) == (
            "reminder-1",
            OutboxStatus.PENDING,
            "C1/EUR/reminder-1/INV-1/email",
        )
        steps = {(r.invoice_number, r.step, r.status) for r in uow.steps.for_invoices(["INV-1", "INV-2"])}
        assert steps == {
            ("INV-1", "courtesy", "skipped"),
            ("INV-1", "reminder-1", "taken"),
            ("INV-2", "courtesy", "taken"),
        }


def test_a_dry_run_shows_the_plan_and_changes_nothing(uow_factory: UnitOfWorkFactory) -> None:
    ledger(uow_factory)
    dry = run(uow_factory, "2026-03-05", dry_run=True)
    assert [a["step"] for a in dry["actions"]] == ["reminder-1"]  # type: ignore[union-attr]
    with uow_factory() as uow:
        assert uow.outbox.for_customer("C1") == []
        assert uow.steps.for_invoices(["INV-1", "INV-2"]) == []
    assert [a["step"] for a in run(uow_factory, "2026-03-05")["actions"]] == ["reminder-1"]  # type: ignore[union-attr]


def test_the_dispatcher_records_the_message_in_the_log_once(uow_factory: UnitOfWorkFactory) -> None:
    ledger(uow_factory)
    run(uow_factory, "2026-03-05")
    sent = dispatch(uow_factory, channels(), now=lambda: at("2026-03-05", 10))
    assert sent.sent == ["C1/EUR/reminder-1/INV-1/email"]
    again = dispatch(uow_factory, channels(), now=lambda: at("2026-03-05", 11))
    assert again.sent == []
    with uow_factory() as uow:
        log = [a for a in uow.activities.for_customer("C1") if a.kind == "email"]
        (item,) = uow.outbox.for_customer("C1")
    assert item.status is OutboxStatus.SENT
    assert len(log) == 1
    body = str(log[0].data["body"])
    assert "INV-1" in body and "INV-2" in body and "150,00\xa0€" in body  # German: the customer is in DE
    assert log[0].invoices == ("INV-1", "INV-2")


def test_a_paid_invoice_leaves_the_ladder_and_calls_become_tasks(uow_factory: UnitOfWorkFactory) -> None:
    ledger(uow_factory)
    given(uow_factory, payment("P1", customer="C1", amount="50.00", on="2026-03-06", invoices=["INV-2"]))
    run(uow_factory, "2026-03-16")  # call-1 for INV-1 (reminder-2 passed over)
    result = dispatch(uow_factory, channels(), now=lambda: at("2026-03-16", 10))
    assert result.statuses == {"C1/EUR/call-1/INV-1/call": "task"}
    with uow_factory() as uow:
        (task,) = uow.tasks.open(customer_ids=["C1"])
    assert task.kind is TaskKind.CALL and task.invoices == ("INV-1",)


def test_a_second_run_while_one_holds_the_lock_is_refused(uow_factory: UnitOfWorkFactory) -> None:
    ledger(uow_factory)
    with uow_factory() as uow:
        uow.locks.acquire("run", holder="another process", at=at("2026-03-05"))
        uow.commit()
    with pytest.raises(ConcurrentRunError, match="another process"):
        run(uow_factory, "2026-03-05")
    with uow_factory() as uow:
        assert uow.outbox.for_customer("C1") == []


class Flaky:
    def __init__(self, failures: int) -> None:
        self.failures = failures

    def send(self, item: OutboxItem) -> Receipt:
        if self.failures:
            self.failures -= 1
            raise TransientChannelError("421 try again later")
        return Receipt("sent")


def test_a_transient_failure_is_retried_after_a_backoff(uow_factory: UnitOfWorkFactory) -> None:
    ledger(uow_factory)
    run(uow_factory, "2026-03-05")
    flaky = Flaky(1)
    first = dispatch(uow_factory, {"email": flaky}, now=lambda: at("2026-03-05", 10))
    assert first.retrying == ["C1/EUR/reminder-1/INV-1/email"]
    too_soon = dispatch(uow_factory, {"email": flaky}, now=lambda: at("2026-03-05", 10))
    assert too_soon.sent == []
    later = dispatch(uow_factory, {"email": flaky}, now=lambda: at("2026-03-05", 11))
    assert later.sent == ["C1/EUR/reminder-1/INV-1/email"]


def test_an_item_left_in_flight_is_flagged_for_review_and_not_sent_again(
    uow_factory: UnitOfWorkFactory,
) -> None:
    ledger(uow_factory)
    run(uow_factory, "2026-03-05")
    with uow_factory() as uow:
        (item,) = uow.outbox.for_customer("C1")
        assert item.id is not None
        uow.outbox.mark(item.id, OutboxStatus.IN_FLIGHT, at=at("2026-03-05", 10), attempts=1)
        uow.commit()
    result = dispatch(uow_factory, channels(), now=lambda: at("2026-03-05", 12))
    assert result.review == [item.key] and result.sent == []
    with uow_factory() as uow:
        assert uow.outbox.get(item.id).status is OutboxStatus.REVIEW  # type: ignore[union-attr]
        assert [t.kind for t in uow.tasks.open(customer_ids=["C1"])] == [TaskKind.IN_FLIGHT]


def test_a_call_logged_by_a_collector_counts_for_the_call_cadence(uow_factory: UnitOfWorkFactory) -> None:
    ledger(uow_factory)
    logged = Activity(
        "call",
        at("2026-03-12", 15),
        "collector@supplier.example",
        "C1",
        "reached Bea, will check with her manager",
        data={"outcome": "reached", "reason": "awaiting_approval", "conversation": True},
    )
    given(uow_factory, logged)
    result = run(uow_factory, "2026-03-16")  # call-1 due, but a call was made four days ago
    assert "call" not in [a["action"] for a in result["actions"]]  # type: ignore[union-attr]
    assert any(d["code"] == "cadence" and "call" in d["message"] for d in result["diagnostics"])  # type: ignore[union-attr]
    later = run(uow_factory, "2026-03-19")  # seven days after the logged call: calls are due again
    assert ("call-1", "call") in [(a["step"], a["action"]) for a in later["actions"]]  # type: ignore[union-attr]


def test_a_case_waiting_at_the_checklist_is_left_alone_until_the_checklist_is_answered(
    uow_factory: UnitOfWorkFactory,
) -> None:
    ledger(uow_factory)
    first = run(uow_factory, "2026-05-05")
    assert ("final-notice", "letter") in [(a["step"], a["action"]) for a in first["actions"]]  # type: ignore[union-attr]
    assert [t["kind"] for t in first["tasks"]] == ["checklist"]  # type: ignore[union-attr]
    with uow_factory() as uow:
        waiting = [r for r in uow.steps.for_invoices(["INV-1"]) if r.step == "demand-letter"]
    assert [r.status for r in waiting] == ["waiting"]
    quiet = run(uow_factory, "2026-05-06")
    assert quiet["cases"] == 0 and quiet["actions"] == []
    with uow_factory() as uow:
        for question in ("right_recipient", "owner_contacted", "first_response", "plan_offered"):
            uow.checklists.record(
                CaseKey("C1", "EUR"), question, True, by="col@s.example", at=at("2026-05-06")
            )
        uow.commit()
    after = run(uow_factory, "2026-05-11")  # five days after the final notice: the cadence allows a letter
    assert [(a["step"], a["action"]) for a in after["actions"]] == [("demand-letter", "letter")]  # type: ignore[union-attr]
    with uow_factory() as uow:
        statuses = {r.step: r.status for r in uow.steps.for_invoices(["INV-1"])}
    assert statuses["demand-letter"] == "taken"


def test_a_message_is_held_back_outside_the_customers_local_hours(uow_factory: UnitOfWorkFactory) -> None:
    given(
        uow_factory,
        customer("P1", consumer=True, time_zone="Asia/Seoul", country="KR"),
        contact("Pat", customer="P1", email="pat@home.example"),
        invoice("INV-9", customer="P1", amount="100", currency="KRW", issued="2026-02-02", due="2026-03-04"),
    )
    run(uow_factory, "2026-03-05")
    late_evening = dt.datetime(2026, 3, 5, 13, tzinfo=dt.UTC)  # 22:00 in Seoul
    held = dispatch(uow_factory, channels(), now=lambda: late_evening)
    assert held.statuses == {"P1/KRW/reminder-1/INV-9/email": "waiting"}
    next_morning = dt.datetime(2026, 3, 5, 23, tzinfo=dt.UTC)  # 08:00 in Seoul on the 6th
    sent = dispatch(uow_factory, channels(), now=lambda: next_morning).sent
    assert sent == ["P1/KRW/reminder-1/INV-9/email"]


def test_a_message_to_a_german_consumer_carries_the_first_demand_content(
    uow_factory: UnitOfWorkFactory,
) -> None:
    given(
        uow_factory,
        customer("P2", consumer=True, time_zone="UTC"),
        contact("Pia", customer="P2", email="pia@home.example"),
        invoice("INV-7", customer="P2", issued="2026-02-02", due="2026-03-04"),
    )
    run(uow_factory, "2026-03-05")
    dispatch(uow_factory, channels(), now=lambda: at("2026-03-05", 10))
    with uow_factory() as uow:
        (item,) = uow.outbox.for_customer("P2")
        (email,) = [a for a in uow.activities.for_customer("P2") if a.kind == "email"]
    assert [n["code"] for n in item.payload["notices"]] == ["de-rdg-13a"]
    assert "Zinsberechnung" in str(email.data["body"])  # the RDG §13a content, in German
