"""The activity log: one entry per payment, and the database refuses to change or remove one."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, delete, func, select, text, update
from sqlalchemy.exc import DBAPIError

from builders import AT, credit_note, customer, given, invoice, note, payment
from recoup.adapters.db.tables import activities
from recoup.adapters.db.uow import SqlUnitOfWorkFactory
from recoup.services.ports import UnitOfWorkFactory


def test_each_payment_gets_its_own_log_entry(uow_factory: UnitOfWorkFactory) -> None:
    given(
        uow_factory,
        customer("C1"),
        customer("C2"),
        invoice("INV-1", amount="100.00", due="2026-01-31"),
        invoice("INV-2", amount="50.00", due="2026-02-28"),
        invoice("INV-9", customer="C2", amount="10.00"),
        payment("PAY-1", amount="40.00", on="2026-03-01", invoices=["INV-1"]),
        payment("PAY-2", amount="120.00", on="2026-03-02"),
        payment("PAY-3", customer="C2", amount="10.00", on="2026-03-03", invoices=["INV-9"]),
    )
    with uow_factory() as uow:
        log = [a for a in uow.activities.for_customer("C1") if a.kind == "payment"]
        other = [a for a in uow.activities.for_customer("C2") if a.kind == "payment"]

    # newest first; both stamped at the same instant, so the later entry comes first
    assert [a.text for a in log] == [
        "Payment PAY-2 of 120.00 EUR received on 2026-03-02, applied to INV-1 (60.00), "
        "INV-2 (50.00) (oldest first); 10.00 EUR kept as unapplied cash",
        "Payment PAY-1 of 40.00 EUR received on 2026-03-01, applied to INV-1 (40.00)",
    ]
    assert [a.invoices for a in log] == [("INV-1", "INV-2"), ("INV-1",)]
    assert {(a.at, a.actor, a.customer_id) for a in log} == {(AT, "tester", "C1")}
    assert log[0].data == {
        "reference": "PAY-2",
        "amount": "120.00",
        "currency": "EUR",
        "date": "2026-03-02",
        "unapplied": "10.00",
    }
    assert [a.data["reference"] for a in other] == ["PAY-3"]


def test_a_payment_applied_to_nothing_is_logged_with_its_unapplied_cash(
    uow_factory: UnitOfWorkFactory,
) -> None:
    given(uow_factory, customer("C1"), payment("PAY-1", amount="25.00", on="2026-03-01"))
    with uow_factory() as uow:
        (entry,) = uow.activities.for_customer("C1")
    assert entry.text == "Payment PAY-1 of 25.00 EUR received on 2026-03-01; 25.00 EUR kept as unapplied cash"
    assert entry.invoices == ()


def test_credit_notes_are_logged_too(uow_factory: UnitOfWorkFactory) -> None:
    given(uow_factory, customer("C1"), invoice("INV-1"), credit_note("CN-1", amount="5.00", invoice="INV-1"))
    with uow_factory() as uow:
        (entry,) = uow.activities.for_customer("C1")
    assert (entry.kind, entry.text, entry.invoices) == (
        "credit_note",
        "Credit note CN-1 of 5.00 EUR dated 2026-02-01",
        ("INV-1",),
    )


def test_the_log_lists_newest_first_and_honours_a_limit(uow_factory: UnitOfWorkFactory) -> None:
    hour = dt.timedelta(hours=1)
    given(
        uow_factory,
        customer("C1"),
        note("first", at=AT),
        note("third", at=AT + 2 * hour),
        note("second", at=AT + hour),
    )
    with uow_factory() as uow:
        assert [a.text for a in uow.activities.for_customer("C1")] == ["third", "second", "first"]
        assert [a.text for a in uow.activities.for_customer("C1", limit=2)] == ["third", "second"]


# --- append-only at the database level (SQL stores) ---------------------------------


@pytest.fixture
def logged(sql_uow: SqlUnitOfWorkFactory) -> SqlUnitOfWorkFactory:
    given(sql_uow, customer("C1"), note("called the customer"))
    return sql_uow


def _texts(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(select(activities.c.text)).scalars())


def test_the_database_refuses_to_update_a_log_entry(engine: Engine, logged: SqlUnitOfWorkFactory) -> None:
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(update(activities).values(text="nothing happened"))
    assert _texts(engine) == ["called the customer"]


def test_the_database_refuses_to_delete_a_log_entry(engine: Engine, logged: SqlUnitOfWorkFactory) -> None:
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(delete(activities))
    assert _texts(engine) == ["called the customer"]


def test_the_database_refuses_a_raw_sql_update_too(engine: Engine, logged: SqlUnitOfWorkFactory) -> None:
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text("UPDATE activities SET actor = 'someone else'"))
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).where(activities.c.actor == "someone else")).scalar() == 0


def test_appending_to_the_log_is_still_allowed(engine: Engine, logged: SqlUnitOfWorkFactory) -> None:
    given(logged, note("sent a reminder", at=AT + dt.timedelta(minutes=5)))
    assert sorted(_texts(engine)) == ["called the customer", "sent a reminder"]
