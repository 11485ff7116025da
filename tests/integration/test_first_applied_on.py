"""Each invoice keeps the day of the earliest amount applied to it (migration 0008), on every store.

Aging on a past day reads it: an invoice closed later that nothing was applied to by that day
counts its whole amount without its allocations being looked up.
"""

from __future__ import annotations

import datetime as dt

from alembic import command
from sqlalchemy import text

from builders import AT, credit_note, customer, day, eur, given, invoice, payment
from recoup.adapters.db.engine import alembic_config, make_engine, migrate
from recoup.domain.aging import DEFAULT_EDGES
from recoup.services import reports
from recoup.services.adjustments import close_invoices
from recoup.services.ports import UnitOfWorkFactory


def first_applied(uow_factory: UnitOfWorkFactory) -> dict[str, dt.date | None]:
    with uow_factory() as uow:
        found = uow.invoices.get_many(["INV-1", "INV-2", "INV-3", "INV-4", "INV-5"])
    return {n: i.first_applied_on for n, i in sorted(found.items())}


def test_every_way_of_applying_money_keeps_the_earliest_day(uow_factory: UnitOfWorkFactory) -> None:
    given(
        uow_factory,
        customer("C1"),
        invoice("INV-1", amount="100.00", issued="2026-01-01"),
        invoice("INV-2", amount="50.00", issued="2026-01-01"),
        invoice("INV-3", amount="80.00", issued="2026-01-01"),
        invoice("INV-4", amount="20.00", issued="2026-01-01"),
        invoice("INV-5", amount="10.00", issued="2026-01-01"),
        payment("PAY-MAR", amount="40.00", on="2026-03-10", invoices=["INV-1"]),
        credit_note("CN-1", amount="5.00", on="2026-02-20", invoice="INV-3"),
    )
    assert first_applied(uow_factory) == {
        "INV-1": day("2026-03-10"),
        "INV-2": None,
        "INV-3": day("2026-02-20"),
        "INV-4": None,
        "INV-5": None,
    }
    # recorded later but dated earlier: the earlier day wins, on a partly paid and a fresh invoice
    given(
        uow_factory,
        payment("PAY-FEB", amount="60.00", on="2026-02-10", invoices=["INV-1"]),
        payment("PAY-APR", amount="50.00", on="2026-04-01", invoices=["INV-2"]),
        payment("PAY-JAN", amount="1.00", on="2026-01-15", invoices=["INV-3"]),
    )
    with uow_factory() as uow:
        close_invoices(
            uow, ["INV-4"], on=day("2026-05-01"), settled=False, reason="bankrupt", at=AT, actor="t"
        )
        uow.commit()
    assert first_applied(uow_factory) == {
        "INV-1": day("2026-02-10"),
        "INV-2": day("2026-04-01"),
        "INV-3": day("2026-01-15"),
        "INV-4": day("2026-05-01"),
        "INV-5": None,
    }
    with uow_factory() as uow:
        # INV-1 paid by then; INV-2 (paid in one go later) and INV-4 (written off later) whole;
        # INV-3 80 less the 6.00 applied by then; INV-5 unpaid
        assert reports.aging(uow, day("2026-03-31"), DEFAULT_EDGES).rows[0].total == eur("154.00")
        # and INV-1 closed later but paid in part by then: its 40.00 applied after the day
        assert reports.aging(uow, day("2026-03-01"), DEFAULT_EDGES).rows[0].total == eur("194.00")


def test_the_migration_fills_the_day_of_what_was_stored_before_it(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        migrate(engine, "0007")
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO customers (id, name, kind, country, language, time_zone, currency,"
                    " payment_terms_days) VALUES ('K-7', 'Kappa', 'business', 'DE', 'de', 'Europe/Berlin',"
                    " 'EUR', 30)"
                )
            )
            for number, balance in (("UNPAID", 100), ("PART", 40), ("PAID", 0)):
                conn.execute(
                    text(
                        "INSERT INTO invoices (number, customer_id, issue_date, due_date, currency,"
                        " amount_minor, balance_minor, status, closed_on)"
                        " VALUES (:n, 'K-7', :d, :d, 'EUR', 100, :b, :s, :c)"
                    ),
                    {
                        "n": number,
                        "d": dt.date(2026, 1, 1),
                        "b": balance,
                        "s": "paid" if balance == 0 else "open",
                        "c": dt.date(2026, 3, 1) if balance == 0 else None,
                    },
                )
            for number, amount, on in (
                ("PART", 60, "2026-02-05"),
                ("PAID", 70, "2026-03-01"),
                ("PAID", 30, "2026-01-20"),
            ):
                conn.execute(
                    text(
                        "INSERT INTO allocations"
                        " (invoice_id, kind, source, currency, amount_minor, applied_on)"
                        " SELECT id, 'payment', 'P', 'EUR', :a, :on FROM invoices WHERE number = :n"
                    ),
                    {"n": number, "a": amount, "on": dt.date.fromisoformat(on)},
                )
        migrate(engine)
        with engine.connect() as conn:
            found = dict(conn.execute(text("SELECT number, first_applied_on FROM invoices")).all())
        found = {
            n: v if v is None or isinstance(v, dt.date) else dt.date.fromisoformat(v)
            for n, v in found.items()
        }
        assert found == {"UNPAID": None, "PART": dt.date(2026, 2, 5), "PAID": dt.date(2026, 1, 20)}
        command.downgrade(alembic_config(engine), "0007")  # and back, and up again
        with engine.connect() as conn:
            assert "first_applied_on" not in list(conn.execute(text("SELECT * FROM invoices")).keys())
        migrate(engine)
        with engine.connect() as conn:
            again = dict(conn.execute(text("SELECT number, first_applied_on FROM invoices")).all())
        assert sorted(again) == sorted(found) and again["UNPAID"] is None
    finally:
        engine.dispose()
