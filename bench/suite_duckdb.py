"""The aging and the run selection in DuckDB: the same CSV files loaded in memory, the same SQL.

Amounts are read as DECIMAL(18,2) and turned into BIGINT minor units (times 1 for KRW and
JPY, else 100), so sums are exact. The definitions are those of ``suite_pandas``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

ZERO_DIGIT = ("KRW", "JPY")
SCALE = f"CASE WHEN currency IN {ZERO_DIGIT!r} THEN 1 ELSE 100 END"


def _csv(path: Path, columns: dict[str, str]) -> str:
    cols = ", ".join(f"'{k}': '{v}'" for k, v in columns.items())
    return f"read_csv('{path}', header = true, columns = {{{cols}}})"


def load(folder: Path) -> duckdb.DuckDBPyConnection:
    """A new in-memory database with the invoices, payments and customers tables."""
    con = duckdb.connect(":memory:")
    invoices = _csv(
        folder / "invoices.csv",
        {
            "number": "VARCHAR",
            "customer_id": "VARCHAR",
            "issue_date": "DATE",
            "due_date": "DATE",
            "currency": "VARCHAR",
            "amount": "DECIMAL(18,2)",
            "sent_to": "VARCHAR",
        },
    )
    con.execute(
        "CREATE TABLE invoices AS SELECT number, customer_id, issue_date, due_date, currency, "
        f"CAST(amount * {SCALE} AS BIGINT) AS minor FROM {invoices}"
    )
    payments = _csv(
        folder / "payments.csv",
        {
            "reference": "VARCHAR",
            "customer_id": "VARCHAR",
            "date": "DATE",
            "amount": "DECIMAL(18,2)",
            "currency": "VARCHAR",
            "invoices": "VARCHAR",
        },
    )
    con.execute(
        'CREATE TABLE payments AS SELECT invoices AS invoice, "date", '
        f"CAST(amount * {SCALE} AS BIGINT) AS minor FROM {payments}"
    )
    # Every generated payment names one invoice (see suite_pandas.load).
    several = con.execute("SELECT COUNT(*) FROM payments WHERE invoice LIKE '%;%'").fetchone()
    if several and several[0]:
        raise ValueError("payments.csv: a payment names several invoices; this script cannot split it")
    customers = folder / "customers.csv"
    con.execute(f"CREATE TABLE customers AS SELECT id, name FROM read_csv('{customers}', header = true)")
    return con


OPEN_ON = """
WITH paid AS (
    SELECT invoice, SUM(minor) AS minor FROM payments WHERE "date" <= $day GROUP BY invoice
), items AS (
    SELECT i.number, i.customer_id, i.currency, i.due_date,
           i.minor - COALESCE(p.minor, 0) AS open_minor,
           date_diff('day', i.due_date, $day) AS days_late
    FROM invoices i LEFT JOIN paid p ON p.invoice = i.number
    WHERE i.issue_date <= $day AND i.minor - COALESCE(p.minor, 0) <> 0
)
"""


def aging(con: duckdb.DuckDBPyConnection, as_of: dt.date, edges: Sequence[int]) -> list[tuple[Any, ...]]:
    """Rows (customer_id, name, currency, minor per bucket...) ordered by customer and currency."""
    bucket = "CASE " + " ".join(f"WHEN days_late <= {e} THEN {i}" for i, e in enumerate(edges))
    bucket += f" ELSE {len(edges)} END"
    sums = ", ".join(
        f"SUM(CASE WHEN bucket = {i} THEN open_minor ELSE 0 END)::BIGINT" for i in range(len(edges) + 1)
    )
    query = (
        OPEN_ON
        + f""", bucketed AS (SELECT customer_id, currency, open_minor, {bucket} AS bucket FROM items)
        SELECT b.customer_id, c.name, b.currency, {sums}
        FROM bucketed b LEFT JOIN customers c ON c.id = b.customer_id
        GROUP BY b.customer_id, c.name, b.currency
        HAVING SUM(open_minor) <> 0
        ORDER BY b.customer_id, b.currency"""
    )
    return con.execute(query, {"day": as_of}).fetchall()


def totals(rows: list[tuple[Any, ...]]) -> dict[str, tuple[int, ...]]:
    acc: dict[str, list[int]] = defaultdict(list)
    for _cid, _name, currency, *buckets in rows:
        sums = acc[currency] or [0] * len(buckets)
        acc[currency] = [a + int(b) for a, b in zip(sums, buckets, strict=True)]
    return {c: tuple(v) for c, v in sorted(acc.items())}


def selection(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, offsets: Sequence[int]
) -> list[tuple[Any, ...]]:
    """Rows (customer_id, currency, invoices behind, highest step reached, open minor): see suite_pandas."""
    reached = "CASE " + " ".join(
        f"WHEN days_late >= {o} THEN {r}" for r, o in reversed(list(enumerate(offsets)))
    )
    reached += " ELSE -1 END"
    query = (
        OPEN_ON
        + f""", ranked AS (SELECT customer_id, currency, open_minor, {reached} AS reached FROM items)
        SELECT customer_id, currency, COUNT(*) AS invoices, MAX(reached) AS reached, SUM(open_minor)
        FROM ranked WHERE reached >= 0
        GROUP BY customer_id, currency ORDER BY customer_id, currency"""
    )
    return con.execute(query, {"day": as_of}).fetchall()
