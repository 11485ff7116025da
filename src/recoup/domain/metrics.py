"""AR metrics: what the numbers are and how each is worked out, as pure functions on plain values.

The store sums (per currency, in SQL); these functions turn the sums into the ratios, so every
formula can be read and tested here. The README's "Metrics" section writes them out. Amounts
are exact ``Decimal`` of one currency (never floats, never two currencies in one sum); days and
percents are ``Decimal`` rounded to one decimal place (``ROUNDING``). A ratio whose denominator
is zero (no sales, no receivables) is ``None``, shown as "—".
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from recoup.domain.errors import InvalidValueError
from recoup.domain.money import Money

ROUNDING = ROUND_HALF_UP
"""Days and percents: half a tenth rounds away from zero."""

ONE_PLACE = Decimal("0.1")
HUNDRED = Decimal(100)

AT_RISK_DAYS = 90
"""The at-risk share counts what is more than this many days past due, whatever the aging edges."""

COUNTBACK_MONTHS = 24
"""Countback DSO walks back at most this many calendar months."""

FORECAST_WEEKS = 13
"""The cash forecast: the week of ``as_of`` and twelve more; anything later goes in the last."""

COLLECTOR_WINDOW_DAYS = 30
"""A payment is credited to the person who last worked the customer within this many days before it."""

PATTERN_MONTHS = 12
"""Payment patterns read the invoices paid in the last twelve months (trend: the last six against the six
before)."""

AUTOMATIC = "automatic"
"""Collected per collector: the payments no person worked for."""

BEFORE_ANY_STEP = "before any step"
"""Collected per step: the payments made before the ladder sent anything for the invoice."""

MACHINE_ACTORS = frozenset({"system", "import", "dispatcher", "demo", "simulation", "customer", "mail"})
"""Actors of the activity log that are not a person: the daily run ('system'), the dispatcher, imports,
the demo generator and the simulation, the customer page ('customer') and the mail ingest ('mail').
Any other actor is a person: a user's email on the desk and the API, ``--actor`` or $USER on the CLI."""

BOOKKEEPING_KINDS = frozenset({"payment", "credit_note", "invoices", "import"})
"""Entries of the log that record money or documents coming in, not someone working the customer: a
collector who types in a payment is not credited with it."""


def is_person(actor: str) -> bool:
    """Whether an activity's actor is a person (a collector), not the engine, an import or the portal."""
    return actor not in MACHINE_ACTORS


# --- Results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CurrencyMetrics:
    """The receivables of one currency on ``as_of`` and the period before it."""

    currency: str
    labels: tuple[str, ...]  # aging bucket labels (domain.aging.bucket_labels)
    buckets: tuple[Money, ...]  # open AR by bucket on as_of
    total: Money  # open AR on as_of
    current: Money  # not yet due
    sales: Money  # credit sales (invoices issued) in the period
    collected: Money  # cash applied in the period (payments only)
    written_off: Money  # written off in the period
    dso: Decimal | None  # standard DSO; None when there were no sales
    dso_countback: Decimal | None
    best_dso: Decimal | None
    add: Decimal | None  # average days delinquent = dso - best_dso
    cei: Decimal | None  # collection effectiveness index, percent
    percent_current: Decimal | None  # percent
    share_90_plus: Decimal | None  # percent of AR more than 90 days past due
    write_off_ratio: Decimal | None  # percent of sales
    opening: Money | None = None  # open AR at the start of the period (CEI's AR(start))
    past_90: Money | None = None  # open AR more than 90 days past due


@dataclass(frozen=True)
class PromiseStats:
    """Promises made in the period, by what became of them (a promise dated after as_of is open)."""

    kept: int
    broken: int
    open: int
    kept_percent: Decimal | None


@dataclass(frozen=True)
class DisputeStats:
    """Disputes opened and resolved in the period, open on as_of; cycle days of those resolved."""

    opened: int
    resolved: int
    open: int
    median_days: Decimal | None
    mean_days: Decimal | None


@dataclass(frozen=True)
class Collected:
    """Cash collected in the period in one currency, credited to ``by`` (a collector or a ladder step)."""

    currency: str
    by: str
    amount: Money


@dataclass(frozen=True)
class PaymentPattern:
    """How one customer pays in one currency, over its invoices paid in the last twelve months."""

    customer_id: str
    name: str
    currency: str
    paid: int
    average_days_late: Decimal | None
    trend_days: Decimal | None  # last six months minus the six before; positive: paying later
    on_time_percent: Decimal | None


