"""Customers and contacts over the API: lists with filters and pages, one customer's case, creating and
changing them with the case version, and who may do what."""

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


def ids(answer: Any) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [c["id"] for c in answer.json()["items"]]


NEW = {
    "id": "MUELLER",
    "name": "Müller Werkzeuge GmbH",
    "country": "DE",
    "sales_owner": "Anna.Weber@supplier.example",
    "payment_terms_days": 14,
    "credit_limit": "20000.00",
    "tax_id": "DE 136 695 976",
}


# --- lists -----------------------------------------------------------------------------------------


def test_the_customer_list_has_balances_per_currency_filters_and_pages(api: Api) -> None:
    viewer = api("viewer")
    answer = viewer.get("/api/customers")
    assert answer.json()["total"] == 4
    acme = answer.json()["items"][0]
    assert acme["id"] == "ACME-DE"
    assert acme["balances"] == [{"currency": "EUR", "open": "9500.50", "overdue": "9500.50"}]
    assert ids(viewer.get("/api/customers", params={"overdue": True})) == ["ACME-DE", "SMITH"]
    assert ids(viewer.get("/api/customers", params={"q": "dupont"})) == ["DUPONT"]
    assert ids(viewer.get("/api/customers", params={"country": "kr"})) == ["HANBIT"]
    assert ids(viewer.get("/api/customers", params={"order": "name"})) == [
        "ACME-DE",
        "DUPONT",
        "SMITH",
        "HANBIT",
    ]
    page = viewer.get("/api/customers", params={"limit": 2, "offset": 2}).json()
    assert [c["id"] for c in page["items"]] == ["HANBIT", "SMITH"] and (
        page["total"],
        page["limit"],
        page["offset"],
    ) == (
        4,
        2,
        2,
    )
    # Before INV-1002 fell due, only INV-1001's rest was overdue.
    early = viewer.get("/api/customers", params={"as_of": "2026-10-01", "q": "ACME"}).json()["items"][0]
    assert early["balances"] == [{"currency": "EUR", "open": "9500.50", "overdue": "5000.00"}]


def test_a_sales_user_lists_and_opens_only_its_own_customers(api: Api) -> None:
    sales = api("sales")
    assert ids(sales.get("/api/customers")) == ["ACME-DE"]
    assert ids(sales.get("/api/customers", params={"sales_owner": "tom.baker@supplier.example"})) == [
        "ACME-DE"
    ]
    assert sales.get("/api/customers/ACME-DE").status_code == 200
    refused(sales.get("/api/customers/DUPONT"), 403, "customer DUPONT is not one of your accounts")
    refused(sales.get("/api/customers/DUPONT/contacts"), 403, "customer DUPONT is not one of your accounts")
    assert ids(api("viewer").get("/api/customers", params={"sales_owner": "tom.baker@supplier.example"})) == [
        "DUPONT"
    ]


def test_bad_list_parameters_name_the_parameter(api: Api) -> None:
    viewer = api("viewer")
    for params, field in [
        ({"limit": 0}, "limit"),
        ({"limit": 501}, "limit"),
        ({"offset": -5}, "offset"),
        ({"order": "balance"}, "order"),
        ({"country": "Germany"}, "country"),
        ({"as_of": "2026-13-01"}, "as_of"),
        ({"overdue": "perhaps"}, "overdue"),
    ]:
        refused(viewer.get("/api/customers", params=params), 422, field=field)


# --- one customer ----------------------------------------------------------------------------------


def test_one_customer_comes_with_balances_contacts_open_items_and_its_version(api: Api) -> None:
    viewer = api("viewer")
    acme = viewer.get("/api/customers/ACME-DE").json()
    assert (acme["name"], acme["credit_limit"], acme["as_of"]) == (
        "Acme Maschinenbau GmbH",
        "50000.00",
        "2026-11-23",
    )
    assert acme["balances"] == [{"currency": "EUR", "open": "9500.50", "overdue": "9500.50"}]
    assert [c["name"] for c in acme["contacts"]] == ["Petra Klein", "Dr. Hans Acme"]
    assert [(i["number"], i["balance"], i["days_past_due"]) for i in acme["open_items"]] == [
        ("INV-1001", "5000.00", 115),
        ("INV-1002", "4500.50", 39),
    ]
    latest = viewer.get("/api/customers/ACME-DE/activities", params={"limit": 1}).json()["items"][0]
    assert acme["version"] == latest["id"] and acme["recent_activity"][0]["id"] == latest["id"]
    hanbit = viewer.get("/api/customers/HANBIT").json()
    assert hanbit["open_items"] == [] and hanbit["unapplied"] == [
        {"currency": "KRW", "open": "200000", "overdue": "0"}
    ]
    refused(viewer.get("/api/customers/NOBODY"), 404, "no customer 'NOBODY'")


