"""Conversions between table rows and domain records, and the bulk writes of many rows at once."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import (
    JSON,
    Connection,
    Date,
    DateTime,
    Table,
    Text,
    any_,
    bindparam,
    cast,
    column,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY

from recoup.domain.activity import Activity
from recoup.domain.customers import Contact, ContactRole, Customer, CustomerKind
from recoup.domain.invoices import Invoice, InvoiceStatus
from recoup.domain.matching import compact, name_key, number_keys
from recoup.domain.money import Money
from recoup.domain.payments import Allocation, AllocationKind, CreditNote, Payment

T = TypeVar("T")
CHUNK = 5000


def member(conn: Connection, column: Any, values: Sequence[Any]) -> Any:
    """``column IN values``; on PostgreSQL ``column = ANY(array)``: one parameter instead of thousands,
    which psycopg need not parse on every call (the long IN lists cost seconds a run)."""
    if conn.dialect.name == "postgresql":
        return column == any_(literal(list(values), ARRAY(column.type)))
    return column.in_(values)


def _records(
    conn: Connection, types: Sequence[Any], names: Sequence[str], batch: Sequence[Sequence[Any]]
) -> list[Any]:
    """The columns of the rows of ``batch`` (in the order of ``names``, values of ``types``) sent to
    PostgreSQL as one JSON text and read back with ``json_to_recordset``: Python's C encoder and
    PostgreSQL's parser, where psycopg's arrays of strings are escaped a value at a time in Python
    (three times slower). Values go through their type's bind processing first (UTC timestamps);
    dates and timestamps travel in ISO form, JSON values as they are."""
    procs = [
        (n, p)
        for n, kind in enumerate(types)
        if not isinstance(kind, JSON) and (p := kind.dialect_impl(conn.dialect).bind_processor(conn.dialect))
    ]
    records = []
    for row in batch:
        values = list(row)
        for n, proc in procs:
            if values[n] is not None:
                values[n] = proc(values[n])
        records.append(dict(zip(names, values, strict=True)))
    text = json.dumps(records, default=_iso)
    columns = [column(name, kind) for name, kind in zip(names, types, strict=True)]
    new = (
        func.json_to_recordset(cast(bindparam("records", text, type_=Text), JSON))
        .table_valued(*columns)
        .render_derived(name="new", with_types=True)
    )
    return [new.c[name] for name in names]


def _iso(value: Any) -> str:
    if isinstance(value, dt.date):  # dates and datetimes (aware, as bind processing left them)
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} cannot be sent as JSON")


def _plain(conn: Connection, types: Sequence[Any], batch: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
    """The rows as the SQLite driver takes them: each value through its type's bind processor
    (a date or timestamp once per distinct value: a batch shares a few)."""
    procs = []
    for n, kind in enumerate(types):
        proc = kind.dialect_impl(conn.dialect).bind_processor(conn.dialect)
        if proc is not None:
            dated = isinstance(getattr(kind, "impl", kind), Date | DateTime)  # UTCDateTime decorates one
            procs.append((n, proc, {} if dated else None))
    if not procs:
        return [tuple(row) for row in batch]
    out = []
    for row in batch:
        values = list(row)
        for n, proc, seen in procs:
            value = values[n]
            if value is None:
                continue
            if seen is None:
                values[n] = proc(value)
            elif (done := seen.get(value)) is not None:
                values[n] = done
            else:
                values[n] = seen[value] = proc(value)
        out.append(tuple(values))
    return out


def insert_many(
    conn: Connection,
    table: Table,
    names: Sequence[str],
    values: Sequence[Sequence[Any]],
    *,
    ids: Mapping[str, tuple[Any, Any]] | None = None,
) -> None:
    """``INSERT INTO table (names)`` of many rows (tuples in the order of ``names``).

    ``ids``: columns given by another table's natural key and stored as the id it names,
    ``{column: (id column, key column)}``, looked up in SQL through the key's index (a missing
    key stores null). PostgreSQL: one ``INSERT ... SELECT`` per 10,000 rows, read from one JSON
    text (``_records``); SQLite: the driver's ``executemany`` of plain tuples (SQLAlchemy's per-row
    parameter handling cost more than the inserts themselves). Columns left out take their server
    defaults.
    """
    if not values:
        return
    ids = ids or {}
    types = [ids[name][1].type if name in ids else table.c[name].type for name in names]
    if conn.dialect.name == "postgresql":
        for batch in chunks(values, 10_000):
            new = _records(conn, types, names, batch)
            picked = [
                select(ids[name][0]).where(ids[name][1] == column).scalar_subquery()
                if name in ids
                else column
                for name, column in zip(names, new, strict=True)
            ]
            conn.execute(insert(table).from_select(list(names), select(*picked)))
        return
    quoted = ", ".join(f'"{name}"' for name in names)
    marks = ", ".join(
        f'(SELECT "{ids[name][0].name}" FROM "{ids[name][0].table.name}" WHERE "{ids[name][1].name}" = ?)'
        if name in ids
        else "?"
        for name in names
    )
    conn.exec_driver_sql(
        f'INSERT INTO "{table.name}" ({quoted}) VALUES ({marks})', _plain(conn, types, values)
    )


def update_many(
    conn: Connection, table: Table, key: str, columns: Sequence[str], values: Sequence[Sequence[Any]]
) -> None:
    """``UPDATE table SET columns WHERE key = ...`` for many rows, each ``(key, *columns)``.

    PostgreSQL: one statement per 1,000 rows, the new values read from one JSON text
    (``_records``; one round trip instead of one per row). SQLite: the driver's ``executemany`` of
    plain tuples. Either way in key order.
    """
    if not values:
        return
    values = sorted(values, key=lambda row: row[0])  # in key order: the pages are visited once, in order
    names = (key, *columns)
    if conn.dialect.name == "postgresql":
        # 1,000 rows a statement: with many more the planner hashes the whole table to join them
        for batch in chunks(values, 1_000):
            new = _records(conn, [table.c[name].type for name in names], names, batch)
            stmt = (
                update(table).where(table.c[key] == new[0]).values(dict(zip(columns, new[1:], strict=True)))
            )
            conn.execute(stmt)
        return
    sets = ", ".join(f'"{c}" = ?' for c in columns)
    sql = f'UPDATE "{table.name}" SET {sets} WHERE "{key}" = ?'
    plain = _plain(conn, [table.c[name].type for name in names], values)
    conn.exec_driver_sql(sql, [(*row[1:], row[0]) for row in plain])


def chunks(items: Sequence[T] | Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def customer_keys(customer_id: str, name: str) -> tuple[str, str]:
    """The ``name_key`` and ``id_key`` stored with a customer: ``matching.name_key`` of the name
    and the compacted id (what its RF reference is made of), for cash application's lookups."""
    return name_key(name), compact(customer_id)


