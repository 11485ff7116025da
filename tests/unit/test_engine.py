"""The engine's rules, one case at a time, as dated expectations (DESIGN.md "The collection case")."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from engine_world import World, consumer, d, item, people
from recoup.domain.calendar import BusinessCalendar
from recoup.domain.cases import Dispute, Hold, Installment, PaymentPlan, Promise, Settlement, SettlementStatus
from recoup.domain.customers import Contact, ContactRole
from recoup.domain.money import Money
from recoup.domain.tasks import TaskKind

# Due on Wednesday 2026-03-04: every step but call-1 (+10, a Saturday) falls on a weekday.
LADDER = [
    ("2026-02-27", "courtesy", "email"),
    ("2026-03-05", "reminder-1", "email"),
    ("2026-03-11", "reminder-2", "email"),
    ("2026-03-16", "call-1", "call"),
    ("2026-03-18", "reminder-3", "email"),
    ("2026-03-18", "reminder-3", "notify_sales"),
    ("2026-03-25", "call-2", "call"),
    ("2026-04-03", "final-notice", "email"),
    ("2026-04-03", "final-notice", "letter"),
]


def test_an_unpaid_invoice_climbs_the_whole_ladder_on_business_days_and_stops_at_the_gate() -> None:
    world = World(item("INV-1", "2026-03-04"))
    assert world.run_days("2026-02-01", "2026-09-30") == LADDER
    kinds = {t.kind for t in world.tasks.values()}
    assert {TaskKind.CHECKLIST, TaskKind.APPROVAL} <= kinds
    assert {t.step for t in world.tasks.values() if t.kind is TaskKind.APPROVAL} == {
        "agency-review",
        "litigation-review",
        "writeoff-review",
    }


def test_running_twice_on_the_same_day_adds_nothing() -> None:
    world = World(item("INV-1", "2026-03-04"))
    first = world.run("2026-03-05")
    again = world.run("2026-03-05")
    assert [a.step for a in first.actions] == ["reminder-1"]
    assert again.actions == () and again.steps == ()


def test_a_late_run_takes_only_the_highest_step_and_records_the_skipped_ones() -> None:
    world = World(item("INV-1", "2026-03-04"))
    decision = world.run("2026-03-20")
    assert [(a.step, str(a.action)) for a in decision.actions] == [
        ("reminder-3", "email"),
        ("reminder-3", "notify_sales"),
    ]
    assert [(r.step, str(r.status)) for r in decision.steps] == [
        ("reminder-3", "taken"),
        ("courtesy", "skipped"),
        ("reminder-1", "skipped"),
        ("reminder-2", "skipped"),
        ("call-1", "skipped"),
    ]
    assert any(x.code == "caught_up" for x in decision.diagnostics)


def test_one_message_per_case_lists_every_item_due_and_each_item_takes_its_own_step() -> None:
    world = World(item("INV-1", "2026-03-04"), item("INV-2", "2026-03-09"), item("INV-3", "2026-06-30"))
    decision = world.run("2026-03-05")
    (email,) = decision.actions
    assert (email.step, email.cycle, email.invoices) == ("reminder-1", "INV-1", ("INV-1", "INV-2"))
    assert email.total == Money("200.00", "EUR") and email.overdue == Money("100.00", "EUR")
    taken = {(r.invoice_number, r.step) for r in decision.steps if r.status == "taken"}
    assert taken == {("INV-1", "reminder-1"), ("INV-2", "courtesy")}


def test_the_cadence_holds_a_second_message_back_and_the_next_one_catches_up() -> None:
    world = World(item("INV-1", "2026-03-04"), item("INV-2", "2026-03-16"))
    sent = world.run_days("2026-03-05", "2026-03-12")
    # INV-2's courtesy falls due 2026-03-11, the day of INV-1's reminder-2: both go in one message.
    assert sent == [("2026-03-05", "reminder-1", "email"), ("2026-03-11", "reminder-2", "email")]
    steps = {(r.invoice_number, r.step) for _, dec in world.decisions for r in dec.steps}
    assert ("INV-2", "courtesy") in steps
    world2 = World(item("INV-1", "2026-03-04"), item("INV-2", "2026-03-09"))
    world2.run("2026-03-05")  # reminder-1 for INV-1, courtesy for INV-2
    held = world2.run("2026-03-10")  # INV-2's reminder-1: only five days... allowed; gap is 5
    assert [a.step for a in held.actions] == ["reminder-1"]
    early = World(item("INV-1", "2026-03-04"), item("INV-2", "2026-03-07"))
    early.run("2026-03-05")
    blocked = early.run("2026-03-09")  # INV-2 reminder-1 due 03-08 (Sunday): 4 days after the last message
    assert blocked.actions == ()
    assert [x.code for x in blocked.diagnostics] == ["cadence"]
    assert [a.step for a in early.run("2026-03-10").actions] == ["reminder-1"]


def test_a_disputed_item_is_never_chased_but_shown_as_disputed() -> None:
    world = World(item("INV-1", "2026-03-04"), item("INV-2", "2026-03-04"))
    world.dispute(Dispute("INV-2", "C1", "goods", d("2026-03-01")))
    (email,) = world.run("2026-03-05").actions
    assert email.invoices == ("INV-1",)
    assert email.shown == (("INV-2", "disputed (goods)"),)


def test_a_promise_pauses_its_items_until_the_date_plus_grace_then_a_broken_promise_resumes_with_a_task() -> (
    None
):
    world = World(item("INV-1", "2026-03-04"))
    world.run("2026-03-05")
    world.promise(Promise("C1", Money("100.00", "EUR"), d("2026-03-20"), d("2026-03-06"), id=7))
    assert world.run_days("2026-03-06", "2026-03-23") == []
    decision = world.run("2026-03-24")  # 20 + 3 days of grace have passed
    assert [e.kind for e in decision.events] == ["promise_broken"]
    assert [t.kind for t in decision.tasks] == [TaskKind.PROMISE_BROKEN]
    assert [(a.step, str(a.action)) for a in decision.actions] == [
        ("reminder-3", "email"),
        ("reminder-3", "notify_sales"),
    ]


def test_a_promise_paid_in_time_is_kept() -> None:
    world = World(item("INV-1", "2026-03-04"))
    world.promise(Promise("C1", Money("60.00", "EUR"), d("2026-03-20"), d("2026-03-06"), id=3))
    world.pay("2026-03-19", "INV-1", "60.00")
    decision = world.run("2026-03-19")
    assert [e.kind for e in decision.events] == ["promise_kept"]


def test_a_missed_instalment_defaults_the_plan_and_resumes_the_ladder() -> None:
    world = World(item("INV-1", "2026-03-04", "300.00"))
    instalments = tuple(
        Installment(d(day), Money("100.00", "EUR")) for day in ("2026-03-15", "2026-04-15", "2026-05-15")
    )
    world.plan(PaymentPlan("C1", instalments, d("2026-03-06"), id=5))
    world.pay("2026-03-14", "INV-1", "100.00")
    assert world.run_days("2026-03-06", "2026-04-18") == []
    decision = world.run("2026-04-20")
    assert [e.kind for e in decision.events] == ["plan_defaulted"]
    assert decision.actions and decision.actions[0].step == "final-notice"


def test_a_hold_stops_everything_until_it_ends() -> None:
    world = World(item("INV-1", "2026-03-04"))
    world.hold(Hold("C1", d("2026-03-10"), "key account in talks", d("2026-03-01")))
    assert world.run_days("2026-03-01", "2026-03-10") == []
    assert world.run("2026-03-11").actions[0].step == "reminder-2"


def test_a_settlement_offer_pauses_and_a_paid_one_is_reported_for_write_off() -> None:
    world = World(item("INV-1", "2026-03-04", "1000.00"))
    accepted = SettlementStatus.ACCEPTED
    world.settle(
        Settlement("C1", Money("700.00", "EUR"), d("2026-03-31"), d("2026-03-02"), status=accepted, id=9)
    )
    assert world.run_days("2026-03-02", "2026-03-20") == []
    world.pay("2026-03-21", "INV-1", "700.00")
    decision = world.run("2026-03-23")
    assert [e.kind for e in decision.events] == ["settlement_paid"]
    assert decision.actions == ()


def test_the_demand_letter_waits_for_the_checklist_and_reviews_wait_for_an_approval() -> None:
    world = World(item("INV-1", "2026-03-04"))
    world.run_days("2026-03-01", "2026-05-04")
    assert world.tasks and all(a[1] != "demand-letter" for a in world.sent)
    world.change(checklist_complete=True)
    assert world.run_days("2026-05-05", "2026-05-05") == [("2026-05-05", "demand-letter", "letter")]
    world.run_days("2026-05-06", "2026-06-05")
    world.change(approvals=frozenset({"agency-review"}))
    assert world.run_days("2026-06-08", "2026-06-08") == [("2026-06-08", "agency-review", "review_agency")]


def test_the_owner_gets_a_copy_of_the_second_reminder_and_sales_the_third() -> None:
    world = World(item("INV-1", "2026-03-04"))
    actions = {(a.step, str(a.action)): a for _, dec in [(0, world.run("2026-03-11"))] for a in dec.actions}
    assert actions[("reminder-2", "email")].recipients == ("ap@customer.example",)
    assert actions[("reminder-2", "email")].copies == ("owner@customer.example",)
    later = {str(a.action): a for a in world.run("2026-03-18").actions}
    assert later["notify_sales"].recipients == ("sam@supplier.example",)


def test_the_next_step_is_announced_with_what_the_customer_will_notice_of_it() -> None:
    world = World(item("INV-1", "2026-03-04"))
    (second,) = [a for a in world.run("2026-03-11").actions if str(a.action) == "email"]
    assert (second.step, second.next_step, second.next_kind) == ("reminder-2", "call-1", "call")
    (courtesy,) = World(item("INV-2", "2026-03-20")).run("2026-03-16").actions
    assert (courtesy.next_step, courtesy.next_kind) == ("reminder-1", "email")


def test_a_consumer_is_written_to_alone_within_the_day_and_never_told_of_an_undecided_step() -> None:
    contacts = (
        Contact("P1", "Pat Doe", ContactRole.BILLING, "pat@home.example", "+49 30 3333"),
        Contact("P1", "Partner", ContactRole.OTHER, "partner@home.example"),
    )
    world = World(item("INV-1", "2026-03-04"), customer=consumer(), contacts=contacts)
    (email,) = world.run("2026-03-11").actions
    assert email.recipients == ("pat@home.example",) and email.copies == ()
    assert email.consumer and email.window == (8, 21)
    world.run_days("2026-03-12", "2026-04-03")
    final = [a for _, dec in world.decisions for a in dec.actions if a.step == "final-notice"]
    assert final and final[0].next_step == "demand-letter"
    world.change(checklist_complete=True)
    (letter,) = world.run("2026-05-05").actions
    assert letter.next_step == ""  # agency review needs an approval: not announced to a consumer


def test_a_consumer_is_not_called_within_seven_days_of_a_conversation() -> None:
    world = World(item("INV-1", "2026-03-04"), customer=consumer(), contacts=people("P1")[:1])
    world.change(last_conversation_on=d("2026-03-12"))
    decision = world.run("2026-03-16")
    assert decision.actions == ()
    assert [x.code for x in decision.diagnostics] == ["cadence"]
    assert "conversation" in decision.diagnostics[0].message


def test_without_a_valid_email_the_step_waits_and_a_skip_tracing_task_is_raised() -> None:
    bounced = (Contact("C1", "Bea Billing", ContactRole.BILLING, "ap@customer.example", valid=False),)
    world = World(item("INV-1", "2026-03-04"), contacts=bounced)
    decision = world.run("2026-03-05")
    assert decision.actions == () and decision.steps == ()
    assert [t.kind for t in decision.tasks] == [TaskKind.NO_CONTACT]


def test_a_balance_within_the_tolerance_is_left_alone() -> None:
    world = World(item("INV-1", "2026-03-04", "100.00", balance="0.50"))
    world.policy = dataclasses.replace(world.policy, tolerance=Decimal("1"))
    decision = world.run("2026-03-05")
    assert decision.actions == () and [x.code for x in decision.diagnostics] == ["below_tolerance"]


def test_steps_falling_on_a_public_holiday_move_to_the_next_business_day() -> None:
    # Due 2026-12-24: reminder-1 falls on Christmas Day, a holiday in Germany; the 26th is a Saturday.
    world = World(item("INV-1", "2026-12-24"), calendar=BusinessCalendar())
    sent = world.run_days("2026-12-20", "2026-12-29")
    assert ("2026-12-28", "reminder-1", "email") in sent
    assert all(day not in {"2026-12-25", "2026-12-26", "2026-12-27"} for day, _, _ in sent)
    assert any(
        x.code == "not_business_day"
        for day, dec in world.decisions
        if day == dt.date(2026, 12, 25)
        for x in dec.diagnostics
    )
