"""Late-payment interest and compensation: the published examples, properties, and each jurisdiction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recoup.domain.customers import Customer, CustomerKind
from recoup.domain.errors import InvalidInputError, MissingRateError, UnknownJurisdictionError
from recoup.domain.money import Money
from recoup.law.interest import RULES, clause_rate, compensation, compute, daily_rounded, jurisdiction_for
from recoup.law.rates import RateBook, RateEntry, RateTable
from recoup.services.rates import shipped_tables

D = dt.date
BOOK = RateBook(shipped_tables())


def book_with(name: str, *entries: tuple[dt.date, str]) -> RateBook:
    table = RateTable(name, tuple(RateEntry(day, Decimal(rate), "test") for day, rate in entries))
    return RateBook({**BOOK.tables, name: table})


def amounts(result: object) -> list[tuple[str, str, int, str, str]]:
    return [
        (s.start.isoformat(), s.end.isoformat(), s.days, str(s.rate), str(s.amount.amount))
        for s in result.segments  # type: ignore[attr-defined]
    ]


# --- LAW.md 3.1: the published examples --------------------------------------------------------------


def test_e1_gov_uk_1000_pounds_at_8_5_percent_for_50_days_is_11_64_exactly_and_11_50_the_gov_uk_way() -> None:
    # Interest starts 2015-03-02 (H1 2015): Bank Rate on 31 Dec 2014 = 0.50, + 8 = 8.50 %.
    result = compute(Money(1000, "GBP"), D(2015, 3, 1), D(2015, 4, 20), jurisdiction="GB", rates=BOOK)
    assert [s.rate for s in result.segments] == [Decimal("8.50")]
    assert result.segments[0].days == 50
    assert result.interest == Money("11.64", "GBP")  # 1000 x 8.5 % x 50 / 365 = 11.6438
    # gov.uk: GBP 85 a year / 365 = 23.29p, rounded to 23p a day, x 50 days = GBP 11.50
    assert daily_rounded(Money(1000, "GBP"), Decimal("8.5"), 50) == Money("11.50", "GBP")


def test_e3_1000_pounds_at_8_25_percent_for_60_days_is_13_56() -> None:
    # Interest starts 2017-03-02 (H1 2017): Bank Rate on 31 Dec 2016 = 0.25, + 8 = 8.25 %.
    result = compute(Money(1000, "GBP"), D(2017, 3, 1), D(2017, 4, 30), jurisdiction="GB", rates=BOOK)
    assert result.segments[0].rate == Decimal("8.25") and result.segments[0].days == 60
    assert result.interest == Money("13.56", "GBP")


@pytest.mark.parametrize(
    ("debt", "fixed"), [("999.99", 40), ("1000", 70), ("9999.99", 70), ("10000", 100), ("0.01", 40)]
)
def test_e4_the_uk_fixed_sum_follows_the_size_of_the_debt(debt: str, fixed: int) -> None:
    assert compensation(Money(debt, "GBP"), "GB", False, D(2025, 1, 1)) == Money(fixed, "GBP")


def test_e5_a_german_consumer_debt_of_1000_euros_at_5_12_percent_for_25_days_is_3_51() -> None:
    # Basiszinssatz 0.12 % in 2012, + 5 points with a consumer = 5.12 %; 1000 x 5.12 % x 25 / 365 = 3.5068.
    book = book_with("de-basiszins", (D(2012, 1, 1), "0.12"))
    result = compute(
        Money(1000, "EUR"), D(2012, 3, 1), D(2012, 3, 26), jurisdiction="DE", consumer=True, rates=book
    )
    assert amounts(result) == [("2012-03-02", "2012-03-26", 25, "5.12", "3.51")]
    assert result.compensation == Money(0, "EUR")  # the EUR 40 is owed only between businesses
    same = compute(
        Money(1000, "EUR"),
        D(2012, 3, 1),
        D(2012, 3, 26),
        jurisdiction="DE",
        rates=BOOK,
        contract_rate=Decimal("5.12"),
    )
    assert same.interest == Money("3.51", "EUR")


def test_e6_1000_euros_at_10_5_percent_for_30_days_is_8_63_plus_40() -> None:
    # H1 2023: ECB MRO in force on 1 Jan 2023 = 2.50, + 8 = 10.50 %; 1000 x 10.5 % x 30 / 365 = 8.6301.
    result = compute(Money(1000, "EUR"), D(2023, 2, 1), D(2023, 3, 3), jurisdiction="EU", rates=BOOK)
    assert amounts(result) == [("2023-02-02", "2023-03-03", 30, "10.50", "8.63")]
    assert (result.interest, result.compensation, result.total) == (
        Money("8.63", "EUR"),
        Money(40, "EUR"),
        Money("48.63", "EUR"),
    )
    assert Money(1000, "EUR") + result.total == Money("1048.63", "EUR")


def test_e8_ten_million_won_at_5_percent_for_365_days_is_500000() -> None:
    result = compute(
        Money(10_000_000, "KRW"),
        D(2023, 1, 1),
        D(2024, 1, 1),
        jurisdiction="KR",
        rates=BOOK,
        contract_rate=Decimal(5),
    )
    assert result.interest == Money(500_000, "KRW")


def test_e9_ten_thousand_lira_at_9_percent_for_365_days_is_900() -> None:
    result = compute(
        Money(10_000, "TRY"),
        D(2023, 1, 1),
        D(2024, 1, 1),
        jurisdiction="TR",
        rates=BOOK,
        contract_rate=Decimal(9),
    )
    assert result.interest == Money(900, "TRY")
    assert "contract's own rate of 9 %" in result.rule


# --- properties ----------------------------------------------------------------------------------------

due_days = st.dates(min_value=D(2016, 1, 1), max_value=D(2025, 6, 30))
amounts_eur = st.integers(min_value=0, max_value=10**9).map(lambda c: Money.from_minor(c, "EUR"))
HORIZON = D(2026, 4, 30)


def de(principal: Money, due: dt.date, until: dt.date, **kw: object) -> Money:
    return compute(principal, due, until, jurisdiction="DE", rates=BOOK, **kw).interest  # type: ignore[arg-type]


@settings(max_examples=150, deadline=None)
@given(amounts_eur, due_days, st.integers(0, 300), st.integers(0, 300))
def test_interest_never_shrinks_when_the_delay_grows(principal: Money, due: dt.date, a: int, b: int) -> None:
    short, long_ = sorted((a, b))
    until_short = min(due + dt.timedelta(days=short), HORIZON)
    until_long = min(due + dt.timedelta(days=long_), HORIZON)
    assert de(principal, due, until_short) <= de(principal, due, until_long)


@settings(max_examples=150, deadline=None)
@given(amounts_eur, amounts_eur, due_days, st.integers(0, 300))
def test_interest_never_shrinks_when_the_debt_grows(x: Money, y: Money, due: dt.date, days: int) -> None:
    small, big = sorted((x, y), key=lambda m: m.amount)
    until = min(due + dt.timedelta(days=days), HORIZON)
    assert de(small, due, until) <= de(big, due, until)


@settings(max_examples=200, deadline=None)
@given(
    amounts_eur, due_days, st.integers(0, 300), st.integers(0, 300), st.sampled_from(["DE", "FR", "US-NY"])
)
def test_splitting_the_delay_changes_the_total_by_at_most_one_cent_per_extra_segment(
    principal: Money, due: dt.date, a: int, b: int, code: str
) -> None:
    cut, length = sorted((a, b))
    until = min(due + dt.timedelta(days=length), HORIZON)
    mid = min(due + dt.timedelta(days=cut), until)
    currency = "USD" if code == "US-NY" else "EUR"
    money = Money(principal.amount, currency)
    whole = compute(money, due, until, jurisdiction=code, rates=BOOK)
    first = compute(money, due, mid, jurisdiction=code, rates=BOOK)
    second = compute(money, mid, until, jurisdiction=code, rates=BOOK)
    extra = len(first.segments) + len(second.segments) - len(whole.segments)
    assert extra in (0, 1)
    difference = abs((first.interest + second.interest - whole.interest).amount)
    assert difference <= Decimal("0.01") * extra


@settings(max_examples=100, deadline=None)
@given(amounts_eur, due_days, st.sampled_from(sorted(set(RULES) - {"US-DE"})))
def test_no_days_of_delay_give_no_interest(principal: Money, due: dt.date, code: str) -> None:
    result = compute(principal, due, due, jurisdiction=code, rates=BOOK)
    assert result.interest.is_zero() and result.segments == ()


@settings(max_examples=100, deadline=None)
@given(amounts_eur, due_days, st.integers(0, 300), st.sampled_from(["DE", "FR", "ES", "IE", "EU", "US-NY"]))
def test_a_payment_in_full_on_the_due_date_leaves_no_interest(
    principal: Money, due: dt.date, days: int, code: str
) -> None:
    until = min(due + dt.timedelta(days=days), HORIZON)
    money = Money(principal.amount, "USD" if code == "US-NY" else "EUR")
    result = compute(money, due, until, jurisdiction=code, rates=BOOK, payments=[(due, money)])
    assert result.interest.is_zero()


# --- one scenario per jurisdiction across a change of rate ----------------------------------------------


def test_germany_re_rates_a_debt_at_each_half_year_of_the_basiszinssatz() -> None:
    # EUR 10 000 due 2024-11-15, paid 2025-08-10; Basiszinssatz 3.37 / 2.27 / 1.27, + 9 points:
    #   2024-11-16..2024-12-31  46 days x 12.37 % = 10000 x 0.1237 x 46/365  = 155.8959 -> 155.90
    #   2025-01-01..2025-06-30 181 days x 11.27 % = 10000 x 0.1127 x 181/365 = 558.8658 -> 558.87
    #   2025-07-01..2025-08-10  41 days x 10.27 % = 10000 x 0.1027 x 41/365  = 115.3589 -> 115.36
    result = compute(Money(10_000, "EUR"), D(2024, 11, 15), D(2025, 8, 10), jurisdiction="DE", rates=BOOK)
    assert amounts(result) == [
        ("2024-11-16", "2024-12-31", 46, "12.37", "155.90"),
        ("2025-01-01", "2025-06-30", 181, "11.27", "558.87"),
        ("2025-07-01", "2025-08-10", 41, "10.27", "115.36"),
    ]
    assert result.interest == Money("830.13", "EUR") and result.total == Money("870.13", "EUR")
    assert "BGB §288(2)" in result.rule and result.sources


def test_france_adds_10_points_to_the_ecb_rate_of_each_half_year() -> None:
    # EUR 10 000 due 2024-05-15, as of 2025-08-10; ECB 4.50 / 4.25 / 3.15 / 2.15 on 1 Jan / 1 Jul, + 10:
    #   46 d x 14.50 % = 182.7397 -> 182.74;  184 d x 14.25 % = 718.3562 -> 718.36
    #   181 d x 13.15 % = 652.1027 -> 652.10;  41 d x 12.15 % = 136.4795 -> 136.48   total 1689.68
    result = compute(Money(10_000, "EUR"), D(2024, 5, 15), D(2025, 8, 10), jurisdiction="FR", rates=BOOK)
    assert [s.amount.amount for s in result.segments] == [
        Decimal(x) for x in ("182.74", "718.36", "652.10", "136.48")
    ]
    assert result.interest == Money("1689.68", "EUR") and result.compensation == Money(40, "EUR")


def test_spain_reads_the_last_ecb_operation_before_the_half_year() -> None:
    # Same debt, + 8 points: 12.50 / 12.25 / 11.15 / 10.15 %:
    #   157.5342 -> 157.53;  617.5342 -> 617.53;  552.9178 -> 552.92;  114.0137 -> 114.01   total 1441.99
    result = compute(Money(10_000, "EUR"), D(2024, 5, 15), D(2025, 8, 10), jurisdiction="ES", rates=BOOK)
    assert [str(s.rate) for s in result.segments] == ["12.50", "12.25", "11.15", "10.15"]
    assert result.interest == Money("1441.99", "EUR")
    # The reference is read on 31 December / 30 June, so a change taking effect on 1 July would not count:
    book = book_with("ecb-mro", (D(2024, 1, 1), "4.00"), (D(2024, 7, 1), "1.00"))
    spain = compute(Money(10_000, "EUR"), D(2024, 6, 30), D(2024, 7, 31), jurisdiction="ES", rates=book)
    france = compute(Money(10_000, "EUR"), D(2024, 6, 30), D(2024, 7, 31), jurisdiction="FR", rates=book)
    assert spain.segments[0].rate == Decimal("12.00") and france.segments[0].rate == Decimal("11.00")


def test_the_eu_floor_re_rates_at_1_january_and_1_july() -> None:
    # EUR 10 000 due 2022-12-15, as of 2023-08-01; MRO in force on 1 Jul 22, 1 Jan 23, 1 Jul 23 = 0 / 2.5 / 4:
    #   2022-12-16..12-31  16 d x  8.00 % = 35.0685 -> 35.07
    #   2023-01-01..06-30 181 d x 10.50 % = 520.6849 -> 520.68
    #   2023-07-01..08-01  32 d x 12.00 % = 105.2055 -> 105.21          total 660.96
    result = compute(Money(10_000, "EUR"), D(2022, 12, 15), D(2023, 8, 1), jurisdiction="EU", rates=BOOK)
    assert amounts(result) == [
        ("2022-12-16", "2022-12-31", 16, "8.00", "35.07"),
        ("2023-01-01", "2023-06-30", 181, "10.50", "520.68"),
        ("2023-07-01", "2023-08-01", 32, "12.00", "105.21"),
    ]
    assert result.interest == Money("660.96", "EUR")


def test_ireland_keeps_the_rate_of_the_half_year_in_which_the_debt_became_overdue() -> None:
    # EUR 10 000 overdue from 2024-05-16 (H1 2024: 4.50 + 8 = 12.50 %) for 452 days = 1547.9452 -> 1547.95
    result = compute(Money(10_000, "EUR"), D(2024, 5, 15), D(2025, 8, 10), jurisdiction="IE", rates=BOOK)
    assert amounts(result) == [("2024-05-16", "2025-08-10", 452, "12.50", "1547.95")]
    assert result.compensation == Money(100, "EUR") and "UNSURE" in result.rule


def test_the_uk_rate_is_fixed_by_the_half_year_in_which_interest_starts() -> None:
    # Starts 2023-06-16 (H1 2023): Bank Rate on 31 Dec 2022 = 3.50 -> 11.50 % for the whole delay, across
    # the Bank Rate changes of 2023: 231 days x 11.50 % x 10 000 / 365 = 727.8082 -> 727.81
    result = compute(Money(10_000, "GBP"), D(2023, 6, 15), D(2024, 2, 1), jurisdiction="GB", rates=BOOK)
    assert amounts(result) == [("2023-06-16", "2024-02-01", 231, "11.50", "727.81")]
    # Starting on 1 July 2023 instead: Bank Rate on 30 June 2023 = 5.00 -> 13.00 %.
    later = compute(Money(10_000, "GBP"), D(2023, 6, 30), D(2024, 2, 1), jurisdiction="GB", rates=BOOK)
    assert later.segments[0].rate == Decimal("13.00")
    assert result.compensation == Money(100, "GBP")


def test_turkey_ttk_1530_re_rates_each_year_and_adds_the_minimum_compensation_of_the_due_year() -> None:
    # TRY 10 000 due 2024-05-15, as of 2025-08-10: 230 d x 48.00 % = 3024.6575 -> 3024.66,
    # 222 d x 53.25 % = 3238.7671 -> 3238.77; total 6263.43; minimum compensation 2024 = TRY 1 310.
    result = compute(Money(10_000, "TRY"), D(2024, 5, 15), D(2025, 8, 10), jurisdiction="TR", rates=BOOK)
    assert [(s.days, str(s.rate), str(s.amount.amount)) for s in result.segments] == [
        (230, "48.00", "3024.66"),
        (222, "53.25", "3238.77"),
    ]
    assert result.interest == Money("6263.43", "TRY") and result.compensation == Money(1310, "TRY")


def test_turkey_law_3095_follows_the_advance_rate_and_switches_mid_year_on_a_5_point_move() -> None:
    # 31 Dec 2023 avans 44.25; 30 Jun 2024 51.75 (7.5 points more: switch); 31 Dec 2024 49.25;
    # 30 Jun 2025 44.25 (exactly 5 points less: switch). The legal rate (24 %) stays below.
    #   46 d x 44.25 % = 557.6712 -> 557.67;  184 d x 51.75 % = 2608.7671 -> 2608.77
    #   181 d x 49.25 % = 2442.2603 -> 2442.26;  41 d x 44.25 % = 497.0548 -> 497.05   total 6105.75
    result = compute(Money(10_000, "TRY"), D(2024, 5, 15), D(2025, 8, 10), jurisdiction="TR-3095", rates=BOOK)
    assert [(s.days, str(s.rate)) for s in result.segments] == [
        (46, "44.25"),
        (184, "51.75"),
        (181, "49.25"),
        (41, "44.25"),
    ]
    assert result.interest == Money("6105.75", "TRY") and result.compensation == Money(0, "TRY")


def test_korea_moves_from_6_to_the_litigation_rate_the_day_after_the_complaint_is_served() -> None:
    # KRW 10 000 000 due 2018-12-31, complaint served 2019-03-01, as of 2019-09-30:
    #   2019-01-01..03-01  60 d x  6 % =  98 630.1 ->  98 630
    #   2019-03-02..05-31  91 d x 15 % = 373 972.6 -> 373 973
    #   2019-06-01..09-30 122 d x 12 % = 401 095.9 -> 401 096   total 873 699
    result = compute(
        Money(10_000_000, "KRW"),
        D(2018, 12, 31),
        D(2019, 9, 30),
        jurisdiction="KR",
        rates=BOOK,
        complaint_served=D(2019, 3, 1),
    )
    assert amounts(result) == [
        ("2019-01-01", "2019-03-01", 60, "6", "98630"),
        ("2019-03-02", "2019-05-31", 91, "15", "373973"),
        ("2019-06-01", "2019-09-30", 122, "12", "401096"),
    ]
    assert result.interest == Money(873_699, "KRW")
    plain = compute(Money(10_000_000, "KRW"), D(2018, 12, 31), D(2019, 9, 30), jurisdiction="KR", rates=BOOK)
    assert [str(s.rate) for s in plain.segments] == ["6"]


def test_new_york_charges_9_percent_on_what_is_left_after_a_partial_payment() -> None:
    # USD 10 000 due 2024-01-31, USD 4 000 paid 2024-03-01, as of 2024-05-01:
    #   2024-02-01..03-01 30 d on 10 000 x 9 % = 73.9726 -> 73.97
    #   2024-03-02..05-01 61 d on  6 000 x 9 % = 90.2466 -> 90.25      total 164.22
    result = compute(
        Money(10_000, "USD"),
        D(2024, 1, 31),
        D(2024, 5, 1),
        jurisdiction="US-NY",
        rates=BOOK,
        payments=[(D(2024, 3, 1), Money(4000, "USD"))],
    )
    assert amounts(result) == [
        ("2024-02-01", "2024-03-01", 30, "9", "73.97"),
        ("2024-03-02", "2024-05-01", 61, "9", "90.25"),
    ]
    consumer = compute(
        Money(10_000, "USD"), D(2024, 1, 31), D(2024, 5, 1), jurisdiction="US-NY", consumer=True, rates=BOOK
    )
    assert consumer.segments[0].rate == Decimal(9) and "2 %" in consumer.rule


def test_california_charges_10_percent_and_act_act_splits_at_the_new_year() -> None:
    # USD 10 000 due 2023-12-31, as of 2024-12-31 = 366 days: 365 basis 1002.74 (366/365 x 1000 = 1002.7397);
    # act/act: all 366 days in 2024 over 366 = 1000.00; 360 basis: 10000 x 10 % x 366/360 = 1016.67
    until = D(2024, 12, 31)
    assert compute(
        Money(10_000, "USD"), D(2023, 12, 31), until, jurisdiction="US-CA", rates=BOOK
    ).interest == Money("1002.74", "USD")
    actact = compute(
        Money(10_000, "USD"), D(2023, 12, 1), until, jurisdiction="US-CA", rates=BOOK, day_basis="act/act"
    )
    # 2023-12-02..12-31 30 d / 365 = 82.1918 -> 82.19;  2024: 366 d / 366 = 1000.00
    assert [(s.days, s.basis, str(s.amount.amount)) for s in actact.segments] == [
        (30, 365, "82.19"),
        (366, 366, "1000.00"),
    ]
    assert compute(
        Money(10_000, "USD"), D(2023, 12, 31), until, jurisdiction="US-CA", rates=BOOK, day_basis="360"
    ).interest == Money("1016.67", "USD")


def test_texas_interest_begins_on_the_30th_day_after_the_due_date() -> None:
    # USD 10 000 due 2024-01-31: interest from 2024-03-01 to 2024-03-31 = 31 d x 6 % = 50.9589 -> 50.96
    result = compute(Money(10_000, "USD"), D(2024, 1, 31), D(2024, 3, 31), jurisdiction="US-TX", rates=BOOK)
    assert amounts(result) == [("2024-03-01", "2024-03-31", 31, "6", "50.96")]
    early = compute(Money(10_000, "USD"), D(2024, 1, 31), D(2024, 2, 29), jurisdiction="US-TX", rates=BOOK)
    assert early.interest.is_zero()


def test_delaware_fixes_the_discount_rate_plus_5_at_the_start() -> None:
    with pytest.raises(MissingRateError, match="us-fed-discount"):
        compute(Money(10_000, "USD"), D(2024, 12, 1), D(2025, 1, 31), jurisdiction="US-DE", rates=BOOK)
    # With a book holding 4.75 from 2024-11-08 and 4.50 from 2024-12-19: 4.75 + 5 = 9.75 % for all 61 days,
    # 10 000 x 9.75 % x 61 / 365 = 162.9452 -> 162.95
    book = book_with("us-fed-discount", (D(2024, 11, 8), "4.75"), (D(2024, 12, 19), "4.50"))
    result = compute(Money(10_000, "USD"), D(2024, 12, 1), D(2025, 1, 31), jurisdiction="US-DE", rates=book)
    assert amounts(result) == [("2024-12-02", "2025-01-31", 61, "9.75", "162.95")]


# --- consumers, contract rates, errors ------------------------------------------------------------------


@pytest.mark.parametrize("code", ["GB", "EU", "FR", "ES", "IE", "TR", "TR-3095"])
def test_b2b_regimes_give_a_consumer_debt_nothing_and_say_why(code: str) -> None:
    currency = {"GB": "GBP", "TR": "TRY", "TR-3095": "TRY"}.get(code, "EUR")
    result = compute(
        Money(1000, currency), D(2024, 1, 31), D(2024, 3, 31), jurisdiction=code, consumer=True, rates=BOOK
    )
    assert result.total.is_zero() and "consumer" in result.rule


def test_a_contract_rate_replaces_the_statutory_rate_and_the_rule_says_so() -> None:
    result = compute(
        Money(1000, "EUR"),
        D(2024, 11, 15),
        D(2025, 8, 10),
        jurisdiction="DE",
        rates=BOOK,
        contract_rate=Decimal(8),
    )
    assert {s.rate for s in result.segments} == {Decimal(8)}
    assert "contract's own rate of 8 %" in result.rule and "BGB" in result.rule


def test_a_period_for_which_a_table_has_no_rate_names_the_table_and_the_date() -> None:
    with pytest.raises(MissingRateError, match=r"'ecb-mro' has no rate in force on 2013-12-31"):
        compute(Money(1000, "EUR"), D(2014, 6, 1), D(2014, 8, 1), jurisdiction="ES", rates=BOOK)


def test_a_period_past_the_horizon_asks_to_bring_the_table_up_to_date() -> None:
    with pytest.raises(MissingRateError, match=r"'de-basiszins' is known up to 2026-04-30.*2026-07-01"):
        compute(Money(1000, "EUR"), D(2026, 3, 1), D(2026, 7, 15), jurisdiction="DE", rates=BOOK)


def test_an_unknown_jurisdiction_or_day_basis_is_refused() -> None:
    with pytest.raises(UnknownJurisdictionError, match="US-NY"):
        compute(Money(1, "EUR"), D(2024, 1, 1), D(2024, 2, 1), jurisdiction="XX", rates=BOOK)
    with pytest.raises(InvalidInputError) as exc:
        compute(
            Money(1, "EUR"), D(2024, 1, 1), D(2024, 2, 1), jurisdiction="DE", rates=BOOK, day_basis="30/360"
        )
    assert exc.value.field == "day_basis"


def test_compensation_is_owed_in_its_own_currency_only() -> None:
    assert compensation(Money(100, "EUR"), "FR") == Money(40, "EUR")
    assert compensation(Money(100, "USD"), "DE") == Money(0, "USD")
    assert compensation(Money(100, "EUR"), "DE", True) == Money(0, "EUR")
    assert compensation(Money(100, "USD"), "US-NY") == Money(0, "USD")
    assert compensation(Money(100, "TRY"), "TR", False, D(2026, 2, 1), rates=BOOK) == Money(2020, "TRY")


@pytest.mark.parametrize(
    ("country", "kind", "own", "expected"),
    [
        ("DE", "business", "", "DE"),
        ("GB", "consumer", "", "GB"),
        ("US", "business", "", "US-NY"),
        ("US", "business", "us-tx", "US-TX"),
        ("IT", "business", "", "EU"),
        ("KR", "business", "", "KR"),
        ("TR", "business", "TR-3095", "TR-3095"),
    ],
)
def test_a_customer_follows_its_country_unless_its_jurisdiction_is_set(
    country: str, kind: str, own: str, expected: str
) -> None:
    customer = Customer("C1", "Acme", kind=CustomerKind(kind), country=country, jurisdiction=own)
    assert jurisdiction_for(customer) == expected


def test_a_customer_in_a_country_without_a_rule_is_a_clear_error() -> None:
    with pytest.raises(UnknownJurisdictionError, match="set the customer's jurisdiction"):
        jurisdiction_for(Customer("C2", "Beta", country="JP"))


@pytest.mark.parametrize(
    ("clause", "rate"),
    [
        ("8% p.a.", "8"),
        ("1.5% per month", "18.0"),
        ("Interest of 12 % per annum on late payments", "12"),
        ("2% monthly", "24"),
        ("7,5 % a year", "7.5"),
        ("", None),
        ("late payers pay a fee", None),
        ("5% or 8% p.a.", None),
    ],
)
def test_a_late_fee_clause_is_read_as_an_annual_rate_when_it_can_be(clause: str, rate: str | None) -> None:
    read = clause_rate(clause)
    assert read.rate == (Decimal(rate) if rate is not None else None)
    assert read.note
