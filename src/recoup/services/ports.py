"""What the services need from storage, as protocols.

The database adapter (``recoup.adapters.db``) implements them on SQLite and
PostgreSQL; the tests' fakes implement them in memory. Services only ever
see these names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol, Self, TypeVar

from recoup.domain.activity import Activity
from recoup.domain.aging import AgingReport
from recoup.domain.cases import CaseKey, Dispute, Hold, PaymentPlan, Promise, Settlement
from recoup.domain.customers import Contact, Customer
from recoup.domain.invoices import Invoice
from recoup.domain.ladder import OutboxItem, OutboxStatus, StepRecord
from recoup.domain.money import Money
from recoup.domain.payments import Allocation, CreditNote, Payment
from recoup.domain.tasks import Task, TaskStatus


class Customers(Protocol):
    def get(self, customer_id: str) -> Customer | None: ...
    def get_many(self, ids: Collection[str]) -> dict[str, Customer]: ...
    def add_many(self, customers: Sequence[Customer]) -> None: ...
    def update_many(self, customers: Sequence[Customer]) -> None: ...
    def list(self, *, offset: int = 0, limit: int | None = None) -> list[Customer]: ...
    def count(self) -> int: ...
    def find_by_tax_id(self, tax_id: str) -> list[Customer]: ...


class Contacts(Protocol):
    def for_customer(self, customer_id: str) -> list[Contact]: ...
    def get_many(self, keys: Collection[tuple[str, str]]) -> dict[tuple[str, str], Contact]: ...
    def add_many(self, contacts: Sequence[Contact]) -> None: ...
    def update_many(self, contacts: Sequence[Contact]) -> None: ...


@dataclass(frozen=True, slots=True)
class InvoiceChange:
    """New balance and status of an invoice after allocations."""

    number: str
    balance: Money
    status: str
    closed_on: dt.date | None


class Invoices(Protocol):
    def get(self, number: str) -> Invoice | None: ...
    def get_many(self, numbers: Collection[str]) -> dict[str, Invoice]: ...
    def add_many(self, invoices: Sequence[Invoice]) -> None: ...
    def open_for_customers(self, customer_ids: Collection[str]) -> list[Invoice]: ...
    def for_customer(self, customer_id: str) -> list[Invoice]: ...
    def change_many(self, changes: Sequence[InvoiceChange]) -> None: ...


class Payments(Protocol):
    def get_many(self, references: Collection[str]) -> dict[str, Payment]: ...
    def add_many(self, payments: Sequence[Payment], allocations: Sequence[Allocation]) -> None: ...
    def for_customer(self, customer_id: str) -> list[Payment]: ...


class CreditNotes(Protocol):
    def get_many(self, numbers: Collection[str]) -> dict[str, CreditNote]: ...
    def add_many(self, notes: Sequence[CreditNote], allocations: Sequence[Allocation]) -> None: ...
    def for_customer(self, customer_id: str) -> list[CreditNote]: ...


class Activities(Protocol):
    def add_many(self, activities: Sequence[Activity]) -> None: ...
    def for_customer(self, customer_id: str, *, limit: int | None = None) -> list[Activity]: ...


class Queries(Protocol):
    """Read models computed by the store, set-based where it is a database."""

    def aging(self, as_of: dt.date, edges: Sequence[int]) -> AgingReport: ...
    def allocations_for(self, invoice_numbers: Collection[str]) -> list[Allocation]: ...


R = TypeVar("R", Promise, PaymentPlan, Dispute, Hold, Settlement)


class CaseRecords(Protocol[R]):
    """Promises, plans, disputes, holds or settlements: one repository shape for all five.

    ``open_for`` gives the records still in force (promise open, plan active,
    dispute open, hold not released, settlement offered or accepted), oldest first.
    ``replace`` stores the changed status fields of a stored record (matched by id).
    """

    def add(self, record: R) -> R: ...
    def get(self, record_id: int) -> R | None: ...
    def open_for(self, customer_ids: Collection[str]) -> list[R]: ...
    def for_customer(self, customer_id: str) -> list[R]: ...
    def replace(self, record: R) -> None: ...


class Steps(Protocol):
    """Which ladder steps each invoice has taken or skipped; (invoice, step) is unique."""

    def add_many(self, records: Sequence[StepRecord]) -> None: ...
    def for_invoices(self, numbers: Collection[str]) -> list[StepRecord]: ...


class Outbox(Protocol):
    def add_many(self, items: Sequence[OutboxItem]) -> int:
        """Insert the items whose key is new; return how many were inserted."""
        ...

    def existing_keys(self, keys: Collection[str]) -> set[str]: ...
    def get(self, item_id: int) -> OutboxItem | None: ...
    def due(self, now: dt.datetime, *, limit: int | None = None) -> list[OutboxItem]:
        """Pending items whose ``not_before`` is empty or has come, oldest first."""
        ...

    def with_status(self, status: OutboxStatus, *, limit: int | None = None) -> list[OutboxItem]: ...
    def mark(
        self,
        item_id: int,
        status: OutboxStatus,
        *,
        at: dt.datetime,
        error: str = "",
        attempts: int | None = None,
    ) -> None: ...
    def for_customer(self, customer_id: str) -> list[OutboxItem]: ...
    def last_sent(self, cases: Collection[CaseKey], actions: Collection[str]) -> dict[CaseKey, dt.date]:
        """The latest ``as_of`` of a sent or pending item with one of ``actions``, per case."""
        ...


class Tasks(Protocol):
    def add_many(self, tasks: Sequence[Task]) -> int:
        """Insert the tasks whose ``unique_key`` has no open task yet; return how many were inserted."""
        ...

    def get(self, task_id: int) -> Task | None: ...
    def open(
        self, *, customer_ids: Collection[str] | None = None, assignee: str | None = None
    ) -> list[Task]: ...
    def close(self, task_id: int, status: TaskStatus, *, at: dt.datetime) -> None: ...


class Checklists(Protocol):
    def record(self, case: CaseKey, question: str, answer: bool, *, by: str, at: dt.datetime) -> None: ...
    def answers(self, cases: Collection[CaseKey]) -> dict[CaseKey, dict[str, bool]]:
        """The latest answer to each question, per case (cases without answers are absent)."""
        ...


class Approvals(Protocol):
    def add(self, case: CaseKey, step: str, *, by: str, at: dt.datetime) -> None: ...
    def unused(self, cases: Collection[CaseKey]) -> dict[CaseKey, set[str]]:
        """Steps approved and not yet taken, per case."""
        ...

    def use(self, case: CaseKey, step: str, *, on: dt.date) -> None: ...


class RunLock(Protocol):
    """One run at a time, across processes: a row that only one holder can insert."""

    def acquire(self, name: str, *, holder: str, at: dt.datetime) -> None:
        """Take the lock or raise ConcurrentRunError naming who holds it since when."""
        ...

    def release(self, name: str) -> None: ...


class UnitOfWork(Protocol):
    """One transaction: everything done through it is committed together or not at all."""

    customers: Customers
    contacts: Contacts
    invoices: Invoices
    payments: Payments
    credit_notes: CreditNotes
    activities: Activities
    queries: Queries
    promises: CaseRecords[Promise]
    plans: CaseRecords[PaymentPlan]
    disputes: CaseRecords[Dispute]
    holds: CaseRecords[Hold]
    settlements: CaseRecords[Settlement]
    steps: Steps
    outbox: Outbox
    tasks: Tasks
    checklists: Checklists
    approvals: Approvals
    locks: RunLock

    def __enter__(self) -> Self: ...
    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...