def customer_row(c: Customer) -> dict[str, Any]:
    by_name, by_id = customer_keys(c.id, c.name)
    return {
        "id": c.id,
        "name": c.name,
        "name_key": by_name,
        "id_key": by_id,
        "kind": c.kind.value,
        "country": c.country,
        "language": c.language,
        "time_zone": c.time_zone,
        "currency": c.currency,
        "segment": c.segment,
        "sales_owner": c.sales_owner,
        "payment_terms_days": c.payment_terms_days,
        "credit_limit_minor": c.credit_limit.minor if c.credit_limit is not None else None,
        "tax_id": c.tax_id,
        "contract_terms": c.contract_terms,
        "late_fee_clause": c.late_fee_clause,
        "jurisdiction": c.jurisdiction,
    }


def to_customer(r: Mapping[str, Any]) -> Customer:
    limit = r["credit_limit_minor"]
    return Customer(
        id=r["id"],
        name=r["name"],
        kind=CustomerKind(r["kind"]),
        country=r["country"],
        language=r["language"],
        time_zone=r["time_zone"],
        currency=r["currency"],
        segment=r["segment"],
        sales_owner=r["sales_owner"],
        payment_terms_days=r["payment_terms_days"],
        credit_limit=Money.from_minor(limit, r["currency"]) if limit is not None else None,
        tax_id=r["tax_id"],
        contract_terms=r["contract_terms"],
        late_fee_clause=r["late_fee_clause"],
        jurisdiction=r["jurisdiction"],
    )


