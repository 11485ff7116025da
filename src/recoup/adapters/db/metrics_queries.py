"""The sums AR metrics are made of (services.ports.MetricsQueries): grouped SQL, one statement each.

Every statement aggregates in the database and returns a row per currency (or per currency and
week, step, collector, customer): no invoice is read into Python. The balance open on a day is
SqlQueries._open_items, the same union the aging report sums.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    DateTime,
    Integer,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    text,
    type_coerce,
    union_all,
)
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression
from sqlalchemy.types import Date

from recoup.adapters.db.queries import SqlQueries
from recoup.adapters.db.tables import (
    activities,
    allocations,
    case_steps,
    customers,
    disputes,
    invoices,
    promises,
)
from recoup.domain.aging import bucket_labels, check_edges, due_date_thresholds
from recoup.domain.metrics import (
    AT_RISK_DAYS,
    AUTOMATIC,
    BEFORE_ANY_STEP,
    BOOKKEEPING_KINDS,
    COLLECTOR_WINDOW_DAYS,
    FORECAST_WEEKS,
    MACHINE_ACTORS,
    PATTERN_MONTHS,
    Collected,
    ForecastWeek,
    OpenAr,
    PaymentPattern,
    average_days_late,
    lateness_trend,
    months_before,
    one_place,
    percent,
    week_start,
)
from recoup.domain.money import Money
from recoup.domain.payments import AllocationKind


def _sum(expr: Any) -> Any:
    """SUM as a bigint (PostgreSQL sums bigint as numeric), 0 when nothing matched."""
    return cast(func.coalesce(func.sum(expr), 0), BigInteger)


class SqlMetrics:
    def __init__(self, conn: Connection, queries: SqlQueries) -> None:
        self.conn = conn
        self.queries = queries
        self.postgres = conn.dialect.name == "postgresql"
        self._tuned = False

    # --- dialect helpers ----------------------------------------------------------------------

    def _tune(self) -> None:
        """On PostgreSQL, JIT compiling these plans takes longer than it saves (as for aging)."""
        if self.postgres and not self._tuned:
            self.conn.execute(text("SET LOCAL jit = off"))
            self._tuned = True

    def _days(self, later: Any, earlier: Any) -> Any:
        """Whole days from ``earlier`` to ``later`` (two dates)."""
        if self.postgres:
            return type_coerce(later - earlier, Integer)
        return cast(func.julianday(later) - func.julianday(earlier), Integer)

    def _midnight(self, day: Any, shift: int) -> Any:
        """The UTC start of ``day + shift`` days, comparable with the log's timestamps."""
        if self.postgres:
            return func.timezone("UTC", cast(day + shift, DateTime))
        return func.date(day, f"{shift:+d} days")

    def _money(self, minor: Any, currency: str) -> Money:
        return Money.from_minor(int(minor or 0), currency)

    # --- the port -------------------------------------------------------------------------------

    def open_ar(self, as_of: dt.date, edges: Sequence[int]) -> dict[str, OpenAr]:
        edges = check_edges(edges)
        size = len(bucket_labels(edges))
        limits = due_date_thresholds(as_of, edges)
        self._tune()
        items = self.queries._open_items(as_of)
        due, amount = items.c.due_date, items.c.open_minor
        sums = []
        for i in range(size):  # bucket i: due dates in [limits[i], limits[i-1]), as SqlQueries.aging
            conds = []
            if i < len(limits):
                conds.append(due >= limits[i])
            if i > 0:
                conds.append(due < limits[i - 1])
            sums.append(_sum(case((and_(*conds), amount), else_=literal(0))))
        at_risk = as_of - dt.timedelta(days=AT_RISK_DAYS)
        sums.append(_sum(case((due < at_risk, amount), else_=literal(0))))
        query = (
            select(items.c.currency, *sums)
            .group_by(items.c.currency)
            .having(func.sum(amount) != 0)
            .order_by(items.c.currency)
        )
        result = {}
        for currency, *amounts in self.conn.execute(query):
            money = [self._money(a, currency) for a in amounts]
            result[currency] = OpenAr(currency, tuple(money[:size]), money[size])
        return result

    def sales(self, windows: Sequence[tuple[dt.date, dt.date]]) -> dict[str, list[Money]]:
        """Summed per currency and day of issue in SQL (a row per day, whatever the ledger's size),
        then per window here."""
        if not windows:
            return {}
        inv = invoices.c
        first, last = min(a for a, _b in windows), max(b for _a, b in windows)
        self._tune()
        query = (
            select(inv.currency, inv.issue_date, _sum(inv.amount_minor))
            .where(inv.issue_date >= first, inv.issue_date <= last)
            .group_by(inv.currency, inv.issue_date)
        )
        per_day: dict[str, dict[dt.date, int]] = {}
        for currency, issued, minor in self.conn.execute(query):
            per_day.setdefault(currency, {})[issued] = int(minor)
        return {
            cur: [self._money(sum(m for d, m in days.items() if a <= d <= b), cur) for a, b in windows]
            for cur, days in sorted(per_day.items())
        }

    def applied(self, first: dt.date, last: dt.date) -> dict[tuple[str, str], Money]:
        a = allocations.c
        query = (
            select(a.currency, a.kind, _sum(a.amount_minor))
            .where(a.applied_on >= first, a.applied_on <= last)
            .group_by(a.currency, a.kind)
        )
        return {(cur, kind): self._money(minor, cur) for cur, kind, minor in self.conn.execute(query)}

    def promises(self, first: dt.date, last: dt.date) -> dict[str, int]:
        p = promises.c
        state = case((p.date > last, literal("open")), else_=p.status).label("state")
        made = select(state).where(p.made_on >= first, p.made_on <= last, p.status != "cancelled").subquery()
        query = select(made.c.state, func.count()).group_by(made.c.state)
        return {str(status): int(n) for status, n in self.conn.execute(query)}

    def disputes(self, first: dt.date, last: dt.date) -> tuple[int, int, int, list[tuple[int, int]]]:
        d = disputes.c
        resolved_in = and_(d.resolved_on >= first, d.resolved_on <= last)
        counts = select(
            _sum(case((and_(d.opened_on >= first, d.opened_on <= last), 1), else_=0)),
            _sum(case((resolved_in, 1), else_=0)),
            _sum(
                case(
                    (and_(d.opened_on <= last, or_(d.resolved_on.is_(None), d.resolved_on > last)), 1),
                    else_=0,
                )
            ),
        ).where(d.opened_on <= last)
        opened, resolved, still_open = self.conn.execute(counts).one()
        ended = select(self._days(d.resolved_on, d.opened_on).label("days")).where(resolved_in).subquery()
        cycle = select(ended.c.days, func.count()).group_by(ended.c.days).order_by(ended.c.days)
        return (
            int(opened),
            int(resolved),
            int(still_open),
            [(int(n), int(c)) for n, c in self.conn.execute(cycle)],
        )

    def collected_by_step(self, first: dt.date, last: dt.date) -> list[Collected]:
        a, inv, s = allocations.c, invoices.c, case_steps.c
        step = (
            select(s.step)
            .where(s.invoice_number == inv.number, s.status == "taken", s.on <= a.applied_on)
            .order_by(s.on.desc(), s.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        paid = (
            select(a.currency, step.label("step"), a.amount_minor)
            .join(invoices, inv.id == a.invoice_id)
            .where(a.kind == AllocationKind.PAYMENT.value, a.applied_on >= first, a.applied_on <= last)
            .subquery("paid")
        )
        query = select(paid.c.currency, paid.c.step, _sum(paid.c.amount_minor)).group_by(
            paid.c.currency, paid.c.step
        )
        rows = [
            Collected(cur, by or BEFORE_ANY_STEP, self._money(minor, cur))
            for cur, by, minor in self.conn.execute(query)
        ]
        return sorted(rows, key=lambda r: (r.currency, -r.amount.amount, r.by))

    def collected_by_collector(self, first: dt.date, last: dt.date) -> list[Collected]:
        a, inv, act = allocations.c, invoices.c, activities.c
        self._tune()
        by_person = and_(act.actor.not_in(sorted(MACHINE_ACTORS)), act.kind.not_in(sorted(BOOKKEEPING_KINDS)))
        start = dt.datetime.combine(first - dt.timedelta(days=COLLECTOR_WINDOW_DAYS), dt.time(), dt.UTC)
        end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), dt.UTC)
        worked = select(act.customer_id).where(by_person, act.at >= start, act.at < end)
        paid = (
            select(inv.customer_id, a.currency, a.applied_on, a.amount_minor)
            .join(invoices, inv.id == a.invoice_id)
            .where(a.kind == AllocationKind.PAYMENT.value, a.applied_on >= first, a.applied_on <= last)
            .subquery("paid")
        )
        # One lookup per customer, currency and day paid, and only for the customers a person worked
        # in the period: the others' payments are automatic.
        p = paid.c
        person = p.customer_id.in_(worked)
        days = (
            select(p.customer_id, p.currency, p.applied_on, _sum(p.amount_minor).label("minor"))
            .where(person)
            .group_by(p.customer_id, p.currency, p.applied_on)
            .subquery("days")
        )
        who = (
            select(act.actor)
            .where(
                act.customer_id == days.c.customer_id,
                act.at >= self._midnight(days.c.applied_on, -COLLECTOR_WINDOW_DAYS),
                act.at < self._midnight(days.c.applied_on, 1),
                by_person,
            )
            .order_by(act.at.desc(), act.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        automatic = (
            select(p.currency, literal(None).label("who"), _sum(p.amount_minor).label("minor"))
            .where(~person)
            .group_by(p.currency)
        )
        credited = union_all(select(days.c.currency, who.label("who"), days.c.minor), automatic).subquery(
            "credited"
        )
        query = select(credited.c.currency, credited.c.who, _sum(credited.c.minor)).group_by(
            credited.c.currency, credited.c.who
        )
        rows = [
            Collected(cur, by or AUTOMATIC, self._money(minor, cur))
            for cur, by, minor in self.conn.execute(query)
        ]
        return sorted(rows, key=lambda r: (r.currency, -r.amount.amount, r.by))

    def _paid(self, as_of: dt.date) -> Any:
        """Per customer and currency, sums over the invoices paid in the PATTERN_MONTHS up to as_of."""
        inv = invoices.c
        first = months_before(as_of, PATTERN_MONTHS) + dt.timedelta(days=1)
        middle = months_before(as_of, PATTERN_MONTHS // 2)
        closed: Any = inv.closed_on
        if not self.postgres:
            # A year of closings is most of a ledger: reading the table straight through is several
            # times faster than the closed_on index and a lookup per row for the status.
            closed = UnaryExpression(closed, operator=operators.custom_op("+"), type_=Date())
        late = self._days(inv.closed_on, inv.due_date)
        each = (
            select(
                inv.customer_id,
                inv.currency,
                inv.closed_on,
                case((inv.closed_on <= inv.due_date, 1), else_=0).label("on_time"),
                case((late > 0, late), else_=0).label("late"),
            )
            .where(inv.status == "paid", closed >= first, closed <= as_of)
            .subquery("each")
        )
        recent = each.c.closed_on > middle
        return (
            select(
                each.c.customer_id,
                each.c.currency,
                func.count().label("paid"),
                _sum(each.c.late).label("late"),
                _sum(each.c.on_time).label("on_time"),
                _sum(case((recent, each.c.late), else_=0)).label("recent_late"),
                _sum(case((recent, 1), else_=0)).label("recent"),
            )
            .group_by(each.c.customer_id, each.c.currency)
            .subquery("paid")
        )

    def patterns(self, as_of: dt.date) -> list[PaymentPattern]:
        self._tune()
        paid = self._paid(as_of)
        query = (
            select(paid, customers.c.name)
            .join(customers, customers.c.id == paid.c.customer_id)
            .order_by(paid.c.customer_id, paid.c.currency)
        )
        result = []
        for cid, cur, count, late, on_time, recent_late, recent, name in self.conn.execute(query):
            count, late, recent, recent_late = int(count), int(late), int(recent), int(recent_late)
            result.append(
                PaymentPattern(
                    customer_id=cid,
                    name=name,
                    currency=cur,
                    paid=count,
                    average_days_late=one_place(average_days_late(late, count)),
                    trend_days=one_place(
                        lateness_trend((recent_late, recent), (late - recent_late, count - recent))
                    ),
                    on_time_percent=one_place(percent(Decimal(on_time), Decimal(count))),
                )
            )
        return result

    def forecast(self, as_of: dt.date) -> list[ForecastWeek]:
        inv, d = invoices.c, disputes.c
        self._tune()
        in_dispute = and_(d.opened_on <= as_of, or_(d.resolved_on.is_(None), d.resolved_on > as_of))
        keep = None
        if self.conn.execute(select(func.count()).where(in_dispute)).scalar():
            # By id, which every index of invoices carries on SQLite: the open items stay index-only.
            other = invoices.alias("disputed")
            disputed = select(other.c.id).join(disputes, d.invoice_number == other.c.number).where(in_dispute)
            keep = inv.id.not_in(disputed)
        items = self.queries._open_items(as_of, keep=keep)
        paid = self._paid(as_of)
        # The customer's average days late, rounded half up to whole days (days late are never negative).
        lateness = (paid.c.late * 2 + paid.c.paid) // (paid.c.paid * 2)
        first_week = week_start(as_of)
        offset = (
            select(
                items.c.currency,
                items.c.open_minor,
                (self._days(items.c.due_date, literal(first_week, Date)) + func.coalesce(lateness, 0)).label(
                    "days"
                ),
            )
            .select_from(items)
            .outerjoin(
                paid, and_(paid.c.customer_id == items.c.customer_id, paid.c.currency == items.c.currency)
            )
            .subquery("offset")
        )
        last = FORECAST_WEEKS - 1
        days = offset.c.days
        week = case((days < 0, 0), (days >= 7 * last, last), else_=days // 7).label("week")
        expected = select(offset.c.currency, week, offset.c.open_minor).subquery("expected")
        e = expected.c
        query = (
            select(e.currency, e.week, _sum(e.open_minor))
            .group_by(e.currency, e.week)
            .order_by(e.currency, e.week)
        )
        return [
            ForecastWeek(cur, first_week + dt.timedelta(weeks=int(w)), self._money(minor, cur))
            for cur, w, minor in self.conn.execute(query)
            if minor
        ]
