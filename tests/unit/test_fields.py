"""Parsing imported cells: each refusal says what was expected."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from recoup.services import fields


@pytest.mark.parametrize("text", ["1e3", "1E-2", ".5", "12.", "abc", "NaN", "Infinity", "1 000"])
def test_an_amount_must_be_plain_digits_with_an_optional_dot(text: str) -> None:
    with pytest.raises(fields.FieldError, match="is not an amount"):
        fields.amount(text, "EUR")


def test_a_comma_is_refused_with_a_hint_about_the_separator() -> None:
    with pytest.raises(fields.FieldError, match="use a dot as decimal separator"):
        fields.amount("1.250,00", "EUR")


def test_an_amount_with_more_decimals_than_the_currency_is_refused() -> None:
    with pytest.raises(fields.FieldError, match="more decimals than JPY allows"):
        fields.amount("100.5", "JPY")


def test_a_plain_amount_becomes_exact_money() -> None:
    assert fields.amount("0012.5", "EUR").amount == Decimal("12.50")


def test_zero_or_negative_is_refused_where_an_amount_must_be_positive() -> None:
    with pytest.raises(fields.FieldError, match="greater than zero"):
        fields.amount("-3", "EUR")


def test_a_date_must_be_iso_and_real() -> None:
    assert fields.date("2026-02-28") == dt.date(2026, 2, 28)
    with pytest.raises(fields.FieldError, match="expected YYYY-MM-DD"):
        fields.date("28.02.2026")
    with pytest.raises(fields.FieldError, match="'2026-02-30' is not a date"):
        fields.date("2026-02-30")
