"""The engine's storage, on every store: case records, ladder steps, outbox, tasks, checklists,
approvals and the run lock come back as they were stored, and the unique keys hold."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from sqlalchemy.exc import IntegrityError

from builders import customer, given, invoice
from fakes import ConstraintError
from recoup.domain.cases import (
    CaseKey,
    Dispute,
    DisputeStatus,
    Hold,
    Installment,
    PaymentPlan,
    PlanStatus,
    Promise,
    PromiseStatus,
    Settlement,
    SettlementStatus,
)
from recoup.domain.errors import ConcurrentRunError
from recoup.domain.ladder import OutboxItem, OutboxStatus, StepRecord, StepStatus
from recoup.domain.money import Money
from recoup.domain.tasks import Task, TaskKind, TaskStatus
from recoup.services.ports import UnitOfWorkFactory

D = dt.date(2026, 3, 1)
AT = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)
C1_EUR = CaseKey("C1", "EUR")
C1_USD = CaseKey("C1", "USD")
C2_EUR = CaseKey("C2", "EUR")


@pytest.fixture
def ledger(uow_factory: UnitOfWorkFactory) -> UnitOfWorkFactory:
    """Two customers, C1 with invoices INV-1 (EUR) and INV-2 (USD), C2 with INV-3 (EUR)."""
    given(
        uow_factory,
        customer("C1"),
        customer("C2"),
        invoice("INV-1", customer="C1", amount="100.00"),
        invoice("INV-2", customer="C1", amount="250.00", currency="USD"),
        invoice("INV-3", customer="C2", amount="75.50"),
    )
    return uow_factory


def eur(amount: str) -> Money:
    return Money(amount, "EUR")


def item(key: str, *, customer_id: str = "C1", currency: str = "EUR", **fields: object) -> OutboxItem:
    values: dict[str, object] = {
        "step": "reminder",
        "action": "email",
        "cycle": "INV-1",
        "as_of": D,
        "created_at": AT,
        "updated_at": AT,
    }
    values.update(fields)
    return OutboxItem(key, customer_id, currency, **values)  # type: ignore[arg-type]


def task(
    key: str = "k", *, kind: TaskKind = TaskKind.CALL, customer_id: str = "C1", **fields: object
) -> Task:
    return Task(kind, customer_id, "EUR", D, "call about the overdue items", key=key, **fields)  # type: ignore[arg-type]


# --- case records


def test_a_promise_comes_back_as_it_was_stored(ledger: UnitOfWorkFactory) -> None:
    promise = Promise("C1", eur("40.10"), dt.date(2026, 3, 15), D, invoices=("INV-1",))
    with ledger() as uow:
        stored = uow.promises.add(promise)
        uow.commit()
    assert stored.id is not None
    with ledger() as uow:
        got = uow.promises.get(stored.id)
        assert got == stored
        assert got is not None and got.amount == eur("40.10") and got.invoices == ("INV-1",)
        assert uow.promises.for_customer("C1") == [stored]
        assert uow.promises.get(stored.id + 1000) is None


def test_a_payment_plan_keeps_its_instalments_in_order(ledger: UnitOfWorkFactory) -> None:
    plan = PaymentPlan(
        "C1",
        (
            Installment(dt.date(2026, 4, 1), Money("50.00", "USD")),
            Installment(dt.date(2026, 5, 1), Money("200.00", "USD")),
        ),
        D,
        invoices=("INV-2",),
    )
    with ledger() as uow:
        stored = uow.plans.add(plan)
        uow.commit()
    with ledger() as uow:
        got = uow.plans.get(stored.id or 0)
    assert got == stored
    assert got is not None and got.total == Money("250.00", "USD") and got.currency == "USD"


def test_a_dispute_of_part_or_of_the_whole_invoice_comes_back(ledger: UnitOfWorkFactory) -> None:
    part = Dispute("INV-1", "C1", "price", D, amount=eur("10.00"))
    whole = Dispute("INV-2", "C1", "not_received", D)
    with ledger() as uow:
        stored = [uow.disputes.add(part), uow.disputes.add(whole)]
        uow.commit()
    with ledger() as uow:
        assert [uow.disputes.get(d.id or 0) for d in stored] == stored
        assert uow.disputes.for_customer("C1") == stored
        assert uow.disputes.for_customer("C2") == []


def test_a_hold_and_a_settlement_come_back_as_they_were_stored(ledger: UnitOfWorkFactory) -> None:
    hold = Hold("C2", dt.date(2026, 4, 30), "key account in talks", D)
    offer = Settlement("C1", eur("80.00"), dt.date(2026, 3, 31), D, invoices=("INV-1",))
    with ledger() as uow:
        hold, offer = uow.holds.add(hold), uow.settlements.add(offer)
        uow.commit()
    with ledger() as uow:
        assert uow.holds.get(hold.id or 0) == hold
        assert uow.settlements.get(offer.id or 0) == offer
        assert uow.settlements.get(offer.id or 0).amount == eur("80.00")  # type: ignore[union-attr]


def test_a_case_record_needs_a_known_customer(ledger: UnitOfWorkFactory) -> None:
    with pytest.raises((ConstraintError, IntegrityError)), ledger() as uow:
        uow.holds.add(Hold("NOBODY", dt.date(2026, 4, 30), "why not", D))


def test_open_for_gives_only_the_records_in_force_of_the_customers_asked_oldest_first(
    ledger: UnitOfWorkFactory,
) -> None:
    with ledger() as uow:
        kept = uow.promises.add(Promise("C1", eur("5.00"), D, D, status=PromiseStatus.KEPT))
        p1 = uow.promises.add(Promise("C1", eur("5.00"), D, D))
        p2 = uow.promises.add(Promise("C2", eur("6.00"), D, D))
        p3 = uow.promises.add(Promise("C1", eur("7.00"), D, D))
        plan = PaymentPlan("C1", (Installment(D, eur("1.00")),), D)
        active = uow.plans.add(plan)
        uow.plans.add(PaymentPlan("C1", (Installment(D, eur("1.00")),), D, status=PlanStatus.DEFAULTED))
        open_dispute = uow.disputes.add(Dispute("INV-1", "C1", "goods", D))
        uow.disputes.add(
            Dispute("INV-1", "C1", "goods", D, status=DisputeStatus.RESOLVED, outcome="rejected")
        )
        hold = uow.holds.add(Hold("C1", D, "talks", D))
        uow.holds.add(Hold("C1", D, "talks", D, released_on=D))
        offered = uow.settlements.add(Settlement("C1", eur("9.00"), D, D))
        accepted = uow.settlements.add(Settlement("C1", eur("9.00"), D, D, status=SettlementStatus.ACCEPTED))
        uow.settlements.add(Settlement("C1", eur("9.00"), D, D, status=SettlementStatus.LAPSED))
        uow.commit()
    with ledger() as uow:
        assert uow.promises.open_for(["C1", "C2"]) == [p1, p2, p3]
        assert uow.promises.open_for(["C1"]) == [p1, p3]
        assert uow.promises.open_for([]) == []
        assert kept in uow.promises.for_customer("C1")
        assert uow.plans.open_for(["C1"]) == [active]
        assert uow.disputes.open_for(["C1"]) == [open_dispute]
        assert uow.holds.open_for(["C1"]) == [hold]
        assert uow.settlements.open_for(["C1"]) == [offered, accepted]


def test_replace_stores_the_new_status_of_each_record(ledger: UnitOfWorkFactory) -> None:
    with ledger() as uow:
        promise = uow.promises.add(Promise("C1", eur("5.00"), D, D))
        plan = uow.plans.add(PaymentPlan("C1", (Installment(D, eur("1.00")),), D))
        dispute = uow.disputes.add(Dispute("INV-1", "C1", "goods", D))
        hold = uow.holds.add(Hold("C1", D, "talks", D))
        offer = uow.settlements.add(Settlement("C1", eur("9.00"), D, D))
        uow.commit()
    later = D + dt.timedelta(days=3)
    with ledger() as uow:
        uow.promises.replace(replace(promise, status=PromiseStatus.BROKEN))
        uow.plans.replace(replace(plan, status=PlanStatus.COMPLETED))
        uow.disputes.replace(
            replace(dispute, status=DisputeStatus.RESOLVED, outcome="credited", resolved_on=later)
        )
        uow.holds.replace(replace(hold, released_on=later))
        uow.settlements.replace(replace(offer, status=SettlementStatus.ACCEPTED))
        uow.commit()
    with ledger() as uow:
        assert uow.promises.get(promise.id or 0) == replace(promise, status=PromiseStatus.BROKEN)
        assert uow.plans.get(plan.id or 0) == replace(plan, status=PlanStatus.COMPLETED)
        assert uow.disputes.get(dispute.id or 0) == replace(
            dispute, status=DisputeStatus.RESOLVED, outcome="credited", resolved_on=later
        )
        assert uow.holds.get(hold.id or 0) == replace(hold, released_on=later)
        assert uow.settlements.get(offer.id or 0) == replace(offer, status=SettlementStatus.ACCEPTED)
        assert uow.promises.open_for(["C1"]) == []
        assert uow.holds.open_for(["C1"]) == []
        assert uow.settlements.open_for(["C1"]) == [replace(offer, status=SettlementStatus.ACCEPTED)]


# --- ladder steps


def test_steps_come_back_per_invoice(ledger: UnitOfWorkFactory) -> None:
    taken = StepRecord("INV-1", "reminder", D, StepStatus.TAKEN, outbox_key="C1/EUR/reminder/INV-1/email")
    skipped = StepRecord("INV-1", "friendly", D, StepStatus.SKIPPED)
    other = StepRecord("INV-3", "reminder", D, StepStatus.TAKEN)
    with ledger() as uow:
        uow.steps.add_many([taken, skipped, other])
        uow.commit()
    with ledger() as uow:
        assert uow.steps.for_invoices(["INV-1"]) == [taken, skipped]
        assert uow.steps.for_invoices(["INV-1", "INV-3", "INV-9"]) == [taken, skipped, other]
        assert uow.steps.for_invoices([]) == []


def test_a_second_record_of_the_same_step_of_an_invoice_is_refused(ledger: UnitOfWorkFactory) -> None:
    with ledger() as uow:
        uow.steps.add_many([StepRecord("INV-1", "reminder", D, StepStatus.TAKEN)])
        uow.commit()
    with pytest.raises((ConstraintError, IntegrityError)), ledger() as uow:
        uow.steps.add_many([StepRecord("INV-1", "reminder", D + dt.timedelta(days=1), StepStatus.SKIPPED)])
    with ledger() as uow:
        assert uow.steps.for_invoices(["INV-1"]) == [StepRecord("INV-1", "reminder", D, StepStatus.TAKEN)]


# --- outbox


def test_an_outbox_item_comes_back_with_its_payload_and_times(ledger: UnitOfWorkFactory) -> None:
    payload = {"invoices": ["INV-1"], "to": ["ap@c1.example"], "amount_minor": 10000, "tone": "firm"}
    planned = item("k1", payload=payload, not_before=AT + dt.timedelta(hours=2), attempts=0)
    with ledger() as uow:
        assert uow.outbox.add_many([planned]) == 1
        uow.commit()
    with ledger() as uow:
        [got] = uow.outbox.for_customer("C1")
        assert got.id is not None
        assert got == replace(planned, id=got.id)  # payload is not compared by ==
        assert got.payload == payload
        assert (got.not_before, got.created_at, got.updated_at) == (AT + dt.timedelta(hours=2), AT, AT)
        assert got.not_before is not None and got.not_before.utcoffset() == dt.timedelta(0)
        assert uow.outbox.get(got.id) == got
        assert uow.outbox.get(got.id + 1000) is None
        assert uow.outbox.existing_keys(["k1", "k2"]) == {"k1"}


def test_adding_an_outbox_key_twice_inserts_it_once(ledger: UnitOfWorkFactory) -> None:
    with ledger() as uow:
        assert uow.outbox.add_many([item("k1"), item("k1", action="letter")]) == 1
        uow.commit()
    with ledger() as uow:
        assert uow.outbox.add_many([item("k1"), item("k2")]) == 1
        assert uow.outbox.add_many([item("k1"), item("k2")]) == 0
        uow.commit()
    with ledger() as uow:
        assert [(o.key, o.action) for o in uow.outbox.for_customer("C1")] == [
            ("k1", "email"),
            ("k2", "email"),
        ]


def test_due_gives_the_pending_items_whose_time_has_come_oldest_first(ledger: UnitOfWorkFactory) -> None:
    now = AT + dt.timedelta(hours=1)
    with ledger() as uow:
        uow.outbox.add_many(
            [
                item("now"),
                item("later", not_before=now + dt.timedelta(seconds=1)),
                item("sent", status=OutboxStatus.SENT),
                item("just_now", not_before=now),
                item("earlier", not_before=AT),
            ]
        )
        uow.commit()
    with ledger() as uow:
        assert [o.key for o in uow.outbox.due(now)] == ["now", "just_now", "earlier"]
        assert [o.key for o in uow.outbox.due(now, limit=2)] == ["now", "just_now"]
        assert [o.key for o in uow.outbox.due(now + dt.timedelta(days=1))] == [
            "now",
            "later",
            "just_now",
            "earlier",
        ]
        assert [o.key for o in uow.outbox.with_status(OutboxStatus.SENT)] == ["sent"]


def test_mark_sets_the_status_the_time_the_error_and_the_attempts(ledger: UnitOfWorkFactory) -> None:
    with ledger() as uow:
        uow.outbox.add_many([item("k1"), item("k2")])
        uow.commit()
    later = AT + dt.timedelta(minutes=5)
    with ledger() as uow:
        k1, k2 = uow.outbox.for_customer("C1")
        uow.outbox.mark(k1.id or 0, OutboxStatus.IN_FLIGHT, at=later, attempts=1)
        uow.outbox.mark(k2.id or 0, OutboxStatus.FAILED, at=later, error="mailbox does not exist")
        uow.commit()
    with ledger() as uow:
        k1, k2 = uow.outbox.for_customer("C1")
        assert (k1.status, k1.attempts, k1.updated_at, k1.error) == (OutboxStatus.IN_FLIGHT, 1, later, "")
        assert (k2.status, k2.attempts, k2.error) == (OutboxStatus.FAILED, 0, "mailbox does not exist")
        assert uow.outbox.due(later + dt.timedelta(days=1)) == []
        uow.outbox.mark(k1.id or 0, OutboxStatus.SENT, at=later)
        assert uow.outbox.get(k1.id or 0).attempts == 1  # type: ignore[union-attr]


def test_last_sent_is_the_latest_day_of_an_item_sent_or_on_its_way_per_case(
    ledger: UnitOfWorkFactory,
) -> None:
    days = [D + dt.timedelta(days=n) for n in range(10)]
    with ledger() as uow:
        uow.outbox.add_many(
            [
                item("a", as_of=days[1], status=OutboxStatus.SENT),
                item("b", as_of=days[3], status=OutboxStatus.PENDING),
                item("c", as_of=days[9], status=OutboxStatus.FAILED),
                item("d", as_of=days[8], status=OutboxStatus.CANCELLED),
                item("e", as_of=days[7], action="notify_sales"),
                item("f", currency="USD", as_of=days[2], status=OutboxStatus.REVIEW),
                item("g", currency="USD", as_of=days[4], status=OutboxStatus.IN_FLIGHT, action="letter"),
                item("h", customer_id="C2", as_of=days[5], status=OutboxStatus.SENT),
            ]
        )
        uow.commit()
    with ledger() as uow:
        everyone = [C1_EUR, C1_USD, C2_EUR, CaseKey("C3", "EUR")]
        assert uow.outbox.last_sent(everyone, ["email", "letter"]) == {
            C1_EUR: days[3],
            C1_USD: days[4],
            C2_EUR: days[5],
        }
        assert uow.outbox.last_sent([C1_USD], ["email"]) == {C1_USD: days[2]}
        assert uow.outbox.last_sent([C1_EUR], ["notify_sales"]) == {C1_EUR: days[7]}
        assert uow.outbox.last_sent([C1_EUR], []) == {}
        assert uow.outbox.last_sent([], ["email"]) == {}


# --- tasks


def test_a_task_comes_back_as_it_was_stored(ledger: UnitOfWorkFactory) -> None:
    raised = task(
        "reminder/INV-1", step="reminder", invoices=("INV-1",), assignee="ann@x.example", data={"n": [1]}
    )
    with ledger() as uow:
        assert uow.tasks.add_many([raised]) == 1
        uow.commit()
    with ledger() as uow:
        [got] = uow.tasks.open()
        assert got.id is not None and got == replace(raised, id=got.id)
        assert got.data == {"n": [1]}
        assert uow.tasks.get(got.id) == got


def test_a_task_already_open_is_not_raised_again(ledger: UnitOfWorkFactory) -> None:
    with ledger() as uow:
        assert uow.tasks.add_many([task("a"), task("a"), task("b")]) == 2
        uow.commit()
    with ledger() as uow:
        assert uow.tasks.add_many([task("a"), task("b"), task("c")]) == 1
        # another kind, customer or currency is another task
        others = [
            task("a", kind=TaskKind.REVIEW),
            task("a", customer_id="C2"),
            replace(task("a"), currency="USD"),
        ]
        assert uow.tasks.add_many(others) == 3
        uow.commit()
    with ledger() as uow:
        assert len(uow.tasks.open()) == 6


def test_a_closed_task_lets_the_same_task_be_raised_again(ledger: UnitOfWorkFactory) -> None:
    with ledger() as uow:
        uow.tasks.add_many([task("a")])
        uow.commit()
    with ledger() as uow:
        [first] = uow.tasks.open()
        uow.tasks.close(first.id or 0, TaskStatus.DONE, at=AT)
        uow.commit()
    with ledger() as uow:
        assert uow.tasks.get(first.id or 0).status is TaskStatus.DONE  # type: ignore[union-attr]
        assert uow.tasks.open() == []
        assert uow.tasks.add_many([task("a")]) == 1
        assert uow.tasks.add_many([task("a")]) == 0
        uow.commit()


def test_open_tasks_can_be_filtered_by_customer_and_assignee(ledger: UnitOfWorkFactory) -> None:
    with ledger() as uow:
        uow.tasks.add_many(
            [
                task("1", assignee="ann@x.example"),
                task("2", customer_id="C2", assignee="ann@x.example"),
                task("3"),
                task("4", status=TaskStatus.CANCELLED),
            ]
        )
        uow.commit()
    with ledger() as uow:
        assert [t.key for t in uow.tasks.open()] == ["1", "2", "3"]
        assert [t.key for t in uow.tasks.open(customer_ids=["C1"])] == ["1", "3"]
        assert [t.key for t in uow.tasks.open(assignee="ann@x.example")] == ["1", "2"]
        assert [t.key for t in uow.tasks.open(customer_ids=["C2"], assignee="")] == []
        assert [t.key for t in uow.tasks.open(customer_ids=[])] == []


# --- checklists and approvals


def test_the_latest_checklist_answer_wins(ledger: UnitOfWorkFactory) -> None:
    with ledger() as uow:
        uow.checklists.record(C1_EUR, "address_verified", False, by="ann", at=AT)
        uow.checklists.record(C1_EUR, "debt_acknowledged", True, by="ann", at=AT)
        uow.checklists.record(C1_EUR, "address_verified", True, by="bob", at=AT + dt.timedelta(hours=1))
        uow.checklists.record(C1_USD, "address_verified", False, by="bob", at=AT)
        uow.commit()
    with ledger() as uow:
        uow.checklists.record(C1_USD, "address_verified", True, by="bob", at=AT + dt.timedelta(days=1))
        uow.checklists.record(C1_USD, "address_verified", False, by="bob", at=AT + dt.timedelta(days=2))
        uow.commit()
    with ledger() as uow:
        assert uow.checklists.answers([C1_EUR, C1_USD, C2_EUR]) == {
            C1_EUR: {"address_verified": True, "debt_acknowledged": True},
            C1_USD: {"address_verified": False},
        }
        assert uow.checklists.answers([C1_EUR]) == {
            C1_EUR: {"address_verified": True, "debt_acknowledged": True}
        }


def test_an_approval_is_unused_until_its_step_is_taken(ledger: UnitOfWorkFactory) -> None:
    with ledger() as uow:
        uow.approvals.add(C1_EUR, "final_notice", by="boss", at=AT)
        uow.approvals.add(C1_EUR, "agency", by="boss", at=AT)
        uow.approvals.add(C2_EUR, "final_notice", by="boss", at=AT)
        uow.commit()
    with ledger() as uow:
        assert uow.approvals.unused([C1_EUR, C1_USD, C2_EUR]) == {
            C1_EUR: {"final_notice", "agency"},
            C2_EUR: {"final_notice"},
        }
        uow.approvals.use(C1_EUR, "final_notice", on=D)
        uow.commit()
    with ledger() as uow:
        assert uow.approvals.unused([C1_EUR, C2_EUR]) == {C1_EUR: {"agency"}, C2_EUR: {"final_notice"}}
        uow.approvals.use(C1_EUR, "agency", on=D)
        uow.commit()
    with ledger() as uow:
        assert uow.approvals.unused([C1_EUR]) == {}
        uow.approvals.add(C1_EUR, "agency", by="boss", at=AT)  # approved again for a new cycle
        assert uow.approvals.unused([C1_EUR]) == {C1_EUR: {"agency"}}


# --- the run lock


def test_a_second_run_lock_is_refused_while_the_first_is_held(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as first:
        first.locks.acquire("daily", holder="host-a pid 1", at=AT)
        first.commit()
    with uow_factory() as second:
        with pytest.raises(ConcurrentRunError) as refused:
            second.locks.acquire("daily", holder="host-b pid 2", at=AT + dt.timedelta(minutes=1))
        message = str(refused.value)
        assert "host-a pid 1" in message
        assert "2026-03-01 09:30:00" in message
        assert "recoup run --unlock" in message
        # the refusal leaves the unit of work usable
        second.locks.acquire("other", holder="host-b pid 2", at=AT)
        second.commit()


def test_a_released_run_lock_can_be_acquired_again(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as first:
        first.locks.acquire("daily", holder="host-a", at=AT)
        first.commit()
        first.locks.release("daily")
        first.commit()
    with uow_factory() as second:
        second.locks.acquire("daily", holder="host-b", at=AT)
        second.commit()
    with uow_factory() as third, pytest.raises(ConcurrentRunError, match="host-b"):
        third.locks.acquire("daily", holder="host-c", at=AT)


def test_an_uncommitted_run_lock_is_dropped_with_its_unit_of_work(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as first:
        first.locks.acquire("daily", holder="host-a", at=AT)
    with uow_factory() as second:
        second.locks.acquire("daily", holder="host-b", at=AT)
        second.commit()
