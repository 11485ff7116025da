"""Importing CSV and XLSX files on every store: all or nothing, idempotent, errors that say where."""

from __future__ import annotations

import csv
import datetime as dt
import textwrap
from pathlib import Path

import pytest

from builders import AT, customer, day, eur, given, invoice, money
from recoup.adapters.formats.tabular import read_table
from recoup.domain.customers import CustomerKind
from recoup.domain.errors import ImportRejectedError, InvalidValueError
from recoup.domain.payments import Allocation, AllocationKind
from recoup.services.importing import ImportResult, import_table
from recoup.services.ports import UnitOfWorkFactory

CUSTOMERS = """\
    id,name,kind,country,currency,segment,sales_owner,payment_terms_days,credit_limit,tax_id
    ACME,Acme Maschinenbau GmbH,business,DE,EUR,key-account,anna@supplier.example,30,50000.00,DE 136 695 976
    SMITH,Jane Smith,consumer,GB,,,,14,,
"""

CONTACTS = """\
    customer_id,name,role,email,phone
    ACME,Petra Klein,billing,accounts@acme.example,+49 30 1234567
    ACME,Hans Acme,owner,hans@acme.example,
    SMITH,Jane Smith,owner,jane@mail.example,
"""

INVOICES = """\
    number,customer_id,issue_date,due_date,currency,amount,sent_to
    INV-1,ACME,2026-07-01,2026-07-31,EUR,12000.00,accounts@acme.example
    INV-2,ACME,2026-09-15,,EUR,4500.50,
    INV-3,SMITH,2026-10-20,,GBP,420.00,jane@mail.example
"""

PAYMENTS = """\
    reference,customer_id,date,amount,currency,invoices
    BANK-1,ACME,2026-08-20,7000.00,EUR,INV-1
    BANK-2,ACME,2026-10-05,6000.00,EUR,
    BANK-3,SMITH,2026-11-02,500.00,GBP,INV-3
"""

