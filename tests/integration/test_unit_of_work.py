"""A unit of work is one transaction, on every store: all of it is committed or none of it."""

from __future__ import annotations

import pytest

from builders import customer, eur, given, invoice
from recoup.services.ports import UnitOfWorkFactory


def test_changes_are_invisible_to_another_unit_of_work_until_commit(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as writer:
        writer.customers.add_many([customer("C1")])
        assert writer.customers.get("C1") is not None  # a unit of work sees its own changes
        with uow_factory() as reader:
            assert reader.customers.get("C1") is None
            assert reader.customers.count() == 0
        writer.commit()
    with uow_factory() as reader:
        assert reader.customers.get("C1") == customer("C1")


def test_leaving_without_commit_discards_everything(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.customers.add_many([customer("C1")])
        uow.invoices.add_many([invoice("INV-1")])
    with uow_factory() as uow:
        assert uow.customers.count() == 0
        assert uow.invoices.get("INV-1") is None


def test_an_error_inside_the_unit_of_work_discards_its_changes(uow_factory: UnitOfWorkFactory) -> None:
    given(uow_factory, customer("C1"))
    with pytest.raises(RuntimeError), uow_factory() as uow:
        uow.invoices.add_many([invoice("INV-1")])
        raise RuntimeError("boom")
    with uow_factory() as uow:
        assert uow.invoices.for_customer("C1") == []


def test_rollback_discards_and_the_unit_of_work_can_go_on(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.customers.add_many([customer("C1")])
        uow.rollback()
        assert uow.customers.get("C1") is None
        uow.customers.add_many([customer("C2")])
        uow.commit()
    with uow_factory() as uow:
        assert [c.id for c in uow.customers.list()] == ["C2"]


def test_what_was_committed_stays_when_later_changes_are_dropped(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.customers.add_many([customer("C1")])
        uow.commit()
        uow.customers.add_many([customer("C2")])
    with uow_factory() as uow:
        assert [c.id for c in uow.customers.list()] == ["C1"]


def test_stored_records_come_back_equal(uow_factory: UnitOfWorkFactory) -> None:
    c = customer(
        "C1",
        "Müller & Söhne GmbH",
        country="DE",
        tax_id="DE 136 695 976",
        credit_limit=eur("5000"),
        segment="key-account",
    )
    inv = invoice("INV-1", amount="1234.56", issued="2026-03-01", due="2026-03-31")
    given(uow_factory, c, inv)
    with uow_factory() as uow:
        assert uow.customers.get("C1") == c
        assert uow.customers.find_by_tax_id("DE136695976") == [c]
        stored = uow.invoices.get("INV-1")
    assert stored is not None and stored.id is not None
    assert (stored.number, stored.customer_id, stored.issue_date, stored.due_date, stored.amount) == (
        inv.number,
        inv.customer_id,
        inv.issue_date,
        inv.due_date,
        inv.amount,
    )


def test_customers_are_listed_by_id_with_offset_and_limit(uow_factory: UnitOfWorkFactory) -> None:
    given(uow_factory, *(customer(f"C{n}") for n in (3, 1, 4, 2)))
    with uow_factory() as uow:
        assert [c.id for c in uow.customers.list()] == ["C1", "C2", "C3", "C4"]
        assert [c.id for c in uow.customers.list(offset=1, limit=2)] == ["C2", "C3"]
        assert uow.customers.count() == 4
