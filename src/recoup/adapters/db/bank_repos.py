"""Bank statement lines and the payers' IBANs, in SQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, String, insert, select, text, type_coerce, update

from recoup.adapters.db import rows
from recoup.adapters.db.rows import chunks, member
from recoup.adapters.db.tables import bank_lines, customers, invoices, payer_ibans
from recoup.domain.matching import Item, compact, key_tails, name_key, number_keys, surely_unnamed
from recoup.domain.money import Money
from recoup.domain.statements import LineStatus, StatementLine
from recoup.services.ports import LineDecision, StoredLine

LOOKUP_KEYS = 100_000
"""A batch with at most this many keys (and ``LOOKUP_CUSTOMERS`` customers) looks its open
invoices up by index instead of reading them all (``SqlBankLines.open_items``). On a ledger of a
million open invoices the lookups of 10,000 lines (43,000 keys) took half the time of the streamed
pass; at about 30,000 lines (130,000 keys) on PostgreSQL and 50,000 on SQLite the two are even."""
LOOKUP_CUSTOMERS = 20_000


def _day(value: dt.date | str) -> dt.date:
    """A date as SQLite (text) or PostgreSQL (a date) gives it."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def _line(r: Mapping[str, Any]) -> StoredLine:
    line = StatementLine(
        account=r["account"],
        booking_date=r["booking_date"],
        amount=Money.from_minor(int(r["amount_minor"]), r["currency"]),
        value_date=r["value_date"],
        counterparty_name=r["counterparty_name"],
        counterparty_iban=r["counterparty_iban"],
        remittance=r["remittance"],
        creditor_reference=r["creditor_reference"],
        end_to_end_id=r["end_to_end_id"],
        bank_reference=r["bank_reference"],
        source=r["source"],
        sequence=r["sequence"],
    )
    return StoredLine(
        id=r["id"],
        line=line,
        status=LineStatus(r["status"]),
        customer_id=r["customer_id"],
        payment_reference=r["payment_reference"],
        confidence=r["confidence"],
        suggestions=list(r["suggestions"] or []),
    )


