"""An in-memory store implementing every protocol of ``recoup.services.ports``.

It behaves like the SQL store where the services can tell the difference:

* Transactions are real. A unit of work works on its own copy of the
  committed state; nothing it does is visible to another unit of work until
  ``commit``, and leaving the ``with`` block without ``commit`` discards it.
  A commit over a state another unit of work has committed to in the meantime
  is refused (optimistic locking), so a lost update is never silent.
* Natural keys are unique, foreign keys must exist and the schema's checks
  (positive amounts, balance between zero and the amount, ...) hold; a
  violation raises ``ConstraintError`` where the database raises IntegrityError.
  Only one open task per (kind, case, key) and one outbox item per key, as the
  SQL's unique indexes; the run lock raises ``ConcurrentRunError`` like SQL.
* Records get storage ids, and lists come back in the same order as from SQL.
* ``FakeQueries.aging`` is computed independently of the SQL: the open
  balance of each invoice as of a date is its amount minus the allocations
  applied up to that date, grouped by the pure ``recoup.domain.aging.build_report``.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import TracebackType
from typing import Any, ClassVar, Generic, Self, TypeVar

from recoup.domain.activity import Activity
from recoup.domain.aging import AgingReport, build_report
from recoup.domain.cases import (
    CaseKey,
    Dispute,
    DisputeStatus,
    Hold,
    PaymentPlan,
    PlanStatus,
    Promise,
    PromiseStatus,
    Settlement,
    SettlementStatus,
)
from recoup.domain.customers import Contact, Customer
from recoup.domain.errors import ConcurrentRunError
from recoup.domain.invoices import Invoice, InvoiceStatus
from recoup.domain.ladder import OutboxItem, OutboxStatus, StepRecord, StepStatus
from recoup.domain.money import Money, total
from recoup.domain.payments import Allocation, CreditNote, Payment
from recoup.domain.tasks import Task, TaskStatus
from recoup.services.ports import InvoiceChange, Ranked, WorkFacts


class ConstraintError(Exception):
    """The fake's IntegrityError: a unique key, foreign key or check constraint was violated."""


class ConcurrentCommitError(Exception):
    """Another unit of work committed since this one began; committing would lose its changes."""


@dataclass(frozen=True, slots=True)
class _Answer:
    """A row of checklist_answers."""

    id: int
    case: CaseKey
    question: str
    answer: bool
    by: str
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class _Approval:
    """A row of approvals."""

    case: CaseKey
    step: str
    by: str
    at: dt.datetime
    used_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class _Lock:
    """A row of run_locks."""

    holder: str
    acquired_at: dt.datetime


@dataclass
class _State:
    """Everything stored, as immutable records keyed like the tables' unique keys."""

    customers: dict[str, Customer] = field(default_factory=dict)
    contacts: dict[tuple[str, str], Contact] = field(default_factory=dict)
    invoices: dict[str, Invoice] = field(default_factory=dict)
    payments: dict[str, Payment] = field(default_factory=dict)
    credit_notes: dict[str, CreditNote] = field(default_factory=dict)
    allocations: list[Allocation] = field(default_factory=list)  # in insertion (id) order
    activities: list[Activity] = field(default_factory=list)
    last_id: dict[str, int] = field(default_factory=dict)
    # The engine's records, keyed by id (dicts keep insertion, that is id, order).
    promises: dict[int, Promise] = field(default_factory=dict)
    plans: dict[int, PaymentPlan] = field(default_factory=dict)
    disputes: dict[int, Dispute] = field(default_factory=dict)
    holds: dict[int, Hold] = field(default_factory=dict)
    settlements: dict[int, Settlement] = field(default_factory=dict)
    steps: dict[tuple[str, str], StepRecord] = field(default_factory=dict)  # (invoice, step) is unique
    outbox: dict[int, OutboxItem] = field(default_factory=dict)
    tasks: dict[int, Task] = field(default_factory=dict)
    task_scores: dict[int, tuple[float, dt.date]] = field(default_factory=dict)
    checklist_answers: list[_Answer] = field(default_factory=list)
    approvals: dict[int, _Approval] = field(default_factory=dict)
    run_locks: dict[str, _Lock] = field(default_factory=dict)

    def copy(self) -> _State:
        # The records are frozen dataclasses, so copying the containers is a full copy,
        # except for Activity.data, OutboxItem.payload and Task.data, which are stored as
        # private JSON round-trips, never changed in place and copied on the way out.
        return _State(
            customers=dict(self.customers),
            contacts=dict(self.contacts),
            invoices=dict(self.invoices),
            payments=dict(self.payments),
            credit_notes=dict(self.credit_notes),
            allocations=list(self.allocations),
            activities=list(self.activities),
            last_id=dict(self.last_id),
            promises=dict(self.promises),
            plans=dict(self.plans),
            disputes=dict(self.disputes),
            holds=dict(self.holds),
            settlements=dict(self.settlements),
            steps=dict(self.steps),
            outbox=dict(self.outbox),
            tasks=dict(self.tasks),
            task_scores=dict(self.task_scores),
            checklist_answers=list(self.checklist_answers),
            approvals=dict(self.approvals),
            run_locks=dict(self.run_locks),
        )

    def next_id(self, table: str) -> int:
        self.last_id[table] = self.last_id.get(table, 0) + 1
        return self.last_id[table]


