"""Invoices refuse impossible data; aging sorts open balances into buckets by days past due."""

from __future__ import annotations

import datetime as dt

import pytest

from builders import eur, invoice
from recoup.domain.activity import Activity
from recoup.domain.aging import (
    DEFAULT_EDGES,
    bucket_index,
    bucket_labels,
    build_report,
    check_edges,
    due_date_thresholds,
)
from recoup.domain.errors import InvalidValueError
from recoup.domain.invoices import Invoice, InvoiceStatus
from recoup.domain.money import Money

# --- invoices -----------------------------------------------------------------------


def test_an_invoice_due_before_it_was_issued_is_refused() -> None:
    with pytest.raises(InvalidValueError, match="due date 2026-01-31 is before issue date 2026-02-01"):
        invoice("INV-1", issued="2026-02-01", due="2026-01-31")


def test_an_invoice_due_the_day_it_is_issued_is_fine() -> None:
    assert invoice("INV-1", issued="2026-02-01", due="2026-02-01").due_date == dt.date(2026, 2, 1)


@pytest.mark.parametrize("amount", ["0.00", "-10.00", "0.004"])
def test_an_invoice_needs_a_positive_amount(amount: str) -> None:
    with pytest.raises(InvalidValueError, match="amount must be positive"):
        invoice("INV-1", amount=amount)


def test_an_invoice_needs_a_number() -> None:
    with pytest.raises(InvalidValueError, match="number"):
        invoice("  ")


def test_a_new_invoice_owes_its_whole_amount_and_is_open() -> None:
    inv = invoice("INV-1", amount="99.90")
    assert inv.open_balance == eur("99.90")
    assert inv.status is InvoiceStatus.OPEN
    assert inv.closed_on is None
    assert inv.currency == "EUR"


def test_balance_and_amount_must_share_a_currency() -> None:
    with pytest.raises(InvalidValueError, match="currency"):
        Invoice("INV-1", "C1", dt.date(2026, 1, 1), dt.date(2026, 1, 31), eur("10"), Money("10", "USD"))


def test_an_invoice_is_overdue_from_the_day_after_its_due_date() -> None:
    inv = invoice("INV-1", due="2026-01-31")
    assert inv.days_past_due(dt.date(2026, 1, 31)) == 0
    assert not inv.is_overdue(dt.date(2026, 1, 31))
    assert inv.days_past_due(dt.date(2026, 2, 1)) == 1
    assert inv.is_overdue(dt.date(2026, 2, 1))


def test_a_paid_invoice_is_never_overdue() -> None:
    inv = Invoice(
        "INV-1",
        "C1",
        dt.date(2026, 1, 1),
        dt.date(2026, 1, 31),
        eur("10"),
        balance=eur("0"),
        status=InvoiceStatus.PAID,
        closed_on=dt.date(2026, 2, 10),
    )
    assert not inv.is_overdue(dt.date(2026, 6, 1))


# --- aging buckets ------------------------------------------------------------------


def test_the_default_buckets_are_not_due_then_thirty_day_steps_then_91_plus() -> None:
    assert bucket_labels() == ("not_due", "1-30", "31-60", "61-90", "91+")
    assert DEFAULT_EDGES == (0, 30, 60, 90)


def test_custom_edges_give_matching_labels() -> None:
    assert bucket_labels((0, 15, 45)) == ("not_due", "1-15", "16-45", "46+")


@pytest.mark.parametrize(
    ("days", "label"),
    [
        (-10, "not_due"),
        (0, "not_due"),
        (1, "1-30"),
        (30, "1-30"),
        (31, "31-60"),
        (60, "31-60"),
        (61, "61-90"),
        (90, "61-90"),
        (91, "91+"),
        (5000, "91+"),
    ],
)
def test_bucket_boundaries(days: int, label: str) -> None:
    assert bucket_labels()[bucket_index(days)] == label


@pytest.mark.parametrize("edges", [(), (1, 30), (0, 30, 30), (0, 60, 30)])
def test_edges_must_start_at_zero_and_increase(edges: tuple[int, ...]) -> None:
    with pytest.raises(InvalidValueError, match="start at 0"):
        check_edges(edges)


def test_due_date_thresholds_count_back_from_the_day() -> None:
    assert due_date_thresholds(dt.date(2026, 3, 31), (0, 30)) == [dt.date(2026, 3, 31), dt.date(2026, 3, 1)]


def test_build_report_groups_by_customer_and_currency_and_skips_zero_balances() -> None:
    as_of = dt.date(2026, 6, 30)
    items = [
        ("C2", "Beta", "EUR", dt.date(2026, 6, 30), eur("10.00")),  # due today: not due
        ("C1", "Alpha", "EUR", dt.date(2026, 6, 29), eur("1.00")),  # 1 day late
        ("C1", "Alpha", "EUR", dt.date(2026, 5, 31), eur("2.00")),  # 30 days
        ("C1", "Alpha", "EUR", dt.date(2026, 5, 30), eur("4.00")),  # 31 days
        ("C1", "Alpha", "USD", dt.date(2026, 3, 31), Money("8.00", "USD")),  # 91 days
        ("C1", "Alpha", "EUR", dt.date(2026, 1, 1), eur("0.00")),  # paid: not a row's worth
        ("C3", "Gamma", "EUR", dt.date(2026, 1, 1), eur("0.00")),
    ]
    report = build_report(as_of, items)
    assert [(r.customer_id, r.customer_name, r.currency) for r in report.rows] == [
        ("C1", "Alpha", "EUR"),
        ("C1", "Alpha", "USD"),
        ("C2", "Beta", "EUR"),
    ]
    assert report.rows[0].buckets == (eur("0"), eur("3.00"), eur("4.00"), eur("0"), eur("0"))
    assert report.rows[0].total == eur("7.00")
    assert report.rows[1].buckets[4] == Money("8.00", "USD")
    assert report.totals() == {
        "EUR": (eur("10.00"), eur("3.00"), eur("4.00"), eur("0"), eur("0")),
        "USD": tuple(Money(x, "USD") for x in ("0", "0", "0", "0", "8.00")),
    }


# --- the activity log's entries -----------------------------------------------------


def test_an_activity_must_be_stamped_in_utc() -> None:
    naive = dt.datetime(2026, 1, 1, 9, 0)
    berlin = dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    for at in (naive, berlin):
        with pytest.raises(InvalidValueError, match="UTC"):
            Activity("note", at, "me@supplier.example", "C1", "called")


def test_an_activity_needs_a_kind_and_an_actor() -> None:
    at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    with pytest.raises(InvalidValueError, match="kind and an actor"):
        Activity("", at, "me", "C1", "x")
    with pytest.raises(InvalidValueError, match="kind and an actor"):
        Activity("note", at, "", "C1", "x")
