"""Reading CSV and XLSX files as rows of text, each with the line it came from.

Values come back as stripped strings ('' for an empty cell); turning them
into dates and money is the importer's job, so every error can name the
file, the line and the column.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from recoup.domain.errors import InvalidValueError


@dataclass(frozen=True, slots=True)
class Row:
    line: int
    values: dict[str, str]


@dataclass(frozen=True)
class Table:
    path: Path
    columns: tuple[str, ...]
    rows: list[Row]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        # Excel stores numbers as binary floats; repr gives the shortest exact text of what was typed.
        return repr(value).removesuffix(".0")
    return str(value).strip()


def _header(raw: list[str], path: Path) -> tuple[str, ...]:
    names = tuple(h.strip().lower().lstrip("\ufeff") for h in raw)
    if not any(names):
        raise InvalidValueError(f"{path.name}: the first line must name the columns")
    seen: set[str] = set()
    for name in names:
        if name and name in seen:
            raise InvalidValueError(f"{path.name}, line 1: column {name!r} appears twice")
        seen.add(name)
    return names


def _read_csv(path: Path) -> Table:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidValueError(
            f"{path.name}: not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV"
        ) from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment]
    reader = csv.reader(text.splitlines(keepends=True), dialect)
    try:
        columns = _header(next(reader), path)
    except StopIteration:
        raise InvalidValueError(f"{path.name}: the file is empty") from None
    rows: list[Row] = []
    line = reader.line_num
    for raw in reader:
        start = line + 1
        line = reader.line_num
        if not any(v.strip() for v in raw):
            continue
        if len(raw) > len(columns):
            raise InvalidValueError(
                f"{path.name}, line {start}: {len(raw)} values but the header names {len(columns)} columns"
            )
        values = {c: v.strip() for c, v in zip(columns, raw, strict=False) if c}
        rows.append(Row(start, values))
    return Table(path, columns, rows)


def _read_xlsx(path: Path) -> Table:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise InvalidValueError(f"{path.name}: not a readable XLSX workbook ({exc})") from None
    try:
        sheet = book.worksheets[0]
        it = sheet.iter_rows(values_only=True)
        try:
            columns = _header([_cell(v) for v in next(it)], path)
        except StopIteration:
            raise InvalidValueError(f"{path.name}: the first sheet is empty") from None
        rows = []
        for number, raw in enumerate(it, start=2):
            cells = [_cell(v) for v in raw]
            if not any(cells):
                continue
            rows.append(Row(number, {c: v for c, v in zip(columns, cells, strict=False) if c}))
        return Table(path, columns, rows)
    finally:
        book.close()


def read_table(path: Path) -> Table:
    """Rows of a CSV (comma, semicolon or tab separated, UTF-8) or XLSX file."""
    if not path.is_file():
        raise InvalidValueError(f"{path}: no such file")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    return _read_csv(path)