class FakeStore:
    """The committed state, shared by every unit of work of one factory."""

    def __init__(self) -> None:
        self.committed = _State()
        self.version = 0


class _Repo:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    @property
    def _s(self) -> _State:
        return self._uow.state

    def _write(self) -> _State:
        self._uow.dirty = True
        return self._uow.state

    def _customer_exists(self, customer_id: str, what: str) -> None:
        if customer_id not in self._s.customers:
            raise ConstraintError(f"{what}: no customer {customer_id!r} (foreign key)")


class FakeCustomers(_Repo):
    def get(self, customer_id: str) -> Customer | None:
        return self._s.customers.get(customer_id)

    def get_many(self, ids: Collection[str]) -> dict[str, Customer]:
        return {i: self._s.customers[i] for i in ids if i in self._s.customers}

    def add_many(self, customers: Sequence[Customer]) -> None:
        s = self._write()
        for c in customers:
            if c.id in s.customers:
                raise ConstraintError(f"customer {c.id!r} exists (unique key)")
            s.customers[c.id] = c

    def update_many(self, customers: Sequence[Customer]) -> None:
        s = self._write()
        for c in customers:
            if c.id in s.customers:  # like SQL UPDATE: an unknown id changes nothing
                s.customers[c.id] = c

    def list(self, *, offset: int = 0, limit: int | None = None) -> list[Customer]:
        ordered = [self._s.customers[k] for k in sorted(self._s.customers)]
        return ordered[offset : None if limit is None else offset + limit]

    def count(self) -> int:
        return len(self._s.customers)

    def find_by_tax_id(self, tax_id: str) -> list[Customer]:
        return [c for c in self._s.customers.values() if c.tax_id == tax_id]


class FakeContacts(_Repo):
    def for_customer(self, customer_id: str) -> list[Contact]:
        found = [c for (cid, _), c in self._s.contacts.items() if cid == customer_id]
        return sorted(found, key=lambda c: c.id or 0)

    def for_customers(self, customer_ids: Collection[str]) -> dict[str, list[Contact]]:
        found: dict[str, list[Contact]] = {}
        for cid in sorted(set(customer_ids)):
            mine = self.for_customer(cid)
            if mine:
                found[cid] = mine
        return found

    def get_many(self, keys: Collection[tuple[str, str]]) -> dict[tuple[str, str], Contact]:
        return {k: self._s.contacts[k] for k in keys if k in self._s.contacts}

    def add_many(self, contacts: Sequence[Contact]) -> None:
        s = self._write()
        for c in contacts:
            self._customer_exists(c.customer_id, f"contact {c.name!r}")
            key = (c.customer_id, c.name)
            if key in s.contacts:
                raise ConstraintError(f"contact {key!r} exists (unique key)")
            s.contacts[key] = replace(c, id=s.next_id("contacts"))

    def update_many(self, contacts: Sequence[Contact]) -> None:
        s = self._write()
        for c in contacts:
            old = s.contacts.get((c.customer_id, c.name))
            if old is not None:  # the SQL updates role, email, phone and valid; the id stays
                s.contacts[(c.customer_id, c.name)] = replace(
                    old, role=c.role, email=c.email, phone=c.phone, valid=c.valid
                )


def _check_invoice(inv: Invoice) -> None:
    balance = inv.open_balance
    if inv.amount.amount <= 0:
        raise ConstraintError(f"invoice {inv.number}: amount must be positive (check constraint)")
    if not 0 <= balance.amount <= inv.amount.amount:
        raise ConstraintError(f"invoice {inv.number}: balance {balance} outside 0..{inv.amount}")


