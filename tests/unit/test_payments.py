"""Applying an amount to invoices: named first, else oldest first; never more than there is."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from builders import credit_note, eur, invoice, payment
from recoup.domain.errors import AllocationError, CurrencyMismatchError, InvalidValueError
from recoup.domain.invoices import Invoice, InvoiceStatus
from recoup.domain.money import Money
from recoup.domain.payments import (
    Allocation,
    AllocationKind,
    apply_amount,
    closed_status,
    oldest_first,
)

ON = dt.date(2026, 3, 1)


def apply(amount: Money, invoices: list[Invoice], named: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    return apply_amount(
        amount, invoices, named=named, kind=AllocationKind.PAYMENT, source="PAY-1", applied_on=ON
    )


def test_a_payment_without_names_pays_the_invoice_due_first() -> None:
    later = invoice("INV-B", amount="50.00", issued="2026-01-01", due="2026-02-15")
    earlier = invoice("INV-A", amount="30.00", issued="2026-01-05", due="2026-02-01")
    result = apply(eur("40.00"), [later, earlier])
    assert result.allocations == (
        Allocation("INV-A", eur("30.00"), AllocationKind.PAYMENT, "PAY-1", ON),
        Allocation("INV-B", eur("10.00"), AllocationKind.PAYMENT, "PAY-1", ON),
    )
    assert result.unapplied == eur("0.00")
    assert result.oldest_first is True


def test_oldest_first_breaks_ties_on_issue_date_then_number() -> None:
    a = invoice("INV-2", issued="2026-01-02", due="2026-02-01")
    b = invoice("INV-1", issued="2026-01-02", due="2026-02-01")
    c = invoice("INV-9", issued="2026-01-01", due="2026-02-01")
    assert [i.number for i in oldest_first([a, b, c])] == ["INV-9", "INV-1", "INV-2"]


def test_named_invoices_are_paid_in_the_order_named_even_if_younger() -> None:
    old = invoice("INV-OLD", amount="100.00", due="2026-01-31")
    young = invoice("INV-NEW", amount="60.00", due="2026-03-31")
    result = apply(eur("80.00"), [old, young], named=("INV-NEW", "INV-OLD"))
    assert [(a.invoice_number, a.amount) for a in result.allocations] == [
        ("INV-NEW", eur("60.00")),
        ("INV-OLD", eur("20.00")),
    ]
    assert result.oldest_first is False


def test_a_payment_naming_one_invoice_leaves_the_others_alone_and_keeps_the_rest() -> None:
    named = invoice("INV-1", amount="100.00", due="2026-03-31")
    other = invoice("INV-0", amount="100.00", due="2026-01-31")
    result = apply(eur("150.00"), [named, other], named=("INV-1",))
    assert [(a.invoice_number, a.amount) for a in result.allocations] == [("INV-1", eur("100.00"))]
    assert result.unapplied == eur("50.00")


def test_naming_an_invoice_twice_pays_it_once() -> None:
    inv = invoice("INV-1", amount="100.00")
    result = apply(eur("150.00"), [inv], named=("INV-1", "INV-1"))
    assert [a.amount for a in result.allocations] == [eur("100.00")]
    assert result.unapplied == eur("50.00")


def test_naming_an_invoice_that_is_not_open_is_an_error() -> None:
    with pytest.raises(AllocationError, match="INV-X"):
        apply(eur("10.00"), [invoice("INV-1")], named=("INV-X",))


def test_a_payment_naming_an_invoice_in_another_currency_is_refused() -> None:
    with pytest.raises(CurrencyMismatchError, match="USD cannot pay invoice INV-1 in EUR"):
        apply(Money("10.00", "USD"), [invoice("INV-1")], named=("INV-1",))


def test_a_payment_naming_no_invoice_pays_only_invoices_in_its_own_currency() -> None:
    older_eur = invoice("INV-EUR", amount="100.00", due="2026-01-31")
    usd = invoice("INV-USD", amount="100.00", currency="USD", due="2026-02-28")
    result = apply(Money("120.00", "USD"), [older_eur, usd])
    assert [(a.invoice_number, a.amount) for a in result.allocations] == [("INV-USD", Money("100.00", "USD"))]
    assert result.unapplied == Money("20.00", "USD")


def test_oldest_first_skips_invoices_that_are_not_open() -> None:
    paid = replace(invoice("INV-PAID", due="2026-01-10"), balance=eur("0"), status=InvoiceStatus.PAID)
    open_ = invoice("INV-OPEN", amount="20.00", due="2026-02-10")
    result = apply(eur("25.00"), [paid, open_])
    assert [(a.invoice_number, a.amount) for a in result.allocations] == [("INV-OPEN", eur("20.00"))]
    assert result.unapplied == eur("5.00")


def test_a_fully_paid_invoice_takes_the_status_of_what_closed_it() -> None:
    assert closed_status(AllocationKind.PAYMENT) is InvoiceStatus.PAID
    assert closed_status(AllocationKind.CREDIT_NOTE) is InvoiceStatus.PAID
    assert closed_status(AllocationKind.SETTLEMENT) is InvoiceStatus.SETTLED
    assert closed_status(AllocationKind.WRITE_OFF) is InvoiceStatus.WRITTEN_OFF


def test_payments_and_credit_notes_must_be_positive() -> None:
    with pytest.raises(InvalidValueError, match="PAY-0"):
        payment("PAY-0", amount="0.00")
    with pytest.raises(InvalidValueError, match="CN-1"):
        credit_note("CN-1", amount="-1.00")
    with pytest.raises(InvalidValueError, match="reference"):
        payment(" ")


def test_a_new_payment_has_all_of_its_amount_unapplied() -> None:
    assert payment("PAY-1", amount="12.34").unapplied == eur("12.34")
    assert credit_note("CN-1", amount="5.00").unapplied == eur("5.00")


# --- properties ---------------------------------------------------------------------


@st.composite
def open_invoices(draw: st.DrawFn) -> list[Invoice]:
    n = draw(st.integers(min_value=0, max_value=8))
    result = []
    for i in range(n):
        amount = draw(st.integers(min_value=1, max_value=1_000_000))
        paid = draw(st.integers(min_value=0, max_value=amount - 1))
        due = dt.date(2026, 1, 1) + dt.timedelta(days=draw(st.integers(min_value=0, max_value=90)))
        result.append(
            Invoice(
                f"INV-{i}",
                "C1",
                dt.date(2025, 12, 1),
                due,
                Money.from_minor(amount, "EUR"),
                balance=Money.from_minor(amount - paid, "EUR"),
            )
        )
    return result


@given(
    invoices=open_invoices(),
    amount=st.integers(min_value=1, max_value=5_000_000),
    data=st.data(),
)
def test_a_payment_never_allocates_more_than_it_carries_nor_more_than_a_balance(
    invoices: list[Invoice], amount: int, data: st.DataObject
) -> None:
    numbers = [i.number for i in invoices]
    named = tuple(data.draw(st.lists(st.sampled_from(numbers), unique=True))) if numbers else ()
    paid = Money.from_minor(amount, "EUR")
    result = apply(paid, invoices, named)
    by_number = {i.number: i for i in invoices}

    allocated = sum((a.amount for a in result.allocations), Money.zero("EUR"))
    assert allocated <= paid
    assert result.unapplied == paid - allocated
    assert result.unapplied.amount >= 0
    assert len({a.invoice_number for a in result.allocations}) == len(result.allocations)
    for a in result.allocations:
        inv = by_number[a.invoice_number]
        assert Money.zero("EUR") < a.amount <= inv.open_balance
        # balance after == what was open minus what this payment applied
        assert inv.open_balance - a.amount >= Money.zero("EUR")
    if named:
        assert {a.invoice_number for a in result.allocations} <= set(named)
    # nothing is left on the table: either the money or the (eligible) open balances ran out
    eligible = [by_number[n] for n in named] if named else invoices
    if not result.unapplied.is_zero():
        assert allocated == sum((i.open_balance for i in eligible), Money.zero("EUR"))


@given(invoices=open_invoices(), amount=st.integers(min_value=1, max_value=5_000_000))
def test_oldest_first_fills_each_invoice_before_touching_a_younger_one(
    invoices: list[Invoice], amount: int
) -> None:
    result = apply(Money.from_minor(amount, "EUR"), invoices)
    order = [i.number for i in oldest_first(invoices)]
    touched = [a.invoice_number for a in result.allocations]
    assert touched == order[: len(touched)]
    by_number = {i.number: i for i in invoices}
    # every invoice but the last one touched is paid in full
    for a in result.allocations[:-1]:
        assert a.amount == by_number[a.invoice_number].open_balance
