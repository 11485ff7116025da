"""Paged, filtered lists (services.listing) on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from builders import AT, customer, given, invoice, money, note, payment
from recoup.domain.errors import InvalidInputError
from recoup.domain.tasks import Task, TaskKind, TaskStatus
from recoup.services import listing
from recoup.services.ports import UnitOfWorkFactory

AS_OF = dt.date(2026, 6, 30)
ANNA = "anna@supplier.example"


def ledger(sql_uow: UnitOfWorkFactory) -> None:
    """A (Anna's): EUR 300 open of which 100 overdue, USD 50 overdue. B: paid up. C (ANNA in capitals):
    EUR 70 not yet due. D: nothing."""
    given(
        sql_uow,
        customer("A", "Alpha GmbH", sales_owner=ANNA),
        customer("B", "Beta SA", country="FR"),
        customer("C", "Gamma AG", sales_owner=" Anna@Supplier.example "),
        customer("D", "Delta 100% Ltd", country="GB"),
        invoice("A-1", customer="A", amount="100.00", issued="2026-05-01", due="2026-05-31"),
        invoice("A-2", customer="A", amount="200.00", issued="2026-06-20", due="2026-07-20"),
        invoice("A-3", customer="A", amount="50.00", currency="USD", issued="2026-05-01", due="2026-06-01"),
        invoice("A-4", customer="A", amount="999.00", issued="2026-07-15", due="2026-08-15"),  # later
        invoice("B-1", customer="B", amount="80.00", issued="2026-04-01", due="2026-05-01"),
        invoice("C-1", customer="C", amount="70.00", issued="2026-06-10", due="2026-07-10"),
        payment("P-1", customer="B", amount="80.00", on="2026-05-05"),
        payment("P-2", customer="A", amount="30.00", on="2026-06-01", invoices=["A-1"]),
        payment("P-3", customer="A", amount="5.00", currency="USD", on="2026-06-02", invoices=["A-3"]),
    )


def test_customers_come_with_open_and_overdue_balances_per_currency(sql_uow: UnitOfWorkFactory) -> None:
    ledger(sql_uow)
    with sql_uow() as uow:
        rows, total = listing.customers(uow, AS_OF)
    assert total == 4
    assert [r.customer.id for r in rows] == ["A", "B", "C", "D"]
    a = rows[0].balances
    assert list(a) == ["EUR", "USD"]
    # A-1 70.00 left and overdue, A-2 200.00 not yet due, A-4 issued after the day: not counted.
    assert (a["EUR"].open, a["EUR"].overdue) == (money("270.00"), money("70.00"))
    assert (a["USD"].open, a["USD"].overdue) == (money("45.00", "USD"), money("45.00", "USD"))
    assert rows[1].balances == {} and rows[3].balances == {}
    assert (rows[2].balances["EUR"].open, rows[2].balances["EUR"].overdue) == (money("70.00"), money("0"))


def test_customers_filter_by_text_country_owner_and_overdue(sql_uow: UnitOfWorkFactory) -> None:
    ledger(sql_uow)

    def ids(**filters: object) -> tuple[list[str], int]:
        with sql_uow() as uow:
            rows, total = listing.customers(uow, AS_OF, **filters)  # type: ignore[arg-type]
        return [r.customer.id for r in rows], total

    assert ids(q="gmbh") == (["A"], 1)
    assert ids(q="100%") == (["D"], 1)  # a % is a character, not a wildcard
    assert ids(q="a_") == ([], 0)
    assert ids(country="fr") == (["B"], 1)
    assert ids(sales_owner=ANNA) == (["A", "C"], 2)
    assert ids(overdue_only=True) == (["A"], 1)
    assert ids(sales_owner=ANNA, overdue_only=True, q="alpha") == (["A"], 1)
    assert ids(order="name") == (["A", "B", "D", "C"], 4)


def test_a_page_is_a_slice_and_the_total_counts_every_match(sql_uow: UnitOfWorkFactory) -> None:
    given(sql_uow, *[customer(f"K{n:03}") for n in range(120)])
    with sql_uow() as uow:
        first, total = listing.customers(uow, AS_OF, limit=50)
        last, again = listing.customers(uow, AS_OF, offset=100, limit=50)
        beyond, _ = listing.customers(uow, AS_OF, offset=500, limit=50)
    assert total == again == 120
    assert [r.customer.id for r in first] == [f"K{n:03}" for n in range(50)]
    assert [r.customer.id for r in last] == [f"K{n:03}" for n in range(100, 120)]
    assert beyond == []


def test_invoices_filter_by_customer_status_currency_overdue_and_owner(sql_uow: UnitOfWorkFactory) -> None:
    ledger(sql_uow)

    def numbers(**filters: object) -> tuple[list[str], int]:
        with sql_uow() as uow:
            found, total = listing.invoices(uow, **filters)  # type: ignore[arg-type]
        return [i.number for i in found], total

    assert numbers() == (["B-1", "A-1", "A-3", "C-1", "A-2", "A-4"], 6)  # by due date
    assert numbers(customer_id="A", currency="usd") == (["A-3"], 1)
    assert numbers(status="paid") == (["B-1"], 1)
    assert numbers(overdue_as_of=AS_OF) == (["A-1", "A-3"], 2)
    assert numbers(sales_owner=ANNA, q="-1") == (["A-1", "C-1"], 2)
    assert numbers(limit=2, offset=1) == (["A-1", "A-3"], 6)
    with sql_uow() as uow:
        found, _ = listing.invoices(uow, customer_id="A", q="A-1")
    assert found[0].open_balance == money("70.00")


def test_payments_filter_by_dates_currency_and_unapplied_cash_latest_recorded_first(
    sql_uow: UnitOfWorkFactory,
) -> None:
    ledger(sql_uow)
    given(sql_uow, payment("P-4", customer="D", amount="20.00", on="2026-05-03"))  # nothing to pay: unapplied

    def refs(**filters: object) -> tuple[list[str], int]:
        with sql_uow() as uow:
            found, total = listing.payments(uow, **filters)  # type: ignore[arg-type]
        return [p.reference for p in found], total

    assert refs() == (["P-4", "P-3", "P-2", "P-1"], 4)  # P-4 was recorded last, though dated before P-2
    assert refs(customer_id="A") == (["P-3", "P-2"], 2)
    assert refs(currency="USD") == (["P-3"], 1)
    assert refs(since=dt.date(2026, 6, 1), until=dt.date(2026, 6, 2)) == (["P-3", "P-2"], 2)
    assert refs(unapplied_only=True) == (["P-4"], 1)
    assert refs(sales_owner=ANNA) == (["P-3", "P-2"], 2)


def test_the_activity_log_pages_newest_first_by_kind_and_time(sql_uow: UnitOfWorkFactory) -> None:
    later = AT + dt.timedelta(hours=1)
    given(
        sql_uow,
        customer("A"),
        note("first", customer="A", at=AT - dt.timedelta(days=2)),
        note("called", customer="A", kind="call", at=AT),
        note("second", customer="A", at=later),
    )
    with sql_uow() as uow:
        everything, total = listing.activities(uow, "A")
        notes, notes_total = listing.activities(uow, "A", kinds=["note"])
        recent, _ = listing.activities(uow, "A", since=AT - dt.timedelta(hours=1))
        second_page, _ = listing.activities(uow, "A", offset=1, limit=1)
        other, none = listing.activities(uow, "B")
    assert [a.text for a in everything] == ["second", "called", "first"] and total == 3
    assert [a.text for a in notes] == ["second", "first"] and notes_total == 2
    assert [a.text for a in recent] == ["second", "called"]
    assert [a.text for a in second_page] == ["called"]
    assert (other, none) == ([], 0)


def test_tasks_list_open_ones_by_due_date(sql_uow: UnitOfWorkFactory) -> None:
    ledger(sql_uow)
    with sql_uow() as uow:
        uow.tasks.add_many(
            [
                Task(TaskKind.CALL, "A", "EUR", dt.date(2026, 7, 2), "call A", key="1"),
                Task(TaskKind.REVIEW, "B", "EUR", dt.date(2026, 6, 1), "review B", key="2", assignee=ANNA),
                Task(TaskKind.CALL, "C", "EUR", dt.date(2026, 6, 15), "call C", key="3"),
            ]
        )
        uow.commit()
    with sql_uow() as uow:
        done = listing.tasks(uow, customer_id="C")[0][0]
        assert done.id is not None
        uow.tasks.close(done.id, TaskStatus.DONE, at=AT)
        uow.commit()

    def reasons(**filters: object) -> tuple[list[str], int]:
        with sql_uow() as uow:
            found, total = listing.tasks(uow, **filters)  # type: ignore[arg-type]
        return [t.reason for t in found], total

    assert reasons() == (["review B", "call A"], 2)
    assert reasons(status="done") == (["call C"], 1)
    assert reasons(status=None) == (["review B", "call C", "call A"], 3)
    assert reasons(kind="call", due_by=AS_OF, status=None) == (["call C"], 1)
    assert reasons(assignee=ANNA) == (["review B"], 1)
    assert reasons(sales_owner=ANNA, status=None) == (["call C", "call A"], 2)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda uow: listing.customers(uow, AS_OF, limit=0), "limit"),
        (lambda uow: listing.customers(uow, AS_OF, limit=501), "limit"),
        (lambda uow: listing.customers(uow, AS_OF, offset=-1), "offset"),
        (lambda uow: listing.customers(uow, AS_OF, country="Germany"), "country"),
        (lambda uow: listing.customers(uow, AS_OF, order="balance"), "order"),
        (lambda uow: listing.invoices(uow, status="late"), "status"),
        (lambda uow: listing.invoices(uow, currency="EURO"), "currency"),
        (lambda uow: listing.payments(uow, since=AS_OF, until=dt.date(2026, 1, 1)), "until"),
        (lambda uow: listing.tasks(uow, kind="lunch"), "kind"),
    ],
)
def test_a_bad_filter_is_refused_naming_it(sql_uow: UnitOfWorkFactory, call: object, field: str) -> None:
    with sql_uow() as uow, pytest.raises(InvalidInputError) as refused:
        call(uow)  # type: ignore[operator]
    assert refused.value.field == field