class FakeInvoices(_Repo):
    def get(self, number: str) -> Invoice | None:
        return self._s.invoices.get(number)

    def get_many(self, numbers: Collection[str]) -> dict[str, Invoice]:
        return {n: self._s.invoices[n] for n in numbers if n in self._s.invoices}

    def add_many(self, invoices: Sequence[Invoice]) -> None:
        s = self._write()
        for inv in invoices:
            self._customer_exists(inv.customer_id, f"invoice {inv.number}")
            if inv.number in s.invoices:
                raise ConstraintError(f"invoice {inv.number!r} exists (unique key)")
            _check_invoice(inv)
            s.invoices[inv.number] = replace(inv, id=s.next_id("invoices"))

    def open_for_customers(self, customer_ids: Collection[str]) -> list[Invoice]:
        wanted = set(customer_ids)
        found = [i for i in self._s.invoices.values() if i.customer_id in wanted and i.closed_on is None]
        return sorted(found, key=lambda i: (i.due_date, i.issue_date, i.number))

    def for_customer(self, customer_id: str) -> list[Invoice]:
        found = [i for i in self._s.invoices.values() if i.customer_id == customer_id]
        return sorted(found, key=lambda i: (i.due_date, i.number))

    def change_many(self, changes: Sequence[InvoiceChange]) -> None:
        s = self._write()
        for ch in changes:
            old = s.invoices.get(ch.number)
            if old is None:  # like SQL UPDATE: an unknown number changes nothing
                continue
            new = replace(
                old,
                balance=ch.balance,
                status=InvoiceStatus(ch.status),
                closed_on=ch.closed_on,
                first_applied_on=ch.first_applied_on,
            )
            _check_invoice(new)
            s.invoices[ch.number] = new

    def add_adjustments(self, allocations: Sequence[Allocation]) -> None:
        _add_allocations(self._write(), allocations, {a.source for a in allocations})


def _add_allocations(s: _State, allocations: Sequence[Allocation], sources: Collection[str]) -> None:
    for a in allocations:
        if a.invoice_number not in s.invoices:
            raise ConstraintError(f"allocation to unknown invoice {a.invoice_number!r} (foreign key)")
        if a.amount.amount <= 0:
            raise ConstraintError(f"allocation of {a.amount} to {a.invoice_number}: amount must be positive")
        if a.source not in sources:
            raise ConstraintError(f"allocation from unknown source {a.source!r}")
        s.allocations.append(a)


class FakePayments(_Repo):
    def get_many(self, references: Collection[str]) -> dict[str, Payment]:
        return {r: self._s.payments[r] for r in references if r in self._s.payments}

    def add_many(self, payments: Sequence[Payment], allocations: Sequence[Allocation]) -> None:
        s = self._write()
        for p in payments:
            self._customer_exists(p.customer_id, f"payment {p.reference}")
            if p.reference in s.payments:
                raise ConstraintError(f"payment {p.reference!r} exists (unique key)")
            unapplied = p.unapplied if p.unapplied is not None else Money.zero(p.amount.currency)
            if not 0 <= unapplied.amount <= p.amount.amount:
                raise ConstraintError(f"payment {p.reference}: unapplied {unapplied} outside 0..{p.amount}")
            s.payments[p.reference] = replace(p, unapplied=unapplied, id=s.next_id("payments"))
        _add_allocations(s, allocations, s.payments)

    def for_customer(self, customer_id: str) -> list[Payment]:
        found = [p for p in self._s.payments.values() if p.customer_id == customer_id]
        return sorted(found, key=lambda p: (p.date, p.id or 0))


class FakeCreditNotes(_Repo):
    def get_many(self, numbers: Collection[str]) -> dict[str, CreditNote]:
        return {n: self._s.credit_notes[n] for n in numbers if n in self._s.credit_notes}

    def add_many(self, notes: Sequence[CreditNote], allocations: Sequence[Allocation]) -> None:
        s = self._write()
        for n in notes:
            self._customer_exists(n.customer_id, f"credit note {n.number}")
            if n.number in s.credit_notes:
                raise ConstraintError(f"credit note {n.number!r} exists (unique key)")
            unapplied = n.unapplied if n.unapplied is not None else Money.zero(n.amount.currency)
            s.credit_notes[n.number] = replace(n, unapplied=unapplied, id=s.next_id("credit_notes"))
        _add_allocations(s, allocations, s.credit_notes)

    def for_customer(self, customer_id: str) -> list[CreditNote]:
        found = [n for n in self._s.credit_notes.values() if n.customer_id == customer_id]
        return sorted(found, key=lambda n: (n.date, n.id or 0))


