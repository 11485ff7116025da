"""The aging and the run selection as a straightforward pandas script would do them.

What a user without recoup would write over the same four CSV files: read them with
``pandas.read_csv``, work out each invoice's open balance on the day (its amount less
the payments dated on or before it), bucket it by days past due, and group by customer
and currency. Amounts are turned into integer minor units once (an amount of at most two
decimals times 100, rounded: exact for any amount below 2**53 / 100), so totals are exact.

The run selection is simplified (see ``selection``): it is the part of the daily run that
picks the cases, not the decisions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

# Digits of the minor unit of the currencies a user of this ledger knows (KRW and JPY none).
ZERO_DIGIT = ("KRW", "JPY")


@dataclass
class Frames:
    invoices: pd.DataFrame  # number, customer_id, issue_date, due_date, currency, minor
    payments: pd.DataFrame  # invoice, date, minor
    customers: pd.DataFrame  # id, name


def _minor(amount: pd.Series, currency: pd.Series) -> pd.Series:
    scale = np.where(currency.isin(ZERO_DIGIT), 1, 100)
    return pd.Series(np.rint(amount.to_numpy() * scale).astype("int64"), index=amount.index)


def load(folder: Path) -> Frames:
    """Read the CSV files the way a user would (dates parsed, amounts as numbers)."""
    invoices = pd.read_csv(
        folder / "invoices.csv",
        usecols=["number", "customer_id", "issue_date", "due_date", "currency", "amount"],
        parse_dates=["issue_date", "due_date"],
    )
    invoices["minor"] = _minor(invoices.pop("amount"), invoices["currency"])
    payments = pd.read_csv(
        folder / "payments.csv", usecols=["date", "amount", "currency", "invoices"], parse_dates=["date"]
    )
    # Every generated payment names exactly one invoice (the demo generator); a payment naming
    # several would need an allocation rule, which this script does not have.
    if payments["invoices"].str.contains(";", regex=False).any():
        raise ValueError("payments.csv: a payment names several invoices; this script cannot split it")
    payments["minor"] = _minor(payments.pop("amount"), payments.pop("currency"))
    payments = payments.rename(columns={"invoices": "invoice"})
    customers = pd.read_csv(folder / "customers.csv", usecols=["id", "name"])
    return Frames(invoices, payments, customers)


def _open_on(f: Frames, day: pd.Timestamp) -> pd.DataFrame:
    """Invoices issued by ``day`` with their balance on ``day`` (amount less payments by then)."""
    inv = f.invoices[f.invoices["issue_date"] <= day]
    paid = f.payments[f.payments["date"] <= day].groupby("invoice")["minor"].sum()
    balance = inv["minor"] - inv["number"].map(paid).fillna(0).astype("int64")
    return inv.assign(open_minor=balance)[balance != 0]


def aging(f: Frames, as_of: dt.date, edges: Sequence[int]) -> pd.DataFrame:
    """One row per customer and currency: name, then the open minor units per bucket.

    Bucket 0 is not yet due (due on or after the day), bucket i holds the items
    edges[i-1]+1 .. edges[i] days past due, the last one everything older."""
    day = pd.Timestamp(as_of)
    items = _open_on(f, day)
    days_late = (day - items["due_date"]).dt.days.to_numpy()
    bucket = np.searchsorted(np.asarray(edges), days_late, side="left")
    table = (
        items.assign(bucket=bucket)
        .groupby(["customer_id", "currency", "bucket"])["open_minor"]
        .sum()
        .unstack("bucket", fill_value=0)
        .reindex(columns=range(len(edges) + 1), fill_value=0)
    )
    table = table[table.sum(axis=1) != 0].reset_index()
    names = f.customers.rename(columns={"id": "customer_id"})
    return table.merge(names, on="customer_id", how="left").sort_values(["customer_id", "currency"])


def totals(table: pd.DataFrame, buckets: int) -> dict[str, tuple[int, ...]]:
    """Open minor units per currency and bucket."""
    sums = table.groupby("currency")[list(range(buckets))].sum()
    return {str(c): tuple(int(v) for v in row) for c, row in sums.iterrows()}


def selection(f: Frames, as_of: dt.date, offsets: Sequence[int]) -> pd.DataFrame:
    """The cases (customer, currency) the day's run must look at, on a ledger nobody chased yet.

    ``offsets``: the ladder's steps, days from the due date, in ladder order. An open
    invoice has reached step r when it is at least offsets[r] days past due; it is behind
    when it has reached a step and no step was recorded for it (none is, in these files).
    One row per case: the invoices behind and the highest step reached."""
    day = pd.Timestamp(as_of)
    items = _open_on(f, day)
    days_late = (day - items["due_date"]).dt.days.to_numpy()
    reached = np.searchsorted(np.asarray(offsets), days_late, side="right") - 1
    behind = items.assign(reached=reached)[reached >= 0]
    return (
        behind.groupby(["customer_id", "currency"])
        .agg(invoices=("number", "size"), reached=("reached", "max"), open_minor=("open_minor", "sum"))
        .reset_index()
    )