# --- creating and changing -------------------------------------------------------------------------


def test_a_collector_adds_a_customer_and_the_log_says_who(api: Api) -> None:
    collector = api("collector")
    made = collector.post("/api/customers", json=NEW)
    assert made.status_code == 201, made.text
    stored = collector.get("/api/customers/MUELLER").json()
    assert (stored["name"], stored["currency"], stored["language"], stored["time_zone"]) == (
        "Müller Werkzeuge GmbH",
        "EUR",
        "de",
        "Europe/Berlin",
    )
    assert (stored["sales_owner"], stored["tax_id"], stored["credit_limit"]) == (
        USERS["sales"],
        "DE136695976",
        "20000.00",
    )
    log = collector.get("/api/customers/MUELLER/activities").json()["items"]
    assert [(e["kind"], e["actor"], e["text"]) for e in log] == [
        ("customer", USERS["collector"], "Customer Müller Werkzeuge GmbH created")
    ]
    assert made.json()["version"] == log[0]["id"] == stored["version"]
    assert ids(api("sales").get("/api/customers")) == ["ACME-DE", "MUELLER"]
    refused(collector.post("/api/customers", json=NEW), 409, "customer MUELLER exists already")


def test_only_the_ledger_roles_add_customers(api: Api) -> None:
    for role in ("sales", "viewer"):
        refused(
            api(role).post("/api/customers", json=NEW),
            403,
            f"a {role} may not change the ledger (payments, contacts, write-offs)",
        )
    refused(api("admin").get("/api/customers/MUELLER"), 404)


def test_a_bad_customer_is_refused_naming_the_field_and_nothing_is_stored(api: Api) -> None:
    admin = api("admin")
    cases = [
        ({"country": "XX"}, "country"),
        ({"country": "Germany"}, "country"),
        ({"currency": "EURO"}, "currency"),
        ({"currency": "XYZ"}, "currency"),
        ({"tax_id": "DE123"}, "tax_id"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"sales_owner": "anna"}, "sales_owner"),
        ({"credit_limit": "1.234"}, "credit_limit"),
        ({"credit_limit": 5000}, "credit_limit"),
        ({"payment_terms_days": -1}, "payment_terms_days"),
        ({"kind": "company"}, "kind"),
        ({"name": ""}, "name"),
        ({"id": "a/b"}, "id"),
        ({"name": "Evil\x00Corp"}, "name"),
        ({"colour": "red"}, "colour"),
    ]
    for change, field in cases:
        refused(admin.post("/api/customers", json={**NEW, **change}), 422, field=field)
    assert admin.get("/api/customers").json()["total"] == 4


def test_a_change_to_a_customer_is_logged_with_what_changed(api: Api) -> None:
    collector = api("collector")
    before = collector.get("/api/customers/ACME-DE").json()
    changed = collector.patch(
        "/api/customers/ACME-DE",
        json={"payment_terms_days": 45, "credit_limit": None, "version": before["version"]},
    )
    assert changed.status_code == 200, changed.text
    after = collector.get("/api/customers/ACME-DE").json()
    assert (after["payment_terms_days"], after["credit_limit"], after["name"]) == (45, None, before["name"])
    assert changed.json()["version"] == after["version"] > before["version"]
    entry = after["recent_activity"][0]
    assert entry["actor"] == USERS["collector"]
    assert (
        entry["text"]
        == "Customer details changed: payment_terms_days: 30 -> 45; credit_limit: 50000.00 EUR -> none"
    )
    same = collector.patch("/api/customers/ACME-DE", json={"payment_terms_days": 45})
    assert same.json()["version"] == after["version"]  # nothing changed, nothing logged
    refused(collector.patch("/api/customers/ACME-DE", json={"country": "XX"}), 422, field="country")
    refused(api("sales").patch("/api/customers/ACME-DE", json={"name": "X"}), 403)
    refused(collector.patch("/api/customers/NOBODY", json={"name": "X"}), 404)


def test_changing_the_currency_needs_the_credit_limit_in_the_new_one(api: Api) -> None:
    admin = api("admin")
    refused(admin.patch("/api/customers/ACME-DE", json={"currency": "CHF"}), 422, field="credit_limit")
    done = admin.patch("/api/customers/ACME-DE", json={"currency": "CHF", "credit_limit": "45000.00"})
    assert done.status_code == 200, done.text
    acme = admin.get("/api/customers/ACME-DE").json()
    assert (acme["currency"], acme["credit_limit"]) == ("CHF", "45000.00")


