"""Importing customers, contacts, invoices, payments and credit notes from tables (CSV, XLSX).

An import is all or nothing: every row is checked, and one bad row stops the
whole file with a list of problems that name the file, the line, the column
and what was expected. With ``skip_invalid`` the good rows go in and the
rejected ones are written, with their reasons, to a file.
Importing the same file twice changes nothing: rows are matched on their
natural keys (customer id, contact name, invoice number, payment reference,
credit note number).

The file is read and stored in chunks of ``CHUNK`` rows inside one
transaction, so memory stays bounded whatever the file's size (apart from the
keys seen, to catch duplicates). Each customer's payments and credit notes
are applied in date order, as if the file were one batch: grouped so in the
file, they are recorded chunk by chunk; else they are sorted on disk
(``_Sorted``) and recorded once every row has been checked.
"""

from __future__ import annotations

import csv
import datetime as dt
import heapq
import itertools
import operator
import pickle
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sized
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar

from recoup.adapters.formats.tabular import Row, Table
from recoup.domain.errors import DomainError, ImportRejectedError, InvalidValueError
from recoup.domain.money import Money
from recoup.domain.payments import CreditNote, Payment
from recoup.services import ledger
from recoup.services.importers import PARSERS, Parsed, RowError, invoices_imported
from recoup.services.ports import UnitOfWork, UnitOfWorkFactory

Progress = Callable[[int, int], None]  # (rows checked, about how many in all; 0 when not known)
CHUNK = 20_000  # rows checked and stored at a time
T = TypeVar("T")


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


class _Rejects:
    """Rejected rows with their reasons, in a temporary file until the import has been stored."""

    def __init__(self, columns: tuple[str, ...], file: IO[str]) -> None:
        self.columns = [c for c in columns if c]
        self.file = file
        self.writer = csv.writer(file)
        self.writer.writerow(["line", *self.columns, "errors"])

    def write(self, row: Row, problem: Problem) -> None:
        reason = f"{problem.column}: {problem.message}" if problem.column else problem.message
        self.writer.writerow([row.line, *(row.values.get(c, "") for c in self.columns), reason])

    def save(self, path: Path) -> None:
        self.file.seek(0)
        with path.open("w", newline="", encoding="utf-8") as out:
            shutil.copyfileobj(self.file, out)


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
    chunk: int = CHUNK,
) -> ImportResult:
    """Check every row of ``table`` as ``kind`` and store the good ones in one transaction."""
    if kind not in PARSERS:
        raise InvalidValueError(f"unknown import kind {kind!r}; use one of {', '.join(PARSERS)}")
    ignored = _check_columns(kind, table)
    run = _Run(
        uow_factory, kind, table, at, actor, skip_invalid, rejects_path, progress, defaults or {}, chunk
    )
    # Payments and credit notes grouped by customer in date order are recorded chunk by
    # chunk; others are sorted first (a file that can only be read once, from the start).
    once = iter(table.rows) is table.rows
    try:
        result = run(sort=once)
    except _Unsorted:
        result = run(sort=True)
    if ignored:
        result.messages.insert(0, f"ignored unknown column(s): {', '.join(ignored)}")
    return result


@dataclass
class _Run:
    """One pass over the file in one transaction (the parameters of ``import_table``)."""

    uow_factory: UnitOfWorkFactory
    kind: str
    table: Table
    at: dt.datetime
    actor: str
    skip_invalid: bool
    rejects_path: Path | None
    progress: Progress | None
    defaults: dict[str, str]
    chunk: int

    def __call__(self, *, sort: bool) -> ImportResult:
        table, name = self.table, self.table.path.name
        result = ImportResult(self.kind, name)
        total = len(table.rows) if isinstance(table.rows, Sized) else table.size or 0
        with (
            tempfile.TemporaryFile("w+", newline="", encoding="utf-8") as rejected,
            tempfile.TemporaryFile() as spool,
            self.uow_factory() as uow,
        ):
            rejects = _Rejects(table.columns, rejected)
            parser = PARSERS[self.kind](uow, self.defaults)
            store = _Store(uow, parser, result, self, sort=sort, spool=spool)
            for rows in _chunks(table.rows, self.chunk):
                parser.prepare(rows)
                good: list[Parsed] = []
                for row in rows:
                    try:
                        good.append(parser.parse(row))
                    except RowError as err:
                        problem = Problem(name, row.line, err.column, err.message)
                        result.rejected.append(problem)
                        if self.skip_invalid:
                            rejects.write(row, problem)
                    result.rows += 1
                    if self.progress and result.rows % 1000 == 0:
                        self.progress(result.rows, max(total, result.rows))
                if self.skip_invalid or not result.rejected:  # else nothing will be stored
                    store.add(good)
            if result.rejected and not self.skip_invalid:
                raise ImportRejectedError([str(p) for p in result.rejected])
            store.finish()
            uow.commit()
            if result.rejected:
                path = self.rejects_path or table.path.with_name(table.path.stem + ".rejected.csv")
                rejects.save(path)
                result.rejects_file = str(path)
                result.messages.append(
                    f"{len(result.rejected)} row(s) rejected, written with reasons to {path}"
                )
        if self.progress:
            self.progress(result.rows, result.rows)
        return result