class SqlBankLines:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add_new(self, lines: Sequence[StatementLine], *, at: dt.datetime) -> list[StoredLine]:
        """Store the lines whose key is not stored yet (status 'unknown' until matched); return them."""
        keys = [line.key for line in lines]
        seen: set[str] = set()
        for batch in chunks(sorted(set(keys))):
            seen.update(
                self.conn.execute(select(bank_lines.c.key).where(bank_lines.c.key.in_(batch))).scalars()
            )
        todo = []
        for line in lines:
            if line.key in seen:
                continue
            seen.add(line.key)
            todo.append(
                {
                    "key": line.key,
                    "account": line.account,
                    "booking_date": line.booking_date,
                    "value_date": line.value_date,
                    "currency": line.amount.currency,
                    "amount_minor": line.amount.minor,
                    "counterparty_name": line.counterparty_name[:200],
                    "counterparty_iban": line.counterparty_iban,
                    "remittance": line.remittance,
                    "creditor_reference": line.creditor_reference[:64],
                    "end_to_end_id": line.end_to_end_id[:64],
                    "bank_reference": line.bank_reference[:64],
                    "source": line.source[:300],
                    "sequence": line.sequence,
                    "status": LineStatus.UNKNOWN.value,
                    "suggestions": [],
                    "imported_at": at,
                }
            )
        for batch in chunks(todo):
            self.conn.execute(insert(bank_lines), batch)
        added = [row["key"] for row in todo]
        found: list[StoredLine] = []
        for batch in chunks(added):
            found += [
                _line(r)
                for r in self.conn.execute(select(bank_lines).where(bank_lines.c.key.in_(batch))).mappings()
            ]
        order = {key: n for n, key in enumerate(added)}
        return sorted(found, key=lambda s: order[s.line.key])

    def get_many(self, ids: Collection[int]) -> dict[int, StoredLine]:
        found: dict[int, StoredLine] = {}
        for batch in chunks(sorted(set(ids))):
            for r in self.conn.execute(select(bank_lines).where(bank_lines.c.id.in_(batch))).mappings():
                found[r["id"]] = _line(r)
        return found

    def with_status(self, statuses: Collection[LineStatus], *, limit: int | None = None) -> list[StoredLine]:
        query = (
            select(bank_lines)
            .where(bank_lines.c.status.in_([s.value for s in statuses]))
            .order_by(bank_lines.c.booking_date, bank_lines.c.id)
            .limit(limit)
        )
        return [_line(r) for r in self.conn.execute(query).mappings()]

    def decide(
        self,
        line_id: int,
        status: LineStatus,
        *,
        customer_id: str | None = None,
        payment_reference: str | None = None,
        confidence: float | None = None,
        suggestions: list[dict[str, Any]] | None = None,
        by: str = "",
        at: dt.datetime | None = None,
    ) -> None:
        self.conn.execute(
            update(bank_lines)
            .where(bank_lines.c.id == line_id)
            .values(
                status=status.value,
                customer_id=customer_id,
                payment_reference=payment_reference,
                confidence=confidence,
                suggestions=suggestions or [],
                decided_by=by,
                decided_at=at,
            )
        )

    def payers(self, ibans: Collection[str]) -> dict[str, list[str]]:
        """The customers each IBAN is known to pay for."""
        found: dict[str, list[str]] = {}
        for batch in chunks(sorted({i for i in ibans if i})):
            query = select(payer_ibans.c.iban, payer_ibans.c.customer_id).where(
                member(self.conn, payer_ibans.c.iban, batch)
            )
            for iban, customer_id in self.conn.execute(query):
                found.setdefault(iban, []).append(customer_id)
        return found

    def learn(self, iban: str, customer_id: str, *, by: str, at: dt.datetime) -> bool:
        """Remember that ``iban`` pays for ``customer_id``; False when it was known."""
        if customer_id in self.payers([iban]).get(iban, []):
            return False
        self.conn.execute(
            insert(payer_ibans).values(iban=iban, customer_id=customer_id, learnt_by=by, learnt_at=at)
        )
        return True

    # --- cash application: set-based reads for matching, decisions in bulk ---------------------

    def decide_many(self, decisions: Sequence[LineDecision]) -> None:
        """``decide`` for many lines (``rows.update_many``: one statement per 1,000 on PostgreSQL)."""
        rows.update_many(
            self.conn,
            bank_lines,
            "id",
            (
                "status",
                "customer_id",
                "payment_reference",
                "confidence",
                "suggestions",
                "decided_by",
                "decided_at",
            ),
            [
                (
                    d.line_id,
                    d.status.value,
                    d.customer_id,
                    d.payment_reference,
                    d.confidence,
                    d.suggestions,
                    d.by,
                    d.at,
                )
                for d in decisions
            ],
        )

    def open_items(self, *, keys: Collection[str], customers: Collection[str]) -> list[Item]:
        """The open invoices whose number has one of ``keys`` (``matching.number_keys``), and every
        open invoice of ``customers``.

        A small batch (at most ``LOOKUP_KEYS`` keys and ``LOOKUP_CUSTOMERS`` customers) looks them
        up through the indexed ``number_key``/``digits_key`` columns; a large one reads the open
        invoices in one streamed pass, comparing the keys in Python (``_scan``), which is faster
        than a million index lookups. Both find the same invoices, in the table's order.
        """
        wanted, mine = set(keys), set(customers)
        if len(wanted) <= LOOKUP_KEYS and len(mine) <= LOOKUP_CUSTOMERS:
            return self._look_up(wanted, mine)
        return self._scan(wanted, mine)

    def _columns(self) -> list[Any]:
        inv = invoices.c
        return [
            inv.number,
            inv.customer_id,
            inv.currency,
            inv.balance_minor,
            type_coerce(inv.due_date, String),
            type_coerce(inv.issue_date, String),
            inv.amount_minor,
        ]

    def _look_up(self, wanted: set[str], mine: set[str]) -> list[Item]:
        inv = invoices.c
        found: dict[int, Item] = {}
        searches = [(inv.number_key, wanted), (inv.digits_key, wanted), (inv.customer_id, mine)]
        for column, values in searches:
            for batch in chunks(sorted(values)):
                query = select(inv.id, *self._columns()).where(member(self.conn, column, batch), self._open())
                for invoice_id, number, customer, currency, balance, due, issued, amount in self.conn.execute(
                    query
                ):
                    found[invoice_id] = Item(
                        number, customer, currency, balance, _day(due), _day(issued), amount
                    )
        return [found[i] for i in sorted(found)]

    def _open(self) -> Any:
        """``closed_on IS NULL``; on SQLite written so that it keeps ix_invoices_closed_on out: its
        statistics make the term look selective, and it would walk every open invoice by that
        index (three times slower than reading the table through, and slower still than the
        index on the keys). PostgreSQL's planner chooses by itself."""
        if self.conn.dialect.name == "sqlite":
            return text("+invoices.closed_on IS NULL")
        return invoices.c.closed_on.is_(None)

    def _scan(self, wanted: set[str], mine: set[str]) -> list[Item]:
        """Every open invoice read once, streamed; dates are parsed for the invoices kept only."""
        tails = key_tails(wanted)
        query = select(*self._columns()).where(self._open())
        found: list[Item] = []
        days: dict[Any, dt.date] = {}  # a few hundred distinct dates among a million invoices
        for number, customer, currency, balance, due, issued, amount in self._stream(query):
            if customer not in mine:
                if surely_unnamed(number, tails):
                    continue
                keys = number_keys(number)
                if keys[0] not in wanted and (len(keys) == 1 or keys[1] not in wanted):
                    continue
            due_day = days.get(due) or days.setdefault(due, _day(due))
            issue_day = days.get(issued) or days.setdefault(issued, _day(issued))
            found.append(Item(number, customer, currency, balance, due_day, issue_day, amount))
        return found

    def _stream(self, query: Any) -> Iterator[Sequence[Any]]:
        """The rows of a long read without holding them all, straight from the driver's cursor in
        this same transaction (a million of SQLAlchemy's row objects cost about a second and a
        half). PostgreSQL sends them in chunks without waiting to be asked for each (psycopg's
        ``stream``): it reads on while the rows already here are matched. ``query`` takes no
        parameters."""
        compiled = query.compile(dialect=self.conn.dialect)
        assert not compiled.params, "a streamed query takes no parameters"
        raw = self.conn.connection.dbapi_connection
        assert raw is not None
        cursor = raw.cursor()
        try:
            if self.conn.dialect.name == "postgresql":
                yield from cursor.stream(str(compiled), size=10_000)  # type: ignore[attr-defined]
                return
            cursor.execute(str(compiled))
            while batch := cursor.fetchmany(20_000):
                yield from batch
        finally:
            cursor.close()

    def customers_by_key(
        self, *, names: Collection[str], ids: Collection[str]
    ) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """Customers whose ``matching.name_key`` of their name is in ``names``, and whose compacted
        id is in ``ids``, each list in the customers' id order.

        A small batch (at most ``LOOKUP_KEYS`` names and ids) looks them up through the indexed
        ``name_key``/``id_key`` columns; a large one reads every customer's id and name once.
        """
        want_names, want_ids = set(names), set(ids)
        by_name: dict[str, list[str]] = {}
        by_id: dict[str, list[str]] = {}
        if len(want_names) + len(want_ids) <= LOOKUP_KEYS:
            for found, column, values in (
                (by_name, customers.c.name_key, want_names),
                (by_id, customers.c.id_key, want_ids),
            ):
                for batch in chunks(sorted(values)):
                    query = select(column, customers.c.id).where(member(self.conn, column, batch))
                    for key, customer_id in self.conn.execute(query):
                        found.setdefault(key, []).append(customer_id)
        else:
            query = select(customers.c.id, customers.c.name).execution_options(yield_per=20_000)
            for customer_id, name in self.conn.execute(query):
                if want_names:
                    key = name_key(name)
                    if key in want_names:
                        by_name.setdefault(key, []).append(customer_id)
                if want_ids:
                    key = compact(customer_id)
                    if key in want_ids:
                        by_id.setdefault(key, []).append(customer_id)
        for found in (by_name, by_id):
            for customer_ids in found.values():
                customer_ids.sort()
        return by_name, by_id
