"""Statement lines are stored once by their key; payers' IBANs are remembered (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

from builders import AT, customer, given
from recoup.domain.money import Money
from recoup.domain.statements import LineStatus, StatementLine, rf_reference, rf_reference_valid
from recoup.services.ports import UnitOfWorkFactory


def line(amount: str = "100.00", remittance: str = "INV-1001", sequence: int = 0) -> StatementLine:
    return StatementLine(
        "DE89370400440532013000",
        dt.date(2026, 11, 2),
        Money.parse(amount, "EUR"),
        counterparty_iban="FR7630006000011234567890189",
        remittance=remittance,
        sequence=sequence,
    )


def test_a_line_read_twice_is_stored_once_and_two_equal_transfers_are_two_lines(
    sql_uow_factory: UnitOfWorkFactory,
) -> None:
    with sql_uow_factory() as uow:
        first = uow.bank.add_new([line(), line(sequence=1)], at=AT)
        again = uow.bank.add_new([line(), line(sequence=1), line("5.00")], at=AT)
        uow.commit()
    assert [s.line.sequence for s in first] == [0, 1]
    assert [s.line.amount for s in again] == [Money.parse("5.00", "EUR")]
    with sql_uow_factory() as uow:
        stored = uow.bank.with_status([LineStatus.UNKNOWN])
    assert [s.line for s in stored] == [line(), line(sequence=1), line("5.00")]


def test_a_payers_iban_is_learnt_once_per_customer(sql_uow_factory: UnitOfWorkFactory) -> None:
    given(sql_uow_factory, customer("C1"), customer("C2"))
    iban = "FR7630006000011234567890189"
    with sql_uow_factory() as uow:
        assert uow.bank.learn(iban, "C1", by="carl", at=AT)
        assert not uow.bank.learn(iban, "C1", by="carl", at=AT)
        assert uow.bank.learn(iban, "C2", by="carl", at=AT)
        uow.commit()
    with sql_uow_factory() as uow:
        assert sorted(uow.bank.payers([iban, "DE00"])[iban]) == ["C1", "C2"]


def test_rf_creditor_references_carry_a_mod_97_check() -> None:
    assert rf_reference("539007547034") == "RF18539007547034"
    assert rf_reference_valid("RF18 5390 0754 7034")
    assert not rf_reference_valid("RF19 5390 0754 7034") and not rf_reference_valid("INV-1001")
