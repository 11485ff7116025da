"""AR metrics as of any day: the store sums per currency (uow.metrics), domain.metrics works out the ratios.

``compute`` gives everything ``recoup metrics`` shows; ``history`` the aging, DSO and ADD at the end
of each of the last months (the report's trends); ``metrics_json`` the JSON of ``--json``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from recoup.domain.aging import DEFAULT_EDGES, bucket_labels, check_edges
from recoup.domain.errors import InvalidValueError
from recoup.domain.metrics import (
    Collected,
    CurrencyMetrics,
    DisputeStats,
    ForecastWeek,
    Metrics,
    MonthPoint,
    OpenAr,
    PaymentPattern,
    PromiseStats,
    best_dso,
    countback_months,
    currency_metrics,
    days_delinquent,
    dso,
    kept_percent,
    mean_days,
    median_days,
    month_ends,
    one_place,
)
from recoup.domain.money import Money
from recoup.domain.payments import AllocationKind
from recoup.services.ports import UnitOfWork
from recoup.services.reports import money_json

MAX_PERIOD_DAYS = 3660


def check_period(period_days: int) -> int:
    whole = isinstance(period_days, int) and not isinstance(period_days, bool)
    if not whole or not 1 <= period_days <= MAX_PERIOD_DAYS:
        raise InvalidValueError(f"the period must be 1 to {MAX_PERIOD_DAYS} days, got {period_days!r}")
    return period_days


def period_first(as_of: dt.date, period_days: int) -> dt.date:
    """First day of the period (as_of - period_days, as_of]."""
    return as_of - dt.timedelta(days=period_days - 1)


def compute(
    uow: UnitOfWork, as_of: dt.date, *, edges: Sequence[int] = DEFAULT_EDGES, period_days: int = 90
) -> Metrics:
    """Every metric as of ``as_of`` over the ``period_days`` before it, per currency."""
    edges = check_edges(edges)
    check_period(period_days)
    labels = bucket_labels(edges)
    first = period_first(as_of, period_days)
    q = uow.metrics
    closing = q.open_ar(as_of, edges)
    opening = q.open_ar(first - dt.timedelta(days=1), edges)
    months = countback_months(as_of)
    sold = q.sales([(first, as_of), *months])
    applied = q.applied(first, as_of)
    currencies = sorted(set(closing) | set(opening) | set(sold) | {c for c, _k in applied})
    rows = []
    for cur in currencies:
        zero = Money.zero(cur)
        ar = closing.get(cur) or OpenAr(cur, (zero,) * len(labels), zero)
        sales = sold.get(cur) or [zero] * (1 + len(months))
        rows.append(
            currency_metrics(
                currency=cur,
                labels=labels,
                buckets=ar.buckets,
                past_90=ar.past_90,
                opening=opening[cur].total if cur in opening else zero,
                sales=sales[0],
                monthly_sales=[((b - a).days + 1, s) for (a, b), s in zip(months, sales[1:], strict=True)],
                collected=applied.get((cur, AllocationKind.PAYMENT.value), zero),
                written_off=applied.get((cur, AllocationKind.WRITE_OFF.value), zero),
                period_days=period_days,
            )
        )
    made = q.promises(first, as_of)
    kept, broken = made.get("kept", 0), made.get("broken", 0)
    opened, resolved, still_open, cycle = q.disputes(first, as_of)
    return Metrics(
        as_of=as_of,
        period_start=first - dt.timedelta(days=1),  # the period is (period_start, as_of]
        period_days=period_days,
        currencies=tuple(rows),
        promises=PromiseStats(kept, broken, made.get("open", 0), one_place(kept_percent(kept, broken))),
        disputes=DisputeStats(
            opened, resolved, still_open, one_place(median_days(cycle)), one_place(mean_days(cycle))
        ),
        by_collector=tuple(q.collected_by_collector(first, as_of)),
        by_step=tuple(q.collected_by_step(first, as_of)),
        patterns=tuple(q.patterns(as_of)),
        forecast=tuple(q.forecast(as_of)),
    )


def history(
    uow: UnitOfWork,
    as_of: dt.date,
    *,
    months: int = 12,
    edges: Sequence[int] = DEFAULT_EDGES,
    period_days: int = 90,
) -> list[MonthPoint]:
    """Aging, DSO and ADD per currency at the end of each of the last ``months`` months (the last
    point is ``as_of``), oldest first; a currency with nothing open and no sales at a point is left out."""
    edges = check_edges(edges)
    check_period(period_days)
    labels = bucket_labels(edges)
    points = month_ends(as_of, months)
    q = uow.metrics
    sold = q.sales([(period_first(day, period_days), day) for day in points])
    result = []
    for i, day in enumerate(points):
        open_ar = q.open_ar(day, edges)
        for cur in sorted(set(open_ar) | {c for c, s in sold.items() if not s[i].is_zero()}):
            zero = Money.zero(cur)
            ar = open_ar.get(cur) or OpenAr(cur, (zero,) * len(labels), zero)
            sales = sold[cur][i].amount if cur in sold else Decimal(0)
            standard = one_place(dso(ar.total.amount, sales, period_days))
            best = one_place(best_dso(ar.buckets[0].amount, sales, period_days))
            result.append(MonthPoint(day, cur, labels, ar.buckets, standard, days_delinquent(standard, best)))
    return result


# --- JSON -----------------------------------------------------------------------------------------


def _number(value: Decimal | None) -> str | None:
    """Days and percents in JSON: an exact decimal string, null when there is none."""
    return None if value is None else str(value)


def _currency_json(c: CurrencyMetrics) -> dict[str, Any]:
    return {
        "currency": c.currency,
        "aging": dict(zip(c.labels, map(money_json, c.buckets), strict=True)),
        "total": money_json(c.total),
        "current": money_json(c.current),
        "past_90": money_json(c.past_90) if c.past_90 is not None else None,
        "opening": money_json(c.opening) if c.opening is not None else None,
        "sales": money_json(c.sales),
        "collected": money_json(c.collected),
        "written_off": money_json(c.written_off),
        "dso": _number(c.dso),
        "dso_countback": _number(c.dso_countback),
        "best_dso": _number(c.best_dso),
        "add": _number(c.add),
        "cei": _number(c.cei),
        "percent_current": _number(c.percent_current),
        "share_90_plus": _number(c.share_90_plus),
        "write_off_ratio": _number(c.write_off_ratio),
    }


def _collected_json(rows: Sequence[Collected]) -> list[dict[str, Any]]:
    return [{"currency": r.currency, "by": r.by, "amount": money_json(r.amount)} for r in rows]


def _pattern_json(p: PaymentPattern) -> dict[str, Any]:
    return {
        "customer": p.customer_id,
        "name": p.name,
        "currency": p.currency,
        "paid": p.paid,
        "average_days_late": _number(p.average_days_late),
        "trend_days": _number(p.trend_days),
        "on_time_percent": _number(p.on_time_percent),
    }


def _forecast_json(w: ForecastWeek) -> dict[str, Any]:
    return {
        "currency": w.currency,
        "week_start": w.week_start.isoformat(),
        "expected": money_json(w.expected),
    }


def metrics_json(m: Metrics) -> dict[str, Any]:
    """The metrics for scripts: money and ratios as exact decimal strings (never floats), null for none."""
    return {
        "as_of": m.as_of.isoformat(),
        "period_start": m.period_start.isoformat(),
        "period_days": m.period_days,
        "currencies": [_currency_json(c) for c in m.currencies],
        "promises": {
            "kept": m.promises.kept,
            "broken": m.promises.broken,
            "open": m.promises.open,
            "kept_percent": _number(m.promises.kept_percent),
        },
        "disputes": {
            "opened": m.disputes.opened,
            "resolved": m.disputes.resolved,
            "open": m.disputes.open,
            "median_days": _number(m.disputes.median_days),
            "mean_days": _number(m.disputes.mean_days),
        },
        "collected_by_collector": _collected_json(m.by_collector),
        "collected_by_step": _collected_json(m.by_step),
        "patterns": [_pattern_json(p) for p in m.patterns],
        "forecast": [_forecast_json(w) for w in m.forecast],
    }