def _json(data: dict[str, Any]) -> dict[str, Any]:
    """What a JSON column gives back: refuses what it cannot store, turns tuples into lists."""
    return dict(json.loads(json.dumps(data)))


class FakeActivities(_Repo):
    """Append-only: there is no way to change or remove an entry."""

    def add_many(self, activities: Sequence[Activity]) -> None:
        s = self._write()
        for a in activities:
            self._customer_exists(a.customer_id, f"activity {a.kind!r}")
            s.activities.append(replace(a, data=_json(a.data), id=s.next_id("activities")))

    def last_id(self, customer_id: str) -> int:
        return max((a.id or 0 for a in self._s.activities if a.customer_id == customer_id), default=0)

    def for_customer(self, customer_id: str, *, limit: int | None = None) -> list[Activity]:
        found = [a for a in self._s.activities if a.customer_id == customer_id]
        found.sort(key=lambda a: (a.at, a.id or 0), reverse=True)
        return [replace(a, data=copy.deepcopy(a.data)) for a in found[:limit]]

    def recent(
        self, customer_ids: Collection[str] | None, kinds: Collection[str], since: dt.datetime
    ) -> list[Activity]:
        wanted, kinds = None if customer_ids is None else set(customer_ids), set(kinds)
        found = [
            a
            for a in self._s.activities
            if (wanted is None or a.customer_id in wanted) and a.kind in kinds and a.at >= since
        ]
        return [
            replace(a, data=copy.deepcopy(a.data)) for a in sorted(found, key=lambda a: (a.at, a.id or 0))
        ]


class FakeQueries(_Repo):
    def aging(self, as_of: dt.date, edges: Sequence[int]) -> AgingReport:
        """Open balance as of ``as_of``: amount minus the allocations applied by that day.

        Deliberately ignores the stored balance, status and closing date, so it
        checks the SQL's shortcut through them.
        """
        s = self._s
        applied: dict[str, list[Money]] = {}
        for a in s.allocations:
            if a.applied_on <= as_of:
                applied.setdefault(a.invoice_number, []).append(a.amount)
        items = []
        for inv in s.invoices.values():
            if inv.issue_date > as_of:
                continue
            open_then = inv.amount - total(applied.get(inv.number, []), inv.currency)
            customer = s.customers[inv.customer_id]
            items.append((inv.customer_id, customer.name, inv.currency, inv.due_date, open_then))
        return build_report(as_of, items, edges)

    def allocations_for(self, invoice_numbers: Collection[str]) -> list[Allocation]:
        wanted = set(invoice_numbers)
        indexed = [(i, a) for i, a in enumerate(self._s.allocations) if a.invoice_number in wanted]
        return [a for _, a in sorted(indexed, key=lambda ia: (ia[1].applied_on, ia[0]))]

    def work_facts(
        self, customer_ids: Collection[str], *, as_of: dt.date, old_before: dt.date
    ) -> dict[str, WorkFacts]:
        found = {cid: WorkFacts() for cid in customer_ids}
        for i in self._s.invoices.values():
            facts = found.get(i.customer_id)
            if facts is None:
                continue
            if i.status is InvoiceStatus.OPEN and i.due_date < as_of:
                minor, oldest = facts.overdue.get(i.currency, (0, i.due_date))
                facts.overdue[i.currency] = (minor + i.open_balance.minor, min(oldest, i.due_date))
            if i.status is InvoiceStatus.OPEN and i.due_date <= old_before:
                facts.old_open.append((i.number, i.currency, i.due_date))
            if i.status is InvoiceStatus.PAID and i.closed_on is not None:
                facts.paid += 1
                if i.closed_on > i.due_date:
                    facts.paid_late += 1
                    facts.days_late += (i.closed_on - i.due_date).days
        for promise in self._s.promises.values():
            if promise.customer_id in found and promise.status is PromiseStatus.BROKEN:
                found[promise.customer_id].broken += 1
        return found

    def paid_history(self, customer_ids: Collection[str]) -> dict[str, list[tuple[str, dt.date, dt.date]]]:
        wanted = set(customer_ids)
        found: dict[str, list[tuple[str, dt.date, dt.date]]] = {}
        for i in sorted(self._s.invoices.values(), key=lambda i: (i.due_date, i.number)):
            if i.customer_id in wanted and i.status is InvoiceStatus.PAID and i.closed_on is not None:
                found.setdefault(i.customer_id, []).append((i.currency, i.due_date, i.closed_on))
        return found

    def case_items(
        self,
        *,
        due_by: dt.date,
        ladder: Sequence[tuple[str, dt.date]] | None,
        always: Collection[str],
        customers: Collection[str] | None = None,
    ) -> list[Invoice]:
        """Like the SQL: the cases with an invoice behind on the ladder, by a plain loop."""
        s = self._s
        items = [
            i
            for i in s.invoices.values()
            if i.closed_on is None
            and i.due_date <= due_by
            and (customers is None or i.customer_id in customers)
        ]
        if ladder is None:
            cases = {(i.customer_id, i.currency) for i in items}
        else:
            rank = {step: r for r, (step, _d) in enumerate(ladder)}
            recorded: dict[str, int] = {}
            for (number, step), _record in s.steps.items():
                recorded[number] = max(recorded.get(number, -1), rank.get(step, -1))
            cases = set()
            for i in items:
                reached = max((r for r, (_s, day) in enumerate(ladder) if i.due_date <= day), default=-1)
                if reached > recorded.get(i.number, -1) or i.customer_id in always:
                    cases.add((i.customer_id, i.currency))
        chosen = [i for i in items if (i.customer_id, i.currency) in cases]
        return sorted(chosen, key=lambda i: (i.customer_id, i.currency, i.due_date, i.number))


