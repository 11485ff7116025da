"""Repositories of the engine on one SQLAlchemy connection.

Promises, payment plans, disputes, holds and settlements (one shape, ``CaseRecords``),
the ladder's steps, the outbox, tasks, checklist answers, approvals and the run lock.
Money is stored as integer minor units plus the currency, like the ledger's tables;
the conversions between rows and domain values are here too.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import (
    ColumnElement,
    Connection,
    Table,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from recoup.adapters.db.rows import CHUNK as CHUNK_SIZE
from recoup.adapters.db.rows import chunks, member
from recoup.adapters.db.tables import (
    approvals,
    case_steps,
    checklist_answers,
    customers,
    disputes,
    holds,
    invoices,
    outbox,
    payment_plans,
    promises,
    run_locks,
    settlements,
    tasks,
)
from recoup.domain.cases import (
    CaseKey,
    Dispute,
    DisputeStatus,
    Hold,
    Installment,
    PaymentPlan,
    PlanStatus,
    Promise,
    PromiseStatus,
    Settlement,
    SettlementStatus,
)
from recoup.domain.errors import ConcurrentRunError
from recoup.domain.ladder import OutboxItem, OutboxStatus, StepRecord, StepStatus
from recoup.domain.money import Money
from recoup.domain.tasks import Task, TaskKind, TaskStatus
from recoup.services.ports import Ranked

R = TypeVar("R", Promise, PaymentPlan, Dispute, Hold, Settlement)

SENT_OR_PLANNED = (OutboxStatus.PENDING, OutboxStatus.IN_FLIGHT, OutboxStatus.SENT, OutboxStatus.REVIEW)
"""The outbox statuses that count as 'sent' for ``last_sent``: done, under way or to be done."""


# --- rows <-> values


def promise_row(p: Promise) -> dict[str, Any]:
    return {
        "customer_id": p.customer_id,
        "currency": p.currency,
        "amount_minor": p.amount.minor,
        "date": p.date,
        "made_on": p.made_on,
        "invoices": list(p.invoices),
        "status": p.status.value,
    }


def to_promise(r: Mapping[str, Any]) -> Promise:
    return Promise(
        customer_id=r["customer_id"],
        amount=Money.from_minor(r["amount_minor"], r["currency"]),
        date=r["date"],
        made_on=r["made_on"],
        invoices=tuple(r["invoices"]),
        status=PromiseStatus(r["status"]),
        id=r["id"],
    )


def plan_row(p: PaymentPlan) -> dict[str, Any]:
    return {
        "customer_id": p.customer_id,
        "currency": p.currency,
        "installments": [{"due": i.due.isoformat(), "amount_minor": i.amount.minor} for i in p.installments],
        "made_on": p.made_on,
        "invoices": list(p.invoices),
        "status": p.status.value,
    }


def to_plan(r: Mapping[str, Any]) -> PaymentPlan:
    cur = r["currency"]
    return PaymentPlan(
        customer_id=r["customer_id"],
        installments=tuple(
            Installment(dt.date.fromisoformat(i["due"]), Money.from_minor(i["amount_minor"], cur))
            for i in r["installments"]
        ),
        made_on=r["made_on"],
        invoices=tuple(r["invoices"]),
        status=PlanStatus(r["status"]),
        id=r["id"],
    )


def dispute_row(d: Dispute, currency: str) -> dict[str, Any]:
    """``currency`` is the disputed amount's, else the invoice's (a whole-invoice dispute has no amount)."""
    return {
        "invoice_number": d.invoice_number,
        "customer_id": d.customer_id,
        "currency": d.amount.currency if d.amount is not None else currency,
        "reason": d.reason,
        "amount_minor": d.amount.minor if d.amount is not None else None,
        "opened_on": d.opened_on,
        "status": d.status.value,
        "outcome": d.outcome,
        "resolved_on": d.resolved_on,
    }


def to_dispute(r: Mapping[str, Any]) -> Dispute:
    minor = r["amount_minor"]
    return Dispute(
        invoice_number=r["invoice_number"],
        customer_id=r["customer_id"],
        reason=r["reason"],
        opened_on=r["opened_on"],
        amount=Money.from_minor(minor, r["currency"]) if minor is not None else None,
        status=DisputeStatus(r["status"]),
        outcome=r["outcome"],
        resolved_on=r["resolved_on"],
        id=r["id"],
    )


def hold_row(h: Hold) -> dict[str, Any]:
    return {
        "customer_id": h.customer_id,
        "until": h.until,
        "reason": h.reason,
        "placed_on": h.placed_on,
        "released_on": h.released_on,
    }


def to_hold(r: Mapping[str, Any]) -> Hold:
    return Hold(
        customer_id=r["customer_id"],
        until=r["until"],
        reason=r["reason"],
        placed_on=r["placed_on"],
        released_on=r["released_on"],
        id=r["id"],
    )


def settlement_row(s: Settlement) -> dict[str, Any]:
    return {
        "customer_id": s.customer_id,
        "currency": s.currency,
        "amount_minor": s.amount.minor,
        "deadline": s.deadline,
        "offered_on": s.offered_on,
        "invoices": list(s.invoices),
        "status": s.status.value,
    }


def to_settlement(r: Mapping[str, Any]) -> Settlement:
    return Settlement(
        customer_id=r["customer_id"],
        amount=Money.from_minor(r["amount_minor"], r["currency"]),
        deadline=r["deadline"],
        offered_on=r["offered_on"],
        invoices=tuple(r["invoices"]),
        status=SettlementStatus(r["status"]),
        id=r["id"],
    )


def step_row(s: StepRecord) -> dict[str, Any]:
    return {
        "invoice_number": s.invoice_number,
        "step": s.step,
        "on": s.on,
        "status": s.status.value,
        "outbox_key": s.outbox_key,
    }


def to_step(r: Mapping[str, Any]) -> StepRecord:
    return StepRecord(
        invoice_number=r["invoice_number"],
        step=r["step"],
        on=r["on"],
        status=StepStatus(r["status"]),
        outbox_key=r["outbox_key"],
    )


def outbox_row(o: OutboxItem) -> dict[str, Any]:
    return {
        "key": o.key,
        "customer_id": o.customer_id,
        "currency": o.currency,
        "step": o.step,
        "action": o.action,
        "cycle": o.cycle,
        "as_of": o.as_of,
        "payload": o.payload,
        "status": o.status.value,
        "attempts": o.attempts,
        "not_before": o.not_before,
        "error": o.error,
        "created_at": o.created_at,
        "updated_at": o.updated_at,
    }


def to_outbox_item(r: Mapping[str, Any]) -> OutboxItem:
    return OutboxItem(
        key=r["key"],
        customer_id=r["customer_id"],
        currency=r["currency"],
        step=r["step"],
        action=r["action"],
        cycle=r["cycle"],
        as_of=r["as_of"],
        payload=dict(r["payload"]),
        status=OutboxStatus(r["status"]),
        attempts=r["attempts"],
        not_before=r["not_before"],
        error=r["error"],
        created_at=r["created_at"],
        updated_at=r["updated_at"],
        id=r["id"],
    )


def task_key(t: Task) -> tuple[str, str, str, str]:
    """What is unique among open tasks (the partial index ix_tasks_open_key)."""
    return (t.kind.value, t.customer_id, t.currency, t.key)


def task_row(t: Task) -> dict[str, Any]:
    return {
        "kind": t.kind.value,
        "customer_id": t.customer_id,
        "currency": t.currency,
        "due": t.due,
        "reason": t.reason,
        "key": t.key,
        "step": t.step,
        "invoices": list(t.invoices),
        "assignee": t.assignee,
        "status": t.status.value,
        "data": t.data,
    }


def to_task(r: Mapping[str, Any]) -> Task:
    return Task(
        kind=TaskKind(r["kind"]),
        customer_id=r["customer_id"],
        currency=r["currency"],
        due=r["due"],
        reason=r["reason"],
        key=r["key"],
        step=r["step"],
        invoices=tuple(r["invoices"]),
        assignee=r["assignee"],
        status=TaskStatus(r["status"]),
        data=dict(r["data"]),
        id=r["id"],
    )


# --- repositories


class _Repo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def _analyze(self, table: Table, count: int) -> None:
        """PostgreSQL: fresh statistics after a bulk write (see repositories._Repo._added)."""
        if count >= 10_000 and self.conn.dialect.name == "postgresql":
            self.conn.execute(text(f"ANALYZE {table.name}"))

    def _insert_ignoring(self, table: Table, index_elements: Sequence[str]) -> Any:
        """INSERT ... ON CONFLICT DO NOTHING on a unique index, in the dialect's words."""
        dialect = self.conn.dialect.name
        if dialect == "sqlite":
            return sqlite.insert(table).on_conflict_do_nothing(index_elements=index_elements)
        if dialect == "postgresql":
            return postgresql.insert(table).on_conflict_do_nothing(index_elements=index_elements)
        raise NotImplementedError(f"no insert-if-new for the {dialect} dialect")


