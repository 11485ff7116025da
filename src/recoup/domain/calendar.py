"""Business days: when a reminder may go out, a call may be made, a deadline falls.

A step that falls due on a weekend or a public holiday of the customer's
country waits for the next business day there, and periods counted in business
days skip the same days. Public holidays come from the ``holidays`` package
(national holidays only, with its "observed" days, e.g. the US Friday before an
Independence Day on a Saturday). A country the package does not know still
gets weekends off, so a customer from anywhere can be chased; no error.

Nothing here reads the clock: the day is always passed in.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

import holidays

from recoup.domain.errors import InvalidValueError

_ONE_DAY = dt.timedelta(days=1)
# A safety stop: no calendar has this many non-business days in a row.
_MAX_SCAN = 366


class Calendar(Protocol):
    """What the engine needs to know about days: is this one open, and which is the next open one."""

    def is_business_day(self, country: str, day: dt.date) -> bool: ...

    def next_business_day(self, country: str, day: dt.date) -> dt.date: ...


def _is_weekend(day: dt.date) -> bool:
    return day.weekday() >= 5  # Saturday, Sunday


class _BusinessDays:
    """Stepping over days, given ``is_business_day``; shared by the calendars below."""

    def is_business_day(self, country: str, day: dt.date) -> bool:
        raise NotImplementedError

    def next_business_day(self, country: str, day: dt.date) -> dt.date:
        """``day`` itself if it is a business day, else the first business day after it."""
        return self._scan(country, day, _ONE_DAY)

    def previous_business_day(self, country: str, day: dt.date) -> dt.date:
        """``day`` itself if it is a business day, else the last business day before it."""
        return self._scan(country, day, -_ONE_DAY)

    def add_business_days(self, country: str, day: dt.date, n: int) -> dt.date:
        """The ``n``-th business day after ``day`` (before it when ``n`` is negative).

        ``day`` itself does not count, whether or not it is a business day: 2 business
        days after a Friday is the Tuesday. ``n == 0`` gives ``next_business_day(day)``,
        so the result is always a business day.
        """
        if n == 0:
            return self.next_business_day(country, day)
        step = _ONE_DAY if n > 0 else -_ONE_DAY
        current = day
        for _ in range(abs(n)):
            current = self._scan(country, current + step, step)
        return current

    def _scan(self, country: str, day: dt.date, step: dt.timedelta) -> dt.date:
        current = day
        for _ in range(_MAX_SCAN):
            if self.is_business_day(country, current):
                return current
            current += step
        raise InvalidValueError(f"no business day in {country!r} within {_MAX_SCAN} days of {day}")


class WeekendsOnly(_BusinessDays):
    """A calendar with Saturdays and Sundays off and no public holidays, in every country (for tests)."""

    def is_business_day(self, country: str, day: dt.date) -> bool:
        return not _is_weekend(day)


class BusinessCalendar(_BusinessDays):
    """Weekends and the public holidays of each country, from the ``holidays`` package.

    The holidays of a (country, year) are looked up once and kept; the instance is
    meant to be shared. Country codes are ISO 3166 alpha-2, in any case.
    """

    def __init__(self) -> None:
        self._cache: dict[tuple[str, int], frozenset[dt.date]] = {}

    def holidays_of(self, country: str, year: int) -> frozenset[dt.date]:
        """The public holidays of ``country`` in ``year``; empty for a country the package does not know."""
        key = (country.strip().upper(), year)
        found = self._cache.get(key)
        if found is None:
            try:
                table = holidays.country_holidays(key[0], years=year)
            except NotImplementedError:  # the package's answer for an unknown country
                found = frozenset()
            else:
                found = frozenset(d for d in table if d.year == year)
            self._cache[key] = found
        return found

    def is_business_day(self, country: str, day: dt.date) -> bool:
        return not _is_weekend(day) and day not in self.holidays_of(country, day.year)
