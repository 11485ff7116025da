"""The customer page through its signed link: that customer's invoices, totals, bank details, documents
and statement, and nothing of anyone else's; bad, altered and expired links; rate limits."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from portal_world import open_page, run_the_day, token_for, visible_text
from pypdf import PdfReader

import recoup.policy
from recoup import bootstrap
from recoup.entrypoints.web.portal import RateLimiter, parse_amount
from recoup.policy.loading import check_policy, parse_policy
from recoup.services import portal
from recoup.services.formatting import money
from recoup.services.policies import default_policy


def open_invoices(built: bootstrap.App, customer_id: str) -> dict[str, str]:
    with built.uow() as uow:
        return {
            i.number: " ".join(money(i.open_balance.amount, i.currency, "de").split())
            for i in uow.invoices.open_for_customers([customer_id])
        }


def test_the_page_shows_that_customers_open_invoices_and_no_other(
    server: TestClient, built: bootstrap.App
) -> None:
    page = server.get(f"/c/{token_for(built, 'ACME-DE')}")
    assert page.status_code == 200
    text = visible_text(page.text)
    assert "Acme Maschinenbau GmbH" in text and 'lang="de"' in page.text
    mine = open_invoices(built, "ACME-DE")
    assert mine  # the examples leave two open
    for number, balance in mine.items():
        assert number in text and balance in text
    with built.uow() as uow:
        others = list(uow.customers.get_many(["DUPONT", "HANBIT", "SMITH"]).values())
        strangers = [i.number for i in uow.invoices.for_customer("SMITH")]
    for customer in others:
        assert customer.name not in text
    for number in strangers:
        assert number not in text
    assert "überfällig" in text
    with built.uow() as uow:
        owed = sum(i.open_balance.amount for i in uow.invoices.open_for_customers(["ACME-DE"]))
    assert "Offen gesamt " + " ".join(money(owed, "EUR", "de").split()) in text


def test_the_page_says_how_to_pay_with_the_iban_in_groups(server: TestClient, built: bootstrap.App) -> None:
    text = visible_text(server.get(f"/c/{token_for(built, 'SMITH')}").text)
    settings = built.settings
    assert "How to pay" in text  # SMITH writes English
    assert "DE89 3704 0044 0532 0130 00" in text and settings.bic in text and settings.bank_name in text
    assert "INV-1005" in text


def test_the_page_speaks_the_language_asked_for(server: TestClient, built: bootstrap.App) -> None:
    address = f"/c/{token_for(built, 'ACME-DE')}"
    for lang, words in {
        "fr": "Factures ouvertes",
        "es": "Facturas pendientes",
        "tr": "Açık faturalar",
    }.items():
        page = server.get(address, params={"lang": lang})
        assert page.status_code == 200 and words in page.text and f'lang="{lang}"' in page.text
    assert "Offene Rechnungen" in server.get(address, params={"lang": "xx"}).text


@pytest.mark.parametrize(
    "change",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
        lambda t: t.split(".")[0],
        lambda t: "not-a-link",
    ],
)
def test_a_bad_link_says_so_and_reveals_nothing(
    server: TestClient, built: bootstrap.App, change: object
) -> None:
    token = change(token_for(built, "ACME-DE"))  # type: ignore[operator]
    page = server.get(f"/c/{token}", headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert page.status_code == 404
    assert "Dieser Link ist nicht gültig" in page.text
    assert "Acme" not in page.text and "INV-100" not in page.text and "csrf_token" not in page.text
    assert server.get(f"/c/{token}/statement/EUR.pdf").status_code == 404


def test_an_expired_link_says_whom_to_ask_and_reveals_nothing(
    server: TestClient, built: bootstrap.App
) -> None:
    days = built.settings.link_days
    assert server.get(f"/c/{token_for(built, 'ACME-DE', days_ago=days - 1)}").status_code == 200
    old = token_for(built, "ACME-DE", days_ago=days + 1)
    page = server.get(f"/c/{old}")
    assert page.status_code == 410
    assert "This link has expired" in page.text and built.settings.creditor_email in page.text
    assert "Acme" not in page.text and "INV-100" not in page.text
    answer = server.post(f"/c/{old}/plan", data={"instalments": "3"})
    assert answer.status_code == 410


def test_a_link_for_a_customer_that_does_not_exist_is_not_valid(
    server: TestClient, built: bootstrap.App
) -> None:
    assert server.get(f"/c/{token_for(built, 'NOBODY')}").status_code == 404


def test_the_page_is_not_kept_by_caches_or_handed_to_other_sites(
    server: TestClient, built: bootstrap.App
) -> None:
    page = server.get(f"/c/{token_for(built, 'ACME-DE')}")
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "script-src" not in page.headers["content-security-policy"]
    assert "<script" not in page.text


def test_documents_sent_to_the_customer_open_and_others_do_not(
    server: TestClient, built: bootstrap.App
) -> None:
    run_the_day(built)
    with built.uow() as uow:
        mine = [
            a.document for a in uow.activities.for_customer("ACME-DE") if a.document.startswith("sha256:")
        ]
        theirs = [
            a.document for a in uow.activities.for_customer("SMITH") if a.document.startswith("sha256:")
        ]
    assert mine and theirs
    address = f"/c/{token_for(built, 'ACME-DE')}"
    page = server.get(address)
    for ref in mine:
        assert f"{address}/documents/{ref}" in page.text
        copy = server.get(f"{address}/documents/{ref}")
        assert copy.status_code == 200 and "INV-1001" in copy.text and "INV-1005" not in copy.text
    for ref in theirs:
        assert ref not in page.text
        refused = server.get(f"{address}/documents/{ref}")
        assert refused.status_code == 404 and "Jane Smith" not in refused.text
    assert server.get(f"{address}/documents/sha256:{'0' * 64}.pdf").status_code == 404


def test_the_statement_of_account_lists_the_customers_open_invoices(
    server: TestClient, built: bootstrap.App
) -> None:
    address = f"/c/{token_for(built, 'ACME-DE')}"
    assert f"{address}/statement/EUR.pdf" in server.get(address).text
    pdf = server.get(f"{address}/statement/EUR.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "INV-1001" in text and "INV-1002" in text and "INV-1005" not in text
    assert server.get(f"{address}/statement/GBP.pdf").status_code == 404  # SMITH's currency, not ACME's


def test_page_views_beyond_the_limit_are_refused_for_a_while(
    server: TestClient, built: bootstrap.App
) -> None:
    address = f"/c/{token_for(built, 'ACME-DE')}"
    answers = [server.get(address).status_code for _ in range(61)]
    assert answers[:60] == [200] * 60 and answers[60] == 429
    refused = server.get(address)
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert "Too many requests" in refused.text and "Acme" not in refused.text


def test_forms_beyond_the_limit_are_refused_and_not_stored(server: TestClient, built: bootstrap.App) -> None:
    address, csrf = open_page(server, built, "ACME-DE")
    form = {"csrf_token": csrf, "instalments": "3", "comment": "again"}
    answers = [server.post(f"{address}/plan", data=form).status_code for _ in range(11)]
    assert answers[:10] == [200] * 10 and answers[10] == 429
    with built.uow() as uow:
        asked = [a for a in uow.activities.for_customer("ACME-DE") if a.kind == "plan_request"]
    assert len(asked) == 10


def test_the_limit_counts_per_client_address_and_per_link(server: TestClient, built: bootstrap.App) -> None:
    server.app.state.portal_limiter = RateLimiter({"get": (3, 600.0), "post": (1, 600.0)})  # type: ignore[attr-defined]
    links = [f"/c/{token_for(built, 'ACME-DE', days_ago=n)}" for n in range(4)]
    assert [server.get(link).status_code for link in links] == [200, 200, 200, 429]  # one address
    one_link = f"/c/{token_for(built, 'SMITH')}"
    elsewhere = [TestClient(server.app, client=(f"192.0.2.{n}", 40000)) for n in range(1, 5)]
    assert [client.get(one_link).status_code for client in elsewhere] == [200, 200, 200, 429]  # one link


def test_the_rate_limiter_lets_requests_in_again_when_the_window_has_passed() -> None:
    now = [1000.0]
    limiter = RateLimiter({"get": (2, 60.0)}, clock=lambda: now[0])
    key = ("address", "192.0.2.1")
    assert limiter.wait("get", key) == 0 and limiter.wait("get", key) == 0
    assert limiter.wait("get", key) > 0
    now[0] += 61
    assert limiter.wait("get", key) == 0


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("1234.56", "en", "1234.56"),
        ("1,234.56", "en", "1234.56"),
        ("1.234,56", "de", "1234.56"),
        ("1234,56", "de", "1234.56"),
        ("1234.56", "de", "1234.56"),
        ("1.234", "de", "1234"),
        ("1 234,56", "fr", "1234.56"),
        ("1\u202f234,56 €", "fr", "1234.56"),
        ("3,300,000", "ko", "3300000"),
        ("12,5", "en", "12.5"),
        ("", "en", None),
    ],
)
def test_an_amount_is_read_the_way_the_customer_writes_it(text: str, lang: str, expected: str | None) -> None:
    found = parse_amount(text, lang)
    assert (str(found) if found is not None else None) == expected


@pytest.mark.parametrize("text", ["abc", "1.2.3,4,5", "12,", "-5", "1,23,4"])
def test_an_amount_that_is_no_number_is_refused_naming_the_field(text: str) -> None:
    with pytest.raises(portal.PortalInputError) as refused:
        parse_amount(text, "en")
    assert refused.value.field == "amount" and refused.value.code == "amount_format"


def test_a_policy_limits_how_far_ahead_a_customer_may_promise() -> None:
    shipped = default_policy()
    assert shipped.promise_max_days == 30
    text = (Path(recoup.policy.__file__).parent / "default.toml").read_text()
    assert parse_policy(text.replace("promise_max_days = 30", "promise_max_days = 45")).promise_max_days == 45
    problems = check_policy(text.replace("promise_max_days = 30", "promise_max_days = 0"))
    assert [p.message for p in problems] == ["settings: promise_max_days 0 is below 1 (expected 1 or more)"]
