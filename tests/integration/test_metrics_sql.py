"""AR metrics on SQLite and PostgreSQL: a small ledger whose every figure was worked out by hand.

As of Tuesday 2026-06-30 with the default 90-day period (2026-04-01, 2026-06-30], EUR:

=====  ========  =======  ==========  ==========  ==========================================
inv    customer  amount   issued      due         what happened
=====  ========  =======  ==========  ==========  ==========================================
A      C1        1000.00  2026-03-01  2026-03-31  400 paid 04-10; 600 open (91 days late)
B      C1         500.00  2026-04-15  2026-05-15  paid 06-01 (17 days late)
C      C2         300.00  2026-05-20  2026-06-19  open (11 days late)
D      C2         200.00  2026-06-10  2026-07-10  open, not due
E      C2         100.00  2026-02-01  2026-03-03  written off 05-05
F      C1         250.00  2026-06-20  2026-07-20  open, not due, in open dispute since 06-25
J      C1          50.00  2026-06-30  2026-12-31  open, not due
H      C1         200.00  2025-09-01  2025-10-01  paid 2025-10-04 (3 days late)
I      C1         100.00  2025-10-01  2025-10-31  paid 2025-10-20 (early)
=====  ========  =======  ==========  ==========  ==========================================

and USD: U1 of C3, 100.00 issued 2026-05-01 due 2026-05-31, paid 06-05 (5 days late).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from builders import customer, day, eur, given, invoice, money, payment
from recoup.domain.activity import Activity
from recoup.domain.cases import PromiseStatus
from recoup.domain.ladder import StepRecord, StepStatus
from recoup.domain.metrics import AUTOMATIC, BEFORE_ANY_STEP, Collected, ForecastWeek
from recoup.services import casework, ledger, metrics
from recoup.services.ports import UnitOfWorkFactory

AS_OF = day("2026-06-30")
ANNA, BOB, CAROL = "anna@supplier.example", "bob@supplier.example", "carol@supplier.example"


def at(value: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day(value), dt.time(hour), tzinfo=dt.UTC)


def build(uow_factory: UnitOfWorkFactory) -> None:
    given(
        uow_factory,
        customer("C1", "Alpha GmbH"),
        customer("C2", "Beta AG"),
        customer("C3", "Gamma Inc", country="US", currency="USD"),
        invoice("A", customer="C1", amount="1000.00", issued="2026-03-01", due="2026-03-31"),
        invoice("B", customer="C1", amount="500.00", issued="2026-04-15", due="2026-05-15"),
        invoice("C", customer="C2", amount="300.00", issued="2026-05-20", due="2026-06-19"),
        invoice("D", customer="C2", amount="200.00", issued="2026-06-10", due="2026-07-10"),
        invoice("E", customer="C2", amount="100.00", issued="2026-02-01", due="2026-03-03"),
        invoice("F", customer="C1", amount="250.00", issued="2026-06-20", due="2026-07-20"),
        invoice("J", customer="C1", amount="50.00", issued="2026-06-30", due="2026-12-31"),
        invoice("H", customer="C1", amount="200.00", issued="2025-09-01", due="2025-10-01"),
        invoice("I", customer="C1", amount="100.00", issued="2025-10-01", due="2025-10-31"),
        invoice("U1", customer="C3", amount="100.00", currency="USD", issued="2026-05-01", due="2026-05-31"),
    )
    with uow_factory() as uow:

        def promise(cid: str, amount: str, date: str, number: str, made: str):  # type: ignore[no-untyped-def]
            return casework.record_promise(
                uow, cid, eur(amount), day(date), [number], at=at(made), actor="customer"
            )

        kept = promise("C1", "100.00", "2026-04-10", "A", "2026-04-05")
        broken = promise("C2", "50.00", "2026-05-10", "E", "2026-05-01")
        later = promise("C2", "30.00", "2026-07-05", "C", "2026-06-20")
        gone = promise("C2", "30.00", "2026-06-10", "C", "2026-06-01")
        before = promise("C1", "10.00", "2026-03-20", "A", "2026-03-01")
        for p, status in [
            (kept, PromiseStatus.KEPT),
            (broken, PromiseStatus.BROKEN),
            (later, PromiseStatus.BROKEN),  # dated after as_of: still open on 06-30
            (gone, PromiseStatus.CANCELLED),
            (before, PromiseStatus.KEPT),  # made before the period
        ]:
            uow.promises.replace(replace(p, status=status))
        dispute = casework.open_dispute
        on_a = dispute(uow, "A", "other", at=at("2026-03-15"), actor="customer")
        on_c = dispute(uow, "C", "other", at=at("2026-06-20"), actor="customer")
        on_d = dispute(uow, "D", "other", at=at("2026-06-12"), actor="customer")
        dispute(uow, "F", "other", at=at("2026-06-25"), actor="customer")
        for d, resolved in [(on_a, "2026-04-04"), (on_c, "2026-06-27"), (on_d, "2026-06-15")]:
            casework.resolve_dispute(uow, d.id or 0, "rejected", at=at(resolved), actor=ANNA)
        # Anna called C1 on 04-01 and resolved the dispute on A on 04-04; Bob noted something on 05-20;
        # the engine emailed on 05-25 (not a person).
        casework.log_contact(uow, "C1", "call", outcome="no_answer", at=at("2026-04-01"), actor=ANNA)
        casework.log_contact(uow, "C1", "note", notes="will pay soon", at=at("2026-05-20"), actor=BOB)
        uow.activities.add_many([Activity("email", at("2026-05-25"), "system", "C1", "Reminder sent")])
        uow.steps.add_many(
            [
                StepRecord("A", "reminder-1", day("2026-04-05"), StepStatus.TAKEN),
                StepRecord("A", "reminder-2", day("2026-04-20"), StepStatus.TAKEN),
                StepRecord("B", "courtesy", day("2026-05-10"), StepStatus.TAKEN),
                StepRecord("B", "reminder-1", day("2026-05-20"), StepStatus.SKIPPED),
            ]
        )
        # Carol types the payments in on the day they arrive: that is bookkeeping, not collecting.
        for ref, cid, amount, currency, paid, numbers in [
            ("P1", "C1", "400.00", "EUR", "2026-04-10", ["A"]),
            ("P2", "C1", "500.00", "EUR", "2026-06-01", ["B"]),
            ("P3", "C3", "100.00", "USD", "2026-06-05", ["U1"]),
            ("P4", "C1", "200.00", "EUR", "2025-10-04", ["H"]),
            ("P5", "C1", "100.00", "EUR", "2025-10-20", ["I"]),
        ]:
            p = payment(ref, customer=cid, amount=amount, currency=currency, on=paid, invoices=numbers)
            ledger.record_payments(uow, [p], at=at(paid, 15), actor=CAROL)
        casework.write_off(uow, "E", "insolvent", at=at("2026-05-05"), actor="dora@supplier.example")
        uow.commit()


@pytest.fixture
def ledger_uow(sql_uow_factory: UnitOfWorkFactory) -> UnitOfWorkFactory:
    build(sql_uow_factory)
    return sql_uow_factory


def compute(uow_factory: UnitOfWorkFactory, as_of: dt.date = AS_OF, **options):  # type: ignore[no-untyped-def]
    with uow_factory() as uow:
        return metrics.compute(uow, as_of, **options)


def test_receivables_ratios_of_each_currency(ledger_uow: UnitOfWorkFactory) -> None:
    m = compute(ledger_uow)
    assert (m.as_of, m.period_start, m.period_days) == (AS_OF, day("2026-04-01"), 90)
    eur_, usd = m.currencies
    assert eur_.currency == "EUR" and usd.currency == "USD"
    assert eur_.labels == ("not_due", "1-30", "31-60", "61-90", "91+")
    assert eur_.buckets == (eur("500.00"), eur("300.00"), eur(0), eur(0), eur("600.00"))
    assert (eur_.total, eur_.current, eur_.past_90, eur_.opening) == (
        eur("1400.00"),
        eur("500.00"),
        eur("600.00"),
        eur("1100.00"),
    )
    assert (eur_.sales, eur_.collected, eur_.written_off) == (eur("1300.00"), eur("900.00"), eur("100.00"))
    D = Decimal
    assert eur_.dso == D("96.9")  # 1400 / 1300 x 90
    assert eur_.dso_countback == D("94.1")  # June 30 + May 31 + April 30 days, then 100/1000 of March's 31
    assert eur_.best_dso == D("34.6")  # 500 / 1300 x 90
    assert eur_.add == D("62.3")
    assert eur_.cei == D("52.6")  # (1100 + 1300 - 1400) / (1100 + 1300 - 500)
    assert eur_.percent_current == D("35.7")  # 500 / 1400
    assert eur_.share_90_plus == D("42.9")  # 600 / 1400
    assert eur_.write_off_ratio == D("7.7")  # 100 / 1300
    usd_money = money("100.00", "USD")
    assert usd.total == money(0, "USD") and usd.sales == usd_money and usd.collected == usd_money
    assert (usd.dso, usd.dso_countback, usd.best_dso, usd.add, usd.cei) == (
        D("0.0"),
        D("0.0"),
        D("0.0"),
        D("0.0"),
        D("100.0"),
    )
    assert usd.percent_current is None and usd.share_90_plus is None
    assert usd.write_off_ratio == D("0.0")


def test_promises_disputes_and_who_collected(ledger_uow: UnitOfWorkFactory) -> None:
    m = compute(ledger_uow)
    assert (m.promises.kept, m.promises.broken, m.promises.open, m.promises.kept_percent) == (
        1,
        1,
        1,
        Decimal("50.0"),
    )
    d = m.disputes
    assert (d.opened, d.resolved, d.open) == (3, 3, 1)  # opened C, D, F; resolved A, C, D; F open
    assert (d.median_days, d.mean_days) == (Decimal("7.0"), Decimal("10.0"))  # 20, 7 and 3 days
    assert m.by_step == (
        Collected("EUR", "courtesy", eur("500.00")),
        Collected("EUR", "reminder-1", eur("400.00")),
        Collected("USD", BEFORE_ANY_STEP, money("100.00", "USD")),
    )
    assert m.by_collector == (
        Collected("EUR", BOB, eur("500.00")),  # the engine's email of 05-25 is not a person
        Collected("EUR", ANNA, eur("400.00")),  # her dispute resolution of 04-04, within 30 days
        Collected("USD", AUTOMATIC, money("100.00", "USD")),
    )


def test_payment_patterns_and_the_weekly_forecast(ledger_uow: UnitOfWorkFactory) -> None:
    m = compute(ledger_uow)
    c1, c3 = m.patterns
    assert (c1.customer_id, c1.name, c1.currency, c1.paid) == ("C1", "Alpha GmbH", "EUR", 3)
    assert c1.average_days_late == Decimal("6.7")  # (17 + 3 + 0) / 3
    assert c1.on_time_percent == Decimal("33.3")  # I was paid early
    assert c1.trend_days == Decimal("15.5")  # 17 since January against (3 + 0) / 2 before
    assert (c3.customer_id, c3.currency, c3.paid, c3.average_days_late, c3.trend_days) == (
        "C3",
        "USD",
        1,
        Decimal("5.0"),
        None,
    )
    assert c3.on_time_percent == Decimal("0.0")
    # A (C1 pays 7 days late: 04-07) and C (C2 has no history: 06-19) are overdue now: this week;
    # D on 07-10 the next; J on 2026-12-31 + 7 after the 13th week, so in it; F is in dispute.
    assert m.forecast == (
        ForecastWeek("EUR", day("2026-06-29"), eur("900.00")),
        ForecastWeek("EUR", day("2026-07-06"), eur("200.00")),
        ForecastWeek("EUR", day("2026-09-21"), eur("50.00")),
    )


def test_the_past_as_it_was_and_custom_edges(ledger_uow: UnitOfWorkFactory) -> None:
    m = compute(ledger_uow, day("2026-04-30"), edges=(0, 30, 60, 90, 120, 180, 365), period_days=30)
    (e,) = m.currencies
    assert e.labels == ("not_due", "1-30", "31-60", "61-90", "91-120", "121-180", "181-365", "366+")
    # A: 600 open (30 days late), B: 500 not due, E: 100 (58 days late).
    assert e.buckets == (eur("500.00"), eur("600.00"), eur("100.00"), *[eur(0)] * 5)
    assert e.sales == eur("500.00") and e.collected == eur("400.00") and e.written_off == eur(0)
    assert e.dso == Decimal("72.0")  # 1200 / 500 x 30
    assert m.promises.kept == 1 and m.promises.broken == 0 and m.disputes.resolved == 1


def test_history_gives_month_ends_with_aging_dso_and_add(ledger_uow: UnitOfWorkFactory) -> None:
    with ledger_uow() as uow:
        points = metrics.history(uow, AS_OF, months=3)
    assert [(p.month_end, p.currency) for p in points] == [
        (day("2026-04-30"), "EUR"),
        (day("2026-05-31"), "EUR"),
        (day("2026-05-31"), "USD"),
        (day("2026-06-30"), "EUR"),
        (day("2026-06-30"), "USD"),
    ]
    april = points[0]
    assert april.buckets == (eur("500.00"), eur("600.00"), eur("100.00"), eur(0), eur(0))
    assert (april.dso, april.add) == (Decimal("67.5"), Decimal("39.4"))  # 1200/1600 x 90; - 500/1600 x 90
    may_usd = points[2]
    assert may_usd.buckets[0] == money("100.00", "USD") and (may_usd.dso, may_usd.add) == (
        Decimal("90.0"),
        Decimal("0.0"),
    )
    june = compute(ledger_uow).currencies[0]
    assert (points[3].buckets, points[3].dso, points[3].add) == (june.buckets, june.dso, june.add)


def test_an_empty_ledger_has_no_ratios(sql_uow_factory: UnitOfWorkFactory) -> None:
    m = compute(sql_uow_factory)
    assert m.currencies == () and m.patterns == () and m.forecast == ()
    assert m.promises.kept_percent is None and m.disputes.median_days is None
    assert metrics.metrics_json(m)["currencies"] == []


def test_json_has_exact_strings_and_nulls(ledger_uow: UnitOfWorkFactory) -> None:
    data = metrics.metrics_json(compute(ledger_uow))
    first = data["currencies"][0]
    assert first["aging"] == {
        "not_due": "500.00",
        "1-30": "300.00",
        "31-60": "0.00",
        "61-90": "0.00",
        "91+": "600.00",
    }
    assert (first["dso"], first["cei"], first["total"]) == ("96.9", "52.6", "1400.00")
    assert data["currencies"][1]["percent_current"] is None
    assert data["forecast"][0] == {"currency": "EUR", "week_start": "2026-06-29", "expected": "900.00"}
