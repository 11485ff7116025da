"""Reading CSV and XLSX files as rows of text, each with the line it came from.

Values come back as stripped strings ('' for an empty cell); turning them
into dates and money is the importer's job, so every error can name the
file, the line and the column. Rows are read as they are iterated, so a file
of millions of rows is never held in memory whole.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from recoup.domain.errors import InvalidValueError


@dataclass(frozen=True, slots=True)
class Row:
    line: int
    values: dict[str, str]


@dataclass(frozen=True)
class Table:
    """A table file's columns and its rows.

    ``rows`` from ``read_table`` reads the file as it is iterated (again from
    the start each time), so a file of any size takes little memory;
    ``size`` is about how many rows it has (its lines less the header), for
    progress, or None when unknown.
    """

    path: Path
    columns: tuple[str, ...]
    rows: Iterable[Row]
    size: int | None = None


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


def _not_utf8(path: Path) -> InvalidValueError:
    """The error for a file that is not UTF-8, naming the offset of its first bad byte."""
    offset, pending = 0, b""
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            data = pending + block
            try:
                _, used = codecs.utf_8_decode(data, "strict", False)
            except UnicodeDecodeError as exc:
                offset += exc.start
                break
            offset, pending = offset + used, data[used:]
    return InvalidValueError(f"{path.name}: not UTF-8 text (byte {offset}); save it as UTF-8 CSV")


def _count_lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(block.count(b"\n") for block in iter(lambda: f.read(1 << 20), b""))


class _CsvRows:
    """The rows of a CSV file after its header, read as they are iterated."""

    def __init__(
        self, path: Path, dialect: type[csv.Dialect] | csv.Dialect, columns: tuple[str, ...]
    ) -> None:
        self.path, self.dialect, self.columns = path, dialect, columns

    def __iter__(self) -> Iterator[Row]:
        path, columns = self.path, self.columns
        unnamed = "" in columns  # such a column's values are left out
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f, self.dialect)
            try:
                next(reader, None)  # the header
                line = reader.line_num
                for raw in reader:
                    start = line + 1
                    line = reader.line_num
                    values = list(map(str.strip, raw))
                    if not any(values):
                        continue
                    if len(values) > len(columns):
                        raise InvalidValueError(
                            f"{path.name}, line {start}: {len(values)} values "
                            f"but the header names {len(columns)} columns"
                        )
                    if unnamed:
                        yield Row(start, {c: v for c, v in zip(columns, values, strict=False) if c})
                    else:
                        yield Row(start, dict(zip(columns, values, strict=False)))
            except UnicodeDecodeError:
                raise _not_utf8(path) from None


def _read_csv(path: Path) -> Table:
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            sample = f.read(4096)
            f.seek(0)
            dialect = _dialect(sample)
            header = next(csv.reader(f, dialect), None)
    except UnicodeDecodeError:
        raise _not_utf8(path) from None
    if header is None:
        raise InvalidValueError(f"{path.name}: the file is empty")
    columns = _header(header, path)
    return Table(path, columns, _CsvRows(path, dialect, columns), max(_count_lines(path) - 1, 0))


def _dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        return csv.excel


class _XlsxRows:
    """The rows of an XLSX workbook's first sheet after its header, read as they are iterated."""

    def __init__(self, path: Path, columns: tuple[str, ...]) -> None:
        self.path, self.columns = path, columns

    def __iter__(self) -> Iterator[Row]:
        book = _open_xlsx(self.path)
        try:
            it = book.worksheets[0].iter_rows(values_only=True)
            next(it, None)
            for number, raw in enumerate(it, start=2):
                cells = [_cell(v) for v in raw]
                if not any(cells):
                    continue
                yield Row(number, {c: v for c, v in zip(self.columns, cells, strict=False) if c})
        finally:
            book.close()


def _open_xlsx(path: Path) -> Any:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise InvalidValueError(f"{path.name}: not a readable XLSX workbook ({exc})") from None


def _read_xlsx(path: Path) -> Table:
    book = _open_xlsx(path)
    try:
        sheet = book.worksheets[0]
        first = next(sheet.iter_rows(values_only=True), None)
        if first is None:
            raise InvalidValueError(f"{path.name}: the first sheet is empty")
        columns = _header([_cell(v) for v in first], path)
        size = sheet.max_row - 1 if sheet.max_row else None
    finally:
        book.close()
    return Table(path, columns, _XlsxRows(path, columns), size)


def read_table(path: Path) -> Table:
    """Rows of a CSV (comma, semicolon or tab separated, UTF-8) or XLSX file."""
    if not path.is_file():
        raise InvalidValueError(f"{path}: no such file")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    return _read_csv(path)
