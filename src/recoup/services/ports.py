"""What the services need from storage, as protocols.

The database adapter (``recoup.adapters.db``) implements them on SQLite and
PostgreSQL; the tests' fakes implement them in memory. Services only ever
see these names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Protocol, Self, TypeVar

from recoup.domain.activity import Activity
from recoup.domain.aging import AgingReport
from recoup.domain.cases import CaseKey, Dispute, Hold, PaymentPlan, Promise, Settlement
from recoup.domain.customers import Contact, Customer
from recoup.domain.invoices import Invoice
from recoup.domain.ladder import OutboxItem, OutboxStatus, StepRecord
from recoup.domain.matching import Item
from recoup.domain.metrics import Collected, ForecastWeek, OpenAr, PaymentPattern
from recoup.domain.money import Money
from recoup.domain.payments import Allocation, CreditNote, Payment
from recoup.domain.statements import LineStatus, StatementLine
from recoup.domain.tasks import Task, TaskStatus
from recoup.domain.users import User


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
    def for_customers(self, customer_ids: Collection[str]) -> dict[str, list[Contact]]: ...
    def get_many(self, keys: Collection[tuple[str, str]]) -> dict[tuple[str, str], Contact]: ...
    def add_many(self, contacts: Sequence[Contact]) -> None: ...
    def update_many(self, contacts: Sequence[Contact]) -> None: ...


@dataclass(frozen=True, slots=True)
class InvoiceChange:
    """New balance and status of an invoice after allocations, and its earliest allocation's day."""

    number: str
    balance: Money
    status: str
    closed_on: dt.date | None
    first_applied_on: dt.date | None = None


class Invoices(Protocol):
    def get(self, number: str) -> Invoice | None: ...
    def get_many(self, numbers: Collection[str]) -> dict[str, Invoice]: ...
    def add_many(self, invoices: Sequence[Invoice]) -> None: ...
    def open_for_customers(self, customer_ids: Collection[str]) -> list[Invoice]: ...
    def for_customer(self, customer_id: str) -> list[Invoice]: ...
    def change_many(self, changes: Sequence[InvoiceChange]) -> None: ...
    def add_adjustments(self, allocations: Sequence[Allocation]) -> None:
        """Store write-off and settlement allocations (they have no payment or credit note)."""
        ...


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
    def recent(
        self, customer_ids: Collection[str] | None, kinds: Collection[str], since: dt.datetime
    ) -> list[Activity]:
        """Entries of these kinds for these customers (None: every customer) at or after ``since``,
        oldest first."""
        ...

    def for_customer(self, customer_id: str, *, limit: int | None = None) -> list[Activity]: ...
    def last_id(self, customer_id: str) -> int:
        """The id of the customer's latest entry, 0 when none: the case's version (services.versions)."""
        ...


@dataclass(frozen=True, slots=True)
class ApiToken:
    """A token a script signs in with; only its SHA-256 is stored, the token is shown once."""

    id: int
    user_email: str
    name: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None = None


class Users(Protocol):
    def get(self, email: str) -> User | None: ...
    def list(self) -> list[User]: ...
    def count(self) -> int: ...
    def add(self, user: User) -> None: ...
    def update(self, user: User) -> None: ...
    def add_token(self, email: str, name: str, token_hash: str, at: dt.datetime) -> int: ...
    def by_token(self, token_hash: str) -> tuple[User, ApiToken] | None: ...
    def tokens(self, email: str) -> list[ApiToken]: ...
    def revoke_token(self, token_id: int, at: dt.datetime) -> bool: ...
    def secret(self, name: str) -> str | None: ...
    def keep_secret(self, name: str, value: str) -> str:
        """Store ``value`` under ``name`` unless one is there already; return the one kept."""
        ...


