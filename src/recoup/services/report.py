"""The owner's report: what is owed, how late, and whether collection is getting better.

``build`` gathers the report's data as of a day: the metrics (``services.metrics.compute``), the
aging at each of the last twelve month ends with DSO and ADD (``services.metrics.history``), the
aging report itself and the customers owing most past due per currency, the promises broken in the
last 90 days, and the weekly cash forecast. ``charts`` draws it (``services.charts``); the desk's
dashboard shows the same data and the same charts. ``render_html`` fills the template
``reports/report.html.j2`` into one self-contained page (style and charts inline, nothing fetched);
``render_pdf`` prints that page with WeasyPrint, as the letters are printed.

Money stays per currency throughout: every table, chart and total is of one currency.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from recoup.domain.aging import DEFAULT_EDGES, AgingReport, bucket_labels, check_edges
from recoup.domain.metrics import (
    FORECAST_WEEKS,
    CurrencyMetrics,
    Metrics,
    MonthPoint,
    month_ends,
    week_start,
)
from recoup.domain.money import Money, total
from recoup.services import charts as draw
from recoup.services import formatting
from recoup.services import metrics as metrics_service
from recoup.services.ports import UnitOfWork
from recoup.services.reports import aging

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
TOP = 10
MONTHS = 12
BROKEN_DAYS = 90
"""The report lists the promises whose breaking was recorded in this many days up to as_of."""


@dataclass(frozen=True)
class Debtor:
    """A customer's past-due (buckets after 'not due') and open balance in one currency."""

    customer_id: str
    name: str
    overdue: Money
    total: Money


@dataclass(frozen=True)
class BrokenPromise:
    customer_id: str
    name: str
    amount: Money
    date: dt.date  # the day promised
    made_on: dt.date
    broken_on: dt.date  # the day the run found it broken


@dataclass(frozen=True)
class History:
    """One currency over the month ends: its aging by bucket, DSO and ADD (None where unknown)."""

    currency: str
    labels: tuple[str, ...]
    months: tuple[dt.date, ...]
    buckets: tuple[tuple[Money, ...], ...]  # per month, per bucket
    dso: tuple[Decimal | None, ...]
    add: tuple[Decimal | None, ...]


@dataclass(frozen=True)
class Forecast:
    """Cash expected in one currency per week (Mondays); week 0 holds what is overdue now."""

    currency: str
    weeks: tuple[dt.date, ...]
    expected: tuple[Money, ...]

    @property
    def total(self) -> Money:
        return total(self.expected, self.currency)


@dataclass(frozen=True)
class ReportData:
    as_of: dt.date
    metrics: Metrics
    aging: AgingReport
    history: tuple[History, ...]  # by currency
    forecast: tuple[Forecast, ...]  # by currency
    top: dict[str, list[Debtor]]  # currency -> the customers owing most past due
    broken: tuple[BrokenPromise, ...]  # newest first

    def currency(self, code: str) -> CurrencyMetrics | None:
        return next((c for c in self.metrics.currencies if c.currency == code), None)


def top_debtors(report: AgingReport, limit: int = TOP) -> dict[str, list[Debtor]]:
    """Per currency, the customers with the most past due (buckets after 'not due'), largest first."""
    found: dict[str, list[Debtor]] = {}
    for row in report.rows:
        overdue = total(row.buckets[1:], row.currency)
        if overdue.amount > 0:
            found.setdefault(row.currency, []).append(
                Debtor(row.customer_id, row.customer_name, overdue, row.total)
            )
    return {
        cur: sorted(rows, key=lambda d: (-d.overdue.amount, d.customer_id))[:limit]
        for cur, rows in sorted(found.items())
    }


def histories(points: Sequence[MonthPoint], months: Sequence[dt.date]) -> tuple[History, ...]:
    """The month points grouped by currency over ``months``; a month a currency is missing from
    shows nothing open and no DSO."""
    months = tuple(months)
    by_currency: dict[str, dict[dt.date, MonthPoint]] = {}
    for p in points:
        by_currency.setdefault(p.currency, {})[p.month_end] = p
    result = []
    for cur, found in sorted(by_currency.items()):
        labels = next(iter(found.values())).labels
        zeros = (Money.zero(cur),) * len(labels)
        result.append(
            History(
                cur,
                labels,
                months,
                tuple(found[m].buckets if m in found else zeros for m in months),
                tuple(found[m].dso if m in found else None for m in months),
                tuple(found[m].add if m in found else None for m in months),
            )
        )
    return tuple(result)


def forecasts(m: Metrics) -> tuple[Forecast, ...]:
    """Every forecast week of each currency, the weeks with nothing expected as zero."""
    weeks = tuple(week_start(m.as_of) + dt.timedelta(weeks=i) for i in range(FORECAST_WEEKS))
    expected: dict[str, dict[dt.date, Money]] = {}
    for w in m.forecast:
        cell = expected.setdefault(w.currency, {})
        cell[w.week_start] = cell.get(w.week_start, Money.zero(w.currency)) + w.expected
    return tuple(
        Forecast(cur, weeks, tuple(found.get(w, Money.zero(cur)) for w in weeks))
        for cur, found in sorted(expected.items())
    )


