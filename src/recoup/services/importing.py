"""Importing customers, contacts, invoices, payments and credit notes from tables (CSV, XLSX).

An import is all or nothing: every row is checked first, and one bad row
stops the whole file with a list of problems that name the file, the line,
the column and what was expected. With ``skip_invalid`` the good rows go in
and the rejected ones are written, with their reasons, to a file.
Importing the same file twice changes nothing: rows are matched on their
natural keys (customer id, contact name, invoice number, payment reference,
credit note number).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from recoup.adapters.formats.tabular import Row, Table
from recoup.domain.errors import DomainError, ImportRejectedError, InvalidValueError
from recoup.services import ledger
from recoup.services.importers import PARSERS, Parsed, RowError
from recoup.services.ports import UnitOfWork, UnitOfWorkFactory

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}"
        return f"{where}, column {self.column}: {self.message}" if self.column else f"{where}: {self.message}"


@dataclass
class ImportResult:
    """What an import did; ``messages`` are sentences for the user."""

    kind: str
    file: str
    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Problem] = field(default_factory=list)
    rejects_file: str = ""
    oldest_first: list[str] = field(default_factory=list)
    unapplied: dict[str, str] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "file": self.file,
            "rows": self.rows,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": [str(p) for p in self.rejected],
            "rejects_file": self.rejects_file,
            "allocated_oldest_first": self.oldest_first,
            "unapplied": self.unapplied,
            "messages": self.messages,
        }


def _check_columns(kind: str, table: Table) -> list[str]:
    spec = PARSERS[kind]
    missing = [c for c in spec.required if c not in table.columns]
    if missing:
        raise InvalidValueError(
            f"{table.path.name}, line 1: missing column(s) {', '.join(missing)} "
            f"(a {kind} file needs {', '.join(spec.required)})"
        )
    known = set(spec.required) | set(spec.optional)
    return [c for c in table.columns if c and c not in known]


def _write_rejects(path: Path, table: Table, problems: list[Problem]) -> None:
    by_line: dict[int, list[str]] = {}
    for p in problems:
        by_line.setdefault(p.line, []).append(f"{p.column}: {p.message}" if p.column else p.message)
    columns = [c for c in table.columns if c]
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["line", *columns, "errors"])
        for row in table.rows:
            if row.line in by_line:
                writer.writerow(
                    [row.line, *(row.values.get(c, "") for c in columns), "; ".join(by_line[row.line])]
                )


def import_table(
    uow_factory: UnitOfWorkFactory,
    kind: str,
    table: Table,
    *,
    at: dt.datetime,
    skip_invalid: bool = False,
    rejects_path: Path | None = None,
    actor: str = "import",
    progress: Progress | None = None,
    defaults: dict[str, str] | None = None,
) -> ImportResult:
    """Check every row of ``table`` as ``kind`` and store the good ones in one transaction."""
    if kind not in PARSERS:
        raise InvalidValueError(f"unknown import kind {kind!r}; use one of {', '.join(PARSERS)}")
    name = table.path.name
    result = ImportResult(kind, name, rows=len(table.rows))
    ignored = _check_columns(kind, table)
    if ignored:
        result.messages.append(f"ignored unknown column(s): {', '.join(ignored)}")
    with uow_factory() as uow:
        parser = PARSERS[kind](uow, table, defaults or {})
        good: list[Parsed] = []
        for done, row in enumerate(table.rows, start=1):
            try:
                good.append(parser.parse(row))
            except RowError as err:
                result.rejected.append(Problem(name, row.line, err.column, err.message))
            if progress and (done % 1000 == 0 or done == len(table.rows)):
                progress(done, len(table.rows))
        if result.rejected and not skip_invalid:
            raise ImportRejectedError([str(p) for p in result.rejected])
        try:
            _store(uow, kind, parser, good, result, at=at, actor=actor)
        except DomainError as exc:
            raise ImportRejectedError([f"{name}: {exc}"]) from exc
        uow.commit()
    if result.rejected:
        path = rejects_path or table.path.with_name(table.path.stem + ".rejected.csv")
        _write_rejects(path, table, result.rejected)
        result.rejects_file = str(path)
        result.messages.append(f"{len(result.rejected)} row(s) rejected, written with reasons to {path}")
    return result


def _store(
    uow: UnitOfWork,
    kind: str,
    parser: Any,
    good: list[Parsed],
    result: ImportResult,
    *,
    at: dt.datetime,
    actor: str,
) -> None:
    new = [p.record for p in good if p.state == "new"]
    changed = [p.record for p in good if p.state == "changed"]
    result.added, result.updated = len(new), len(changed)
    result.unchanged = sum(1 for p in good if p.state == "same")
    activities = parser.store(new, changed, at=at, actor=actor, file=result.file)
    if kind == "payments":
        applied = ledger.record_payments(uow, new, at=at, actor=actor)
        result.oldest_first = applied.oldest_first
        result.unapplied = {ref: str(m) for ref, m in applied.unapplied.items()}
        if applied.oldest_first:
            result.messages.append(
                f"{len(applied.oldest_first)} payment(s) named no invoice and were allocated "
                f"oldest first: {_short(applied.oldest_first)}"
            )
        if applied.unapplied:
            result.messages.append(
                f"{len(applied.unapplied)} payment(s) left unapplied cash on the customer: "
                f"{_short(list(applied.unapplied))}"
            )
    elif kind == "credit-notes":
        ledger.record_credit_notes(uow, new, at=at, actor=actor)
    if activities:
        uow.activities.add_many(activities)


def _short(items: Iterable[str], n: int = 5) -> str:
    items = list(items)
    return ", ".join(items[:n]) + (f" and {len(items) - n} more" if len(items) > n else "")


__all__ = ["ImportResult", "Problem", "Progress", "Row", "import_table"]