R = TypeVar("R", Promise, PaymentPlan, Dispute, Hold, Settlement)


class _FakeCaseRecords(_Repo, Generic[R]):
    """Promises, plans, disputes, holds or settlements, like ``case_repos._CaseRecords``."""

    name: ClassVar[str]
    """The table's name: the ``_State`` attribute and the id sequence."""

    def _records(self, s: _State) -> dict[int, R]:
        records: dict[int, R] = getattr(s, self.name)
        return records

    def _in_force(self, record: R) -> bool:
        raise NotImplementedError

    def _changed(self, old: R, new: R) -> R:
        """``old`` with the status fields of ``new`` (what the SQL UPDATE sets)."""
        raise NotImplementedError

    def _check(self, record: R) -> None:
        self._customer_exists(record.customer_id, f"{self.name} record")

    def add(self, record: R) -> R:
        s = self._write()
        self._check(record)
        stored = replace(record, id=s.next_id(self.name))
        self._records(s)[stored.id or 0] = stored
        return stored

    def get(self, record_id: int) -> R | None:
        return self._records(self._s).get(record_id)

    def open_for(self, customer_ids: Collection[str] | None) -> list[R]:
        records = self._records(self._s).values()
        wanted = set(customer_ids) if customer_ids is not None else {r.customer_id for r in records}
        return [r for r in records if r.customer_id in wanted and self._in_force(r)]

    def for_customer(self, customer_id: str) -> list[R]:
        return [r for r in self._records(self._s).values() if r.customer_id == customer_id]

    def replace(self, record: R) -> None:
        if record.id is None:
            raise ValueError("only a stored record (with an id) can be replaced")
        s = self._write()
        old = self._records(s).get(record.id)
        if old is not None:  # like SQL UPDATE: an unknown id changes nothing
            self._records(s)[record.id] = self._changed(old, record)


class FakePromises(_FakeCaseRecords[Promise]):
    name = "promises"

    def _in_force(self, record: Promise) -> bool:
        return record.status is PromiseStatus.OPEN

    def _changed(self, old: Promise, new: Promise) -> Promise:
        return replace(old, status=new.status)


class FakePlans(_FakeCaseRecords[PaymentPlan]):
    name = "plans"

    def _in_force(self, record: PaymentPlan) -> bool:
        return record.status is PlanStatus.ACTIVE

    def _changed(self, old: PaymentPlan, new: PaymentPlan) -> PaymentPlan:
        return replace(old, status=new.status)


