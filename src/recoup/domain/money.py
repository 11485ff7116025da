"""Money: an exact Decimal amount in one ISO 4217 currency.

Amounts are quantized to the currency's minor unit (JPY and KRW 0 digits,
EUR 2, KWD 3) with ``ROUNDING``. A float never becomes money, and two
currencies never meet in one sum: both are errors, not silent conversions.
``allocate`` splits an amount into parts that always add up to the whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from babel.numbers import get_currency_precision, list_currencies

from recoup.domain.errors import CurrencyMismatchError, InvalidAmountError, UnknownCurrencyError

ROUNDING = ROUND_HALF_UP
"""Commercial rounding: half a minor unit rounds away from zero."""

_KNOWN = frozenset(list_currencies())


@lru_cache(maxsize=512)
def minor_digits(currency: str) -> int:
    """Number of digits of the currency's minor unit (EUR 2, JPY 0, KWD 3)."""
    return int(get_currency_precision(check_currency(currency)))


def check_currency(code: str) -> str:
    """Return ``code`` if it is an ISO 4217 currency code, else raise UnknownCurrencyError."""
    if not isinstance(code, str) or len(code) != 3 or code.upper() != code or code not in _KNOWN:
        raise UnknownCurrencyError(f"{code!r} is not an ISO 4217 currency code (e.g. EUR, USD, JPY)")
    return code


def _to_decimal(value: object) -> Decimal:
    if isinstance(value, float):
        raise InvalidAmountError("a float is not money: pass a Decimal, an int or a string")
    if isinstance(value, bool):
        raise InvalidAmountError("a bool is not money")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int | str):
        try:
            result = Decimal(value.strip() if isinstance(value, str) else value)
        except InvalidOperation:
            raise InvalidAmountError(f"{value!r} is not a number (use a dot as decimal separator)") from None
    else:
        raise InvalidAmountError(f"{type(value).__name__} is not money")
    if not result.is_finite():
        raise InvalidAmountError(f"{value!r} is not a finite amount")
    return result


@dataclass(frozen=True, slots=True, order=False)
class Money:
    """An amount of one currency.

    Fields:
        amount: Decimal quantized to the currency's minor unit.
        currency: ISO 4217 code.
    """

    amount: Decimal
    currency: str

    def __init__(self, amount: Decimal | int | str, currency: str) -> None:
        digits = minor_digits(currency)
        value = _to_decimal(amount).quantize(Decimal(1).scaleb(-digits), rounding=ROUNDING)
        object.__setattr__(self, "amount", value)
        object.__setattr__(self, "currency", currency)

    # constructors ---------------------------------------------------------------
    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def from_minor(cls, minor: int, currency: str) -> Money:
        """Money from an integer count of minor units (cents), as stored in the database."""
        if type(minor) is not int:
            raise InvalidAmountError(f"minor units must be an int, not {type(minor).__name__}")
        # An integer scaled by the currency's digits is already quantized: skip __init__'s
        # parsing and rounding (this runs once per amount read from the database).
        money = object.__new__(cls)
        object.__setattr__(money, "amount", Decimal(minor).scaleb(-minor_digits(currency)))
        object.__setattr__(money, "currency", currency)
        return money

    @classmethod
    def parse(cls, text: str, currency: str) -> Money:
        """Strict parse of user input: a dot decimal separator and no more digits than the minor unit."""
        value = _to_decimal(text)
        digits = minor_digits(currency)
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > digits:
            raise InvalidAmountError(f"{text!r} has more decimals than {currency} allows ({digits})")
        return cls(value, currency)

    # views ----------------------------------------------------------------------
    @property
    def minor(self) -> int:
        """The amount as an integer count of minor units."""
        return int(self.amount.scaleb(minor_digits(self.currency)))

    def is_zero(self) -> bool:
        return self.amount == 0

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"

    def __repr__(self) -> str:
        return f"Money('{self.amount}', '{self.currency}')"

    # arithmetic -----------------------------------------------------------------
    def _same(self, other: object) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatchError(f"cannot combine {self.currency} with {other.currency}")
        return other

    def __add__(self, other: object) -> Money:
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return self  # so that sum() works without a start value
        return Money(self.amount + self._same(other).amount, self.currency)

    def __radd__(self, other: object) -> Money:
        return self.__add__(other)

    def __sub__(self, other: object) -> Money:
        return Money(self.amount - self._same(other).amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __abs__(self) -> Money:
        return Money(abs(self.amount), self.currency)

    def __mul__(self, factor: object) -> Money:
        """Multiply by an exact factor (Decimal or int), rounded with ROUNDING."""
        if isinstance(factor, float) or not isinstance(factor, Decimal | int) or isinstance(factor, bool):
            raise InvalidAmountError("multiply Money by a Decimal or an int, never a float")
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: object) -> bool:
        return self.amount < self._same(other).amount

    def __le__(self, other: object) -> bool:
        return self.amount <= self._same(other).amount

    def __gt__(self, other: object) -> bool:
        return self.amount > self._same(other).amount

    def __ge__(self, other: object) -> bool:
        return self.amount >= self._same(other).amount

    def allocate(self, ratios: Sequence[int | Decimal]) -> list[Money]:
        """Split into parts proportional to ``ratios`` that add up exactly to the whole.

        Largest-remainder method on minor units: every part is within one minor
        unit of its exact share, and no minor unit is lost or invented.
        """
        if not ratios:
            raise InvalidAmountError("allocate needs at least one ratio")
        shares = [_to_decimal(r) for r in ratios]
        if any(s < 0 for s in shares) or sum(shares) <= 0:
            raise InvalidAmountError("ratios must be non-negative and not all zero")
        total = self.minor
        sign = -1 if total < 0 else 1
        whole = abs(total)
        weight = sum(shares)
        exact = [whole * s / weight for s in shares]
        parts = [int(e) for e in exact]
        left = whole - sum(parts)
        by_remainder = sorted(range(len(parts)), key=lambda i: (-(exact[i] - parts[i]), i))
        for i in by_remainder[:left]:
            parts[i] += 1
        return [Money.from_minor(sign * p, self.currency) for p in parts]

    def split(self, n: int) -> list[Money]:
        """``n`` parts as equal as the minor unit allows, the larger ones first."""
        if n < 1:
            raise InvalidAmountError("split needs at least one part")
        return self.allocate([1] * n)


def total(amounts: Iterable[Money], currency: str) -> Money:
    """Sum of ``amounts``, all in ``currency``; zero in that currency when empty."""
    check_currency(currency)
    value = Decimal(0)
    for amount in amounts:
        if not isinstance(amount, Money) or amount.currency != currency:
            raise CurrencyMismatchError(f"cannot add {amount!r} to a total in {currency}")
        value += amount.amount  # exact: every amount is already quantized to the currency
    return Money(value, currency)