def test_two_people_change_one_customer_and_the_second_is_told_what_changed(api: Api) -> None:
    carl, ada = api("collector"), api("admin")
    seen = carl.get("/api/customers/ACME-DE").json()["version"]
    assert ada.get("/api/customers/ACME-DE").json()["version"] == seen
    first = carl.patch("/api/customers/ACME-DE", json={"segment": "strategic", "version": seen})
    assert first.status_code == 200, first.text
    second = ada.patch("/api/customers/ACME-DE", json={"name": "ACME AG", "version": seen})
    refused(second, 409)
    message = second.json()["error"]["message"]
    assert message.startswith(f"customer ACME-DE changed since you opened it (version {seen}, now ")
    assert (
        "Customer details changed: segment: key-account -> strategic" in message
        and USERS["collector"] in message
    )
    acme = ada.get("/api/customers/ACME-DE").json()
    assert (acme["name"], acme["segment"]) == ("Acme Maschinenbau GmbH", "strategic")


# --- contacts --------------------------------------------------------------------------------------


def test_contacts_are_listed_added_changed_and_marked_invalid(api: Api) -> None:
    collector = api("collector")
    listed = collector.get("/api/customers/ACME-DE/contacts").json()
    assert [c["name"] for c in listed["items"]] == ["Petra Klein", "Dr. Hans Acme"] and listed["total"] == 2
    made = collector.post(
        "/api/customers/ACME-DE/contacts",
        json={"name": "Jonas Berg", "role": "other", "email": "jonas@acme.example", "phone": "+49 30 1"},
    )
    assert made.status_code == 201, made.text
    jonas = made.json()
    assert (jonas["name"], jonas["valid"]) == ("Jonas Berg", True)
    bounced = collector.post(
        f"/api/customers/ACME-DE/contacts/{jonas['id']}/invalid", json={"version": jonas["version"]}
    )
    assert bounced.status_code == 200, bounced.text
    assert bounced.json()["valid"] is False
    tasks = collector.get("/api/tasks", params={"customer_id": "ACME-DE", "kind": "skip_tracing"}).json()[
        "items"
    ]
    assert [t["reason"] for t in tasks] == [
        "A message to Jonas Berg bounced: research the contact data and add one that works"
    ]
    refused(collector.post(f"/api/customers/ACME-DE/contacts/{jonas['id']}/invalid"), 409)
    fixed = collector.patch(
        f"/api/customers/ACME-DE/contacts/{jonas['id']}", json={"email": "j.berg@acme.example"}
    )
    assert fixed.status_code == 200 and fixed.json()["valid"] is True
    kinds = [
        e["kind"]
        for e in collector.get("/api/customers/ACME-DE/activities", params={"limit": 3}).json()["items"]
    ]
    assert kinds == ["contact", "contact_invalid", "contact"]
    stored = {c["name"]: c for c in collector.get("/api/customers/ACME-DE/contacts").json()["items"]}
    assert (stored["Jonas Berg"]["email"], stored["Jonas Berg"]["valid"]) == ("j.berg@acme.example", True)


def test_contacts_refuse_bad_input_duplicates_and_the_wrong_roles(api: Api) -> None:
    collector = api("collector")
    for body, field in [
        ({"name": "X", "email": "not an address"}, "email"),
        ({"name": "X", "role": "boss"}, "role"),
        ({"name": ""}, "name"),
        ({"email": "x@acme.example"}, "name"),
    ]:
        refused(collector.post("/api/customers/ACME-DE/contacts", json=body), 422, field=field)
    refused(collector.post("/api/customers/ACME-DE/contacts", json={"name": "Petra Klein"}), 409)
    refused(
        collector.patch("/api/customers/ACME-DE/contacts/1", json={"email": "bad address"}),
        422,
        field="email",
    )
    refused(collector.patch("/api/customers/ACME-DE/contacts/999", json={"phone": "1"}), 404)
    refused(collector.patch("/api/customers/DUPONT/contacts/1", json={"phone": "1"}), 404)  # Petra is ACME's
    refused(api("sales").post("/api/customers/ACME-DE/contacts", json={"name": "Y"}), 403)
    refused(
        api("viewer").patch("/api/customers/ACME-DE/contacts/1", json={"phone": "1"}),
        403,
        "a viewer may not change the ledger (payments, contacts, write-offs)",
    )
    refused(api("viewer").post("/api/customers/ACME-DE/contacts/1/invalid"), 403)
    assert collector.get("/api/customers/ACME-DE/contacts").json()["total"] == 2