class _CaseRecords(_Repo, Generic[R]):
    """One repository for the five case records; subclasses say which table and columns."""

    table: ClassVar[Table]

    def _row(self, record: R) -> dict[str, Any]:
        raise NotImplementedError

    def _record(self, row: Mapping[str, Any]) -> R:
        raise NotImplementedError

    def _in_force(self) -> ColumnElement[bool]:
        raise NotImplementedError

    def _changes(self, record: R) -> dict[str, Any]:
        """The status fields ``replace`` stores."""
        raise NotImplementedError

    def add(self, record: R) -> R:
        new_id = self.conn.execute(insert(self.table).values(self._row(record))).inserted_primary_key
        assert new_id is not None
        return dataclasses.replace(record, id=new_id[0])

    def get(self, record_id: int) -> R | None:
        row = self.conn.execute(select(self.table).where(self.table.c.id == record_id)).mappings().first()
        return self._record(row) if row else None

    def open_for(self, customer_ids: Collection[str] | None) -> list[R]:
        if customer_ids is None:
            query = select(self.table).where(self._in_force()).order_by(self.table.c.id)
            return [self._record(r) for r in self.conn.execute(query).mappings()]
        found: list[R] = []
        for batch in chunks(sorted(set(customer_ids))):
            query = select(self.table).where(self.table.c.customer_id.in_(batch), self._in_force())
            found += [self._record(r) for r in self.conn.execute(query).mappings()]
        return sorted(found, key=lambda r: r.id or 0)

    def for_customer(self, customer_id: str) -> list[R]:
        query = select(self.table).where(self.table.c.customer_id == customer_id).order_by(self.table.c.id)
        return [self._record(r) for r in self.conn.execute(query).mappings()]

    def replace(self, record: R) -> None:
        if record.id is None:
            raise ValueError("only a stored record (with an id) can be replaced")
        self.conn.execute(
            update(self.table)
            .where(self.table.c.id == record.id)
            .values(**self._changes(record), version=self.table.c.version + 1)
        )


