"""Working a case over the API: the timeline, notes and calls, promises, plans, disputes, holds,
settlements; who may do each, bad input, and the case version.

The examples: ACME-DE (Anna's, the sales user's) owes EUR 5,000.00 on INV-1001 and 4,500.50 on
INV-1002, both overdue on 2026-11-23; the run then sends ACME-DE a final notice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from web_world import USERS

Api = Callable[[str], TestClient]


def version(client: TestClient, customer: str = "ACME-DE") -> int:
    answer = client.get(f"/api/customers/{customer}")
    assert answer.status_code == 200, answer.text
    return int(answer.json()["version"])


def timeline(client: TestClient, customer: str = "ACME-DE", **params: Any) -> list[dict[str, Any]]:
    answer = client.get(f"/api/customers/{customer}/activities", params=params)
    assert answer.status_code == 200, answer.text
    return list(answer.json()["items"])


def chased(client: TestClient, customer: str = "ACME-DE") -> set[str]:
    """The invoices of ``customer`` the run would chase today."""
    actions = client.get("/api/run/preview").json()["actions"]
    return {n for a in actions if a["customer_id"] == customer for n in a["invoices"]}


def refused(answer: Any, status: int, message: str | None = None, field: str | None = None) -> None:
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    if message is not None:
        assert error["message"] == message, error
    if field is not None:
        assert error["field"] == field, error


# --- the timeline ----------------------------------------------------------------------------------


def test_the_timeline_lists_a_customers_entries_newest_first_by_kind_and_page(api: Api) -> None:
    collector = api("collector")
    for text in ("first", "second", "third"):
        made = collector.post("/api/customers/ACME-DE/activities", json={"kind": "note", "notes": text})
        assert made.status_code == 201, made.text
    notes = timeline(collector, kind="note")
    assert [n["text"] for n in notes] == ["Note. third", "Note. second", "Note. first"]
    assert all(n["actor"] == USERS["collector"] for n in notes)
    page = collector.get(
        "/api/customers/ACME-DE/activities", params={"kind": "note", "limit": 1, "offset": 1}
    )
    assert page.json()["total"] == 3 and [n["text"] for n in page.json()["items"]] == ["Note. second"]
    everything = timeline(collector, limit=500)
    assert {"note", "customer", "payment"} <= {e["kind"] for e in everything}
    assert timeline(collector, since="2026-11-24") == []


def test_the_timeline_refuses_a_bad_page_and_another_sales_owners_customer(api: Api) -> None:
    viewer = api("viewer")
    refused(viewer.get("/api/customers/ACME-DE/activities", params={"limit": 501}), 422, field="limit")
    refused(viewer.get("/api/customers/ACME-DE/activities", params={"offset": -1}), 422, field="offset")
    refused(
        viewer.get("/api/customers/ACME-DE/activities", params={"since": "yesterday"}), 422, field="since"
    )
    refused(viewer.get("/api/customers/NOBODY/activities"), 404, "no customer 'NOBODY'")
    refused(
        api("sales").get("/api/customers/DUPONT/activities"),
        403,
        "customer DUPONT is not one of your accounts",
    )
    assert timeline(api("sales"))  # its own


# --- notes, calls, visits --------------------------------------------------------------------------


def test_sales_adds_a_note_on_its_own_account_but_not_on_anothers_nor_a_call(api: Api) -> None:
    sales = api("sales")
    made = sales.post(
        "/api/customers/ACME-DE/activities", json={"notes": "Met Hans at the fair: pays Friday"}
    )
    assert made.status_code == 201, made.text
    assert made.json()["activity"]["actor"] == USERS["sales"]
    assert made.json()["version"] == version(sales)
    assert timeline(sales, kind="note")[0]["text"] == "Note. Met Hans at the fair: pays Friday"
    refused(
        sales.post("/api/customers/DUPONT/activities", json={"notes": "x"}),
        403,
        "customer DUPONT is not one of your accounts",
    )
    refused(
        sales.post("/api/customers/ACME-DE/activities", json={"kind": "call", "outcome": "reached"}),
        403,
        "a sales may not work cases (calls, promises, plans, holds, settlements, tasks, approvals)",
    )
    refused(
        api("viewer").post("/api/customers/ACME-DE/activities", json={"notes": "x"}),
        403,
        "a viewer may not add notes",
    )
    assert len(timeline(api("admin"), "DUPONT", kind="note")) == 0


def test_a_call_with_a_promise_records_it_and_the_run_stops_chasing(api: Api) -> None:
    collector = api("collector")
    assert chased(collector) == {"INV-1001", "INV-1002"}
    made = collector.post(
        "/api/customers/ACME-DE/activities",
        json={
            "kind": "call",
            "contact": "Petra Klein",
            "outcome": "reached",
            "reason": "will_pay",
            "promise_date": "2026-11-30",
            "promise_amount": "9500.50",
        },
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["promise"]["amount"] == "9500.50" and body["promise"]["currency"] == "EUR"
    assert body["follow_ups"] == ["record_promise"] and body["tasks"] == []  # the promise is recorded
    assert [e["kind"] for e in timeline(collector)[:2]] == ["promise", "call"]
    assert chased(collector) == set()


def test_a_call_needs_an_outcome_and_bad_input_names_the_field(api: Api) -> None:
    collector = api("collector")
    before = len(timeline(collector, limit=500))
    cases = [
        ({"kind": "call"}, "outcome"),
        ({"kind": "note"}, "notes"),
        ({"kind": "shout", "notes": "x"}, "kind"),
        ({"notes": "x", "invoices": ["INV-9999"]}, "invoices"),
        ({"kind": "call", "outcome": "reached", "promise_date": "2026-11-30"}, "promise_amount"),
        (
            {"kind": "call", "outcome": "reached", "promise_date": "2026-11-30", "promise_amount": "1,00"},
            "promise_amount",
        ),
        ({"notes": "x", "version": "new"}, "version"),
        ({"notes": "x", "mood": "grumpy"}, "mood"),
    ]
    for body, field in cases:
        refused(collector.post("/api/customers/ACME-DE/activities", json=body), 422, field=field)
    assert len(timeline(collector, limit=500)) == before


# --- promises and plans ----------------------------------------------------------------------------


def test_a_promise_shows_on_the_timeline_and_pauses_the_promised_invoice_only(api: Api) -> None:
    collector = api("collector")
    made = collector.post(
        "/api/customers/ACME-DE/promises",
        json={
            "amount": "5000.00",
            "date": "2026-12-04",
            "invoices": ["INV-1001"],
            "version": version(collector),
        },
    )
    assert made.status_code == 201, made.text
    promise = made.json()
    assert (promise["amount"], promise["date"], promise["invoices"], promise["status"]) == (
        "5000.00",
        "2026-12-04",
        ["INV-1001"],
        "open",
    )
    assert promise["version"] == version(collector)
    entry = timeline(collector)[0]
    assert (
        entry["kind"] == "promise"
        and entry["actor"] == USERS["collector"]
        and entry["invoices"] == ["INV-1001"]
    )
    customer = collector.get("/api/customers/ACME-DE").json()
    assert [p["id"] for p in customer["promises"]] == [promise["id"]]
    states = {i["number"]: i["states"] for i in customer["open_items"]}
    assert states == {"INV-1001": ["promised"], "INV-1002": []}
    assert chased(collector) == {"INV-1002"}


def test_a_promise_is_refused_to_sales_and_viewers_and_for_more_than_is_owed(api: Api) -> None:
    body = {"amount": "100.00", "date": "2026-12-01"}
    for role in ("sales", "viewer"):
        refused(
            api(role).post("/api/customers/ACME-DE/promises", json=body),
            403,
            f"a {role} may not work cases (calls, promises, plans, holds, settlements, tasks, approvals)",
        )
    collector = api("collector")
    cases = [
        ({"amount": "9500.51", "date": "2026-12-01"}, "amount"),
        ({"amount": "100", "date": "2026-11-01"}, "date"),
        ({"amount": "-1", "date": "2026-12-01"}, "amount"),
        ({"amount": 100, "date": "2026-12-01"}, "amount"),
        ({"amount": "100.001", "date": "2026-12-01"}, "amount"),
        ({"amount": "100", "date": "2026-12-01", "invoices": ["INV-1003"]}, "invoices"),
        ({"amount": "100", "date": "2026-12-01", "currency": "XYZ"}, "currency"),
        ({"amount": "100", "date": "3026-12-01"}, "date"),
        ({"date": "2026-12-01"}, "amount"),
    ]
    for bad, field in cases:
        refused(collector.post("/api/customers/ACME-DE/promises", json=bad), 422, field=field)
    assert collector.get("/api/customers/ACME-DE").json()["promises"] == []
    refused(collector.post("/api/customers/NOBODY/promises", json=body), 404, "no customer 'NOBODY'")


def test_a_plan_splits_the_balance_into_instalments_that_add_up(api: Api) -> None:
    collector = api("collector")
    made = collector.post(
        "/api/customers/ACME-DE/plans", json={"installments": 3, "every_days": 30, "first": "2026-12-01"}
    )
    assert made.status_code == 201, made.text
    plan = made.json()
    assert plan["total"] == "9500.50"
    assert [(i["due"], i["amount"]) for i in plan["installments"]] == [
        ("2026-12-01", "3166.84"),
        ("2026-12-31", "3166.83"),
        ("2027-01-30", "3166.83"),
    ]
    assert timeline(collector)[0]["kind"] == "plan"
    assert [p["id"] for p in collector.get("/api/customers/ACME-DE").json()["plans"]] == [plan["id"]]
    assert chased(collector) == set()
    for bad, field in [
        ({"installments": 0, "every_days": 30}, "installments"),
        ({"installments": 2}, "every_days"),
    ]:
        refused(collector.post("/api/customers/ACME-DE/plans", json=bad), 422, field=field)
    refused(
        api("viewer").post("/api/customers/ACME-DE/plans", json={"installments": 2, "every_days": 7}), 403
    )


# --- disputes --------------------------------------------------------------------------------------


def test_sales_opens_and_resolves_a_dispute_on_its_own_account_and_the_run_follows(api: Api) -> None:
    sales, collector = api("sales"), api("collector")
    made = sales.post("/api/disputes", json={"invoice": "INV-1002", "reason": "price", "amount": "500.00"})
    assert made.status_code == 201, made.text
    dispute = made.json()
    assert (dispute["invoice"], dispute["amount"], dispute["currency"], dispute["status"]) == (
        "INV-1002",
        "500.00",
        "EUR",
        "open",
    )
    assert timeline(sales)[0]["kind"] == "dispute"
    detail = collector.get("/api/invoices/INV-1002").json()
    assert [d["id"] for d in detail["disputes"]] == [dispute["id"]]
    assert chased(collector) == {"INV-1001"}
    tasks = collector.get("/api/tasks", params={"kind": "dispute"}).json()["items"]
    assert [t["assignee"] for t in tasks] == [USERS["sales"]]
    resolved = sales.post(
        f"/api/disputes/{dispute['id']}/resolve", json={"outcome": "rejected", "version": dispute["version"]}
    )
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["status"] == "resolved" and resolved.json()["outcome"] == "rejected"
    assert collector.get("/api/tasks", params={"kind": "dispute"}).json()["total"] == 0
    assert chased(collector) == {"INV-1001", "INV-1002"}


def test_disputes_are_refused_on_another_owners_invoice_to_viewers_and_on_bad_input(api: Api) -> None:
    sales, admin = api("sales"), api("admin")
    refused(
        sales.post("/api/disputes", json={"invoice": "INV-1005", "reason": "goods"}),
        403,
        "customer SMITH is not one of your accounts",
    )
    refused(api("viewer").post("/api/disputes", json={"invoice": "INV-1002", "reason": "goods"}), 403)
    cases = [
        ({"invoice": "INV-1002", "reason": "mood"}, "reason"),
        ({"invoice": "INV-9999", "reason": "goods"}, "invoice"),
        ({"invoice": "INV-1002", "reason": "goods", "amount": "4500.51"}, "amount"),
        ({"reason": "goods"}, "invoice"),
    ]
    for bad, field in cases:
        refused(admin.post("/api/disputes", json=bad), 422, field=field)
    refused(admin.post("/api/disputes", json={"invoice": "INV-1003", "reason": "goods"}), 409)  # paid
    assert admin.get("/api/invoices/INV-1002").json()["disputes"] == []
    made = admin.post("/api/disputes", json={"invoice": "INV-1002", "reason": "goods"}).json()
    refused(admin.post("/api/disputes", json={"invoice": "INV-1002", "reason": "goods"}), 409)
    refused(
        admin.post(f"/api/disputes/{made['id']}/resolve", json={"outcome": "maybe"}), 422, field="outcome"
    )
    refused(admin.post("/api/disputes/999/resolve", json={"outcome": "rejected"}), 404, "no dispute 999")
    refused(
        api("collector").post(
            f"/api/disputes/{made['id']}/resolve", json={"outcome": "withdrawn", "version": 1}
        ),
        409,
    )
    assert admin.get("/api/invoices/INV-1002").json()["disputes"][0]["status"] == "open"


# --- holds -----------------------------------------------------------------------------------------


def test_a_hold_stops_the_chase_until_released(api: Api) -> None:
    collector = api("collector")
    made = collector.post("/api/customers/ACME-DE/holds", json={"until": "2026-12-31", "reason": "in talks"})
    assert made.status_code == 201, made.text
    hold = made.json()
    assert (hold["until"], hold["reason"], hold["released_on"]) == ("2026-12-31", "in talks", None)
    states = {i["number"]: i["states"] for i in collector.get("/api/customers/ACME-DE").json()["open_items"]}
    assert states == {"INV-1001": ["on_hold"], "INV-1002": ["on_hold"]}
    assert chased(collector) == set()
    released = collector.post(f"/api/holds/{hold['id']}/release", json={"version": hold["version"]})
    assert released.status_code == 200, released.text
    assert released.json()["released_on"] == "2026-11-23"
    assert timeline(collector)[0]["kind"] == "hold_released"
    assert chased(collector) == {"INV-1001", "INV-1002"}
    refused(collector.post(f"/api/holds/{hold['id']}/release"), 409)
    refused(collector.post("/api/holds/424242/release"), 404, "no hold 424242")


def test_a_hold_needs_a_reason_and_an_end_not_in_the_past(api: Api) -> None:
    collector = api("collector")
    refused(
        collector.post("/api/customers/ACME-DE/holds", json={"until": "2026-12-31", "reason": ""}),
        422,
        field="reason",
    )
    refused(
        collector.post("/api/customers/ACME-DE/holds", json={"until": "2026-11-01", "reason": "x"}),
        422,
        field="until",
    )
    refused(
        api("sales").post("/api/customers/ACME-DE/holds", json={"until": "2026-12-31", "reason": "x"}), 403
    )
    assert collector.get("/api/customers/ACME-DE").json()["holds"] == []


# --- settlements -----------------------------------------------------------------------------------


def test_a_settlement_is_offered_then_accepted_or_declined_once(api: Api) -> None:
    collector = api("collector")
    made = collector.post(
        "/api/customers/ACME-DE/settlements", json={"amount": "8000.00", "deadline": "2026-12-15"}
    )
    assert made.status_code == 201, made.text
    offer = made.json()
    assert (offer["amount"], offer["status"]) == ("8000.00", "offered")
    refused(
        collector.post(
            "/api/customers/ACME-DE/settlements", json={"amount": "7000.00", "deadline": "2026-12-15"}
        ),
        409,
    )
    accepted = collector.post(f"/api/settlements/{offer['id']}/accept")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert timeline(collector)[0]["kind"] == "settlement_accepted"
    refused(collector.post(f"/api/settlements/{offer['id']}/decline"), 409)
    assert collector.get("/api/customers/ACME-DE").json()["settlements"][0]["status"] == "accepted"


def test_a_settlement_is_for_less_than_is_owed_and_only_a_collector_offers_it(api: Api) -> None:
    collector = api("collector")
    for bad, field in [
        ({"amount": "9500.50", "deadline": "2026-12-15"}, "amount"),
        ({"amount": "100.00", "deadline": "2026-11-01"}, "deadline"),
        ({"amount": "100.00"}, "deadline"),
    ]:
        refused(collector.post("/api/customers/ACME-DE/settlements", json=bad), 422, field=field)
    refused(
        api("viewer").post(
            "/api/customers/ACME-DE/settlements", json={"amount": "1", "deadline": "2026-12-15"}
        ),
        403,
    )
    declined_missing = collector.post("/api/settlements/77/decline")
    refused(declined_missing, 404, "no settlement 77")
    assert collector.get("/api/customers/ACME-DE").json()["settlements"] == []


# --- the case version ------------------------------------------------------------------------------


def test_two_collectors_on_one_case_the_second_write_is_refused_and_nothing_of_it_is_stored(api: Api) -> None:
    carl, ada = api("collector"), api("admin")
    seen_by_carl, seen_by_ada = version(carl), version(ada)
    assert seen_by_carl == seen_by_ada
    first = carl.post(
        "/api/customers/ACME-DE/holds",
        json={"until": "2026-12-31", "reason": "in talks", "version": seen_by_carl},
    )
    assert first.status_code == 201, first.text
    second = ada.post(
        "/api/customers/ACME-DE/promises",
        json={"amount": "100.00", "date": "2026-12-01", "version": seen_by_ada},
    )
    assert second.status_code == 409, second.text
    message = second.json()["error"]["message"]
    assert "changed since you opened it" in message
    assert f"{USERS['collector']} recorded 'Hold" in message and "nothing was saved" in message
    customer = ada.get("/api/customers/ACME-DE").json()
    assert customer["promises"] == [] and len(customer["holds"]) == 1
    again = ada.post(
        "/api/customers/ACME-DE/promises",
        json={"amount": "100.00", "date": "2026-12-01", "version": customer["version"]},
    )
    assert again.status_code == 201, again.text


def test_a_declined_settlement_lets_the_ladder_go_on_and_only_collectors_decide(api: Api) -> None:
    collector = api("collector")
    offer = collector.post(
        "/api/customers/ACME-DE/settlements", json={"amount": "8000.00", "deadline": "2026-12-15"}
    ).json()
    assert chased(collector) == set()
    for role in ("sales", "viewer"):
        for decision in ("accept", "decline"):
            refused(
                api(role).post(f"/api/settlements/{offer['id']}/{decision}"),
                403,
                f"a {role} may not work cases (calls, promises, plans, holds, settlements, tasks, approvals)",
            )
    refused(
        collector.post(f"/api/settlements/{offer['id']}/decline", json={"version": "x"}), 422, field="version"
    )
    declined = collector.post(f"/api/settlements/{offer['id']}/decline", json={"version": offer["version"]})
    assert declined.status_code == 200, declined.text
    assert declined.json()["status"] == "declined"
    assert timeline(collector)[0]["kind"] == "settlement_declined"
    assert collector.get("/api/customers/ACME-DE").json()["settlements"] == []
    assert chased(collector) == {"INV-1001", "INV-1002"}


def test_releasing_a_hold_and_resolving_a_dispute_are_refused_to_the_wrong_roles(api: Api) -> None:
    admin = api("admin")
    hold = admin.post("/api/customers/ACME-DE/holds", json={"until": "2026-12-31", "reason": "talks"}).json()
    dispute = admin.post("/api/disputes", json={"invoice": "INV-1001", "reason": "goods"}).json()
    for role in ("sales", "viewer"):
        refused(
            api(role).post(f"/api/holds/{hold['id']}/release"),
            403,
            f"a {role} may not work cases (calls, promises, plans, holds, settlements, tasks, approvals)",
        )
    refused(
        api("viewer").post(f"/api/disputes/{dispute['id']}/resolve", json={"outcome": "rejected"}),
        403,
        "a viewer may not open or resolve disputes",
    )
    refused(admin.post(f"/api/holds/{hold['id']}/release", json={"until": "now"}), 422, field="until")
    customer = admin.get("/api/customers/ACME-DE").json()
    assert [h["released_on"] for h in customer["holds"]] == [None]
    assert [d["status"] for d in customer["disputes"]] == ["open"]


def test_a_desk_session_writes_with_its_csrf_token_only(desk: Callable[[str], Any]) -> None:
    client = desk("collector")
    body = {"until": "2026-12-31", "reason": "in talks"}
    refused(client.post("/api/customers/ACME-DE/holds", json=body), 403)
    assert client.get("/api/customers/ACME-DE").json()["holds"] == []
    made = client.post("/api/customers/ACME-DE/holds", json=body, headers={"X-CSRF-Token": client.csrf})
    assert made.status_code == 201, made.text
    assert timeline(client)[0]["actor"] == USERS["collector"]