@dataclass(frozen=True, slots=True)
class StoredLine:
    """A statement line as stored, with where cash application left it.

    Fields:
        id: storage id; line: the credit as the bank reported it (domain.statements.StatementLine).
        status: matched, review, unapplied or unknown (LineStatus).
        customer_id: the payer, once known; payment_reference: the payment made from it, once applied.
        confidence: of the best match (0..1), None before matching.
        suggestions: ranked candidates for the review queue, each a dict (customer_id, invoices,
            amount, confidence, reason).
    """

    id: int
    line: StatementLine
    status: LineStatus
    customer_id: str | None = None
    payment_reference: str | None = None
    confidence: float | None = None
    suggestions: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class LineDecision:
    """Where cash application leaves one stored line (BankLines.decide_many)."""

    line_id: int
    status: LineStatus
    customer_id: str | None = None
    payment_reference: str | None = None
    confidence: float | None = None
    suggestions: list[dict[str, Any]] = field(default_factory=list)
    by: str = ""
    at: dt.datetime | None = None


class BankLines(Protocol):
    def add_new(self, lines: Sequence[StatementLine], *, at: dt.datetime) -> list[StoredLine]:
        """Store the lines whose key is not stored yet (status 'unknown'); return those, in order."""
        ...

    def get_many(self, ids: Collection[int]) -> dict[int, StoredLine]: ...
    def with_status(
        self, statuses: Collection[LineStatus], *, limit: int | None = None
    ) -> list[StoredLine]: ...
    def decide(
        self,
        line_id: int,
        status: LineStatus,
        *,
        customer_id: str | None = None,
        payment_reference: str | None = None,
        confidence: float | None = None,
        suggestions: list[dict[str, Any]] | None = None,
        by: str = "",
        at: dt.datetime | None = None,
    ) -> None: ...
    def payers(self, ibans: Collection[str]) -> dict[str, list[str]]:
        """The customers each IBAN is known to pay for."""
        ...

    def learn(self, iban: str, customer_id: str, *, by: str, at: dt.datetime) -> bool:
        """Remember that ``iban`` pays for ``customer_id``; False when it was known."""
        ...

    def decide_many(self, decisions: Sequence[LineDecision]) -> None: ...
    def open_items(self, *, keys: Collection[str], customers: Collection[str]) -> list[Item]:
        """The open invoices whose number has one of ``keys`` (domain.matching.number_keys), and
        every open invoice of ``customers``, as matching sees them."""
        ...

    def customers_by_key(
        self, *, names: Collection[str], ids: Collection[str]
    ) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """Customers by the name key of their name (matching.name_key) and by their compacted id."""
        ...


class Queries(Protocol):
    """Read models computed by the store, set-based where it is a database."""

    def aging(self, as_of: dt.date, edges: Sequence[int]) -> AgingReport: ...
    def allocations_for(self, invoice_numbers: Collection[str]) -> list[Allocation]: ...
    def work_facts(
        self, customer_ids: Collection[str], *, as_of: dt.date, old_before: dt.date
    ) -> dict[str, WorkFacts]:
        """Per customer, the facts the worklist ranks by (WorkFacts), summed by the store;
        ``old_open`` lists the open invoices due on or before ``old_before``."""
        ...

    def paid_history(self, customer_ids: Collection[str]) -> dict[str, list[tuple[str, dt.date, dt.date]]]:
        """Per customer, its paid invoices as (currency, due date, day paid), by due date."""
        ...

    def case_items(
        self,
        *,
        due_by: dt.date,
        ladder: Sequence[tuple[str, dt.date]] | None,
        always: Collection[str],
        customers: Collection[str] | None = None,
    ) -> list[Invoice]:
        """The open invoices due by ``due_by`` of the cases that may need something.

        A case is selected when one of its open invoices has reached a step of
        ``ladder`` ((step id, latest due date reaching it) in ladder order) that
        it has not taken or skipped, or when its customer is in ``always``. With
        ``ladder`` None every case with an open invoice due by then is selected.
        ``customers`` limits the selection to those customers.
        """
        ...