class SqlPromises(_CaseRecords[Promise]):
    table = promises

    def _changes(self, record: Promise) -> dict[str, Any]:
        return {"status": record.status.value}

    def _row(self, record: Promise) -> dict[str, Any]:
        return promise_row(record)

    def _record(self, row: Mapping[str, Any]) -> Promise:
        return to_promise(row)

    def _in_force(self) -> ColumnElement[bool]:
        return promises.c.status == PromiseStatus.OPEN.value


class SqlPlans(_CaseRecords[PaymentPlan]):
    table = payment_plans

    def _changes(self, record: PaymentPlan) -> dict[str, Any]:
        return {"status": record.status.value}

    def _row(self, record: PaymentPlan) -> dict[str, Any]:
        return plan_row(record)

    def _record(self, row: Mapping[str, Any]) -> PaymentPlan:
        return to_plan(row)

    def _in_force(self) -> ColumnElement[bool]:
        return payment_plans.c.status == PlanStatus.ACTIVE.value


class SqlDisputes(_CaseRecords[Dispute]):
    table = disputes

    def _changes(self, record: Dispute) -> dict[str, Any]:
        return {"status": record.status.value, "outcome": record.outcome, "resolved_on": record.resolved_on}

    def _row(self, record: Dispute) -> dict[str, Any]:
        currency = ""
        if record.amount is None:  # a whole-invoice dispute is in the invoice's currency
            query = select(invoices.c.currency).where(invoices.c.number == record.invoice_number)
            currency = self.conn.execute(query).scalar() or ""
        return dispute_row(record, currency)

    def _record(self, row: Mapping[str, Any]) -> Dispute:
        return to_dispute(row)

    def _in_force(self) -> ColumnElement[bool]:
        return disputes.c.status == DisputeStatus.OPEN.value


