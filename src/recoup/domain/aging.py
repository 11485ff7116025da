"""Aging: open balances sorted by how long they are past due.

Buckets are given by their upper edges in days past due. The default edges
(0, 30, 60, 90) give: not yet due, 1-30, 31-60, 61-90 and 91+ days. The
same definition drives the SQL of the database adapter and the in-memory
version used by the fakes, so both give the same report.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from recoup.domain.errors import InvalidValueError
from recoup.domain.money import Money, total

DEFAULT_EDGES: tuple[int, ...] = (0, 30, 60, 90)


def check_edges(edges: Sequence[int]) -> tuple[int, ...]:
    """Edges must start at 0 and increase strictly."""
    result = tuple(int(e) for e in edges)
    if not result or result[0] != 0 or any(b <= a for a, b in itertools.pairwise(result)):
        raise InvalidValueError(f"aging edges must start at 0 and increase strictly, got {list(edges)}")
    return result


def bucket_labels(edges: Sequence[int] = DEFAULT_EDGES) -> tuple[str, ...]:
    """'not_due', '1-30', ..., '91+' for the default edges."""
    labels = ["not_due"]
    labels += [f"{lo + 1}-{hi}" for lo, hi in itertools.pairwise(edges)]
    labels.append(f"{edges[-1] + 1}+")
    return tuple(labels)


def bucket_index(days_past_due: int, edges: Sequence[int] = DEFAULT_EDGES) -> int:
    """Index of the bucket for an item ``days_past_due`` days late (<= 0 is not yet due)."""
    for i, edge in enumerate(edges):
        if days_past_due <= edge:
            return i
    return len(edges)


def due_date_thresholds(as_of: dt.date, edges: Sequence[int]) -> list[dt.date]:
    """For SQL: an item is in bucket i when its due date is >= thresholds[i] (and < thresholds[i-1])."""
    return [as_of - dt.timedelta(days=e) for e in edges]


@dataclass(frozen=True, slots=True)
class AgingRow:
    """Open balance of one customer in one currency, by bucket."""

    customer_id: str
    customer_name: str
    currency: str
    buckets: tuple[Money, ...]

    @property
    def total(self) -> Money:
        return total(self.buckets, self.currency)


@dataclass(frozen=True, slots=True)
class AgingReport:
    """Rows per customer and currency, and the totals per currency (never across currencies)."""

    as_of: dt.date
    labels: tuple[str, ...]
    rows: tuple[AgingRow, ...]

    def totals(self) -> dict[str, tuple[Money, ...]]:
        # Sums of the amounts (exact Decimals of one currency), made Money once per bucket.
        result: dict[str, list[Decimal]] = {}
        for row in self.rows:
            acc = result.setdefault(row.currency, [Decimal(0)] * len(self.labels))
            for i, amount in enumerate(row.buckets):
                acc[i] += amount.amount
        return {cur: tuple(Money(v, cur) for v in sums) for cur, sums in sorted(result.items())}


def build_report(
    as_of: dt.date,
    items: Iterable[tuple[str, str, str, dt.date, Money]],
    edges: Sequence[int] = DEFAULT_EDGES,
) -> AgingReport:
    """Aging from open items ``(customer_id, customer_name, currency, due_date, open_balance)``."""
    edges = check_edges(edges)
    labels = bucket_labels(edges)
    acc: dict[tuple[str, str], list[Money]] = {}
    names: dict[str, str] = {}
    for customer_id, name, currency, due, balance in items:
        if balance.is_zero():
            continue
        names[customer_id] = name
        row = acc.setdefault((customer_id, currency), [Money.zero(currency)] * len(labels))
        i = bucket_index((as_of - due).days, edges)
        row[i] = row[i] + balance
    rows = tuple(
        AgingRow(cid, names[cid], cur, tuple(buckets)) for (cid, cur), buckets in sorted(acc.items())
    )
    return AgingReport(as_of, labels, rows)
