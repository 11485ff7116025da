"""``recoup metrics``: DSO, CEI, aging and the rest per currency as of a day (formulas in the README)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

import typer
from rich.table import Table

from recoup import bootstrap
from recoup.domain.aging import DEFAULT_EDGES
from recoup.domain.metrics import (
    FORECAST_WEEKS,
    Collected,
    CurrencyMetrics,
    Metrics,
    PaymentPattern,
    week_start,
)
from recoup.domain.money import Money
from recoup.entrypoints import render
from recoup.entrypoints.options import (
    AsOfOption,
    DbOption,
    JsonOption,
    emit_json,
    out,
    parse_day,
    parse_edges,
)
from recoup.services.metrics import MAX_PERIOD_DAYS, compute, metrics_json

NONE = "—"
LATEST = 10

BucketsOption = Annotated[
    str,
    typer.Option(
        "--buckets",
        help="Aging bucket edges in days past due, comma separated, starting at 0 (e.g. 0,30,60,90).",
    ),
]
PeriodOption = Annotated[
    str,
    typer.Option(
        "--period-days",
        help="Days of the period the sales, cash, promises and disputes are counted over, ending on --as-of.",
    ),
]


def parse_period(value: str) -> int:
    try:
        days = int(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a whole number of days", param_hint="--period-days"
        ) from None
    if not 1 <= days <= MAX_PERIOD_DAYS:
        raise typer.BadParameter(
            f"{value!r} is not between 1 and {MAX_PERIOD_DAYS} days", param_hint="--period-days"
        )
    return days


def metrics(
    db: DbOption = None,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
    buckets: BucketsOption = ",".join(map(str, DEFAULT_EDGES)),
    period_days: PeriodOption = "90",
) -> None:
    """AR metrics per currency: aging, DSO (standard, countback, best), ADD, CEI, promises, disputes,
    cash per collector and per step, how customers pay, and a 13-week cash forecast."""
    edges = parse_edges(buckets)
    period = parse_period(period_days)
    day = parse_day(as_of, "--as-of", dt.date.min)  # checked before the database is opened
    built = bootstrap.build(db)
    if not as_of:
        day = built.today()
    with built.uow() as uow:
        found = compute(uow, day, edges=edges, period_days=period)
    if as_json:
        emit_json(metrics_json(found))
    else:
        show(found)


# --- text ---------------------------------------------------------------------------------------


def _days(value: Decimal | None) -> str:
    return NONE if value is None else f"{value} days"


def _percent(value: Decimal | None) -> str:
    return NONE if value is None else f"{value} %"


def _money(value: Money | None) -> str:
    return NONE if value is None else render.amount(value)


def show(m: Metrics) -> None:
    first = m.period_start + dt.timedelta(days=1)
    out.print(
        f"[bold]AR metrics as of {m.as_of}[/] — period {first} to {m.as_of} ({m.period_days} days); "
        "every figure per currency, never summed across currencies."
    )
    if not m.currencies:
        out.print("Nothing open and no sales in the period.")
    else:
        _receivables(m.currencies, m.period_days)
    p = m.promises
    out.print(
        f"\n[bold]Promises[/] made in the period: {p.kept} kept, {p.broken} broken, {p.open} open; "
        f"kept of those due: {_percent(p.kept_percent)}."
    )
    d = m.disputes
    out.print(
        f"[bold]Disputes[/]: {d.opened} opened and {d.resolved} resolved in the period, {d.open} open on "
        f"{m.as_of}; days to resolve: median {_days(d.median_days)}, mean {_days(d.mean_days)}."
    )
    _collected("Collected per collector", "Collector", m.by_collector)
    _collected("Collected per step of the ladder", "Step", m.by_step)
    _latest(m.patterns)
    _forecast(m)


def _receivables(currencies: tuple[CurrencyMetrics, ...], period_days: int) -> None:
    """One column per currency, side by side and never added up."""
    table = Table(title="Receivables", title_justify="left")
    table.add_column("Metric")
    for c in currencies:
        table.add_column(c.currency, justify="right", no_wrap=True)

    def row(name: str, values: list[str]) -> None:
        table.add_row(name, *values)

    for i, label in enumerate(currencies[0].labels):
        row(f"Aging {label.replace('_', ' ')}", [render.amount(c.buckets[i]) for c in currencies])
    row("[bold]Open receivables[/]", [f"[bold]{render.amount(c.total)}[/]" for c in currencies])
    table.add_section()
    row(f"Sales (invoiced in {period_days} days)", [render.amount(c.sales) for c in currencies])
    row("Collected (payments)", [render.amount(c.collected) for c in currencies])
    row("Written off", [render.amount(c.written_off) for c in currencies])
    table.add_section()
    row("DSO", [_days(c.dso) for c in currencies])
    row("Countback DSO", [_days(c.dso_countback) for c in currencies])
    row("Best possible DSO", [_days(c.best_dso) for c in currencies])
    row("Average days delinquent (ADD)", [_days(c.add) for c in currencies])
    row("Collection effectiveness (CEI)", [_percent(c.cei) for c in currencies])
    row("Current (not yet due)", [_percent(c.percent_current) for c in currencies])
    row("More than 90 days past due", [_percent(c.share_90_plus) for c in currencies])
    row("Write-off ratio", [_percent(c.write_off_ratio) for c in currencies])
    out.print()
    out.print(table)


def _collected(title: str, by: str, rows: tuple[Collected, ...]) -> None:
    table = Table(title=title, title_justify="left")
    table.add_column("Cur")
    table.add_column(by)
    table.add_column("Amount", justify="right", no_wrap=True)
    for r in rows:
        table.add_row(r.currency, render.escape(r.by), render.amount(r.amount))
    if not rows:
        table.add_row(NONE, "nothing collected in the period", "")
    out.print()
    out.print(table)


def _latest(patterns: tuple[PaymentPattern, ...]) -> None:
    late = sorted(
        (p for p in patterns if p.average_days_late is not None),
        key=lambda p: (-(p.average_days_late or 0), p.customer_id, p.currency),
    )[:LATEST]
    table = Table(
        title=f"The {LATEST} customers paying latest (invoices paid in the last 12 months)",
        title_justify="left",
    )
    for column in ("Customer", "Cur", "Paid", "Days late (avg)", "Trend", "On time"):
        table.add_column(column, justify="left" if column in ("Customer", "Cur") else "right")
    for p in late:
        trend = NONE if p.trend_days is None else f"{p.trend_days:+}"
        table.add_row(
            render.escape(f"{p.customer_id} {p.name}"),
            p.currency,
            str(p.paid),
            str(p.average_days_late),
            trend,
            _percent(p.on_time_percent),
        )
    if not late:
        table.add_row(NONE, "", "", "", "", "")
    out.print()
    out.print(table)


def _forecast(m: Metrics) -> None:
    currencies = sorted({w.currency for w in m.forecast})
    expected = {(w.currency, w.week_start): w.expected for w in m.forecast}
    table = Table(
        title="Cash forecast by week",
        title_justify="left",
        caption="Overdue now: in the first week. Expected after 13 weeks: in the last.",
        caption_justify="left",
    )
    table.add_column("Week of")
    for cur in currencies:
        table.add_column(cur, justify="right", no_wrap=True)
    first = week_start(m.as_of)
    weeks = [first + dt.timedelta(weeks=i) for i in range(FORECAST_WEEKS)] if m.forecast else []
    for week in weeks:
        table.add_row(str(week), *[_money(expected.get((cur, week))) for cur in currencies])
    if not weeks:
        table.add_row("nothing open to expect")
    out.print()
    out.print(table)