class MetricsQueries(Protocol):
    """The sums AR metrics are made of (domain.metrics), per currency, set-based where it is a database.

    Days are inclusive: ``first``..``last`` is the period (as_of - period_days, as_of].
    """

    def open_ar(self, as_of: dt.date, edges: Sequence[int]) -> dict[str, OpenAr]:
        """Per currency, the balance open on ``as_of`` by aging bucket, and what is more than 90 days late."""
        ...

    def sales(self, windows: Sequence[tuple[dt.date, dt.date]]) -> dict[str, list[Money]]:
        """Per currency, the amounts of the invoices issued in each window (first, last), in order."""
        ...

    def applied(self, first: dt.date, last: dt.date) -> dict[tuple[str, str], Money]:
        """Amounts applied from ``first`` to ``last`` per (currency, allocation kind)."""
        ...

    def promises(self, first: dt.date, last: dt.date) -> dict[str, int]:
        """Promises made from ``first`` to ``last`` by status ('kept', 'broken', 'open') as of ``last``:
        one dated after ``last`` is open whatever its status; cancelled ones are left out."""
        ...

    def disputes(self, first: dt.date, last: dt.date) -> tuple[int, int, int, list[tuple[int, int]]]:
        """Disputes opened in the period, resolved in it, open on ``last``, and the cycle days
        (resolved_on - opened_on) of those resolved in it as (days, how many)."""
        ...

    def collected_by_step(self, first: dt.date, last: dt.date) -> list[Collected]:
        """Payments applied in the period per currency and the last ladder step taken for the invoice
        on or before the day applied (domain.metrics.BEFORE_ANY_STEP without one)."""
        ...

    def collected_by_collector(self, first: dt.date, last: dt.date) -> list[Collected]:
        """Payments applied in the period per currency and the person who last worked the customer in
        the COLLECTOR_WINDOW_DAYS before (domain.metrics.is_person; AUTOMATIC without one)."""
        ...

    def patterns(self, as_of: dt.date) -> list[PaymentPattern]:
        """Per customer and currency, how it paid the invoices paid in the PATTERN_MONTHS up to as_of."""
        ...

    def forecast(self, as_of: dt.date) -> list[ForecastWeek]:
        """Per currency and week, the open balance not in open dispute, expected on its due date plus
        the customer's average days late (domain.metrics.forecast_week); weeks with nothing left out."""
        ...


class Listings(Protocol):
    """Paged, filtered lists (the API, the desk): each a set-based page and a count of all that match.

    Every list returns ``(rows, total)``. ``sales_owner`` keeps the customers (or their records)
    whose sales owner is that email, compared without case.
    """

    def customers(
        self,
        *,
        q: str | None,
        country: str | None,
        sales_owner: str | None,
        overdue_as_of: dt.date | None,
        order: str,
        offset: int,
        limit: int,
    ) -> tuple[list[Customer], int]: ...
    def balances(
        self, customer_ids: Collection[str], as_of: dt.date
    ) -> dict[str, dict[str, tuple[Money, Money]]]:
        """Per customer and currency, the (open, overdue) balance of the invoices open and issued by
        ``as_of``."""
        ...

    def invoices(
        self,
        *,
        customer_id: str | None,
        status: str | None,
        currency: str | None,
        overdue_as_of: dt.date | None,
        q: str | None,
        sales_owner: str | None,
        offset: int,
        limit: int,
    ) -> tuple[list[Invoice], int]: ...
    def payments(
        self,
        *,
        customer_id: str | None,
        currency: str | None,
        since: dt.date | None,
        until: dt.date | None,
        unapplied_only: bool,
        sales_owner: str | None,
        offset: int,
        limit: int,
    ) -> tuple[list[Payment], int]: ...
    def activities(
        self,
        customer_id: str,
        *,
        kinds: Collection[str] | None,
        since: dt.datetime | None,
        offset: int,
        limit: int,
    ) -> tuple[list[Activity], int]: ...
    def tasks(
        self,
        *,
        status: str | None,
        customer_id: str | None,
        assignee: str | None,
        kind: str | None,
        due_by: dt.date | None,
        sales_owner: str | None,
        offset: int,
        limit: int,
    ) -> tuple[list[Task], int]: ...


R = TypeVar("R", Promise, PaymentPlan, Dispute, Hold, Settlement)