def broken_promises(uow: UnitOfWork, as_of: dt.date, days: int = BROKEN_DAYS) -> tuple[BrokenPromise, ...]:
    """The promises the run found broken in the ``days`` up to ``as_of`` (its 'promise_broken' log
    entries), newest first, with what was promised and by when."""
    start = dt.datetime.combine(as_of - dt.timedelta(days=days - 1), dt.time(), tzinfo=dt.UTC)
    end = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    entries = [e for e in uow.activities.recent(None, ["promise_broken"], start) if e.at < end]
    customers = uow.customers.get_many({e.customer_id for e in entries})
    found = []
    for entry in entries:
        record = entry.data.get("record")
        promise = uow.promises.get(int(record)) if record is not None else None
        if promise is not None:
            customer = customers.get(promise.customer_id)
            found.append(
                BrokenPromise(
                    promise.customer_id,
                    customer.name if customer is not None else "",
                    promise.amount,
                    promise.date,
                    promise.made_on,
                    entry.at.date(),
                )
            )
    return tuple(sorted(found, key=lambda b: (b.broken_on, b.date, b.customer_id), reverse=True))


def build(
    uow: UnitOfWork,
    as_of: dt.date,
    *,
    edges: Sequence[int] = DEFAULT_EDGES,
    months: int = MONTHS,
    period_days: int = 90,
    customers: bool = True,
) -> ReportData:
    """Everything the report shows as of ``as_of``. ``customers=False`` leaves out what names
    customers (the aging rows, who owes most, the broken promises): the dashboard, which shows the
    figures per currency only and so spares the per-customer aging query."""
    edges = check_edges(edges)
    m = metrics_service.compute(uow, as_of, edges=edges, period_days=period_days)
    points = metrics_service.history(uow, as_of, months=months, edges=edges, period_days=period_days)
    report = aging(uow, as_of, edges) if customers else AgingReport(as_of, bucket_labels(edges), ())
    return ReportData(
        as_of=as_of,
        metrics=m,
        aging=report,
        history=histories(points, month_ends(as_of, months)),
        forecast=forecasts(m),
        top=top_debtors(report),
        broken=broken_promises(uow, as_of) if customers else (),
    )


# --- Charts -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Charts:
    """The report's charts as SVG bytes, per currency."""

    aging: bytes
    history: dict[str, bytes]
    trend: dict[str, bytes]
    forecast: dict[str, bytes]
    top: dict[str, bytes]


def history_chart(h: History) -> bytes:
    amounts = [[b.amount for b in row] for row in h.buckets]
    return draw.aging_history_svg(h.currency, h.labels, h.months, amounts)


def trend_chart(h: History) -> bytes:
    return draw.trend_svg(h.currency, h.months, {"DSO": h.dso, "ADD": h.add})


def forecast_chart(f: Forecast) -> bytes:
    return draw.forecast_svg(f.currency, f.weeks, [w.amount for w in f.expected])


def aging_chart(report: AgingReport) -> bytes:
    return draw.aging_svg(report.labels, {cur: [m.amount for m in a] for cur, a in report.totals().items()})


def top_chart(currency: str, debtors: Sequence[Debtor]) -> bytes:
    return draw.top_overdue_svg(currency, [(d.name or d.customer_id, d.overdue.amount) for d in debtors])


def charts(data: ReportData) -> Charts:
    """Every chart of the report; the aging and who-owes-most charts only when the data names customers."""
    return Charts(
        aging=aging_chart(data.aging) if data.aging.rows else b"",
        history={h.currency: history_chart(h) for h in data.history},
        trend={h.currency: trend_chart(h) for h in data.history},
        forecast={f.currency: forecast_chart(f) for f in data.forecast},
        top={cur: top_chart(cur, rows) for cur, rows in data.top.items()},
    )


# --- HTML and PDF -----------------------------------------------------------------------------------


def inline_svg(svg: bytes) -> str:
    """An SVG document as an element to put in a page (its XML prologue and doctype dropped)."""
    text = svg.decode("utf-8")
    return text[text.index("<svg") :]


def render_html(data: ReportData, *, title: str = "Receivables report") -> str:
    """The report as one HTML page that needs nothing else: its style and its charts are inline. The
    same data gives the same page (no time of printing in it: the as-of day says what it shows)."""
    from markupsafe import Markup

    env = formatting.environment([TEMPLATES], language="en")
    drawn = charts(data)

    def svg(b: bytes) -> Markup:
        return Markup(inline_svg(b))

    return env.get_template("reports/report.html.j2").render(
        title=title,
        data=data,
        m=data.metrics,
        css=Markup((TEMPLATES / "reports" / "report.css").read_text(encoding="utf-8")),
        aging_chart=svg(drawn.aging) if drawn.aging else "",
        history_charts={k: svg(v) for k, v in drawn.history.items()},
        trend_charts={k: svg(v) for k, v in drawn.trend.items()},
        forecast_charts={k: svg(v) for k, v in drawn.forecast.items()},
        top_charts={k: svg(v) for k, v in drawn.top.items()},
        totals={cur: (a, total(a, cur)) for cur, a in data.aging.totals().items()},
        broken_days=BROKEN_DAYS,
    )


def render_pdf(html: str) -> bytes:
    """The report page printed to PDF (WeasyPrint), A4 landscape as its style sheet says."""
    from recoup.adapters.channels.pdf import html_to_pdf

    return html_to_pdf(html, TEMPLATES / "reports")
