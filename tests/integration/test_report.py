"""The owner's report data (services.report.build) on SQLite and PostgreSQL, on the hand-worked
ledger of tests/report_world.py."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from builders import day, eur, money
from recoup.domain.metrics import month_ends
from recoup.services import metrics, report
from recoup.services.ports import UnitOfWorkFactory
from recoup.services.report import BrokenPromise, Debtor, ReportData
from report_world import AS_OF, build


@pytest.fixture
def ledger_uow(sql_uow_factory: UnitOfWorkFactory) -> UnitOfWorkFactory:
    build(sql_uow_factory)
    return sql_uow_factory


def data(uow_factory: UnitOfWorkFactory, **options) -> ReportData:  # type: ignore[no-untyped-def]
    with uow_factory() as uow:
        return report.build(uow, AS_OF, **options)


def test_the_report_shows_the_metrics_of_the_day_and_the_aging_per_currency(
    ledger_uow: UnitOfWorkFactory,
) -> None:
    d = data(ledger_uow)
    with ledger_uow() as uow:
        assert d.metrics == metrics.compute(uow, AS_OF)  # the same figures as recoup metrics
    assert d.aging.totals() == {
        "EUR": (eur("200.00"), eur("300.00"), eur(0), eur(0), eur("600.00")),
        "USD": (money(0, "USD"), money("100.00", "USD"), money(0, "USD"), money(0, "USD"), money(0, "USD")),
    }
    eur_ = d.currency("EUR")
    assert eur_ is not None and (eur_.dso, eur_.best_dso, eur_.add) == (
        Decimal("198.0"),
        Decimal("36.0"),
        Decimal("162.0"),
    )
    assert d.currency("GBP") is None


def test_the_history_has_every_month_end_and_the_aging_dso_and_add_at_each(
    ledger_uow: UnitOfWorkFactory,
) -> None:
    d = data(ledger_uow)
    eur_, usd = d.history
    assert (eur_.currency, usd.currency) == ("EUR", "USD")
    assert eur_.months == tuple(month_ends(AS_OF, 12)) == usd.months
    assert eur_.months[0] == day("2025-07-31") and eur_.months[-1] == AS_OF
    zero = (eur(0),) * 5
    assert eur_.buckets[:8] == (zero,) * 8  # nothing open before March
    assert eur_.buckets[8:] == (
        (eur("1000.00"), eur(0), eur(0), eur(0), eur(0)),  # 03-31: A due that day
        (eur(0), eur("600.00"), eur(0), eur(0), eur(0)),  # 04-30: 30 days late
        (eur("300.00"), eur(0), eur(0), eur("600.00"), eur(0)),  # 05-31: A 61 days late, B not due
        (eur("200.00"), eur("300.00"), eur(0), eur(0), eur("600.00")),  # as of 06-30
    )
    assert eur_.dso[:8] == (None,) * 8
    assert eur_.dso[8:] == (Decimal("90.0"), Decimal("54.0"), Decimal("270.0"), Decimal("198.0"))
    assert eur_.add[8:] == (Decimal("0.0"), Decimal("54.0"), Decimal("180.0"), Decimal("162.0"))
    assert (usd.dso[-1], usd.add[-1]) == (Decimal("90.0"), Decimal("90.0"))


def test_the_history_follows_the_buckets_asked_for(ledger_uow: UnitOfWorkFactory) -> None:
    d = data(ledger_uow, edges=(0, 60, 120), months=3)
    eur_ = d.history[0]
    assert eur_.labels == d.aging.labels == ("not_due", "1-60", "61-120", "121+")
    assert eur_.months == (day("2026-04-30"), day("2026-05-31"), AS_OF)
    assert eur_.buckets[-1] == (eur("200.00"), eur("300.00"), eur("600.00"), eur(0))


def test_the_customers_owing_most_past_due_per_currency(ledger_uow: UnitOfWorkFactory) -> None:
    d = data(ledger_uow)
    assert d.top == {
        "EUR": [
            Debtor("C1", "Alpha GmbH", eur("600.00"), eur("600.00")),
            Debtor("C2", "Beta AG", eur("300.00"), eur("500.00")),
        ],
        "USD": [Debtor("C3", "Gamma Inc", money("100.00", "USD"), money("100.00", "USD"))],
    }


def test_only_the_promises_found_broken_in_the_last_90_days_are_listed(ledger_uow: UnitOfWorkFactory) -> None:
    d = data(ledger_uow)
    assert d.broken == (
        BrokenPromise("C2", "Beta AG", eur("50.00"), day("2026-06-10"), day("2026-06-01"), day("2026-06-15")),
    )
    later = dt.date(2026, 7, 3)
    with ledger_uow() as uow:
        found = report.broken_promises(uow, later)
    assert [(b.amount, b.broken_on) for b in found] == [
        (eur("30.00"), later),
        (eur("50.00"), day("2026-06-15")),
    ]  # newest first


def test_without_customers_only_the_figures_per_currency_are_gathered(ledger_uow: UnitOfWorkFactory) -> None:
    full, board = data(ledger_uow), data(ledger_uow, customers=False)
    assert (board.aging.rows, board.top, board.broken) == ((), {}, ())
    assert board.aging.labels == full.aging.labels
    assert (board.metrics, board.history, board.forecast) == (full.metrics, full.history, full.forecast)


def test_the_forecast_has_thirteen_mondays_per_currency_and_holds_what_is_open(
    ledger_uow: UnitOfWorkFactory,
) -> None:
    d = data(ledger_uow)
    assert [f.currency for f in d.forecast] == ["EUR", "USD"]
    for f in d.forecast:
        assert f.weeks[0] == day("2026-06-29") and len(f.weeks) == 13
        assert all(w.weekday() == 0 for w in f.weeks)
    eur_, usd = d.forecast
    assert eur_.total == eur("1100.00")  # every open invoice is expected once, none in dispute
    assert usd.total == money("100.00", "USD")
    assert usd.expected[0] == money("100.00", "USD")  # overdue now: in the first week


def test_an_empty_ledger_gives_an_empty_report(sql_uow_factory: UnitOfWorkFactory) -> None:
    d = data(sql_uow_factory)
    assert (d.metrics.currencies, d.history, d.forecast, d.top, d.broken) == ((), (), (), {}, ())
    html = report.render_html(d)
    assert "Nothing is open" in html
