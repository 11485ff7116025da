"""Limitation periods (LAW.md 4.6): the day each jurisdiction's claim becomes time-barred."""

from __future__ import annotations

import datetime as dt

import pytest

from recoup.domain.errors import InvalidValueError
from recoup.law.limitation import is_time_barred, limitation


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def test_a_german_invoice_due_in_march_2023_is_barred_after_the_end_of_2026() -> None:
    found = limitation("DE", due=d("2023-03-15"), consumer=False)
    assert found.last_day == d("2026-12-31")
    assert found.barred_on == d("2027-01-01")
    assert found.years == 3
    assert "§§195, 199" in found.rule
    assert is_time_barred("DE", due=d("2023-03-15"), consumer=False, as_of=d("2027-01-01"))
    assert not is_time_barred("DE", due=d("2023-03-15"), consumer=False, as_of=d("2026-12-31"))


def test_a_german_invoice_due_on_new_years_eve_gets_no_extra_year() -> None:
    assert limitation("DE", due=d("2023-12-31"), consumer=True).barred_on == d("2027-01-01")


def test_a_french_business_claim_runs_five_years_from_the_due_date() -> None:
    found = limitation("FR", due=d("2021-06-30"), consumer=False)
    assert found.last_day == d("2026-06-30")
    assert found.barred_on == d("2026-07-01")
    assert "L110-4" in found.rule


def test_a_french_claim_against_a_consumer_runs_two_years_and_says_it_is_unsure() -> None:
    found = limitation("FR", due=d("2024-02-10"), consumer=True)
    assert found.barred_on == d("2026-02-11")
    assert "L218-2" in found.rule and "⚠" in found.rule


def test_a_spanish_claim_runs_five_years_and_an_old_one_expired_in_october_2020() -> None:
    assert limitation("ES", due=d("2020-05-04"), consumer=False).barred_on == d("2025-05-05")
    old = limitation("ES", due=d("2012-01-10"), consumer=False)
    assert old.last_day == d("2020-10-07")


def test_an_english_claim_runs_six_years_and_warns_about_when_the_cause_of_action_accrues() -> None:
    found = limitation("GB", due=d("2020-01-31"), consumer=False)
    assert found.barred_on == d("2026-02-01")
    assert "performance" in found.rule


def test_a_scottish_claim_prescribes_after_five_years() -> None:
    assert limitation("GB-SCT", due=d("2020-01-31"), consumer=False).barred_on == d("2025-02-01")


def test_a_turkish_claim_runs_ten_years_or_five_for_the_listed_claims() -> None:
    assert limitation("TR", due=d("2020-03-01"), consumer=False).barred_on == d("2030-03-02")
    assert limitation("TR", due=d("2020-03-01"), consumer=False, kind="periodic").barred_on == d("2025-03-02")


def test_a_korean_price_of_goods_runs_three_years_and_other_commercial_claims_five() -> None:
    assert limitation("KR", due=d("2022-08-20"), consumer=False).barred_on == d("2025-08-21")
    assert limitation("KR", due=d("2022-08-20"), consumer=False, kind="services").barred_on == d("2027-08-21")


def test_us_goods_follow_ucc_2_725_and_other_contracts_the_state() -> None:
    assert limitation("US-NY", due=d("2020-04-15"), consumer=False).barred_on == d("2024-04-16")
    ny = limitation("US-NY", due=d("2020-04-15"), consumer=False, kind="services")
    assert ny.barred_on == d("2026-04-16") and "CPLR 213" in ny.rule
    ca = limitation("US-CA", due=d("2020-04-15"), consumer=False, kind="services")
    assert ca.years == 4 and "⚠" in ca.rule
    tx = limitation("US-TX", due=d("2020-04-15"), consumer=False, kind="services")
    assert tx.years == 4 and "⚠" in tx.rule
    de = limitation("US-DE", due=d("2020-04-15"), consumer=False, kind="services")
    assert de.barred_on == d("2023-04-16") and "⚠" in de.rule


def test_a_29_february_anniversary_falls_on_28_february() -> None:
    assert limitation("GB", due=d("2024-02-29"), consumer=False).last_day == d("2030-02-28")


def test_the_warning_starts_ninety_days_before_the_claim_is_barred() -> None:
    found = limitation("DE", due=d("2023-03-15"), consumer=False)
    assert found.warn_from == d("2026-10-03")
    assert found.is_near(d("2026-10-03")) and not found.is_near(d("2026-10-02"))
    assert not found.is_near(d("2027-01-01"))


def test_eu_alone_is_refused_with_a_request_for_the_member_state() -> None:
    with pytest.raises(InvalidValueError, match="member state"):
        limitation("EU", due=d("2024-01-01"), consumer=False)


def test_an_unknown_jurisdiction_or_kind_is_refused() -> None:
    with pytest.raises(InvalidValueError, match="no limitation rule"):
        limitation("XX", due=d("2024-01-01"), consumer=False)
    with pytest.raises(InvalidValueError, match="kind"):
        limitation("DE", due=d("2024-01-01"), consumer=False, kind="loans")
