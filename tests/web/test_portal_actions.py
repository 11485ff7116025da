"""What a customer tells us on its page: each form stores the real outcome, with the customer as the actor
and the tasks the engine expects, and the engine then behaves; bad input and forged forms store nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from portal_world import chased, open_page, token_for, visible_text

from recoup import bootstrap
from recoup.adapters.channels.recording import RecordingChannel
from recoup.domain.calendar import BusinessCalendar
from recoup.domain.tasks import TaskKind
from recoup.services.dispatch import dispatch
from recoup.services.policies import load_book
from recoup.services.portal import ACTOR
from recoup.services.run import plan_run

SHIPPED_POLICY = Path(__file__).resolve().parents[2] / "src" / "recoup" / "policy" / "default.toml"


def stored(built: bootstrap.App, customer_id: str = "ACME-DE") -> dict[str, int]:
    """How many records of each kind the customer has: what a refused form must leave as it was."""
    with built.uow() as uow:
        return {
            "activities": len(uow.activities.for_customer(customer_id)),
            "promises": len(uow.promises.for_customer(customer_id)),
            "disputes": len(uow.disputes.for_customer(customer_id)),
            "tasks": len(uow.tasks.open(customer_ids=[customer_id])),
        }


def latest(built: bootstrap.App, kind: str, customer_id: str = "ACME-DE") -> object:
    with built.uow() as uow:
        return next(a for a in uow.activities.for_customer(customer_id) if a.kind == kind)


def test_a_disputed_invoice_is_stored_with_the_comment_and_no_longer_chased(
    server: TestClient, built: bootstrap.App
) -> None:
    assert chased(built, "ACME-DE") == {"INV-1001", "INV-1002"}
    address, csrf = open_page(server, built, "ACME-DE")
    form = {
        "csrf_token": csrf,
        "invoice": "INV-1001",
        "reason": "quantity",
        "comment": "Only 40 of 50 arrived",
    }
    answer = server.post(f"{address}/dispute", data=form)
    assert answer.status_code == 200
    assert "Wir haben Ihre Beanstandung der Rechnung INV-1001 notiert" in answer.text
    with built.uow() as uow:
        (dispute,) = uow.disputes.open_for(["ACME-DE"])
        tasks = [t for t in uow.tasks.open(customer_ids=["ACME-DE"]) if t.kind is TaskKind.DISPUTE]
        log = uow.activities.for_customer("ACME-DE", limit=2)
    assert (dispute.invoice_number, dispute.reason, dispute.opened_on) == (
        "INV-1001",
        "quantity",
        built.today(),
    )
    assert [t.assignee for t in tasks] == ["anna.weber@supplier.example"]  # the sales owner answers disputes
    assert {a.kind for a in log} == {"dispute", "customer_comment"} and {a.actor for a in log} == {ACTOR}
    assert "Only 40 of 50 arrived" in next(a.text for a in log if a.kind == "customer_comment")
    assert chased(built, "ACME-DE") == {"INV-1002"}
    page = visible_text(server.get(address).text)
    assert "INV-1001 01.07.2026 31.07.2026 12.000,00 € 5.000,00 € beanstandet: ruht" in page


def test_the_message_that_still_goes_out_shows_the_disputed_invoice_as_disputed(
    server: TestClient, built: bootstrap.App
) -> None:
    address, csrf = open_page(server, built, "ACME-DE")
    server.post(f"{address}/dispute", data={"csrf_token": csrf, "invoice": "INV-1001", "reason": "price"})
    plan_run(
        built.uow, book=load_book(None), calendar=BusinessCalendar(), as_of=built.today(), at=built.now()
    )
    recording = RecordingChannel()
    dispatch(built.uow, {"email": recording, "letter": recording, "notify_sales": recording}, now=built.now)
    with built.uow() as uow:
        items = [i for i in uow.outbox.for_customer("ACME-DE") if i.action == "email"]
    assert [[line["number"] for line in i.payload["invoices"]] for i in items] == [["INV-1002"]]
    assert [(s["number"], s["state"]) for s in items[0].payload["shown"]] == [
        ("INV-1001", "disputed (price)")
    ]


def test_a_promised_date_pauses_the_case_and_shows_as_promised(
    server: TestClient, built: bootstrap.App
) -> None:
    address, csrf = open_page(server, built, "ACME-DE")
    on = built.today() + dt.timedelta(days=10)
    form = {"csrf_token": csrf, "pay_on": on.isoformat(), "amount": "9.500,50", "currency": "EUR"}
    answer = server.post(f"{address}/promise", data=form)
    assert answer.status_code == 200
    assert "9.500,50" in answer.text and "03.12.2026" in answer.text
    with built.uow() as uow:
        (promise,) = uow.promises.open_for(["ACME-DE"])
        entry = uow.activities.for_customer("ACME-DE", limit=1)[0]
    assert (str(promise.amount), promise.date, promise.invoices) == ("9500.50 EUR", on, ())
    assert (entry.kind, entry.actor) == ("promise", ACTOR)
    assert chased(built, "ACME-DE") == set()
    assert "Zahlung zugesagt für 03.12.2026" in visible_text(server.get(address).text)


def test_a_promise_beyond_the_policys_limit_is_refused_naming_the_limit(
    server: TestClient, built: bootstrap.App
) -> None:
    address, csrf = open_page(server, built, "ACME-DE")
    before = stored(built)
    too_far = built.today() + dt.timedelta(days=31)
    answer = server.post(
        f"{address}/promise", data={"csrf_token": csrf, "pay_on": too_far.isoformat(), "amount": "100"}
    )
    assert answer.status_code == 422
    text = visible_text(answer.text)
    assert "Das Datum darf höchstens 30 Tage in der Zukunft liegen, spätestens am 23.12.2026." in text
    assert 'aria-invalid="true" aria-describedby="promise-pay_on-error"' in answer.text
    assert stored(built) == before
    yesterday = built.today() - dt.timedelta(days=1)
    past = server.post(
        f"{address}/promise", data={"csrf_token": csrf, "pay_on": yesterday.isoformat(), "amount": "100"}
    )
    assert past.status_code == 422 and "Das Datum darf nicht vor heute liegen." in past.text
    assert stored(built) == before


def test_the_customers_own_policy_sets_the_limit(
    server: TestClient, built: bootstrap.App, tmp_path: Path
) -> None:
    text = SHIPPED_POLICY.read_text().replace('name = "default"', 'name = "key-accounts"')
    text = text.replace("promise_max_days = 30", "promise_max_days = 10")
    text = text.replace("[settings]", '[applies_to]\ncustomers = ["ACME-DE"]\n\n[settings]', 1)
    (tmp_path / "key-accounts.toml").write_text(text)
    built.settings.policies = tmp_path
    address, csrf = open_page(server, built, "ACME-DE")
    assert "bis zu 10 Tage im Voraus, spätestens am 03.12.2026" in server.get(address).text
    answer = server.post(
        f"{address}/promise",
        data={
            "csrf_token": csrf,
            "pay_on": (built.today() + dt.timedelta(days=11)).isoformat(),
            "amount": "1",
        },
    )
    assert answer.status_code == 422 and "höchstens 10 Tage" in answer.text


def test_a_reported_payment_pauses_its_invoices_while_a_collector_checks_the_bank(
    server: TestClient, built: bootstrap.App
) -> None:
    address, csrf = open_page(server, built, "ACME-DE")
    form = {
        "csrf_token": csrf,
        "paid_on": "2026-11-20",
        "amount": "4500,50",
        "reference": "Überweisung 4711",
        "invoices": ["INV-1002"],
    }
    answer = server.post(f"{address}/paid", data=form)
    assert answer.status_code == 200
    assert "am 20.11.2026 4.500,50 € für INV-1002 bezahlt" in visible_text(answer.text)
    assert "bis zum 26.11.2026 erhalten Sie für diese Rechnungen keine Mahnung" in answer.text
    with built.uow() as uow:
        (promise,) = uow.promises.open_for(["ACME-DE"])
        (task,) = [t for t in uow.tasks.open(customer_ids=["ACME-DE"]) if t.key.startswith("payment-claim:")]
    assert (promise.made_on, promise.date, promise.invoices) == (
        dt.date(2026, 11, 20),
        built.today(),
        ("INV-1002",),
    )
    assert (
        task.kind is TaskKind.REVIEW and "Überweisung 4711" in task.reason and task.invoices == ("INV-1002",)
    )
    claim = latest(built, "payment_claim")
    assert claim.actor == ACTOR and claim.data["reference"] == "Überweisung 4711"  # type: ignore[attr-defined]
    assert chased(built, "ACME-DE") == {"INV-1001"}
    # no payment came in: after the grace days the claim counts as a broken promise and the ladder resumes
    later = built.today() + dt.timedelta(days=load_book(None).default.promise_grace_days + 1)
    result = plan_run(
        built.uow,
        book=load_book(None),
        calendar=BusinessCalendar(),
        as_of=later,
        at=built.now(),
        dry_run=True,
        customers=["ACME-DE"],
    )
    assert "promise_broken" in {e["kind"] for e in result.events}
    assert "INV-1002" in {n for a in result.actions for n in a["invoices"]}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"amount": "4500,51"}, "amount", "Der Betrag ist höher als der offene Betrag von 4.500,50 €."),
        ({"amount": "0"}, "amount", "Der Betrag muss größer als null sein."),
        ({"amount": "viel"}, "amount", "Bitte geben Sie einen Betrag wie 1234,56 an."),
        ({"amount": "10,001"}, "amount", "Ein Betrag in EUR hat höchstens 2 Nachkommastellen."),
        ({"paid_on": "2026-11-24"}, "paid_on", "Das Zahlungsdatum darf nicht in der Zukunft liegen."),
        ({"paid_on": "24.11.2026"}, "paid_on", "Bitte geben Sie das Datum als Jahr-Monat-Tag an"),
        ({"invoices": []}, "invoices", "Bitte wählen Sie mindestens eine Rechnung."),
        ({"invoices": ["INV-1005"]}, "invoices", "INV-1005: keine Ihrer offenen Rechnungen."),
        ({"reference": "x" * 2001}, "reference", "Bitte fassen Sie sich kürzer als 2000 Zeichen."),
    ],
)
def test_a_bad_payment_report_is_refused_next_to_its_field_and_nothing_is_stored(
    server: TestClient, built: bootstrap.App, change: dict[str, object], field: str, message: str
) -> None:
    address, csrf = open_page(server, built, "ACME-DE")
    before, smith = stored(built), stored(built, "SMITH")
    form = {"csrf_token": csrf, "paid_on": "2026-11-20", "amount": "100", "invoices": ["INV-1002"], **change}
    answer = server.post(f"{address}/paid", data=form)
    assert answer.status_code == 422
    assert f'<p class="field-error" id="paid-{field}-error">' in answer.text and message in visible_text(
        answer.text
    )
    assert 'details class="card action" id="paid" open' in answer.text
    assert stored(built) == before and stored(built, "SMITH") == smith


def test_a_payment_plan_request_gives_a_collector_a_review_task(
    server: TestClient, built: bootstrap.App
) -> None:
    address, csrf = open_page(server, built, "SMITH")
    answer = server.post(
        f"{address}/plan", data={"csrf_token": csrf, "instalments": "6", "comment": "Lost my job in October"}
    )
    assert answer.status_code == 200
    assert "We have received your request for a payment plan in 6 instalments." in answer.text
    with built.uow() as uow:
        (task,) = [t for t in uow.tasks.open(customer_ids=["SMITH"]) if t.key == "plan-request"]
    assert (
        task.kind is TaskKind.REVIEW and "6 instalments for 420.00 GBP: Lost my job in October" in task.reason
    )
    entry = latest(built, "plan_request", "SMITH")
    assert entry.actor == ACTOR and entry.data["instalments"] == 6  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"instalments": "99"}, "instalments", "Choose from 2 to 36 instalments."),
        ({"instalments": "many"}, "instalments", "Choose from 2 to 36 instalments."),
        ({"invoice": "", "reason": "price"}, "invoice", "Choose the invoice."),
        ({"invoice": "INV-1005", "reason": "nonsense"}, "reason", "Choose a reason."),
        ({"invoice": "INV-1001", "reason": "price"}, "invoice", "INV-1001: not one of your open invoices."),
        ({"invoice": "INV-1005", "reason": "other"}, "comment", "Tell us what is wrong."),
    ],
)
def test_bad_plan_and_dispute_forms_are_refused_next_to_the_field(
    server: TestClient, built: bootstrap.App, form: dict[str, str], field: str, message: str
) -> None:
    address, csrf = open_page(server, built, "SMITH")
    before = stored(built, "SMITH")
    action = "plan" if "instalments" in form else "dispute"
    answer = server.post(f"{address}/{action}", data={"csrf_token": csrf, **form})
    assert answer.status_code == 422
    assert f'<p class="field-error" id="{action}-{field}-error">{message}</p>' in answer.text
    assert stored(built, "SMITH") == before


def test_an_invoice_is_disputed_once(server: TestClient, built: bootstrap.App) -> None:
    address, csrf = open_page(server, built, "SMITH")
    form = {"csrf_token": csrf, "invoice": "INV-1005", "reason": "not_received"}
    assert server.post(f"{address}/dispute", data=form).status_code == 200
    before = stored(built, "SMITH")
    again = server.post(f"{address}/dispute", data=form)
    assert again.status_code == 422 and stored(built, "SMITH") == before


@pytest.mark.parametrize("csrf", ["", "forged", "other link"])
def test_a_form_without_the_links_own_token_is_refused_and_nothing_is_stored(
    server: TestClient, built: bootstrap.App, csrf: str
) -> None:
    address, _ = open_page(server, built, "ACME-DE")
    if csrf == "other link":
        csrf = open_page(server, built, "SMITH")[1]
    before = stored(built)
    form = {"invoice": "INV-1001", "reason": "price", **({"csrf_token": csrf} if csrf else {})}
    answer = server.post(f"{address}/dispute", data=form)
    assert answer.status_code == 403 and "This form has expired" in answer.text
    assert stored(built) == before


def test_an_unknown_form_is_not_found(server: TestClient, built: bootstrap.App) -> None:
    address, csrf = open_page(server, built, "ACME-DE")
    assert server.post(f"{address}/write-off", data={"csrf_token": csrf}).status_code == 404


def test_a_link_from_a_message_opens_the_form_in_the_customers_language(
    server: TestClient, built: bootstrap.App
) -> None:
    page = server.get(f"/c/{token_for(built, 'SMITH')}")
    text = visible_text(page.text)
    assert "I have paid" in text and "I will pay on a date" in text and "I dispute an invoice" in text
    assert "I would like a payment plan" in text and "Jane Smith" in text
