"""Every message to a customer carries its signed link when RECOUP_PUBLIC_URL is set, in its language, and
the link opens that customer's page on the server: the CLI that writes it and the server agree on the key."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from portal_world import visible_text

from recoup import bootstrap
from recoup.domain.calendar import BusinessCalendar
from recoup.entrypoints.run_cli import customer_links, email_render
from recoup.services.formatting import LANGUAGES
from recoup.services.policies import load_book
from recoup.services.rendering import Templates
from recoup.services.run import plan_run

PUBLIC = "https://pay.supplier.example"
LINE = {
    "en": "See your open invoices, tell us you have paid, promise a date, dispute an invoice or ask for a "
    "payment plan:",
    "de": "Hier können Sie Ihre offenen Rechnungen einsehen",
    "fr": "Sur cette page, vous pouvez consulter vos factures ouvertes",
    "es": "En esta página puede consultar sus facturas pendientes",
    "tr": "Açık faturalarınızı görmek",
    "ko": "미결제 청구서 확인",
}


def planned_payloads(built: bootstrap.App) -> dict[tuple[str, str], dict[str, Any]]:
    """Today's outbox: each item's payload by (customer, action)."""
    plan_run(
        built.uow, book=load_book(None), calendar=BusinessCalendar(), as_of=built.today(), at=built.now()
    )
    with built.uow() as uow:
        return {
            (item.customer_id, item.action): item.payload
            for customer in ("ACME-DE", "SMITH")
            for item in uow.outbox.for_customer(customer)
        }


def link_in(text: str) -> str:
    found = re.findall(rf"{re.escape(PUBLIC)}/c/[A-Za-z0-9_.\-]+", text)
    assert len(found) == 1, text
    return found[0]


def test_a_message_carries_a_link_that_opens_that_customers_page(
    server: TestClient, built: bootstrap.App
) -> None:
    built.settings.public_url = PUBLIC
    render = email_render(built.settings, link=customer_links(built))
    payloads = planned_payloads(built)
    for customer, name, other in (
        ("ACME-DE", "Acme Maschinenbau GmbH", "Jane Smith"),
        ("SMITH", "Jane Smith", "Acme"),
    ):
        message = render(payloads[(customer, "email")])
        link = link_in(message.text)
        assert f'<a href="{link}">{link}</a>' in message.html
        page = server.get(link.removeprefix(PUBLIC))
        assert page.status_code == 200
        assert name in visible_text(page.text) and other not in visible_text(page.text)
    assert LINE["de"] in render(payloads[("ACME-DE", "email")]).text
    assert LINE["en"] in render(payloads[("SMITH", "email")]).text


def test_the_recorded_copy_of_a_message_carries_the_link_as_sent(
    server: TestClient, built: bootstrap.App
) -> None:
    """Without SMTP the dispatcher records each message: its copy is what would have been sent."""
    from recoup.entrypoints.run_cli import channels
    from recoup.services.dispatch import dispatch

    built.settings.public_url = PUBLIC
    planned_payloads(built)
    dispatch(built.uow, channels(built), now=built.now)
    with built.uow() as uow:
        sent = [a for a in uow.activities.for_customer("ACME-DE") if a.kind == "email"]
    assert sent, "the run should have written to ACME-DE"
    page = server.get(link_in(str(sent[0].data["body"])).removeprefix(PUBLIC))
    assert page.status_code == 200 and "Acme Maschinenbau GmbH" in visible_text(page.text)


def test_without_a_public_address_messages_carry_no_link(built: bootstrap.App) -> None:
    assert built.settings.public_url == ""
    assert customer_links(built) is None
    message = email_render(built.settings, link=customer_links(built))(
        planned_payloads(built)[("ACME-DE", "email")]
    )
    assert "/c/" not in message.text and "/c/" not in message.html
    assert LINE["de"] not in message.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_link_line_is_written_in_every_language_and_never_to_the_sales_owner(
    built: bootstrap.App, language: str
) -> None:
    payload = planned_payloads(built)[("ACME-DE", "email")]
    payload = {**payload, "customer": {**payload["customer"], "language": language}}
    templates = Templates(
        settings=built.settings, link=lambda customer_id: f"{PUBLIC}/c/token-of-{customer_id}"
    )
    message = templates.render(payload)
    (line,) = [line for line in message.text.splitlines() if "/c/" in line]
    assert line.startswith(LINE[language]) and line.endswith(f" {PUBLIC}/c/token-of-ACME-DE")
    (html,) = [line for line in message.html.splitlines() if "/c/" in line]
    assert html.startswith(f"<p>{LINE[language]}") and f'<a href="{PUBLIC}/c/token-of-ACME-DE">' in html
    internal = templates.render({**payload, "action": "notify_sales"})
    assert "/c/" not in internal.text and "/c/" not in internal.html