CREDIT_NOTES = """\
    number,customer_id,date,amount,currency,invoice
    CN-1,ACME,2026-10-10,500.50,EUR,INV-2
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def run(uow_factory: UnitOfWorkFactory, kind: str, path: Path, **options: object) -> ImportResult:
    return import_table(uow_factory, kind, read_table(path), at=AT, **options)  # type: ignore[arg-type]


def import_ledger(uow_factory: UnitOfWorkFactory, tmp_path: Path) -> dict[str, ImportResult]:
    results = {}
    for kind, text in [
        ("customers", CUSTOMERS),
        ("contacts", CONTACTS),
        ("invoices", INVOICES),
        ("payments", PAYMENTS),
        ("credit-notes", CREDIT_NOTES),
    ]:
        results[kind] = run(uow_factory, kind, write(tmp_path, f"{kind}.csv", text))
    return results


def snapshot(uow_factory: UnitOfWorkFactory) -> dict[str, object]:
    """Everything an import can change, comparable before and after."""
    with uow_factory() as uow:
        customers = uow.customers.list()
        ids = [c.id for c in customers]
        invoices = [i for cid in ids for i in uow.invoices.for_customer(cid)]
        return {
            "customers": customers,
            "contacts": [c for cid in ids for c in uow.contacts.for_customer(cid)],
            "invoices": invoices,
            "payments": [p for cid in ids for p in uow.payments.for_customer(cid)],
            "credit_notes": [n for cid in ids for n in uow.credit_notes.for_customer(cid)],
            "allocations": uow.queries.allocations_for([i.number for i in invoices]),
            "activities": [(a.kind, a.text) for cid in ids for a in uow.activities.for_customer(cid)],
        }


# --- every kind ---------------------------------------------------------------------


def test_every_kind_of_file_imports(uow_factory: UnitOfWorkFactory, tmp_path: Path) -> None:
    results = import_ledger(uow_factory, tmp_path)
    assert {k: (r.rows, r.added, r.updated, r.unchanged) for k, r in results.items()} == {
        "customers": (2, 2, 0, 0),
        "contacts": (3, 3, 0, 0),
        "invoices": (3, 3, 0, 0),
        "payments": (3, 3, 0, 0),
        "credit-notes": (1, 1, 0, 0),
    }
    assert all(r.rejected == [] for r in results.values())

    with uow_factory() as uow:
        acme, smith = uow.customers.get("ACME"), uow.customers.get("SMITH")
        assert acme is not None and smith is not None
        assert (acme.kind, acme.tax_id, acme.credit_limit, acme.segment) == (
            CustomerKind.BUSINESS,
            "DE136695976",
            eur("50000.00"),
            "key-account",
        )
        assert (smith.kind, smith.currency, smith.payment_terms_days) == (CustomerKind.CONSUMER, "GBP", 14)
        assert [(c.name, c.role.value, c.email) for c in uow.contacts.for_customer("ACME")] == [
            ("Petra Klein", "billing", "accounts@acme.example"),
            ("Hans Acme", "owner", "hans@acme.example"),
        ]
        inv = uow.invoices.get_many(["INV-1", "INV-2", "INV-3"])
        assert (inv["INV-2"].due_date, inv["INV-3"].due_date) == (day("2026-10-15"), day("2026-11-03"))
        assert {n: i.open_balance for n, i in inv.items()} == {
            "INV-1": eur("0.00"),  # 7000 named + 5000 of BANK-2, oldest first
            "INV-2": eur("3000.00"),  # 4500.50 - 1000 of BANK-2 - 500.50 credit note
            "INV-3": money("0.00", "GBP"),
        }
        assert uow.payments.get_many(["BANK-3"])["BANK-3"].unapplied == money("80.00", "GBP")
        assert uow.queries.allocations_for(["INV-2"]) == [
            Allocation("INV-2", eur("1000.00"), AllocationKind.PAYMENT, "BANK-2", day("2026-10-05")),
            Allocation("INV-2", eur("500.50"), AllocationKind.CREDIT_NOTE, "CN-1", day("2026-10-10")),
        ]
        kinds = [a.kind for a in uow.activities.for_customer("ACME")]
    assert sorted(kinds) == [
        "contact",
        "contact",
        "credit_note",
        "customer",
        "invoices",
        "payment",
        "payment",
    ]


def test_an_xlsx_workbook_imports_like_a_csv_file(uow_factory: UnitOfWorkFactory, tmp_path: Path) -> None:
    from openpyxl import Workbook

    given(uow_factory, customer("ACME"))
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Number", "Customer_ID", "Issue_Date", "Due_Date", "Amount", "Currency"])
    sheet.append(["X-1", "ACME", dt.date(2026, 3, 1), dt.date(2026, 3, 31), 1234.5, "EUR"])
    sheet.append([None, None, None, None, None, None])  # an empty row is skipped
    sheet.append(["X-2", "ACME", dt.datetime(2026, 4, 1), None, "99.99", None])
    sheet.append([1003, "ACME", "2026-05-01", "2026-05-15", 7, "USD"])
    path = tmp_path / "invoices.xlsx"
    book.save(path)

    result = run(uow_factory, "invoices", path)
    assert (result.rows, result.added) == (3, 3)
    with uow_factory() as uow:
        inv = uow.invoices.for_customer("ACME")
    assert [(i.number, i.issue_date, i.due_date, i.amount) for i in inv] == [
        ("X-1", day("2026-03-01"), day("2026-03-31"), eur("1234.50")),
        ("X-2", day("2026-04-01"), day("2026-05-01"), eur("99.99")),
        ("1003", day("2026-05-01"), day("2026-05-15"), money("7.00", "USD")),
    ]


def test_a_semicolon_separated_file_imports(uow_factory: UnitOfWorkFactory, tmp_path: Path) -> None:
    given(uow_factory, customer("ACME"))
    path = write(
        tmp_path,
        "invoices.csv",
        """\
        number;customer_id;issue_date;amount
        S-1;ACME;2026-02-01;10.50
        S-2;ACME;2026-02-02;20.00
        """,
    )
    result = run(uow_factory, "invoices", path)
    assert (result.rows, result.added) == (2, 2)
    with uow_factory() as uow:
        assert [(i.number, i.amount) for i in uow.invoices.for_customer("ACME")] == [
            ("S-1", eur("10.50")),
            ("S-2", eur("20.00")),
        ]


def test_payments_naming_no_invoice_are_reported_as_allocated_oldest_first(
    uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    given(
        uow_factory,
        customer("ACME"),
        invoice("OLD", customer="ACME", amount="100.00", issued="2026-01-01"),
        invoice("NEW", customer="ACME", amount="100.00", issued="2026-02-01"),
    )
    path = write(
        tmp_path,
        "payments.csv",
        """\
        reference,customer_id,date,amount,invoices
        NAMED,ACME,2026-03-01,10.00,NEW
        BLIND,ACME,2026-03-02,150.00,
        """,
    )
    result = run(uow_factory, "payments", path)
    assert result.oldest_first == ["BLIND"]
    assert "1 payment(s) named no invoice and were allocated oldest first: BLIND" in result.messages
    assert result.as_dict()["allocated_oldest_first"] == ["BLIND"]
    assert result.unapplied == {}
    with uow_factory() as uow:
        assert [
            (a.invoice_number, a.amount, a.source) for a in uow.queries.allocations_for(["OLD", "NEW"])
        ] == [
            ("NEW", eur("10.00"), "NAMED"),
            ("OLD", eur("100.00"), "BLIND"),
            ("NEW", eur("50.00"), "BLIND"),
        ]


def test_unapplied_cash_of_an_import_is_reported(uow_factory: UnitOfWorkFactory, tmp_path: Path) -> None:
    given(uow_factory, customer("ACME"), invoice("I-1", customer="ACME", amount="10.00"))
    path = write(
        tmp_path,
        "payments.csv",
        """\
        reference,customer_id,date,amount,invoices
        P-1,ACME,2026-03-01,25.00,I-1
        """,
    )
    result = run(uow_factory, "payments", path)
    assert result.unapplied == {"P-1": "15.00 EUR"}
    assert "1 payment(s) left unapplied cash on the customer: P-1" in result.messages


# --- all or nothing -----------------------------------------------------------------

BAD_DATE_ON_LINE_7 = """\
    number,customer_id,issue_date,due_date,currency,amount
    INV-2001,ACME,2026-10-01,,EUR,100.00
    INV-2002,ACME,2026-10-02,,EUR,200.00
    INV-2003,ACME,2026-10-03,,EUR,300.00
    INV-2004,ACME,2026-10-04,,EUR,400.00
    INV-2005,ACME,2026-10-05,,EUR,500.00
    INV-2006,ACME,2026-31-10,,EUR,600.00
    INV-2007,ACME,2026-10-07,,EUR,700.00