class FakeDisputes(_FakeCaseRecords[Dispute]):
    name = "disputes"

    def _check(self, record: Dispute) -> None:
        super()._check(record)
        if record.invoice_number not in self._s.invoices:
            raise ConstraintError(f"dispute on unknown invoice {record.invoice_number!r} (foreign key)")

    def _in_force(self, record: Dispute) -> bool:
        return record.status is DisputeStatus.OPEN

    def _changed(self, old: Dispute, new: Dispute) -> Dispute:
        return replace(old, status=new.status, outcome=new.outcome, resolved_on=new.resolved_on)


class FakeHolds(_FakeCaseRecords[Hold]):
    name = "holds"

    def _in_force(self, record: Hold) -> bool:
        return record.released_on is None

    def _changed(self, old: Hold, new: Hold) -> Hold:
        return replace(old, released_on=new.released_on)


class FakeSettlements(_FakeCaseRecords[Settlement]):
    name = "settlements"

    def _in_force(self, record: Settlement) -> bool:
        return record.status in (SettlementStatus.OFFERED, SettlementStatus.ACCEPTED)

    def _changed(self, old: Settlement, new: Settlement) -> Settlement:
        return replace(old, status=new.status)


class FakeSteps(_Repo):
    def add_many(self, records: Sequence[StepRecord]) -> None:
        s = self._write()
        keys: set[tuple[str, str]] = set()
        for r in records:  # check all first: the SQL insert fails as a whole
            if r.invoice_number not in s.invoices:
                raise ConstraintError(
                    f"step {r.step!r} of unknown invoice {r.invoice_number!r} (foreign key)"
                )
            key = (r.invoice_number, r.step)
            waiting = key in s.steps and s.steps[key].status == StepStatus.WAITING
            if (key in s.steps and not waiting) or key in keys:
                raise ConstraintError(f"step {key!r} exists (unique key)")
            keys.add(key)
        for r in records:
            s.steps[(r.invoice_number, r.step)] = r

    def for_invoices(self, numbers: Collection[str]) -> list[StepRecord]:
        wanted = set(numbers)
        return [r for (number, _), r in self._s.steps.items() if number in wanted]


# What counts as sent for ``last_sent``: done, under way or to be done.
_SENT_OR_PLANNED = (OutboxStatus.PENDING, OutboxStatus.IN_FLIGHT, OutboxStatus.SENT, OutboxStatus.REVIEW)


class FakeOutbox(_Repo):
    def _out(self, item: OutboxItem) -> OutboxItem:
        return replace(item, payload=copy.deepcopy(item.payload))

    def add_many(self, items: Sequence[OutboxItem]) -> int:
        s = self._write()
        for o in items:
            self._customer_exists(o.customer_id, f"outbox item {o.key!r}")
        keys = {o.key for o in s.outbox.values()}
        inserted = 0
        for o in items:
            if o.key in keys:  # ON CONFLICT DO NOTHING
                continue
            keys.add(o.key)
            item_id = s.next_id("outbox")
            s.outbox[item_id] = replace(o, payload=_json(o.payload), id=item_id)
            inserted += 1
        return inserted

    def existing_keys(self, keys: Collection[str]) -> set[str]:
        wanted = set(keys)
        return {o.key for o in self._s.outbox.values() if o.key in wanted}

    def get(self, item_id: int) -> OutboxItem | None:
        item = self._s.outbox.get(item_id)
        return self._out(item) if item is not None else None

    def due(self, now: dt.datetime, *, limit: int | None = None) -> list[OutboxItem]:
        found = [
            o
            for o in self._s.outbox.values()
            if o.status is OutboxStatus.PENDING and (o.not_before is None or o.not_before <= now)
        ]
        return [self._out(o) for o in found[:limit]]

    def with_status(self, status: OutboxStatus, *, limit: int | None = None) -> list[OutboxItem]:
        found = [o for o in self._s.outbox.values() if o.status is status]
        return [self._out(o) for o in found[:limit]]

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
        s = self._write()
        old = s.outbox.get(item_id)
        if old is not None:  # like SQL UPDATE: an unknown id changes nothing
            s.outbox[item_id] = replace(
                old,
                status=status,
                updated_at=at,
                error=error,
                attempts=old.attempts if attempts is None else attempts,
                not_before=old.not_before if not_before is None else not_before,
            )

    def for_customer(self, customer_id: str) -> list[OutboxItem]:
        return [self._out(o) for o in self._s.outbox.values() if o.customer_id == customer_id]

    def last_sent(
        self, cases: Collection[CaseKey], actions: Collection[str], *, since: dt.date | None = None
    ) -> dict[CaseKey, dt.date]:
        wanted, acts = set(cases), set(actions)
        found: dict[CaseKey, dt.date] = {}
        for o in self._s.outbox.values():
            case = CaseKey(o.customer_id, o.currency)
            if case in wanted and o.action in acts and o.status in _SENT_OR_PLANNED:
                found[case] = max(found.get(case, o.as_of), o.as_of)
        return found


