"""Recording payments and credit notes, on the fake, SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt

import pytest

from builders import AT, credit_note, customer, day, eur, given, invoice, money, payment
from recoup.domain.errors import CurrencyMismatchError
from recoup.domain.invoices import Invoice, InvoiceStatus
from recoup.domain.money import Money, total
from recoup.domain.payments import Allocation, AllocationKind
from recoup.services import ledger, reports
from recoup.services.ports import UnitOfWorkFactory

PAYMENT = AllocationKind.PAYMENT
CREDIT = AllocationKind.CREDIT_NOTE


def invoices_of(uow_factory: UnitOfWorkFactory, customer_id: str = "C1") -> dict[str, Invoice]:
    with uow_factory() as uow:
        return {i.number: i for i in uow.invoices.for_customer(customer_id)}


def allocations_of(uow_factory: UnitOfWorkFactory, *numbers: str) -> list[Allocation]:
    with uow_factory() as uow:
        return uow.queries.allocations_for(numbers)


def state(inv: Invoice) -> tuple[Money, InvoiceStatus, dt.date | None]:
    return inv.open_balance, inv.status, inv.closed_on


OPEN = InvoiceStatus.OPEN
PAID = InvoiceStatus.PAID


# --- payments -----------------------------------------------------------------------


def test_a_payment_naming_an_invoice_pays_that_invoice_and_not_an_older_one(
    uow_factory: UnitOfWorkFactory,
) -> None:
    applied = given(
        uow_factory,
        customer("C1"),
        invoice("INV-1", amount="100.00", issued="2026-01-01", due="2026-01-31"),
        invoice("INV-2", amount="200.00", issued="2026-02-01", due="2026-02-28"),
        payment("PAY-1", amount="200.00", on="2026-03-05", invoices=["INV-2"]),
    )
    inv = invoices_of(uow_factory)
    assert state(inv["INV-1"]) == (eur("100.00"), OPEN, None)
    assert state(inv["INV-2"]) == (eur("0.00"), PAID, day("2026-03-05"))
    assert allocations_of(uow_factory, "INV-1", "INV-2") == [
        Allocation("INV-2", eur("200.00"), PAYMENT, "PAY-1", day("2026-03-05"))
    ]
    assert applied.oldest_first == []
    assert applied.unapplied == {}


def test_a_payment_naming_two_invoices_pays_them_in_the_order_named(uow_factory: UnitOfWorkFactory) -> None:
    given(
        uow_factory,
        customer("C1"),
        invoice("INV-1", amount="100.00", due="2026-01-31"),
        invoice("INV-2", amount="100.00", due="2026-02-28"),
        payment("PAY-1", amount="150.00", on="2026-03-01", invoices=["INV-2", "INV-1"]),
    )
    inv = invoices_of(uow_factory)
    assert state(inv["INV-2"]) == (eur("0.00"), PAID, day("2026-03-01"))
    assert state(inv["INV-1"]) == (eur("50.00"), OPEN, None)


def test_a_payment_naming_no_invoice_pays_the_oldest_first(uow_factory: UnitOfWorkFactory) -> None:
    applied = given(
        uow_factory,
        customer("C1"),
        invoice("INV-1", amount="120.00", issued="2026-01-29", due="2026-02-28"),
        invoice("INV-2", amount="80.00", issued="2026-01-01", due="2026-01-31"),
        invoice("INV-3", amount="50.00", issued="2026-03-01", due="2026-03-31"),
        payment("PAY-1", amount="150.00", on="2026-03-10"),
    )
    inv = invoices_of(uow_factory)
    assert state(inv["INV-2"]) == (eur("0.00"), PAID, day("2026-03-10"))
    assert state(inv["INV-1"]) == (eur("50.00"), OPEN, None)
    assert state(inv["INV-3"]) == (eur("50.00"), OPEN, None)
    assert allocations_of(uow_factory, "INV-1", "INV-2", "INV-3") == [
        Allocation("INV-2", eur("80.00"), PAYMENT, "PAY-1", day("2026-03-10")),
        Allocation("INV-1", eur("70.00"), PAYMENT, "PAY-1", day("2026-03-10")),
    ]
    assert applied.oldest_first == ["PAY-1"]


def test_a_partial_payment_leaves_the_rest_open_until_the_next_one(uow_factory: UnitOfWorkFactory) -> None:
    given(
        uow_factory,
        customer("C1"),
        invoice("INV-1", amount="100.00"),
        payment("PAY-1", amount="30.55", on="2026-02-10", invoices=["INV-1"]),
    )
    assert state(invoices_of(uow_factory)["INV-1"]) == (eur("69.45"), OPEN, None)

    given(uow_factory, payment("PAY-2", amount="69.45", on="2026-02-20", invoices=["INV-1"]))
    assert state(invoices_of(uow_factory)["INV-1"]) == (eur("0.00"), PAID, day("2026-02-20"))
    assert [a.amount for a in allocations_of(uow_factory, "INV-1")] == [eur("30.55"), eur("69.45")]


def test_several_payments_on_one_invoice_in_one_batch_add_up(uow_factory: UnitOfWorkFactory) -> None:
    given(
        uow_factory,
        customer("C1"),
        invoice("INV-1", amount="100.00"),
        payment("PAY-B", amount="60.00", on="2026-03-02", invoices=["INV-1"]),
        payment("PAY-A", amount="70.00", on="2026-03-01", invoices=["INV-1"]),
    )
    assert state(invoices_of(uow_factory)["INV-1"]) == (eur("0.00"), PAID, day("2026-03-02"))
    assert allocations_of(uow_factory, "INV-1") == [
        Allocation("INV-1", eur("70.00"), PAYMENT, "PAY-A", day("2026-03-01")),
        Allocation("INV-1", eur("30.00"), PAYMENT, "PAY-B", day("2026-03-02")),
    ]
    with uow_factory() as uow:
        stored = uow.payments.get_many(["PAY-A", "PAY-B"])
    assert stored["PAY-A"].unapplied == eur("0.00")
    assert stored["PAY-B"].unapplied == eur("30.00")


def test_an_overpayment_is_kept_as_unapplied_cash_on_the_customer(uow_factory: UnitOfWorkFactory) -> None:
    applied = given(
        uow_factory,
        customer("C1"),
        invoice("INV-1", amount="100.00"),
        payment("PAY-1", amount="130.00", on="2026-02-05", invoices=["INV-1"]),
    )
    assert applied.unapplied == {"PAY-1": eur("30.00")}
    assert state(invoices_of(uow_factory)["INV-1"]) == (eur("0.00"), PAID, day("2026-02-05"))
    with uow_factory() as uow:
        stored = uow.payments.get_many(["PAY-1"])["PAY-1"]
        overview = reports.customer_overview(uow, "C1", day("2026-02-06"))
    assert (stored.amount, stored.unapplied, stored.invoices) == (eur("130.00"), eur("30.00"), ("INV-1",))
    assert overview.unapplied == {"EUR": eur("30.00")}
    assert overview.balances == {}


def test_an_overpayment_naming_no_invoice_pays_everything_open_and_keeps_the_rest(
    uow_factory: UnitOfWorkFactory,
) -> None:
    applied = given(
        uow_factory,
        customer("C1"),
        invoice("INV-1", amount="100.00", due="2026-01-31"),
        invoice("INV-2", amount="50.00", due="2026-02-28"),
        payment("PAY-1", amount="175.00", on="2026-03-01"),
    )
    assert {n: i.open_balance for n, i in invoices_of(uow_factory).items()} == {
        "INV-1": eur("0.00"),
        "INV-2": eur("0.00"),
    }
    assert applied.unapplied == {"PAY-1": eur("25.00")}
    assert applied.oldest_first == ["PAY-1"]


def test_a_payment_naming_an_already_paid_invoice_keeps_its_money_unapplied(
    uow_factory: UnitOfWorkFactory,
) -> None:
    given(
        uow_factory,
        customer("C1"),
        invoice("INV-OLD", amount="80.00", due="2026-01-15"),  # oldest first would pick this one
        invoice("INV-1", amount="100.00", due="2026-01-31"),
        payment("PAY-1", amount="100.00", on="2026-02-01", invoices=["INV-1"]),
    )
    applied = given(uow_factory, payment("PAY-2", amount="100.00", on="2026-02-03", invoices=["INV-1"]))

    assert applied.allocations == []
    assert applied.oldest_first == []
    assert applied.unapplied == {"PAY-2": eur("100.00")}
    inv = invoices_of(uow_factory)
    assert state(inv["INV-OLD"]) == (eur("80.00"), OPEN, None)
    assert state(inv["INV-1"]) == (eur("0.00"), PAID, day("2026-02-01"))
    assert [a.source for a in allocations_of(uow_factory, "INV-1", "INV-OLD")] == ["PAY-1"]
    with uow_factory() as uow:
        assert uow.payments.get_many(["PAY-2"])["PAY-2"].unapplied == eur("100.00")


def test_a_payment_naming_another_customers_invoice_keeps_its_money_unapplied(
    uow_factory: UnitOfWorkFactory,
) -> None:
    applied = given(
        uow_factory,
        customer("C1"),
        customer("C2"),
        invoice("INV-C2", customer="C2", amount="10.00"),
        payment("PAY-1", customer="C1", amount="10.00", invoices=["INV-C2"]),
    )
    assert applied.unapplied == {"PAY-1": eur("10.00")}
    assert invoices_of(uow_factory, "C2")["INV-C2"].open_balance == eur("10.00")


def test_a_payment_naming_no_invoice_pays_only_invoices_in_its_own_currency(
    uow_factory: UnitOfWorkFactory,
) -> None:
    given(
        uow_factory,
        customer("C1"),
        invoice("INV-EUR", amount="100.00", currency="EUR", due="2026-01-31"),
        invoice("INV-USD", amount="100.00", currency="USD", due="2026-02-28"),
        payment("PAY-1", amount="60.00", currency="USD", on="2026-03-01"),
    )
    inv = invoices_of(uow_factory)
    assert inv["INV-EUR"].open_balance == eur("100.00")
    assert inv["INV-USD"].open_balance == money("40.00", "USD")


def test_a_payment_naming_an_invoice_in_another_currency_is_refused_and_nothing_is_stored(
    uow_factory: UnitOfWorkFactory,
) -> None:
    given(uow_factory, customer("C1"), invoice("INV-1", currency="EUR"))
    with uow_factory() as uow, pytest.raises(CurrencyMismatchError, match="INV-1"):
        ledger.record_payments(
            uow, [payment("PAY-1", currency="USD", invoices=["INV-1"])], at=AT, actor="tester"
        )
    with uow_factory() as uow:
        assert uow.payments.get_many(["PAY-1"]) == {}


def test_a_payment_dated_before_an_earlier_recorded_one_closes_the_invoice_on_the_later_date(
    uow_factory: UnitOfWorkFactory,
) -> None:
    # Bank statements arrive out of order: the March payment is recorded before the February one.
    given(
        uow_factory,
        customer("C1"),
        invoice("INV-1", amount="100.00", due="2026-01-31"),
        payment("PAY-MAR", amount="40.00", on="2026-03-10", invoices=["INV-1"]),
    )
    given(uow_factory, payment("PAY-FEB", amount="60.00", on="2026-02-10", invoices=["INV-1"]))
    # the balance reached zero only once the March money was there
    assert state(invoices_of(uow_factory)["INV-1"]) == (eur("0.00"), PAID, day("2026-03-10"))


# --- credit notes -------------------------------------------------------------------


def test_a_credit_note_is_applied_to_its_invoice(uow_factory: UnitOfWorkFactory) -> None:
    given(
        uow_factory,
        customer("C1"),
        invoice("INV-OLD", amount="100.00", due="2026-01-15"),
        invoice("INV-1", amount="100.00", due="2026-01-31"),
        credit_note("CN-1", amount="25.00", on="2026-02-02", invoice="INV-1"),
    )
    inv = invoices_of(uow_factory)
    assert state(inv["INV-1"]) == (eur("75.00"), OPEN, None)
    assert state(inv["INV-OLD"]) == (eur("100.00"), OPEN, None)
    assert allocations_of(uow_factory, "INV-1", "INV-OLD") == [
        Allocation("INV-1", eur("25.00"), CREDIT, "CN-1", day("2026-02-02"))
    ]


def test_a_credit_note_for_the_whole_balance_closes_the_invoice_and_keeps_any_excess(
    uow_factory: UnitOfWorkFactory,
) -> None:
    given(
        uow_factory,
        customer("C1"),
        invoice("INV-1", amount="100.00"),
        payment("PAY-1", amount="90.00", on="2026-02-01", invoices=["INV-1"]),
        credit_note("CN-1", amount="15.00", on="2026-02-03", invoice="INV-1"),
    )
    assert state(invoices_of(uow_factory)["INV-1"]) == (eur("0.00"), PAID, day("2026-02-03"))
    with uow_factory() as uow:
        (note,) = uow.credit_notes.for_customer("C1")
    assert (note.number, note.amount, note.unapplied, note.invoice_number) == (
        "CN-1",
        eur("15.00"),
        eur("5.00"),
        "INV-1",
    )


def test_a_credit_note_naming_no_invoice_is_applied_oldest_first(uow_factory: UnitOfWorkFactory) -> None:
    given(
        uow_factory,
        customer("C1"),
        invoice("INV-2", amount="30.00", due="2026-02-28"),
        invoice("INV-1", amount="20.00", due="2026-01-31"),
        credit_note("CN-1", amount="25.00", on="2026-03-01"),
    )
    inv = invoices_of(uow_factory)
    assert (inv["INV-1"].open_balance, inv["INV-2"].open_balance) == (eur("0.00"), eur("25.00"))


# --- the invariant ------------------------------------------------------------------


def test_an_invoice_balance_always_equals_its_amount_minus_its_allocations(
    uow_factory: UnitOfWorkFactory,
) -> None:
    given(
        uow_factory,
        customer("C1"),
        customer("C2", country="JP"),
        invoice("A1", amount="100.00", due="2026-01-31"),
        invoice("A2", amount="250.50", due="2026-02-28"),
        invoice("A3", amount="99.99", currency="USD", due="2026-02-15"),
        invoice("B1", customer="C2", amount="15000", currency="JPY", due="2026-01-31"),
        invoice("B2", customer="C2", amount="7000", currency="JPY", due="2026-03-31"),
        payment("P1", amount="150.00", on="2026-02-10"),
        payment("P2", amount="0.99", currency="USD", on="2026-02-11", invoices=["A3"]),
        payment("P3", customer="C2", amount="16000", currency="JPY", on="2026-02-12"),
        credit_note("N1", amount="0.01", on="2026-02-13", invoice="A2"),
    )
    given(
        uow_factory,
        payment("P4", amount="500.00", on="2026-03-01", invoices=["A2"]),
        payment("P5", customer="C2", amount="6000", currency="JPY", on="2026-04-01", invoices=["B2"]),
    )
    with uow_factory() as uow:
        everything = uow.invoices.for_customer("C1") + uow.invoices.for_customer("C2")
        allocations = uow.queries.allocations_for([i.number for i in everything])
    expected_balances = {
        "A1": eur("0.00"),
        "A2": eur("0.00"),
        "A3": money("99.00", "USD"),
        "B1": money(0, "JPY"),
        "B2": money(0, "JPY"),
    }
    assert {i.number: i.open_balance for i in everything} == expected_balances
    for inv in everything:
        mine = [a for a in allocations if a.invoice_number == inv.number]
        assert inv.open_balance == inv.amount - total((a.amount for a in mine), inv.currency)
        assert (inv.status is PAID) == inv.open_balance.is_zero()
        assert inv.closed_on == (max(a.applied_on for a in mine) if inv.status is PAID else None)