"""


def test_a_bad_date_rejects_the_whole_file_naming_line_and_column(
    uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    given(uow_factory, customer("ACME"))
    before = snapshot(uow_factory)
    path = write(tmp_path, "invoices.csv", BAD_DATE_ON_LINE_7)

    with pytest.raises(ImportRejectedError) as caught:
        run(uow_factory, "invoices", path)

    assert caught.value.problems == [
        "invoices.csv, line 7, column issue_date: '2026-31-10' is not a date "
        "(expected YYYY-MM-DD, e.g. 2026-03-31)"
    ]
    assert str(caught.value) == "1 problem(s); nothing was imported"
    assert snapshot(uow_factory) == before
    assert not (tmp_path / "invoices.rejected.csv").exists()


def test_with_skip_invalid_good_rows_go_in_and_bad_ones_are_written_with_reasons(
    uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    given(uow_factory, customer("ACME"))
    path = write(
        tmp_path,
        "invoices.csv",
        BAD_DATE_ON_LINE_7
        + "    INV-2008,NOBODY,2026-10-08,,EUR,800.00\n    INV-2009,ACME,2026-10-09,,EUR,1.234\n",
    )
    rejects = tmp_path / "out" / "rejects.csv"
    rejects.parent.mkdir()

    result = run(uow_factory, "invoices", path, skip_invalid=True, rejects_path=rejects)

    assert (result.rows, result.added, len(result.rejected)) == (9, 6, 3)
    assert result.rejects_file == str(rejects)
    assert f"3 row(s) rejected, written with reasons to {rejects}" in result.messages
    with uow_factory() as uow:
        assert [i.number for i in uow.invoices.for_customer("ACME")] == [
            f"INV-200{n}" for n in (1, 2, 3, 4, 5, 7)
        ]
    with rejects.open(newline="", encoding="utf-8") as f:
        written = list(csv.reader(f))
    assert written == [
        ["line", "number", "customer_id", "issue_date", "due_date", "currency", "amount", "errors"],
        [
            "7",
            "INV-2006",
            "ACME",
            "2026-31-10",
            "",
            "EUR",
            "600.00",
            "issue_date: '2026-31-10' is not a date (expected YYYY-MM-DD, e.g. 2026-03-31)",
        ],
        [
            "9",
            "INV-2008",
            "NOBODY",
            "2026-10-08",
            "",
            "EUR",
            "800.00",
            "customer_id: no customer 'NOBODY'; import customers first",
        ],
        [
            "10",
            "INV-2009",
            "ACME",
            "2026-10-09",
            "",
            "EUR",
            "1.234",
            "amount: '1.234' has more decimals than EUR allows (2)",
        ],
    ]


def test_the_rejects_file_goes_next_to_the_input_by_default(
    uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    given(uow_factory, customer("ACME"))
    path = write(tmp_path, "invoices.csv", BAD_DATE_ON_LINE_7)
    result = run(uow_factory, "invoices", path, skip_invalid=True)
    assert result.rejects_file == str(tmp_path / "invoices.rejected.csv")
    assert (
        (tmp_path / "invoices.rejected.csv")
        .read_text(encoding="utf-8")
        .splitlines()[1]
        .startswith("7,INV-2006,")
    )


# --- idempotence --------------------------------------------------------------------


def test_importing_the_same_files_twice_changes_nothing(
    uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    import_ledger(uow_factory, tmp_path)
    before = snapshot(uow_factory)

    again = import_ledger(uow_factory, tmp_path)

    assert {k: (r.added, r.updated, r.unchanged) for k, r in again.items()} == {
        "customers": (0, 0, 2),
        "contacts": (0, 0, 3),
        "invoices": (0, 0, 3),
        "payments": (0, 0, 3),
        "credit-notes": (0, 0, 1),
    }
    assert all(r.oldest_first == [] and r.unapplied == {} for r in again.values())
    assert snapshot(uow_factory) == before


def test_a_changed_customer_is_updated_on_reimport(uow_factory: UnitOfWorkFactory, tmp_path: Path) -> None:
    run(uow_factory, "customers", write(tmp_path, "customers.csv", CUSTOMERS))
    changed = CUSTOMERS.replace("key-account", "standard")
    result = run(uow_factory, "customers", write(tmp_path, "customers.csv", changed))
    assert (result.added, result.updated, result.unchanged) == (0, 1, 1)
    with uow_factory() as uow:
        acme = uow.customers.get("ACME")
        assert acme is not None and acme.segment == "standard"
        assert [a.text for a in uow.activities.for_customer("ACME") if a.kind == "customer"] == [
            "Customer details updated from customers.csv",
            "Customer Acme Maschinenbau GmbH created from customers.csv",
        ]


def test_a_changed_invoice_amount_on_reimport_is_rejected_naming_the_line(
    uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    given(uow_factory, customer("ACME"), customer("SMITH", country="GB"))
    run(uow_factory, "invoices", write(tmp_path, "invoices.csv", INVOICES))
    before = snapshot(uow_factory)
    changed = INVOICES.replace("4500.50", "4600.50")

    with pytest.raises(ImportRejectedError) as caught:
        run(uow_factory, "invoices", write(tmp_path, "invoices.csv", changed))

    assert caught.value.problems == [
        "invoices.csv, line 3, column number: invoice 'INV-2' was already imported with other data "
        "(customer ACME, 4500.50 EUR, issued 2026-09-15, due 2026-10-15)"
    ]
    assert snapshot(uow_factory) == before


# --- errors that name what is wrong -------------------------------------------------


def test_a_missing_required_column_is_named(uow_factory: UnitOfWorkFactory, tmp_path: Path) -> None:
    path = write(tmp_path, "invoices.csv", "number,customer_id,amount\nINV-1,ACME,10.00\n")
    with pytest.raises(InvalidValueError) as caught:
        run(uow_factory, "invoices", path)
    assert str(caught.value) == (
        "invoices.csv, line 1: missing column(s) issue_date "
        "(a invoices file needs number, customer_id, issue_date, amount)"
    )


def test_an_unknown_customer_is_named(uow_factory: UnitOfWorkFactory, tmp_path: Path) -> None:
    given(uow_factory, customer("ACME"))
    path = write(
        tmp_path,
        "payments.csv",
        """\
        reference,customer_id,date,amount
        P-1,ACME,2026-03-01,10.00
        P-2,ACNE,2026-03-01,10.00
        """,
    )
    with pytest.raises(ImportRejectedError) as caught:
        run(uow_factory, "payments", path)
    assert caught.value.problems == [
        "payments.csv, line 3, column customer_id: no customer 'ACNE'; import customers first"
    ]
    with uow_factory() as uow:
        assert uow.payments.get_many(["P-1", "P-2"]) == {}


def test_every_bad_row_is_listed_not_just_the_first(uow_factory: UnitOfWorkFactory, tmp_path: Path) -> None:
    given(uow_factory, customer("ACME"), invoice("INV-9", customer="ACME", currency="USD"))
    path = write(
        tmp_path,
        "payments.csv",
        """\
        reference,customer_id,date,amount,invoices
        P-1,ACME,2026-03-01,10.001,
        P-2,ACME,2026-03-01,-5.00,
        P-1,ACME,2026-03-02,1.00,
        P-4,ACME,2026-03-02,1.00,INV-404
        P-5,ACME,2026-03-02,1.00,INV-9
        """,
    )
    with pytest.raises(ImportRejectedError) as caught:
        run(uow_factory, "payments", path)
    assert caught.value.problems == [
        "payments.csv, line 2, column amount: '10.001' has more decimals than EUR allows (2)",
        "payments.csv, line 3, column amount: '-5.00' must be greater than zero",
        "payments.csv, line 4, column reference: 'P-1' appears again (first on line 2)",
        "payments.csv, line 5, column invoices: no invoice 'INV-404'",
        "payments.csv, line 6, column invoices: invoice INV-9 is in USD, the row in EUR",
    ]
    assert str(caught.value) == "5 problem(s); nothing was imported"


def test_payment_terms_of_zero_days_are_kept_and_blank_terms_mean_thirty(
    uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    customers = write(
        tmp_path,
        "customers.csv",
        """\
        id,name,payment_terms_days
        CASH,Cash Customer,0
        USUAL,Usual Customer,
        """,
    )
    invoices = write(
        tmp_path,
        "invoices.csv",
        """\
        number,customer_id,issue_date,amount
        I-CASH,CASH,2026-03-01,10.00
        I-USUAL,USUAL,2026-03-01,10.00
        """,
    )
    run(uow_factory, "customers", customers)
    run(uow_factory, "invoices", invoices)
    with uow_factory() as uow:
        terms = {c.id: c.payment_terms_days for c in uow.customers.list()}
        due = {n: i.due_date for n, i in uow.invoices.get_many(["I-CASH", "I-USUAL"]).items()}
    assert terms == {"CASH": 0, "USUAL": 30}
    assert due == {"I-CASH": day("2026-03-01"), "I-USUAL": day("2026-03-31")}