@dataclass(frozen=True)
class ForecastWeek:
    """Cash expected in the week starting ``week_start`` (a Monday)."""

    currency: str
    week_start: dt.date
    expected: Money


@dataclass(frozen=True)
class Metrics:
    """Everything ``recoup metrics`` shows. The period is (period_start, as_of]: ``period_days`` days
    ending on ``as_of``; CEI's opening AR is the balance open at the end of ``period_start``."""

    as_of: dt.date
    period_start: dt.date
    period_days: int
    currencies: tuple[CurrencyMetrics, ...]  # sorted by currency; never summed across currencies
    promises: PromiseStats
    disputes: DisputeStats
    by_collector: tuple[Collected, ...]
    by_step: tuple[Collected, ...]
    patterns: tuple[PaymentPattern, ...]  # per customer and currency with paid invoices
    forecast: tuple[ForecastWeek, ...]  # next 13 weeks (Mondays), plus overdue-now in week 0


@dataclass(frozen=True)
class MonthPoint:
    """The aging and DSO of one currency at the end of one month (the last point is as_of itself)."""

    month_end: dt.date
    currency: str
    labels: tuple[str, ...]
    buckets: tuple[Money, ...]
    dso: Decimal | None
    add: Decimal | None


@dataclass(frozen=True)
class OpenAr:
    """What the store sums for the receivables of one currency open on a day (MetricsQueries.open_ar)."""

    currency: str
    buckets: tuple[Money, ...]  # by aging bucket; buckets[0] is current (not yet due)
    past_90: Money  # more than AT_RISK_DAYS past due

    @property
    def total(self) -> Money:
        return Money(sum((b.amount for b in self.buckets), Decimal(0)), self.currency)


# --- Formulas -----------------------------------------------------------------------------------


def one_place(value: Decimal | None) -> Decimal | None:
    """Round days and percents to one decimal place; None stays None."""
    return None if value is None else value.quantize(ONE_PLACE, rounding=ROUNDING)


def ratio(part: Decimal, whole: Decimal, scale: Decimal | int = 1) -> Decimal | None:
    """``part / whole x scale``, unrounded; None when ``whole`` is zero."""
    if whole == 0:
        return None
    return part / whole * scale


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part / whole x 100``; None when ``whole`` is zero."""
    return ratio(part, whole, HUNDRED)


def dso(receivables: Decimal, sales: Decimal, period_days: int) -> Decimal | None:
    """Standard DSO: ``AR(as_of) / Sales x period_days``; None without sales."""
    return ratio(receivables, sales, period_days)


def best_dso(current: Decimal, sales: Decimal, period_days: int) -> Decimal | None:
    """Best possible DSO: ``current AR (not yet due) / Sales x period_days``; None without sales."""
    return ratio(current, sales, period_days)


def days_delinquent(dso_days: Decimal | None, best_days: Decimal | None) -> Decimal | None:
    """Average days delinquent: ``DSO - best possible DSO``."""
    if dso_days is None or best_days is None:
        return None
    return dso_days - best_days


def cei(opening: Decimal, sales: Decimal, closing: Decimal, closing_current: Decimal) -> Decimal | None:
    """Collection effectiveness index, percent:
    ``(AR(start) + Sales - AR(end)) / (AR(start) + Sales - current AR(end)) x 100``.

    None when the denominator is zero (nothing was collectable in the period)."""
    return percent(opening + sales - closing, opening + sales - closing_current)


def countback_months(as_of: dt.date, months: int = COUNTBACK_MONTHS) -> list[tuple[dt.date, dt.date]]:
    """The calendar months countback DSO walks, newest first, as (first day, last day) inclusive.

    The first is the month of ``as_of`` up to ``as_of`` (``as_of.day`` days); the others are whole
    months."""
    result = [(as_of.replace(day=1), as_of)]
    while len(result) < months:
        last = result[-1][0] - dt.timedelta(days=1)
        result.append((last.replace(day=1), last))
    return result


def countback_dso(receivables: Decimal, months: Sequence[tuple[int, Decimal]]) -> Decimal | None:
    """Countback DSO from the open AR and ``(days, sales)`` of each month walking back from as_of.

    While the AR left is at least the month's sales, add the month's days and take its sales off;
    then add ``AR left / month's sales x month's days`` and stop. Stops when nothing is left; after
    the last month given it stops with the days counted so far (a floor: the AR is older than that).
    None when there were no sales in any of the months."""
    if receivables < 0:
        raise InvalidValueError(f"receivables must not be negative, got {receivables}")
    if not any(sales > 0 for _days, sales in months):
        return None
    left, days = receivables, Decimal(0)
    for month_days, sales in months:
        if left == 0:
            break
        if left >= sales:
            days += month_days
            left -= sales
        else:
            days += left / sales * month_days
            break
    return days


def kept_percent(kept: int, broken: int) -> Decimal | None:
    """Promises kept as a percent of those decided: ``kept / (kept + broken) x 100``."""
    return percent(Decimal(kept), Decimal(kept + broken))


def median_days(counts: Iterable[tuple[int, int]]) -> Decimal | None:
    """Median of a histogram of day counts ``(days, how many)``; the mean of the two middle ones when
    their number is even. None when empty."""
    values = sorted((days, n) for days, n in counts if n > 0)
    size = sum(n for _d, n in values)
    if size == 0:
        return None
    wanted = [(size - 1) // 2, size // 2]  # the middle one, or the two middle ones
    found: list[int] = []
    seen = 0
    for days, n in values:
        while wanted and wanted[0] < seen + n:
            found.append(days)
            wanted.pop(0)
        seen += n
    return Decimal(sum(found)) / len(found)


def mean_days(counts: Iterable[tuple[int, int]]) -> Decimal | None:
    """Mean of a histogram of day counts ``(days, how many)``; None when empty."""
    pairs = list(counts)
    size = sum(n for _d, n in pairs)
    return ratio(Decimal(sum(d * n for d, n in pairs)), Decimal(size))


def average_days_late(days_late: int, count: int) -> Decimal | None:
    """Average days late of paid invoices: the sum of ``max(0, paid on - due date)`` over their number."""
    return ratio(Decimal(days_late), Decimal(count))


def lateness_trend(recent: tuple[int, int], before: tuple[int, int]) -> Decimal | None:
    """Average days late of the last six months minus that of the six before, from (days late, count)
    of each half; positive: paying later. None when either half has no paid invoice."""
    now, then = average_days_late(*recent), average_days_late(*before)
    if now is None or then is None:
        return None
    return now - then


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months earlier (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week."""
    return day - dt.timedelta(days=day.weekday())


