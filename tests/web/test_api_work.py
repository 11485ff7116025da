"""The collector's work over the API: tasks, approvals, the checklist, the worklist and the run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from web_world import USERS

from recoup import bootstrap
from recoup.domain.cases import CaseKey

Api = Callable[[str], TestClient]


def refused(answer: Any, status: int, message: str | None = None, field: str | None = None) -> None:
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    if message is not None:
        assert error["message"] == message, error
    if field is not None:
        assert error["field"] == field, error


def some_tasks(api: Api) -> None:
    """A dispute on ACME's INV-1002 (its task goes to Anna, the sales owner) and a bounced contact at
    DUPONT (a skip-tracing task for the team), both due today."""
    admin = api("admin")
    assert admin.post("/api/disputes", json={"invoice": "INV-1002", "reason": "quantity"}).status_code == 201
    assert admin.post("/api/customers/DUPONT/contacts/3/invalid").status_code == 200


def kinds(answer: Any) -> list[tuple[str, str]]:
    assert answer.status_code == 200, answer.text
    return [(t["customer_id"], t["kind"]) for t in answer.json()["items"]]


# --- tasks -----------------------------------------------------------------------------------------


def test_tasks_are_listed_filtered_and_closed_with_a_log_entry(api: Api) -> None:
    some_tasks(api)
    collector = api("collector")
    assert kinds(collector.get("/api/tasks")) == [("ACME-DE", "dispute"), ("DUPONT", "skip_tracing")]
    assert kinds(collector.get("/api/tasks", params={"assignee": USERS["sales"]})) == [("ACME-DE", "dispute")]
    assert kinds(collector.get("/api/tasks", params={"assignee": ""})) == [("DUPONT", "skip_tracing")]
    assert kinds(api("sales").get("/api/tasks")) == [("ACME-DE", "dispute")]
    task = collector.get("/api/tasks", params={"customer_id": "DUPONT"}).json()["items"][0]
    seen = collector.get("/api/customers/DUPONT").json()["version"]
    done = collector.post(f"/api/tasks/{task['id']}/done", json={"version": seen})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "done" and done.json()["version"] > seen
    assert kinds(collector.get("/api/tasks", params={"status": "done"})) == [("DUPONT", "skip_tracing")]
    entry = collector.get("/api/customers/DUPONT/activities", params={"kind": "task_closed"}).json()["items"][
        0
    ]
    assert entry["actor"] == USERS["collector"] and entry["data"]["status"] == "done"
    refused(collector.post(f"/api/tasks/{task['id']}/cancel"), 409, f"task {task['id']} is already done")
    refused(collector.post("/api/tasks/9999/done"), 404, "no task 9999")


def test_closing_a_task_is_for_collectors_and_bad_filters_are_named(api: Api) -> None:
    some_tasks(api)
    viewer = api("viewer")
    task = viewer.get("/api/tasks").json()["items"][0]
    for role in ("sales", "viewer"):
        refused(
            api(role).post(f"/api/tasks/{task['id']}/cancel"),
            403,
            f"a {role} may not work cases (calls, promises, plans, holds, settlements, tasks, approvals)",
        )
    assert viewer.get("/api/tasks").json()["total"] == 2
    for params, field in [
        ({"status": "late"}, "status"),
        ({"kind": "lunch"}, "kind"),
        ({"due_by": "soon"}, "due_by"),
    ]:
        refused(viewer.get("/api/tasks", params=params), 422, field=field)
    refused(api("collector").post("/api/tasks/0/done"), 422, field="task_id")


# --- approvals and the checklist -------------------------------------------------------------------


def test_a_gated_step_is_approved_once_and_logged(api: Api, built: bootstrap.App) -> None:
    collector = api("collector")
    made = collector.post("/api/customers/ACME-DE/approvals", json={"step": "agency-review"})
    assert made.status_code == 201, made.text
    assert (
        made.json()["activity"]["text"]
        == f"Step agency-review approved for ACME-DE/EUR by {USERS['collector']}"
    )
    with built.uow() as uow:
        assert uow.approvals.unused([CaseKey("ACME-DE", "EUR")]) == {
            CaseKey("ACME-DE", "EUR"): {"agency-review"}
        }
    refused(collector.post("/api/customers/ACME-DE/approvals", json={"step": "agency-review"}), 409)
    refused(collector.post("/api/customers/ACME-DE/approvals", json={"step": "court"}), 422, field="step")
    refused(
        collector.post("/api/customers/ACME-DE/approvals", json={"step": "x", "currency": "EU"}),
        422,
        field="currency",
    )
    refused(api("sales").post("/api/customers/ACME-DE/approvals", json={"step": "litigation-review"}), 403)


def test_the_checklist_shows_answers_from_the_records_and_takes_the_collectors(api: Api) -> None:
    collector = api("collector")
    before = collector.get("/api/customers/ACME-DE/checklist").json()
    assert before["missing"] == ["owner_contacted", "first_response", "plan_offered"]
    assert {q["id"]: (q["answer"], q["source"]) for q in before["questions"]}["right_recipient"] == (
        "yes",
        "records",
    )
    made = collector.post(
        "/api/customers/ACME-DE/checklist", json={"answers": {"owner_contacted": True, "plan_offered": False}}
    )
    assert made.status_code == 200, made.text
    after = collector.get("/api/customers/ACME-DE/checklist").json()
    answers = {q["id"]: (q["answer"], q["source"]) for q in after["questions"]}
    assert answers["owner_contacted"] == ("yes", "collector") and answers["plan_offered"] == (
        "no",
        "collector",
    )
    assert after["missing"] == ["first_response"] and made.json()["missing"] == ["first_response"]
    log = collector.get("/api/customers/ACME-DE/activities", params={"kind": "checklist"}).json()
    assert log["total"] == 2 and made.json()["version"] == log["items"][0]["id"]
    for body, field in [
        ({"answers": {"mood": True}}, "answers"),
        ({"answers": {"pattern": "maybe"}}, "answers.pattern"),
        ({"answers": {}}, "answers"),
    ]:
        refused(collector.post("/api/customers/ACME-DE/checklist", json=body), 422, field=field)
    refused(api("viewer").post("/api/customers/ACME-DE/checklist", json={"answers": {"pattern": True}}), 403)
    assert (
        collector.get("/api/customers/ACME-DE/activities", params={"kind": "checklist"}).json()["total"] == 2
    )


# --- the worklist ----------------------------------------------------------------------------------


def test_the_worklist_ranks_todays_tasks_with_reasons_and_pages(api: Api) -> None:
    some_tasks(api)
    collector = api("collector")
    items = collector.get("/api/worklist").json()
    assert [(i["customer_id"], i["kind"]) for i in items["items"]] == [
        ("ACME-DE", "dispute"),
        ("DUPONT", "skip_tracing"),
    ]
    top = items["items"][0]
    assert top["overdue"] == "9500.50" and "EUR 9,500.50 overdue" in top["reasons"]  # the whole case
    assert top["score"] > items["items"][1]["score"]
    assert [
        i["customer_id"] for i in collector.get("/api/worklist", params={"mine": True}).json()["items"]
    ] == ["DUPONT"]
    assert [i["customer_id"] for i in api("sales").get("/api/worklist").json()["items"]] == ["ACME-DE"]
    page = collector.get("/api/worklist", params={"limit": 1, "offset": 1}).json()
    assert (page["total"], [i["customer_id"] for i in page["items"]]) == (2, ["DUPONT"])
    assert collector.get("/api/worklist", params={"as_of": "2026-11-01"}).json()["total"] == 0
    refused(collector.get("/api/worklist", params={"as_of": "0000-01-01"}), 422, field="as_of")


# --- the run ---------------------------------------------------------------------------------------


def test_the_preview_changes_nothing_and_the_run_writes_the_outbox_once(
    api: Api, built: bootstrap.App
) -> None:
    collector = api("collector")
    preview = collector.get("/api/run/preview").json()
    planned = [(a["customer_id"], a["step"], a["action"], a["status"]) for a in preview["actions"]]
    assert planned == [
        ("ACME-DE", "final-notice", "email", "planned"),
        ("ACME-DE", "final-notice", "letter", "planned"),
        ("SMITH", "reminder-3", "email", "planned"),
    ]
    assert collector.get("/api/run/preview").json()["total_actions"] == 3  # a preview writes nothing
    page = collector.get("/api/run/preview", params={"limit": 1, "offset": 2}).json()
    assert [a["customer_id"] for a in page["actions"]] == ["SMITH"] and page["total_actions"] == 3
    ran = collector.post("/api/run", json={})
    assert ran.status_code == 200, ran.text
    assert [a["status"] for a in ran.json()["actions"]] == ["pending"] * 3 and ran.json()["dry_run"] is False
    with built.uow() as uow:
        outbox = uow.outbox.for_customer("ACME-DE")
    assert sorted(i.action for i in outbox) == ["email", "letter"]
    assert collector.get("/api/run/preview").json()["total_actions"] == 0
    assert collector.post("/api/run").json()["total_actions"] == 0  # the same day twice: nothing new


def test_a_second_run_at_the_same_time_is_refused_naming_who_runs(api: Api, built: bootstrap.App) -> None:
    with built.uow() as uow:
        uow.locks.acquire("run", holder="other-host pid 4242", at=built.now())
        uow.commit()
    collector = api("collector")
    answer = collector.post("/api/run")
    refused(answer, 409)
    assert "held by other-host pid 4242" in answer.json()["error"]["message"]
    assert collector.get("/api/run/preview").json()["total_actions"] == 3  # nothing was written


def test_the_run_is_for_collectors_and_admins_and_refuses_a_bad_date(api: Api) -> None:
    for role in ("sales", "viewer"):
        refused(api(role).get("/api/run/preview"), 403, f"a {role} may not preview or execute the run")
        refused(api(role).post("/api/run"), 403, f"a {role} may not preview or execute the run")
    admin = api("admin")
    refused(admin.get("/api/run/preview", params={"as_of": "tomorrow"}), 422, field="as_of")
    refused(admin.post("/api/run", json={"as_of": "2026-02-30"}), 422, field="as_of")
    refused(admin.post("/api/run", json={"when": "now"}), 422, field="when")
    assert admin.get("/api/run/preview").json()["total_actions"] == 3


def test_a_cancelled_task_leaves_the_worklist(api: Api) -> None:
    some_tasks(api)
    collector = api("collector")
    task = collector.get("/api/tasks", params={"customer_id": "ACME-DE"}).json()["items"][0]
    refused(collector.post(f"/api/tasks/{task['id']}/cancel", json={"status": "done"}), 422, field="status")
    cancelled = collector.post(f"/api/tasks/{task['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert [i["customer_id"] for i in collector.get("/api/worklist").json()["items"]] == ["DUPONT"]
    assert kinds(collector.get("/api/tasks", params={"status": "cancelled"})) == [("ACME-DE", "dispute")]
