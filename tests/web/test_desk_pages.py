"""The desk's pages: signing in and out, the worklist, customers, the customer page and its stored
copies, the run preview, aging and the policy, for each role that may see them, and refused or
redirected for the others.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from web_world import PASSWORD, USERS, DeskClient

from recoup import bootstrap
from recoup.adapters.channels.recording import RecordingChannel
from recoup.adapters.documents import DocumentStore
from recoup.domain.calendar import BusinessCalendar
from recoup.domain.money import Money
from recoup.domain.tasks import TaskStatus
from recoup.services import casework, versions
from recoup.services.dispatch import dispatch
from recoup.services.policies import default_policy, load_book
from recoup.services.run import plan_run
from recoup.services.worklist import worklist

Desk = Callable[[str], DeskClient]
ROLES = ("admin", "collector", "sales", "viewer")


def run_the_day(built: bootstrap.App) -> None:
    """Today's run, its messages recorded with copies in the document store."""
    plan_run(
        built.uow, book=load_book(None), calendar=BusinessCalendar(), as_of=built.today(), at=built.now()
    )
    recording = RecordingChannel(documents=DocumentStore(built.settings.documents))
    dispatch(built.uow, {"email": recording, "letter": recording, "notify_sales": recording}, now=built.now)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def current_version(built: bootstrap.App) -> str:
    with built.uow() as uow:
        return str(versions.version(uow, "ACME-DE"))


def test_a_desk_page_sends_a_stranger_to_sign_in_and_back(server: TestClient) -> None:
    for path in ("/", "/desk/customers/ACME-DE", "/desk/aging"):
        answer = server.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == f"/login?next={path}"
    hx = server.get("/desk/run", headers={"HX-Request": "true"}, follow_redirects=False)
    assert hx.status_code == 401 and hx.headers["HX-Redirect"] == "/login?next=/desk/run"


def test_signing_in_lands_on_the_page_asked_for_and_a_wrong_password_says_so(server: TestClient) -> None:
    form = server.get("/login?next=/desk/aging")
    assert form.status_code == 200 and 'name="password"' in form.text
    token = csrf_of(form.text)
    wrong = server.post(
        "/login",
        data={"email": USERS["collector"], "password": "nope", "csrf_token": token, "next": "/desk/aging"},
    )
    assert wrong.status_code == 401 and "Wrong email or password" in wrong.text
    assert server.get("/", follow_redirects=False).status_code == 303  # still signed out
    right = server.post(
        "/login",
        data={"email": USERS["collector"], "password": PASSWORD, "csrf_token": token, "next": "/desk/aging"},
        follow_redirects=False,
    )
    assert right.status_code == 303 and right.headers["location"] == "/desk/aging"
    assert "Today's worklist" in server.get("/").text


def test_the_sign_in_form_needs_its_csrf_token_and_never_sends_to_another_site(server: TestClient) -> None:
    refused = server.post("/login", data={"email": USERS["collector"], "password": PASSWORD})
    assert refused.status_code == 403 and "form expired" in refused.text
    token = csrf_of(server.get("/login").text)
    elsewhere = server.post(
        "/login",
        data={
            "email": USERS["collector"],
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/",
        },
        follow_redirects=False,
    )
    assert elsewhere.headers["location"] == "/"


