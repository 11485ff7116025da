"""Aging on every store: exact buckets, totals that add up, and the past as it was."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from builders import AT, credit_note, customer, day, eur, given, invoice, money, payment
from fakes import FakeUnitOfWorkFactory
from recoup.adapters.db.uow import SqlUnitOfWorkFactory
from recoup.demo.generator import generate
from recoup.demo.load import load
from recoup.domain.aging import DEFAULT_EDGES, AgingReport, AgingRow
from recoup.domain.money import Money, total
from recoup.services import reports
from recoup.services.ports import UnitOfWorkFactory

AS_OF = day("2026-06-30")


def aging(uow_factory: UnitOfWorkFactory, as_of: dt.date = AS_OF, edges=DEFAULT_EDGES) -> AgingReport:  # type: ignore[no-untyped-def]
    with uow_factory() as uow:
        return reports.aging(uow, as_of, edges)


def late(days: int) -> dt.date:
    """The due date of an invoice ``days`` past due on AS_OF."""
    return AS_OF - dt.timedelta(days=days)


def test_each_invoice_lands_in_the_bucket_of_its_days_past_due(uow_factory: UnitOfWorkFactory) -> None:
    given(
        uow_factory,
        customer("C1", "Alpha GmbH"),
        invoice("D-5", amount="1.00", issued="2026-06-01", due=late(-5)),
        invoice("D0", amount="2.00", issued="2026-06-01", due=late(0)),
        invoice("D1", amount="4.00", issued="2026-01-01", due=late(1)),
        invoice("D30", amount="8.00", issued="2026-01-01", due=late(30)),
        invoice("D31", amount="16.00", issued="2026-01-01", due=late(31)),
        invoice("D60", amount="32.00", issued="2026-01-01", due=late(60)),
        invoice("D61", amount="64.00", issued="2026-01-01", due=late(61)),
        invoice("D90", amount="128.00", issued="2026-01-01", due=late(90)),
        invoice("D91", amount="256.00", issued="2025-01-01", due=late(91)),
        invoice("D400", amount="512.00", issued="2025-01-01", due=late(400)),
    )
    report = aging(uow_factory)
    assert report.as_of == AS_OF
    assert report.labels == ("not_due", "1-30", "31-60", "61-90", "91+")
    assert report.rows == (
        AgingRow(
            "C1",
            "Alpha GmbH",
            "EUR",
            (eur("3.00"), eur("12.00"), eur("48.00"), eur("192.00"), eur("768.00")),
        ),
    )


def test_paid_amounts_and_invoices_issued_later_are_left_out(uow_factory: UnitOfWorkFactory) -> None:
    given(
        uow_factory,
        customer("C1"),
        invoice("PART", amount="100.00", issued="2026-05-01", due=late(10)),
        invoice("PAID", amount="50.00", issued="2026-05-01", due=late(20)),
        invoice("FUTURE", amount="70.00", issued="2026-07-01", due="2026-07-31"),
        payment("P1", amount="50.00", on="2026-06-01", invoices=["PAID"]),
        payment("P2", amount="30.00", on="2026-06-02", invoices=["PART"]),
        credit_note("N1", amount="5.50", on="2026-06-03", invoice="PART"),
    )
    (row,) = aging(uow_factory).rows
    assert row.buckets == (eur("0"), eur("64.50"), eur("0"), eur("0"), eur("0"))


def test_custom_edges_make_custom_buckets(uow_factory: UnitOfWorkFactory) -> None:
    given(
        uow_factory,
        customer("C1"),
        invoice("A", amount="1.00", issued="2026-01-01", due=late(15)),
        invoice("B", amount="2.00", issued="2026-01-01", due=late(16)),
        invoice("C", amount="4.00", issued="2026-01-01", due=late(46)),
    )
    report = aging(uow_factory, edges=(0, 15, 45))
    assert report.labels == ("not_due", "1-15", "16-45", "46+")
    assert report.rows[0].buckets == (eur("0"), eur("1.00"), eur("2.00"), eur("4.00"))


def test_buckets_add_up_to_the_cent_to_the_open_balance_per_currency(uow_factory: UnitOfWorkFactory) -> None:
    records = [customer("C1"), customer("C2", country="JP"), customer("C3", country="KW")]
    amounts = itertools.cycle(["0.01", "999.99", "123.45", "10.10", "0.99", "5000.00", "3.33"])
    for n in range(36):
        cid, cur = [("C1", "EUR"), ("C1", "USD"), ("C2", "JPY"), ("C3", "KWD")][n % 4]
        raw = next(amounts)
        amount = raw.replace(".", "").lstrip("0") if cur == "JPY" else raw  # 0.01 -> 1 yen
        issued = AS_OF - dt.timedelta(days=7 * n + 3)
        records.append(invoice(f"I{n:02d}", customer=cid, currency=cur, amount=amount, issued=issued))
    records += [
        payment("P1", amount="1000.00", on="2026-06-01"),
        payment("P2", amount="250.55", currency="USD", on="2026-06-01"),
        payment("P3", customer="C2", amount="1234", currency="JPY", on="2026-06-01"),
        payment("P4", customer="C3", amount="2.345", currency="KWD", on="2026-06-01"),
        credit_note("N1", amount="0.07", on="2026-06-02"),
    ]
    given(uow_factory, *records)

    report = aging(uow_factory)
    with uow_factory() as uow:
        open_items = uow.invoices.open_for_customers(["C1", "C2", "C3"])
    expected: dict[str, Money] = {}
    for inv in open_items:
        expected[inv.currency] = expected.get(inv.currency, Money.zero(inv.currency)) + inv.open_balance
    totals = report.totals()
    assert sorted(totals) == ["EUR", "JPY", "KWD", "USD"]
    for currency, buckets in totals.items():
        assert total(buckets, currency) == expected[currency]
        assert sum(r.total for r in report.rows if r.currency == currency) == expected[currency]
    assert len([b for b in totals["EUR"] if not b.is_zero()]) >= 3  # spread over the buckets
    assert totals["KWD"][0].amount.as_tuple().exponent == -3


def test_aging_as_of_a_past_day_counts_what_was_owed_on_that_day(uow_factory: UnitOfWorkFactory) -> None:
    given(
        uow_factory,
        customer("C1"),
        invoice("INV-1", amount="100.00", issued="2026-01-01", due="2026-01-31"),
        invoice("INV-2", amount="50.00", issued="2026-02-15", due="2026-03-15"),
        payment("P1", amount="30.00", on="2026-02-10", invoices=["INV-1"]),
        payment("P2", amount="70.00", on="2026-03-20", invoices=["INV-1"]),
    )
    assert aging(uow_factory, day("2025-12-31")).rows == ()
    assert aging(uow_factory, day("2026-01-31")).rows[0].buckets[0] == eur("100.00")
    assert aging(uow_factory, day("2026-02-14")).rows[0].buckets == (eur(0), eur("70.00"), *[eur(0)] * 3)
    assert aging(uow_factory, day("2026-03-19")).rows[0].buckets == (
        eur(0),
        eur("50.00"),
        eur("70.00"),
        eur(0),
        eur(0),
    )
    assert aging(uow_factory, day("2026-03-20")).rows[0].buckets == (eur(0), eur("50.00"), *[eur(0)] * 3)


def test_aging_is_right_when_payments_were_recorded_out_of_date_order(uow_factory: UnitOfWorkFactory) -> None:
    given(
        uow_factory,
        customer("C1"),
        invoice("INV-1", amount="100.00", issued="2026-01-01", due="2026-01-31"),
        payment("PAY-MAR", amount="40.00", on="2026-03-10", invoices=["INV-1"]),
    )
    given(uow_factory, payment("PAY-FEB", amount="60.00", on="2026-02-10", invoices=["INV-1"]))
    assert aging(uow_factory, day("2026-02-05")).rows[0].buckets[1] == eur("100.00")
    assert aging(uow_factory, day("2026-02-20")).rows[0].buckets[1] == eur("40.00")
    assert aging(uow_factory, day("2026-03-10")).rows == ()


def test_a_customer_with_several_currencies_gets_a_row_per_currency(uow_factory: UnitOfWorkFactory) -> None:
    given(
        uow_factory,
        customer("C1", "Alpha"),
        invoice("E", amount="10.00", issued="2026-06-01", due="2026-07-01"),
        invoice("U", amount="20.00", currency="USD", issued="2026-06-01", due="2026-07-01"),
    )
    rows = aging(uow_factory).rows
    assert [(r.customer_id, r.currency, r.total) for r in rows] == [
        ("C1", "EUR", eur("10.00")),
        ("C1", "USD", money("20.00", "USD")),
    ]


# --- the SQL against the fake's independent computation, on a generated ledger ------

GENERATED_AS_OF = dt.date(2026, 11, 23)
PAST_DAYS = [
    GENERATED_AS_OF,
    dt.date(2026, 11, 1),
    dt.date(2026, 9, 30),
    dt.date(2026, 7, 15),
    dt.date(2026, 3, 31),
    dt.date(2025, 12, 31),
    dt.date(2025, 6, 30),
]


def _generated(uow_factory: UnitOfWorkFactory) -> None:
    batches = generate(customers=12, seed=11, as_of=GENERATED_AS_OF, years=2, batch_size=5)
    load(uow_factory, batches, at=AT)


@pytest.mark.parametrize("as_of", PAST_DAYS, ids=str)
def test_sql_aging_as_of_a_past_day_equals_the_fakes_computation_on_a_generated_ledger(
    sql_uow: SqlUnitOfWorkFactory, as_of: dt.date
) -> None:
    fake = FakeUnitOfWorkFactory()
    _generated(fake)
    _generated(sql_uow)

    expected = aging(fake, as_of)
    assert aging(sql_uow, as_of) == expected
    assert aging(sql_uow, as_of, (0, 7, 14, 45, 180)) == aging(fake, as_of, (0, 7, 14, 45, 180))
    # a ledger worth comparing: several customers and currencies, money in most buckets
    assert len(expected.rows) >= 5
    assert len(expected.totals()) >= 2
    filled = {i for row in expected.rows for i, b in enumerate(row.buckets) if not b.is_zero()}
    assert len(filled) >= 3


def test_the_generated_ledger_has_the_same_open_balances_in_both_stores(
    sql_uow: SqlUnitOfWorkFactory,
) -> None:
    fake = FakeUnitOfWorkFactory()
    _generated(fake)
    _generated(sql_uow)
    with fake() as f, sql_uow() as s:
        ids = [c.id for c in f.customers.list()]
        assert [c.id for c in s.customers.list()] == ids
        fake_open = {
            (i.number, i.open_balance, i.status, i.closed_on) for i in f.invoices.open_for_customers(ids)
        }
        sql_open = {
            (i.number, i.open_balance, i.status, i.closed_on) for i in s.invoices.open_for_customers(ids)
        }
        numbers = [i.number for cid in ids for i in f.invoices.for_customer(cid)]
        assert s.queries.allocations_for(numbers) == f.queries.allocations_for(numbers)
    assert sql_open == fake_open
    assert len(fake_open) > 10
