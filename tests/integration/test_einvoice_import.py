"""Importing e-invoices into the ledger: buyers matched or created, credit notes applied, all or nothing.

Name matching reads the store's customer listing, which the in-memory fake
does not have, so these tests run on SQLite (and PostgreSQL when available).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from builders import AT, customer, day, eur, given, invoice
from einvoice_samples import ACME_VAT, cii, facturx_pdf, ubl
from recoup.domain.errors import ImportRejectedError
from recoup.domain.invoices import InvoiceStatus
from recoup.services.einvoices import EInvoiceImport, import_einvoice_files
from recoup.services.ports import UnitOfWorkFactory


def write(tmp_path: Path, files: dict[str, bytes]) -> list[Path]:
    paths = []
    for name, data in files.items():
        path = tmp_path / name
        path.write_bytes(data)
        paths.append(path)
    return paths


def run(
    uow: UnitOfWorkFactory, tmp_path: Path, files: dict[str, bytes], *, create: bool = False
) -> EInvoiceImport:
    return import_einvoice_files(uow, write(tmp_path, files), at=AT, create_customers=create)


def refused(uow: UnitOfWorkFactory, tmp_path: Path, files: dict[str, bytes], *, create: bool = False) -> str:
    with pytest.raises(ImportRejectedError) as caught:
        run(uow, tmp_path, files, create=create)
    return "\n".join(caught.value.problems)


def ledger(uow_factory: UnitOfWorkFactory) -> dict[str, object]:
    """Everything an import can change, comparable before and after."""
    with uow_factory() as uow:
        customers = uow.customers.list()
        ids = [c.id for c in customers]
        invoices = [i for cid in ids for i in uow.invoices.for_customer(cid)]
        return {
            "customers": customers,
            "contacts": [c for cid in ids for c in uow.contacts.for_customer(cid)],
            "invoices": invoices,
            "credit_notes": [n for cid in ids for n in uow.credit_notes.for_customer(cid)],
            "allocations": uow.queries.allocations_for([i.number for i in invoices]),
            "activities": [(a.kind, a.text) for cid in ids for a in uow.activities.for_customer(cid)],
        }


# --- buyers ---------------------------------------------------------------------------------------------


def test_an_unknown_buyer_is_refused_without_create_customers(
    sql_uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    problems = refused(sql_uow_factory, tmp_path, {"a.xml": ubl()})
    assert problems == (
        f"a.xml: the buyer 'Acme GmbH' (tax id {ACME_VAT}) is no customer; import it first, "
        "or import with --create-customers"
    )
    assert ledger(sql_uow_factory)["customers"] == []


def test_create_customers_makes_the_buyer_a_customer_with_its_country_defaults(
    sql_uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    result = run(
        sql_uow_factory,
        tmp_path,
        {"a.xml": cii(country="FR", vat="FR19787878784", legal="78787878400035")},
        create=True,
    )
    assert result.customers_added == ["78787878400035"]
    with sql_uow_factory() as uow:
        c = uow.customers.get("78787878400035")
        contacts = uow.contacts.for_customer("78787878400035")
    assert c is not None
    assert (c.name, c.country, c.language, c.currency, c.time_zone, c.tax_id, c.payment_terms_days) == (
        "Acme GmbH",
        "FR",
        "fr",
        "EUR",
        "Europe/Paris",
        "FR19787878784",
        30,
    )
    assert [(x.name, x.email, x.role.value) for x in contacts] == [
        ("Petra Klein", "ap@acme.example", "billing")
    ]


def test_the_buyer_is_found_by_its_tax_id_written_any_way(
    sql_uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    given(sql_uow_factory, customer("ACME", "Acme Maschinenbau GmbH", tax_id="DE 136 695 976"))
    result = run(sql_uow_factory, tmp_path, {"a.xml": ubl(vat="de136695976", buyer="Acme (another name)")})
    assert result.files[0].status == "added"
    with sql_uow_factory() as uow:
        assert uow.invoices.get("INV-1").customer_id == "ACME"  # type: ignore[union-attr]


def test_the_buyer_is_found_by_its_legal_id_as_customer_id(
    sql_uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    given(sql_uow_factory, customer("HRB-1234", "Acme Holding"))
    run(sql_uow_factory, tmp_path, {"a.xml": ubl(vat="", legal="HRB-1234", buyer="Acme GmbH")})
    with sql_uow_factory() as uow:
        assert uow.invoices.get("INV-1").customer_id == "HRB-1234"  # type: ignore[union-attr]


def test_the_buyer_is_found_by_its_exact_name_case_ignored(
    sql_uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    given(sql_uow_factory, customer("ACME", "ACME GMBH"), customer("ACME2", "Acme GmbH & Co. KG"))
    run(sql_uow_factory, tmp_path, {"a.xml": ubl(vat="")})
    with sql_uow_factory() as uow:
        assert uow.invoices.get("INV-1").customer_id == "ACME"  # type: ignore[union-attr]


def test_a_name_that_fits_two_customers_is_refused_as_ambiguous(
    sql_uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    given(sql_uow_factory, customer("A1", "Acme GmbH"), customer("A2", "acme gmbh"))
    problems = refused(sql_uow_factory, tmp_path, {"a.xml": ubl(vat="")}, create=True)
    assert "a.xml: the buyer's name 'Acme GmbH' fits several customers (A1, A2)" in problems


def test_a_same_named_customer_with_another_tax_id_is_not_taken_for_the_buyer(
    sql_uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    given(sql_uow_factory, customer("A1", "Acme GmbH", tax_id="DE129273398"))
    problems = refused(sql_uow_factory, tmp_path, {"a.xml": ubl()}, create=True)
    assert f"has tax id {ACME_VAT} but customer A1 of that name has DE129273398" in problems


def test_an_invalid_buyer_tax_id_is_left_out_of_the_new_customer_and_said(
    sql_uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    result = run(sql_uow_factory, tmp_path, {"a.xml": ubl(vat="DE12345ABC")}, create=True)
    assert result.customers_added == ["ACME-GMBH"]
    assert "its tax id 'DE12345ABC' is not valid, so it was left out" in result.messages[0]


def test_several_documents_of_a_new_buyer_make_one_customer(
    sql_uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    result = run(
        sql_uow_factory, tmp_path, {"a.xml": ubl(number="A-1"), "b.xml": cii(number="B-1")}, create=True
    )
    assert result.customers_added == ["DE136695976"]
    assert result.invoices_added == 2
    assert result.contacts_added == 1


# --- invoices -------------------------------------------------------------------------------------------


def test_an_invoice_without_due_date_is_due_after_the_customers_terms(
    sql_uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    given(sql_uow_factory, customer("ACME", "Acme GmbH", tax_id=ACME_VAT, terms=14))
    result = run(sql_uow_factory, tmp_path, {"a.xml": cii(due=None)})
    with sql_uow_factory() as uow:
        inv = uow.invoices.get("INV-1")
    assert inv is not None
    assert (inv.issue_date, inv.due_date, inv.amount, inv.sent_to) == (
        day("2026-10-01"),
        day("2026-10-15"),
        eur("119.00"),
        "ap@acme.example",
    )
    assert "no due date: due after 14 days, on 2026-10-15" in result.files[0].text


def test_a_due_date_before_the_issue_date_is_taken_as_due_on_issue(
    sql_uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    given(sql_uow_factory, customer("ACME", "Acme GmbH", tax_id=ACME_VAT))
    result = run(sql_uow_factory, tmp_path, {"a.xml": ubl(due="2026-09-01")})
    with sql_uow_factory() as uow:
        assert uow.invoices.get("INV-1").due_date == day("2026-10-01")  # type: ignore[union-attr]
    assert "the due date 2026-09-01 is before the issue date: taken as due on issue" in result.files[0].text


def test_a_fully_prepaid_invoice_has_nothing_to_collect_and_stores_nothing(
    sql_uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    result = run(sql_uow_factory, tmp_path, {"a.xml": ubl(prepaid="119.00")})
    assert [(f.status, f.text) for f in result.files] == [
        ("nothing to collect", "invoice INV-1 (commercial invoice (380)) of 0.00 EUR: nothing to collect")
    ]
    assert ledger(sql_uow_factory)["invoices"] == []


def test_importing_the_same_files_again_creates_nothing(
    sql_uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    files = {
        "a.xml": ubl(due=None),
        "b.pdf": facturx_pdf(cii(number="INV-2")),
        "c.xml": ubl(
            root="CreditNote",
            type_code="381",
            number="CN-1",
            due=None,
            reference="INV-1",
            line="10.00",
            tax="1.90",
        ),
    }
    first = run(sql_uow_factory, tmp_path, files, create=True)
    before = ledger(sql_uow_factory)
    again = run(sql_uow_factory, tmp_path, files, create=True)
    assert (first.invoices_added, first.credit_notes_added, first.customers_added) == (2, 1, ["DE136695976"])
    assert (again.invoices_added, again.credit_notes_added, again.customers_added, again.contacts_added) == (
        0,
        0,
        [],
        0,
    )
    assert again.unchanged == 3
    assert [f.status for f in again.files] == ["unchanged"] * 3
    assert ledger(sql_uow_factory) == before


def test_an_invoice_number_imported_with_other_data_is_refused(
    sql_uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    given(
        sql_uow_factory,
        customer("ACME", "Acme GmbH", tax_id=ACME_VAT),
        invoice("INV-1", customer="ACME", amount="50.00"),
    )
    problems = refused(sql_uow_factory, tmp_path, {"a.xml": ubl()})
    assert "a.xml: invoice INV-1 was already imported with other data (customer ACME, 50.00 EUR" in problems


# --- credit notes ---------------------------------------------------------------------------------------


def test_a_credit_note_is_applied_to_the_invoice_it_references(
    sql_uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    given(
        sql_uow_factory,
        customer("ACME", "Acme GmbH", tax_id=ACME_VAT),
        invoice("OLD-1", customer="ACME", issued="2026-08-01"),
        invoice("INV-9", customer="ACME", amount="200.00", issued="2026-09-01"),
    )
    note = ubl(
        root="CreditNote",
        type_code="381",
        number="CN-1",
        due=None,
        reference="INV-9",
        line="50.00",
        tax="0.00",
    )
    result = run(sql_uow_factory, tmp_path, {"cn.xml": note})
    assert (
        result.files[0].text == "credit note CN-1 (credit note (381)) of 50.00 EUR for ACME on invoice INV-9"
    )
    with sql_uow_factory() as uow:
        assert uow.invoices.get("INV-9").open_balance == eur("150.00")  # type: ignore[union-attr]
        assert uow.invoices.get("OLD-1").open_balance == eur("100.00")  # type: ignore[union-attr]


def test_a_negative_invoice_credits_the_invoice_it_references_and_can_close_it(
    sql_uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    files = {
        "1.xml": cii(number="INV-1"),
        "2.xml": cii(number="INV-1-C", line="-100.00", tax="-19.00", reference="INV-1"),
    }
    result = run(sql_uow_factory, tmp_path, files, create=True)
    assert (result.invoices_added, result.credit_notes_added) == (1, 1)
    with sql_uow_factory() as uow:
        inv = uow.invoices.get("INV-1")
    assert inv is not None
    assert (inv.status, inv.open_balance, inv.closed_on) == (
        InvoiceStatus.PAID,
        eur("0.00"),
        day("2026-10-01"),
    )


def test_a_credit_note_on_an_unknown_invoice_stays_unapplied_credit(
    sql_uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    given(sql_uow_factory, customer("ACME", "Acme GmbH", tax_id=ACME_VAT), invoice("OPEN-1", customer="ACME"))
    note = cii(type_code="381", number="CN-1", reference="GONE-7", line="10.00", tax="0.00")
    result = run(sql_uow_factory, tmp_path, {"cn.xml": note})
    assert "on invoice GONE-7, which recoup does not know: kept as unapplied credit" in result.files[0].text
    assert "credit note CN-1: 10.00 EUR left as unapplied credit on the customer" in result.messages
    with sql_uow_factory() as uow:
        assert uow.invoices.get("OPEN-1").open_balance == eur("100.00")  # type: ignore[union-attr]


def test_a_credit_note_on_another_customers_invoice_is_refused(
    sql_uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    given(
        sql_uow_factory,
        customer("ACME", "Acme GmbH", tax_id=ACME_VAT),
        customer("OTHER", "Other AG"),
        invoice("INV-5", customer="OTHER"),
    )
    note = cii(type_code="381", number="CN-1", reference="INV-5", line="10.00", tax="0.00")
    problems = refused(sql_uow_factory, tmp_path, {"cn.xml": note})
    assert (
        "cn.xml: credit note CN-1 is for ACME but the invoice it corrects, INV-5, belongs to customer OTHER"
        in problems
    )


# --- all or nothing -------------------------------------------------------------------------------------


def test_one_bad_file_in_a_run_imports_nothing_and_every_problem_is_listed_by_file(
    sql_uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    given(sql_uow_factory, customer("ACME", "Acme GmbH", tax_id=ACME_VAT))
    before = ledger(sql_uow_factory)
    files = {
        "1-good.xml": ubl(number="G-1"),
        "2-reminder.xml": ubl(root="Reminder"),
        "3-sums.xml": cii(number="S-1", payable="1.00"),
        "4-stranger.xml": cii(number="X-1", buyer="Stranger Ltd", vat=""),
    }
    problems = refused(sql_uow_factory, tmp_path, files)
    assert "2-reminder.xml: this is a UBL Reminder" in problems
    assert "3-sums.xml, line 1, ram:DuePayableAmount: the amount due 1.00 is not" in problems
    assert "4-stranger.xml: the buyer 'Stranger Ltd' is no customer" in problems
    assert "1-good.xml" not in problems
    assert ledger(sql_uow_factory) == before
