"""Money: exact amounts in one currency, rounded to its minor unit, never mixed."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recoup.domain import money as money_module
from recoup.domain.errors import CurrencyMismatchError, InvalidAmountError, UnknownCurrencyError
from recoup.domain.money import Money, minor_digits, total

# --- what becomes money -------------------------------------------------------------


def test_a_float_is_refused_as_an_amount() -> None:
    with pytest.raises(InvalidAmountError, match="float"):
        Money(0.1, "EUR")  # type: ignore[arg-type]


def test_a_bool_is_refused_as_an_amount() -> None:
    with pytest.raises(InvalidAmountError, match="bool"):
        Money(True, "EUR")


def test_a_float_is_refused_as_a_multiplier() -> None:
    with pytest.raises(InvalidAmountError, match="float"):
        Money("10.00", "EUR") * 1.5


def test_decimal_int_and_string_amounts_are_accepted_and_equal() -> None:
    assert Money(Decimal("12.5"), "EUR") == Money(" 12.50 ", "EUR") == Money("12.5", "EUR")
    assert Money(12, "EUR").amount == Decimal("12.00")


@pytest.mark.parametrize("text", ["abc", "1,50", "", "NaN", "Infinity"])
def test_text_that_is_not_a_finite_number_is_refused(text: str) -> None:
    with pytest.raises(InvalidAmountError):
        Money(text, "EUR")


@pytest.mark.parametrize("code", ["XYZ", "eur", "EURO", "", "E1"])
def test_an_unknown_currency_is_refused(code: str) -> None:
    with pytest.raises(UnknownCurrencyError):
        Money("1.00", code)


# --- rounding to the minor unit -----------------------------------------------------


@pytest.mark.parametrize(("currency", "digits"), [("JPY", 0), ("KRW", 0), ("EUR", 2), ("USD", 2), ("KWD", 3)])
def test_each_currency_has_its_minor_unit(currency: str, digits: int) -> None:
    assert minor_digits(currency) == digits


@pytest.mark.parametrize(
    ("raw", "currency", "expected"),
    [
        ("1234.5", "JPY", "1235"),
        ("1234.4", "KRW", "1234"),
        ("-2.5", "JPY", "-3"),
        ("10.005", "EUR", "10.01"),
        ("10.004", "EUR", "10.00"),
        ("-10.005", "EUR", "-10.01"),
        ("1.0005", "KWD", "1.001"),
        ("1.0004", "KWD", "1.000"),
    ],
)
def test_amounts_are_quantized_half_up_to_the_minor_unit(raw: str, currency: str, expected: str) -> None:
    m = Money(raw, currency)
    assert str(m.amount) == expected
    assert m.amount.as_tuple().exponent == -minor_digits(currency)


def test_the_rounding_rule_is_named_and_is_half_up() -> None:
    assert money_module.ROUNDING == ROUND_HALF_UP


def test_multiplication_rounds_half_up_to_the_minor_unit() -> None:
    assert Money("0.05", "EUR") * Decimal("0.5") == Money("0.03", "EUR")
    assert 3 * Money("1.10", "EUR") == Money("3.30", "EUR")


# --- no mixing of currencies --------------------------------------------------------


def test_adding_two_currencies_is_refused() -> None:
    with pytest.raises(CurrencyMismatchError, match="EUR with USD"):
        Money("1.00", "EUR") + Money("1.00", "USD")


def test_subtracting_two_currencies_is_refused() -> None:
    with pytest.raises(CurrencyMismatchError):
        Money("1.00", "EUR") - Money("1.00", "USD")


def test_comparing_two_currencies_is_refused() -> None:
    with pytest.raises(CurrencyMismatchError):
        _ = Money("1.00", "EUR") < Money("2.00", "USD")


def test_summing_two_currencies_is_refused() -> None:
    with pytest.raises(CurrencyMismatchError):
        sum([Money("1.00", "EUR"), Money("1", "JPY")])


def test_adding_a_plain_number_is_refused() -> None:
    with pytest.raises(TypeError):
        Money("1.00", "EUR") + Decimal("1.00")
    with pytest.raises(TypeError):
        Money("1.00", "EUR") + 1


def test_sum_works_without_a_start_value() -> None:
    assert sum([Money("1.10", "EUR"), Money("2.20", "EUR"), Money("0.05", "EUR")]) == Money("3.35", "EUR")


def test_total_of_nothing_is_zero_in_the_currency() -> None:
    assert total([], "KWD") == Money("0.000", "KWD")
    assert total([Money("1", "JPY"), Money("2", "JPY")], "JPY") == Money(3, "JPY")


def test_total_refuses_an_amount_in_another_currency() -> None:
    with pytest.raises(CurrencyMismatchError):
        total([Money("1", "USD")], "EUR")


# --- parsing and minor units --------------------------------------------------------


def test_parse_accepts_up_to_the_minor_unit() -> None:
    assert Money.parse("1250.5", "EUR") == Money("1250.50", "EUR")
    assert Money.parse("0.125", "KWD") == Money("0.125", "KWD")
    assert Money.parse("1500", "JPY") == Money(1500, "JPY")


@pytest.mark.parametrize(("text", "currency"), [("10.001", "EUR"), ("100.5", "JPY"), ("1.0001", "KWD")])
def test_parse_refuses_more_decimals_than_the_currency_has(text: str, currency: str) -> None:
    with pytest.raises(InvalidAmountError, match="more decimals"):
        Money.parse(text, currency)


def test_parse_refuses_a_comma_as_decimal_separator() -> None:
    with pytest.raises(InvalidAmountError, match="dot"):
        Money.parse("10,50", "EUR")


def test_minor_units_of_known_amounts() -> None:
    assert Money("12.34", "EUR").minor == 1234
    assert Money("1500", "JPY").minor == 1500
    assert Money("1.234", "KWD").minor == 1234
    assert Money.from_minor(-5, "EUR") == Money("-0.05", "EUR")


def test_from_minor_refuses_anything_but_an_int() -> None:
    with pytest.raises(InvalidAmountError):
        Money.from_minor(True, "EUR")
    with pytest.raises(InvalidAmountError):
        Money.from_minor(Decimal(5), "EUR")  # type: ignore[arg-type]


CURRENCIES = st.sampled_from(["EUR", "USD", "JPY", "KRW", "KWD", "GBP", "TRY"])


@given(minor=st.integers(min_value=-(10**15), max_value=10**15), currency=CURRENCIES)
def test_from_minor_and_minor_round_trip(minor: int, currency: str) -> None:
    m = Money.from_minor(minor, currency)
    assert m.minor == minor
    assert Money.from_minor(m.minor, currency) == m
    assert Money.parse(str(m.amount), currency) == m


def test_str_and_repr_show_amount_and_currency() -> None:
    assert str(Money("5", "EUR")) == "5.00 EUR"
    assert repr(Money("5", "KWD")) == "Money('5.000', 'KWD')"


# --- allocate and split -------------------------------------------------------------


def test_split_gives_the_odd_cents_to_the_first_parts() -> None:
    assert Money("10.00", "EUR").split(3) == [
        Money("3.34", "EUR"),
        Money("3.33", "EUR"),
        Money("3.33", "EUR"),
    ]
    assert Money("-10.00", "EUR").split(3) == [
        Money("-3.34", "EUR"),
        Money("-3.33", "EUR"),
        Money("-3.33", "EUR"),
    ]


def test_allocate_by_ratio_gives_the_largest_remainder_the_extra_cent() -> None:
    # exact shares 33.33.., 66.66..: the second has the larger remainder
    assert Money("100.00", "EUR").allocate([1, 2]) == [Money("33.33", "EUR"), Money("66.67", "EUR")]
    assert Money(100, "JPY").allocate([Decimal("0.7"), Decimal("0.3")]) == [
        Money(70, "JPY"),
        Money(30, "JPY"),
    ]


def test_allocate_refuses_no_ratios_negative_ratios_and_all_zero() -> None:
    for ratios in ([], [1, -1], [0, 0]):
        with pytest.raises(InvalidAmountError):
            Money("1.00", "EUR").allocate(ratios)
    with pytest.raises(InvalidAmountError):
        Money("1.00", "EUR").split(0)


RATIOS = st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=12).filter(any)


@given(minor=st.integers(min_value=-(10**13), max_value=10**13), ratios=RATIOS, currency=CURRENCIES)
def test_allocated_parts_always_add_up_exactly_to_the_whole(
    minor: int, ratios: list[int], currency: str
) -> None:
    whole = Money.from_minor(minor, currency)
    parts = whole.allocate(ratios)
    assert len(parts) == len(ratios)
    assert all(p.currency == currency for p in parts)
    assert sum(p.minor for p in parts) == minor


@given(minor=st.integers(min_value=-(10**13), max_value=10**13), ratios=RATIOS, currency=CURRENCIES)
def test_each_allocated_part_is_within_one_minor_unit_of_its_exact_share(
    minor: int, ratios: list[int], currency: str
) -> None:
    parts = Money.from_minor(minor, currency).allocate(ratios)
    weight = sum(ratios)
    for part, ratio in zip(parts, ratios, strict=True):
        exact = Fraction(minor * ratio, weight)
        assert abs(part.minor - exact) < 1


@given(minor=st.integers(min_value=0, max_value=10**13), ratios=RATIOS)
def test_allocating_a_positive_amount_never_gives_a_negative_part(minor: int, ratios: list[int]) -> None:
    parts = Money.from_minor(minor, "EUR").allocate(ratios)
    assert all(p.minor >= 0 for p in parts)
    assert all(p.minor == 0 for p, r in zip(parts, ratios, strict=True) if r == 0)


@given(
    minor=st.integers(min_value=1, max_value=10**13),
    ratios=st.lists(
        st.decimals(min_value=0, max_value=1000, places=4, allow_nan=False, allow_infinity=False),
        min_size=1,
        max_size=8,
    ).filter(lambda rs: sum(rs) > 0),
)
def test_allocating_by_decimal_ratios_also_adds_up_and_stays_near_the_share(
    minor: int, ratios: list[Decimal]
) -> None:
    parts = Money.from_minor(minor, "EUR").allocate(ratios)
    assert sum(p.minor for p in parts) == minor
    weight = sum(Fraction(r) for r in ratios)
    for part, ratio in zip(parts, ratios, strict=True):
        assert part.minor >= 0
        assert abs(part.minor - Fraction(minor) * Fraction(ratio) / weight) < 1


@given(minor=st.integers(min_value=-(10**13), max_value=10**13), n=st.integers(min_value=1, max_value=50))
def test_split_parts_add_up_and_differ_by_at_most_one_minor_unit(minor: int, n: int) -> None:
    parts = Money.from_minor(minor, "EUR").split(n)
    values = [p.minor for p in parts]
    assert sum(values) == minor
    assert max(values) - min(values) <= 1
    assert values == sorted(values, key=abs, reverse=True)  # the larger parts first
