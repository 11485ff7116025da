"""Business days: weekends and each country's public holidays are skipped; an unknown country still works."""

from __future__ import annotations

import datetime as dt

import holidays
import pytest

from recoup.domain.calendar import BusinessCalendar, Calendar, WeekendsOnly

D = dt.date


@pytest.fixture
def cal() -> BusinessCalendar:
    return BusinessCalendar()


def test_christmas_and_the_second_day_of_christmas_are_not_business_days_in_germany(
    cal: BusinessCalendar,
) -> None:
    assert not cal.is_business_day("DE", D(2026, 12, 25))  # Friday, Christmas Day
    assert not cal.is_business_day("DE", D(2026, 12, 26))  # Saturday
    assert cal.next_business_day("DE", D(2026, 12, 25)) == D(2026, 12, 28)


def test_a_business_day_is_its_own_next_business_day(cal: BusinessCalendar) -> None:
    assert cal.is_business_day("DE", D(2026, 12, 23))
    assert cal.next_business_day("DE", D(2026, 12, 23)) == D(2026, 12, 23)


def test_republic_day_is_not_a_business_day_in_turkey_but_is_in_germany(cal: BusinessCalendar) -> None:
    assert D(2026, 10, 29).weekday() == 3  # a Thursday
    assert not cal.is_business_day("TR", D(2026, 10, 29))
    assert cal.is_business_day("DE", D(2026, 10, 29))


def test_a_weekday_of_chuseok_is_not_a_business_day_in_korea(cal: BusinessCalendar) -> None:
    table = holidays.country_holidays("KR", years=2026)
    chuseok = sorted(d for d, name in table.items() if "Chuseok" in name)
    weekdays = [d for d in chuseok if d.weekday() < 5]
    assert weekdays, chuseok
    for day in weekdays:
        assert not cal.is_business_day("KR", day)
        assert WeekendsOnly().is_business_day("KR", day)
    assert cal.next_business_day("KR", chuseok[0]) > chuseok[-1]


def test_independence_day_observed_on_friday_is_not_a_business_day_in_the_us(cal: BusinessCalendar) -> None:
    if D(2026, 7, 3) not in holidays.country_holidays("US", years=2026):
        pytest.skip("this version of the holidays package does not list observed days")
    assert not cal.is_business_day("US", D(2026, 7, 3))
    assert cal.next_business_day("US", D(2026, 7, 3)) == D(2026, 7, 6)


def test_the_country_code_may_be_in_any_case(cal: BusinessCalendar) -> None:
    assert not cal.is_business_day("de", D(2026, 12, 25))


@pytest.mark.parametrize("country", ["XX", "ZZ", ""])
def test_an_unknown_country_only_skips_weekends(cal: BusinessCalendar, country: str) -> None:
    assert cal.is_business_day(country, D(2026, 12, 25))
    assert not cal.is_business_day(country, D(2026, 12, 26))
    assert cal.next_business_day(country, D(2026, 12, 26)) == D(2026, 12, 28)
    assert cal.holidays_of(country, 2026) == frozenset()


def test_holidays_are_looked_up_once_per_country_and_year(
    cal: BusinessCalendar, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, int]] = []
    real = holidays.country_holidays

    def counting(country: str, years: int) -> object:
        calls.append((country, years))
        return real(country, years=years)

    monkeypatch.setattr(holidays, "country_holidays", counting)
    for day in range(1, 32):
        cal.is_business_day("DE", D(2026, 12, day))
    cal.is_business_day("DE", D(2027, 1, 1))
    cal.is_business_day("XX", D(2026, 1, 1))
    cal.is_business_day("XX", D(2026, 1, 2))
    assert calls == [("DE", 2026), ("DE", 2027), ("XX", 2026)]


def test_adding_business_days_skips_weekends_and_holidays(cal: BusinessCalendar) -> None:
    assert cal.add_business_days("DE", D(2026, 12, 23), 1) == D(2026, 12, 24)
    assert cal.add_business_days("DE", D(2026, 12, 23), 2) == D(2026, 12, 28)
    assert cal.add_business_days("DE", D(2026, 12, 24), 4) == D(2026, 12, 31)
    assert cal.add_business_days("DE", D(2026, 12, 31), 1) == D(2027, 1, 4)  # over New Year's Day


def test_adding_business_days_counts_from_the_day_after_even_from_a_holiday(cal: BusinessCalendar) -> None:
    assert cal.add_business_days("DE", D(2026, 12, 25), 1) == D(2026, 12, 28)
    assert cal.add_business_days("DE", D(2026, 12, 25), 2) == D(2026, 12, 29)
    assert cal.add_business_days("DE", D(2026, 12, 18), 2) == D(2026, 12, 22)  # Friday + 2 is Tuesday


def test_adding_zero_business_days_gives_the_next_business_day(cal: BusinessCalendar) -> None:
    assert cal.add_business_days("DE", D(2026, 12, 25), 0) == D(2026, 12, 28)
    assert cal.add_business_days("DE", D(2026, 12, 23), 0) == D(2026, 12, 23)


def test_a_negative_count_goes_back_in_business_days(cal: BusinessCalendar) -> None:
    assert cal.add_business_days("DE", D(2026, 12, 28), -1) == D(2026, 12, 24)
    assert cal.previous_business_day("DE", D(2026, 12, 27)) == D(2026, 12, 24)


def test_weekends_only_knows_no_holidays() -> None:
    w = WeekendsOnly()
    assert w.is_business_day("DE", D(2026, 12, 25))
    assert not w.is_business_day("DE", D(2026, 12, 27))
    assert w.next_business_day("DE", D(2026, 12, 26)) == D(2026, 12, 28)
    assert w.add_business_days("DE", D(2026, 12, 25), 1) == D(2026, 12, 28)


def test_both_calendars_satisfy_the_protocol() -> None:
    calendars: list[Calendar] = [BusinessCalendar(), WeekendsOnly()]
    assert [c.next_business_day("DE", D(2026, 12, 26)) for c in calendars] == [D(2026, 12, 28)] * 2