class _Unsorted(Exception):
    """Payments or credit notes not grouped by customer in date order: to be sorted first."""


class _Store:
    """Stores the good rows chunk by chunk; what needs the whole file waits for ``finish``."""

    def __init__(
        self, uow: UnitOfWork, parser: Any, result: ImportResult, run: _Run, *, sort: bool, spool: IO[bytes]
    ) -> None:
        self.uow, self.parser, self.result, self.kind = uow, parser, result, run.kind
        self.at, self.actor, self.chunk, self.sort = run.at, run.actor, run.chunk, sort
        # Payments and credit notes as (customer, date, key, ...) tuples, applied in that order.
        self.money_in = _Sorted(run.chunk, spool)
        self.current: tuple[Any, ...] = ()  # (customer, date, key) of the last customer recorded
        self.done: set[str] = set()  # customers before it, whose money in is all recorded
        self.oldest_first: list[tuple[dt.date, str]] = []
        self.unapplied: list[tuple[dt.date, str, str]] = []
        # The new invoices as (customer's first invoice, invoice, customer, number), in the
        # order of the customers' first invoices: one log entry per customer for the file.
        self.invoices = _Sorted(run.chunk, spool)
        self.first: dict[str, int] = {}

    def add(self, good: list[Parsed]) -> None:
        new = [p.record for p in good if p.state == "new"]
        changed = [p.record for p in good if p.state == "changed"]
        self.result.added += len(new)
        self.result.updated += len(changed)
        self.result.unchanged += sum(1 for p in good if p.state == "same")
        if self.kind in _MONEY_IN:
            self._money_in(new)
            return
        with _refusal(self.result.file):
            log = self.parser.store(new, changed, at=self.at, actor=self.actor, file=self.result.file)
            if log:
                self.uow.activities.add_many(log)
        if self.kind == "invoices":
            first = self.first
            self.invoices.add(
                (first.setdefault(inv.customer_id, n), n, inv.customer_id, inv.number)
                for n, inv in enumerate(new, start=self.invoices.count)
            )

    def _money_in(self, new: list[Any]) -> None:
        if self.sort:
            self.money_in.add(map(_MONEY_IN[self.kind][0], new))
        elif new:
            self._check_order(new)
            self._record(new)

    def _check_order(self, new: list[Any]) -> None:
        """Raise ``_Unsorted`` unless ``new`` (in file order) continues a file whose payments
        (credit notes) come customer after customer, each's in date order; any order within
        a chunk, which the ledger applies as one batch."""
        key = operator.attrgetter("customer_id", "date", "reference" if self.kind == "payments" else "number")
        span: dict[str, tuple[Any, Any]] = {}  # customer: (first key, last key) in this chunk
        for record in new:
            k = key(record)
            low, high = span.get(k[0], (k, k))
            span[k[0]] = (min(low, k), max(high, k))
        going_on = self.current[0] if self.current else None  # the customer the last chunk ended with
        for customer, (low, _) in span.items():
            if customer in self.done or (customer == going_on and low < self.current):
                raise _Unsorted
        last = new[-1].customer_id
        self.done.update(c for c in span if c != last)
        if going_on is not None and going_on != last:
            self.done.add(going_on)
        self.current = span[last][1]

    def finish(self) -> None:
        if self.sort and self.kind in _MONEY_IN:
            decode = _MONEY_IN[self.kind][1]
            for batch in _chunks(self.money_in, self.chunk):
                self._record([decode(item) for item in batch])
        if self.kind == "invoices":
            with _refusal(self.result.file):
                self._invoices_log()
        if self.kind == "payments":
            self._report()

    def _record(self, batch: list[Any]) -> None:
        with _refusal(self.result.file):
            if self.kind == "credit-notes":
                ledger.record_credit_notes(self.uow, batch, at=self.at, actor=self.actor)
                return
            applied = ledger.record_payments(self.uow, batch, at=self.at, actor=self.actor)
        if applied.oldest_first or applied.unapplied:
            dates = {p.reference: p.date for p in batch}
            self.oldest_first += ((dates[ref], ref) for ref in applied.oldest_first)
            self.unapplied += ((dates[ref], ref, str(m)) for ref, m in applied.unapplied.items())

    def _report(self) -> None:
        result = self.result  # listed by date, as one batch of the whole file lists them
        result.oldest_first = [ref for _, ref in sorted(self.oldest_first)]
        result.unapplied = {ref: m for _, ref, m in sorted(self.unapplied)}
        if result.oldest_first:
            result.messages.append(
                f"{len(result.oldest_first)} payment(s) named no invoice and were allocated "
                f"oldest first: {_short(result.oldest_first)}"
            )
        if result.unapplied:
            result.messages.append(
                f"{len(result.unapplied)} payment(s) left unapplied cash on the customer: "
                f"{_short(list(result.unapplied))}"
            )

    def _invoices_log(self) -> None:
        by_customer = itertools.groupby(self.invoices, key=lambda item: item[2])
        entries = (
            invoices_imported(
                cid, tuple(item[3] for item in items), at=self.at, actor=self.actor, file=self.result.file
            )
            for cid, items in by_customer
        )
        for batch in _chunks(entries, self.chunk):
            self.uow.activities.add_many(batch)


