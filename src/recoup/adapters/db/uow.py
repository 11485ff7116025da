"""The SQL unit of work: one connection, one transaction, every repository on it."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine

from recoup.adapters.db.bank_repos import SqlBankLines
from recoup.adapters.db.case_repos import (
    SqlApprovals,
    SqlChecklists,
    SqlDisputes,
    SqlHolds,
    SqlOutbox,
    SqlPlans,
    SqlPromises,
    SqlRunLock,
    SqlSettlements,
    SqlSteps,
    SqlTasks,
)
from recoup.adapters.db.listing import SqlListings
from recoup.adapters.db.metrics_queries import SqlMetrics
from recoup.adapters.db.queries import SqlQueries
from recoup.adapters.db.repositories import (
    SqlActivities,
    SqlContacts,
    SqlCreditNotes,
    SqlCustomers,
    SqlInvoices,
    SqlPayments,
)
from recoup.adapters.db.user_repos import SqlUsers


class SqlUnitOfWork:
    """Use as ``with uow: ...; uow.commit()``; leaving without commit rolls back."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._conn: Connection | None = None

    def __enter__(self) -> Self:
        self._conn = self.engine.connect()
        self._conn.begin()
        conn = self._conn
        self.customers = SqlCustomers(conn)
        self.contacts = SqlContacts(conn)
        self.invoices = SqlInvoices(conn)
        self.payments = SqlPayments(conn)
        self.credit_notes = SqlCreditNotes(conn)
        self.activities = SqlActivities(conn)
        self.queries = SqlQueries(conn)
        self.listings = SqlListings(conn)
        self.metrics = SqlMetrics(conn, self.queries)
        self.promises = SqlPromises(conn)
        self.plans = SqlPlans(conn)
        self.disputes = SqlDisputes(conn)
        self.holds = SqlHolds(conn)
        self.settlements = SqlSettlements(conn)
        self.steps = SqlSteps(conn)
        self.outbox = SqlOutbox(conn)
        self.tasks = SqlTasks(conn)
        self.checklists = SqlChecklists(conn)
        self.approvals = SqlApprovals(conn)
        self.locks = SqlRunLock(conn)
        self.users = SqlUsers(conn)
        self.bank = SqlBankLines(conn)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._conn is not None
        try:
            self.rollback()
        finally:
            self._conn.close()
            self._conn = None

    @property
    def connection(self) -> Connection:
        assert self._conn is not None, "use the unit of work inside 'with'"
        return self._conn

    def commit(self) -> None:
        self.connection.commit()

    def rollback(self) -> None:
        if self._conn is not None and self._conn.in_transaction():
            self._conn.rollback()


class SqlUnitOfWorkFactory:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine)
