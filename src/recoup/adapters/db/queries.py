"""Read models computed in SQL: one set-based statement each, pushed down to the database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    Integer,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    text,
    union_all,
)

from recoup.adapters.db import rows
from recoup.adapters.db.tables import allocations, case_steps, customers, invoices, promises
from recoup.domain.aging import AgingReport, AgingRow, bucket_labels, check_edges, due_date_thresholds
from recoup.domain.invoices import Invoice
from recoup.domain.money import Money
from recoup.domain.payments import Allocation
from recoup.gc_pause import without_gc
from recoup.services.ports import WorkFacts


class SqlQueries:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def _open_items(self, as_of: dt.date, *, keep: Any = None):  # type: ignore[no-untyped-def]
        """What was open on ``as_of``, per invoice due date: a union of three set-based selects.

        ``keep``, a condition on ``invoices``, leaves the other invoices out (metrics: the forecast
        leaves out the invoices in open dispute).

        An invoice issued by ``as_of`` and not closed by then (open today, or closed
        after ``as_of``) was open on ``as_of`` for:

        - its balance today, when nothing was ever applied to it (``first_applied_on``
          null);
        - its whole amount, when nothing was applied to it by ``as_of``
          (``first_applied_on`` after it);
        - else its balance today plus every amount applied to it after ``as_of``,
          looked up in ``ix_allocations_invoice`` for that invoice alone.

        Two range scans of ``ix_invoices_closed_on`` (closed_on null, closed_on after
        ``as_of``; it holds every column read here), so the cost follows the invoices
        open on that day, not the size of the ledger. Only the invoices paid in part by
        ``as_of`` look their allocations up: most invoices are paid in one go, and at
        1M invoices joining the allocations of every invoice closed since a past day
        cost more than the rest of its aging.
        """
        inv = invoices.c
        applied_later = (
            select(func.coalesce(func.sum(allocations.c.amount_minor), 0))
            .where(allocations.c.invoice_id == inv.id, allocations.c.applied_on > as_of)
            .scalar_subquery()
        )
        open_minor = case(
            (inv.first_applied_on.is_(None), inv.balance_minor),
            (inv.first_applied_on > as_of, inv.amount_minor),
            else_=inv.balance_minor + cast(applied_later, BigInteger),
        ).label("open_minor")
        issued = inv.issue_date <= as_of
        selects = [
            select(inv.customer_id, inv.currency, inv.due_date, open_minor).where(closed, issued)
            for closed in (inv.closed_on.is_(None), inv.closed_on > as_of)
        ]
        if keep is not None:
            selects = [q.where(keep) for q in selects]
        return union_all(*selects).subquery("items")

    def aging(self, as_of: dt.date, edges: Sequence[int]) -> AgingReport:
        edges = check_edges(edges)
        labels = bucket_labels(edges)
        limits = due_date_thresholds(as_of, edges)
        items = self._open_items(as_of)
        # bucket i holds due dates in [limits[i], limits[i-1]); bucket 0 is due on or after as_of.
        sums = []
        for i in range(len(labels)):
            conds = []
            if i < len(limits):
                conds.append(items.c.due_date >= limits[i])
            if i > 0:
                conds.append(items.c.due_date < limits[i - 1])
            bucket = func.sum(case((and_(*conds), items.c.open_minor), else_=literal(0)))
            sums.append(cast(bucket, BigInteger))  # PostgreSQL sums bigint as numeric
        per_case = (
            select(items.c.customer_id, items.c.currency, *sums)
            .group_by(items.c.customer_id, items.c.currency)
            .having(func.sum(items.c.open_minor) != 0)
            .subquery("per_case")
        )
        order = [per_case.c.customer_id, per_case.c.currency]
        if self.conn.dialect.name == "postgresql":
            # Code point order, as SQLite's BINARY and the in-memory report, whatever the
            # database's collation.
            order = [column.collate("C") for column in order]
            # JIT compiling this plan takes longer (about 0.2 s) than it saves.
            self.conn.execute(text("SET LOCAL jit = off"))
        query = (
            select(per_case, customers.c.name)
            .join(customers, customers.c.id == per_case.c.customer_id)
            .order_by(*order)
        )
        # Tens of thousands of rows: build them in a tight loop. Most buckets are empty and
        # share one zero per currency (Money is immutable); the others are exact minor units.
        result = []
        zeros: dict[str, Money] = {}
        from_minor = Money.from_minor
        with without_gc():
            for customer_id, currency, *amounts, name in self.conn.execute(query).all():
                zero = zeros.get(currency)
                if zero is None:
                    zero = zeros[currency] = Money.zero(currency)
                buckets = tuple([from_minor(a, currency) if a else zero for a in amounts])
                result.append(AgingRow(customer_id, name, currency, buckets))
        return AgingReport(as_of, labels, tuple(result))

    def allocations_for(self, invoice_numbers: Collection[str]) -> list[Allocation]:
        found: list[Allocation] = []
        for batch in rows.chunks(sorted(invoice_numbers)):
            query = (
                select(allocations, invoices.c.number)
                .join(invoices, invoices.c.id == allocations.c.invoice_id)
                .where(invoices.c.number.in_(batch))
                .order_by(allocations.c.applied_on, allocations.c.id)
            )
            found += [rows.to_allocation(r) for r in self.conn.execute(query).mappings()]
        return found

    def work_facts(
        self, customer_ids: Collection[str], *, as_of: dt.date, old_before: dt.date
    ) -> dict[str, WorkFacts]:
        """Three grouped reads per batch of customers: overdue by currency, the paid record, broken
        promises; plus the few open invoices old enough to be near a limitation period."""
        inv = invoices.c
        found: dict[str, WorkFacts] = {}
        if self.conn.dialect.name == "sqlite":
            late_days = cast(func.julianday(inv.closed_on) - func.julianday(inv.due_date), Integer)
        else:
            late_days = inv.closed_on - inv.due_date
        for batch in rows.chunks(sorted(set(customer_ids))):
            mine = rows.member(self.conn, inv.customer_id, batch)
            for cid in batch:
                found[cid] = WorkFacts()
            overdue = (
                select(inv.customer_id, inv.currency, func.sum(inv.balance_minor), func.min(inv.due_date))
                .where(mine, inv.closed_on.is_(None), inv.status == "open", inv.due_date < as_of)
                .group_by(inv.customer_id, inv.currency)
            )
            for cid, currency, minor, oldest in self.conn.execute(overdue):
                found[cid].overdue[currency] = (int(minor or 0), oldest)
            is_late = inv.closed_on > inv.due_date
            paid = (
                select(
                    inv.customer_id,
                    func.count(),
                    func.sum(case((is_late, 1), else_=0)),
                    func.sum(case((is_late, late_days), else_=0)),
                )
                .where(mine, inv.status == "paid", inv.closed_on.is_not(None))
                .group_by(inv.customer_id)
            )
            for cid, count, late, days in self.conn.execute(paid):
                facts = found[cid]
                facts.paid, facts.paid_late, facts.days_late = int(count), int(late or 0), int(days or 0)
            broken = (
                select(promises.c.customer_id, func.count())
                .where(rows.member(self.conn, promises.c.customer_id, batch), promises.c.status == "broken")
                .group_by(promises.c.customer_id)
            )
            for cid, count in self.conn.execute(broken):
                found[cid].broken = int(count)
            old = select(inv.customer_id, inv.number, inv.currency, inv.due_date).where(
                mine, inv.closed_on.is_(None), inv.status == "open", inv.due_date <= old_before
            )
            for cid, number, currency, due in self.conn.execute(old):
                found[cid].old_open.append((number, currency, due))
        return found

    def paid_history(self, customer_ids: Collection[str]) -> dict[str, list[tuple[str, dt.date, dt.date]]]:
        inv = invoices.c
        found: dict[str, list[tuple[str, dt.date, dt.date]]] = {}
        for batch in rows.chunks(sorted(set(customer_ids))):
            query = (
                select(inv.customer_id, inv.currency, inv.due_date, inv.closed_on)
                .where(rows.member(self.conn, inv.customer_id, batch), inv.status == "paid")
                .where(inv.closed_on.is_not(None))
                .order_by(inv.customer_id, inv.due_date, inv.number)
            )
            for cid, currency, due, closed in self.conn.execute(query):
                found.setdefault(cid, []).append((currency, due, closed))
        return found

    def case_items(
        self,
        *,
        due_by: dt.date,
        ladder: Sequence[tuple[str, dt.date]] | None,
        always: Collection[str],
        customers: Collection[str] | None = None,
    ) -> list[Invoice]:
        """Set-based selection of the cases the run must look at (see the port's docstring).

        An invoice is behind on the ladder when the highest step its due date has
        reached ranks above the highest step recorded for it; both ranks are CASE
        expressions over the ladder, the second a correlated lookup on the unique
        (invoice_number, step) index of case_steps.
        """
        inv = invoices.c
        open_due = and_(inv.closed_on.is_(None), inv.due_date <= due_by)
        if customers is not None:
            open_due = and_(open_due, inv.customer_id.in_(sorted(customers)))
        pick = select(inv.customer_id, inv.currency).where(open_due)
        if ladder is not None:
            reached = case(
                *[(inv.due_date <= day, rank) for rank, (_step, day) in reversed(list(enumerate(ladder)))],
                else_=-1,
            )
            rank_of = case(
                *[(case_steps.c.step == step, rank) for rank, (step, _d) in enumerate(ladder)], else_=-1
            )
            recorded = (
                select(func.max(rank_of)).where(case_steps.c.invoice_number == inv.number).scalar_subquery()
            )
            behind = reached > func.coalesce(recorded, -1)
            if always:
                behind = or_(behind, inv.customer_id.in_(sorted(always)))
            pick = pick.where(behind)
        cases = pick.distinct().subquery("cases")
        query = (
            select(invoices)
            .join(cases, and_(cases.c.customer_id == inv.customer_id, cases.c.currency == inv.currency))
            .where(open_due)
            .order_by(inv.customer_id, inv.currency, inv.due_date, inv.number)
        )
        with without_gc():  # tens of thousands of Invoice objects at 1M invoices
            return [rows.to_invoice(r) for r in self.conn.execute(query).mappings()]
