"""Invoices, payments and write-offs over the API.

The examples: ACME-DE owes EUR 5,000.00 on INV-1001 (7,000.00 of 12,000.00 paid by BANK-0001) and
4,500.50 on INV-1002; SMITH owes GBP 420.00 on INV-1005; DUPONT and HANBIT are paid up (HANBIT
with KRW 200,000 unapplied).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from web_world import USERS

Api = Callable[[str], TestClient]


def refused(answer: Any, status: int, message: str | None = None, field: str | None = None) -> None:
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    if message is not None:
        assert error["message"] == message, error
    if field is not None:
        assert error["field"] == field, error


def numbers(answer: Any) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [i["number"] for i in answer.json()["items"]]


def test_invoices_are_listed_by_due_date_with_filters_and_pages(api: Api) -> None:
    viewer = api("viewer")
    everything = viewer.get("/api/invoices").json()
    assert [i["number"] for i in everything["items"]] == [
        "INV-1001",
        "INV-1003",
        "INV-1002",
        "INV-1004",
        "INV-1005",
    ]
    assert numbers(viewer.get("/api/invoices", params={"status": "paid"})) == ["INV-1003", "INV-1004"]
    assert numbers(viewer.get("/api/invoices", params={"overdue": True})) == [
        "INV-1001",
        "INV-1002",
        "INV-1005",
    ]
    assert numbers(viewer.get("/api/invoices", params={"overdue": True, "as_of": "2026-10-01"})) == [
        "INV-1001"
    ]
    assert numbers(viewer.get("/api/invoices", params={"customer_id": "ACME-DE", "q": "1002"})) == [
        "INV-1002"
    ]
    assert numbers(viewer.get("/api/invoices", params={"currency": "krw"})) == ["INV-1004"]
    page = viewer.get("/api/invoices", params={"limit": 2, "offset": 4}).json()
    assert [i["number"] for i in page["items"]] == ["INV-1005"] and page["total"] == 5
    for params, field in [
        ({"status": "late"}, "status"),
        ({"limit": 1000}, "limit"),
        ({"currency": "EURO"}, "currency"),
    ]:
        refused(viewer.get("/api/invoices", params=params), 422, field=field)
    refused(viewer.get("/api/invoices", params={"customer_id": "NOBODY"}), 422, field="customer_id")


def test_sales_lists_the_invoices_and_payments_of_its_own_accounts_only(api: Api) -> None:
    sales = api("sales")
    assert numbers(sales.get("/api/invoices")) == ["INV-1001", "INV-1002"]
    assert [p["reference"] for p in sales.get("/api/payments").json()["items"]] == ["BANK-0001"]
    refused(
        sales.get("/api/invoices", params={"customer_id": "DUPONT"}),
        403,
        "customer DUPONT is not one of your accounts",
    )
    refused(sales.get("/api/invoices/INV-1003"), 403, "customer DUPONT is not one of your accounts")


def test_one_invoice_shows_what_was_applied_to_it(api: Api) -> None:
    viewer = api("viewer")
    inv = viewer.get("/api/invoices/INV-1001").json()
    assert (inv["amount"], inv["balance"], inv["status"], inv["days_past_due"]) == (
        "12000.00",
        "5000.00",
        "open",
        115,
    )
    assert inv["allocations"] == [
        {
            "kind": "payment",
            "source": "BANK-0001",
            "amount": "7000.00",
            "currency": "EUR",
            "applied_on": "2026-08-20",
        }
    ]
    refused(viewer.get("/api/invoices/INV-9999"), 404, "no invoice 'INV-9999'")


def test_payments_are_listed_latest_recorded_first_with_filters(api: Api) -> None:
    viewer = api("viewer")

    def refs(**params: Any) -> list[str]:
        answer = viewer.get("/api/payments", params=params)
        assert answer.status_code == 200, answer.text
        return [p["reference"] for p in answer.json()["items"]]

    assert refs() == ["BANK-0003", "BANK-0002", "BANK-0001"]
    assert refs(unapplied=True) == ["BANK-0003"]
    assert refs(since="2026-09-01", until="2026-10-31") == ["BANK-0002"]
    assert refs(customer_id="ACME-DE", currency="EUR") == ["BANK-0001"]
    hanbit = viewer.get("/api/payments", params={"customer_id": "HANBIT"}).json()["items"][0]
    assert (hanbit["amount"], hanbit["unapplied"], hanbit["invoices"]) == ("3500000", "200000", ["INV-1004"])
    refused(
        viewer.get("/api/payments", params={"since": "2026-10-31", "until": "2026-09-01"}), 422, field="until"
    )


def test_a_payment_without_invoices_pays_the_oldest_first_and_the_case_moves_on(api: Api) -> None:
    collector = api("collector")
    seen = collector.get("/api/customers/ACME-DE").json()["version"]
    made = collector.post(
        "/api/payments",
        json={
            "reference": "BANK-0100",
            "customer_id": "ACME-DE",
            "date": "2026-11-20",
            "amount": "6000.00",
            "version": seen,
        },
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["oldest_first"] is True and body["unapplied"] == "0.00"
    assert [(a["source"], a["amount"]) for a in body["allocations"]] == [
        ("BANK-0100", "5000.00"),
        ("BANK-0100", "1000.00"),
    ]
    assert numbers(collector.get("/api/invoices", params={"customer_id": "ACME-DE", "status": "open"})) == [
        "INV-1002"
    ]
    assert collector.get("/api/invoices/INV-1002").json()["balance"] == "3500.50"
    entry = collector.get("/api/customers/ACME-DE/activities", params={"kind": "payment"}).json()["items"][0]
    assert entry["actor"] == USERS["collector"]
    assert body["version"] == entry["id"] > seen
    acme = collector.get("/api/customers", params={"q": "ACME"}).json()["items"][0]
    assert acme["balances"] == [{"currency": "EUR", "open": "3500.50", "overdue": "3500.50"}]


def test_a_payment_naming_an_invoice_pays_it_and_keeps_the_rest_unapplied(api: Api) -> None:
    admin = api("admin")
    made = admin.post(
        "/api/payments",
        json={
            "reference": "BANK-0101",
            "customer_id": "ACME-DE",
            "date": "2026-11-21",
            "amount": "5000.00",
            "invoices": ["INV-1002"],
        },
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["oldest_first"], body["unapplied"]) == (False, "499.50")
    assert admin.get("/api/invoices/INV-1002").json()["status"] == "paid"
    assert admin.get("/api/invoices/INV-1001").json()["balance"] == "5000.00"
    assert [
        p["reference"] for p in admin.get("/api/payments", params={"unapplied": True}).json()["items"]
    ] == [
        "BANK-0101",
        "BANK-0003",
    ]


def test_a_bad_payment_is_refused_naming_the_field_and_nothing_is_stored(api: Api) -> None:
    collector = api("collector")
    good = {"reference": "BANK-0200", "customer_id": "ACME-DE", "date": "2026-11-20", "amount": "10.00"}
    cases = [
        ({"amount": "0"}, "amount"),
        ({"amount": "-10.00"}, "amount"),
        ({"amount": 10}, "amount"),
        ({"amount": "10.005"}, "amount"),
        ({"currency": "EURO"}, "currency"),
        ({"currency": "XYZ"}, "currency"),
        ({"date": "20.11.2026"}, "date"),
        ({"invoices": ["INV-9999"]}, "invoices"),
        ({"invoices": ["INV-1005"]}, "invoices"),  # SMITH's
        ({"currency": "USD", "invoices": ["INV-1001"]}, "invoices"),
        ({"customer_id": "NOBODY"}, "customer_id"),
        ({"reference": ""}, "reference"),
    ]
    for change, field in cases:
        refused(collector.post("/api/payments", json={**good, **change}), 422, field=field)
    refused(collector.post("/api/payments", json={**good, "reference": "BANK-0001"}), 409)
    for role in ("sales", "viewer"):
        refused(
            api(role).post("/api/payments", json=good),
            403,
            f"a {role} may not change the ledger (payments, contacts, write-offs)",
        )
    assert collector.get("/api/payments").json()["total"] == 3
    assert collector.get("/api/invoices/INV-1001").json()["balance"] == "5000.00"


def test_a_write_off_closes_the_invoice_and_it_leaves_the_aging(api: Api) -> None:
    admin = api("admin")
    done = admin.post(
        "/api/write-offs", json={"invoice": "INV-1005", "reason": "consumer moved abroad, untraceable"}
    )
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["balance"], done.json()["closed_on"]) == (
        "written_off",
        "0.00",
        "2026-11-23",
    )
    assert [r["customer_id"] for r in admin.get("/api/aging").json()["rows"]["items"]] == ["ACME-DE"]
    allocations = admin.get("/api/invoices/INV-1005").json()["allocations"]
    assert [(a["kind"], a["amount"]) for a in allocations] == [("write_off", "420.00")]
    refused(admin.post("/api/write-offs", json={"invoice": "INV-1005", "reason": "again"}), 409)
    refused(admin.post("/api/write-offs", json={"invoice": "INV-1001", "reason": ""}), 422, field="reason")
    refused(admin.post("/api/write-offs", json={"invoice": "INV-0000", "reason": "x"}), 422, field="invoice")
    refused(api("sales").post("/api/write-offs", json={"invoice": "INV-1001", "reason": "x"}), 403)
    assert admin.get("/api/invoices/INV-1001").json()["status"] == "open"