def _task_key(t: Task) -> tuple[str, str, str, str]:
    return (t.kind.value, t.customer_id, t.currency, t.key)


class FakeTasks(_Repo):
    def _out(self, task: Task) -> Task:
        return replace(task, data=copy.deepcopy(task.data))

    def add_many(self, tasks: Sequence[Task]) -> int:
        s = self._write()
        for t in tasks:
            self._customer_exists(t.customer_id, f"task {t.reason!r}")
        taken = {_task_key(t) for t in s.tasks.values() if t.status is TaskStatus.OPEN}
        inserted = 0
        for t in tasks:
            if t.status is TaskStatus.OPEN:  # only open tasks are unique (a partial index)
                if _task_key(t) in taken:
                    continue
                taken.add(_task_key(t))
            task_id = s.next_id("tasks")
            s.tasks[task_id] = replace(t, data=_json(t.data), id=task_id)
            inserted += 1
        return inserted

    def get(self, task_id: int) -> Task | None:
        task = self._s.tasks.get(task_id)
        return self._out(task) if task is not None else None

    def open(self, *, customer_ids: Collection[str] | None = None, assignee: str | None = None) -> list[Task]:
        wanted = None if customer_ids is None else set(customer_ids)
        return [
            self._out(t)
            for t in self._s.tasks.values()
            if t.status is TaskStatus.OPEN
            and (wanted is None or t.customer_id in wanted)
            and (assignee is None or t.assignee == assignee)
        ]

    def close(self, task_id: int, status: TaskStatus, *, at: dt.datetime) -> None:
        s = self._write()
        old = s.tasks.get(task_id)
        if old is not None:
            s.tasks[task_id] = replace(old, status=status)

    def get_many(self, ids: Collection[int]) -> dict[int, Task]:
        return {i: self._out(self._s.tasks[i]) for i in ids if i in self._s.tasks}

    def ranking(
        self,
        *,
        due_by: dt.date,
        assignee: str | None = None,
        owner: str | None = None,
        offset: int = 0,
        limit: int | None = None,
    ) -> list[Ranked]:
        scores, people = self._s.task_scores, self._s.customers
        found = [
            Ranked(i, t.customer_id, t.due, *scores.get(i, (None, None)))
            for i, t in sorted(self._s.tasks.items())
            if t.status is TaskStatus.OPEN
            and t.due <= due_by
            and (assignee is None or t.assignee in (assignee, ""))
            and (owner is None or people[t.customer_id].sales_owner.lower() == owner.lower())
        ]
        if offset or limit is not None:
            found.sort(key=lambda r: (-(r.score or 0.0), r.due, r.id))
            found = found[offset : None if limit is None else offset + limit]
        return found

    def count_ranking(
        self, *, due_by: dt.date, scored_on: dt.date, assignee: str | None = None, owner: str | None = None
    ) -> tuple[int, int]:
        found = self.ranking(due_by=due_by, assignee=assignee, owner=owner)
        return len(found), sum(1 for r in found if r.scored_on != scored_on or r.score is None)

    def set_scores(self, scores: Mapping[int, float], *, on: dt.date) -> None:
        s = self._write()
        for i, score in scores.items():
            s.task_scores[i] = (score, on)


class FakeChecklists(_Repo):
    def record(self, case: CaseKey, question: str, answer: bool, *, by: str, at: dt.datetime) -> None:
        s = self._write()
        self._customer_exists(case.customer_id, f"checklist answer {question!r}")
        s.checklist_answers.append(_Answer(s.next_id("checklist_answers"), case, question, answer, by, at))

    def answers(self, cases: Collection[CaseKey]) -> dict[CaseKey, dict[str, bool]]:
        wanted = set(cases)
        found: dict[CaseKey, dict[str, bool]] = {}
        for a in sorted(self._s.checklist_answers, key=lambda a: (a.at, a.id)):
            if a.case in wanted:  # later answers overwrite earlier ones
                found.setdefault(a.case, {})[a.question] = a.answer
        return found

    def customers_answered_since(self, at: dt.datetime) -> set[str]:
        return {a.case.customer_id for a in self._s.checklist_answers if a.at >= at}


