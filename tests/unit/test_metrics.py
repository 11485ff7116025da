"""The formulas of domain.metrics, each on numbers worked out by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from recoup.domain.errors import InvalidValueError
from recoup.domain.metrics import (
    OpenAr,
    average_days_late,
    best_dso,
    cei,
    countback_dso,
    countback_months,
    currency_metrics,
    days_delinquent,
    dso,
    forecast_week,
    is_person,
    kept_percent,
    lateness_trend,
    mean_days,
    median_days,
    month_ends,
    months_before,
    one_place,
    percent,
    week_start,
)
from recoup.domain.money import Money


def eur(amount: str | int) -> Money:
    return Money(amount, "EUR")


def test_one_place_rounds_half_away_from_zero_and_keeps_none() -> None:
    assert one_place(D("52.65")) == D("52.7")
    assert one_place(D("-0.05")) == D("-0.1")
    assert one_place(D("7")) == D("7.0")
    assert one_place(None) is None


def test_percent_of_nothing_is_none() -> None:
    assert percent(D(1), D(4)) == D(25)
    assert percent(D(0), D(0)) is None


def test_dso_is_receivables_over_sales_times_the_days() -> None:
    assert dso(D("1400"), D("1300"), 90) == D("1400") / D("1300") * 90
    assert one_place(dso(D("1400"), D("1300"), 90)) == D("96.9")
    assert dso(D("0"), D("10"), 90) == 0
    assert dso(D("100"), D("0"), 90) is None  # no sales: no DSO


def test_best_dso_and_add() -> None:
    assert one_place(best_dso(D("500"), D("1300"), 90)) == D("34.6")
    assert days_delinquent(D("96.9"), D("34.6")) == D("62.3")
    assert days_delinquent(None, D("1")) is None and days_delinquent(D("1"), None) is None


def test_cei() -> None:
    # (1100 + 1300 - 1400) / (1100 + 1300 - 500) x 100
    assert one_place(cei(D("1100"), D("1300"), D("1400"), D("500"))) == D("52.6")
    assert cei(D("0"), D("100"), D("0"), D("0")) == 100  # everything collected
    assert cei(D("0"), D("0"), D("0"), D("0")) is None  # nothing was collectable


def test_countback_months_start_with_the_month_to_date() -> None:
    months = countback_months(dt.date(2026, 3, 15), 4)
    assert months == [
        (dt.date(2026, 3, 1), dt.date(2026, 3, 15)),
        (dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
        (dt.date(2026, 1, 1), dt.date(2026, 1, 31)),
        (dt.date(2025, 12, 1), dt.date(2025, 12, 31)),
    ]
    assert len(countback_months(dt.date(2026, 3, 15))) == 24


def test_countback_walks_whole_months_then_a_share_of_the_next() -> None:
    # 1400 open: June's 500 (30 days), May's 300 (31), April's 500 (30) fit; 100 of March's 1000 (31 days).
    months = [(30, D(500)), (31, D(300)), (30, D(500)), (31, D(1000))]
    assert one_place(countback_dso(D(1400), months)) == D("94.1")
    # Less than the first month's sales: a share of it.
    assert countback_dso(D(250), months) == D(15)
    # Exactly the first month: its days, and nothing more even if later months had no sales.
    assert countback_dso(D(500), [(30, D(500)), (31, D(0))]) == 30


def test_countback_edge_cases() -> None:
    assert countback_dso(D(0), [(30, D(100))]) == 0  # nothing open
    assert countback_dso(D(100), [(30, D(0)), (31, D(0))]) is None  # no sales at all
    # Months without sales count whole; more AR than all sales stops at the months given (a floor).
    assert countback_dso(D(100), [(30, D(0)), (31, D(50))]) == 61
    with pytest.raises(InvalidValueError):
        countback_dso(D(-1), [(30, D(1))])


def test_kept_percent_counts_only_decided_promises() -> None:
    assert kept_percent(1, 1) == 50
    assert one_place(kept_percent(2, 1)) == D("66.7")
    assert kept_percent(0, 0) is None


def test_median_and_mean_of_a_histogram() -> None:
    assert median_days([(20, 1), (7, 1), (3, 1)]) == 7
    assert mean_days([(20, 1), (7, 1), (3, 1)]) == 10
    assert median_days([(3, 1), (7, 1)]) == 5  # even: the mean of the middle two
    assert median_days([(1, 3), (10, 1)]) == 1
    assert median_days([(1, 2), (10, 2)]) == D("5.5")
    assert mean_days([(1, 2), (10, 2)]) == D("5.5")
    assert median_days([]) is None and mean_days([]) is None


def test_payment_pattern_figures() -> None:
    assert one_place(average_days_late(20, 3)) == D("6.7")
    assert average_days_late(0, 0) is None
    # last six months: 17 days over 1 invoice; the six before: 3 days over 2.
    assert lateness_trend((17, 1), (3, 2)) == D("15.5")
    assert lateness_trend((17, 1), (0, 0)) is None


def test_calendar_helpers() -> None:
    assert months_before(dt.date(2026, 6, 30), 12) == dt.date(2025, 6, 30)
    assert months_before(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)
    assert months_before(dt.date(2026, 1, 15), 6) == dt.date(2025, 7, 15)
    assert week_start(dt.date(2026, 6, 30)) == dt.date(2026, 6, 29)  # a Tuesday's Monday
    assert week_start(dt.date(2026, 6, 29)) == dt.date(2026, 6, 29)
    assert month_ends(dt.date(2026, 6, 15), 3) == [
        dt.date(2026, 4, 30),
        dt.date(2026, 5, 31),
        dt.date(2026, 6, 15),
    ]
    with pytest.raises(InvalidValueError):
        month_ends(dt.date(2026, 6, 15), 0)


def test_forecast_weeks_put_the_overdue_first_and_the_far_last() -> None:
    as_of = dt.date(2026, 6, 30)  # week of Monday 06-29
    assert forecast_week(dt.date(2026, 1, 1), as_of) == 0
    assert forecast_week(dt.date(2026, 6, 29), as_of) == 0
    assert forecast_week(dt.date(2026, 7, 5), as_of) == 0  # Sunday of the same week
    assert forecast_week(dt.date(2026, 7, 6), as_of) == 1
    assert forecast_week(dt.date(2026, 9, 27), as_of) == 12
    assert forecast_week(dt.date(2027, 9, 27), as_of) == 12


def test_people_are_told_from_the_engine_imports_and_the_portal() -> None:
    assert is_person("anna@supplier.example") and is_person("jdoe")
    for machine in ("system", "import", "dispatcher", "demo", "simulation", "customer", "mail"):
        assert not is_person(machine)


def test_currency_metrics_puts_every_ratio_together() -> None:
    c = currency_metrics(
        currency="EUR",
        labels=("not_due", "1-30", "31-60", "61-90", "91+"),
        buckets=(eur("500.00"), eur("300.00"), eur(0), eur(0), eur("600.00")),
        past_90=eur("600.00"),
        opening=eur("1100.00"),
        sales=eur("1300.00"),
        monthly_sales=[(30, eur(500)), (31, eur(300)), (30, eur(500)), (31, eur(1000))],
        collected=eur("900.00"),
        written_off=eur("100.00"),
        period_days=90,
    )
    assert (c.total, c.current) == (eur("1400.00"), eur("500.00"))
    assert (c.dso, c.dso_countback, c.best_dso, c.add) == (D("96.9"), D("94.1"), D("34.6"), D("62.3"))
    assert (c.cei, c.percent_current, c.share_90_plus, c.write_off_ratio) == (
        D("52.6"),
        D("35.7"),
        D("42.9"),
        D("7.7"),
    )


def test_currency_metrics_without_sales_or_receivables() -> None:
    zero = eur(0)
    c = currency_metrics(
        currency="EUR",
        labels=("not_due", "1+"),
        buckets=(zero, zero),
        past_90=zero,
        opening=zero,
        sales=zero,
        monthly_sales=[(30, zero)],
        collected=zero,
        written_off=zero,
        period_days=90,
    )
    assert (c.dso, c.dso_countback, c.best_dso, c.add, c.cei) == (None, None, None, None, None)
    assert (c.percent_current, c.share_90_plus, c.write_off_ratio) == (None, None, None)


def test_open_ar_total_adds_the_buckets() -> None:
    assert OpenAr("EUR", (eur("1.50"), eur("2.25")), eur(0)).total == eur("3.75")
