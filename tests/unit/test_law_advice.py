"""The end of the ladder: expected net recovery of each option, the recommendation, the settlement."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from recoup.domain.errors import InvalidValueError
from recoup.domain.money import Money
from recoup.law.advice import Assumptions, CaseFacts, CaseItem, advise, agency_fee, gb_court_fee, prior

AS_OF = dt.date(2026, 3, 2)


def facts(
    days: int, amount: str, currency: str = "EUR", jurisdiction: str = "DE", **fields: object
) -> CaseFacts:
    barred = bool(fields.pop("barred", False))
    item = CaseItem("INV-1", AS_OF - dt.timedelta(days=days), Money(amount, currency), barred)
    return CaseFacts("C1", currency, AS_OF, jurisdiction, (item,), **fields)  # type: ignore[arg-type]


def test_the_prior_follows_the_law_md_curve_and_interpolates_between_its_points() -> None:
    a = Assumptions()
    assert prior(10, a) == Decimal("0.94")
    assert prior(90, a) == Decimal("0.74")
    assert prior(135, a) == Decimal("0.66")
    assert prior(365, a) == Decimal("0.27")
    assert prior(2000, a) == Decimal("0.09")


def test_a_fresh_debt_is_best_kept_chasing_and_no_discount_is_offered() -> None:
    advice = advise(facts(10, "1000.00"))
    assert advice.recommended == "keep_chasing"
    assert advice.settlement_amount is None
    assert not advice.option("settle").possible


def test_a_200_day_gbp_20000_debt_compares_agency_and_litigation_with_the_gb_court_fee() -> None:
    advice = advise(facts(200, "20000.00", "GBP", "GB"))
    litigate, agency = advice.option("litigate"), advice.option("agency")
    assert litigate.assumptions["court_fee"] == "1000.00"  # 5 % of GBP 20,000 (LAW.md 5.3)
    assert agency.assumptions["fee"] == "0.1"  # the UK market, LAW.md 5.1
    assert litigate.possible and agency.possible
    assert advice.recommended == "settle"
    assert advice.option("settle").assumptions["beats"] in ("agency", "litigate")
    assert advice.settlement_amount is not None
    assert advice.settlement_amount < Money("20000.00", "GBP")


def test_the_recommendation_changes_with_the_age_of_the_debt() -> None:
    assert advise(facts(10, "1000.00")).recommended == "keep_chasing"
    assert advise(facts(200, "20000.00", "GBP", "GB")).recommended == "settle"


def test_the_gb_court_fee_is_the_table_of_law_md() -> None:
    assert gb_court_fee(Decimal("300")) == 35
    assert gb_court_fee(Decimal("300.01")) == 50
    assert gb_court_fee(Decimal("10000")) == 455
    assert gb_court_fee(Decimal("10000.01")) == Decimal("500.00")
    assert gb_court_fee(Decimal("250000")) == 10000


def test_the_agency_fee_grows_with_age_and_is_lower_in_the_uk() -> None:
    a = Assumptions()
    assert [agency_fee("DE", d, a) for d in (60, 200, 400)] == [
        Decimal("0.20"),
        Decimal("0.30"),
        Decimal("0.45"),
    ]
    assert agency_fee("GB", 400, a) == Decimal("0.15")


def test_a_time_barred_debt_cannot_be_litigated() -> None:
    advice = advise(facts(200, "20000.00", "GBP", "GB", barred=True))
    litigate = advice.option("litigate")
    assert litigate.expected == Decimal("-Infinity")
    assert "time-barred" in litigate.explanation
    assert advice.recommended != "litigate"


@pytest.mark.parametrize(
    ("days", "amount", "currency", "jurisdiction"),
    [(200, "20000.00", "GBP", "GB"), (400, "3000.00", "EUR", "FR"), (120, "777777", "JPY", "DE")],
)
def test_the_settlement_beats_every_alternative_and_is_the_lowest_such_amount_to_the_minor_unit(
    days: int, amount: str, currency: str, jurisdiction: str
) -> None:
    advice = advise(facts(days, amount, currency, jurisdiction))
    assert advice.settlement_amount is not None
    best_other = max(o.expected for o in advice.options if o.name != "settle")
    offer = advice.settlement_amount.amount
    unit = Decimal(1).scaleb(offer.as_tuple().exponent)  # type: ignore[arg-type]
    assert advice.settle_value(offer) > best_other
    assert advice.option("settle").expected == advice.settle_value(offer)
    assert advice.settle_value(offer - unit) <= best_other


def test_sunk_costs_never_appear_as_an_input_and_the_advice_says_so() -> None:
    inputs = {f.name for f in dataclasses.fields(CaseFacts)}
    assert not {n for n in inputs if any(w in n for w in ("spent", "sunk", "cost", "effort"))}
    advice = advise(facts(200, "20000.00", "GBP", "GB"))
    assert "already spent" in advice.why and "sunk costs are ignored" in advice.why


def test_a_bad_payment_record_lowers_the_expected_recovery() -> None:
    good = advise(facts(120, "5000.00"))
    bad = advise(facts(120, "5000.00", paid=10, paid_late=10, broken_promises=2))
    assert bad.option("agency").expected < good.option("agency").expected
    assert bad.option("agency").assumptions["record_factor"] == "0.5058"  # 0.7 × 0.85²


def test_without_interest_the_advice_says_the_principal_alone_was_counted() -> None:
    advice = advise(facts(200, "20000.00", "GBP", "GB"))
    assert any("principal only" in n for n in advice.notes)


def test_us_litigation_of_a_small_claim_costs_more_than_it_brings() -> None:
    advice = advise(facts(200, "50000.00", "USD", "US-NY"))
    assert advice.option("litigate").expected < 0


def test_write_off_is_worth_nothing_and_says_tax_relief_is_not_modelled() -> None:
    write_off = advise(facts(800, "200.00")).option("write_off")
    assert write_off.expected == 0 and "tax relief not modelled" in write_off.explanation


def test_assumptions_can_be_changed_from_the_settings() -> None:
    a = Assumptions.from_settings({"AGENCY_FEE_GB": "0.12", "chase_months": "2"})
    assert a.agency_fee_gb == Decimal("0.12") and a.chase_months == 2
    with pytest.raises(InvalidValueError):
        Assumptions.from_settings({"nonsense": "1"})
    with pytest.raises(InvalidValueError):
        Assumptions.from_settings({"p_win": "lots"})