def test_signing_out_ends_the_session(desk: Desk) -> None:
    client = desk("viewer")
    assert client.get("/").status_code == 200
    answer = client.post("/logout", data={"csrf_token": client.csrf}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/login"
    assert client.get("/", follow_redirects=False).status_code == 303


def test_the_worklist_ranks_the_open_tasks_with_score_and_reasons_and_links_each_customer(
    desk: Desk, built: bootstrap.App
) -> None:
    run_the_day(built)
    with built.uow() as uow:
        items = worklist(uow, built.today())
    assert items, "the run raises tasks on the examples"
    html = desk("collector").get("/?who=all").text
    positions = [html.index(item.reason) for item in items]
    assert positions == sorted(positions)  # in the service's order
    for item in items:
        assert f"{item.score:.1f}" in html
        for reason in item.reasons:
            assert reason in html
    assert 'href="/desk/customers/ACME-DE"' in html


def test_mine_keeps_my_tasks_and_the_unassigned_and_sales_sees_its_own(
    desk: Desk, built: bootstrap.App
) -> None:
    with built.uow() as uow:
        casework.open_dispute(
            uow, "INV-1002", "price", at=built.now(), actor=USERS["admin"]
        )  # a task for Anna
        uow.commit()
    reason = "Dispute 1 on INV-1002 (price): clear it up with the customer"
    assert reason not in desk("collector").get("/?who=mine").text
    assert reason in desk("collector").get("/?who=all").text
    assert reason in desk("sales").get("/?who=mine").text


def test_each_page_renders_for_each_role_that_may_see_it(desk: Desk, built: bootstrap.App) -> None:
    run_the_day(built)
    for role in ROLES:
        client = desk(role)
        for path in (
            "/",
            "/?who=all",
            "/desk/customers",
            "/desk/customers/ACME-DE",
            "/desk/aging",
            "/desk/policy",
        ):
            answer = client.get(path)
            assert answer.status_code == 200, (role, path, answer.text[:300])
            assert answer.headers["content-type"].startswith("text/html")
        run = client.get("/desk/run")
        assert run.status_code == (200 if role in ("admin", "collector") else 403), role
    assert "may not preview or execute the run" in desk("viewer").get("/desk/run").text


def test_a_sales_user_sees_only_the_customers_it_owns(desk: Desk) -> None:
    sales = desk("sales")
    listed = sales.get("/desk/customers").text
    assert "ACME-DE" in listed and "DUPONT" not in listed and "HANBIT" not in listed
    other = sales.get("/desk/customers/DUPONT")
    assert other.status_code == 403 and "not one of your accounts" in other.text
    assert "Jane Smith" not in sales.get("/desk/aging").text
    assert "Jane Smith" in desk("viewer").get("/desk/aging").text


def test_the_forms_follow_the_role(desk: Desk) -> None:
    def forms(role: str) -> set[str]:
        html = desk(role).get("/desk/customers/ACME-DE").text
        return set(re.findall(r'data-form="([A-Za-z0-9-]+)"', html))

    assert forms("viewer") == set()
    assert forms("sales") == {"note", "dispute"}
    assert {
        "call",
        "promise",
        "plan",
        "dispute",
        "hold",
        "statement",
        "note",
        "approve",
        "checklist-EUR",
    } <= forms("collector")


def test_a_customer_search_finds_by_name_and_goes_straight_to_an_exact_id(desk: Desk) -> None:
    client = desk("collector")
    found = client.get("/desk/customers?q=logistique").text
    assert "Dupont Logistique SAS" in found and "Acme" not in found
    exact = client.get("/desk/customers?q=HANBIT", follow_redirects=False)
    assert exact.status_code == 303 and exact.headers["location"] == "/desk/customers/HANBIT"


def test_the_customer_page_shows_balances_items_and_their_states_contacts_and_the_timeline(
    desk: Desk, built: bootstrap.App
) -> None:
    with built.uow() as uow:
        at = built.now()
        casework.record_promise(
            uow,
            "ACME-DE",
            Money("4500.50", "EUR"),
            built.today(),
            ["INV-1002"],
            at=at,
            actor="carl@x.example",
        )
        casework.open_dispute(uow, "INV-1001", "quantity", at=at, actor="carl@x.example")
        uow.commit()
        current = versions.version(uow, "ACME-DE")
    html = desk("viewer").get("/desk/customers/ACME-DE").text
    assert "9,500.50" in html and "Open · EUR" in html
    row_1001 = html[html.index("INV-1001</span>") : html.index("INV-1002</span>")]
    assert "state-disputed" in row_1001 and "state-promised" not in row_1001
    row_1002 = html[html.index("INV-1002</span>") :]
    assert "state-promised" in row_1002.split("</tr>")[0]
    assert "Petra Klein" in html and "hans.acme@acme-maschinenbau.example" in html
    assert "Promise 1: pays 4500.50 EUR" in html and "Dispute 1 opened on INV-1001" in html
    assert f"version {current}" in html


def test_a_stored_copy_is_served_with_its_type_only_to_those_who_may_see_its_customer(
    desk: Desk, built: bootstrap.App
) -> None:
    run_the_day(built)
    with built.uow() as uow:
        sent = [a for a in uow.activities.for_customer("ACME-DE") if a.document.startswith("sha256:")]
    ref = sent[0].document
    page = desk("viewer").get("/desk/customers/ACME-DE").text
    assert f"/desk/customers/ACME-DE/documents/{ref}" in page
    copy = desk("sales").get(f"/desk/customers/ACME-DE/documents/{ref}")
    assert copy.status_code == 200 and copy.headers["content-type"] == "text/plain; charset=utf-8"
    assert copy.content == DocumentStore(built.settings.documents).get(ref)
    assert "sandbox" in copy.headers["content-security-policy"]
    assert desk("collector").get(f"/desk/customers/SMITH/documents/{ref}").status_code == 404
    assert (
        desk("collector").get(f"/desk/customers/ACME-DE/documents/sha256:{'0' * 64}.txt").status_code == 404
    )
    assert desk("collector").get("/desk/customers/ACME-DE/documents/..%2Fsecret").status_code in (404, 422)


def test_the_run_preview_shows_what_goes_out_and_approve_and_skip_decide_the_gates(
    desk: Desk, built: bootstrap.App
) -> None:
    client = desk("collector")
    before = client.get("/desk/run").text
    assert "final-notice" in before and "buchhaltung@acme-maschinenbau.example" in before
    run_the_day(built)
    html = client.get("/desk/run").text
    assert "agency-review" in html and "demand-letter" in html
    approve = client.post(
        "/desk/run/approve",
        data={
            "csrf_token": client.csrf,
            "version": current_version(built),
            "customer": "ACME-DE",
            "currency": "EUR",
            "step": "agency-review",
        },
        follow_redirects=False,
    )
    assert approve.status_code == 303
    with built.uow() as uow:
        (gate,) = [t for t in uow.tasks.open(customer_ids=["ACME-DE"]) if t.step == "demand-letter"]
    skip = client.post(
        "/desk/run/skip",
        data={
            "csrf_token": client.csrf,
            "version": current_version(built),
            "customer": "ACME-DE",
            "task_id": str(gate.id),
        },
        follow_redirects=False,
    )
    assert skip.status_code == 303
    with built.uow() as uow:
        assert uow.tasks.get(gate.id or 0).status is TaskStatus.CANCELLED  # type: ignore[union-attr]
        log = uow.activities.for_customer("ACME-DE", limit=2)
    assert [(a.kind, a.actor) for a in log] == [
        ("task_closed", USERS["collector"]),
        ("approval", USERS["collector"]),
    ]
    after = client.get("/desk/run").text
    assert "Skipped demand-letter for ACME-DE" in after  # the notice
    stale = client.post(
        "/desk/run/approve",
        data={
            "csrf_token": client.csrf,
            "version": "1",
            "customer": "ACME-DE",
            "currency": "EUR",
            "step": "agency-review",
        },
    )
    assert stale.status_code == 409 and "changed since you opened it" in stale.text


def test_executing_the_run_sends_as_the_signed_in_user(desk: Desk, built: bootstrap.App) -> None:
    client = desk("collector")
    answer = client.post("/desk/run/execute", data={"csrf_token": client.csrf}, follow_redirects=False)
    assert answer.status_code == 303
    with built.uow() as uow:
        sent = [a for a in uow.activities.for_customer("ACME-DE") if a.kind in ("email", "letter")]
    assert sent and {a.actor for a in sent} == {USERS["collector"]}
    assert "Run done:" in client.get("/desk/run").text
    assert (
        desk("viewer").post("/desk/run/execute", data={"csrf_token": desk("viewer").csrf}).status_code == 403
    )


def test_the_aging_dashboard_totals_each_currency_and_draws_the_charts(desk: Desk) -> None:
    client = desk("viewer")
    html = client.get("/desk/aging").text
    assert "9,500.50" in html and "420.00" in html  # EUR and GBP, never added together
    assert html.count("<svg") == 3  # aging, top EUR, top GBP
    chart = client.get("/desk/charts/aging.svg")
    assert chart.status_code == 200 and chart.headers["content-type"] == "image/svg+xml"
    assert b"EUR" in chart.content and b"GBP" in chart.content
    top = client.get("/desk/charts/top-overdue-EUR.svg")
    assert b"Acme Maschinenbau GmbH" in top.content


def test_the_policy_page_lists_every_step_and_the_settings_but_no_secret(
    desk: Desk, built: bootstrap.App
) -> None:
    html = desk("viewer").get("/desk/policy").text
    for step in default_policy().steps:
        assert f'<span class="strong">{step.id}</span>' in html
    assert "5 days before due" in html and "at least 5" in html
    assert "DE89 3704 0044 0532 0130 00" in html
    assert "secret" not in html.lower() or "secrets are never shown" in html


def test_an_unknown_customer_is_a_page_saying_so(desk: Desk) -> None:
    answer = desk("collector").get("/desk/customers/NOPE")
    assert answer.status_code == 404 and "no customer &#39;NOPE&#39;" in answer.text
    assert answer.headers["content-type"].startswith("text/html")