def forecast_week(expected: dt.date, as_of: dt.date, weeks: int = FORECAST_WEEKS) -> int:
    """Index of the forecast week for cash expected on ``expected``: 0 is the week of ``as_of``
    (and anything expected before it: overdue now), ``weeks - 1`` takes everything later."""
    index = (expected - week_start(as_of)).days // 7
    return min(max(index, 0), weeks - 1)


def month_ends(as_of: dt.date, months: int) -> list[dt.date]:
    """``months`` points oldest first: the last days of the months before ``as_of``'s, then ``as_of``."""
    if months < 1:
        raise InvalidValueError(f"months must be at least 1, got {months}")
    points = [as_of]
    while len(points) < months:
        points.append(points[-1].replace(day=1) - dt.timedelta(days=1))
    return points[::-1]


def currency_metrics(
    *,
    currency: str,
    labels: tuple[str, ...],
    buckets: tuple[Money, ...],
    past_90: Money,
    opening: Money,
    sales: Money,
    monthly_sales: Sequence[tuple[int, Money]],
    collected: Money,
    written_off: Money,
    period_days: int,
) -> CurrencyMetrics:
    """Every ratio of one currency from its sums. ``buckets[0]`` is the current (not yet due) AR;
    ``monthly_sales`` are (days, sales) of the months countback DSO walks, newest first."""
    total = Money(sum((b.amount for b in buckets), Decimal(0)), currency)
    current = buckets[0]
    ar, now, sold = total.amount, current.amount, sales.amount
    standard = one_place(dso(ar, sold, period_days))
    best = one_place(best_dso(now, sold, period_days))
    return CurrencyMetrics(
        currency=currency,
        labels=labels,
        buckets=buckets,
        total=total,
        current=current,
        sales=sales,
        collected=collected,
        written_off=written_off,
        dso=standard,
        dso_countback=one_place(countback_dso(ar, [(d, s.amount) for d, s in monthly_sales])),
        best_dso=best,
        add=days_delinquent(standard, best),  # of the rounded values, so the table adds up
        cei=one_place(cei(opening.amount, sold, ar, now)),
        percent_current=one_place(percent(now, ar)),
        share_90_plus=one_place(percent(past_90.amount, ar)),
        write_off_ratio=one_place(percent(written_off.amount, sold)),
        opening=opening,
        past_90=past_90,
    )
