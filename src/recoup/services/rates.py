"""Rate tables on disk: the ones shipped with the package plus a user's own folder.

The package ships one CSV file per table in ``recoup/law/data`` (see
``recoup.law.rates`` for the format). A deployment keeps its additions in a
folder (setting ``rates``: ``RECOUP_RATES``, else ``./rates`` when it exists):
a file ``NAME.csv`` there adds rates to the shipped table NAME (a rate on a date
the shipped table has replaces it) or defines a new table. ``add_rate`` writes
there, never into the package.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from importlib import resources
from pathlib import Path

from recoup.domain.errors import InvalidInputError, InvalidValueError
from recoup.law.rates import (
    HEADER,
    RateBook,
    RateEntry,
    RateTable,
    parse_date,
    parse_rate,
    parse_table_text,
    table_from_text,
)

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


def shipped_tables() -> dict[str, RateTable]:
    """The tables shipped with the package, by name."""
    tables: dict[str, RateTable] = {}
    folder = resources.files("recoup.law").joinpath("data")
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if item.name.endswith(".csv"):
            table = table_from_text(item.read_text(encoding="utf-8"), f"recoup/law/data/{item.name}")
            tables[table.name] = table
    return tables


def load_rate_book(user_folder: Path | None) -> RateBook:
    """The shipped tables with the user's files in ``user_folder`` (if any) merged in."""
    tables = shipped_tables()
    if user_folder is not None and user_folder.is_dir():
        for path in sorted(user_folder.glob("*.csv")):
            parsed = parse_table_text(path.read_text(encoding="utf-8"), str(path), default_name=path.stem)
            base = tables.get(parsed.name) or RateTable(
                parsed.name, (), parsed.description, parsed.valid_until
            )
            try:
                tables[parsed.name] = base.with_entries(parsed.entries, parsed.valid_until)
            except InvalidValueError as exc:
                raise InvalidValueError(f"{path}: {exc}") from None
    return RateBook(tables)


def add_rate(
    folder: Path, table: str, effective: str | dt.date, rate: str | Decimal, source: str
) -> RateEntry:
    """Add a rate to the user's file for ``table`` in ``folder`` (created if needed); return the entry.

    Refused: a table name that is not a lowercase slug, a date that is not ISO,
    a rate that is not a decimal number, an empty source, a date the table has.
    """
    name = table.strip()
    if not _NAME.match(name):
        raise InvalidInputError(
            f"{table!r} is not a table name (lowercase letters, digits and dashes, e.g. ecb-mro)",
            field="table",
        )
    try:
        day = effective if isinstance(effective, dt.date) else parse_date(effective)
    except InvalidValueError as exc:
        raise InvalidInputError(str(exc), field="date") from None
    try:
        value = rate if isinstance(rate, Decimal) else parse_rate(rate)
    except InvalidValueError as exc:
        raise InvalidInputError(str(exc), field="rate") from None
    text = " ".join(source.split())
    if not text:
        raise InvalidInputError("a rate needs its source (a URL or publication)", field="source")
    book = load_rate_book(folder)
    if name in book.tables and any(e.effective == day for e in book.tables[name].entries):
        raise InvalidInputError(
            f"table {name!r} already has a rate dated {day.isoformat()} "
            f"({book.tables[name].rate_on(day).rate}); edit {folder / (name + '.csv')} to change it",
            field="date",
        )
    entry = RateEntry(day, value, text)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.csv"
    line = f"{day.isoformat()},{value},{text}\n"
    if path.exists():
        existing = path.read_text(encoding="utf-8")
        path.write_text(existing + ("" if existing.endswith("\n") or not existing else "\n") + line, "utf-8")
    else:
        path.write_text(f"# name: {name}\n{','.join(HEADER)}\n{line}", encoding="utf-8")
    return entry
