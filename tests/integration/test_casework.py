"""Working a case, on every store: each command stores its record and one log entry, raises the tasks
it should, and refuses bad input with a clear error, changing nothing even if the caller commits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from builders import contact, credit_note, customer, given, invoice, payment
from recoup.domain.cases import (
    CaseKey,
    DisputeStatus,
    PlanStatus,
    PromiseStatus,
    SettlementStatus,
)
from recoup.domain.contact_log import ContactKind, FollowUp, Outcome, Reason
from recoup.domain.errors import (
    DomainError,
    DuplicateError,
    InvalidInputError,
    InvalidStateError,
    InvalidValueError,
    NotFoundError,
    PromiseExceedsBalanceError,
)
from recoup.domain.invoices import InvoiceStatus
from recoup.domain.money import Money
from recoup.domain.tasks import TaskKind, TaskStatus
from recoup.services import casework
from recoup.services.ports import UnitOfWork, UnitOfWorkFactory

AT = dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC)  # after the builders' records; `on` is the business date
ON = dt.date(2026, 3, 2)
WHO = {"at": AT, "on": ON, "actor": "cora@supplier.example"}
OWNER = "sam@supplier.example"


def eur(amount: str) -> Money:
    return Money(amount, "EUR")


def usd(amount: str) -> Money:
    return Money(amount, "USD")


@pytest.fixture
def ledger(uow_factory: UnitOfWorkFactory) -> UnitOfWorkFactory:
    """C1 (sales owner Sam) owes INV-1 100.00 EUR, INV-4 50.00 EUR and INV-2 250.00 USD; INV-5 is paid.
    C2 owes INV-3 75.50 EUR."""
    given(
        uow_factory,
        customer("C1", sales_owner=OWNER),
        customer("C2"),
        contact("Petra Klein", customer="C1", email="petra@c1.example"),
        invoice("INV-1", customer="C1", amount="100.00", due="2026-01-31"),
        invoice("INV-4", customer="C1", amount="50.00", due="2026-02-15"),
        invoice("INV-2", customer="C1", amount="250.00", currency="USD", due="2026-02-01"),
        invoice("INV-5", customer="C1", amount="20.00", due="2026-01-20"),
        invoice("INV-3", customer="C2", amount="75.50", due="2026-02-01"),
        payment("PAY-1", customer="C1", amount="20.00", on="2026-01-25", invoices=["INV-5"]),
    )
    return uow_factory


def state(factory: UnitOfWorkFactory) -> dict[str, Any]:
    """Everything a casework command may change, for comparing before and after."""
    with factory() as uow:
        cases = [CaseKey(c, cur) for c in ("C1", "C2") for cur in ("EUR", "USD")]
        return {
            "activities": [(a.kind, a.text) for c in ("C1", "C2") for a in uow.activities.for_customer(c)],
            "promises": uow.promises.open_for(None),
            "plans": uow.plans.open_for(None),
            "disputes": [uow.disputes.for_customer(c) for c in ("C1", "C2")],
            "holds": [uow.holds.for_customer(c) for c in ("C1", "C2")],
            "settlements": [uow.settlements.for_customer(c) for c in ("C1", "C2")],
            "tasks": [(t.kind, t.key, t.status) for t in uow.tasks.open()],
            "invoices": sorted((i.number, i.status, i.open_balance) for i in uow.invoices.for_customer("C1")),
            "contacts": uow.contacts.for_customer("C1"),
            "approvals": uow.approvals.unused(cases),
            "answers": uow.checklists.answers(cases),
        }


def refused(
    factory: UnitOfWorkFactory, error: type[DomainError], command: Callable[[UnitOfWork], object]
) -> DomainError:
    """Run ``command``, expect ``error``, commit anyway, and check that nothing changed."""
    before = state(factory)
    with factory() as uow:
        with pytest.raises(error) as caught:
            command(uow)
        uow.commit()
    assert state(factory) == before
    return caught.value


def run(factory: UnitOfWorkFactory, command: Callable[[UnitOfWork], Any]) -> Any:
    with factory() as uow:
        result = command(uow)
        uow.commit()
    return result


def latest(factory: UnitOfWorkFactory, customer_id: str = "C1") -> Any:
    with factory() as uow:
        return uow.activities.for_customer(customer_id, limit=1)[0]


def open_tasks(factory: UnitOfWorkFactory, customer_id: str = "C1") -> list[Any]:
    with factory() as uow:
        return uow.tasks.open(customer_ids=[customer_id])


# --- promises


def test_a_promise_on_named_invoices_is_stored_and_logged(ledger: UnitOfWorkFactory) -> None:
    p = run(
        ledger,
        lambda uow: casework.record_promise(
            uow, "C1", eur("120.00"), dt.date(2026, 3, 10), ["INV-1", "INV-4"], **WHO
        ),
    )
    assert p.id is not None and p.status is PromiseStatus.OPEN
    assert (p.amount, p.date, p.made_on, p.invoices) == (
        eur("120.00"),
        dt.date(2026, 3, 10),
        ON,
        ("INV-1", "INV-4"),
    )
    with ledger() as uow:
        assert uow.promises.open_for(["C1"]) == [p]
    entry = latest(ledger)
    assert entry.kind == "promise" and entry.at == AT and entry.actor == "cora@supplier.example"
    assert entry.invoices == ("INV-1", "INV-4")
    assert "120.00 EUR" in entry.text and "2026-03-10" in entry.text
    assert entry.data["promise_id"] == p.id and entry.data["amount"] == "120.00"


def test_a_promise_naming_no_invoice_covers_the_case_in_the_customers_currency(
    ledger: UnitOfWorkFactory,
) -> None:
    p = run(ledger, lambda uow: casework.record_promise(uow, "C1", eur("150.00"), ON, **WHO))
    assert p.invoices == () and p.currency == "EUR"
    usd_promise = run(
        ledger, lambda uow: casework.record_promise(uow, "C1", usd("250.00"), ON, currency="USD", **WHO)
    )
    assert usd_promise.currency == "USD"


@pytest.mark.parametrize(
    ("error", "args", "words"),
    [
        (NotFoundError, ("C9", eur("10.00"), ON, ()), "no customer 'C9'"),
        (NotFoundError, ("C1", eur("10.00"), ON, ("INV-9",)), "no invoice INV-9"),
        (InvalidInputError, ("C1", eur("10.00"), ON, ("INV-3",)), "belongs to customer C2"),
        (InvalidInputError, ("C1", eur("10.00"), ON, ("INV-5",)), "INV-5 is not open"),
        (InvalidInputError, ("C1", eur("10.00"), ON, ("INV-1", "INV-2")), "different currencies"),
        (InvalidInputError, ("C1", usd("10.00"), ON, ("INV-1",)), "the amount is in USD"),
        (InvalidInputError, ("C1", eur("0.00"), ON, ("INV-1",)), "must be positive"),
        (
            InvalidInputError,
            ("C1", eur("10.00"), dt.date(2026, 3, 1), ("INV-1",)),
            "before the business date",
        ),
    ],
)
def test_a_bad_promise_is_refused_with_a_clear_sentence_and_changes_nothing(
    ledger: UnitOfWorkFactory, error: type[DomainError], args: tuple[Any, ...], words: str
) -> None:
    exc = refused(ledger, error, lambda uow: casework.record_promise(uow, *args, **WHO))
    assert words in str(exc)


def test_a_promise_above_the_open_balance_names_both_amounts(ledger: UnitOfWorkFactory) -> None:
    exc = refused(
        ledger,
        PromiseExceedsBalanceError,
        lambda uow: casework.record_promise(uow, "C1", eur("100.01"), ON, ["INV-1"], **WHO),
    )
    assert isinstance(exc, InvalidValueError)
    assert "100.01 EUR" in str(exc) and "100.00 EUR" in str(exc)


# --- plans


def test_a_plan_splits_the_balance_into_instalments_that_add_up_exactly(ledger: UnitOfWorkFactory) -> None:
    plan = run(
        ledger,
        lambda uow: casework.offer_plan(uow, "C1", installments=3, every_days=30, invoices=["INV-1"], **WHO),
    )
    assert [i.amount for i in plan.installments] == [eur("33.34"), eur("33.33"), eur("33.33")]
    assert plan.total == eur("100.00")
    assert [i.due for i in plan.installments] == [
        dt.date(2026, 4, 1),
        dt.date(2026, 5, 1),
        dt.date(2026, 5, 31),
    ]
    assert plan.status is PlanStatus.ACTIVE and plan.invoices == ("INV-1",)
    with ledger() as uow:
        assert uow.plans.open_for(["C1"]) == [plan]
    entry = latest(ledger)
    assert entry.kind == "plan" and entry.data["total"] == "100.00"
    assert [i["amount"] for i in entry.data["installments"]] == ["33.34", "33.33", "33.33"]


def test_a_plan_naming_no_invoice_covers_every_open_item_of_the_currency_from_the_first_date(
    ledger: UnitOfWorkFactory,
) -> None:
    plan = run(
        ledger,
        lambda uow: casework.offer_plan(
            uow, "C1", installments=2, every_days=14, first=dt.date(2026, 3, 5), **WHO
        ),
    )
    assert plan.total == eur("150.00") and plan.invoices == ()
    assert [i.due for i in plan.installments] == [dt.date(2026, 3, 5), dt.date(2026, 3, 19)]


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"installments": 0, "every_days": 30}, "1 to 120 instalments"),
        ({"installments": 3, "every_days": 0}, "days apart"),
        ({"installments": 3, "every_days": 30, "first": dt.date(2026, 3, 1)}, "before the business date"),
        ({"installments": 3, "every_days": 30, "currency": "JPY"}, "no open JPY invoice"),
        ({"installments": 3, "every_days": 30, "currency": "EURO"}, "ISO 4217"),
    ],
)
def test_a_bad_plan_is_refused_and_changes_nothing(
    ledger: UnitOfWorkFactory, kwargs: dict[str, Any], words: str
) -> None:
    exc = refused(ledger, InvalidInputError, lambda uow: casework.offer_plan(uow, "C1", **kwargs, **WHO))
    assert words in str(exc)


# --- disputes


def test_a_dispute_pauses_the_invoice_and_gives_the_sales_owner_a_task(ledger: UnitOfWorkFactory) -> None:
    d = run(ledger, lambda uow: casework.open_dispute(uow, "INV-1", "price", eur("30.00"), **WHO))
    assert (d.invoice_number, d.customer_id, d.reason, d.amount, d.status) == (
        "INV-1",
        "C1",
        "price",
        eur("30.00"),
        DisputeStatus.OPEN,
    )
    with ledger() as uow:
        assert uow.disputes.open_for(["C1"]) == [d]
    [task] = open_tasks(ledger)
    assert task.kind is TaskKind.DISPUTE and task.assignee == OWNER and task.invoices == ("INV-1",)
    entry = latest(ledger)
    assert entry.kind == "dispute" and entry.invoices == ("INV-1",) and entry.data["dispute_id"] == d.id


def test_a_second_open_dispute_on_one_invoice_is_a_duplicate(ledger: UnitOfWorkFactory) -> None:
    run(ledger, lambda uow: casework.open_dispute(uow, "INV-1", "goods", **WHO))
    exc = refused(ledger, DuplicateError, lambda uow: casework.open_dispute(uow, "INV-1", "price", **WHO))
    assert "already has an open dispute" in str(exc)


@pytest.mark.parametrize(
    ("error", "args", "words"),
    [
        (NotFoundError, ("INV-9", "price", None), "no invoice 'INV-9'"),
        (InvalidStateError, ("INV-5", "price", None), "INV-5 is paid"),
        (InvalidInputError, ("INV-1", "too-expensive", None), "is not one of goods"),
        (InvalidInputError, ("INV-1", "price", eur("100.01")), "above the open balance 100.00 EUR"),
        (InvalidInputError, ("INV-1", "price", usd("1.00")), "invoice INV-1 is in EUR"),
    ],
)
def test_a_bad_dispute_is_refused_and_changes_nothing(
    ledger: UnitOfWorkFactory, error: type[DomainError], args: tuple[Any, ...], words: str
) -> None:
    exc = refused(ledger, error, lambda uow: casework.open_dispute(uow, *args, **WHO))
    assert words in str(exc)


def test_resolving_a_dispute_records_the_outcome_and_closes_its_task(ledger: UnitOfWorkFactory) -> None:
    given(ledger, credit_note("CN-1", customer="C1", amount="30.00", on="2026-03-03", invoice="INV-1"))
    d = run(ledger, lambda uow: casework.open_dispute(uow, "INV-1", "price", **WHO))
    later = {**WHO, "on": dt.date(2026, 3, 4)}
    done = run(
        ledger,
        lambda uow: casework.resolve_dispute(uow, d.id, "credited", credit_note_number="CN-1", **later),
    )
    assert (done.status, done.outcome, done.resolved_on) == (
        DisputeStatus.RESOLVED,
        "credited",
        dt.date(2026, 3, 4),
    )
    with ledger() as uow:
        assert uow.disputes.open_for(["C1"]) == []
        assert uow.disputes.get(d.id) == done
    assert open_tasks(ledger) == []
    entry = latest(ledger)
    assert entry.kind == "dispute_resolved" and entry.data == {
        "dispute_id": d.id,
        "outcome": "credited",
        "credit_note": "CN-1",
    }
    exc = refused(
        ledger, InvalidStateError, lambda uow: casework.resolve_dispute(uow, d.id, "rejected", **later)
    )
    assert "already resolved" in str(exc)


@pytest.mark.parametrize(
    ("error", "outcome", "note", "words"),
    [
        (InvalidInputError, "accepted", None, "is not one of credited"),
        (InvalidInputError, "rejected", "CN-1", "only when the outcome is 'credited'"),
        (NotFoundError, "credited", "CN-9", "no credit note 'CN-9'"),
    ],
)
def test_a_bad_resolution_is_refused_and_the_dispute_stays_open(
    ledger: UnitOfWorkFactory, error: type[DomainError], outcome: str, note: str | None, words: str
) -> None:
    d = run(ledger, lambda uow: casework.open_dispute(uow, "INV-1", "price", **WHO))
    exc = refused(
        ledger,
        error,
        lambda uow: casework.resolve_dispute(uow, d.id, outcome, credit_note_number=note, **WHO),
    )
    assert words in str(exc)
    refused(ledger, NotFoundError, lambda uow: casework.resolve_dispute(uow, 999, "rejected", **WHO))


# --- holds


def test_a_hold_is_placed_and_released_each_with_a_log_entry(ledger: UnitOfWorkFactory) -> None:
    hold = run(ledger, lambda uow: casework.place_hold(uow, "C1", dt.date(2026, 4, 30), "in talks", **WHO))
    assert (hold.until, hold.placed_on, hold.released_on) == (dt.date(2026, 4, 30), ON, None)
    assert hold.active_on(ON)
    assert latest(ledger).kind == "hold"
    later = {**WHO, "on": dt.date(2026, 3, 10)}
    released = run(ledger, lambda uow: casework.release_hold(uow, hold.id, **later))
    assert released.released_on == dt.date(2026, 3, 10) and not released.active_on(dt.date(2026, 3, 10))
    with ledger() as uow:
        assert uow.holds.open_for(["C1"]) == []
    assert latest(ledger).kind == "hold_released"
    refused(ledger, InvalidStateError, lambda uow: casework.release_hold(uow, hold.id, **later))


def test_a_bad_hold_is_refused_and_changes_nothing(ledger: UnitOfWorkFactory) -> None:
    exc = refused(
        ledger, InvalidInputError, lambda uow: casework.place_hold(uow, "C1", dt.date(2026, 3, 1), "x", **WHO)
    )
    assert "before the business date" in str(exc)
    refused(ledger, InvalidInputError, lambda uow: casework.place_hold(uow, "C1", ON, "  ", **WHO))
    refused(ledger, NotFoundError, lambda uow: casework.place_hold(uow, "C9", ON, "x", **WHO))
    refused(ledger, NotFoundError, lambda uow: casework.release_hold(uow, 42, **WHO))


# --- settlements


def test_a_settlement_is_offered_for_less_then_accepted(ledger: UnitOfWorkFactory) -> None:
    s = run(
        ledger,
        lambda uow: casework.offer_settlement(
            uow, "C1", eur("80.00"), dt.date(2026, 3, 31), ["INV-1"], **WHO
        ),
    )
    assert (s.amount, s.status, s.invoices, s.offered_on) == (
        eur("80.00"),
        SettlementStatus.OFFERED,
        ("INV-1",),
        ON,
    )
    assert latest(ledger).kind == "settlement_offered"
    accepted = run(ledger, lambda uow: casework.accept_settlement(uow, s.id, **WHO))
    assert accepted.status is SettlementStatus.ACCEPTED
    with ledger() as uow:
        assert uow.settlements.get(s.id) == accepted
        assert uow.invoices.get("INV-1").status is InvoiceStatus.OPEN  # the run writes off once it is paid
    assert latest(ledger).kind == "settlement_accepted"
    exc = refused(ledger, InvalidStateError, lambda uow: casework.decline_settlement(uow, s.id, **WHO))
    assert "only an offered settlement" in str(exc)


def test_a_declined_settlement_is_no_longer_in_force(ledger: UnitOfWorkFactory) -> None:
    s = run(
        ledger, lambda uow: casework.offer_settlement(uow, "C1", eur("120.00"), dt.date(2026, 3, 31), **WHO)
    )
    declined = run(ledger, lambda uow: casework.decline_settlement(uow, s.id, **WHO))
    assert declined.status is SettlementStatus.DECLINED
    with ledger() as uow:
        assert uow.settlements.open_for(["C1"]) == []
    assert latest(ledger).kind == "settlement_declined"


def test_a_settlement_is_for_less_than_the_balance_and_one_at_a_time(ledger: UnitOfWorkFactory) -> None:
    deadline = dt.date(2026, 3, 31)
    exc = refused(
        ledger,
        InvalidInputError,
        lambda uow: casework.offer_settlement(uow, "C1", eur("100.00"), deadline, ["INV-1"], **WHO),
    )
    assert "not below the open balance 100.00 EUR" in str(exc)
    refused(
        ledger,
        InvalidInputError,
        lambda uow: casework.offer_settlement(uow, "C1", eur("50.00"), dt.date(2026, 3, 1), **WHO),
    )
    s = run(ledger, lambda uow: casework.offer_settlement(uow, "C1", eur("50.00"), deadline, **WHO))
    refused(
        ledger,
        DuplicateError,
        lambda uow: casework.offer_settlement(uow, "C1", eur("60.00"), deadline, **WHO),
    )
    late = {**WHO, "on": dt.date(2026, 4, 1)}
    exc = refused(ledger, InvalidStateError, lambda uow: casework.accept_settlement(uow, s.id, **late))
    assert "lapsed" in str(exc)


# --- write-off


def test_a_write_off_closes_the_invoice_with_a_zero_balance_and_the_aging_drops_it(
    ledger: UnitOfWorkFactory,
) -> None:
    inv = run(ledger, lambda uow: casework.write_off(uow, "INV-1", "customer went out of business", **WHO))
    assert (inv.status, inv.open_balance, inv.closed_on) == (InvoiceStatus.WRITTEN_OFF, eur("0.00"), ON)
    entry = latest(ledger)
    assert entry.kind == "write_off" and entry.invoices == ("INV-1",) and "went out of business" in entry.text
    with ledger() as uow:
        report = uow.queries.aging(ON, (0, 30, 60, 90))
        before = uow.queries.aging(dt.date(2026, 3, 1), (0, 30, 60, 90))
    [c1_eur] = [r for r in report.rows if (r.customer_id, r.currency) == ("C1", "EUR")]
    assert c1_eur.total == eur("50.00")  # INV-4 only
    [then] = [r for r in before.rows if (r.customer_id, r.currency) == ("C1", "EUR")]
    assert then.total == eur("150.00")  # the day before, INV-1 was still open
    exc = refused(ledger, InvalidStateError, lambda uow: casework.write_off(uow, "INV-1", "again", **WHO))
    assert "written off" in str(exc)
    refused(ledger, InvalidInputError, lambda uow: casework.write_off(uow, "INV-4", " ", **WHO))
    refused(ledger, NotFoundError, lambda uow: casework.write_off(uow, "INV-9", "x", **WHO))


# --- logged contacts


def log(
    factory: UnitOfWorkFactory, kind: ContactKind = ContactKind.CALL, **kwargs: Any
) -> casework.ContactLogged:
    stamp = {**WHO, **{k: kwargs.pop(k) for k in ("at", "on") if k in kwargs}}
    return run(factory, lambda uow: casework.log_contact(uow, "C1", kind, **kwargs, **stamp))


def test_a_call_is_logged_with_its_outcome_reason_contact_and_whether_it_was_a_conversation(
    ledger: UnitOfWorkFactory,
) -> None:
    logged = log(
        ledger, contact_name="Petra Klein", outcome=Outcome.REACHED, reason=Reason.FORGOT, notes="will look"
    )
    entry = latest(ledger)
    assert entry.kind == "call" and entry.actor == "cora@supplier.example"
    assert "Petra Klein" in entry.text and "will look" in entry.text
    assert entry.data["outcome"] == "reached" and entry.data["reason"] == "forgot"
    assert entry.data["contact"] == "Petra Klein" and entry.data["conversation"] is True
    assert logged.follow_ups == (FollowUp.CALL_AGAIN,)
    [task] = logged.tasks
    assert task.kind is TaskKind.CALL and task.due == ON + dt.timedelta(days=7) and task.id is not None


def test_a_message_left_is_not_a_conversation_and_leads_to_nothing(ledger: UnitOfWorkFactory) -> None:
    logged = log(ledger, outcome=Outcome.LEFT_MESSAGE)
    assert latest(ledger).data["conversation"] is False
    assert logged.tasks == [] and open_tasks(ledger) == []


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        (Reason.NOT_RECEIVED, [(TaskKind.BOUNCED_CONTACT, "")]),
        (Reason.CASH_FLOW, [(TaskKind.REVIEW, "")]),
        (Reason.WILL_PAY, [(TaskKind.REVIEW, "")]),
        (Reason.INSOLVENCY, [(TaskKind.REVIEW, "")]),
        (Reason.REFUSES, [(TaskKind.REVIEW, ""), (TaskKind.REVIEW, OWNER)]),
        (Reason.DISPUTE, [(TaskKind.DISPUTE, ""), (TaskKind.REVIEW, OWNER)]),
    ],
)
def test_what_the_customer_says_raises_the_right_tasks(
    ledger: UnitOfWorkFactory, reason: Reason, expected: list[tuple[TaskKind, str]]
) -> None:
    logged = log(ledger, outcome=Outcome.REACHED, reason=reason)
    assert [(t.kind, t.assignee) for t in logged.tasks] == expected
    assert sorted(t.id for t in open_tasks(ledger)) == sorted(t.id for t in logged.tasks)


def test_cash_flow_trouble_asks_for_a_payment_plan(ledger: UnitOfWorkFactory) -> None:
    [task] = log(ledger, outcome=Outcome.REACHED, reason=Reason.CASH_FLOW).tasks
    assert "offer a payment plan" in task.reason


def test_a_promise_given_on_the_phone_is_recorded_instead_of_a_task(ledger: UnitOfWorkFactory) -> None:
    logged = log(
        ledger,
        outcome=Outcome.REACHED,
        reason=Reason.WILL_PAY,
        invoices=["INV-1"],
        promise_date=dt.date(2026, 3, 20),
        promise_amount=eur("100.00"),
    )
    assert logged.tasks == []
    assert logged.promise is not None and logged.promise.invoices == ("INV-1",)
    with ledger() as uow:
        assert uow.promises.open_for(["C1"]) == [logged.promise]
        kinds = [a.kind for a in uow.activities.for_customer("C1", limit=2)]
    assert sorted(kinds) == ["call", "promise"]


def test_a_complaint_about_named_invoices_opens_a_dispute_on_each(ledger: UnitOfWorkFactory) -> None:
    logged = log(ledger, outcome=Outcome.REACHED, reason=Reason.DISPUTE, invoices=["INV-1", "INV-4"])
    assert [d.invoice_number for d in logged.disputes] == ["INV-1", "INV-4"]
    assert {d.reason for d in logged.disputes} == {"other"}
    kinds = sorted((t.kind, t.assignee) for t in open_tasks(ledger))
    assert kinds == [(TaskKind.DISPUTE, OWNER), (TaskKind.DISPUTE, OWNER), (TaskKind.REVIEW, OWNER)]


def test_three_unanswered_calls_in_a_row_call_for_skip_tracing(ledger: UnitOfWorkFactory) -> None:
    first = log(ledger, outcome=Outcome.NO_ANSWER)
    assert first.follow_ups == (FollowUp.CALL_AGAIN,)
    log(ledger, ContactKind.NOTE, reason=Reason.NONE, notes="sales says they are busy")  # not an attempt
    second = log(ledger, outcome=Outcome.NO_ANSWER)
    assert FollowUp.SKIP_TRACING not in second.follow_ups
    assert second.tasks == []  # the call task of the first is still open
    third = log(ledger, outcome=Outcome.NO_ANSWER)
    assert third.follow_ups == (FollowUp.CALL_AGAIN, FollowUp.SKIP_TRACING)
    assert [t.kind for t in third.tasks] == [TaskKind.SKIP_TRACING]
    assert latest(ledger).data["unreachable_streak"] == 3


def test_a_call_that_reaches_someone_ends_the_unreachable_streak(ledger: UnitOfWorkFactory) -> None:
    log(ledger, outcome=Outcome.NO_ANSWER)
    log(ledger, outcome=Outcome.NO_ANSWER)
    log(ledger, outcome=Outcome.REACHED)
    again = log(ledger, outcome=Outcome.NO_ANSWER)
    assert FollowUp.SKIP_TRACING not in again.follow_ups
    assert latest(ledger).data["unreachable_streak"] == 1


def test_a_wrong_number_calls_for_skip_tracing_at_once(ledger: UnitOfWorkFactory) -> None:
    logged = log(ledger, outcome=Outcome.WRONG_NUMBER)
    assert {t.kind for t in logged.tasks} == {TaskKind.CALL, TaskKind.SKIP_TRACING}


@pytest.mark.parametrize(
    ("kind", "kwargs", "words"),
    [
        (ContactKind.CALL, {}, "a call needs an outcome"),
        (ContactKind.NOTE, {"notes": " "}, "a note needs some notes"),
        (ContactKind.CALL, {"outcome": "busy"}, "outcome 'busy' is not one of"),
        (ContactKind.CALL, {"outcome": "reached", "reason": "bored"}, "reason 'bored' is not one of"),
        (
            ContactKind.CALL,
            {"outcome": "reached", "promise_date": dt.date(2026, 3, 9)},
            "both a date and an amount",
        ),
        (
            ContactKind.CALL,
            {"outcome": "reached", "promise_date": dt.date(2026, 3, 9), "promise_amount": eur("500.00")},
            "above the open balance",
        ),
        (ContactKind.CALL, {"outcome": "reached", "invoices": ["INV-3"]}, "belongs to customer C2"),
    ],
)
def test_a_bad_contact_log_is_refused_and_writes_nothing(
    ledger: UnitOfWorkFactory, kind: ContactKind, kwargs: dict[str, Any], words: str
) -> None:
    exc = refused(
        ledger, InvalidInputError, lambda uow: casework.log_contact(uow, "C1", kind, **kwargs, **WHO)
    )
    assert words in str(exc)


def test_a_complaint_about_an_invoice_already_in_dispute_writes_nothing(ledger: UnitOfWorkFactory) -> None:
    run(ledger, lambda uow: casework.open_dispute(uow, "INV-4", "goods", **WHO))
    refused(
        ledger,
        DuplicateError,
        lambda uow: casework.log_contact(
            uow, "C1", "call", outcome="reached", reason="dispute", invoices=["INV-1", "INV-4"], **WHO
        ),
    )


# --- contacts, approvals, checklists, tasks


def test_a_bounced_contact_is_kept_as_invalid_and_raises_skip_tracing(ledger: UnitOfWorkFactory) -> None:
    c = run(ledger, lambda uow: casework.mark_contact_invalid(uow, "C1", "Petra Klein", **WHO))
    assert c.valid is False
    with ledger() as uow:
        [stored] = uow.contacts.for_customer("C1")
    assert stored.name == "Petra Klein" and stored.valid is False and stored.email == "petra@c1.example"
    [task] = open_tasks(ledger)
    assert task.kind is TaskKind.SKIP_TRACING
    assert latest(ledger).kind == "contact_invalid"
    refused(
        ledger, InvalidStateError, lambda uow: casework.mark_contact_invalid(uow, "C1", "Petra Klein", **WHO)
    )
    exc = refused(
        ledger, NotFoundError, lambda uow: casework.mark_contact_invalid(uow, "C1", "Nobody", **WHO)
    )
    assert "Petra Klein" in str(exc)


def test_an_approval_is_stored_for_the_case_once(ledger: UnitOfWorkFactory) -> None:
    steps = ["agency-review", "writeoff-review"]
    run(ledger, lambda uow: casework.approve_step(uow, "C1", "EUR", "agency-review", steps=steps, **WHO))
    with ledger() as uow:
        assert uow.approvals.unused([CaseKey("C1", "EUR")]) == {CaseKey("C1", "EUR"): {"agency-review"}}
    assert latest(ledger).kind == "approval"
    refused(
        ledger, DuplicateError, lambda uow: casework.approve_step(uow, "C1", "EUR", "agency-review", **WHO)
    )
    exc = refused(
        ledger,
        InvalidInputError,
        lambda uow: casework.approve_step(uow, "C1", "EUR", "agency-reviw", steps=steps, **WHO),
    )
    assert exc.field == "step" and "agency-review" in str(exc)  # type: ignore[attr-defined]
    refused(
        ledger, InvalidInputError, lambda uow: casework.approve_step(uow, "C1", "eur", "agency-review", **WHO)
    )


def test_a_checklist_answer_is_stored_and_a_bad_question_is_refused(ledger: UnitOfWorkFactory) -> None:
    run(ledger, lambda uow: casework.answer_checklist(uow, "C1", "EUR", "owner_contacted", True, **WHO))
    with ledger() as uow:
        assert uow.checklists.answers([CaseKey("C1", "EUR")]) == {
            CaseKey("C1", "EUR"): {"owner_contacted": True}
        }
    assert latest(ledger).kind == "checklist"
    exc = refused(
        ledger,
        InvalidInputError,
        lambda uow: casework.answer_checklist(uow, "C1", "EUR", "mood", True, **WHO),
    )
    assert "right_recipient" in str(exc)


def test_closing_a_task_is_logged_and_a_closed_task_cannot_be_closed_again(ledger: UnitOfWorkFactory) -> None:
    [task] = log(ledger, outcome=Outcome.NO_ANSWER).tasks
    closed = run(ledger, lambda uow: casework.close_task(uow, task.id, TaskStatus.DONE, **WHO))
    assert closed.status is TaskStatus.DONE
    assert open_tasks(ledger) == []
    entry = latest(ledger)
    assert entry.kind == "task_closed" and entry.data["task_id"] == task.id
    exc = refused(
        ledger, InvalidStateError, lambda uow: casework.close_task(uow, task.id, "cancelled", **WHO)
    )
    assert "already done" in str(exc)
    refused(ledger, NotFoundError, lambda uow: casework.close_task(uow, 999, "done", **WHO))
    refused(ledger, InvalidInputError, lambda uow: casework.close_task(uow, task.id, "open", **WHO))


def test_a_time_that_is_not_utc_is_refused(ledger: UnitOfWorkFactory) -> None:
    local = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    refused(
        ledger,
        InvalidValueError,
        lambda uow: casework.place_hold(uow, "C1", ON, "x", at=local, actor="cora"),
    )


def test_the_amounts_in_the_log_are_exact_decimal_strings(ledger: UnitOfWorkFactory) -> None:
    run(ledger, lambda uow: casework.offer_plan(uow, "C1", installments=7, every_days=7, **WHO))
    data = latest(ledger).data
    assert (
        sum(Decimal(i["amount"]) for i in data["installments"]) == Decimal(data["total"]) == Decimal("150.00")
    )
