"""Dated reference-rate tables (ECB MRO, Basiszinssatz, Bank Rate, TCMB rates, ...) as values.

A table is a list of entries (date of effect, rate in percent per annum,
source). The entry in force on a day is the latest one whose date of effect is
on or before it. A day before the first entry is an error that names the table
and the date: never a silent guess.

The horizon: each shipped table carries ``valid_until``, the day its data was
last checked against its sources (2026-04-30 for the tables taken from
LAW.md). The last entry stays in force after its date of effect, but only up
to the horizon: asking for a rate on a later day is an error saying the table
must be brought up to date, because the central bank may have moved since. A
user brings it up to date by adding an entry (``recoup rates add``), even one
that repeats the current rate: an entry dated D shows the table was known on D,
so the horizon becomes the latest of ``valid_until`` and the entries' dates.
``valid_until`` None means the table has no horizon (fixed statutory numbers).

Tables are parsed from text here (pure); reading the files is the services'
job (``recoup.services.rates``). The text format is CSV with a header line
``effective,rate,source`` preceded by comment lines ``# name: ...``,
``# description: ...`` and ``# valid_until: YYYY-MM-DD``.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from recoup.domain.errors import InvalidValueError, MissingRateError

HEADER = ("effective", "rate", "source")


def _add_hint(name: str) -> str:
    return f"`recoup rates add {name} DATE RATE --source ...`"


@dataclass(frozen=True, slots=True)
class RateEntry:
    """One rate of a table.

    Fields:
        effective: the date of effect (not the day it was announced).
        rate: percent per annum (Decimal('4.50') is 4.5 %), or an amount for a table of amounts.
        source: where it comes from (a URL or a publication reference).
    """

    effective: dt.date
    rate: Decimal
    source: str


@dataclass(frozen=True, slots=True)
class RateTable:
    """A named, dated series of rates; ``entries`` are kept sorted by date of effect.

    Fields:
        name: the table's key ('ecb-mro', 'de-basiszins', ...).
        entries: the rates, one per date of effect.
        description: what the rate is and how it is fixed.
        valid_until: the day the data was last checked; None for no horizon.
    """

    name: str
    entries: tuple[RateEntry, ...] = ()
    description: str = ""
    valid_until: dt.date | None = None
    _days: tuple[dt.date, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        entries = tuple(sorted(self.entries, key=lambda e: e.effective))
        days = tuple(e.effective for e in entries)
        dupes = sorted({d for d in days if days.count(d) > 1})
        if dupes:
            raise InvalidValueError(
                f"rate table {self.name!r} has two rates dated {dupes[0].isoformat()} (one per date)"
            )
        object.__setattr__(self, "entries", entries)
        object.__setattr__(self, "_days", days)

    @property
    def horizon(self) -> dt.date | None:
        """The last day the table is known to be right: ``valid_until`` or its latest entry, if later."""
        if self.valid_until is None:
            return None
        if self._days and self._days[-1] > self.valid_until:
            return self._days[-1]
        return self.valid_until

    def check_known(self, day: dt.date) -> None:
        """Raise MissingRateError when ``day`` is after the table's horizon."""
        horizon = self.horizon
        if horizon is not None and day > horizon:
            raise MissingRateError(
                f"rate table {self.name!r} is known up to {horizon.isoformat()} (when its data was last "
                f"checked), not on {day.isoformat()}: bring it up to date with {_add_hint(self.name)} "
                "(add the rate in force even if it did not change)"
            )

    def rate_on(self, day: dt.date) -> RateEntry:
        """The entry in force on ``day``: the latest one dated on or before it."""
        self.check_known(day)
        i = bisect.bisect_right(self._days, day)
        if i == 0:
            raise MissingRateError(
                f"rate table {self.name!r} has no rate in force on {day.isoformat()}: "
                f"add one with {_add_hint(self.name)}"
            )
        return self.entries[i - 1]

    def changes_within(self, first: dt.date, last: dt.date) -> tuple[dt.date, ...]:
        """Dates of effect in ``(first, last]``; the table must be known up to ``last``."""
        self.check_known(last)
        lo = bisect.bisect_right(self._days, first)
        hi = bisect.bisect_right(self._days, last)
        return self._days[lo:hi]

    def with_entries(self, entries: Iterable[RateEntry], valid_until: dt.date | None = None) -> RateTable:
        """This table with ``entries`` added; an entry on an existing date replaces it."""
        by_day = {e.effective: e for e in self.entries}
        by_day.update({e.effective: e for e in entries})
        horizon = self.valid_until
        if valid_until is not None and (horizon is None or valid_until > horizon):
            horizon = valid_until
        return RateTable(self.name, tuple(by_day.values()), self.description, horizon)