class SqlHolds(_CaseRecords[Hold]):
    table = holds

    def _changes(self, record: Hold) -> dict[str, Any]:
        return {"released_on": record.released_on}

    def _row(self, record: Hold) -> dict[str, Any]:
        return hold_row(record)

    def _record(self, row: Mapping[str, Any]) -> Hold:
        return to_hold(row)

    def _in_force(self) -> ColumnElement[bool]:
        return holds.c.released_on.is_(None)


class SqlSettlements(_CaseRecords[Settlement]):
    table = settlements

    def _changes(self, record: Settlement) -> dict[str, Any]:
        return {"status": record.status.value}

    def _row(self, record: Settlement) -> dict[str, Any]:
        return settlement_row(record)

    def _record(self, row: Mapping[str, Any]) -> Settlement:
        return to_settlement(row)

    def _in_force(self) -> ColumnElement[bool]:
        return settlements.c.status.in_([SettlementStatus.OFFERED.value, SettlementStatus.ACCEPTED.value])


class SqlSteps(_Repo):
    def add_many(self, records: Sequence[StepRecord]) -> None:
        """Insert; a record replaces only a *waiting* record of the same (invoice, step), never another."""
        dialect = sqlite if self.conn.dialect.name == "sqlite" else postgresql
        stmt = dialect.insert(case_steps)
        stmt = stmt.on_conflict_do_update(
            index_elements=[case_steps.c.invoice_number, case_steps.c.step],
            set_={
                "status": stmt.excluded.status,
                "on": stmt.excluded.on,
                "outbox_key": stmt.excluded.outbox_key,
            },
            where=case_steps.c.status == StepStatus.WAITING.value,
        )
        # Duplicates are looked for first: an upsert with RETURNING would tell, but PostgreSQL's
        # driver then parses one huge statement per batch (tens of seconds on 100,000 rows),
        # where a plain executemany is pipelined.
        wanted = {(r.invoice_number, r.step) for r in records}
        if len(wanted) < len(records):
            raise IntegrityError(
                "INSERT INTO case_steps", None, Exception("the same step twice in one batch")
            )
        for batch in chunks(sorted({r.invoice_number for r in records})):
            query = select(case_steps.c.invoice_number, case_steps.c.step).where(
                case_steps.c.invoice_number.in_(batch), case_steps.c.status != StepStatus.WAITING.value
            )
            clash = [key for key in self.conn.execute(query) if tuple(key) in wanted]
            if clash:
                raise IntegrityError(
                    "INSERT INTO case_steps", None, Exception(f"step recorded already: {tuple(clash[0])}")
                )
        for batch in chunks(records):
            self.conn.execute(stmt, [step_row(s) for s in batch])
        self._analyze(case_steps, len(records))

    def for_invoices(self, numbers: Collection[str]) -> list[StepRecord]:
        found: list[tuple[int, StepRecord]] = []
        for batch in chunks(sorted(set(numbers))):
            query = select(case_steps).where(member(self.conn, case_steps.c.invoice_number, batch))
            found += [(r["id"], to_step(r)) for r in self.conn.execute(query).mappings()]
        return [s for _, s in sorted(found, key=lambda f: f[0])]


