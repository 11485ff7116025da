"""Imports larger than a chunk: still one transaction, all or nothing, and the same result as one batch.

``import_table(..., chunk=3)`` makes a few rows span several chunks; the real
chunk (``importing.CHUNK``) is 20,000 rows. Run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from builders import AT, customer, day, eur, given, invoice
from recoup.adapters.formats.tabular import read_table
from recoup.domain.errors import ImportRejectedError
from recoup.services.importing import ImportResult, import_table
from recoup.services.ports import UnitOfWorkFactory

CHUNK = 3


def write(tmp_path: Path, name: str, header: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def run(uow_factory: UnitOfWorkFactory, kind: str, path: Path, **options: object) -> ImportResult:
    return import_table(uow_factory, kind, read_table(path), at=AT, chunk=CHUNK, **options)  # type: ignore[arg-type]


def invoice_lines(count: int, customer_id: str = "ACME") -> list[str]:
    return [f"INV-{n:03},{customer_id},2026-03-{n % 28 + 1:02},100.00" for n in range(1, count + 1)]


INVOICE_HEADER = "number,customer_id,issue_date,amount"


def stored_invoices(uow_factory: UnitOfWorkFactory, customer_id: str = "ACME") -> list[str]:
    with uow_factory() as uow:
        return [i.number for i in uow.invoices.for_customer(customer_id)]


def test_a_bad_row_near_the_end_of_a_long_file_imports_nothing(
    sql_uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    given(sql_uow_factory, customer("ACME"))
    lines = invoice_lines(11)
    lines[9] = "INV-010,ACME,2026-02-30,100.00"  # line 11 of the file, in the fourth chunk
    path = write(tmp_path, "invoices.csv", INVOICE_HEADER, lines)

    with pytest.raises(ImportRejectedError) as caught:
        run(sql_uow_factory, "invoices", path)

    assert caught.value.problems == [
        "invoices.csv, line 11, column issue_date: '2026-02-30' is not a date "
        "(expected YYYY-MM-DD, e.g. 2026-03-31)"
    ]
    assert str(caught.value) == "1 problem(s); nothing was imported"
    assert stored_invoices(sql_uow_factory) == []
    with sql_uow_factory() as uow:
        assert [a for a in uow.activities.for_customer("ACME") if a.kind == "invoices"] == []


def test_a_bad_payment_at_the_end_applies_no_payment(
    sql_uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    given(sql_uow_factory, customer("ACME"), invoice("I-1", customer="ACME", amount="100.00"))
    lines = [f"P-{n},ACME,2026-03-0{n},1.00" for n in range(1, 8)] + ["P-8,ACME,2026-03-08,1.001"]
    path = write(tmp_path, "payments.csv", "reference,customer_id,date,amount", lines)

    with pytest.raises(ImportRejectedError):
        run(sql_uow_factory, "payments", path)

    with sql_uow_factory() as uow:
        assert uow.payments.for_customer("ACME") == []
        assert uow.queries.allocations_for(["I-1"]) == []


def test_skip_invalid_across_chunks_stores_the_good_rows_and_writes_every_reject(
    sql_uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    given(sql_uow_factory, customer("ACME"))
    lines = invoice_lines(10)
    lines[1] = "INV-002,NOBODY,2026-03-02,100.00"  # chunk 1
    lines[7] = "INV-008,ACME,2026-03-08,-1.00"  # chunk 3
    lines[9] = "INV-010,ACME,someday,100.00"  # chunk 4
    path = write(tmp_path, "invoices.csv", INVOICE_HEADER, lines)

    result = run(sql_uow_factory, "invoices", path, skip_invalid=True)

    assert (result.rows, result.added, len(result.rejected)) == (10, 7, 3)
    assert stored_invoices(sql_uow_factory) == [f"INV-{n:03}" for n in (1, 3, 4, 5, 6, 7, 9)]
    with (tmp_path / "invoices.rejected.csv").open(newline="", encoding="utf-8") as f:
        written = list(csv.reader(f))
    assert written == [
        ["line", "number", "customer_id", "issue_date", "amount", "errors"],
        [
            "3",
            "INV-002",
            "NOBODY",
            "2026-03-02",
            "100.00",
            "customer_id: no customer 'NOBODY'; import customers first",
        ],
        ["9", "INV-008", "ACME", "2026-03-08", "-1.00", "amount: '-1.00' must be greater than zero"],
        [
            "11",
            "INV-010",
            "ACME",
            "someday",
            "100.00",
            "issue_date: 'someday' is not a date (expected YYYY-MM-DD, e.g. 2026-03-31)",
        ],
    ]


def test_a_key_repeated_chunks_later_is_rejected_naming_its_first_line(
    sql_uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    given(sql_uow_factory, customer("ACME"))
    lines = [*invoice_lines(8), "INV-002,ACME,2026-04-01,5.00"]
    path = write(tmp_path, "invoices.csv", INVOICE_HEADER, lines)

    with pytest.raises(ImportRejectedError) as caught:
        run(sql_uow_factory, "invoices", path)

    assert caught.value.problems == [
        "invoices.csv, line 10, column number: 'INV-002' appears again (first on line 3)"
    ]
    assert stored_invoices(sql_uow_factory) == []


def test_reimporting_a_long_file_changes_nothing(sql_uow_factory: UnitOfWorkFactory, tmp_path: Path) -> None:
    customers = write(tmp_path, "customers.csv", "id,name", [f"C{n},Customer {n}" for n in range(1, 8)])
    invoices = write(
        tmp_path,
        "invoices.csv",
        INVOICE_HEADER,
        [f"INV-{n:03},C{n % 7 + 1},2026-03-{n:02},100.00" for n in range(1, 15)],
    )
    payments = write(
        tmp_path,
        "payments.csv",
        "reference,customer_id,date,amount,invoices",
        [f"P-{n},C{n % 7 + 1},2026-04-{n:02},60.00,INV-{n:03}" for n in range(1, 11)],
    )
    files = [("customers", customers), ("invoices", invoices), ("payments", payments)]
    first = {kind: run(sql_uow_factory, kind, path) for kind, path in files}
    before = everything(sql_uow_factory)

    again = {kind: run(sql_uow_factory, kind, path) for kind, path in files}

    assert {k: (r.added, r.unchanged) for k, r in first.items()} == {
        "customers": (7, 0),
        "invoices": (14, 0),
        "payments": (10, 0),
    }
    assert {k: (r.added, r.updated, r.unchanged) for k, r in again.items()} == {
        "customers": (0, 0, 7),
        "invoices": (0, 0, 14),
        "payments": (0, 0, 10),
    }
    assert everything(sql_uow_factory) == before


def everything(uow_factory: UnitOfWorkFactory) -> dict[str, object]:
    with uow_factory() as uow:
        ids = [c.id for c in uow.customers.list()]
        invoices = [i for cid in ids for i in uow.invoices.for_customer(cid)]
        return {
            "invoices": invoices,
            "payments": [p for cid in ids for p in uow.payments.for_customer(cid)],
            "allocations": uow.queries.allocations_for([i.number for i in invoices]),
            "activities": [(a.kind, a.text) for cid in ids for a in uow.activities.for_customer(cid)],
        }


def test_payments_are_applied_in_date_order_across_chunks(
    sql_uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    """As in one batch: the earliest payment takes the oldest invoice, wherever its row is."""
    given(
        sql_uow_factory,
        customer("ACME"),
        *[invoice(f"I-{n}", customer="ACME", amount="10.00", issued=f"2026-01-0{n}") for n in range(1, 8)],
    )
    # Newest first, so the first chunk holds the latest payments.
    lines = [f"P-{n},ACME,2026-02-0{n},10.00" for n in range(7, 0, -1)]
    path = write(tmp_path, "payments.csv", "reference,customer_id,date,amount", lines)

    result = run(sql_uow_factory, "payments", path)

    assert result.oldest_first == [f"P-{n}" for n in range(1, 8)]
    with sql_uow_factory() as uow:
        allocations = uow.queries.allocations_for([f"I-{n}" for n in range(1, 8)])
        closed = {i.number: i.closed_on for i in uow.invoices.for_customer("ACME")}
    assert sorted((a.source, a.invoice_number, a.amount, a.applied_on) for a in allocations) == [
        (f"P-{n}", f"I-{n}", eur("10.00"), day(f"2026-02-0{n}")) for n in range(1, 8)
    ]
    assert closed == {f"I-{n}": day(f"2026-02-0{n}") for n in range(1, 8)}


def test_each_customer_gets_one_log_entry_for_its_invoices_in_the_file(
    sql_uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    given(sql_uow_factory, customer("ACME"), customer("BETA"))
    lines = [f"INV-{n:03},{'ACME' if n % 3 else 'BETA'},2026-03-{n:02},1.00" for n in range(1, 11)]
    path = write(tmp_path, "invoices.csv", INVOICE_HEADER, lines)

    run(sql_uow_factory, "invoices", path)

    with sql_uow_factory() as uow:
        logged = {
            cid: [(a.text, a.invoices) for a in uow.activities.for_customer(cid) if a.kind == "invoices"]
            for cid in ("ACME", "BETA")
        }
    assert logged == {
        "ACME": [
            (
                "7 invoice(s) imported from invoices.csv",
                ("INV-001", "INV-002", "INV-004", "INV-005", "INV-007", "INV-008", "INV-010"),
            )
        ],
        "BETA": [("3 invoice(s) imported from invoices.csv", ("INV-003", "INV-006", "INV-009"))],
    }


def test_progress_counts_the_rows_up_to_the_end(sql_uow_factory: UnitOfWorkFactory, tmp_path: Path) -> None:
    given(sql_uow_factory, customer("ACME"))
    path = write(tmp_path, "invoices.csv", INVOICE_HEADER, invoice_lines(2500))
    calls: list[tuple[int, int]] = []

    result = import_table(
        sql_uow_factory, "invoices", read_table(path), at=AT, progress=lambda d, t: calls.append((d, t))
    )

    assert result.added == 2500
    assert calls == [(1000, 2500), (2000, 2500), (2500, 2500)]


def test_payments_grouped_by_customer_across_chunks_apply_as_one_batch(
    sql_uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    given(
        sql_uow_factory,
        customer("ACME"),
        customer("BETA"),
        *[invoice(f"A-{n}", customer="ACME", amount="10.00", issued=f"2026-01-0{n}") for n in range(1, 5)],
        *[invoice(f"B-{n}", customer="BETA", amount="10.00", issued=f"2026-01-0{n}") for n in range(1, 5)],
    )
    # Customer after customer, each's in date order within a chunk in any order.
    lines = [
        "PA-2,ACME,2026-02-02,10.00",
        "PA-1,ACME,2026-02-01,10.00",
        "PA-3,ACME,2026-02-03,10.00",
        "PA-4,ACME,2026-02-04,15.00",
        "PB-1,BETA,2026-02-01,10.00",
        "PB-2,BETA,2026-02-02,10.00",
        "PB-3,BETA,2026-02-03,25.00",
    ]
    path = write(tmp_path, "payments.csv", "reference,customer_id,date,amount", lines)

    result = run(sql_uow_factory, "payments", path)

    assert result.oldest_first == ["PA-1", "PB-1", "PA-2", "PB-2", "PA-3", "PB-3", "PA-4"]  # by date
    assert list(result.unapplied.items()) == [("PB-3", "5.00 EUR"), ("PA-4", "5.00 EUR")]
    with sql_uow_factory() as uow:
        allocations = uow.queries.allocations_for([f"{c}-{n}" for c in "AB" for n in range(1, 5)])
    assert sorted((a.source, a.invoice_number, a.amount) for a in allocations) == [
        ("PA-1", "A-1", eur("10.00")),
        ("PA-2", "A-2", eur("10.00")),
        ("PA-3", "A-3", eur("10.00")),
        ("PA-4", "A-4", eur("10.00")),
        ("PB-1", "B-1", eur("10.00")),
        ("PB-2", "B-2", eur("10.00")),
        ("PB-3", "B-3", eur("10.00")),
        ("PB-3", "B-4", eur("10.00")),
    ]


def test_credit_notes_across_chunks_apply_in_date_order(
    sql_uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    given(
        sql_uow_factory,
        customer("ACME"),
        *[invoice(f"I-{n}", customer="ACME", amount="10.00", issued=f"2026-01-0{n}") for n in range(1, 6)],
    )
    lines = [f"CN-{n},ACME,2026-02-0{n},10.00," for n in (5, 3, 1, 4, 2)]
    path = write(tmp_path, "credit-notes.csv", "number,customer_id,date,amount,invoice", lines)

    result = run(sql_uow_factory, "credit-notes", path)

    assert result.added == 5
    with sql_uow_factory() as uow:
        allocations = uow.queries.allocations_for([f"I-{n}" for n in range(1, 6)])
    assert sorted((a.source, a.invoice_number) for a in allocations) == [
        (f"CN-{n}", f"I-{n}") for n in range(1, 6)
    ]