class FakeApprovals(_Repo):
    def add(self, case: CaseKey, step: str, *, by: str, at: dt.datetime) -> None:
        s = self._write()
        self._customer_exists(case.customer_id, f"approval of {step!r}")
        s.approvals[s.next_id("approvals")] = _Approval(case, step, by, at)

    def unused(self, cases: Collection[CaseKey]) -> dict[CaseKey, set[str]]:
        wanted = set(cases)
        found: dict[CaseKey, set[str]] = {}
        for a in self._s.approvals.values():
            if a.case in wanted and a.used_on is None:
                found.setdefault(a.case, set()).add(a.step)
        return found

    def customers_with_unused(self) -> set[str]:
        return {a.case.customer_id for a in self._s.approvals.values() if a.used_on is None}

    def use(self, case: CaseKey, step: str, *, on: dt.date) -> None:
        s = self._write()
        for approval_id, a in list(s.approvals.items()):
            if a.case == case and a.step == step and a.used_on is None:
                s.approvals[approval_id] = replace(a, used_on=on)


class FakeRunLock(_Repo):
    def acquire(self, name: str, *, holder: str, at: dt.datetime) -> None:
        held = self._s.run_locks.get(name)
        if held is not None:
            raise ConcurrentRunError(
                f"the {name!r} lock is held by {held.holder} since {held.acquired_at:%Y-%m-%d %H:%M:%S} UTC; "
                "if no run is going on, the lock can be removed with `recoup run --unlock`"
            )
        self._write().run_locks[name] = _Lock(holder, at.astimezone(dt.UTC))

    def release(self, name: str) -> None:
        self._write().run_locks.pop(name, None)

    def holder(self, name: str) -> str | None:
        held = self._s.run_locks.get(name)
        return held.holder if held else None


class FakeUnitOfWork:
    """One transaction on a ``FakeStore``; use as ``with uow: ...; uow.commit()``."""

    customers: FakeCustomers
    contacts: FakeContacts
    invoices: FakeInvoices
    payments: FakePayments
    credit_notes: FakeCreditNotes
    activities: FakeActivities
    queries: FakeQueries
    promises: FakePromises
    plans: FakePlans
    disputes: FakeDisputes
    holds: FakeHolds
    settlements: FakeSettlements
    steps: FakeSteps
    outbox: FakeOutbox
    tasks: FakeTasks
    checklists: FakeChecklists
    approvals: FakeApprovals
    locks: FakeRunLock

    def __init__(self, store: FakeStore) -> None:
        self.store = store
        self._state: _State | None = None
        self.dirty = False

    @property
    def state(self) -> _State:
        assert self._state is not None, "use the unit of work inside 'with'"
        return self._state

    def _begin(self) -> None:
        self._state = self.store.committed.copy()
        self._base_version = self.store.version
        self.dirty = False

    def __enter__(self) -> Self:
        self._begin()
        self.customers = FakeCustomers(self)
        self.contacts = FakeContacts(self)
        self.invoices = FakeInvoices(self)
        self.payments = FakePayments(self)
        self.credit_notes = FakeCreditNotes(self)
        self.activities = FakeActivities(self)
        self.queries = FakeQueries(self)
        self.promises = FakePromises(self)
        self.plans = FakePlans(self)
        self.disputes = FakeDisputes(self)
        self.holds = FakeHolds(self)
        self.settlements = FakeSettlements(self)
        self.steps = FakeSteps(self)
        self.outbox = FakeOutbox(self)
        self.tasks = FakeTasks(self)
        self.checklists = FakeChecklists(self)
        self.approvals = FakeApprovals(self)
        self.locks = FakeRunLock(self)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.rollback()
        self._state = None

    def commit(self) -> None:
        state = self.state
        if self.dirty:
            if self.store.version != self._base_version:
                raise ConcurrentCommitError("another unit of work committed in the meantime")
            self.store.committed = state.copy()
            self.store.version += 1
        self._begin()

    def rollback(self) -> None:
        if self._state is not None:
            self._begin()


class FakeUnitOfWorkFactory:
    """Units of work on one shared in-memory store."""

    def __init__(self, store: FakeStore | None = None) -> None:
        self.store = store or FakeStore()

    def __call__(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.store)