class SqlOutbox(_Repo):
    def add_many(self, items: Sequence[OutboxItem]) -> int:
        stmt = self._insert_ignoring(outbox, ["key"])  # no RETURNING: see SqlSteps.add_many
        keys = {o.key for o in items}
        new = keys - self.existing_keys(keys)  # the driver's rowcount of an executemany is not reliable
        for batch in chunks(items):
            self.conn.execute(stmt, [outbox_row(o) for o in batch])
        self._analyze(outbox, len(items))
        return len(new)

    def existing_keys(self, keys: Collection[str]) -> set[str]:
        found: set[str] = set()
        for batch in chunks(sorted(set(keys))):
            found.update(self.conn.execute(select(outbox.c.key).where(outbox.c.key.in_(batch))).scalars())
        return found

    def get(self, item_id: int) -> OutboxItem | None:
        row = self.conn.execute(select(outbox).where(outbox.c.id == item_id)).mappings().first()
        return to_outbox_item(row) if row else None

    def due(self, now: dt.datetime, *, limit: int | None = None) -> list[OutboxItem]:
        query = (
            select(outbox)
            .where(
                outbox.c.status == OutboxStatus.PENDING.value,
                outbox.c.not_before.is_(None) | (outbox.c.not_before <= now),
            )
            .order_by(outbox.c.id)
            .limit(limit)
        )
        return [to_outbox_item(r) for r in self.conn.execute(query).mappings()]

    def with_status(self, status: OutboxStatus, *, limit: int | None = None) -> list[OutboxItem]:
        query = select(outbox).where(outbox.c.status == status.value).order_by(outbox.c.id).limit(limit)
        return [to_outbox_item(r) for r in self.conn.execute(query).mappings()]

    def mark(
        self,
        item_id: int,
        status: OutboxStatus,
        *,
        at: dt.datetime,
        error: str = "",
        attempts: int | None = None,
        not_before: dt.datetime | None = None,
    ) -> None:
        values: dict[str, Any] = {"status": status.value, "updated_at": at, "error": error}
        if attempts is not None:
            values["attempts"] = attempts
        if not_before is not None:
            values["not_before"] = not_before
        self.conn.execute(update(outbox).where(outbox.c.id == item_id).values(values))

    def for_customer(self, customer_id: str) -> list[OutboxItem]:
        query = select(outbox).where(outbox.c.customer_id == customer_id).order_by(outbox.c.id)
        return [to_outbox_item(r) for r in self.conn.execute(query).mappings()]

    def last_sent(
        self, cases: Collection[CaseKey], actions: Collection[str], *, since: dt.date | None = None
    ) -> dict[CaseKey, dt.date]:
        wanted = set(cases)
        if not wanted or not actions:
            return {}
        found: dict[CaseKey, dt.date] = {}
        customers = sorted({c.customer_id for c in wanted})
        # Many cases and a horizon: one grouped query over the recent items, filtered here.
        batches: list[list[str] | None] = list(chunks(customers))
        if since is not None and len(customers) > CHUNK_SIZE:
            batches = [None]
        for batch in batches:
            query = (
                select(outbox.c.customer_id, outbox.c.currency, func.max(outbox.c.as_of))
                .where(
                    outbox.c.action.in_(sorted(set(actions))),
                    outbox.c.status.in_([s.value for s in SENT_OR_PLANNED]),
                )
                .group_by(outbox.c.customer_id, outbox.c.currency)
            )
            if batch is not None:
                query = query.where(member(self.conn, outbox.c.customer_id, batch))
            if since is not None:
                query = query.where(outbox.c.as_of >= since)
            for customer_id, currency, latest in self.conn.execute(query):
                case = CaseKey(customer_id, currency)
                if case in wanted:
                    found[case] = latest
        return found