class CaseRecords(Protocol[R]):
    """Promises, plans, disputes, holds or settlements: one repository shape for all five.

    ``open_for`` gives the records still in force (promise open, plan active,
    dispute open, hold not released, settlement offered or accepted), oldest first.
    ``replace`` stores the changed status fields of a stored record (matched by id).
    """

    def add(self, record: R) -> R: ...
    def get(self, record_id: int) -> R | None: ...
    def open_for(self, customer_ids: Collection[str] | None) -> list[R]:
        """Records in force for these customers (None: for every customer)."""
        ...

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
    def last_sent(
        self, cases: Collection[CaseKey], actions: Collection[str], *, since: dt.date | None = None
    ) -> dict[CaseKey, dt.date]:
        """The latest ``as_of`` of a sent or pending item with one of ``actions``, per case (on or after
        ``since`` when given: older ones may be left out)."""
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
    def get_many(self, ids: Collection[int]) -> dict[int, Task]: ...
    def ranking(
        self,
        *,
        due_by: dt.date,
        assignee: str | None = None,
        owner: str | None = None,
        offset: int = 0,
        limit: int | None = None,
    ) -> list[Ranked]:
        """The open tasks due by ``due_by`` (with ``assignee``: its own and the unassigned; with
        ``owner``: of the customers whose sales owner that is), with the score stored for them and
        the day it was worked out (None when never). With ``offset`` or ``limit``: that slice in
        the order of the stored scores (highest first, then due date, then id)."""
        ...

    def count_ranking(
        self, *, due_by: dt.date, scored_on: dt.date, assignee: str | None = None, owner: str | None = None
    ) -> tuple[int, int]:
        """How many tasks ``ranking`` gives, and how many of them have no score of ``scored_on``."""
        ...

    def set_scores(self, scores: Mapping[int, float], *, on: dt.date) -> None: ...


@dataclass(frozen=True, slots=True)
class Ranked:
    """An open task as the worklist orders it."""

    id: int
    customer_id: str
    due: dt.date
    score: float | None
    scored_on: dt.date | None


@dataclass(slots=True)
class WorkFacts:
    """What ranks a customer's tasks, read in one go for many customers (Queries.work_facts).

    Fields:
        overdue: per currency, (overdue open balance in minor units, oldest overdue due date).
        paid, paid_late, days_late: invoices paid (closed), those paid after their due date, and the
            sum of their days late.
        broken: promises broken.
        old_open: open invoices old enough to be near a limitation period: (number, currency, due date).
    """

    overdue: dict[str, tuple[int, dt.date]] = field(default_factory=dict)
    paid: int = 0
    paid_late: int = 0
    days_late: int = 0
    broken: int = 0
    old_open: list[tuple[str, str, dt.date]] = field(default_factory=list)


class Checklists(Protocol):
    def customers_answered_since(self, at: dt.datetime) -> set[str]: ...
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
    def customers_with_unused(self) -> set[str]: ...


class RunLock(Protocol):
    """One run at a time, across processes: a row that only one holder can insert."""

    def acquire(self, name: str, *, holder: str, at: dt.datetime) -> None:
        """Take the lock or raise ConcurrentRunError naming who holds it since when."""
        ...

    def release(self, name: str) -> None: ...
    def holder(self, name: str) -> str | None:
        """Who holds the lock ('host pid N'), None if nobody."""
        ...


class UnitOfWork(Protocol):
    """One transaction: everything done through it is committed together or not at all."""

    customers: Customers
    contacts: Contacts
    invoices: Invoices
    payments: Payments
    credit_notes: CreditNotes
    activities: Activities
    queries: Queries
    listings: Listings
    metrics: MetricsQueries
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
    users: Users
    bank: BankLines

    def __enter__(self) -> Self: ...
    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...


@dataclass(frozen=True, slots=True)
class Receipt:
    """What a channel reports after doing an outbox item.

    Fields:
        summary: one sentence for the activity log.
        document: reference to the stored copy (a message id, a PDF path), '' if none.
        data: details kept in the log entry (subject, body, recipients...).
    """

    summary: str
    document: str = ""
    data: dict[str, object] = field(default_factory=dict)


class TransientChannelError(Exception):
    """The channel could not do it now (server down, timeout): try again later."""


class PermanentChannelError(Exception):
    """The channel refused it for good (address rejected...): the reason is kept."""


class Documents(Protocol):
    """Where copies of what was sent are kept, by content: a reference names the bytes' SHA-256."""

    def put(self, data: bytes, *, suffix: str) -> str:
        """Store ``data`` once; return its reference ``sha256:<hex>.<suffix>``."""
        ...

    def get(self, ref: str) -> bytes:
        """The stored bytes, checked against their hash."""
        ...


class Channel(Protocol):
    """Sends one outbox item (an email, a letter, a notice to sales)."""

    def send(self, item: OutboxItem) -> Receipt: ...
