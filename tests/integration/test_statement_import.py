"""services.statements on SQLite and PostgreSQL: new credits stored once and applied in the same
transaction; the counts it reports."""

from __future__ import annotations

import datetime as dt

from builders import AT, customer, given, invoice
from recoup.adapters.formats.mt940 import read_mt940
from recoup.domain.money import Money
from recoup.domain.statements import LineStatus
from recoup.services.ports import UnitOfWorkFactory
from recoup.services.statements import import_statement

LONG_E2E = "TFNR 40005 00005MTLG:Grund nicht spezifiziert Reject aus SEPA-Ueberweisungsauftrag"
STATEMENT = "\n".join(
    [
        ":20:STARTUMS",
        ":25:10020030/1234567",
        ":28C:1/1",
        ":60F:C261101EUR1000,00",
        ":61:2611021102C1200,00NTRFNONREF//B1",
        ":86:166?00GUTSCHRIFT?20SVWZ+Rechnung INV-7?31DE02120300000000202051?32ACME GMBH",
        ":61:2611021102C1200,00NTRFNONREF//B1",
        ":86:166?00GUTSCHRIFT?20SVWZ+Rechnung INV-7?31DE02120300000000202051?32ACME GMBH",
        ":61:2611021102C5,00NTRFNONREF//B2",
        f":86:159?00RETOURE?20EREF+{LONG_E2E[:23]}?21{LONG_E2E[23:50]}?22{LONG_E2E[50:]}",
        ":61:2611021102D50,00NCHGNONREF",
        ":86:Gebuehren",
        ":62F:C261102EUR3355,00",
    ]
).encode()


def test_credits_are_stored_once_applied_and_counted_per_currency(sql_uow_factory: UnitOfWorkFactory) -> None:
    given(
        sql_uow_factory,
        customer("ACME"),
        invoice("INV-7", customer="ACME", amount="1200.00", issued="2026-10-01"),
    )
    statement = read_mt940(STATEMENT, "nov.sta")
    first = import_statement(sql_uow_factory, statement, source="nov.sta", at=AT)
    assert (first.entries, first.credits, first.debits, first.other) == (4, 3, 1, 0)
    assert (first.duplicates, first.new) == (0, 3)
    assert first.new_amounts == {"EUR": Money("2405.00", "EUR")}
    assert len(first.applied.matched) == 1
    again = import_statement(sql_uow_factory, statement, source="copy of nov.sta", at=AT)
    assert (again.duplicates, again.new, again.applied.matched) == (3, 0, [])
    with sql_uow_factory() as uow:
        stored = uow.bank.with_status(list(LineStatus))
        invoices = uow.invoices.get_many(["INV-7"])
    assert len(stored) == 3
    assert max(len(s.line.end_to_end_id) for s in stored) == 64
    assert invoices["INV-7"].closed_on == dt.date(2026, 11, 2)