class SqlTasks(_Repo):
    def add_many(self, items: Sequence[Task]) -> int:
        """Insert the tasks with no open task of the same (kind, case, key); of duplicates, the first."""
        taken: set[tuple[str, str, str, str]] = set()
        for batch in chunks(sorted({t.customer_id for t in items if t.status is TaskStatus.OPEN})):
            query = select(tasks.c.kind, tasks.c.customer_id, tasks.c.currency, tasks.c.key).where(
                tasks.c.customer_id.in_(batch), tasks.c.status == TaskStatus.OPEN.value
            )
            taken.update((k, cid, cur, key) for k, cid, cur, key in self.conn.execute(query))
        todo: list[Task] = []
        for t in items:
            if t.status is TaskStatus.OPEN:  # only open tasks are unique
                if task_key(t) in taken:
                    continue
                taken.add(task_key(t))
            todo.append(t)
        for batch in chunks(todo):
            self.conn.execute(insert(tasks), [task_row(t) for t in batch])
        self._analyze(tasks, len(todo))
        return len(todo)

    def get(self, task_id: int) -> Task | None:
        row = self.conn.execute(select(tasks).where(tasks.c.id == task_id)).mappings().first()
        return to_task(row) if row else None

    def open(self, *, customer_ids: Collection[str] | None = None, assignee: str | None = None) -> list[Task]:
        query = select(tasks).where(tasks.c.status == TaskStatus.OPEN.value).order_by(tasks.c.id)
        if assignee is not None:
            query = query.where(tasks.c.assignee == assignee)
        if customer_ids is None:
            return [to_task(r) for r in self.conn.execute(query).mappings()]
        found: list[Task] = []
        for batch in chunks(sorted(set(customer_ids))):
            found += [
                to_task(r)
                for r in self.conn.execute(
                    query.where(member(self.conn, tasks.c.customer_id, batch))
                ).mappings()
            ]
        return sorted(found, key=lambda t: t.id or 0)

    def close(self, task_id: int, status: TaskStatus, *, at: dt.datetime) -> None:
        self.conn.execute(
            update(tasks).where(tasks.c.id == task_id).values(status=status.value, closed_at=at)
        )

    def get_many(self, ids: Collection[int]) -> dict[int, Task]:
        found: dict[int, Task] = {}
        for batch in chunks(sorted(set(ids))):
            for r in self.conn.execute(select(tasks).where(tasks.c.id.in_(batch))).mappings():
                found[r["id"]] = to_task(r)
        return found

    def _ranked(self, columns: Any, due_by: dt.date, assignee: str | None, owner: str | None) -> Any:
        t = tasks.c
        query = select(*columns).where(t.status == TaskStatus.OPEN.value, t.due <= due_by)
        if assignee is not None:
            query = query.where(t.assignee.in_([assignee, ""]))
        if owner is not None:
            query = query.join(customers, customers.c.id == t.customer_id).where(
                func.lower(customers.c.sales_owner) == owner.lower()
            )
        return query

    def ranking(
        self,
        *,
        due_by: dt.date,
        assignee: str | None = None,
        owner: str | None = None,
        offset: int = 0,
        limit: int | None = None,
    ) -> list[Ranked]:
        t = tasks.c
        query = self._ranked([t.id, t.customer_id, t.due, t.score, t.scored_on], due_by, assignee, owner)
        if offset or limit is not None:
            query = query.order_by(t.score.desc(), t.due, t.id).offset(offset).limit(limit)
        return [Ranked(*row) for row in self.conn.execute(query)]

    def count_ranking(
        self, *, due_by: dt.date, scored_on: dt.date, assignee: str | None = None, owner: str | None = None
    ) -> tuple[int, int]:
        t = tasks.c
        stale = case((and_(t.scored_on == scored_on, t.score.is_not(None)), 0), else_=1)
        query = self._ranked([func.count(), func.sum(stale)], due_by, assignee, owner)
        total, unscored = self.conn.execute(query).one()
        return int(total), int(unscored or 0)

    def set_scores(self, scores: Mapping[int, float], *, on: dt.date) -> None:
        stmt = (
            update(tasks)
            .where(tasks.c.id == bindparam("task_id"))
            .values(score=bindparam("task_score"), scored_on=on)
        )
        for batch in chunks(sorted(scores.items())):
            self.conn.execute(stmt, [{"task_id": i, "task_score": score} for i, score in batch])