def _payment_item(p: Payment) -> tuple[Any, ...]:
    return (p.customer_id, p.date.toordinal(), p.reference, p.amount.minor, p.amount.currency, p.invoices)


def _payment(item: tuple[Any, ...]) -> Payment:
    cid, day, ref, minor, currency, invoices = item
    return Payment(ref, cid, dt.date.fromordinal(day), Money.from_minor(minor, currency), invoices=invoices)


def _credit_note_item(n: CreditNote) -> tuple[Any, ...]:
    return (n.customer_id, n.date.toordinal(), n.number, n.amount.minor, n.amount.currency, n.invoice_number)


def _credit_note(item: tuple[Any, ...]) -> CreditNote:
    cid, day, number, minor, currency, invoice = item
    return CreditNote(number, cid, dt.date.fromordinal(day), Money.from_minor(minor, currency), invoice)


# How payments and credit notes are kept while sorting: tuples that sort by customer, date
# and key (as the ledger applies them), pickled far faster than the dataclasses.
_MONEY_IN: dict[str, tuple[Callable[[Any], tuple[Any, ...]], Callable[[tuple[Any, ...]], Any]]] = {
    "payments": (_payment_item, _payment),
    "credit-notes": (_credit_note_item, _credit_note),
}


@contextmanager
def _refusal(file: str) -> Iterator[None]:
    """The ledger refusing what is stored rejects the file."""
    try:
        yield
    except DomainError as exc:
        raise ImportRejectedError([f"{file}: {exc}"]) from exc


class _Sorted:
    """Tuples given in any order, read back sorted, holding at most ``limit`` in memory.

    Past ``limit`` the held items are sorted and appended to ``file`` (a run);
    reading merges the runs.
    """

    BLOCK = 512  # items pickled together

    def __init__(self, limit: int, file: IO[bytes]) -> None:
        self.limit, self.file = limit, file
        self.held: list[tuple[Any, ...]] = []
        self.runs: list[tuple[int, int]] = []  # (offset, blocks) in the file, which others may share
        self.count = 0

    def add(self, items: Iterable[tuple[Any, ...]]) -> None:
        before = len(self.held)
        self.held.extend(items)
        self.count += len(self.held) - before
        if len(self.held) >= self.limit:
            self._spill()

    def _spill(self) -> None:
        self.held.sort()
        start = self.file.seek(0, 2)
        blocks = 0
        for i in range(0, len(self.held), self.BLOCK):
            data = pickle.dumps(self.held[i : i + self.BLOCK], pickle.HIGHEST_PROTOCOL)
            self.file.write(len(data).to_bytes(8, "little") + data)
            blocks += 1
        self.runs.append((start, blocks))
        self.held = []

    def _run(self, start: int, blocks: int) -> Iterator[tuple[Any, ...]]:
        for _ in range(blocks):
            self.file.seek(start)
            size = int.from_bytes(self.file.read(8), "little")
            items: list[tuple[Any, ...]] = pickle.loads(self.file.read(size))
            start += 8 + size
            yield from items

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        if not self.runs:
            return iter(sorted(self.held))
        if self.held:
            self._spill()
        return heapq.merge(*(self._run(start, blocks) for start, blocks in self.runs))


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    it = iter(items)
    while batch := list(itertools.islice(it, size)):
        yield batch


def _short(items: Iterable[str], n: int = 5) -> str:
    items = list(items)
    return ", ".join(items[:n]) + (f" and {len(items) - n} more" if len(items) > n else "")


__all__ = ["CHUNK", "ImportResult", "Problem", "Progress", "Row", "import_table"]
