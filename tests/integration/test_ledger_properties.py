"""Properties of the ledger service over random histories.

Payments and credit notes arrive in random batches, dated in any order, naming
invoices or not, in the invoices' currencies or not. Whatever happens, money
is never lost or invented (checked on the fake), and the SQL aging of any day
equals the fake's independent computation (checked on SQLite).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builders import AT, customer, invoice
from fakes import FakeUnitOfWorkFactory
from recoup.adapters.db.engine import make_engine, migrate
from recoup.adapters.db.uow import SqlUnitOfWorkFactory
from recoup.domain.aging import DEFAULT_EDGES
from recoup.domain.invoices import InvoiceStatus
from recoup.domain.money import Money, total
from recoup.domain.payments import CreditNote, Payment
from recoup.services import ledger
from recoup.services.ports import UnitOfWorkFactory

START = dt.date(2026, 1, 1)
INVOICES = [
    ("C1", "A1", "EUR"),
    ("C1", "A2", "EUR"),
    ("C1", "A3", "USD"),
    ("C2", "B1", "EUR"),
    ("C2", "B2", "EUR"),
]


History = tuple[dict[str, int], list[list[Payment | CreditNote]]]


@st.composite
def histories(draw: st.DrawFn) -> History:
    amounts = {number: draw(st.integers(min_value=1, max_value=50_000)) for _, number, _ in INVOICES}
    batches = []
    n = 0
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        batch: list[Payment | CreditNote] = []
        for _ in range(draw(st.integers(min_value=1, max_value=5))):
            n += 1
            cid = draw(st.sampled_from(["C1", "C2"]))
            currency = draw(st.sampled_from(["EUR", "USD"]))
            amount = Money.from_minor(draw(st.integers(min_value=1, max_value=40_000)), currency)
            on = START + dt.timedelta(days=draw(st.integers(min_value=0, max_value=120)))
            mine = [num for c, num, cur in INVOICES if c == cid and cur == currency]
            named = draw(st.lists(st.sampled_from(mine), max_size=2, unique=True)) if mine else []
            if draw(st.booleans()):
                batch.append(Payment(f"P{n:03d}", cid, on, amount, invoices=tuple(named)))
            else:
                batch.append(
                    CreditNote(f"N{n:03d}", cid, on, amount, invoice_number=named[0] if named else "")
                )
        batches.append(batch)
    return amounts, batches


def replay(uow_factory: UnitOfWorkFactory, history: History) -> None:
    """Store the invoices, then each batch of payments and credit notes in its own transaction."""
    amounts, batches = history
    with uow_factory() as uow:
        uow.customers.add_many([customer("C1"), customer("C2")])
        uow.invoices.add_many(
            [
                invoice(
                    number,
                    customer=cid,
                    currency=cur,
                    amount=str(Money.from_minor(amounts[number], cur).amount),
                    issued=START + dt.timedelta(days=7 * i),
                    terms=10 * i,
                )
                for i, (cid, number, cur) in enumerate(INVOICES)
            ]
        )
        uow.commit()
    for batch in batches:
        with uow_factory() as uow:
            ledger.record_payments(uow, [p for p in batch if isinstance(p, Payment)], at=AT, actor="t")
            ledger.record_credit_notes(uow, [c for c in batch if isinstance(c, CreditNote)], at=AT, actor="t")
            uow.commit()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history=histories())
def test_money_is_never_lost_or_invented_whatever_the_order_of_events(history: History) -> None:
    batches = history[1]
    uow_factory = FakeUnitOfWorkFactory()
    replay(uow_factory, history)

    with uow_factory() as uow:
        invoices = uow.invoices.for_customer("C1") + uow.invoices.for_customer("C2")
        allocations = uow.queries.allocations_for([i.number for i in invoices])
        sources = {
            **{p.reference: p for cid in ("C1", "C2") for p in uow.payments.for_customer(cid)},
            **{n.number: n for cid in ("C1", "C2") for n in uow.credit_notes.for_customer(cid)},
        }
        log = [a for cid in ("C1", "C2") for a in uow.activities.for_customer(cid)]

    for inv in invoices:
        mine = [a for a in allocations if a.invoice_number == inv.number]
        assert inv.open_balance == inv.amount - total((a.amount for a in mine), inv.currency)
        assert Money.zero(inv.currency) <= inv.open_balance <= inv.amount
        closed = inv.open_balance.is_zero()
        assert inv.status is (InvoiceStatus.PAID if closed else InvoiceStatus.OPEN)
        assert inv.closed_on == (max(a.applied_on for a in mine) if closed else None)
    owner = {i.number: i.customer_id for i in invoices}
    for ref, src in sources.items():
        used = [a for a in allocations if a.source == ref]
        assert src.unapplied == src.amount - total((a.amount for a in used), src.amount.currency)
        assert all(owner[a.invoice_number] == src.customer_id for a in used)
        assert all(a.applied_on == src.date for a in used)
    assert len(sources) == sum(len(b) for b in batches)
    assert len(log) == len(sources)  # one log entry per payment and per credit note


@pytest.fixture(scope="module")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty migrated SQLite database, copied for each example (migrating is the slow part)."""
    path = tmp_path_factory.mktemp("template") / "empty.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()
    return path


AGING_DAYS = [START + dt.timedelta(days=d) for d in range(-1, 200, 9)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history=histories())
def test_sql_aging_on_any_day_equals_the_fakes_on_random_histories(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory, history: History
) -> None:
    db = tmp_path_factory.mktemp("example") / "recoup.db"
    shutil.copy(sqlite_template, db)
    engine = make_engine(f"sqlite:///{db}")
    try:
        sql, fake = SqlUnitOfWorkFactory(engine), FakeUnitOfWorkFactory()
        replay(sql, history)
        replay(fake, history)
        with sql() as s, fake() as f:
            for as_of in AGING_DAYS:
                assert s.queries.aging(as_of, DEFAULT_EDGES) == f.queries.aging(as_of, DEFAULT_EDGES), as_of
    finally:
        engine.dispose()