@dataclass(frozen=True, slots=True)
class RateBook:
    """Every rate table the interest rules may read, by name."""

    tables: Mapping[str, RateTable]

    def table(self, name: str) -> RateTable:
        try:
            return self.tables[name]
        except KeyError:
            known = ", ".join(sorted(self.tables)) or "none"
            raise MissingRateError(f"no rate table named {name!r} (known: {known})") from None

    def rate_on(self, name: str, day: dt.date) -> RateEntry:
        return self.table(name).rate_on(day)


def parse_rate(text: str, what: str = "rate") -> Decimal:
    """A rate from text such as '4.25' or '-0.88'; a comma or a percent sign is refused."""
    value = text.strip()
    try:
        rate = Decimal(value)
    except InvalidOperation:
        raise InvalidValueError(f"{what} {text!r} is not a decimal number (e.g. 4.25)") from None
    if not rate.is_finite() or not value or "," in value:
        raise InvalidValueError(f"{what} {text!r} is not a decimal number (e.g. 4.25)")
    return rate


def parse_date(text: str, what: str = "date") -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidValueError(f"{what} {text!r} is not a date (expected YYYY-MM-DD)") from None


@dataclass(frozen=True, slots=True)
class ParsedTable:
    """What one rate file says: its header fields and entries (a user file may omit the header)."""

    name: str
    description: str
    valid_until: dt.date | None
    entries: tuple[RateEntry, ...]


def parse_table_text(text: str, source: str, default_name: str = "") -> ParsedTable:
    """Parse a rate file (see the module docstring); errors name ``source`` and the line."""
    meta: dict[str, str] = {}
    entries: list[RateEntry] = []
    header_seen = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            key, sep, value = line[1:].partition(":")
            if sep:
                meta[key.strip().lower()] = value.strip()
            continue
        cells = [c.strip() for c in line.split(",", 2)]
        if not header_seen:
            if tuple(c.lower() for c in cells) != HEADER:
                raise InvalidValueError(
                    f"{source}:{number}: expected the header line 'effective,rate,source'"
                )
            header_seen = True
            continue
        if len(cells) != 3 or not cells[2]:
            raise InvalidValueError(f"{source}:{number}: expected 'effective,rate,source' with a source")
        try:
            entries.append(RateEntry(parse_date(cells[0]), parse_rate(cells[1]), cells[2].strip('"')))
        except InvalidValueError as exc:
            raise InvalidValueError(f"{source}:{number}: {exc}") from None
    valid_until = None
    if meta.get("valid_until"):
        try:
            valid_until = parse_date(meta["valid_until"], "valid_until")
        except InvalidValueError as exc:
            raise InvalidValueError(f"{source}: {exc}") from None
    name = meta.get("name") or default_name
    if not name:
        raise InvalidValueError(f"{source}: the file names no table ('# name: ...')")
    return ParsedTable(name, meta.get("description", ""), valid_until, tuple(entries))


def table_from_text(text: str, source: str, default_name: str = "") -> RateTable:
    parsed = parse_table_text(text, source, default_name)
    try:
        return RateTable(parsed.name, parsed.entries, parsed.description, parsed.valid_until)
    except InvalidValueError as exc:
        raise InvalidValueError(f"{source}: {exc}") from None


def table_to_text(table: RateTable) -> str:
    """The file text of ``table`` (the inverse of ``table_from_text``)."""
    lines = [f"# name: {table.name}"]
    if table.description:
        lines.append(f"# description: {table.description}")
    if table.valid_until is not None:
        lines.append(f"# valid_until: {table.valid_until.isoformat()}")
    lines.append(",".join(HEADER))
    lines += [f"{e.effective.isoformat()},{e.rate},{e.source}" for e in table.entries]
    return "\n".join(lines) + "\n"