class SqlChecklists(_Repo):
    def record(self, case: CaseKey, question: str, answer: bool, *, by: str, at: dt.datetime) -> None:
        self.conn.execute(
            insert(checklist_answers).values(
                customer_id=case.customer_id,
                currency=case.currency,
                question=question,
                answer=answer,
                by=by,
                at=at,
            )
        )

    def customers_answered_since(self, at: dt.datetime) -> set[str]:
        query = select(checklist_answers.c.customer_id).where(checklist_answers.c.at >= at).distinct()
        return set(self.conn.execute(query).scalars())

    def answers(self, cases: Collection[CaseKey]) -> dict[CaseKey, dict[str, bool]]:
        wanted = set(cases)
        found: dict[CaseKey, dict[str, bool]] = {}
        for batch in chunks(sorted({c.customer_id for c in wanted})):
            query = (
                select(
                    checklist_answers.c.customer_id,
                    checklist_answers.c.currency,
                    checklist_answers.c.question,
                    checklist_answers.c.answer,
                )
                .where(checklist_answers.c.customer_id.in_(batch))
                .order_by(checklist_answers.c.at, checklist_answers.c.id)
            )
            for customer_id, currency, question, answer in self.conn.execute(query):
                case = CaseKey(customer_id, currency)
                if case in wanted:  # later answers overwrite earlier ones
                    found.setdefault(case, {})[question] = bool(answer)
        return found


class SqlApprovals(_Repo):
    def add(self, case: CaseKey, step: str, *, by: str, at: dt.datetime) -> None:
        self.conn.execute(
            insert(approvals).values(
                customer_id=case.customer_id, currency=case.currency, step=step, by=by, at=at
            )
        )

    def unused(self, cases: Collection[CaseKey]) -> dict[CaseKey, set[str]]:
        wanted = set(cases)
        found: dict[CaseKey, set[str]] = {}
        for batch in chunks(sorted({c.customer_id for c in wanted})):
            query = select(approvals.c.customer_id, approvals.c.currency, approvals.c.step).where(
                approvals.c.customer_id.in_(batch), approvals.c.used_on.is_(None)
            )
            for customer_id, currency, step in self.conn.execute(query):
                case = CaseKey(customer_id, currency)
                if case in wanted:
                    found.setdefault(case, set()).add(step)
        return found

    def customers_with_unused(self) -> set[str]:
        query = select(approvals.c.customer_id).where(approvals.c.used_on.is_(None)).distinct()
        return set(self.conn.execute(query).scalars())

    def use(self, case: CaseKey, step: str, *, on: dt.date) -> None:
        self.conn.execute(
            update(approvals)
            .where(
                approvals.c.customer_id == case.customer_id,
                approvals.c.currency == case.currency,
                approvals.c.step == step,
                approvals.c.used_on.is_(None),
            )
            .values(used_on=on)
        )


class SqlRunLock(_Repo):
    def acquire(self, name: str, *, holder: str, at: dt.datetime) -> None:
        stmt = insert(run_locks).values(name=name, holder=holder, acquired_at=at)
        try:
            if self.conn.dialect.name == "sqlite":
                # SQLite undoes only the failed statement; and pysqlite's SAVEPOINT, issued before
                # the transaction's first write, would become the outer transaction and commit it.
                self.conn.execute(stmt)
            else:
                # PostgreSQL aborts the whole transaction on an error: keep the caller's usable.
                with self.conn.begin_nested():
                    self.conn.execute(stmt)
        except IntegrityError:
            row = self.conn.execute(select(run_locks).where(run_locks.c.name == name)).mappings().first()
            since = f"{row['acquired_at']:%Y-%m-%d %H:%M:%S} UTC" if row else "a moment ago"
            who = row["holder"] if row else "another process"
            raise ConcurrentRunError(
                f"the {name!r} lock is held by {who} since {since}; if no run is going on, "
                "the lock can be removed with `recoup run --unlock`"
            ) from None

    def release(self, name: str) -> None:
        self.conn.execute(delete(run_locks).where(run_locks.c.name == name))

    def holder(self, name: str) -> str | None:
        return self.conn.execute(select(run_locks.c.holder).where(run_locks.c.name == name)).scalar()
