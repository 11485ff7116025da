"""The quick actions of the desk's customer page: each stores the real outcome with the user as the
actor, and the engine then behaves accordingly; stale versions, missing CSRF tokens, bad input and
roles without the right are refused, and nothing is stored.

The examples: ACME-DE (Anna's, the sales user's) owes EUR 5,000.00 on INV-1001 and 4,500.50 on
INV-1002, both overdue on 2026-11-23; before any run, today's run would chase both.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from web_world import USERS, DeskClient

from recoup import bootstrap
from recoup.domain.calendar import BusinessCalendar
from recoup.domain.cases import CaseKey, DisputeStatus
from recoup.services import versions
from recoup.services.policies import load_book
from recoup.services.run import RunResult, plan_run

Desk = Callable[[str], DeskClient]
HTMX = {"HX-Request": "true"}


def version(built: bootstrap.App, customer: str = "ACME-DE") -> int:
    with built.uow() as uow:
        return versions.version(uow, customer)


def post(
    client: DeskClient,
    built: bootstrap.App,
    path: str,
    data: dict[str, Any],
    *,
    customer: str = "ACME-DE",
    htmx: bool = True,
    at_version: int | None = None,
) -> Any:
    body = {
        "csrf_token": client.csrf,
        "version": str(version(built, customer) if at_version is None else at_version),
    }
    return client.post(
        f"/desk/customers/{customer}/{path}",
        data={**body, **data},
        headers=HTMX if htmx else {},
        follow_redirects=False,
    )


def dry_run(built: bootstrap.App) -> RunResult:
    return plan_run(
        built.uow,
        book=load_book(None),
        calendar=BusinessCalendar(),
        as_of=built.today(),
        at=built.now(),
        dry_run=True,
    )


def chased(built: bootstrap.App, customer: str = "ACME-DE") -> set[str]:
    return {n for a in dry_run(built).actions if a["customer"] == customer for n in a["invoices"]}


def log_of(built: bootstrap.App, customer: str = "ACME-DE") -> list[Any]:
    with built.uow() as uow:
        return uow.activities.for_customer(customer)


def test_logging_a_call_stores_its_outcome_and_reason_with_the_collector_as_actor(
    desk: Desk, built: bootstrap.App
) -> None:
    client = desk("collector")
    answer = post(
        client,
        built,
        "call",
        {
            "kind": "call",
            "outcome": "reached",
            "reason": "forgot",
            "contact": "Petra Klein",
            "notes": "Will check",
        },
    )
    assert answer.status_code == 200, answer.text
    assert answer.text.lstrip().startswith('<div id="case"')  # HTMX gets the case part back
    latest = log_of(built)[0]
    assert (latest.kind, latest.actor) == ("call", USERS["collector"])
    assert latest.data["outcome"] == "reached" and latest.data["reason"] == "forgot"
    assert latest.data["contact"] == "Petra Klein" and latest.data["conversation"] is True
    assert latest.text in answer.text  # on the timeline the page sent back
    with built.uow() as uow:
        calls = [t for t in uow.tasks.open(customer_ids=["ACME-DE"]) if t.key == "call-again"]
    assert [t.due.isoformat() for t in calls] == ["2026-11-30"]  # forgot: call again in a week


def test_a_promise_recorded_on_the_desk_stops_the_run_chasing_its_invoices(
    desk: Desk, built: bootstrap.App
) -> None:
    assert chased(built) == {"INV-1001", "INV-1002"}
    answer = post(
        desk("collector"), built, "promise", {"amount": "9500.50", "date": "2026-12-04", "currency": "EUR"}
    )
    assert answer.status_code == 200, answer.text
    with built.uow() as uow:
        (promise,) = uow.promises.open_for(["ACME-DE"])
    assert (str(promise.amount), promise.date.isoformat()) == ("9500.50 EUR", "2026-12-04")
    assert log_of(built)[0].actor == USERS["collector"]
    assert answer.text.count('badge state-promised">promised') == 2  # both items shown as promised
    assert chased(built) == set()
    assert {d["code"] for d in dry_run(built).diagnostics if d["customer"] == "ACME-DE"} == {"promised"}


def test_a_call_that_brings_a_promise_records_it_too(desk: Desk, built: bootstrap.App) -> None:
    data = {
        "outcome": "reached",
        "reason": "will_pay",
        "invoices": "INV-1002",
        "promise_date": "2026-12-01",
        "promise_amount": "4500.50",
    }
    assert post(desk("collector"), built, "call", data).status_code == 200
    with built.uow() as uow:
        (promise,) = uow.promises.open_for(["ACME-DE"])
    assert promise.invoices == ("INV-1002",)
    assert chased(built) == {"INV-1001"}


def test_a_payment_plan_puts_the_items_in_plan(desk: Desk, built: bootstrap.App) -> None:
    answer = post(
        desk("collector"), built, "plan", {"installments": "3", "every_days": "30", "currency": "EUR"}
    )
    assert answer.status_code == 200, answer.text
    with built.uow() as uow:
        (plan,) = uow.plans.open_for(["ACME-DE"])
    assert [str(i.amount.amount) for i in plan.installments] == ["3166.84", "3166.83", "3166.83"]
    assert answer.text.count('state-in-plan">in plan') == 2
    assert chased(built) == set()


def test_sales_opens_a_dispute_on_its_own_customer_and_the_engine_stops_chasing_that_invoice(
    desk: Desk, built: bootstrap.App
) -> None:
    sales = desk("sales")
    answer = post(sales, built, "dispute", {"invoice": "INV-1001", "reason": "goods"})
    assert answer.status_code == 200, answer.text
    with built.uow() as uow:
        (dispute,) = uow.disputes.open_for(["ACME-DE"])
    assert (dispute.invoice_number, dispute.reason) == ("INV-1001", "goods")
    assert log_of(built)[0].actor == USERS["sales"]
    assert chased(built) == {"INV-1002"}
    resolved = post(sales, built, "dispute/resolve", {"dispute_id": str(dispute.id), "outcome": "rejected"})
    assert resolved.status_code == 200, resolved.text
    with built.uow() as uow:
        assert uow.disputes.get(dispute.id or 0).status is DisputeStatus.RESOLVED  # type: ignore[union-attr]
    assert chased(built) == {"INV-1001", "INV-1002"}


def test_a_hold_stops_the_chase_until_released(desk: Desk, built: bootstrap.App) -> None:
    client = desk("collector")
    assert post(client, built, "hold", {"until": "2026-12-31", "reason": "CFO on leave"}).status_code == 200
    assert chased(built) == set()
    with built.uow() as uow:
        (hold,) = uow.holds.open_for(["ACME-DE"])
    assert post(client, built, "hold/release", {"hold_id": str(hold.id)}).status_code == 200
    assert chased(built) == {"INV-1001", "INV-1002"}
    assert [a.kind for a in log_of(built)[:2]] == ["hold_released", "hold"]


def test_a_note_is_added_by_sales_but_not_by_a_viewer(desk: Desk, built: bootstrap.App) -> None:
    assert post(desk("sales"), built, "note", {"notes": "Their new CFO starts in January"}).status_code == 200
    assert (log_of(built)[0].kind, log_of(built)[0].actor) == ("note", USERS["sales"])
    before = len(log_of(built))
    refused = post(desk("viewer"), built, "note", {"notes": "Not mine to say"})
    assert refused.status_code == 403 and "may not add notes" in refused.text
    assert len(log_of(built)) == before


def test_roles_refuse_what_they_may_not_do_and_sales_only_touches_its_own_customers(
    desk: Desk, built: bootstrap.App
) -> None:
    before = len(log_of(built)), len(log_of(built, "DUPONT"))
    assert post(desk("sales"), built, "promise", {"amount": "10", "date": "2026-12-01"}).status_code == 403
    viewer = post(desk("viewer"), built, "call", {"outcome": "reached"})
    assert viewer.status_code == 403 and "may not work cases" in viewer.text
    assert viewer.headers["HX-Retarget"] == "#flash"  # HTMX shows the refusal in the page's notice area
    other = post(desk("sales"), built, "note", {"notes": "Not my account"}, customer="DUPONT")
    assert other.status_code == 403 and "not one of your accounts" in other.text
    assert (len(log_of(built)), len(log_of(built, "DUPONT"))) == before


def test_send_a_statement_now_stores_the_pdf_and_logs_a_letter(desk: Desk, built: bootstrap.App) -> None:
    client = desk("collector")
    answer = post(client, built, "statement", {"currency": "EUR"})
    assert answer.status_code == 200, answer.text
    entry = log_of(built)[0]
    assert (entry.kind, entry.actor, entry.data["kind"]) == ("letter", USERS["collector"], "statement")
    assert entry.invoices == ("INV-1001", "INV-1002")
    copy = client.get(f"/desk/customers/ACME-DE/documents/{entry.document}")
    assert copy.status_code == 200 and copy.headers["content-type"] == "application/pdf"
    assert copy.content.startswith(b"%PDF")


def test_the_checklist_answers_are_stored_one_entry_each_and_complete_the_gate(
    desk: Desk, built: bootstrap.App
) -> None:
    data = {"currency": "EUR", "q_owner_contacted": "yes", "q_first_response": "no", "q_plan_offered": "no"}
    answer = post(desk("collector"), built, "checklist", data)
    assert answer.status_code == 200, answer.text
    assert [a.kind for a in log_of(built)[:3]] == ["checklist"] * 3
    assert "Checklist EUR" in answer.text and 'badge ok">complete' in answer.text
    again = post(desk("collector"), built, "checklist", data)  # the same answers again: nothing new
    assert again.status_code == 200 and "0 answer(s) recorded" in again.text
    assert [a.kind for a in log_of(built)[:4]] == ["checklist"] * 3 + ["payment"]


def test_approving_a_gated_step_records_the_approval(desk: Desk, built: bootstrap.App) -> None:
    answer = post(desk("collector"), built, "approve", {"step": "agency-review", "currency": "EUR"})
    assert answer.status_code == 200, answer.text
    case = CaseKey("ACME-DE", "EUR")
    with built.uow() as uow:
        assert uow.approvals.unused([case]) == {case: {"agency-review"}}
    entry = log_of(built)[0]
    assert (entry.kind, entry.actor, entry.data["step"]) == ("approval", USERS["collector"], "agency-review")
    twice = post(desk("collector"), built, "approve", {"step": "agency-review", "currency": "EUR"})
    assert twice.status_code == 409 and "already approved" in twice.text


def test_a_stale_version_gives_the_conflict_message_and_the_fresh_case_and_stores_nothing(
    desk: Desk, built: bootstrap.App
) -> None:
    carl, ada = desk("collector"), desk("admin")
    opened = version(built)
    assert post(ada, built, "note", {"notes": "Spoke to their bank"}, at_version=opened).status_code == 200
    late = post(carl, built, "promise", {"amount": "100.00", "date": "2026-12-01"}, at_version=opened)
    assert late.status_code == 409
    assert "changed since you opened it" in late.text and "nothing was saved" in late.text
    assert "Spoke to their bank" in late.text  # the fresh case, with Ada's note
    assert f'name="version" value="{version(built)}"' in late.text  # forms carry the new version
    assert 'value="100.00"' in late.text  # and Carl's input, to send again
    with built.uow() as uow:
        assert uow.promises.open_for(["ACME-DE"]) == []


def test_a_change_without_the_csrf_token_is_refused_and_stores_nothing(
    desk: Desk, built: bootstrap.App
) -> None:
    client = desk("collector")
    before = len(log_of(built))
    answer = client.post(
        "/desk/customers/ACME-DE/note", data={"version": str(version(built)), "notes": "forged"}
    )
    assert answer.status_code == 403 and "CSRF" in answer.text
    assert answer.headers["content-type"].startswith("text/html")
    assert len(log_of(built)) == before


def test_bad_form_input_names_the_field_and_stores_nothing(desk: Desk, built: bootstrap.App) -> None:
    client = desk("collector")
    cases = [
        ("promise", {"amount": "12,50", "date": "2026-12-01"}, "amount"),
        ("promise", {"amount": "50.00", "date": ""}, "date"),
        ("promise", {"amount": "99999.00", "date": "2026-12-01"}, "amount"),  # above the balance
        ("promise", {"amount": "50.00", "date": "2026-11-01"}, "date"),  # before today
        ("call", {"outcome": ""}, "outcome"),
        ("call", {"outcome": "reached", "reason": "bored"}, "reason"),
        ("call", {"outcome": "reached", "promise_date": "2026-12-01"}, "promise_amount"),
        ("plan", {"installments": "0", "every_days": "30"}, "installments"),
        ("plan", {"installments": "3", "every_days": "x"}, "every_days"),
        ("hold", {"until": "2026-12-31", "reason": " "}, "reason"),
        ("dispute", {"invoice": "INV-1001", "reason": "mood"}, "reason"),
        ("dispute", {"invoice": "INV-1001", "reason": "goods", "amount": "-5"}, "amount"),
        ("checklist", {"currency": "EUR", "q_pattern": "maybe", "form": "checklist-EUR"}, "q_pattern"),
        ("note", {"notes": ""}, "notes"),
        ("promise", {"amount": "50.00", "date": "2026-12-01", "version": "abc"}, "version"),
    ]
    before = len(log_of(built))
    for path, data, field in cases:
        answer = post(client, built, path, data)
        assert answer.status_code in (400, 409, 422), (path, data, answer.status_code)
        match = re.search(r'class="field-error"[^>]*>([^<]*)<', answer.text)
        assert match is not None, (path, data)
        assert field in match.group(1) or f'name="{field}"' in answer.text, (field, match.group(1))
        if field != "version":
            assert re.search(rf'name="{field}"[^>]*aria-invalid="true"', answer.text), (path, field)
    assert len(log_of(built)) == before
    with built.uow() as uow:
        assert uow.promises.open_for(["ACME-DE"]) == [] and uow.plans.open_for(["ACME-DE"]) == []


def test_without_htmx_a_change_redirects_to_the_page_which_says_what_was_done(
    desk: Desk, built: bootstrap.App
) -> None:
    client = desk("collector")
    answer = post(client, built, "note", {"notes": "Posted without JavaScript"}, htmx=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/desk/customers/ACME-DE"
    shown = client.get("/desk/customers/ACME-DE")
    assert "Note added." in shown.text and "Posted without JavaScript" in shown.text
    bad = post(client, built, "note", {"notes": ""}, htmx=False)
    assert bad.status_code == 422 and "<html" in bad.text  # the whole page, with the error