def contact_row(c: Contact) -> dict[str, Any]:
    return {
        "customer_id": c.customer_id,
        "name": c.name,
        "role": c.role.value,
        "email": c.email,
        "phone": c.phone,
        "valid": c.valid,
    }


def to_contact(r: Mapping[str, Any]) -> Contact:
    return Contact(
        customer_id=r["customer_id"],
        name=r["name"],
        role=ContactRole(r["role"]),
        email=r["email"],
        phone=r["phone"],
        valid=bool(r["valid"]),
        id=r["id"],
    )


def invoice_keys(number: str) -> tuple[str, str | None]:
    """The ``number_key`` and ``digits_key`` stored with an invoice (``matching.number_keys``):
    the number compacted, and its digits without the letters in front (None when the same)."""
    keys = number_keys(number)
    return keys[0], keys[1] if len(keys) > 1 else None


def invoice_row(i: Invoice) -> dict[str, Any]:
    number_key, digits_key = invoice_keys(i.number)
    return {
        "number": i.number,
        "number_key": number_key,
        "digits_key": digits_key,
        "customer_id": i.customer_id,
        "issue_date": i.issue_date,
        "due_date": i.due_date,
        "currency": i.currency,
        "amount_minor": i.amount.minor,
        "balance_minor": i.open_balance.minor,
        "sent_to": i.sent_to,
        "status": i.status.value,
        "closed_on": i.closed_on,
        "first_applied_on": i.first_applied_on,
    }


_INVOICE_STATUS = {s.value: s for s in InvoiceStatus}


def to_invoice(r: Mapping[str, Any]) -> Invoice:
    # Runs for every invoice a run or a page reads (58,000 for a 1M ledger's run): an unpaid
    # invoice's balance is its amount (one Money for both), the status a dict lookup.
    cur = r["currency"]
    amount_minor, balance_minor = r["amount_minor"], r["balance_minor"]
    amount = Money.from_minor(amount_minor, cur)
    return Invoice(
        number=r["number"],
        customer_id=r["customer_id"],
        issue_date=r["issue_date"],
        due_date=r["due_date"],
        amount=amount,
        balance=amount if balance_minor == amount_minor else Money.from_minor(balance_minor, cur),
        sent_to=r["sent_to"],
        status=_INVOICE_STATUS[r["status"]],
        closed_on=r["closed_on"],
        id=r["id"],
        first_applied_on=r["first_applied_on"],
    )


def to_payment(r: Mapping[str, Any]) -> Payment:
    cur = r["currency"]
    return Payment(
        reference=r["reference"],
        customer_id=r["customer_id"],
        date=r["date"],
        amount=Money.from_minor(r["amount_minor"], cur),
        unapplied=Money.from_minor(r["unapplied_minor"], cur),
        invoices=tuple(n for n in r["invoices"].split(";") if n),
        id=r["id"],
    )


def to_credit_note(r: Mapping[str, Any]) -> CreditNote:
    cur = r["currency"]
    return CreditNote(
        number=r["number"],
        customer_id=r["customer_id"],
        date=r["date"],
        amount=Money.from_minor(r["amount_minor"], cur),
        invoice_number=r["invoice_number"],
        unapplied=Money.from_minor(r["unapplied_minor"], cur),
        id=r["id"],
    )


def to_allocation(r: Mapping[str, Any]) -> Allocation:
    return Allocation(
        invoice_number=r["number"],
        amount=Money.from_minor(r["amount_minor"], r["currency"]),
        kind=AllocationKind(r["kind"]),
        source=r["source"],
        applied_on=r["applied_on"],
    )


def to_activity(r: Mapping[str, Any]) -> Activity:
    return Activity(
        kind=r["kind"],
        at=r["at"],
        actor=r["actor"],
        customer_id=r["customer_id"],
        text=r["text"],
        invoices=tuple(r["invoices"]),
        document=r["document"],
        data=dict(r["data"]),
        id=r["id"],
    )
