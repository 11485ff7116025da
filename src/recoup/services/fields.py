"""Parsing the text of one imported cell into a value, with an error that names where it was.

Each parser raises ``FieldError`` with what was expected; the importer adds
the file, the line and the column.
"""

from __future__ import annotations

import datetime as dt
import re

from recoup.domain.errors import DomainError
from recoup.domain.money import Money


class FieldError(ValueError):
    pass


_AMOUNT = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def text(value: str, *, required: bool = False, max_len: int = 300) -> str:
    if required and not value:
        raise FieldError("is required")
    if len(value) > max_len:
        raise FieldError(f"is longer than {max_len} characters")
    return value


def date(value: str, *, required: bool = True) -> dt.date | None:
    if not value:
        if required:
            raise FieldError("is required (a date, YYYY-MM-DD)")
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise FieldError(f"{value!r} is not a date (expected YYYY-MM-DD, e.g. 2026-03-31)") from None


def integer(value: str, *, low: int, high: int) -> int | None:
    if not value:
        return None
    try:
        number = int(value)
    except ValueError:
        raise FieldError(f"{value!r} is not a whole number") from None
    if not low <= number <= high:
        raise FieldError(f"{number} is out of range {low}-{high}")
    return number


def amount(value: str, currency: str, *, positive: bool = True) -> Money:
    if not value:
        raise FieldError("is required (an amount with a dot as decimal separator, e.g. 1250.00)")
    if "," in value:
        raise FieldError(f"{value!r}: use a dot as decimal separator and no thousands separator")
    if not _AMOUNT.fullmatch(value):
        raise FieldError(f"{value!r} is not an amount (digits with an optional dot, e.g. 1250.00)")
    try:
        money = Money.parse(value, currency)
    except DomainError as exc:
        raise FieldError(str(exc)) from None
    if positive and money.amount <= 0:
        raise FieldError(f"{value!r} must be greater than zero")
    return money


def choice(value: str, options: tuple[str, ...], default: str) -> str:
    if not value:
        return default
    lowered = value.lower()
    if lowered not in options:
        raise FieldError(f"{value!r} is not one of {', '.join(options)}")
    return lowered
